"""An agency objective with no upward link of its own.

What it checks
    Every objective of an agency plan should name the city objective it supports (承接),
    in the scorecard's first column or as ``aligns_to`` in YAML. When the objective reaches
    the city only through its theme or a KPI's city-KPI reference, the message says so.
    When no objective or theme of the plan names a city objective at all (the document has
    no link column), one more finding is about the plan itself: the root that the
    per-objective findings follow from (their ``cause``), not a typo in one objective.

Why it matters
    The link column is how the city reads an agency's scorecard. An objective without one
    leaves the city to guess what it serves, and year-to-year changes cannot be traced.

Example
    The Department of Compulsory Military Service (111) scorecard has no 府級策略目標
    column at all: none of its 16 objectives names a city objective. Its ``CC1`` reaches
    the city only through KPI ``CC1.1``'s reference ``府級KPI : GP6.2``.

How to fix
    Add the city objective each objective supports (``bscalign suggest`` proposes one).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text
from bscalign.queries.upward import plan_routes

NEVER_LINKED = Text(
    "no objective or theme of {plan} names the city objective it supports: the plan has no "
    "upward links at all (add the city objective each objective supports)",
    "{plan} 沒有任何策略目標或策略主題填寫承接之府級策略目標：整份計畫未填承接"
    "（請為每一策略目標填寫所承接之府級策略目標）",
)
MESSAGE = Text(
    "objective {code} {name} has no upward link{route}",
    "策略目標 {code} {name} 未填承接之府級策略目標{route}",
)
VIA_THEME = Text(
    "; it reaches {city} only through its theme ({via})",
    "；僅經由其策略主題連結至 {city}（{via}）",
)
VIA_KPI = Text(
    "; it reaches {city} only through KPI {kpi}'s city-KPI reference {reference} "
    "(city objective {target})",
    "；僅經由 KPI {kpi} 的府級KPI {reference} 連結至 {city}（府級策略目標 {target}）",
)


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per agency objective whose ``links`` list is empty, and one for the
    plan when no objective or theme of it has a link."""
    for plan in ctx.agency_plans:
        city = ctx.city_plan(plan["id"])
        objectives = ctx.nodes(s.OBJECTIVE, plan["id"])
        themes = ctx.nodes(s.THEME, plan["id"])
        if (
            objectives
            and not any(node["links"] for _, node in objectives)
            and not any(node.get("links") for _, node in themes)
        ):
            text = NEVER_LINKED.format(plan=plan["id"])
            yield RULE.finding(plan, text, node_id=s.plan_node_id(plan["id"]))
        for nid, objective in objectives:
            if objective["links"]:
                continue
            found = plan_routes(ctx, plan["id"], city)[nid] if city else None
            suggestion, route = None, ""
            if found and found.theme:
                suggestion = found.theme[0]
                route = VIA_THEME.format(city=city, via=", ".join(found.theme))
            elif found and found.kpi_references:
                kpi, ref, suggestion = found.kpi_references[0]
                route = VIA_KPI.format(city=city, kpi=kpi, reference=ref, target=suggestion)
            text = MESSAGE.format(code=objective["code"], name=objective["name"], route=route)
            yield RULE.finding(objective, text, suggestion=suggestion, node_id=nid)


RULE = Rule("BSC202", "missing-upward-link", WARNING, check, sys.modules[__name__])

_via_theme = twin.text(VIA_THEME, city="city", via="themes")
_via_kpi = twin.text(
    VIA_KPI, city="city", kpi="first.kpi", reference="first.reference", target="first.target"
)
CYPHER = {
    "never-linked": twin.message(NEVER_LINKED, plan="agency.id"),
    "message": twin.message(
        MESSAGE,
        code="o.code",
        name="o.name",
        route=tuple(
            f"CASE route WHEN 'theme' THEN {theme} WHEN 'kpi' THEN {kpi} ELSE '' END"
            for theme, kpi in zip(_via_theme, _via_kpi, strict=True)
        ),
    ),
}
