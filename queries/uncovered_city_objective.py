"""A city objective that no loaded agency objective supports, in the agencies' themes.

What it checks
    For each city plan and each theme whose working group (分組成員) includes an agency
    loaded in the same run, every city objective of that theme should be reached by some
    agency objective of that year (own link, theme link or KPI city-KPI reference). When
    the city map names no groups (the 108 map does not), the themes an agency's upward
    links point into stand in for its groups, and the message says so. City-wide objectives
    (``TC1``–``TC4``) are not checked.

Why it matters
    This is the city's view of the cascade: objectives of a theme that none of its
    member agencies takes on will have nobody reporting on them.

Example
    The Department of Compulsory Military Service is a member of theme G (111), and links
    to none of ``GC1``, ``GC2``, ``GP1``… (only ``GP6`` is reached, through KPI ``CC1.1``).

How to fix
    Information for the city's planners: ask the theme's agencies who takes the objective
    on, or confirm that it is carried by agencies not loaded in this run.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterator

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import INFO, AuditContext, Finding, Rule, Text
from bscalign.queries.matching import member_themes
from bscalign.queries.upward import plan_routes

MESSAGE = Text(
    "no loaded agency objective supports {code} {name} (theme {theme}, chosen for {chosen})",
    "已載入的機關策略目標皆未承接 {code} {name}（主題 {theme}：{chosen}）",
)
CHOSEN_FOR = Text("{agency} ({how})", "{agency}{how}")
BY_GROUP = Text("its working group", "所屬分組")
BY_LINKS = Text(
    "its upward links (the city map names no groups)", "承接所及之主題，府級地圖未列分組"
)


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per uncovered city objective in themes that loaded agencies belong to."""
    covered: dict[str, set[str]] = defaultdict(set)
    themes: dict[str, dict[str, Text]] = defaultdict(dict)  # city -> theme -> why
    for plan, city in ctx.answering_plans:
        reached = {
            target
            for found in plan_routes(ctx, plan["id"], city).values()
            for target in found.targets
        }
        covered[city] |= reached
        groups = member_themes(ctx, plan["organization"], city)
        how = BY_GROUP
        if not groups:
            how = BY_LINKS
            groups = sorted({code[0] for code in reached})
        for theme in groups:
            themes[city].setdefault(theme, CHOSEN_FOR.format(agency=plan["organization"], how=how))
    for city, chosen in sorted(themes.items()):
        for nid, objective in ctx.nodes(s.OBJECTIVE, city):
            theme = objective.get("theme")
            if theme in chosen and objective["code"] not in covered[city]:
                text = MESSAGE.format(
                    code=objective["code"],
                    name=objective["name"],
                    theme=theme,
                    chosen=chosen[theme],
                )
                yield RULE.finding(objective, text, node_id=nid)


RULE = Rule("BSC206", "uncovered-city-objective", INFO, check, sys.modules[__name__])


def _pair(text: Text) -> str:
    return f"[{twin.literal(text.en)}, {twin.literal(text.zh)}]"


CYPHER = {
    "how": f"CASE WHEN size(group_themes) > 0 THEN {_pair(BY_GROUP)}\n"
    f"     ELSE {_pair(BY_LINKS)}\nEND AS how",
    "message": twin.message(
        MESSAGE,
        code="objective.code",
        name="objective.name",
        theme="objective.theme",
        chosen=twin.text(
            CHOSEN_FOR, agency="chooser.organization", how=("chooser.how[0]", "chooser.how[1]")
        ),
    ),
}
