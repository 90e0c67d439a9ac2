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
from bscalign.queries.base import ERROR, AuditContext, Finding, Rule

PARENT_EDGE = {s.KPI: s.MEASURES, s.ACTION_PLAN: s.SUPPORTS, s.OBJECTIVE: s.IN_THEME}
SHAPES = {
    s.THEME: "one letter (A)",
    s.OBJECTIVE: "theme + perspective + number (AC1)",
    s.KPI: "objective code + .n (AC1.1)",
    s.ACTION_PLAN: "KPI code + .n (AC1.1.1)",
}


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per badly shaped code and per code that contradicts its parent."""
    for kind in s.CODED_KINDS:
        for nid, node in ctx.nodes(kind):
            code = node["code"]
            parents = [ctx.code_of(p) for p in ctx.out_neighbors(nid, PARENT_EDGE.get(kind, ""))]
            fits = [p for p in parents if _prefix(kind, code) == p]
            suggestion = _renumbered(ctx, kind, node, parents[0]) if parents and not fits else None
            problems = []
            if not s.is_well_formed(kind, code):
                problems.append(f"is not shaped {SHAPES[kind]}")
            if parents and not fits:
                problems.append(f"is listed under {kind_of_parent(kind)} {', '.join(parents)}")
            if problems:
                yield RULE.finding(
                    node,
                    f"{kind} code {code} {' and '.join(problems)}",
                    suggestion=suggestion,
                    node_id=nid,
                )


def kind_of_parent(kind: str) -> str:
    return {s.KPI: "objective", s.ACTION_PLAN: "KPI", s.OBJECTIVE: "theme"}[kind]


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
