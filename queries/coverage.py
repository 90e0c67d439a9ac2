"""Which agency objectives support which city objective: the coverage matrix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import plans
from bscalign.queries.base import AuditContext
from bscalign.queries.upward import plan_routes


class CoverageRow(TypedDict):
    """One city objective and who supports it (see :func:`coverage`)."""

    city_plan: str
    objective: str
    name: str
    theme: str | None
    perspective: str | None
    supported_by: dict[str, list[str]]


def coverage(graph: nx.MultiDiGraph) -> Iterator[CoverageRow]:
    """Yield one row per city objective: who supports it, per agency plan of that year.

    Each row: ``city_plan``, ``objective``, ``name``, ``theme``, ``perspective`` and
    ``supported_by`` (agency plan id -> agency objective codes, by any route: own link,
    theme link or KPI city-KPI reference). City plans without loaded agencies still list
    their objectives, all unsupported.

    Examples
    --------
    The template's example plans (a city objective and the agency objective linked to it):

    >>> from bscalign.graph.build import resolve_links
    >>> from bscalign.loaders.spreadsheet import example_graph
    >>> rows = coverage(resolve_links(example_graph()))
    >>> [(row["objective"], row["supported_by"]) for row in rows]
    [('GP6', {'臺北市政府兵役局@111': ['CC1']})]
    """
    context = AuditContext(graph)
    supporters: dict[tuple[str, str], dict[str, list[str]]] = {}
    for plan, city in context.answering_plans:
        routes = plan_routes(context, plan["id"], city)
        for nid, objective in context.nodes(s.OBJECTIVE, plan["id"]):
            for target in routes[nid].targets:
                by_plan = supporters.setdefault((city, target), {})
                by_plan.setdefault(plan["id"], []).append(objective["code"])
    for plan in plans(graph):
        if plan["level"] != s.CITY:
            continue
        for _, objective in context.nodes(s.OBJECTIVE, plan["id"]):
            yield {
                "city_plan": plan["id"],
                "objective": objective["code"],
                "name": objective["name"],
                "theme": objective.get("theme"),
                "perspective": objective.get("perspective"),
                "supported_by": supporters.get((plan["id"], objective["code"]), {}),
            }
