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
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text
from bscalign.queries.upward import routes


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per agency objective whose ``links`` list is empty, and one for the
    plan when no objective or theme of it has a link."""
    for plan in ctx.agency_plans:
        city = ctx.city_plan(plan["id"])
        objectives = list(ctx.nodes(s.OBJECTIVE, plan["id"]))
        themes = ctx.nodes(s.THEME, plan["id"])
        if (
            objectives
            and not any(node["links"] for _, node in objectives)
            and not any(node.get("links") for _, node in themes)
        ):
            yield RULE.finding(plan, _never_linked(plan["id"]), node_id=s.plan_node_id(plan["id"]))
        for nid, objective in objectives:
            if objective["links"]:
                continue
            en = f"objective {objective['code']} {objective['name']} has no upward link"
            zh = f"策略目標 {objective['code']} {objective['name']} 未填承接之府級策略目標"
            found = routes(ctx, nid, city) if city else None
            suggestion = None
            if found and found.theme:
                suggestion = found.theme[0]
                via = ", ".join(found.theme)
                en += f"; it reaches {city} only through its theme ({via})"
                zh += f"；僅經由其策略主題連結至 {city}（{via}）"
            elif found and found.kpi_references:
                kpi, ref, suggestion = found.kpi_references[0]
                en += (
                    f"; it reaches {city} only through KPI {kpi}'s city-KPI reference {ref} "
                    f"(city objective {suggestion})"
                )
                zh += (
                    f"；僅經由 KPI {kpi} 的府級KPI {ref} 連結至 {city}（府級策略目標 {suggestion}）"
                )
            yield RULE.finding(objective, Text(en, zh), suggestion=suggestion, node_id=nid)


def _never_linked(plan: str) -> Text:
    return Text(
        f"no objective or theme of {plan} names the city objective it supports: the plan "
        "has no upward links at all (add the city objective each objective supports)",
        f"{plan} 沒有任何策略目標或策略主題填寫承接之府級策略目標：整份計畫未填承接"
        "（請為每一策略目標填寫所承接之府級策略目標）",
    )


RULE = Rule("BSC202", "missing-upward-link", WARNING, check, sys.modules[__name__])
