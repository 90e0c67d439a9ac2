"""A KPI that measures no objective.

What it checks
    Every KPI must MEASURE an objective of its plan. A KPI listed only in an overview
    table, or written in YAML without ``objective:``, measures nothing.

Why it matters
    A KPI that measures no objective is effort the scorecard cannot explain: its results
    roll up to nothing, and nobody can tell which strategy it serves.

Example
    The KPI overview lists ``AC1.3 消防安全宣導場次`` but no scorecard table places it under
    an objective.

How to fix
    Place the KPI under the objective it measures (its code says which: ``AC1.3`` belongs
    under ``AC1``), or remove it from the overview.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import ERROR, AuditContext, Finding, Rule, Text

MESSAGE = Text(
    "KPI {code} {name} measures no objective{suggests}",
    "KPI {code} {name} 未衡量任何策略目標{suggests}",
)
SUGGESTS = Text("; its code suggests objective {parent}", "；依編碼應屬策略目標 {parent}")


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding for each KPI without a MEASURES edge."""
    for nid, kpi in ctx.nodes(s.KPI):
        if not ctx.has_out(nid, s.MEASURES):
            parent = s.parent_code(s.KPI, kpi["code"])
            text = MESSAGE.format(
                code=kpi["code"],
                name=kpi["name"],
                suggests=SUGGESTS.format(parent=parent) if parent else "",
            )
            yield RULE.finding(kpi, text, suggestion=parent, node_id=nid)


RULE = Rule("BSC101", "orphan-kpi", ERROR, check, sys.modules[__name__])
CYPHER = {
    "message": twin.message(
        MESSAGE,
        code="kpi.code",
        name="kpi.name",
        suggests=twin.optional(SUGGESTS, "parent <> ''", parent="parent"),
    ),
}
