"""Hypothesis strategies for plan sets that put the rules' Python and Cypher twins to the test.

A plan set is a list of bscalign YAML plan entries: one or two city plans (years), agencies
answering to them (or to a city that is not loaded), themes with working groups, objectives
with well-formed, malformed and city-wide codes, upward links written exactly, reworded,
dangling (``G2``, ``GT1``, last year's code) or across perspectives, cause-effect edges,
KPIs with and without objectives and city-KPI references, action plans, declared totals,
suppressions, name variants. Names come from a small vocabulary, so suggestion scores tie
often, and from text that breaks Cypher built by pasting (quotes, backticks, braces,
keywords, comments).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from bscalign.graph import schema as s
from bscalign.queries.registry import RULES

#: Words planners use: few, so that names share n-grams and scores tie.
WORDS = ("安全", "環境", "營造", "維護", "提升", "服務", "品質", "人力", "預算", "防災", "安", "網")
#: English words are one n-gram each: names of a few of them give round similarities
#: (2 shared of 8 is 0.25) whose sums with the bonuses tie exactly.
ENGLISH = ("safe", "city", "net", "care", "fire", "Safe")
#: Text that a query built by pasting would choke on.
TRICKY = ("'", '"', "`", "{x}", "}", " MATCH (n) DETACH DELETE n ", "RETURN", "//", "\\", "$plan")
CITY = "臺北市政府"
#: Agencies and the short names city maps give them in working groups.
AGENCIES = (("臺北市政府消防局", "消防局"), ("臺北市政府警察局", "警察局"), ("局'`}{", "局'`}{"))

names = st.one_of(
    st.builds(
        lambda parts, sep: sep.join(parts),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
        st.sampled_from(("", "", " ", "\n")),
    ),
    st.lists(st.sampled_from(ENGLISH), min_size=1, max_size=6).map(" ".join),
    st.lists(st.sampled_from(TRICKY + WORDS), min_size=1, max_size=3).map("".join),
)


def _objective_codes(letters: str) -> st.SearchStrategy[list[str]]:
    return st.lists(
        st.builds(
            lambda t, p, n: f"{t}{p}{n}",
            st.sampled_from(letters),
            st.sampled_from(s.PERSPECTIVES),
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=6,
        unique=True,
    )


@st.composite
def city_plan(draw: st.DrawFn, year: str) -> dict[str, Any]:
    """A city strategy map (and sometimes its scorecard) of one year."""
    letters = draw(st.sampled_from(("AG", "G", "ABG")))
    codes = draw(_objective_codes(letters))
    if draw(st.booleans()):
        codes.append("TC1")
    themes = []
    for letter in letters:
        theme: dict[str, Any] = {"code": letter, "name": draw(names)}
        members = draw(st.lists(st.sampled_from([a[1] for a in AGENCIES]), max_size=2))
        if members:
            theme["members"] = members
        themes.append(theme)
    objectives = [{"code": code, "name": draw(names)} for code in codes]
    plan: dict[str, Any] = {
        "organization": CITY,
        "year": year,
        "level": "city",
        "themes": themes,
        "objectives": objectives,
    }
    if draw(st.booleans()):
        plan["kpis"] = [
            {"code": f"{code}.1", "name": draw(names), "objective": code}
            for code in draw(st.lists(st.sampled_from(codes), max_size=3, unique=True))
        ]
    return plan


def _link(draw: st.DrawFn, city: list[dict[str, Any]]) -> str:
    """An upward link as an agency writes it: exact, reworded, dangling or bare."""
    target = draw(st.sampled_from(city)) if city else {"code": "GC1", "name": "營造安全"}
    code = target["code"]
    how = draw(st.sampled_from(("exact", "reworded", "no perspective", "other", "bare")))
    if how == "no perspective" and len(code) > 2:
        code = code[0] + code[2:]  # GC2 -> G2
    elif how == "other":
        code = draw(st.sampled_from(("GT1", "GC9", "AP7", "X", "g2")))
    name = draw(names) if how in ("reworded", "other") else target["name"]
    return code if how == "bare" else f"{code} {name}"


@st.composite
def agency_plan(
    draw: st.DrawFn, organization: str, year: str, city: list[dict[str, Any]]
) -> dict[str, Any]:
    """One agency's plan: themes, objectives, KPIs and action plans, with their flaws."""
    letters = draw(st.sampled_from(("A", "AB", "C")))
    codes = draw(_objective_codes(letters))
    odd = ("C1", "AX1", "TC1", "BC1", "A", "AC01", "ac1", "AC1a", "AC١", "G😀1", "AＣ1")
    codes += draw(st.lists(st.sampled_from(odd), max_size=2))
    objectives: list[dict[str, Any]] = []
    for code in codes:
        objective: dict[str, Any] = {"code": code, "name": draw(names)}
        if draw(st.integers(0, 5)) == 0:
            objective["theme"] = draw(st.sampled_from(letters + "Z"))
        if draw(st.integers(0, 5)) == 0:
            objective["perspective"] = draw(st.sampled_from(s.PERSPECTIVES))
        links = draw(st.integers(0, 2))
        if links:
            objective["aligns_to"] = [_link(draw, city) for _ in range(links)]
        if draw(st.integers(0, 4)) == 0:
            objective["also_named"] = [draw(names)]
        if draw(st.integers(0, 4)) == 0:
            objective["causes"] = draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))
        if draw(st.integers(0, 6)) == 0:
            rule = draw(st.sampled_from(RULES))
            reason = draw(names)
            objective["suppress"] = [
                {"rule": draw(st.sampled_from((rule.name, rule.code))), "reason": reason}
            ]
        objectives.append(objective)
    themes = []
    for letter in letters:
        theme: dict[str, Any] = {"code": letter, "name": draw(names)}
        if draw(st.integers(0, 3)) == 0:
            theme["aligns_to"] = [_link(draw, city)]
        themes.append(theme)
    kpis: list[dict[str, Any]] = []
    for n, code in enumerate(draw(st.lists(st.sampled_from(codes), max_size=5))):
        kpi: dict[str, Any] = {"code": f"{code}.{n + 1}", "name": draw(names)}
        where = draw(st.sampled_from(("own", "own", "other", "none")))
        if where != "none":
            kpi["objective"] = code if where == "own" else draw(st.sampled_from([*codes, "ZC9"]))
        if city and draw(st.integers(0, 3)) == 0:
            target = draw(st.sampled_from(city))["code"]
            kpi["city_kpi_refs"] = [f"{target}.{draw(st.sampled_from((1, 9)))}"]
        kpis.append(kpi)
    actions = []
    for n, kpi in enumerate(draw(st.lists(st.sampled_from(kpis), max_size=4)) if kpis else []):
        code = draw(st.sampled_from((f"{kpi['code']}.{n + 1}", f"{kpi['code'][1:]}.1")))
        supports = [
            kpi["code"],
            *draw(st.lists(st.sampled_from([k["code"] for k in kpis]), max_size=1)),
        ]
        actions.append({"code": code, "name": draw(names), "supports": supports})
    plan: dict[str, Any] = {
        "organization": organization,
        "year": year,
        "themes": themes,
        "objectives": objectives,
        "kpis": kpis,
        "action_plans": actions,
    }
    if draw(st.booleans()):
        plan["city"] = CITY
    if draw(st.integers(0, 3)) == 0:
        plan["declared"] = {"objectives": draw(st.integers(0, 8))}
    return plan


@st.composite
def plan_sets(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A city plan or two and one to three agency plans answering to them."""
    years = draw(st.sampled_from((("111",), ("111", "112"))))
    cities = [draw(city_plan(year)) for year in years if draw(st.integers(0, 5)) > 0]
    plans = list(cities)
    agencies = st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=2, unique=True)
    for organization, _ in draw(agencies):
        year = draw(st.sampled_from(years))
        city = next((c["objectives"] for c in cities if c["year"] == year), [])
        plans.append(draw(agency_plan(organization, year, city)))
    return plans
