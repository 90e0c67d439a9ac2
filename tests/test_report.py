"""The circulated audit report: Markdown, HTML and XLSX, in English and Traditional Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from bscalign.cli import main
from bscalign.loaders import LoadResult, read_plans
from bscalign.output import markdown_cell
from bscalign.queries.base import LANGUAGES
from bscalign.queries.engine import audit
from bscalign.report import LABELS, build_report, placeholders, render_html, render_markdown
from tests.browser import chromium, open_page, require_browser, screenshot
from tests.conftest import EXAMPLES, SEEDS

FIRE_PLAN, MILITARY_PLAN = "臺北市政府消防局@108", "臺北市政府兵役局@111"
CITY_PLANS = ("臺北市政府@108", "臺北市政府@111")


def test_every_label_exists_in_both_languages() -> None:
    assert set(LABELS) == set(LANGUAGES)
    english = LABELS["en"]
    for lang, words in LABELS.items():
        assert words.keys() == english.keys(), lang
        for key, text in words.items():
            assert text.strip(), (lang, key)
            assert placeholders(text) == placeholders(english[key]), (lang, key)


@pytest.fixture(scope="module", params=LANGUAGES)
def markdown(request: pytest.FixtureRequest, seeds: LoadResult) -> tuple[str, str]:
    return request.param, render_markdown(build_report(seeds, request.param))


def test_markdown_holds_every_finding_with_suggestion_and_source(
    markdown: tuple[str, str], seeds: LoadResult
) -> None:
    lang, text = markdown
    findings = audit(seeds.graph).findings
    assert len(findings) == 126
    roots = [f for f in findings if f.cause is None]
    for finding in roots:
        assert markdown_cell(finding.text(lang)) in text
        assert markdown_cell(finding.source) in text
    assert "| CC1 | " in text and "| GC2 | " in text  # dangling G2 of CC1, and its suggestion
    # what follows from a root is folded into its row, not listed again
    for finding in findings:
        if finding.cause is not None:
            assert markdown_cell(finding.text(lang)) not in text
    assert "| BSC203 unlinked-to-city DP1, DP1.1 |" in text
    words = LABELS[lang]
    assert words["folded"].format(folded=len(findings) - len(roots)) in text


def test_markdown_headings_and_labels_follow_the_language(markdown: tuple[str, str]) -> None:
    lang, text = markdown
    words = LABELS[lang]
    headings = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    assert headings[0] == words["title"]
    fire = words["heading_of_plan"].format(plan=FIRE_PLAN, level=words["agency"])
    assert fire in headings
    dangling = words["with_count"].format(what="BSC201 dangling-upward-link", count=13)
    assert dangling in headings
    # the Fire plan's errors to fix: 13 dangling links and a malformed code; the 29 objectives
    # and KPIs unlinked because of those links are folded under them
    assert words["with_count"].format(what=words["error"], count=14) in headings
    assert not [h for h in headings if "BSC203" in h and "(29)" in h]
    # the Fire plan's counts beside what its text declares: 30 objectives, 36 KPIs
    assert f"| {words['objectives']} | 30 | 30 |" in text
    assert f"| {words['kpis']} | 36 | 36 |" in text
    # names stay as written whatever the language
    assert "| GC2 | 營造安全環境 |" in text


def test_markdown_chains_and_coverage(markdown: tuple[str, str]) -> None:
    lang, text = markdown
    words = LABELS[lang]
    # the Military Service plan's theme C, inferred from the perspective order
    assert f"| C | CF1 → CL1 → CP1 → CC1 | 1 | {words['yes']} |" in text
    # the 111 city map: 1 objective of 84 supported (GP6 through KPI CC1.1's 府級KPI GP6.2)
    assert words["uncovered"].format(uncovered=83, total=84) in text
    assert "| GP6 | 優化緊急救護及防災應變機制 | CC1 |" in text
    # the coverage table lists what someone supports or a rule flags; the rest is one line
    rest = words["coverage_rest"].format(rest=84 - 1 - 10)
    assert rest in text
    table = text.split(rest, 1)[1].split("\n\n")[1].splitlines()
    assert len(table) == 2 + 1 + 10  # heading, rule, GP6 and the 10 flagged uncovered


def test_languages_differ_only_where_they_should(seeds: LoadResult) -> None:
    english = render_markdown(build_report(seeds, "en"))
    chinese = render_markdown(build_report(seeds, "zh-TW"))
    assert "Findings" in english and "Findings" not in chinese
    assert "稽核發現" in chinese and "稽核發現" not in english


def test_xlsx_report(tmp_path: Path) -> None:
    target = tmp_path / "audit.xlsx"
    run = CliRunner().invoke(main, ["report", str(SEEDS), "-o", str(target), "--lang", "zh-TW"])
    assert run.exit_code == 0, run.output
    book = load_workbook(target, read_only=True)
    words = LABELS["zh-TW"]
    assert book.sheetnames == [words[k] for k in ("summary", "findings", "chains", "coverage")]
    findings = list(book[words["findings"]].values)
    assert findings[0][:4] == (words["plan"], words["severity"], words["rule"], words["subject"])
    assert len(findings) == 1 + 126
    rows = {(r[0], r[3], r[5]) for r in findings[1:]}
    assert (FIRE_PLAN, "CC1", "GC2") in rows
    summary = {r[0]: r for r in book[words["summary"]].values}
    assert summary[FIRE_PLAN][1:6] == (words["agency"], 4, 30, 36, 46)
    assert len(list(book[words["coverage"]].values)) == 1 + 109 + 84


def test_html_report_is_self_contained(seeds: LoadResult) -> None:
    page = render_html(build_report(seeds, "zh-TW"))
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-Hant-TW">' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "CP1 承接 GP4「優化緊急救護」" in page  # the Fire plan's upward name mismatch
    assert "<script" not in page  # nothing to run without a view


def test_report_refuses_unknown_suffix(tmp_path: Path) -> None:
    run = CliRunner().invoke(main, ["report", str(SEEDS), "-o", str(tmp_path / "audit.pdf")])
    assert run.exit_code == 2
    assert ".md, .html or .xlsx" in run.output


def test_suppressed_findings_are_listed_with_their_reason(tmp_path: Path) -> None:
    document = yaml.safe_load((EXAMPLES / "taipei-military-service-111.yaml").read_text("utf-8"))
    (agency,) = [p for p in document["plans"] if p["level"] == "agency"]
    (objective,) = [o for o in agency["objectives"] if o["code"] == "CP1"]
    objective["suppress"] = [{"rule": "missing-upward-link", "reason": "內部流程目標由 CC1 承接"}]
    source = tmp_path / "military.yaml"
    source.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    report = build_report(read_plans([source]), "zh-TW")
    text = render_markdown(report)
    assert "#### 已抑制之稽核發現" in text
    assert "| 內部流程目標由 CC1 承接 |" in text
    assert LABELS["zh-TW"]["suppressed"] in report.sheets


@pytest.mark.browser
def test_html_report_shows_each_plans_view_in_chromium(tmp_path: Path) -> None:
    require_browser()
    target = tmp_path / "audit.html"
    run = CliRunner().invoke(main, ["report", str(SEEDS), "-o", str(target), "--lang", "zh-TW"])
    assert run.exit_code == 0, run.output
    plans = sorted([*CITY_PLANS, MILITARY_PLAN, FIRE_PLAN])  # the report's order
    maps = [f"plan-{number}-map" for number in range(1, len(plans) + 1)]
    with chromium() as browser:
        page, log = open_page(browser, target, drawn=False)
        page.wait_for_function(
            "document.querySelectorAll('.bsv[data-drawn=\"true\"]').length === 4",
            timeout=120_000,
        )
        assert page.text_content("h1") == LABELS["zh-TW"]["title"]
        # one view per plan, each in its plan's section
        placed = page.evaluate(
            "[...document.querySelectorAll('section .bsv')]"
            ".map(v => [v.closest('section').id, v.id])"
        )
        assert placed == [[f"plan-{n}-view", m] for n, m in enumerate(maps, 1)]
        fire = maps[plans.index(FIRE_PLAN)]
        for one in maps:  # each map opens readable: 14 px objective labels drawn at 11 px or more
            assert page.evaluate(f"bscalignViews['{one}'].getScale()") * 14 >= 11
        drawn = page.evaluate(
            f"bscalignViews['{fire}'].body.data.nodes"
            ".get({filter: n => n.own && n.kind === 'Objective'}).length"
        )
        assert drawn == 30
        # the view's findings are in the report's language
        assert "應為 GC2 營造安全環境" in page.text_content(f"#{fire} .bsv-findings")
        # the wheel scrolls the report over a map, until the map is clicked
        box = page.locator(f"#{fire} .bsv-canvas").bounding_box()
        page.evaluate(f"document.getElementById('{fire}').scrollIntoView()")
        scale, scrolled = (
            page.evaluate(f"bscalignViews['{fire}'].getScale()"),
            page.evaluate("scrollY"),
        )
        box = page.locator(f"#{fire} .bsv-canvas").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 200)
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(300)
        assert page.evaluate("scrollY") < scrolled
        assert page.evaluate(f"bscalignViews['{fire}'].getScale()") == scale
        page.locator(f"#{fire} .bsv-canvas").click(position={"x": 5, "y": 5})
        scrolled = page.evaluate("scrollY")
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(300)
        assert page.evaluate(f"bscalignViews['{fire}'].getScale()") != scale
        assert page.evaluate("scrollY") == scrolled
        page.fill(f"#{fire} .bsv-search", "G2")
        page.press(f"#{fire} .bsv-search", "Enter")
        assert page.evaluate(f"bscalignViews['{fire}'].getSelectedNodes()") != []
        page.locator(f"#{fire}").scroll_into_view_if_needed()
        shot = screenshot(page, "report-fire-view.png")
        assert log.refused == [] and log.failed == [] and log.errors == []
        assert log.requests == [target.as_uri()]
    assert shot.stat().st_size > 50_000


def test_load_problems_are_in_the_report_and_exit_1(tmp_path: Path) -> None:
    source = tmp_path / "city.yaml"
    source.write_text(
        "bscalign: 1\nplans:\n- organization: 臺北市政府\n  year: '111'\n  level: city\n"
        "  objectives:\n  - {code: GC2, name: 營造安全環境, colour: red}\n",
        encoding="utf-8",
    )
    target = tmp_path / "audit.md"
    run = CliRunner().invoke(main, ["report", str(source), "-o", str(target)])
    assert run.exit_code == 1
    text = target.read_text(encoding="utf-8")
    assert "## Load problems" in text
    assert f"| {markdown_cell(str(source))} | 7 | " in text and "colour" in text
