"""Read-side helpers: find plans and coded nodes in a loaded graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.fields import SECTIONS
from bscalign.graph.records import PlanNode


def plans(graph: nx.MultiDiGraph) -> Iterator[PlanNode]:
    """Yield the attribute dicts of all Plan nodes, sorted by plan id.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> _ = b.add_plan("臺北市政府", "111", "city")
    >>> [p["id"] for p in plans(b.graph)]
    ['臺北市政府@111']
    """
    nodes = (d for _, d in graph.nodes(data=True) if d["kind"] == s.PLAN)
    yield from sorted(nodes, key=lambda d: d["id"])


def plan_ids(graph: nx.MultiDiGraph) -> list[str]:
    """Return every plan id in the graph, sorted."""
    return [p["id"] for p in plans(graph)]


def plan_node(graph: nx.MultiDiGraph, plan: str) -> dict[str, Any]:
    """Return the attribute dict of plan ``plan`` (KeyError if it is not loaded)."""
    return graph.nodes[s.plan_node_id(plan)]


def coded_nodes(
    graph: nx.MultiDiGraph, kind: str, plan: str | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(node_id, attrs)`` of the nodes of ``kind``, optionally of one plan only.

    Each call walks the graph, so it always answers for the graph as it is now (a copy, a
    subgraph, a graph changed since). Work that asks per plan many times over builds one
    :class:`PlanIndex` instead.
    """
    for nid, data in graph.nodes(data=True):
        if data["kind"] == kind and (plan is None or data["plan"] == plan):
            yield nid, data


def successors_of_kind(graph: nx.MultiDiGraph, node: str, kind: str) -> list[str]:
    """Targets of ``node``'s edges of one kind, sorted.

    Edge keys are edge kinds, so the adjacency answers directly (no edge views built).

    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("kpi", "objective", key="MEASURES")
    >>> successors_of_kind(g, "kpi", "MEASURES"), predecessors_of_kind(g, "objective", "MEASURES")
    (['objective'], ['kpi'])
    """
    return sorted(v for v, keys in graph.succ[node].items() if kind in keys)


def predecessors_of_kind(graph: nx.MultiDiGraph, node: str, kind: str) -> list[str]:
    """Sources of edges of one kind into ``node``, sorted."""
    return sorted(u for u, keys in graph.pred[node].items() if kind in keys)


#: How a plan's node kinds are keyed in counts and declared totals.
COUNT_KEYS = SECTIONS


def empty_counts() -> dict[str, int]:
    """Zero counts keyed like declared totals."""
    return dict.fromkeys(COUNT_KEYS.values(), 0)


def plan_counts(graph: nx.MultiDiGraph, plan: str) -> dict[str, int]:
    """Count a plan's themes, objectives, KPIs and action plans (keyed like declared totals).

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("臺北市政府", "111", "city")
    >>> _ = b.add_objective(p, "GC2", "營造安全環境", source="x:1", place="map")
    >>> plan_counts(b.graph, p)
    {'themes': 1, 'objectives': 1, 'kpis': 0, 'action_plans': 0}
    """
    counts = empty_counts()
    for _, data in graph.nodes(data=True):
        if data.get("plan") == plan and data["kind"] in COUNT_KEYS:
            counts[COUNT_KEYS[data["kind"]]] += 1
    return counts


class PlanIndex:
    """The coded nodes of a graph grouped by kind and plan, and its plans, in one pass.

    The one per-plan index: for work that asks per plan many times over (the audit, export,
    reports): sorted groups, the groups of every plan at once, and counts, from one walk of
    the graph. It is built from the graph it is given and kept by whoever built it, never in
    the graph, so copies and subgraphs never inherit it; it reflects the graph when it was
    built: build a new one after changing the graph.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b, city = PlanGraphBuilder(), "臺北市政府@111"
    >>> kpi = b.add_kpi(city, "GC2.1", "火災件數", source="x:2", place="map", objective="GC2")
    >>> index = PlanIndex(b.graph)
    >>> [nid for nid, _ in index.nodes(s.OBJECTIVE, city)], index.counts(city)["kpis"]
    (['臺北市政府@111:Objective:GC2'], 1)
    """

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        groups: dict[tuple[str, str | None], list[tuple[str, dict[str, Any]]]]
        groups = defaultdict(list)
        plan_nodes = []
        for item in graph.nodes(data=True):  # (node_id, attrs): kept as networkx yields it
            data = item[1]
            kind = data["kind"]
            if kind in COUNT_KEYS:
                groups[kind, data["plan"]].append(item)
                groups[kind, None].append(item)
            elif kind == s.PLAN:
                plan_nodes.append(data)
        self._groups = groups
        self._plans = sorted(plan_nodes, key=itemgetter("id"))
        self._sorted: dict[tuple[str, str | None], list[tuple[str, dict[str, Any]]]] = {}

    def plans(self) -> list[PlanNode]:
        """The attribute dicts of all Plan nodes, sorted by plan id, like :func:`plans`."""
        return self._plans

    def in_graph_order(
        self, kind: str, plan: str | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """``(node_id, attrs)`` of the coded nodes of ``kind`` (of one plan), as added."""
        return self._groups.get((kind, plan), [])

    def nodes(self, kind: str, plan: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(node_id, attrs)`` of the coded nodes of ``kind`` (of one plan), sorted by id."""
        key = (kind, plan)
        if key not in self._sorted:
            self._sorted[key] = sorted(self.in_graph_order(kind, plan), key=itemgetter(0))
        return self._sorted[key]

    def counts(self, plan: str) -> dict[str, int]:
        """Like :func:`plan_counts`: the plan's themes, objectives, KPIs and action plans."""
        return {key: len(self._groups.get((kind, plan), ())) for kind, key in COUNT_KEYS.items()}
