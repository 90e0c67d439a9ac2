"""Find the city objective an agency objective or a written link most likely means."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bscalign.graph import schema as s
from bscalign.queries.base import AuditContext
from bscalign.queries.similarity import similarity_points


@dataclass(frozen=True)
class Weights:
    """What a city objective scores as the target of a link, in points (1000 = 1.0).

    The score is the name similarity (:func:`~bscalign.queries.similarity.similarity_points`)
    plus a bonus per hint the candidate fits. Points are integers so that both engines add
    them exactly: two candidates that tie, tie in both, and the tie goes to the smaller
    code (:func:`rank_key`). The Cypher twins get these numbers written into them
    (:func:`score_cypher`).
    """

    #: the candidate's theme is the letter the written code starts with (``G2`` -> G)
    theme: int = 300
    #: ... and its code ends with the written code's number
    number: int = 50
    #: the candidate is of the linking objective's perspective
    perspective: int = 100
    #: the candidate's theme is one whose working group the agency belongs to
    group: int = 100
    #: below this a candidate is not worth proposing
    minimum: int = 500
    #: the points of a perfect name match
    scale: int = 1000


WEIGHTS = Weights()
_HINT = re.compile(r"(?P<theme>[A-Z])(?P<perspective>[A-Z]?)(?P<number>[0-9]*)")


@dataclass(frozen=True)
class Candidate:
    """A city objective proposed as an upward link, with its score and the reasons."""

    code: str
    name: str
    score: float
    why: str


def rank_key(candidate: Candidate) -> tuple[float, str]:
    """The one order of candidates, in both engines: higher score first, then smaller code."""
    return (-candidate.score, candidate.code)


#: :func:`rank_key` in Cypher, over rows of ``candidate`` and ``score``.
RANK_ORDER = "ORDER BY score DESC, candidate.code"


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

    The score is the name similarity (character n-grams, 0..1) plus bonuses
    (:class:`Weights`): +0.3 when the city objective's theme is the letter the written code
    starts with (``G2`` → theme G), +0.05 when its number matches, +0.1 for the same
    perspective, +0.1 for a theme whose group the agency belongs to. Ties go to the
    smaller code.

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
    w = WEIGHTS
    hint = _HINT.fullmatch(code_hint or "")
    preferred = set(preferred_themes)
    ranked = []
    for _, data in ctx.index.in_graph_order(s.OBJECTIVE, city_plan):
        points = similarity_points(name, data["name"], w.scale) if name else 0
        reasons = [f"name {points / w.scale:.2f}"]
        if hint and data.get("theme") == hint["theme"]:
            points += w.theme
            reasons.append(f"theme {hint['theme']}")
            if hint["number"] and data["code"].endswith(hint["number"]):
                points += w.number
                reasons.append(f"number {hint['number']}")
        if perspective and data.get("perspective") == perspective:
            points += w.perspective
            reasons.append(f"perspective {perspective}")
        if data.get("theme") in preferred:
            points += w.group
            reasons.append(f"group of theme {data['theme']}")
        if points >= w.minimum:
            ranked.append(
                Candidate(data["code"], data["name"], points / w.scale, ", ".join(reasons))
            )
    ranked.sort(key=rank_key)
    return ranked[:limit]


def score_cypher(
    grams: str,
    *,
    theme: str | None = None,
    number: str | None = None,
    perspective: str | None = None,
    group: str | None = None,
) -> str:
    """The Cypher of :func:`rank_city_objectives`' score for a row's ``candidate``.

    ``grams`` is the expression of the written name's counted n-grams (``name_grams``); the
    others are Cypher conditions under which the candidate earns that bonus of
    :class:`Weights` (leave one out when the rule does not give that hint). The result
    keeps the candidates worth proposing, best first (:data:`RANK_ORDER`).
    """
    w = WEIGHTS
    total = f"size({grams}) + size(candidate.name_grams)"
    lines = [
        "WITH candidate,",
        f"     CASE WHEN {total} = 0 THEN 0",
        f"          ELSE ({2 * w.scale} * size([g IN {grams} WHERE g IN candidate.name_grams])",
        f"                + ({total}) / 2)",
        f"               / ({total})",
        "     END",
    ]
    bonuses = {"theme": theme, "number": number, "perspective": perspective, "group": group}
    for bonus, condition in bonuses.items():
        if condition is not None:
            lines.append(f"     + CASE WHEN {condition} THEN {getattr(w, bonus)} ELSE 0 END")
    lines[-1] += " AS score"
    return "\n".join([*lines, f"WHERE score >= {w.minimum}", "WITH candidate, score", RANK_ORDER])


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
    In the template's example plans, the objective's own name matches nothing, the name
    written on its link matches the city's ``GP6``:

    >>> from bscalign.loaders.spreadsheet import example_graph
    >>> ctx = AuditContext(example_graph())
    >>> [c.code for c in rank_by_names(ctx, "臺北市政府@111", ["緊扣生命之鏈", "優化緊急救護"])]
    ['GP6']
    """
    best: dict[str, Candidate] = {}
    for name in filter(None, names):
        for candidate in rank_city_objectives(ctx, city_plan, name, limit=limit, **hints):
            known = best.get(candidate.code)
            if known is None or candidate.score > known.score:
                best[candidate.code] = candidate
    return sorted(best.values(), key=rank_key)[:limit]


def member_themes(ctx: AuditContext, organization: str, city_plan: str) -> list[str]:
    """Themes of ``city_plan`` whose working group ``organization`` belongs to (lead or not).

    City maps name agencies in short (``兵役局`` for ``臺北市政府兵役局``), so a member whose
    name ends the organization's full name counts as that organization.
    """
    members = ctx.remember(_theme_members, city_plan)
    return sorted({theme for theme, name in members if organization.endswith(name)})


def _theme_members(ctx: AuditContext, city_plan: str) -> list[tuple[str, str]]:
    """``(theme code, member name)`` of every named member of a city plan's working groups."""
    return [
        (data["code"], name)
        for tid, data in ctx.index.in_graph_order(s.THEME, city_plan)
        for member in ctx.in_neighbors(tid, s.MEMBER_OF)
        if (name := ctx.graph.nodes[member].get("name", ""))
    ]
