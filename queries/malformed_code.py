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

import re
import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import ERROR, KIND_NAMES, AuditContext, Finding, Rule, Text

PARENT_EDGE = {s.KPI: s.MEASURES, s.ACTION_PLAN: s.SUPPORTS, s.OBJECTIVE: s.IN_THEME}
PARENT_KIND = {s.KPI: s.OBJECTIVE, s.ACTION_PLAN: s.KPI, s.OBJECTIVE: s.THEME}
SHAPES = {
    s.THEME: Text("one letter (A)", "一個字母，如 A"),
    s.OBJECTIVE: Text("theme + perspective + number (AC1)", "主題＋構面＋序號，如 AC1"),
    s.KPI: Text("objective code + .n (AC1.1)", "策略目標代碼＋.序號，如 AC1.1"),
    s.ACTION_PLAN: Text("KPI code + .n (AC1.1.1)", "KPI 代碼＋.序號，如 AC1.1.1"),
}
PARENT_NAMES = {
    s.OBJECTIVE: Text("theme", "策略主題"),
    s.KPI: Text("objective", "策略目標"),
    s.ACTION_PLAN: Text("KPI", "KPI"),
}
MESSAGE = Text("{kind} code {code} {problems}", "{kind}代碼 {code} {problems}")
NOT_SHAPED = Text("is not shaped {shape}", "不符編碼格式（{shape}）")
MISPLACED = Text("is listed under {parent} {listed}", "卻列於{parent} {listed} 之下")
#: How the problems are joined when a code has both.
AND = Text(" and ", "，")
_NUMBER = "[0-9]+"


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per badly shaped code and per code that contradicts its parent."""
    for kind in s.CODED_KINDS:
        edge, parent_kind = PARENT_EDGE.get(kind, ""), PARENT_KIND.get(kind, "")
        for nid, node in ctx.nodes(kind):
            code = node["code"]
            prefix = _prefix(kind, code)
            # the usual case, told without listing parents: listed under the node its code names
            if (
                prefix is not None
                and edge in ctx.out_edges(nid).get(s.node_id(parent_kind, node["plan"], prefix), ())
                and s.is_well_formed(kind, code)
            ):
                continue
            parents = [ctx.code_of(p) for p in ctx.out_neighbors(nid, edge)]
            misplaced = bool(parents) and all(prefix != p for p in parents)
            shaped = s.is_well_formed(kind, code)
            if shaped and not misplaced:
                continue
            problems = [] if shaped else [NOT_SHAPED.format(shape=SHAPES[kind])]
            if misplaced:
                problems.append(
                    MISPLACED.format(parent=PARENT_NAMES[kind], listed=", ".join(parents))
                )
            joined = Text(AND.en.join(p.en for p in problems), AND.zh.join(p.zh for p in problems))
            text = MESSAGE.format(kind=KIND_NAMES[kind], code=code, problems=joined)
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
    candidate = f"{parent}.{number}" if re.fullmatch(_NUMBER, number) else None
    if candidate and s.node_id(kind, node["plan"], candidate) not in ctx.graph:
        return candidate
    return None


RULE = Rule("BSC401", "malformed-code", ERROR, check, sys.modules[__name__])


def _joined(index: int) -> str:
    joiner = (AND.en, AND.zh)[index]
    return (
        f"substring(reduce(text = '', problem IN problems | text + {twin.literal(joiner)} "
        f"+ problem[{index}]), {len(joiner)})"
    )


def _shape(kind: str) -> str:
    if kind == s.OBJECTIVE:
        return (
            f"CASE WHEN item.code STARTS WITH {twin.literal(s.CITY_WIDE_PREFIX)} "
            f"THEN item.code =~ {twin.literal(s.CITY_WIDE_SHAPE)} "
            f"ELSE item.code =~ {twin.literal(s.CODE_SHAPES[kind])} END"
        )
    return f"item.code =~ {twin.literal(s.CODE_SHAPES[kind])}"


_not_shaped = twin.text(NOT_SHAPED, shape=twin.lookup(SHAPES, "kind"))
_misplaced = twin.text(MISPLACED, parent=twin.lookup(PARENT_NAMES, "kind"), listed="listed")
CYPHER = {
    "kind": twin.kind_of("item"),
    "well-formed": "CASE kind\n"
    + "".join(f"  WHEN {twin.literal(kind)} THEN {_shape(kind)}\n" for kind in s.CODED_KINDS)
    + "END AS well_formed",
    "number": f"AND last(split(item.code, '.')) =~ {twin.literal(_NUMBER)}",
    "problems": f"CASE WHEN well_formed THEN [] ELSE [[{_not_shaped[0]},\n"
    f"  {_not_shaped[1]}]] END\n"
    f"+ CASE WHEN misplaced THEN [[{_misplaced[0]},\n"
    f"  {_misplaced[1]}]] ELSE [] END AS problems",
    "message": twin.item_message(MESSAGE, problems=(_joined(0), _joined(1))),
}
