"""An upward link whose code does not exist in the city plan of that year.

What it checks
    Each upward link written on an agency objective (or theme) must name an objective of
    the city plan of the same year loaded in the same run. The finding's ``suggestion`` is
    the city objective the link most likely meant, ranked by the written name (character
    n-grams) and the theme letter the written code starts with.

Why it matters
    A dangling link looks aligned on the slide but points at nothing: the city cannot
    count the objective, and the error survives year after year because nobody reads the
    code closely. Typical causes: a code missing its perspective letter (``G2``), an
    invented perspective (``GT1``), or last year's code after the city map changed.

Example
    The Fire Department (108) writes ``G2 營造安全環境``; the 108 city map has
    ``GC2 營造安全環境``. Suggestion: ``GC2``.

How to fix
    Replace the code with the suggested one after checking the name, or re-link the
    objective (``bscalign suggest`` ranks candidates).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import ERROR, AuditContext, Finding, Rule, Text
from bscalign.queries.matching import member_themes, rank_city_objectives, score_cypher
from bscalign.queries.upward import WrittenLink, written_links

MESSAGE = Text(
    "upward link {raw} of {code}: {link} is not an objective of {city}{shape}{meant}",
    "{code} 的承接代碼 {raw}：{link} 不是 {city} 的策略目標{shape}{meant}",
)
NOT_SHAPED = Text(
    " (nor shaped like one: theme, perspective, number)",
    "（亦不符策略目標編碼：主題＋構面＋序號）",
)
MEANT = Text("; most likely {code} {name}", "；應為 {code} {name}")


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per written link whose code is not a city objective of that year."""
    # a plan without its city plan: unlinked-to-city says so once
    for written in written_links(ctx):
        if written.target in ctx.graph:
            continue
        link = written.link
        best = rank_city_objectives(
            ctx,
            written.city,
            link["name"],
            code_hint=link["code"],
            perspective=written.node.get("perspective"),
            preferred_themes=member_themes(ctx, written.plan["organization"], written.city),
        )
        well_formed = re.fullmatch(s.CODE_SHAPES[s.OBJECTIVE], link["code"])
        text = written.text(
            MESSAGE,
            raw=link["raw"],
            shape="" if well_formed else NOT_SHAPED,
            meant=MEANT.format(code=best[0].code, name=best[0].name) if best else "",
        )
        yield written.finding(RULE, text, best[0].code if best else None)


RULE = Rule("BSC201", "dangling-upward-link", ERROR, check, sys.modules[__name__])
CYPHER = {
    "well-formed": f"link.code =~ {twin.literal(s.CODE_SHAPES[s.OBJECTIVE])} AS well_formed",
    "score": score_cypher(
        "link.name_grams",
        theme="candidate.theme = hint_theme",
        number="candidate.theme = hint_theme AND hint_number <> '' "
        "AND candidate.code ENDS WITH hint_number",
        perspective="candidate.perspective = written.perspective",
        group="candidate.theme IN group_themes",
    ),
    "message": WrittenLink.cypher_text(
        MESSAGE,
        raw="link.raw",
        shape=twin.optional(NOT_SHAPED, "NOT well_formed"),
        meant=twin.optional(MEANT, "best IS NOT NULL", code="best.code", name="best.name"),
    ),
}
