"""Build the plan graph: the one place that knows how nodes and edges are written.

Loaders call :class:`PlanGraphBuilder`; they never touch node attributes themselves, so
every input format yields the same shapes. A code written in several places becomes one
node that remembers each place (``occurrences``) and each name variant (``names``).

Codes and names are interned (:func:`sys.intern`): a country's plans write the same few
hundred codes and many of the same names in every file, and one string object per value
instead of one per mention saves a tenth of the graph's memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from sys import intern
from typing import Any

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import successors_of_kind
from bscalign.graph.records import PlanNode

#: Where a code's name is most authoritative: its definition (scorecard, map, YAML, a
#: spreadsheet row) beats a heading or an overview table that restates it.
NAME_AUTHORITY = {"yaml": 0, "sheet": 0, "scorecard": 0, "map": 1, "heading": 2, "overview": 3}
#: The rank of a name read anywhere else.
LEAST_AUTHORITY = len(NAME_AUTHORITY)
#: Past this many sources, a node's sources are also kept in a set for fast look-ups.
LONG_SOURCES = 32


class PlanGraphBuilder:
    """Accumulate plans into one :class:`networkx.MultiDiGraph`.

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("臺北市政府", "111", s.CITY, source="map.txt:3")
    >>> b.add_objective(p, "GC2", "營造安全環境", source="map.txt:9", place="map")
    '臺北市政府@111:Objective:GC2'
    >>> b.graph.nodes['臺北市政府@111:Objective:GC2']['perspective']
    'C'
    """

    def __init__(self, graph: nx.MultiDiGraph | None = None) -> None:
        self.graph = graph if graph is not None else nx.MultiDiGraph()
        # node -> its attribute dict (the one the graph holds): every call finds its node
        # here in one dict look-up instead of through the graph's views. The builder owns
        # the graph while it builds: nodes are added through it and never removed.
        self._nodes: dict[str, dict[str, Any]] = dict(self.graph.nodes(data=True))
        # node -> its sources as a set, for nodes past LONG_SOURCES: an organization named in
        # the theme groups of every city map is seen once per document that carries the map
        self._long_sources: dict[str, set[str]] = {}
        # nodes and edges are written into the graph's dicts directly (:meth:`_add_node`,
        # :meth:`_edge`): a converted copy of it that a networkx backend cached would go stale
        getattr(self.graph, "__networkx_cache__", {}).clear()

    def node(self, nid: str) -> dict[str, Any]:
        """The attribute dict of node ``nid`` (KeyError if it was never added)."""
        return self._nodes[nid]

    def _add_node(self, nid: str, node: dict[str, Any]) -> dict[str, Any]:
        """Add node ``nid`` (new) with ``node`` as its attribute dict; return that dict.

        Written into the graph's adjacency dicts directly, as :meth:`networkx.DiGraph.add_node`
        does, without its copying of the attributes: a country's plans add a million nodes.
        """
        graph = self.graph
        graph._succ[nid] = {}
        graph._pred[nid] = {}
        graph._node[nid] = self._nodes[nid] = node
        return node

    # -- plans and organizations -------------------------------------------------------

    def add_plan(
        self,
        organization: str,
        year: str,
        level: str,
        *,
        city: str | None = None,
        source: str = "",
    ) -> str:
        """Add (or find) a plan and its organization; return the plan id."""
        pid = s.plan_id(organization, year)
        nid = s.plan_node_id(pid)
        if nid not in self._nodes:
            self._add_node(
                nid,
                {
                    "kind": s.PLAN,
                    "id": pid,
                    "organization": organization,
                    "year": year,
                    "level": level,
                    "city": city if level == s.AGENCY else organization,
                    "declared": {},
                    "source": source,
                    "sources": [source],
                },
            )
        org = self.add_organization(organization, source=source)
        self._edge(org, nid, s.HAS_PLAN, source=source)
        return pid

    def add_organization(self, name: str, *, source: str = "") -> str:
        """Add (or find) an organization; return its node id."""
        nid = s.organization_node_id(name)
        node = self._nodes.get(nid)
        if node is None:
            node = self._add_node(
                nid, {"kind": s.ORGANIZATION, "name": name, "source": source, "sources": []}
            )
        self._remember_source(nid, node, source)
        return nid

    def declare(self, plan: str, what: str, total: int, *, theme: str | None = None) -> None:
        """Store a total the document states (``what`` is themes/objectives/kpis/action_plans)."""
        target = s.node_id(s.THEME, plan, theme) if theme else s.plan_node_id(plan)
        if theme:
            self.add_theme(plan, theme, None, source="", place="declared")
        self._nodes[target].setdefault("declared", {})[what] = total

    # -- coded nodes ---------------------------------------------------------------------

    def add_theme(self, plan: str, code: str, name: str | None, *, source: str, place: str) -> str:
        """Add (or find) a theme; record this occurrence of it."""
        nid, node = self._coded(s.THEME, plan, code, name, source, place, parent=None)
        if "declared" not in node:  # (setdefault would make a dict on every call)
            node["declared"] = {}
        return nid

    def add_objective(
        self,
        plan: str,
        code: str,
        name: str | None,
        *,
        source: str,
        place: str,
        theme: str | None = None,
        perspective: str | None = None,
        new: bool = False,
    ) -> str:
        """Add (or find) an objective, joined to its theme; return its node id.

        ``theme`` and ``perspective`` default to what a well-formed code says (``AC1``:
        theme A, customer); city-wide ``TC`` objectives belong to no theme. A theme or
        perspective given where the objective is defined wins over what an earlier mere
        mention (a KPI row naming it first) read from its code.
        """
        derived_theme, derived_perspective = _objective_shape(code)
        nid, node = self._coded(
            s.OBJECTIVE, plan, code, name, source, place, parent=theme or derived_theme
        )
        if "links" not in node:
            node["links"] = []
        node["new"] = node.get("new", False) or new
        defining = place != "implied"
        if node.get("perspective") is None or (defining and perspective is not None):
            node["perspective"] = perspective or derived_perspective
        if node.get("theme") is None or (defining and theme is not None):
            self._set_theme(nid, node, plan, theme or derived_theme, source)
        return nid

    def _set_theme(
        self, nid: str, node: dict[str, Any], plan: str, theme: str | None, source: str
    ) -> None:
        if "theme" in node:
            if node["theme"] == theme:
                return
            # only a theme set before has an IN_THEME edge to take away
            self.graph.remove_edges_from(
                [(nid, old, s.IN_THEME) for old in successors_of_kind(self.graph, nid, s.IN_THEME)]
            )
        node["theme"] = theme
        if theme is not None:
            tid = self.add_theme(plan, theme, None, source=source, place="implied")
            self._edge(nid, tid, s.IN_THEME, source=source)

    def add_kpi(
        self,
        plan: str,
        code: str,
        name: str | None,
        *,
        source: str,
        place: str,
        objective: str | None = None,
        wccd: bool = False,
        city_kpi: bool = False,
        new: bool = False,
    ) -> str:
        """Add (or find) a KPI; with ``objective`` it MEASURES that objective."""
        nid, node = self._coded(s.KPI, plan, code, name, source, place, parent=objective)
        node["wccd"] = node.get("wccd", False) or wccd
        node["city_kpi"] = node.get("city_kpi", False) or city_kpi
        node["new"] = node.get("new", False) or new
        if "city_kpi_refs" not in node:
            node["city_kpi_refs"] = []
        if objective is not None:
            self._edge_to_mention(nid, s.MEASURES, self.add_objective, plan, objective, source)
        return nid

    def add_action_plan(
        self,
        plan: str,
        code: str,
        name: str | None,
        *,
        source: str,
        place: str,
        kpis: Iterable[str] = (),
    ) -> str:
        """Add (or find) an action plan that SUPPORTS each KPI code in ``kpis``.

        An action plan may support several KPIs (a plan listed again under a second KPI is
        shared, not a second plan), so the KPI it is listed under is no part of what it is:
        its occurrences have no parent.
        """
        nid, _ = self._coded(s.ACTION_PLAN, plan, code, name, source, place, parent=None)
        for kpi in kpis:
            self._edge_to_mention(nid, s.SUPPORTS, self.add_kpi, plan, kpi, source)
        return nid

    # -- links between nodes -------------------------------------------------------------

    def add_upward_link(
        self,
        plan: str,
        objective: str,
        code: str,
        name: str | None,
        *,
        source: str,
        raw: str | None = None,
    ) -> None:
        """Record an upward link exactly as written; :func:`resolve_links` joins it."""
        nid = self.add_objective(plan, objective, None, source=source, place="implied")
        link = {
            "code": intern(code),
            "name": intern(name or ""),
            "raw": intern(raw or code),
            "source": source,
        }
        links = self._nodes[nid]["links"]
        if all(existing["code"] != code for existing in links):
            links.append(link)

    def add_theme_link(self, plan: str, theme: str, code: str, *, source: str) -> None:
        """Record that a whole agency theme supports the city objective ``code``."""
        nid = self.add_theme(plan, theme, None, source=source, place="implied")
        links = self._nodes[nid].setdefault("links", [])
        if all(existing["code"] != code for existing in links):
            links.append({"code": code, "name": "", "raw": code, "source": source})

    def add_cause(
        self,
        plan: str,
        cause: str,
        effect: str,
        *,
        source: str,
        inferred: bool = False,
        drawn: bool = False,
    ) -> None:
        """Record that objective ``cause`` drives objective ``effect`` (cause-effect arrow).

        ``drawn``: read from an arrow drawn on a slide or PDF page, not written as text.
        """
        a = self.add_objective(plan, cause, None, source=source, place="implied")
        b = self.add_objective(plan, effect, None, source=source, place="implied")
        marks = {"drawn": True} if drawn else {}  # written edges keep their old shape
        self._edge(a, b, s.CAUSES, source=source, inferred=inferred, **marks)

    def add_membership(
        self, organization: str, city_plan: str, theme: str, *, lead: bool, source: str
    ) -> None:
        """Record that ``organization`` works in the group of city theme ``theme``."""
        org = self.add_organization(organization, source=source)
        tid = self.add_theme(city_plan, theme, None, source=source, place="implied")
        self._edge(org, tid, s.MEMBER_OF, source=source, lead=lead)

    def add_city_kpi_reference(self, plan: str, kpi: str, city_kpi: str, *, source: str) -> None:
        """Record that a KPI is (or feeds) the city KPI ``city_kpi`` (e.g. ``GP6.2``)."""
        nid = self.add_kpi(plan, kpi, None, source=source, place="implied")
        refs = self._nodes[nid]["city_kpi_refs"]
        if city_kpi not in refs:
            refs.append(city_kpi)

    def rename_latest(self, nid: str, name: str, source: str) -> None:
        """Give node ``nid``'s latest occurrence the name ``name``, read on to ``source``.

        For a name a stray line break split: the occurrence was added with its first part,
        and now has the whole name, its source citing every line it came from
        (:func:`joined_source`); the node's names follow.
        """
        node = self._nodes[nid]
        if not node["occurrences"]:
            return
        occurrence = node["occurrences"][-1]
        old = occurrence["name"]
        occurrence["name"] = name
        occurrence["source"] = joined_source(occurrence["source"], source)
        if old in node["names"]:
            node["names"][node["names"].index(old)] = name
        if node["name"] == old:
            node["name"] = name
        # a variant may now appear twice; keep the first
        node["names"] = list(dict.fromkeys(node["names"]))

    def suppress(self, node: str, rule: str, reason: str) -> None:
        """Silence finding ``rule`` on ``node`` (a planner's decision, kept with its reason)."""
        self._nodes[node].setdefault("suppress", []).append({"rule": rule, "reason": reason})

    # -- internals -----------------------------------------------------------------------

    def _coded(
        self,
        kind: str,
        plan: str,
        code: str,
        name: str | None,
        source: str,
        place: str,
        parent: str | None,
    ) -> tuple[str, dict[str, Any]]:
        nid = s.node_id(kind, plan, code)
        node = self._nodes.get(nid)
        if name:
            name = intern(name)
        if node is None:
            node = self._add_node(
                nid,
                {
                    "kind": kind,
                    "plan": plan,
                    "code": intern(code),
                    "name": name or "",
                    "names": [],
                    "occurrences": [],
                    "sources": [],
                    "source": source,
                    "suppress": [],
                },
            )
        if name:
            rank = NAME_AUTHORITY.get(place, LEAST_AUTHORITY)
            if not node["name"] or rank < node.get("name_rank", LEAST_AUTHORITY):
                node["name"] = name
                node["name_rank"] = rank
            if name not in node["names"]:
                node["names"].append(name)
        if place != "implied" and place != "declared":
            parent = intern(parent) if parent is not None else None
            node["occurrences"].append(
                {"source": source, "name": name or "", "place": place, "parent": parent}
            )
        if not node["source"] and source:
            node["source"] = source
        self._remember_source(nid, node, source)
        return nid, node

    def _remember_source(self, nid: str, node: dict[str, Any], source: str) -> None:
        sources = node["sources"]
        if not source or (sources and sources[-1] == source):
            return
        if len(sources) < LONG_SOURCES:
            if source not in sources:
                sources.append(source)
            return
        seen = self._long_sources.get(nid)
        if seen is None:
            seen = self._long_sources[nid] = set(sources)
        if source not in seen:
            seen.add(source)
            sources.append(source)

    def _edge_to_mention(
        self, nid: str, kind: str, add: Callable[..., str], plan: str, code: str, source: str
    ) -> None:
        """Join ``nid`` to the node ``add`` finds (or adds, as a mere mention) for ``code``."""
        self._edge(nid, add(plan, code, None, source=source, place="implied"), kind, source=source)

    def _edge(self, u: str, v: str, kind: str, *, source: str, **attrs: Any) -> None:
        """Join ``u`` to ``v`` (both added) by an edge of ``kind`` keyed by its kind; an edge
        that is there already takes the true ones of ``attrs``.

        Written into the adjacency dicts directly, as :meth:`networkx.MultiDiGraph.add_edge`
        does, without its copying and checks: a country's plans add over a million edges.
        """
        successors = self.graph._succ[u]
        keyed = successors.get(v)
        if keyed is None:
            keyed = successors[v] = self.graph._pred[v][u] = {}
        data = keyed.get(kind)
        if data is None:
            keyed[kind] = {"kind": kind, "source": source, **attrs}
        elif attrs:
            data.update({k: value for k, value in attrs.items() if value})


def joined_source(first: str, then: str) -> str:
    """The source of what runs from ``first`` on to ``then``.

    >>> joined_source("f.txt:12", "f.txt:13"), joined_source("a:1", "b:2")
    ('f.txt:12-13', 'a:1 + b:2')
    """
    head, _, lines = first.rpartition(":")
    then_head, _, then_line = then.rpartition(":")
    start = lines.split("-")[0]
    if head == then_head and start.isdigit() and then_line.isdigit():
        return f"{head}:{start}-{then_line}"
    return f"{first} + {then}"


@lru_cache(maxsize=4096)
def _objective_shape(code: str) -> tuple[str | None, str | None]:
    """The theme and perspective a well-formed objective code says (``AC1``: A, C).

    Cached: a country's plans repeat a few hundred codes over hundreds of thousands of rows.
    """
    shape = s.OBJECTIVE_CODE.match(code)
    if shape is None:
        return None, None
    city_wide = code.startswith(s.CITY_WIDE_PREFIX)
    return (None if city_wide else shape["theme"]), shape["perspective"]


def resolve_links(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Join written upward links and city-KPI references to the city plan of the same year.

    A link whose code exists in the city plan becomes an ALIGNS_TO edge carrying the code
    and name as written; a link whose code does not exist stays only in the objective's
    ``links`` (the audit reports it). Returns ``graph`` for chaining.

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> city = b.add_plan("臺北市政府", "111", s.CITY)
    >>> _ = b.add_objective(city, "GC2", "營造安全環境", source="x:1", place="map")
    >>> fire = b.add_plan("臺北市政府消防局", "111", s.AGENCY, city="臺北市政府")
    >>> b.add_upward_link(fire, "AC1", "GC2", "營造安全環境", source="x:9")
    >>> g = resolve_links(b.graph)
    >>> g.has_edge("臺北市政府消防局@111:Objective:AC1", "臺北市政府@111:Objective:GC2")
    True
    """
    city_plans: dict[str, str | None] = {}  # agency plan -> its loaded city plan
    for nid, data in list(graph.nodes(data=True)):
        if data["kind"] not in (s.OBJECTIVE, s.THEME, s.KPI):
            continue
        if data["plan"] not in city_plans:
            city_plans[data["plan"]] = city_plan_of(graph, data["plan"])
        city = city_plans[data["plan"]]
        if city is None:
            continue
        for link in data.get("links", ()):
            target = s.node_id(s.OBJECTIVE, city, link["code"])
            if target in graph:
                add_upward_edge(graph, nid, target, link)
        for ref in data.get("city_kpi_refs", ()):
            target = s.node_id(s.KPI, city, ref)
            if target in graph:
                graph.add_edge(
                    nid, target, key=s.REFERENCES, kind=s.REFERENCES, source=data["source"]
                )
    return graph


def add_upward_edge(
    graph: nx.MultiDiGraph, node: str, target: str, link: dict[str, str], **attrs: Any
) -> None:
    """Join ``node`` to ``target`` by an ALIGNS_TO edge carrying ``link`` as written."""
    graph.add_edge(
        node,
        target,
        key=s.ALIGNS_TO,
        kind=s.ALIGNS_TO,
        source=link["source"],
        code=link["code"],
        name=link["name"],
        **attrs,
    )


def named_city_plan(plan: PlanNode) -> str | None:
    """The id of the city plan an agency Plan node names (loaded or not), or None.

    >>> named_city_plan({"level": "agency", "city": "臺北市政府", "year": "111"})
    '臺北市政府@111'
    """
    if plan["level"] != s.AGENCY or not plan.get("city"):
        return None
    return s.plan_id(plan["city"], plan["year"])


def city_plan_of(graph: nx.MultiDiGraph, plan: str) -> str | None:
    """Return the id of the loaded city plan an agency plan answers to, or None.

    The city plan is the plan of the agency's city organization for the same year.
    """
    node = graph.nodes.get(s.plan_node_id(plan))
    city = named_city_plan(node) if node is not None else None
    return city if city is not None and s.plan_node_id(city) in graph else None
