"""A KPI that no action plan supports.

What it checks
    Every KPI should be SUPPORTED by at least one action plan (行動方案 / 行動計畫).

Why it matters
    A target without an action plan is a wish: nobody is funded or scheduled to move it,
    and at year end nobody can say what was done about it.

Example
    ``BC4.1 消防栓之修復率`` appears in the scorecard with an empty action-plan cell.

How to fix
    Add the action plan that moves the KPI (code ``BC4.1.1``), or, if an existing plan
    already serves it, list that plan as supporting this KPI too (in YAML,
    ``supports: [BC4.1, ...]``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text

MESSAGE = Text(
    "no action plan supports KPI {code} {name}", "KPI {code} {name} 沒有任何行動方案支撐"
)


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding for each KPI with no SUPPORTS edge into it."""
    for nid, kpi in ctx.nodes(s.KPI):
        if not ctx.has_in(nid, s.SUPPORTS):
            text = MESSAGE.format(code=kpi["code"], name=kpi["name"])
            yield RULE.finding(kpi, text, node_id=nid)


RULE = Rule("BSC102", "kpi-without-action-plan", WARNING, check, sys.modules[__name__])
CYPHER = {"message": twin.message(MESSAGE, code="kpi.code", name="kpi.name")}
