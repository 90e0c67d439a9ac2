"""A KPI or objective of an agency plan from which no path leads up to the city map.

What it checks
    For every agency objective: does it reach any objective of the city plan of the same
    year, by its own upward link, a link on its theme, or a KPI that references a city KPI?
    For every agency KPI: does it reference a city KPI, or measure an objective that
    reaches the city? Links whose code does not exist in the city plan do not count.
    When no city plan of that year is loaded, this rule says so once per agency plan and
    checks nothing else (load the city map to audit the links).

Why it matters
    Alignment is the point of a cascaded scorecard: work that leads to no city objective
    cannot be defended in the city's review, and the city cannot count it.

Example
    ``DP1 精進應變預警機制`` of the Fire Department (108) is linked to ``G7``, which is not a
    code of the 108 city map, so neither DP1 nor its KPI ``DP1.1`` reaches the city.

How to fix
    Give the objective a valid upward link (see ``dangling-upward-link`` for a suggested
    code) or link its theme to a city objective.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import ERROR, AuditContext, Finding, Rule, Text
from bscalign.queries.upward import plan_routes, referenced_city_objectives

NO_CITY = Text(
    "the plan names no city, so no city plan can answer for it: upward links of this plan "
    "were not checked (give the plan its city)",
    "此計畫未載明所屬城市，無從比對府級計畫：此計畫的承接關係未檢查（請填寫所屬城市）",
)
NO_CITY_PLAN = Text(
    "no city plan {city} loaded: upward links of this plan were not checked (load the city "
    "strategy map of that year with it)",
    "未載入府級計畫 {city}：此計畫的承接關係未檢查（請一併載入該年度府級策略地圖）",
)
OBJECTIVE = Text(
    "objective {code} {name} reaches no objective of {city}: {why}",
    "策略目標 {code} {name} 無法連結至 {city} 任何策略目標：{why}",
)
NOT_IN_CITY = Text(
    "its upward link {written} is not in {city}", "所填承接代碼 {written} 不在 {city}"
)
NO_LINK = Text("it has no link", "未填承接")
KPI = Text(
    "KPI {code} {name} reaches no objective of {city}",
    "KPI {code} {name} 無法連結至 {city} 任何策略目標",
)


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per agency objective or KPI with no route to its city plan."""
    for plan in ctx.agency_plans:
        city = ctx.city_plan(plan["id"])
        if city is None:
            yield RULE.finding(plan, _not_checked(plan), node_id=s.plan_node_id(plan["id"]))
            continue
        reaching = set()
        routes = plan_routes(ctx, plan["id"], city)
        for nid, objective in ctx.nodes(s.OBJECTIVE, plan["id"]):
            if routes[nid].reaches_city:
                reaching.add(nid)
                continue
            written = ", ".join(link["code"] for link in objective["links"])
            text = OBJECTIVE.format(
                code=objective["code"],
                name=objective["name"],
                city=city,
                why=NOT_IN_CITY.format(written=written, city=city) if written else NO_LINK,
            )
            yield RULE.finding(objective, text, node_id=nid)
        for nid, kpi in ctx.nodes(s.KPI, plan["id"]):
            measured = ctx.out_neighbors(nid, s.MEASURES)
            if reaching.intersection(measured) or referenced_city_objectives(ctx, nid, city):
                continue
            text = KPI.format(code=kpi["code"], name=kpi["name"], city=city)
            yield RULE.finding(kpi, text, node_id=nid)


def _not_checked(plan: dict[str, Any]) -> Text:
    if not plan.get("city"):
        return NO_CITY
    return NO_CITY_PLAN.format(city=f"{plan['city']}@{plan['year']}")


RULE = Rule("BSC203", "unlinked-to-city", ERROR, check, sys.modules[__name__])

_no_city, _no_city_plan = twin.text(NO_CITY), twin.text(NO_CITY_PLAN, city="city")
_not_in_city, _no_link = (
    twin.text(NOT_IN_CITY, written="written", city="city.id"),
    twin.text(NO_LINK),
)
CYPHER = {
    "not-checked": "\n".join(
        f"CASE WHEN agency.city IS NULL OR agency.city = '' THEN {none}\n"
        f"     ELSE {other}\nEND AS {column},"
        for none, other, column in zip(
            _no_city, _no_city_plan, ("message", "message_zh"), strict=True
        )
    ),
    "objective": twin.message(
        OBJECTIVE,
        end="",
        code="o.code",
        name="o.name",
        city="city.id",
        why=tuple(
            f"CASE WHEN written = '' THEN {no_link} ELSE {not_in_city} END"
            for no_link, not_in_city in zip(_no_link, _not_in_city, strict=True)
        ),
    ),
    "kpi": twin.message(KPI, end="", code="kpi.code", name="kpi.name", city="city.id"),
}
