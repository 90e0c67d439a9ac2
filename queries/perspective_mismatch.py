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
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text
from bscalign.queries.matching import rank_city_objectives


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield findings for cross-perspective upward links and backwards cause-effect edges."""
    rank = {p: i for i, p in enumerate(ctx.causal_order)}
    for nid, objective in ctx.nodes(s.OBJECTIVE):
        mine = objective.get("perspective")
        if mine not in rank:
            continue
        for target in ctx.out_neighbors(nid, s.ALIGNS_TO):
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
                text = Text(
                    f"{objective['code']} ({s.PERSPECTIVE_NAMES[mine]}) is linked to "
                    f"{city['code']} {city['name']} ({s.PERSPECTIVE_NAMES[theirs]})",
                    f"{objective['code']}（{s.PERSPECTIVE_NAMES_ZH[mine]}構面）承接 "
                    f"{city['code']} {city['name']}（{s.PERSPECTIVE_NAMES_ZH[theirs]}構面）",
                )
                yield RULE.finding(
                    objective,
                    text,
                    suggestion=same,
                    node_id=nid,
                    edge=(nid, target, s.ALIGNS_TO),
                )
        for effect in ctx.out_neighbors(nid, s.CAUSES):
            edge = ctx.graph.edges[nid, effect, s.CAUSES]
            theirs = ctx.graph.nodes[effect].get("perspective")
            if edge.get("inferred") or theirs not in rank or rank[theirs] >= rank[mine]:
                continue
            arrow = f"{objective['code']} → {ctx.code_of(effect)}"
            text = Text(
                f"cause-effect edge {arrow} runs from {s.PERSPECTIVE_NAMES[mine]} down to "
                f"{s.PERSPECTIVE_NAMES[theirs]}",
                f"因果關係 {arrow} 由{s.PERSPECTIVE_NAMES_ZH[mine]}構面逆向指向"
                f"{s.PERSPECTIVE_NAMES_ZH[theirs]}構面",
            )
            yield RULE.finding(
                objective,
                text,
                node_id=nid,
                source=edge.get("source") or objective["source"],
                edge=(nid, effect, s.CAUSES),
            )


RULE = Rule("BSC205", "perspective-mismatch", WARNING, check, sys.modules[__name__])
