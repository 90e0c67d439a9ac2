"""How an agency objective or KPI reaches the city map: the routes the upward rules share.

An agency objective reaches a city objective by its own upward link (ALIGNS_TO), by a link
written on its theme, or through one of its KPIs that references a city KPI (``府級KPI :
GP6.2``): the city KPI's objective, or, where the city scorecard is not loaded, the city
objective its code names (``GP6.2`` → ``GP6``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bscalign.graph import schema as s
from bscalign.graph.records import PlanNode
from bscalign.queries import twin
from bscalign.queries.base import AuditContext, Finding, Rule, Text


@dataclass(slots=True)
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


def plan_routes(ctx: AuditContext, plan: str, city_plan: str) -> dict[str, Routes]:
    """Every route by which each objective of agency plan ``plan`` reaches ``city_plan``:
    objective node id -> :class:`Routes`.

    Asked once per audit and plan (several rules ask): do not change the result.
    """
    return ctx.remember(_plan_routes, plan, city_plan)


def _plan_routes(ctx: AuditContext, plan: str, city_plan: str) -> dict[str, Routes]:
    found = {}
    theme_links: dict[str, list[str]] = {}  # a plan's objectives share a handful of themes
    for objective, _ in ctx.nodes(s.OBJECTIVE, plan):
        # one look at the objective's edges for its own links and its themes
        own, themes = [], []
        for target, kinds in ctx.out_edges(objective).items():
            if s.ALIGNS_TO in kinds:
                own.append(target)
            if s.IN_THEME in kinds:
                themes.append(target)
        result = found[objective] = Routes(own=[ctx.code_of(t) for t in sorted(own)])
        for theme in sorted(themes):
            if theme not in theme_links:
                links = ctx.out_neighbors(theme, s.ALIGNS_TO)
                theme_links[theme] = [ctx.code_of(t) for t in links]
            result.theme += theme_links[theme]
    # few KPIs reference a city KPI: read them from the KPIs rather than ask every
    # objective for its KPIs; KPIs in id order keep each objective's references in that order
    for kpi, node in ctx.nodes(s.KPI, plan):
        if not node.get("city_kpi_refs"):
            continue
        references = referenced_city_objectives(ctx, kpi, city_plan)
        for objective in ctx.out_neighbors(kpi, s.MEASURES):
            if objective in found:
                found[objective].kpi_references += [
                    (node["code"], ref, target) for ref, target in references
                ]
    return found


class WrittenLink(NamedTuple):
    """An upward link as written on an agency objective or theme (``node``), read against
    the loaded city plan ``city`` of its year.

    A named tuple: two rules walk every written link, and a tuple is quicker to make than a
    frozen dataclass."""

    plan: PlanNode
    city: str
    node_id: str
    node: dict[str, Any]
    link: dict[str, str]

    @property
    def target(self) -> str:
        """The node id of the city objective the written code names (loaded or not)."""
        return s.node_id(s.OBJECTIVE, self.city, self.link["code"])

    def text(self, template: Text, **fields: object) -> Text:
        """``template`` filled with ``code`` (the node's), ``link`` (the code written),
        ``city`` and ``fields``."""
        return template.format(
            code=self.node["code"], link=self.link["code"], city=self.city, **fields
        )

    @staticmethod
    def cypher_text(template: Text, **fields: twin.Expression) -> str:
        """:meth:`text` in a Cypher twin (:func:`~bscalign.queries.twin.message`), whose rows
        hold the node as ``written``, the link as ``link`` and the city plan as ``city``."""
        return twin.message(
            template, code="written.code", link="link.code", city="city.id", **fields
        )

    def finding(self, rule: Rule, text: Text, suggestion: str | None) -> Finding:
        """``rule``'s finding about this link, at its source (its edge: to ``target``)."""
        return rule.finding(
            self.node,
            text,
            suggestion=suggestion,
            node_id=self.node_id,
            source=self.link["source"],
            edge=(self.node_id, self.target, s.ALIGNS_TO),
        )


def written_links(ctx: AuditContext) -> Iterator[WrittenLink]:
    """The upward links written in agency plans whose city plan is loaded: plan by plan,
    on objectives then themes."""
    for plan, city in ctx.answering_plans:
        for kind in (s.OBJECTIVE, s.THEME):
            for nid, node in ctx.nodes(kind, plan["id"]):
                for link in node.get("links", ()):
                    yield WrittenLink(plan, city, nid, node, link)
