"""A total the document states that differs from what was loaded.

What it checks
    Documents state their own size: ``共30項策略目標``, ``共36項KPI``, ``訂定3大策略主題，16項
    策略目標，17項關鍵績效指標，21項行動計畫``, and per theme ``本策略主題共計6項策略目標…``. Each
    stated total of themes, objectives, KPIs or action plans is compared with what was
    loaded for that plan or theme.

Why it matters
    A mismatch means an item was dropped from a table, counted twice, or the total was
    not updated after an edit: the document contradicts itself, and the reader cannot
    know which part is right.

Example
    A plan states ``共36項KPI`` but its scorecard tables list 35 KPIs.

How to fix
    Find the missing or extra item (``bscalign stats`` shows the counts) and correct the
    table or the stated total.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.graph.access import COUNT_KEYS, plan_counts
from bscalign.queries.base import ERROR, AuditContext, Finding, Rule

LABELS = {
    "themes": "themes",
    "objectives": "objectives",
    "kpis": "KPIs",
    "action_plans": "action plans",
}


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per stated total (plan or theme) that differs from the loaded count."""
    for plan in ctx.plans:
        counts = plan_counts(ctx.graph, plan["id"])
        yield from _compare(plan, plan["declared"], counts, s.plan_node_id(plan["id"]), "plan")
        for tid, theme in ctx.nodes(s.THEME, plan["id"]):
            if theme.get("declared"):
                yield from _compare(theme, theme["declared"], _theme_counts(ctx, tid), tid, "theme")


def _theme_counts(ctx: AuditContext, theme: str) -> Counter[str]:
    objectives = ctx.in_neighbors(theme, s.IN_THEME)
    kpis = {k for o in objectives for k in ctx.in_neighbors(o, s.MEASURES)}
    plans = {a for k in kpis for a in ctx.in_neighbors(k, s.SUPPORTS)}
    return Counter(
        {
            COUNT_KEYS[s.OBJECTIVE]: len(objectives),
            COUNT_KEYS[s.KPI]: len(kpis),
            COUNT_KEYS[s.ACTION_PLAN]: len(plans),
        }
    )


def _compare(
    node: dict, declared: dict, counts: dict, node_id: str, what: str
) -> Iterator[Finding]:
    for key, total in sorted(declared.items()):
        loaded = counts.get(key, 0)
        if loaded != total:
            yield RULE.finding(
                node,
                f"the {what} states {total} {LABELS[key]} but {loaded} were loaded",
                node_id=node_id,
            )


RULE = Rule("BSC501", "declared-total-mismatch", ERROR, check, sys.modules[__name__])
