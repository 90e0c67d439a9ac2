"""Year-to-year diff of plans: what was added, removed, renamed and re-coded.

City maps change every year, and an agency's upward links written against last year's map
break. :func:`diff_plans` compares two plans of one organization (usually two years) code
by code and name by name; :func:`diff_graphs` pairs the plans of each organization found in
two loaded graphs.

How entries are matched (per kind: themes, objectives, KPIs, action plans), so that every
entry of either plan lands in exactly one place:

1. **unchanged**: the same code with the same name;
2. **re-coded**: the same name under a new code. When one name is written under several
   codes (``提高預算執行效能`` is the financial objective of every theme), pairs in the same
   theme letter, then the same perspective letter, are preferred;
3. **renamed**: the same code with a new name, among the entries left after 1 and 2;
4. **added** / **removed**: the rest.

A pair that is both (the 108 map's ``AF1 覈實編列年度預算`` and ``AF2 提高預算執行效能``
become the 111 map's ``AF1 提高預算執行效能``) counts as **re-coded**: the name carries the
meaning, so ``AF2`` moved to ``AF1`` and the old ``AF1`` is removed, not renamed. Because a
link written with such a code still resolves in the new map but to another objective,
``code_reused`` lists every code whose old and new entries are different things.

Links are upward links as written (objective or theme → city objective code), a KPI's
city-KPI references and the city map's theme-group members (the lead's named ``主政``). A
link is kept when its source, followed through the matching above, writes the same target
in the new plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import PlanIndex, coded_nodes, plans
from bscalign.graph.records import PlanNode

#: Link kinds a diff compares, as written in the input.
UPWARD, CITY_KPI, MEMBER = "upward", "city_kpi", "member"
#: How a city map marks the lead agency of a theme group (kept as the member link's name).
LEAD = "主政"


@dataclass
class CodeMatching:
    """How the codes of one kind in an old plan correspond to those in a new plan."""

    unchanged: list[str] = field(default_factory=list)
    recoded: dict[str, str] = field(default_factory=dict)  # old code -> new code
    renamed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    def new_code(self, old_code: str) -> str | None:
        """The code the old entry has in the new plan, or None if it was removed."""
        if old_code in self.recoded:
            return self.recoded[old_code]
        if old_code in self.unchanged or old_code in self.renamed:
            return old_code
        return None


def match_codes(old: dict[str, str], new: dict[str, str]) -> CodeMatching:
    """Match two ``code -> name`` tables: unchanged, re-coded, renamed, added, removed.

    Examples
    --------
    >>> m = match_codes(
    ...     {"AF1": "覈實編列年度預算", "AF2": "提高預算執行效能", "GC1": "促進市民健康"},
    ...     {"AF1": "提高預算執行效能", "GC1": "促進市民身心健康"},
    ... )
    >>> m.recoded, m.renamed, m.removed
    ({'AF2': 'AF1'}, ['GC1'], ['AF1'])
    """
    matching = CodeMatching()
    matching.unchanged = sorted(c for c in old.keys() & new.keys() if old[c] == new[c])
    old_left = {c: n for c, n in old.items() if c not in matching.unchanged}
    new_left = {c: n for c, n in new.items() if c not in matching.unchanged}
    pairs = sorted(
        (_distance(o, n), o, n)
        for o, name in old_left.items()
        for n, new_name in new_left.items()
        if name == new_name
    )
    for _, o, n in pairs:
        if o in old_left and n in new_left:
            matching.recoded[o] = n
            del old_left[o], new_left[n]
    matching.renamed = sorted(old_left.keys() & new_left.keys())
    matching.removed = sorted(old_left.keys() - new_left.keys())
    matching.added = sorted(new_left.keys() - old_left.keys())
    return matching


def _distance(old_code: str, new_code: str) -> tuple[bool, bool]:
    """Prefer re-coding inside the same theme letter, then the same perspective letter."""
    return (old_code[:1] != new_code[:1], old_code[1:2] != new_code[1:2])


class Entry(TypedDict):
    """An entry added or removed."""

    kind: str
    code: str
    name: str


class Renamed(TypedDict):
    """An entry renamed, or a code now naming another entry (``code_reused``)."""

    kind: str
    code: str
    old_name: str
    new_name: str


class Recoded(TypedDict):
    """An entry whose name moved to another code."""

    kind: str
    old_code: str
    new_code: str
    name: str


#: A link added or removed: ``kind`` upward, city_kpi or member, ``from`` its source's code
#: (or member's name), ``to`` its target's code, ``name`` as written.
LinkEntry = TypedDict("LinkEntry", {"kind": str, "from": str, "to": str, "name": str})


class PlanDiff(TypedDict):
    """What changed from one plan to another (see :func:`diff_plans`)."""

    old: str
    new: str
    unchanged: int
    added: list[Entry]
    removed: list[Entry]
    renamed: list[Renamed]
    recoded: list[Recoded]
    code_reused: list[Renamed]
    links_added: list[LinkEntry]
    links_removed: list[LinkEntry]


def diff_plans(
    old_graph: nx.MultiDiGraph,
    old_plan: str,
    new_graph: nx.MultiDiGraph,
    new_plan: str,
    indexes: tuple[PlanIndex, PlanIndex] | None = None,
) -> PlanDiff:
    """Compare plan ``old_plan`` of ``old_graph`` with plan ``new_plan`` of ``new_graph``.

    Parameters
    ----------
    old_graph, new_graph : networkx.MultiDiGraph
        Loaded plan graphs (they may be the same graph).
    old_plan, new_plan : str
        Plan ids, e.g. ``臺北市政府@108`` and ``臺北市政府@111``.
    indexes : (PlanIndex, PlanIndex), optional
        One :class:`~bscalign.graph.access.PlanIndex` of each graph, when diffing many
        plans (without them each call walks both graphs).

    Returns
    -------
    PlanDiff
        ``old``, ``new`` (plan ids), ``unchanged`` (how many entries kept code and name),
        ``added`` and ``removed`` (``kind``, ``code``, ``name``), ``renamed`` (``kind``,
        ``code``, ``old_name``, ``new_name``), ``recoded`` (``kind``, ``old_code``,
        ``new_code``, ``name``), ``code_reused`` (codes naming a different entry now:
        ``kind``, ``code``, ``old_name``, ``new_name``), ``links_added`` and
        ``links_removed`` (``kind`` upward/city_kpi/member, ``from``, ``to``, ``name``).

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> old = b.add_plan("臺北市政府", "108", "city")
    >>> new = b.add_plan("臺北市政府", "111", "city")
    >>> for plan, code, title in [(old, "GP6", "強化社會與交通安全機制"),
    ...                           (new, "GP5", "強化社會與交通安全機制")]:
    ...     _ = b.add_objective(plan, code, title, source="x:1", place="map")
    >>> diff_plans(b.graph, old, b.graph, new)["recoded"]
    [{'kind': 'Objective', 'old_code': 'GP6', 'new_code': 'GP5', 'name': '強化社會與交通安全機制'}]
    """
    result: PlanDiff = {
        "old": old_plan,
        "new": new_plan,
        "unchanged": 0,
        "added": [],
        "removed": [],
        "renamed": [],
        "recoded": [],
        "code_reused": [],
        "links_added": [],
        "links_removed": [],
    }
    old_index, new_index = indexes or (None, None)
    matchings = {}
    for kind in s.CODED_KINDS:
        old_names = _names(old_graph, kind, old_plan, old_index)
        new_names = _names(new_graph, kind, new_plan, new_index)
        matching = matchings[kind] = match_codes(old_names, new_names)
        result["unchanged"] += len(matching.unchanged)
        result["added"] += [{"kind": kind, "code": c, "name": new_names[c]} for c in matching.added]
        result["removed"] += [
            {"kind": kind, "code": c, "name": old_names[c]} for c in matching.removed
        ]
        result["renamed"] += [
            {"kind": kind, "code": c, "old_name": old_names[c], "new_name": new_names[c]}
            for c in matching.renamed
        ]
        result["recoded"] += [
            {"kind": kind, "old_code": o, "new_code": n, "name": old_names[o]}
            for o, n in sorted(matching.recoded.items())
        ]
        result["code_reused"] += [
            {"kind": kind, "code": c, "old_name": old_names[c], "new_name": new_names[c]}
            for c in sorted(old_names.keys() & new_names.keys())
            if matching.new_code(c) != c
        ]
    old_links = {_follow(link, matchings) for link in written_links(old_graph, old_plan, old_index)}
    new_links = set(written_links(new_graph, new_plan, new_index))
    result["links_added"] = [_link_entry(link) for link in sorted(new_links - old_links)]
    result["links_removed"] = [_link_entry(link) for link in sorted(old_links - new_links)]
    return result


def diff_graphs(old_graph: nx.MultiDiGraph, new_graph: nx.MultiDiGraph) -> list[PlanDiff]:
    """Diff the plans of every organization found in both graphs (see :func:`diff_plans`).

    Each organization's latest plan in ``old_graph`` is compared with its latest plan in
    ``new_graph``; organizations found on one side only are left out.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> old, new = PlanGraphBuilder(), PlanGraphBuilder()
    >>> _ = old.add_plan("臺北市政府", "108", "city")
    >>> _ = new.add_plan("臺北市政府", "111", "city")
    >>> _ = new.add_plan("臺北市政府兵役局", "111", "agency", city="臺北市政府")
    >>> [(d["old"], d["new"]) for d in diff_graphs(old.graph, new.graph)]
    [('臺北市政府@108', '臺北市政府@111')]
    """
    old_latest, new_latest = latest_plans(old_graph), latest_plans(new_graph)
    indexes = (PlanIndex(old_graph), PlanIndex(new_graph))
    return [
        diff_plans(old_graph, old_latest[org], new_graph, new_latest[org], indexes)
        for org in sorted(old_latest.keys() & new_latest.keys())
    ]


def latest_plans(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Map each organization to the id of its latest plan in ``graph``."""
    latest: dict[str, PlanNode] = {}
    for plan in plans(graph):
        best = latest.get(plan["organization"])
        if best is None or _year_key(plan["year"]) > _year_key(best["year"]):
            latest[plan["organization"]] = plan
    return {org: plan["id"] for org, plan in latest.items()}


