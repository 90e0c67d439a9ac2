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

import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries.base import ERROR, AuditContext, Finding, Rule
from bscalign.queries.matching import member_themes, rank_city_objectives


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per written link whose code is not a city objective of that year."""
    for plan in ctx.agency_plans:
        city = ctx.city_plan(plan["id"])
        if city is None:
            continue  # unlinked-to-city says once that the city plan is missing
        preferred = member_themes(ctx.graph, plan["organization"], city)
        for kind in (s.OBJECTIVE, s.THEME):
            for nid, node in ctx.nodes(kind, plan["id"]):
                for link in node.get("links", ()):
                    if s.node_id(s.OBJECTIVE, city, link["code"]) in ctx.graph:
                        continue
                    shape = (
                        ""
                        if s.OBJECTIVE_CODE.match(link["code"])
                        else (
                            " (not even the shape of an objective code: theme, perspective, number)"
                        )
                    )
                    best = rank_city_objectives(
                        ctx.graph,
                        city,
                        link["name"],
                        code_hint=link["code"],
                        perspective=node.get("perspective"),
                        preferred_themes=preferred,
                    )
                    meant = f"; most likely {best[0].code} {best[0].name}" if best else ""
                    yield RULE.finding(
                        node,
                        f"upward link {link['raw']} of {node['code']}: {link['code']} is not an "
                        f"objective of {city}{shape}{meant}",
                        suggestion=best[0].code if best else None,
                        node_id=nid,
                        source=link["source"],
                    )


RULE = Rule("BSC201", "dangling-upward-link", ERROR, check, sys.modules[__name__])
