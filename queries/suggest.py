"""Propose upward links for agency objectives that lack a valid one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx

from bscalign.graph import schema as s
from bscalign.queries.base import AuditContext
from bscalign.queries.matching import member_themes, rank_by_names


def suggest_links(graph: nx.MultiDiGraph, limit: int = 3) -> Iterator[dict[str, Any]]:
    """Yield ranked city-objective candidates for each agency objective without a valid link.

    An objective qualifies when it has no upward link, or none whose code exists in the
    city plan of its year. Candidates are ranked by name similarity (character n-grams for
    Chinese, words for English), preferring the objective's own perspective, the theme
    letter of a dangling code, and the themes whose working group the agency belongs to.

    Each item: ``plan``, ``subject``, ``name``, ``written`` (dangling codes as written)
    and ``candidates`` (``code``, ``name``, ``score``, ``why``).

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder, resolve_links
    >>> b = PlanGraphBuilder()
    >>> city = b.add_plan("臺北市政府", "111", "city")
    >>> _ = b.add_objective(city, "GC2", "營造安全環境", source="x:1", place="map")
    >>> agency = b.add_plan("臺北市政府兵役局", "111", "agency", city="臺北市政府")
    >>> _ = b.add_objective(agency, "CC1", "營造安全城市環境", source="x:2", place="map")
    >>> [c["code"] for c in next(suggest_links(resolve_links(b.graph)))["candidates"]]
    ['GC2']
    """
    context = AuditContext(graph)
    for plan, city in context.answering_plans:
        preferred = member_themes(context, plan["organization"], city)
        for nid, objective in context.nodes(s.OBJECTIVE, plan["id"]):
            if context.out_neighbors(nid, s.ALIGNS_TO):
                continue
            written = [link["code"] for link in objective["links"]]
            names = [objective["name"], *(link["name"] for link in objective["links"])]
            ranked = rank_by_names(
                context,
                city,
                names,
                limit=limit,
                code_hint=written[0] if written else None,
                perspective=objective.get("perspective"),
                preferred_themes=preferred,
            )
            yield {
                "plan": plan["id"],
                "subject": objective["code"],
                "name": objective["name"],
                "written": written,
                "candidates": [vars(c) for c in ranked],
            }
