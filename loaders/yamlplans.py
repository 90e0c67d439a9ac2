"""bscalign YAML: the canonical hand-written format, read and written.

One file holds one or more plans::

    bscalign: 1
    plans:
    - organization: 臺北市政府兵役局
      year: '111'
      level: agency            # or city
      city: 臺北市政府          # the city whose map an agency plan answers to
      declared: {themes: 3, objectives: 16, kpis: 17, action_plans: 21}
      themes:
      - {code: C, name: 協調國軍支援}
      objectives:
      - code: CC1
        name: 優化防災應變機制
        aligns_to: [{code: GP6, name: 優化緊急救護及防災應變機制}]
        causes: []             # objectives this one drives (cause -> effect)
      kpis:
      - {code: CC1.1, name: 國軍與替代役支援災防演訓及救災達成率, objective: CC1,
         city_kpi_refs: [GP6.2]}
      action_plans:
      - {code: CC1.1.1, name: 臺北市政府兵役局協調國軍支援災害防救作業計畫, supports: [CC1.1]}

City plans list their theme groups on the themes (``lead`` and ``members``). Any coded
entry may carry ``also_named`` (other name variants seen), flags (``new``; on KPIs also
``wccd`` and ``city_kpi``) and ``suppress: [{rule: orphan-kpi, reason: ...}]``. The JSON
Schema ``bscalign/schema/bscalign-plans.schema.json`` describes the same format for editors.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import yaml

from bscalign.graph import fields
from bscalign.graph import schema as s
from bscalign.graph.access import PlanIndex, plans
from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders.problems import InputError, Problem

FORMAT_VERSION = 1
LINE = "__line__"
#: YAML section -> the kind of its entries.
SECTIONS = {section: kind for kind, section in fields.SECTIONS.items()}
PLAN_KEYS = {*fields.yaml_keys(s.PLAN), *SECTIONS}
ENTRY_KEYS = {kind: set(fields.yaml_keys(kind)) for kind in SECTIONS.values()}
DECLARED_KEYS = fields.DECLARED_KEYS


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader (libyaml's when PyYAML has it) that remembers each mapping's line."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def looks_like_yaml_plans(text: str) -> bool:
    """Tell whether ``text`` is bscalign YAML (it has a top-level ``bscalign:`` key)."""
    return any(line.startswith("bscalign:") for line in text.lstrip("\ufeff").splitlines()[:50])


def parse_yaml_plans(text: str, file: str, builder: PlanGraphBuilder) -> list[Problem]:
    """Load the plans of one bscalign YAML document into ``builder``.

    Every bad entry is reported with its line; good entries still load. A document that
    is not YAML at all raises :class:`InputError`.

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> doc = '''
    ... bscalign: 1
    ... plans:
    ... - organization: 臺北市政府消防局
    ...   year: '108'
    ...   kpis:
    ...   - {code: AC1.1, name: 燒燬事故商品鑑識通報率, objective: AC1}
    ...   - {code: AC1.2, nme: typo}
    ... '''
    >>> for problem in parse_yaml_plans(doc, "fire.yaml", b):
    ...     print(problem)  # doctest: +ELLIPSIS
    fire.yaml:8: KPI entry has unknown key 'nme' (expected one of: also_named, ...)
    """
    try:
        document = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(file, f"not valid YAML: {getattr(err, 'problem', err)}", line) from None
    reader = EntryReader(file, builder)
    if not isinstance(document, dict) or "bscalign" not in document:
        raise InputError(file, "not bscalign YAML: expected a top-level 'bscalign: 1' key", 1)
    if document.get("bscalign") != FORMAT_VERSION:
        reader.problem(document, f"unsupported format version {document.get('bscalign')!r}")
    entries = document.get("plans")
    if not isinstance(entries, list):
        reader.problem(document, "expected 'plans:' with a list of plans")
        return reader.problems
    for entry in entries:
        reader.plan(entry)
    return reader.problems


class EntryReader:
    """Load plan and section entries shaped like bscalign YAML (dicts with ``__line__``).

    Shared with the spreadsheet loader, whose rows become the same entries; ``place``
    names where the entries were written (``yaml``, ``sheet``).
    """

    def __init__(self, file: str, builder: PlanGraphBuilder, place: str = "yaml") -> None:
        self.file = file
        self.builder = builder
        self.place = place
        self.problems: list[Problem] = []

    def problem(self, entry: Any, message: str) -> None:
        line = entry.get(LINE, 1) if isinstance(entry, dict) else 1
        self.problems.append(Problem(self.file, line, message))

    def source(self, entry: dict[str, Any]) -> str:
        return f"{self.file}:{entry.get(LINE, 1)}"

    def plan(self, entry: Any) -> None:
        if not isinstance(entry, dict):
            self.problem(entry, "a plan must be a mapping with organization and year")
            return
        if not self._known_keys(entry, PLAN_KEYS, "plan"):
            pass
        organization, year = entry.get("organization"), entry.get("year")
        if not isinstance(organization, str) or not organization or year is None:
            self.problem(entry, "a plan needs 'organization' (text) and 'year'")
            return
        level = entry.get("level", s.AGENCY)
        if level not in (s.CITY, s.AGENCY):
            self.problem(entry, f"level must be 'city' or 'agency', not {level!r}")
            level = s.AGENCY
        city = entry.get("city")
        plan = self.builder.add_plan(
            organization, str(year), level, city=city, source=self.source(entry)
        )
        for key, total in _mapping(entry.get("declared")).items():
            if key in DECLARED_KEYS and isinstance(total, int):
                self.builder.declare(plan, key, total)
            elif key != LINE:
                self.problem(entry, f"declared {key!r}: expected one of {DECLARED_KEYS} -> int")
        for section, kind in SECTIONS.items():
            items = entry.get(section, [])
            if not isinstance(items, list):
                self.problem(entry, f"'{section}' must be a list")
                continue
            for item in items:
                self.entry(plan, kind, item)

    def entry(self, plan: str, kind: str, item: Any) -> None:
        if not isinstance(item, dict):
            self.problems.append(Problem(self.file, 1, f"{kind} entry must be a mapping"))
            return
        self._known_keys(item, ENTRY_KEYS[kind], kind)
        code = item.get("code")
        if not isinstance(code, str) or not code.strip():
            self.problem(item, f"{kind} entry without a 'code'")
            return
        code = code.strip()
        name = item.get("name")
        name = str(name) if name is not None else None
        source = self.source(item)
        b = self.builder
        if kind == s.THEME:
            nid = b.add_theme(plan, code, name, source=source, place=self.place)
            for what, total in _mapping(item.get("declared")).items():
                if what in DECLARED_KEYS and isinstance(total, int):
                    b.declare(plan, what, total, theme=code)
            for link in self._codes(item, "aligns_to"):
                b.add_theme_link(plan, code, link, source=source)
            self._members(plan, code, item, source)
        elif kind == s.OBJECTIVE:
            perspective = item.get("perspective")
            if perspective is not None and perspective not in s.PERSPECTIVES:
                self.problem(item, f"perspective must be one of C, P, L, F, not {perspective!r}")
                perspective = None
            nid = b.add_objective(
                plan,
                code,
                name,
                source=source,
                place=self.place,
                theme=item.get("theme"),
                perspective=perspective,
                new=bool(item.get("new")),
            )
            for link in _list(item.get("aligns_to")):
                self._upward_link(plan, code, link, item, source)
            for effect in self._codes(item, "causes"):
                b.add_cause(plan, code, effect, source=source)
        elif kind == s.KPI:
            objectives = self._codes(item, "objective")
            nid = b.add_kpi(
                plan,
                code,
                name,
                source=source,
                place=self.place,
                objective=objectives[0] if objectives else None,
                wccd=bool(item.get("wccd")),
                city_kpi=bool(item.get("city_kpi")),
                new=bool(item.get("new")),
            )
            for also_measured in objectives[1:]:
                b.add_kpi(plan, code, None, source=source, place="implied", objective=also_measured)
            for ref in self._codes(item, "city_kpi_refs"):
                b.add_city_kpi_reference(plan, code, ref, source=source)
        else:
            nid = b.add_action_plan(
                plan,
                code,
                name,
                source=source,
                place=self.place,
                kpis=self._codes(item, "supports"),
            )
        for variant in self._codes(item, "also_named"):
            names = b.graph.nodes[nid]["names"]
            if variant not in names:
                names.append(variant)
        for suppression in _list(item.get("suppress")):
            if isinstance(suppression, dict) and suppression.get("rule"):
                b.suppress(nid, str(suppression["rule"]), str(suppression.get("reason", "")))
            else:
                self.problem(item, "suppress entries need 'rule' (and a 'reason')")

    def _upward_link(
        self, plan: str, code: str, link: Any, item: dict[str, Any], source: str
    ) -> None:
        if isinstance(link, str):
            target, _, name = link.strip().partition(" ")
        elif isinstance(link, dict) and link.get("code"):
            target, name = str(link["code"]), str(link.get("name") or "")
        else:
            self.problem(item, "aligns_to entries are 'CODE name' or {code, name}")
            return
        raw = f"{target} {name}".strip()
        self.builder.add_upward_link(plan, code, target, name.strip(), source=source, raw=raw)

    def _members(self, plan: str, theme: str, item: dict[str, Any], source: str) -> None:
        for lead in self._codes(item, "lead"):
            self.builder.add_membership(lead, plan, theme, lead=True, source=source)
        for member in self._codes(item, "members"):
            self.builder.add_membership(member, plan, theme, lead=False, source=source)

    def _codes(self, item: dict[str, Any], key: str) -> list[str]:
        values = _list(item.get(key))
        if not all(isinstance(v, str | int | float) for v in values):
            self.problem(item, f"'{key}' must be a text or a list of texts")
            return []
        return [str(v).strip() for v in values if str(v).strip()]

    def _known_keys(self, item: dict[str, Any], allowed: set[str], what: str) -> bool:
        unknown = sorted(k for k in item if k != LINE and k not in allowed)
        for key in unknown:
            expected = ", ".join(sorted(allowed))
            self.problem(
                item, f"{what} entry has unknown key {key!r} (expected one of: {expected})"
            )
        return not unknown


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- writing -------------------------------------------------------------------------------


def dump_yaml_plans(graph: nx.MultiDiGraph, plan_ids: list[str] | None = None) -> str:
    """Write plans of ``graph`` as bscalign YAML (all plans unless ``plan_ids`` is given).

    Loading the result gives the same graph: the same nodes, names, flags, links and
    edges (only the sources differ: they point at the YAML).

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("臺北市政府", "111", "city")
    >>> _ = b.add_objective(p, "GC2", "營造安全環境", source="x:1", place="map")
    >>> print(dump_yaml_plans(b.graph))  # doctest: +NORMALIZE_WHITESPACE
    bscalign: 1
    plans:
    - organization: 臺北市政府
      year: '111'
      level: city
      themes:
      - {code: G}
      objectives:
      - {code: GC2, name: 營造安全環境}
    <BLANKLINE>
    """
    wanted = set(plan_ids) if plan_ids is not None else None
    index = PlanIndex(graph)
    out = [
        plan_document(graph, plan, index)
        for plan in plans(graph)
        if wanted is None or plan["id"] in wanted
    ]
    return yaml.dump(
        {"bscalign": FORMAT_VERSION, "plans": out},
        Dumper=_FlowDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )


class _FlowDumper(yaml.SafeDumper):
    """Entries as one-line mappings where they are flat, blocks where they nest."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.MappingNode:
    flat = all(not isinstance(v, dict | list) or _is_flat_list(v) for v in data.values())
    return dumper.represent_mapping(
        "tag:yaml.org,2002:map", data, flow_style=flat and "code" in data
    )


