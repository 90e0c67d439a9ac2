"""The property-graph model of strategy maps and balanced scorecards (networkx)."""

from bscalign.graph import schema
from bscalign.graph.access import coded_nodes, plan_counts, plan_ids, plan_node, plans
from bscalign.graph.build import PlanGraphBuilder, city_plan_of, resolve_links

__all__ = [
    "PlanGraphBuilder",
    "city_plan_of",
    "coded_nodes",
    "plan_counts",
    "plan_ids",
    "plan_node",
    "plans",
    "resolve_links",
    "schema",
]
