"""An upward link whose code exists but whose written name differs from the city's.

What it checks
    For each upward link whose code is an objective of the city plan of that year, the
    name written beside the code must be the city objective's name (spaces and line breaks
    ignored). The ``suggestion`` is the city objective that best matches the written name
    when that is a different objective, so a wrong code can be told from a reworded name.

Why it matters
    Code and name disagree: either the agency copied an old or wrong name, or it meant
    another objective and the code is wrong. Either way the slide says two things.

Example
    The Fire Department (108) links ``CP1`` to ``GP4 優化緊急救護``; the 108 city map's
    ``GP4`` is ``優化醫療救護``.

How to fix
    Write the city objective's name as the city map has it, or correct the code if the
    name was the intent.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from bscalign.loaders.textnorm import clean_name
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text
from bscalign.queries.matching import rank_city_objectives, score_cypher
from bscalign.queries.upward import WrittenLink, written_links

MESSAGE = Text(
    "upward link of {code} names {link} '{name}', but {city} calls {link} '{expected}'",
    "{code} 承接 {link}「{name}」，但 {city} 的 {link} 為「{expected}」",
)


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per resolved link whose written name is not the city objective's."""
    for written in written_links(ctx):
        link = written.link
        target = ctx.graph.nodes.get(written.target) if link["name"] else None
        if target is None:
            continue
        expected = target["name"]
        if link["name"] == expected or clean_name(link["name"]) == clean_name(expected):
            continue
        best = rank_city_objectives(
            ctx, written.city, link["name"], code_hint=link["code"][:1], limit=1
        )
        other = best[0].code if best and best[0].code != link["code"] else None
        text = written.text(MESSAGE, name=link["name"], expected=expected)
        yield written.finding(RULE, text, other)


RULE = Rule("BSC204", "upward-name-mismatch", WARNING, check, sys.modules[__name__])
CYPHER = {
    "score": score_cypher("link.name_grams", theme="candidate.theme = hint_theme"),
    "message": WrittenLink.cypher_text(MESSAGE, name="link.name", expected="target.name"),
}