def _year_key(year: str) -> tuple[int, str]:
    return (int(year), year) if year.isdigit() else (-1, year)


def _names(graph: nx.MultiDiGraph, kind: str, plan: str, index: PlanIndex | None) -> dict[str, str]:
    return {data["code"]: data["name"] for _, data in _coded(graph, kind, plan, index)}


def _coded(
    graph: nx.MultiDiGraph, kind: str, plan: str, index: PlanIndex | None
) -> list[tuple[str, dict[str, Any]]]:
    """The plan's nodes of ``kind``, sorted by id (from ``index`` when there is one)."""
    if index is not None:
        return index.nodes(kind, plan)
    return sorted(coded_nodes(graph, kind, plan), key=lambda item: item[0])


#: A written link: (link kind, source kind, source code, target code, name as written).
Link = tuple[str, str, str, str, str]


def written_links(
    graph: nx.MultiDiGraph, plan: str, index: PlanIndex | None = None
) -> Iterator[Link]:
    """Yield every link of ``plan`` as written: upward links, city-KPI refs, group members.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> fire = b.add_plan("臺北市政府消防局", "108", "agency", city="臺北市政府")
    >>> b.add_upward_link(fire, "AC1", "GC2", "營造安全環境", source="f:1")
    >>> list(written_links(b.graph, fire))
    [('upward', 'Objective', 'AC1', 'GC2', '營造安全環境')]
    """
    for kind in (s.THEME, s.OBJECTIVE, s.KPI):
        for _, data in _coded(graph, kind, plan, index):
            for link in data.get("links", ()):
                yield (UPWARD, kind, data["code"], link["code"], link["name"])
            for ref in data.get("city_kpi_refs", ()):
                yield (CITY_KPI, kind, data["code"], ref, "")
    for tid, data in _coded(graph, s.THEME, plan, index):
        for member, _, kind, attrs in graph.in_edges(tid, keys=True, data=True):
            if kind == s.MEMBER_OF:
                lead = LEAD if attrs.get("lead") else ""
                yield (MEMBER, s.ORGANIZATION, graph.nodes[member]["name"], data["code"], lead)


