"""An upward link or cause-effect edge that joins perspectives the wrong way.

What it checks
    Upward links cascade perspective by perspective: an agency objective supports a city
    objective of the same perspective (customer to customer, process to process, ...).
    Cause-effect edges run up the causal order (by default financial → learning and
    growth → internal process → customer, ``--causal-order``): an edge from a customer
    objective down to a process objective runs backwards. Edges inside one perspective
    are fine. Inferred edges follow the order by construction and are never reported.

Why it matters
    A process objective linked to a city customer objective usually means the link was
    carried down a merged cell in the slide rather than chosen; a backwards arrow means
    the strategy story reads upside down.

Example
    In the Fire Department's (108) table A, the merged 府級 cell ``GC2 營造安全環境`` spans
    the rows of ``AP1`` (internal process) and ``AL1`` (learning and growth), so both link
    to a customer objective, while the city map has process and learning objectives of its
    own (``GP7``, ``GL1``).

How to fix
    Link each objective to a city objective of its own perspective (``bscalign suggest``),
    or turn the arrow around.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text
from bscalign.queries.matching import rank_city_objectives, score_cypher

LINKED = Text(
    "{code} ({mine}) is linked to {city_code} {city_name} ({theirs})",
    "{code}（{mine}構面）承接 {city_code} {city_name}（{theirs}構面）",
)
BACKWARDS = Text(
    "cause-effect edge {code} → {effect} runs from {mine} down to {theirs}",
    "因果關係 {code} → {effect} 由{mine}構面逆向指向{theirs}構面",
)
#: Each perspective's name, in English and Chinese.
NAMES = {p: Text(s.PERSPECTIVE_NAMES[p], s.PERSPECTIVE_NAMES_ZH[p]) for p in s.PERSPECTIVES}


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield findings for cross-perspective upward links and backwards cause-effect edges."""
    rank = {p: i for i, p in enumerate(ctx.causal_order)}
    for nid, objective in ctx.nodes(s.OBJECTIVE):
        mine = objective.get("perspective")
        if mine not in rank:
            continue
        # one look at the objective's edges: its links, and the causes the plan states (the
        # inferred ones are the audit's own, along the order)
        links, stated = [], []
        for target, kinds in ctx.out_edges(nid).items():
            if s.ALIGNS_TO in kinds:
                links.append(target)
            if s.CAUSES in kinds and not kinds[s.CAUSES].get("inferred"):
                stated.append(target)
        for target in sorted(links):
            city = ctx.graph.nodes[target]
            if city.get("perspective") in rank and city["perspective"] != mine:
                better = rank_city_objectives(
                    ctx,
                    city["plan"],
                    objective["name"],
                    code_hint=city.get("theme"),
                    perspective=mine,
                    limit=1,
                )
                same = better[0].code if better and better[0].code[1:2] == mine else None
                theirs = city["perspective"]
                text = LINKED.format(
                    code=objective["code"],
                    mine=NAMES[mine],
                    city_code=city["code"],
                    city_name=city["name"],
                    theirs=NAMES[theirs],
                )
                yield RULE.finding(
                    objective,
                    text,
                    suggestion=same,
                    node_id=nid,
                    edge=(nid, target, s.ALIGNS_TO),
                )
        for effect in sorted(stated):
            edge = ctx.out_edges(nid)[effect][s.CAUSES]
            theirs = ctx.graph.nodes[effect].get("perspective")
            if theirs not in rank or rank[theirs] >= rank[mine]:
                continue
            text = BACKWARDS.format(
                code=objective["code"],
                effect=ctx.code_of(effect),
                mine=NAMES[mine],
                theirs=NAMES[theirs],
            )
            yield RULE.finding(
                objective,
                text,
                node_id=nid,
                source=edge.get("source") or objective["source"],
                edge=(nid, effect, s.CAUSES),
            )


RULE = Rule("BSC205", "perspective-mismatch", WARNING, check, sys.modules[__name__])
_EN, _ZH = twin.cypher_map(s.PERSPECTIVE_NAMES), twin.cypher_map(s.PERSPECTIVE_NAMES_ZH)
_PERSPECTIVES = f"{_EN} AS en,\n{_ZH} AS zh"
CYPHER = {
    "score": score_cypher(
        "o.name_grams",
        theme=f"linked.theme =~ {twin.literal(s.CODE_SHAPES[s.THEME])} "
        "AND candidate.theme = linked.theme",
        perspective="candidate.perspective = o.perspective",
    ),
    "names": _PERSPECTIVES,
    "linked": twin.message(
        LINKED,
        code="o.code",
        mine=("en[o.perspective]", "zh[o.perspective]"),
        city_code="linked.code",
        city_name="linked.name",
        theirs=("en[linked.perspective]", "zh[linked.perspective]"),
    ),
    "backwards": twin.message(
        BACKWARDS,
        code="o.code",
        effect="effect.code",
        mine=("en[o.perspective]", "zh[o.perspective]"),
        theirs=("en[effect.perspective]", "zh[effect.perspective]"),
    ),
}