def _is_flat_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


_FlowDumper.add_representer(dict, _represent_dict)


def plan_document(
    graph: nx.MultiDiGraph, plan: dict[str, Any], index: PlanIndex | None = None
) -> dict[str, Any]:
    """Return one plan (its Plan node's attributes) as the mapping bscalign YAML writes.

    Writing many plans, pass one :class:`~bscalign.graph.access.PlanIndex` of the graph:
    without it each call indexes the whole graph again.
    """
    index = index if index is not None else PlanIndex(graph)
    pid = plan["id"]
    doc: dict[str, Any] = {
        "organization": plan["organization"],
        "year": plan["year"],
        "level": plan["level"],
    }
    if plan["level"] == s.AGENCY and plan.get("city"):
        doc["city"] = plan["city"]
    if plan.get("declared"):
        doc["declared"] = dict(plan["declared"])
    for section, kind in SECTIONS.items():
        entries = []
        coded = index.in_graph_order(kind, pid)
        for nid, data in sorted(coded, key=lambda n: s.code_order(n[1]["code"])):
            entries.extend(_entries(graph, nid, data))
        if entries:
            doc[section] = entries
    return doc


def _entries(graph: nx.MultiDiGraph, nid: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per distinct thing the code stands for (a duplicate code stays duplicate)."""
    kind = data["kind"]
    base: dict[str, Any] = {"code": data["code"]}
    out = graph.out_edges(nid, keys=True, data=True)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, target, key, _attrs in out:
        by_kind[key].append(graph.nodes[target])
    if kind == s.OBJECTIVE:
        shape = s.OBJECTIVE_CODE.match(data["code"])
        implied_theme = shape["theme"] if shape and not data["code"].startswith("T") else None
        if data.get("theme") != implied_theme:
            base["theme"] = data.get("theme")
        if data.get("perspective") and (not shape or shape["perspective"] != data["perspective"]):
            base["perspective"] = data["perspective"]
    fields: dict[str, Any] = {}
    if kind == s.THEME:
        if data.get("declared"):
            fields["declared"] = dict(data["declared"])
        if data.get("links"):
            fields["aligns_to"] = [link["code"] for link in data["links"]]
        members = [
            (graph.nodes[u]["name"], attrs.get("lead", False))
            for u, _, attrs in graph.in_edges(nid, data=True)
            if attrs["kind"] == s.MEMBER_OF
        ]
        leads = [name for name, lead in members if lead]
        if leads:
            fields["lead"] = leads[0] if len(leads) == 1 else leads
        if any(not lead for _, lead in members):
            fields["members"] = [name for name, lead in members if not lead]
    elif kind == s.OBJECTIVE:
        if data.get("new"):
            fields["new"] = True
        if data.get("links"):
            fields["aligns_to"] = [
                {"code": link["code"], "name": link["name"]} if link["name"] else link["code"]
                for link in data["links"]
            ]
        causes = sorted(
            graph.nodes[v]["code"]
            for _, v, k, attrs in out
            if k == s.CAUSES and not attrs.get("inferred")
        )
        if causes:
            fields["causes"] = causes
    elif kind == s.KPI:
        measured = sorted(n["code"] for n in by_kind[s.MEASURES])
        if measured:
            fields["objective"] = measured[0] if len(measured) == 1 else measured
        for flag in ("wccd", "city_kpi", "new"):
            if data.get(flag):
                fields[flag] = True
        if data.get("city_kpi_refs"):
            fields["city_kpi_refs"] = list(data["city_kpi_refs"])
    elif kind == s.ACTION_PLAN:
        supports = sorted(n["code"] for n in by_kind[s.SUPPORTS])
        if supports:
            fields["supports"] = supports
    if data.get("suppress"):
        fields["suppress"] = [dict(x) for x in data["suppress"]]

    variants = _distinct_things(data)
    entries = []
    for index, name in enumerate(variants):
        entry = dict(base)
        if name:
            entry["name"] = name
        if index == 0:
            others = [n for n in data["names"] if n not in variants]
            if others:
                entry["also_named"] = others
            entry.update(fields)
        entries.append(entry)
    return entries


def _distinct_things(data: dict[str, Any]) -> list[str]:
    """Names of the different things a code was used for in one place (usually one)."""
    by_place: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for occurrence in data["occurrences"]:
        thing = (occurrence["name"], occurrence["parent"])
        if thing not in by_place[occurrence["place"]]:
            by_place[occurrence["place"]].append(thing)
    duplicated = max(by_place.values(), key=len, default=[])
    if len(duplicated) > 1:
        return [name for name, _ in duplicated]
    return [data["name"]]
