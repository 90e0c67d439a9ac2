"""A code that does not fit its place: wrong shape, or a prefix that contradicts its parent.

What it checks
    Objective codes are theme letter + perspective letter (C, P, L, F) + number (``AC1``;
    city-wide ``TC1``); KPIs add ``.n`` (``AC1.1``); action plans another ``.n``
    (``AC1.1.1``); themes are one letter. It also checks that a KPI's code starts with the
    code of the objective it is listed under, an action plan's with the code of a KPI it
    supports, and an objective's with the letter of its theme. The ``suggestion`` is the
    code the item would have under its parent, when that code is free.

Why it matters
    Codes are how plans are cross-referenced, counted and compared year to year. A code
    that contradicts its place breaks every one of those, usually silently.

Example
    The Fire Department (108) lists action plan ``C1.1.1 本局緊急救護品質管理計畫`` under KPI
    ``CC1.1``: the theme letter is missing. Suggestion: ``CC1.1.1``.

How to fix
    Renumber the item under its parent, or move it to the parent its code names.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries.base import ERROR, AuditContext, Finding, Rule, Text

PARENT_EDGE = {s.KPI: s.MEASURES, s.ACTION_PLAN: s.SUPPORTS, s.OBJECTIVE: s.IN_THEME}
SHAPES = {
    s.THEME: ("one letter (A)", "一個字母，如 A"),
    s.OBJECTIVE: ("theme + perspective + number (AC1)", "主題＋構面＋序號，如 AC1"),
    s.KPI: ("objective code + .n (AC1.1)", "策略目標代碼＋.序號，如 AC1.1"),
    s.ACTION_PLAN: ("KPI code + .n (AC1.1.1)", "KPI 代碼＋.序號，如 AC1.1.1"),
}
PARENT_NAMES = {
    s.KPI: ("objective", "策略目標"),
    s.ACTION_PLAN: ("KPI", "KPI"),
    s.OBJECTIVE: ("theme", "策略主題"),
}


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per badly shaped code and per code that contradicts its parent."""
    for kind in s.CODED_KINDS:
        for nid, node in ctx.nodes(kind):
            code = node["code"]
            parents = [ctx.code_of(p) for p in ctx.out_neighbors(nid, PARENT_EDGE.get(kind, ""))]
            misplaced = bool(parents) and all(_prefix(kind, code) != p for p in parents)
            shaped = s.is_well_formed(kind, code)
            if shaped and not misplaced:
                continue
            en, zh = [], []
            if not shaped:
                en.append(f"is not shaped {SHAPES[kind][0]}")
                zh.append(f"不符編碼格式（{SHAPES[kind][1]}）")
            if misplaced:
                listed = ", ".join(parents)
                en.append(f"is listed under {PARENT_NAMES[kind][0]} {listed}")
                zh.append(f"卻列於{PARENT_NAMES[kind][1]} {listed} 之下")
            text = Text(
                f"{s.KIND_NAMES[kind][0]} code {code} " + " and ".join(en),
                f"{s.KIND_NAMES[kind][1]}代碼 {code} " + "，".join(zh),
            )
            suggestion = _renumbered(ctx, kind, node, parents[0]) if misplaced else None
            yield RULE.finding(node, text, suggestion=suggestion, node_id=nid)


def _prefix(kind: str, code: str) -> str | None:
    if kind == s.OBJECTIVE:
        return None if code.startswith(s.CITY_WIDE_PREFIX) else code[:1]
    return s.parent_code(kind, code)


def _renumbered(ctx: AuditContext, kind: str, node: dict, parent: str) -> str | None:
    if kind == s.OBJECTIVE:
        return None
    number = node["code"].rsplit(".", 1)[-1]
    candidate = f"{parent}.{number}" if number.isdigit() else None
    if candidate and s.node_id(kind, node["plan"], candidate) not in ctx.graph:
        return candidate
    return None


RULE = Rule("BSC401", "malformed-code", ERROR, check, sys.modules[__name__])
