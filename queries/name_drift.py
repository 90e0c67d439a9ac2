"""One code written with different names in different places of the same plan.

What it checks
    A theme, objective, KPI or action plan code should carry one name throughout a plan.
    It compares the names written in the plan's different places (strategy map, KPI
    overview, scorecard tables, YAML ``also_named``), ignoring spaces and line breaks.
    Different things under one code in the same table are ``duplicate-code`` instead: a
    code that one place writes with two names is not reported here.

Why it matters
    When the overview and the scorecard word a KPI differently, readers cannot tell
    whether they are the same indicator, and the published figures get attached to the
    wrong wording.

Example
    The Fire Department (108) overview lists ``AL1.1 電子化安管系統檢查紀錄普及率``; its
    scorecard says ``電子化安管系統檢查紀錄表普及率``.

How to fix
    Pick one wording and use it everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from bscalign.loaders.textnorm import clean_name
from bscalign.queries import twin
from bscalign.queries.base import KIND_NAMES, WARNING, AuditContext, Finding, Rule, Text

MESSAGE = Text(
    "{kind} {code} is written {count} ways: {listed}",
    "{kind} {code} 有 {count} 種寫法：{listed}",
)


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per coded node with more than one distinct name."""
    for kind, nodes in ctx.coded_nodes():
        for nid, node in nodes:
            if len(node["names"]) < 2:
                continue  # one wording cannot drift
            variants = list(dict.fromkeys(clean_name(n) for n in node["names"] if n))
            if len(variants) < 2 or _one_place_has_two(node):
                continue
            where = {clean_name(o["name"]): o["source"] for o in node["occurrences"] if o["name"]}
            listed = "; ".join(
                f"'{v}'" + (f" ({where[v]})" if v in where else "") for v in variants
            )
            text = MESSAGE.format(
                kind=KIND_NAMES[kind], code=node["code"], count=len(variants), listed=listed
            )
            yield RULE.finding(node, text, node_id=nid)


def _one_place_has_two(node: dict) -> bool:
    """Whether one place writes the code with two names: two things, ``duplicate-code``."""
    names_by_place: dict[str, set[str]] = {}
    for occurrence in node["occurrences"]:
        if occurrence["name"]:
            names_by_place.setdefault(occurrence["place"], set()).add(
                clean_name(occurrence["name"])
            )
    return any(len(names) > 1 for names in names_by_place.values())


RULE = Rule("BSC403", "name-drift", WARNING, check, sys.modules[__name__])
CYPHER = {
    "kind": twin.kind_of("item") + ",",
    "message": twin.item_message(MESSAGE, count="toString(size(variants))", listed="listed"),
}