def _follow(link: Link, matchings: dict[str, CodeMatching]) -> Link:
    """The old link with its source's code as the matching says it is written now."""
    link_kind, kind, code, target, name = link
    if kind in matchings:
        code = matchings[kind].new_code(code) or code
    if link_kind == MEMBER:
        target = matchings[s.THEME].new_code(target) or target
    return (link_kind, kind, code, target, name)


def _link_entry(link: Link) -> LinkEntry:
    link_kind, _, code, target, name = link
    return {"kind": link_kind, "from": code, "to": target, "name": name}


def diff_rows(diff: PlanDiff) -> list[dict[str, str]]:
    """Flatten one plan diff into table rows: ``change``, ``kind``, ``old``, ``new``.

    Examples
    --------
    >>> diff_rows({"old": "p@1", "new": "p@2", "recoded": [
    ...     {"kind": "Objective", "old_code": "GP6", "new_code": "GP5", "name": "強化機制"}]})
    [{'change': 'recoded', 'kind': 'Objective', 'old': 'GP6 強化機制', 'new': 'GP5 強化機制'}]
    """
    rows = []
    for entry in diff.get("added", ()):
        rows.append(_row("added", entry["kind"], "", f"{entry['code']} {entry['name']}"))
    for entry in diff.get("removed", ()):
        rows.append(_row("removed", entry["kind"], f"{entry['code']} {entry['name']}", ""))
    for change in ("renamed", "code_reused"):
        for entry in diff.get(change, ()):
            code = entry["code"]
            old, new = f"{code} {entry['old_name']}", f"{code} {entry['new_name']}"
            rows.append(_row(change, entry["kind"], old, new))
    for entry in diff.get("recoded", ()):
        old, new = (f"{entry[key]} {entry['name']}" for key in ("old_code", "new_code"))
        rows.append(_row("recoded", entry["kind"], old, new))
    for change, side in (("links_added", "new"), ("links_removed", "old")):
        for entry in diff.get(change, ()):
            text = f"{entry['from']} → {entry['to']} {entry['name']}".rstrip()
            rows.append(_row(change, entry["kind"], *((text, "") if side == "old" else ("", text))))
    return rows


def _row(change: str, kind: str, old: str, new: str) -> dict[str, str]:
    return {"change": change, "kind": kind, "old": old, "new": new}
