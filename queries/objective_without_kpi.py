"""An objective that no KPI measures.

What it checks
    Every objective should be MEASURED by at least one KPI. A plan with no KPIs loaded at
    all (a city strategy map published without its scorecard, as in both seed documents)
    is reported once for the whole plan, not objective by objective.

Why it matters
    An objective nobody measures cannot be reviewed: at year end there is no figure to
    say whether it was reached.

Example
    The strategy map lists ``BL3 改善廳舍環境`` but no KPI ``BL3.n`` exists.

How to fix
    Add a KPI under the objective, or drop the objective from the map if it is not
    really pursued this year.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text

NO_KPIS = Text(
    "no KPIs loaded for this plan: its {count} objectives are unmeasured (load its balanced "
    "scorecard to check them one by one)",
    "此計畫未載入任何 KPI：{count} 項策略目標皆無衡量指標（載入其平衡計分卡以逐項檢查）",
)
MESSAGE = Text("objective {code} {name} has no KPI", "策略目標 {code} {name} 沒有 KPI")


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per unmeasured objective, or one per plan that has no KPIs at all."""
    for plan in ctx.plans:
        counts = ctx.plan_counts(plan["id"])
        if not counts["objectives"]:
            continue
        if not counts["kpis"]:
            text = NO_KPIS.format(count=counts["objectives"])
            yield RULE.finding(plan, text, node_id=s.plan_node_id(plan["id"]))
            continue
        for nid, objective in ctx.nodes(s.OBJECTIVE, plan["id"]):
            if not ctx.has_in(nid, s.MEASURES):
                text = MESSAGE.format(code=objective["code"], name=objective["name"])
                yield RULE.finding(objective, text, node_id=nid)


RULE = Rule("BSC103", "objective-without-kpi", WARNING, check, sys.modules[__name__])
CYPHER = {
    "no-kpis": twin.message(NO_KPIS, count="toString(objectives)"),
    "message": twin.message(MESSAGE, code="o.code", name="o.name"),
}
