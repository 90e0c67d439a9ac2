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
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import ERROR, AuditContext, Finding, Rule, Text

LABELS = {
    "themes": Text("themes", "策略主題"),
    "objectives": Text("objectives", "策略目標"),
    "kpis": Text("KPIs", "KPI"),
    "action_plans": Text("action plans", "行動方案"),
}
MESSAGE = Text(
    "the {what} states {total} {label} but {loaded} were loaded",
    "{what}載明 {total} 項{label}，實際載入 {loaded} 項",
)
PLAN = Text("plan", "計畫")
THEME = Text("theme {code}", "策略主題 {code}")


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per stated total (plan or theme) that differs from the loaded count."""
    for plan in ctx.plans:
        counts = ctx.plan_counts(plan["id"])
        yield from _compare(plan, plan["declared"], counts, s.plan_node_id(plan["id"]))
        for tid, theme in ctx.nodes(s.THEME, plan["id"]):
            if theme.get("declared"):
                yield from _compare(theme, theme["declared"], _theme_counts(ctx, tid), tid)


def _theme_counts(ctx: AuditContext, theme: str) -> dict[str, int]:
    objectives = ctx.in_neighbors(theme, s.IN_THEME)
    kpis = {k for o in objectives for k in ctx.in_neighbors(o, s.MEASURES)}
    plans = {a for k in kpis for a in ctx.in_neighbors(k, s.SUPPORTS)}
    return {"objectives": len(objectives), "kpis": len(kpis), "action_plans": len(plans)}


def _compare(node: dict, declared: dict, counts: dict, node_id: str) -> Iterator[Finding]:
    what = PLAN if node["kind"] == s.PLAN else THEME.format(code=node["code"])
    for key, total in sorted(declared.items()):
        loaded = counts.get(key, 0)
        if loaded != total:
            text = MESSAGE.format(what=what, total=total, label=LABELS[key], loaded=loaded)
            yield RULE.finding(node, text, node_id=node_id)


RULE = Rule("BSC501", "declared-total-mismatch", ERROR, check, sys.modules[__name__])


def _totals(owner: str, loaded: dict[str, str]) -> str:
    """The Cypher list of one owner's stated totals beside what was loaded, one map each."""
    rows = [
        f"{{key: {twin.literal(key)}, en: {twin.literal(label.en)}, zh: {twin.literal(label.zh)}, "
        f"declared: {owner}.declared_{key}, loaded: {loaded[key]}}}"
        for key, label in LABELS.items()
    ]
    return "UNWIND [\n  " + ",\n  ".join(rows) + "\n] AS total"


CYPHER = {
    "plan-totals": _totals(
        "p",
        {
            key: f"COUNT {{ (:{kind} {{plan: p.id}}) }}"
            for key, kind in zip(LABELS, s.CODED_KINDS, strict=True)
        },
    ),
    "theme-totals": _totals(
        "theme",
        {"themes": "0", "objectives": "objectives", "kpis": "kpis", "action_plans": "action_plans"},
    ),
    "plan-message": twin.message(
        MESSAGE,
        what=twin.text(PLAN),
        total="toString(total.declared)",
        label=("total.en", "total.zh"),
        loaded="toString(total.loaded)",
    ),
    "theme-message": twin.message(
        MESSAGE,
        what=twin.text(THEME, code="theme.code"),
        total="toString(total.declared)",
        label=("total.en", "total.zh"),
        loaded="toString(total.loaded)",
    ),
}
