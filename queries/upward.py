"""How an agency objective or KPI reaches the city map: the routes the upward rules share.

An agency objective reaches a city objective by its own upward link (ALIGNS_TO), by a link
written on its theme, or through one of its KPIs that references a city KPI (``府級KPI :
GP6.2``): the city KPI's objective, or, where the city scorecard is not loaded, the city
objective its code names (``GP6.2`` → ``GP6``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bscalign.graph import schema as s
from bscalign.queries.base import AuditContext


@dataclass
class Routes:
    """The city objectives (codes) one agency objective reaches, by route."""

    own: list[str] = field(default_factory=list)
    theme: list[str] = field(default_factory=list)
    kpi_references: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def targets(self) -> list[str]:
        """Every city objective reached, by any route, without repeats."""
        return list(dict.fromkeys(self.own + self.theme + [t for *_, t in self.kpi_references]))

    @property
    def reaches_city(self) -> bool:
        return bool(self.own or self.theme or self.kpi_references)


def referenced_city_objectives(
    ctx: AuditContext, kpi: str, city_plan: str
) -> list[tuple[str, str]]:
    """``(reference, city objective code)`` pairs for a KPI's city-KPI references."""
    found = []
    for ref in ctx.graph.nodes[kpi].get("city_kpi_refs", ()):
        city_kpi = s.node_id(s.KPI, city_plan, ref)
        if city_kpi in ctx.graph:
            found += [(ref, ctx.code_of(o)) for o in ctx.out_neighbors(city_kpi, s.MEASURES)]
            continue
        objective = s.parent_code(s.KPI, ref)
        if objective and s.node_id(s.OBJECTIVE, city_plan, objective) in ctx.graph:
            found.append((ref, objective))
    return found


def routes(ctx: AuditContext, objective: str, city_plan: str) -> Routes:
    """Every route by which agency objective node ``objective`` reaches ``city_plan``.

    Asked once per audit (several rules ask): do not change the result.
    """
    return ctx.remember(_routes, objective, city_plan)


def _routes(ctx: AuditContext, objective: str, city_plan: str) -> Routes:
    result = Routes()
    result.own = [ctx.code_of(t) for t in ctx.out_neighbors(objective, s.ALIGNS_TO)]
    for theme in ctx.out_neighbors(objective, s.IN_THEME):
        result.theme += [ctx.code_of(t) for t in ctx.out_neighbors(theme, s.ALIGNS_TO)]
    for kpi in ctx.in_neighbors(objective, s.MEASURES):
        for ref, target in referenced_city_objectives(ctx, kpi, city_plan):
            result.kpi_references.append((ctx.code_of(kpi), ref, target))
    return result
