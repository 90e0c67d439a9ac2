"""Read-side answers follow the graph they are asked about: copies, subgraphs, focused views.

networkx copies ``graph.graph`` into copies and subgraphs, so nothing derived from the nodes
may live there; these tests change copies of the seed graph and ask again.
"""

from __future__ import annotations

from collections import Counter

from bscalign.graph import schema as s
from bscalign.graph.access import (
    COUNT_KEYS,
    PlanIndex,
    coded_nodes,
    plan_counts,
    predecessors_of_kind,
    successors_of_kind,
)
from bscalign.graph.causality import infer_causes
from bscalign.loaders import LoadResult
from bscalign.queries.engine import audit
from bscalign.queries.registry import get_rule
from bscalign.views import view_graph

FIRE = "臺北市政府消防局@108"


def _counted(graph, plan):
    """Counts straight from the nodes, as a reader would count them by hand."""
    kinds = Counter(d["kind"] for _, d in graph.nodes(data=True) if d.get("plan") == plan)
    return {key: kinds[kind] for kind, key in COUNT_KEYS.items()}


def _a_kpi(graph, plan):
    return next(nid for nid, _ in sorted(coded_nodes(graph, s.KPI, plan)))


def test_the_loaded_graph_keeps_nothing_derived_in_its_attributes(seeds: LoadResult) -> None:
    graph = seeds.graph.copy()
    audit(graph)
    assert not [key for key in graph.graph if key.startswith("bscalign")]


def test_counts_follow_a_copy_with_a_node_removed(seeds: LoadResult) -> None:
    graph = seeds.graph.copy()
    before = plan_counts(graph, FIRE)
    kpi = _a_kpi(graph, FIRE)
    graph.remove_node(kpi)
    assert plan_counts(graph, FIRE) == {**before, "kpis": before["kpis"] - 1}
    assert plan_counts(graph, FIRE) == _counted(graph, FIRE) == PlanIndex(graph).counts(FIRE)
    assert kpi not in {nid for nid, _ in coded_nodes(graph, s.KPI, FIRE)}
    assert plan_counts(seeds.graph, FIRE) == before  # the original is untouched


def test_counts_and_neighbours_follow_a_subgraph(seeds: LoadResult) -> None:
    fire_only = [n for n, d in seeds.graph.nodes(data=True) if d.get("plan") == FIRE]
    part = seeds.graph.subgraph(fire_only)
    assert plan_counts(part, FIRE) == _counted(part, FIRE) == plan_counts(seeds.graph, FIRE)
    city = "臺北市政府@108"
    assert plan_counts(part, city) == dict.fromkeys(COUNT_KEYS.values(), 0)
    assert PlanIndex(part).counts(FIRE) == plan_counts(part, FIRE)
    objectives = [nid for nid, _ in coded_nodes(part, s.OBJECTIVE, FIRE)]
    assert any(successors_of_kind(seeds.graph, nid, s.ALIGNS_TO) for nid in objectives)
    # the upward links lead out of the subgraph: they are not there to follow
    assert not any(successors_of_kind(part, nid, s.ALIGNS_TO) for nid in objectives)


def test_counts_follow_a_focused_view(seeds: LoadResult) -> None:
    view = view_graph(seeds.graph, plans=[FIRE], focus="AP1", depth=1)
    assert plan_counts(view, FIRE) == _counted(view, FIRE)
    assert plan_counts(view, FIRE)["objectives"] < plan_counts(seeds.graph, FIRE)["objectives"]


def test_audit_of_a_changed_copy_sees_the_change(seeds: LoadResult) -> None:
    rule = get_rule("kpi-without-action-plan")
    graph = seeds.graph.copy()
    kpi = _a_kpi(graph, FIRE)
    subject = graph.nodes[kpi]["code"]
    supporting = predecessors_of_kind(graph, kpi, s.SUPPORTS)
    assert supporting
    graph.remove_nodes_from(supporting)
    found = {(f.plan, f.subject) for f in audit(graph, [rule]).findings}
    assert (FIRE, subject) in found
    assert (FIRE, subject) not in {(f.plan, f.subject) for f in audit(seeds.graph, [rule]).findings}


def test_inferred_causes_follow_a_changed_copy(seeds: LoadResult) -> None:
    graph = seeds.graph.copy()
    inferred = infer_causes(graph)
    objective = next(
        nid
        for nid, d in sorted(coded_nodes(graph, s.OBJECTIVE, FIRE))
        if successors_of_kind(graph, nid, s.CAUSES)
    )
    lost = len(successors_of_kind(graph, objective, s.CAUSES))
    lost += len(predecessors_of_kind(graph, objective, s.CAUSES))
    graph.remove_node(objective)
    # an edge added and one removed leave the counts equal: the inference must not be skipped
    graph.add_edge("x", "y", key="OTHER", kind="OTHER")
    graph.nodes["x"].update(kind="Other")
    graph.nodes["y"].update(kind="Other")
    assert audit(graph, [get_rule("broken-cause-effect-chain")]).inferred_causes == inferred - lost
