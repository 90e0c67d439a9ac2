"""Re-check an agency plan's upward links against a newer city map.

An agency writes its upward links against the city map of its year. When the city map
changes, :func:`retarget_links` tells, for each link, whether it still holds in the newer
map (the same code still names the objective the link meant) and which newer city
objective it most likely maps to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import PlanIndex, plan_node, plans
from bscalign.graph.build import city_plan_of
from bscalign.graph.diff import CodeMatching, latest_plans, match_codes
from bscalign.queries.base import AuditContext
from bscalign.queries.matching import Candidate, member_themes, rank_by_names

#: What became of the city objective a link's code named in the agency's year.
UNCHANGED, RENAMED, RECODED, REMOVED, DANGLING = (
    "unchanged",
    "renamed",
    "recoded",
    "removed",
    "dangling",
)


def retarget_links(
    agency_graph: nx.MultiDiGraph,
    new_graph: nx.MultiDiGraph,
    *,
    old_graph: nx.MultiDiGraph | None = None,
    limit: int = 3,
) -> Iterator[dict[str, Any]]:
    """Check every upward link of the agency plans in ``agency_graph`` against ``new_graph``.

    The link's old meaning is the objective its code named in the city map of the agency's
    year (found in ``agency_graph``, else in ``old_graph``); the newer map is the latest
    plan of the same city organization in ``new_graph``. The two maps are matched as
    :func:`bscalign.graph.diff.match_codes` does, and the newer map's objectives are ranked
    with :func:`bscalign.queries.matching.rank_by_names` on the written name, the old
    objective's name and the agency objective's name.

    Parameters
    ----------
    agency_graph : networkx.MultiDiGraph
        Holds the agency plans whose links are checked (and usually their city map).
    new_graph : networkx.MultiDiGraph
        Holds the newer city map.
    old_graph : networkx.MultiDiGraph, optional
        Where to find the agency's own-year city map when ``agency_graph`` lacks it.
    limit : int
        Candidates per link.

    Yields
    ------
    dict
        Per link: ``plan``, ``subject`` and ``subject_name`` (the agency objective or
        theme), ``code`` and ``name`` (as written), ``old_name`` (what the code named in
        the old map, None if it named nothing there), ``new_name`` (what the code names in
        the newer map, or None), ``status`` (unchanged, renamed, recoded, removed or
        dangling: what became of the old objective), ``holds`` (the code still names the
        objective the link most likely maps to), ``proposal`` (``code``, ``name``,
        ``why``, or None) and ``candidates`` (``code``, ``name``, ``score``, ``why``).

    Raises
    ------
    ValueError
        When the city map of an agency plan's year or a newer city map is not loaded.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder, resolve_links
    >>> old, new = PlanGraphBuilder(), PlanGraphBuilder()
    >>> city = old.add_plan("臺北市政府", "108", "city")
    >>> _ = old.add_objective(city, "GF2", "提高預算執行效能", source="x:1", place="map")
    >>> fire = old.add_plan("臺北市政府消防局", "108", "agency", city="臺北市政府")
    >>> old.add_upward_link(fire, "AF1", "GF2", "提高預算執行效能", source="x:2")
    >>> city = new.add_plan("臺北市政府", "111", "city")
    >>> _ = new.add_objective(city, "GF1", "提高預算執行效能", source="y:1", place="map")
    >>> link = next(retarget_links(resolve_links(old.graph), new.graph))
    >>> link["status"], link["holds"], link["proposal"]["code"]
    ('recoded', False, 'GF1')
    """
    new_cities = latest_plans(new_graph)
    new_context = AuditContext(new_graph)
    agency_index = PlanIndex(agency_graph)
    old_index = PlanIndex(old_graph) if old_graph is not None else agency_index
    for plan in plans(agency_graph):
        if plan["level"] != s.AGENCY:
            continue
        old_graph_of_city, old_city = _old_city_plan(agency_graph, old_graph, plan)
        new_city = new_cities.get(plan["city"])
        if new_city is None or plan_node(new_graph, new_city)["level"] != s.CITY:
            raise ValueError(f"no newer city map of {plan['city']} loaded for {plan['id']}")
        old_city_index = agency_index if old_graph_of_city is agency_graph else old_index
        old_names = _objective_names(old_city_index, old_city)
        new_names = _objective_names(new_context.index, new_city)
        matching = match_codes(old_names, new_names)
        preferred = member_themes(new_context, plan["organization"], new_city)
        for kind in (s.THEME, s.OBJECTIVE):
            for _, node in agency_index.nodes(kind, plan["id"]):
                for link in node.get("links", ()):
                    code = link["code"]
                    candidates = rank_by_names(
                        new_context,
                        new_city,
                        [link["name"], old_names.get(code, ""), node["name"]],
                        limit=limit,
                        code_hint=code,
                        perspective=node.get("perspective"),
                        preferred_themes=preferred,
                    )
                    status = link_status(code, matching)
                    proposal = _proposal(code, status, matching, new_names, candidates)
                    yield {
                        "plan": plan["id"],
                        "subject": node["code"],
                        "subject_name": node["name"],
                        "code": code,
                        "name": link["name"],
                        "old_name": old_names.get(code),
                        "new_name": new_names.get(code),
                        "status": status,
                        "holds": proposal is not None and proposal["code"] == code,
                        "proposal": proposal,
                        "candidates": [vars(c) for c in candidates],
                    }


def link_status(code: str, matching: CodeMatching) -> str:
    """What became of the city objective ``code`` named in the old map, by the matching.

    >>> link_status("GF2", match_codes({"GF2": "提高預算執行效能"}, {"GF1": "提高預算執行效能"}))
    'recoded'
    """
    if code in matching.recoded:
        return RECODED
    if code in matching.unchanged:
        return UNCHANGED
    if code in matching.renamed:
        return RENAMED
    return REMOVED if code in matching.removed else DANGLING


def _proposal(
    code: str,
    status: str,
    matching: CodeMatching,
    new_names: dict[str, str],
    candidates: list[Candidate],
) -> dict[str, str] | None:
    """The same objective when the matching knows it, else the best-ranked candidate."""
    if status == UNCHANGED:
        return {"code": code, "name": new_names[code], "why": "same code"}
    if status == RECODED:
        moved = matching.recoded[code]
        why = f"same name, re-coded {code} → {moved}"
        return {"code": moved, "name": new_names[moved], "why": why}
    if candidates:
        return {"code": candidates[0].code, "name": candidates[0].name, "why": candidates[0].why}
    return None


def _old_city_plan(
    agency_graph: nx.MultiDiGraph, old_graph: nx.MultiDiGraph | None, plan: dict[str, Any]
) -> tuple[nx.MultiDiGraph, str]:
    """The graph holding the city map of the agency plan's own year, and its plan id."""
    own = city_plan_of(agency_graph, plan["id"])
    if own is not None:
        return agency_graph, own
    wanted = s.plan_id(plan["city"], plan["year"])
    if old_graph is not None and s.plan_node_id(wanted) in old_graph:
        return old_graph, wanted
    raise ValueError(f"the city map {wanted} that {plan['id']} links to is not loaded")


def _objective_names(index: PlanIndex, plan: str) -> dict[str, str]:
    return {data["code"]: data["name"] for _, data in index.in_graph_order(s.OBJECTIVE, plan)}
