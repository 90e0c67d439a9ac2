"""Find the city objective an agency objective or a written link most likely means."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bscalign.graph import schema as s
from bscalign.queries.base import AuditContext
from bscalign.queries.similarity import similarity

#: Below this score a candidate is not worth proposing.
MIN_SCORE = 0.5
_HINT = re.compile(r"^(?P<theme>[A-Z])(?P<perspective>[A-Z]?)(?P<number>\d*)$")


@dataclass(frozen=True)
class Candidate:
    """A city objective proposed as an upward link, with its score and the reasons."""

    code: str
    name: str
    score: float
    why: str


def rank_city_objectives(
    ctx: AuditContext,
    city_plan: str,
    name: str,
    *,
    code_hint: str | None = None,
    perspective: str | None = None,
    preferred_themes: Iterable[str] = (),
    limit: int = 3,
) -> list[Candidate]:
    """Rank the objectives of ``city_plan`` as targets for a link named ``name``.

    The score is the name similarity (character n-grams, 0..1) plus bonuses: +0.3 when the
    city objective's theme is the letter the written code starts with (``G2`` → theme G),
    +0.05 when its number matches, +0.1 for the same perspective, +0.1 for a theme whose
    group the agency belongs to.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> city = b.add_plan("臺北市政府", "108", "city")
    >>> for code, title in [("GC2", "營造安全環境"), ("GF2", "提高預算執行效能")]:
    ...     _ = b.add_objective(city, code, title, source="x:1", place="map")
    >>> ctx = AuditContext(b.graph)
    >>> rank_city_objectives(ctx, city, "營造安全環境", code_hint="G2")[0].code
    'GC2'
    """
    hint = _HINT.match(code_hint or "")
    preferred = set(preferred_themes)
    ranked = []
    for _, data in ctx.index.in_graph_order(s.OBJECTIVE, city_plan):
        score = similarity(name, data["name"]) if name else 0.0
        reasons = [f"name {score:.2f}"]
        if hint and data.get("theme") == hint["theme"]:
            score += 0.3
            reasons.append(f"theme {hint['theme']}")
            if hint["number"] and data["code"].endswith(hint["number"]):
                score += 0.05
                reasons.append(f"number {hint['number']}")
        if perspective and data.get("perspective") == perspective:
            score += 0.1
            reasons.append(f"perspective {perspective}")
        if data.get("theme") in preferred:
            score += 0.1
            reasons.append(f"group of theme {data['theme']}")
        if score >= MIN_SCORE:
            ranked.append(
                Candidate(data["code"], data["name"], round(score, 3), ", ".join(reasons))
            )
    ranked.sort(key=lambda c: (-c.score, c.code))
    return ranked[:limit]


def rank_by_names(
    ctx: AuditContext,
    city_plan: str,
    names: Iterable[str],
    *,
    limit: int = 3,
    **hints: Any,
) -> list[Candidate]:
    """Rank city objectives against several names for one link; each keeps its best score.

    An objective's own name and the names written on its links may each point at the
    right city objective; ``hints`` are passed on to :func:`rank_city_objectives`.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> city = b.add_plan("臺北市政府", "111", "city")
    >>> for code, title in [("GL1", "培育優秀人力"), ("GP6", "優化緊急救護及防災應變機制")]:
    ...     _ = b.add_objective(city, code, title, source="x:1", place="map")
    >>> ctx = AuditContext(b.graph)
    >>> [c.code for c in rank_by_names(ctx, city, ["緊扣生命之鏈", "優化緊急救護"])]
    ['GP6']
    """
    best: dict[str, Candidate] = {}
    for name in filter(None, names):
        for candidate in rank_city_objectives(ctx, city_plan, name, limit=limit, **hints):
            known = best.get(candidate.code)
            if known is None or candidate.score > known.score:
                best[candidate.code] = candidate
    return sorted(best.values(), key=lambda c: (-c.score, c.code))[:limit]


def member_themes(ctx: AuditContext, organization: str, city_plan: str) -> list[str]:
    """Themes of ``city_plan`` whose working group ``organization`` belongs to (lead or not).

    City maps name agencies in short (``兵役局`` for ``臺北市政府兵役局``), so a member whose
    name ends the organization's full name counts as that organization.
    """
    themes = set()
    for tid, data in ctx.index.in_graph_order(s.THEME, city_plan):
        for member, _, kind in ctx.graph.in_edges(tid, keys=True):
            name = ctx.graph.nodes[member].get("name", "")
            if kind == s.MEMBER_OF and name and organization.endswith(name):
                themes.add(data["code"])
    return sorted(themes)
