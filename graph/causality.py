"""Cause-effect chains: explicit CAUSES edges, or edges inferred from the perspective order.

Extracted text loses the arrows of a strategy map. A plan with explicit cause-effect edges
(YAML ``causes``, or arrows drawn on its slides, marked ``drawn=True``) keeps exactly those;
a plan with none gets edges inferred inside each theme from each perspective to the next
present one along the causal order (default F → L → P → C), each
marked ``inferred=True``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any, TypedDict

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import PlanIndex, coded_nodes


class Chain(TypedDict):
    """A cause-effect chain (see :func:`chains`)."""

    plan: str
    theme: str
    inferred: bool
    drawn: bool
    path: list[str]


def validate_order(order: str) -> str:
    """Return ``order`` upper-cased if it names each of C, P, L, F once, else raise ValueError.

    >>> validate_order("flpc")
    'FLPC'
    """
    order = order.upper()
    if sorted(order) != sorted(s.PERSPECTIVES):
        raise ValueError(f"causal order must name C, P, L and F once each, not {order!r}")
    return order


def objectives_by_theme(
    graph: nx.MultiDiGraph, plan: str, index: PlanIndex | None = None
) -> dict[str, dict[str, list[str]]]:
    """Map theme -> perspective -> objective node ids (sorted) for one plan.

    Asking for many plans, pass one :class:`~bscalign.graph.access.PlanIndex` of the graph:
    without it each call walks the whole graph.
    """
    if index is None:
        return group_by_theme(coded_nodes(graph, s.OBJECTIVE, plan))
    return group_by_theme(index.in_graph_order(s.OBJECTIVE, plan))


def group_by_theme(
    objectives: Iterable[tuple[str, dict[str, Any]]],
) -> dict[str, dict[str, list[str]]]:
    """Map theme -> perspective -> node ids (sorted) of ``(node_id, attrs)`` objectives."""
    themes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for nid, data in objectives:
        if data.get("theme"):
            themes[data["theme"]][data.get("perspective") or "?"].append(nid)
    for perspectives in themes.values():
        for nodes in perspectives.values():
            nodes.sort()
    return themes


def infer_causes(
    graph: nx.MultiDiGraph, order: str = s.DEFAULT_CAUSAL_ORDER, index: PlanIndex | None = None
) -> int:
    """Add inferred CAUSES edges to every plan that has no explicit ones; return how many.

    Inside each theme, every objective of one perspective causes every objective of the
    next perspective present, along ``order`` (lowest first). Earlier inferred edges that
    the graph no longer calls for are removed, so calling it again (after a change, with
    another order, on a copy) is safe, and cheap when nothing changed. ``index``, a
    :class:`~bscalign.graph.access.PlanIndex` of the graph, spares building one (the
    edges it adds do not change it).

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("局", "111", "agency")
    >>> for code in ("AF1", "AL1", "AC1"):
    ...     _ = b.add_objective(p, code, code, source="x:1", place="map")
    >>> infer_causes(b.graph)
    2
    >>> sorted(chains(b.graph, p))[0]["path"]
    ['AF1', 'AL1', 'AC1']
    """
    order = validate_order(order)
    inferred, explicit = set(), set()
    # the adjacency's own dicts: an edge view would build a tuple per edge of the graph
    for u, targets in graph.adjacency():
        stated = False
        for v, kinds in targets.items():
            if s.CAUSES not in kinds:
                continue
            if kinds[s.CAUSES].get("inferred"):
                inferred.add((u, v))
            else:
                stated = True
        if stated:
            explicit.add(graph.nodes[u]["plan"])
    by_plan: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for nid, data in (index or PlanIndex(graph)).in_graph_order(s.OBJECTIVE):
        if data["plan"] not in explicit:
            by_plan[data["plan"]].append((nid, data))
    wanted = []
    for _, members in sorted(by_plan.items()):
        for perspectives in group_by_theme(members).values():
            present = [perspectives[p] for p in order if perspectives.get(p)]
            for causes, effects in pairwise(present):
                wanted.extend((u, v) for u in causes for v in effects)
    # an unchanged graph asked again (audit after load, or twice) changes nothing
    keep = set(wanted)
    graph.remove_edges_from([(u, v, s.CAUSES) for u, v in inferred - keep])
    # add_edge one by one: add_edges_from builds two views and a dict more per edge
    for u, v in wanted:
        if (u, v) not in inferred:
            graph.add_edge(u, v, s.CAUSES, kind=s.CAUSES, inferred=True, source="")
    return len(wanted)


def chains(
    graph: nx.MultiDiGraph,
    plan: str,
    order: str = s.DEFAULT_CAUSAL_ORDER,
    index: PlanIndex | None = None,
) -> Iterator[Chain]:
    """Yield each cause-effect chain of ``plan``: from a theme's lowest objectives to customer.

    A chain starts at an objective no other objective of its theme causes and ends at a
    customer (C) objective. Each item: ``plan``, ``theme``, ``inferred`` (any edge on it
    inferred), ``drawn`` (every edge on it read from arrows drawn on a slide or page) and
    ``path`` (codes). Chains follow the graph's CAUSES edges as they are:
    :func:`infer_causes` adds the inferred ones. For many plans pass one ``index``.
    """
    order = validate_order(order)
    for theme, perspectives in sorted(objectives_by_theme(graph, plan, index).items()):
        members = {nid for nodes in perspectives.values() for nid in nodes}
        causal = nx.DiGraph(
            (u, v, {"inferred": d.get("inferred", False), "drawn": d.get("drawn", False)})
            for u, v, k, d in graph.edges(members, keys=True, data=True)
            if k == s.CAUSES and v in members
        )
        starts = sorted(n for n in causal if causal.in_degree(n) == 0)
        ends = sorted(n for n in perspectives.get("C", []) if n in causal)
        for start in starts:
            for path in sorted(nx.all_simple_paths(causal, start, ends)):
                edges = [causal.edges[u, v] for u, v in pairwise(path)]
                yield {
                    "plan": plan,
                    "theme": theme,
                    "inferred": any(edge["inferred"] for edge in edges),
                    "drawn": all(edge["drawn"] for edge in edges),
                    "path": [graph.nodes[n]["code"] for n in path],
                }
