"""Views in a real headless Chromium at 1600×1000: offline, readable, followable, in the
page's language, interactive, safe, and large.

The readability figures are measured the way a planner sees them: each objective label's
drawn size (scale × font size), boxes overlapping, crossings of the links drawn, and how
far upward links run sideways (median, against the width of a theme column). They are
written to ``out/screenshots/view-metrics.json`` beside the screenshots.
"""

from __future__ import annotations

import copy
import json
import re
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bscalign.graph import schema as s
from bscalign.loaders import LoadResult, read_plans
from bscalign.queries.engine import audit
from bscalign.views import view_graph
from bscalign.views.html import write_view
from tests.browser import SCREENSHOTS, chromium, hover_node, open_page, require_browser, screenshot
from tests.conftest import EXAMPLES
from tests.generated_plans import AGENCY, write_generated

require_browser()
pytestmark = pytest.mark.browser

FIRE, FIRE_CITY = "臺北市政府消防局@108", "臺北市政府@108"
MILITARY = "臺北市政府兵役局@111"
GENERATED = f"{AGENCY}@108"
#: Names that would run code if a page pasted them into its HTML or scripts.
HOSTILE = {
    "organization": "局<script>window.__pwned='organization'</script>",
    "theme": '"}];window.__pwned="theme";//',
    "objective": "<img src=x onerror=\"window.__pwned='objective'\">",
    "kpi": "</script><script>window.__pwned='kpi'</script>",
    "action": "{{7*7}} ${window.__pwned='action'} `x` &amp; <b onmouseover=alert(1)>",
}
#: What the page measures about the map on screen.
MEASURE = """() => {
    const scale = network.getScale();
    const shown = nodes.get();
    const own = shown.filter(n => n.kind === 'Objective' && n.own);
    const boxes = shown.map(n => [n.id, network.getBoundingBox(n.id)]);
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i][1], b = boxes[j][1];
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
                overlaps.push([boxes[i][0], boxes[j][0]]);
            }
        }
    }
    const at = network.getPositions();
    const links = edges.get({filter: e => !e.hidden}).map(e => ({
        kind: e.kind, from: at[e.from], to: at[e.to], fromId: e.from, toId: e.to,
        dashes: e.dashes, color: e.color.color,
    }));
    return {
        scale: scale,
        smallestLabel: Math.min(...own.map(n => n.font.size * scale)),
        objectives: own.length,
        overlaps: overlaps,
        links: links,
        hiddenInferred: edges.get({filter: e => e.inferred && e.hidden}).length,
    };
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as started:
        yield started


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> LoadResult:
    loaded = read_plans([write_generated(tmp_path_factory.mktemp("generated"), 40)])
    assert not loaded.problems
    return loaded


def _crossings(links: list[dict[str, Any]]) -> int:
    """How many pairs of drawn links cross (links sharing an end do not count)."""

    def side(a: dict, b: dict, c: dict) -> float:
        return (b["x"] - a["x"]) * (c["y"] - a["y"]) - (b["y"] - a["y"]) * (c["x"] - a["x"])

    count = 0
    for i, one in enumerate(links):
        for other in links[i + 1 :]:
            if {one["fromId"], one["toId"]} & {other["fromId"], other["toId"]}:
                continue
            p, q, r, t = one["from"], one["to"], other["from"], other["to"]
            if side(p, q, r) * side(p, q, t) < 0 and side(r, t, p) * side(r, t, q) < 0:
                count += 1
    return count


def _record(name: str, figures: dict[str, Any]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "view-metrics.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = figures
    path.write_text(json.dumps(known, ensure_ascii=False, indent=2), encoding="utf-8")


def _open_plan(browser: Any, loaded: LoadResult, plan: str, folder: Path, lang: str = "en"):
    findings = audit(loaded.graph).findings
    view = view_graph(loaded.graph, findings, plans=[plan], lang=lang)
    path = write_view(view, folder / f"{plan}.html", title=plan, lang=lang)
    return open_page(browser, path)


@pytest.mark.parametrize("which", ["fire", "military", "generated-40"])
def test_one_plan_opens_readable_without_overlaps_and_with_short_upward_links(
    browser: Any, seeds: LoadResult, generated: LoadResult, tmp_path: Path, which: str
) -> None:
    loaded, plan = {
        "fire": (seeds, FIRE),
        "military": (seeds, MILITARY),
        "generated-40": (generated, GENERATED),
    }[which]
    page, log = _open_plan(browser, loaded, plan, tmp_path)
    assert log.requests == [(tmp_path / f"{plan}.html").as_uri()] and log.errors == []
    shown = page.evaluate(MEASURE)
    objectives = sum(
        1 for d in loaded.graph.nodes.values() if d.get("plan") == plan and d["kind"] == s.OBJECTIVE
    )
    assert shown["objectives"] == objectives
    assert shown["smallestLabel"] >= 11, shown["scale"]
    assert shown["overlaps"] == []
    # every objective fits the window: the whole map is on screen at that scale
    inside = page.evaluate(
        """() => nodes.get({filter: n => n.kind === 'Objective' && n.own}).every(n => {
            const p = network.canvasToDOM(network.getPosition(n.id));
            const c = document.querySelector('.bsv-canvas');
            return p.x >= 0 && p.y >= 0 && p.x <= c.clientWidth && p.y <= c.clientHeight;
        })"""
    )
    assert inside
    upward = [link for link in shown["links"] if link["kind"] == s.ALIGNS_TO]
    spans = [abs(link["from"]["x"] - link["to"]["x"]) for link in upward]
    column = page.evaluate(
        "JSON.parse(document.getElementById('bscalign-view-data').textContent).maps[0].columnWidth"
    )
    figures = {
        "scale": round(shown["scale"], 3),
        "smallest objective label px": round(shown["smallestLabel"], 1),
        "overlaps": len(shown["overlaps"]),
        "links drawn": len(shown["links"]),
        "crossings": _crossings(shown["links"]),
        "upward links": len(upward),
        "median upward span (map units)": round(statistics.median(spans), 1) if spans else 0,
        "theme column width (map units)": round(column, 1),
        "inferred links hidden": shown["hiddenInferred"],
        "requests": len(log.requests) - 1,
        "console errors": len(log.errors),
    }
    _record(which, figures)
    if spans:
        assert statistics.median(spans) < 2 * column, figures
    screenshot(page, f"view-{which}.png")


def test_inferred_cause_effect_links_are_hidden_until_asked_for(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    page, log = _open_plan(browser, seeds, FIRE, tmp_path)
    shown = page.evaluate(MEASURE)
    assert shown["hiddenInferred"] > 20
    assert not [link for link in shown["links"] if link["kind"] == s.CAUSES]
    page.check(".bsv-inferred")
    inferred = page.evaluate("edges.get({filter: e => e.inferred && !e.hidden})")
    assert len(inferred) == shown["hiddenInferred"]
    assert all(e["dashes"] and e["color"]["color"] == "#b0b0b0" for e in inferred)
    screenshot(page, "view-fire-inferred.png")
    assert log.errors == []


def test_written_and_drawn_cause_effect_links_are_solid(browser: Any, tmp_path: Path) -> None:
    plan = {
        "organization": "臺北市政府兵役局",
        "year": "111",
        "level": "agency",
        "themes": [{"code": "A", "name": "維護兵役公平"}],
        "objectives": [
            {"code": "AC1", "name": "提升市民信任度"},
            {"code": "AP1", "name": "精確掌握兵源", "causes": ["AC1"]},
        ],
    }
    path = tmp_path / "causes.yaml"
    path.write_text(yaml.safe_dump({"bscalign": 1, "plans": [plan]}, allow_unicode=True))
    loaded = read_plans([path])
    assert not loaded.problems
    page, log = _open_plan(browser, loaded, "臺北市政府兵役局@111", tmp_path)
    causes = [link for link in page.evaluate(MEASURE)["links"] if link["kind"] == s.CAUSES]
    assert len(causes) == 1 and causes[0]["dashes"] is False
    assert log.errors == []


def test_a_plan_never_linked_shows_one_root_and_grey_boxes(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    page, log = _open_plan(browser, seeds, MILITARY, tmp_path)
    roots = page.locator(".bsv-finding-list > li")
    assert roots.count() == 1
    assert "BSC202" in roots.first.inner_text()
    folded = page.locator(".bsv-finding-list > li details li")
    assert folded.count() == 16 + 31
    fills = page.evaluate(
        "nodes.get({filter: n => n.kind === 'Objective' && n.own}).map(n => n.color.background)"
    )
    assert set(fills) == {"#ececec"}  # grey: follows from the plan's root, not error red
    labels = page.evaluate("nodes.get({filter: n => n.kind === 'Objective' && n.own})")
    assert all("not linked" in n["label"] for n in labels)
    roots.first.locator("button").first.click()
    assert page.evaluate("network.getSelectedNodes()") == [s.plan_node_id(MILITARY)]
    assert log.errors == []


def test_a_dangling_link_ends_beneath_the_suggested_city_objective(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    page, log = _open_plan(browser, seeds, FIRE, tmp_path)
    placeholder = page.evaluate(
        "nodes.get({filter: n => n.kind === 'Missing' && n.code === 'G2'})"
        ".map(n => [n.id, n.label])"
    )
    labels = dict(placeholder)
    g2_gc2 = s.node_id(s.OBJECTIVE, FIRE_CITY, "G2") + "→GC2"
    assert "G2 (not in map)" in labels[g2_gc2] and "likely GC2" in labels[g2_gc2]
    gc2 = s.node_id(s.OBJECTIVE, FIRE_CITY, "GC2")
    at = page.evaluate("(ids) => network.getPositions(ids)", [g2_gc2, gc2])
    below = page.evaluate("(id) => network.getBoundingBox(id)", gc2)
    assert at[g2_gc2]["y"] > below["bottom"] and abs(at[g2_gc2]["x"] - at[gc2]["x"]) < 200
    cc1 = s.node_id(s.OBJECTIVE, FIRE, "CC1")
    assert page.evaluate("(id) => edges.get(id) !== null", f"{cc1}|{g2_gc2}|{s.ALIGNS_TO}")
    assert page.evaluate("(id) => edges.get(id) !== null", f"{g2_gc2}|{gc2}|suggests")
    assert log.errors == []


def test_click_an_objective_for_its_kpis_and_a_finding_to_go_there(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    page, log = _open_plan(browser, seeds, FIRE, tmp_path)
    ap2 = s.node_id(s.OBJECTIVE, FIRE, "AC1")
    point = page.evaluate(
        """(id) => { const c = document.querySelector('.bsv-canvas canvas').getBoundingClientRect();
                     const p = network.canvasToDOM(network.getPosition(id));
                     return {x: c.left + p.x, y: c.top + p.y}; }""",
        ap2,
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function(
        "() => document.querySelector('.bsv-detail').innerText.includes('AC1.1')"
    )
    panel = page.inner_text(".bsv-detail")
    assert "KPIs and action plans:" in panel and "AC1.1 燒燬事故商品鑑識通報率" in panel
    assert "AC1.1.1 " in panel
    tip = hover_node(page, s.node_id(s.OBJECTIVE, FIRE, "CC1"))
    assert "upward link as written: G2 營造安全環境" in tip
    assert "BSC201 dangling-upward-link" in tip and "suggestion GC2" in tip
    assert "taipei-fire-108-bsc.txt:" in tip
    # the fix list holds roots only, each with what follows from it folded beneath
    first = page.locator(".bsv-finding-list > li").first
    assert "follow from it" in first.inner_text()
    first.locator("button").first.click()
    (selected,) = page.evaluate("network.getSelectedNodes()")
    assert selected.startswith(FIRE)
    page.fill(".bsv-search", "營造安全環境")
    assert page.evaluate("network.getSelectedNodes().length") >= 2
    page.fill(".bsv-search", "AC1.1.1")  # folded into AC1: the search finds its box
    assert page.evaluate("network.getSelectedNodes()") == [ap2]
    assert log.errors == [] and log.refused == []
    screenshot(page, "view-fire-selected.png")


def test_filters_by_severity_and_rule(browser: Any, seeds: LoadResult, tmp_path: Path) -> None:
    page, log = _open_plan(browser, seeds, FIRE, tmp_path)
    red = "nodes.get({filter: n => n.fx.length && n.color.border === '#c62828'}).length"
    orange = "nodes.get({filter: n => n.fx.length && n.color.border === '#d97400'}).length"
    before = page.evaluate(red), page.evaluate(orange)
    assert before[0] > 0 and before[1] > 0
    fixes = page.locator(".bsv-finding-list > li").count()
    page.uncheck(".bsv-severity[value=error]")
    # boxes whose worst finding was an error now show their worst warning
    assert page.evaluate(red) == 0 and page.evaluate(orange) > before[1]
    assert page.locator(".bsv-finding-list > li").count() < fixes
    page.check(".bsv-severity[value=error]")
    page.select_option(".bsv-rule", "BSC204")
    assert page.evaluate(red) == 0
    listed = page.locator(".bsv-finding-list > li button").all_inner_texts()
    assert listed and all("BSC204" in text for text in listed if "↳" not in text)
    assert log.errors == []


#: Latin words a Traditional Chinese page may hold: codes (objectives, KPIs, rules), the
#: genre's own abbreviations as the documents write them, and the program's name.
CODE = re.compile(r"[A-Z]{1,4}\d*(?:\.\d+)*|KPI|WCCD|BSC\d+|bscalign")
#: File paths (sources are ``path:line``).
PATH = re.compile(r"\S*\.(?:txt|yaml|yml|xlsx|pdf|pptx|html)(?::\d+)?")


def _stray_english(texts: list[str], names: set[str]) -> list[str]:
    """Latin words left once the documents' names, file paths and codes are taken out."""
    stray = []
    for text in texts:
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, " ")
        text = PATH.sub(" ", text)
        words = re.findall(r"[A-Za-z][A-Za-z0-9.]*", text)
        stray += [w for w in words if not CODE.fullmatch(w.rstrip("."))]
    return stray


def test_a_zh_tw_page_has_no_stray_english(browser: Any, seeds: LoadResult, tmp_path: Path) -> None:
    page, log = _open_plan(browser, seeds, FIRE, tmp_path, lang="zh-TW")
    names = {d.get("name", "") for d in seeds.graph.nodes.values()} | {
        n for d in seeds.graph.nodes.values() for n in d.get("names", ())
    }
    texts = page.evaluate(
        """() => {
            const out = [];
            const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walk.nextNode()) {
                if (walk.currentNode.parentElement.closest('script')) continue;
                out.push(walk.currentNode.textContent);
            }
            for (const e of document.querySelectorAll('*')) {
                for (const a of ['title', 'placeholder', 'aria-label', 'alt']) {
                    if (e.hasAttribute(a)) out.push(e.getAttribute(a));
                }
            }
            out.push(document.title);
            for (const n of nodes.get()) out.push(n.label, n.title, n.detail);
            for (const e of edges.get()) out.push(e.title);
            const data = JSON.parse(document.querySelector('script[type="application/json"]')
                                    .textContent);
            for (const m of data.maps) {
                for (const r of m.regions) out.push(r.label);
                out.push(m.level, m.counts, ...m.card);
                for (const f of m.findings) out.push(f.message, f.title);
            }
            out.push(...Object.values(data.words));
            return out;
        }"""
    )
    texts = [re.sub(r"\{\w+\}", " ", t) for t in texts if t]  # the script's placeholders
    stray = _stray_english(texts, names - {""})
    assert stray == [], sorted(set(stray))
    assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
    page.check(".bsv-inferred")
    screenshot(page, "view-fire-zh-TW.png")
    assert log.errors == []


def _hostile_corpus(folder: Path) -> Path:
    plan = {
        "organization": HOSTILE["organization"],
        "year": "111",
        "level": "agency",
        "themes": [{"code": "A", "name": HOSTILE["theme"]}],
        "objectives": [{"code": "AC1", "name": HOSTILE["objective"]}],
        "kpis": [{"code": "AC1.1", "name": HOSTILE["kpi"], "objective": "AC1"}],
        "action_plans": [{"code": "AC1.1.1", "name": HOSTILE["action"], "supports": ["AC1.1"]}],
    }
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump({"bscalign": 1, "plans": [plan]}, allow_unicode=True))
    return path


def test_hostile_names_show_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    loaded = read_plans([_hostile_corpus(tmp_path)])
    assert not loaded.problems
    view = view_graph(loaded.graph, audit(loaded.graph).findings)
    plan = f"{HOSTILE['organization']}@111"
    page, log = open_page(
        browser, write_view(view, tmp_path / "hostile.html", title=plan, detail="all")
    )
    assert log.errors == [] and log.refused == []
    assert page.evaluate("window.__pwned") is None
    # vis-network, the view's script, its data (JSON, never run) and the call that draws it
    scripts = "Array.from(document.scripts, e => e.type || 'script')"
    assert page.evaluate(scripts) == ["script", "script", "application/json", "script"]
    assert page.evaluate("document.querySelectorAll('img, b').length") == 0
    assert page.inner_text("h1") == plan
    labels = page.evaluate("nodes.get().map(n => n.label.replaceAll('\\n', '')).join(' ')")
    for name in ("局<script>", "<img src=x", "</script><script>", "{{7*7}}"):
        assert name in labels
    for code, kind in (("AC1", s.OBJECTIVE), ("AC1.1", s.KPI), ("AC1.1.1", s.ACTION_PLAN)):
        tip = hover_node(page, s.node_id(kind, plan, code))
        tags = page.evaluate(
            "Array.from(document.querySelectorAll('div.vis-tooltip *'), e => e.tagName)"
        )
        assert set(tags) <= {"BR"}
        assert view.nodes[s.node_id(kind, plan, code)]["name"] in tip
    page.locator(".bsv-finding-list button").first.click()
    assert page.evaluate("document.querySelectorAll('img, b').length") == 0
    assert page.evaluate("window.__pwned") is None
    screenshot(page, "view-hostile.png")


def _large_corpus(folder: Path, copies: int) -> Path:
    """The Fire Department's plan many times over, under one city map (real shapes, flaws)."""
    city, agency = yaml.safe_load((EXAMPLES / "taipei-fire-108.yaml").read_text())["plans"]
    plans = [city]
    for i in range(copies):
        plans.append({**copy.deepcopy(agency), "organization": f"臺北市政府消防局{i:02d}"})
    path = folder / "large.yaml"
    path.write_text(yaml.safe_dump({"bscalign": 1, "plans": plans}, allow_unicode=True))
    return path


def test_many_plans_open_on_an_overview_of_cards(browser: Any, tmp_path: Path) -> None:
    loaded = read_plans([_large_corpus(tmp_path, copies=42)])
    view = view_graph(loaded.graph, audit(loaded.graph).findings)
    assert view.number_of_nodes() >= 5000
    page, log = open_page(browser, write_view(view, tmp_path / "large.html"))
    assert log.errors == [] and log.refused == []
    cards = page.locator(".bsv-card")
    assert cards.count() == 43  # 42 agencies and the city map
    assert "30 objectives, 36 KPIs, 46 action plans" in cards.first.inner_text()
    screenshot(page, "view-overview.png")
    cards.nth(41).click()
    page.wait_for_function("() => network.body.data.nodes.length > 0")
    shown = page.evaluate(MEASURE)
    assert shown["smallestLabel"] >= 11 and shown["overlaps"] == []
    assert page.evaluate("nodes.get({filter: n => n.own})[0].plan") == "臺北市政府消防局41@108"
    page.click(".bsv-overview")
    assert page.locator(".bsv-cards").is_visible()
    assert log.errors == []


def test_two_views_share_a_page_and_a_notebook_shows_one_inline(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    from bscalign.views.html import view_fragment

    findings = audit(seeds.graph).findings
    views = {
        "fire": view_graph(seeds.graph, findings, plans=[FIRE]),
        "military": view_graph(seeds.graph, findings, plans=[MILITARY]),
    }
    fragments = {key: view_fragment(view, element_id=key) for key, view in views.items()}
    report = tmp_path / "report.html"
    report.write_text(
        "<!DOCTYPE html><meta charset='utf-8'><title>report</title>"
        + fragments["fire"].head
        + "".join(f"<h2>{key}</h2>{fragment.body}" for key, fragment in fragments.items()),
        encoding="utf-8",
    )
    page, log = open_page(browser, report, drawn=False)
    page.wait_for_function("document.querySelectorAll('.bsv[data-drawn]').length === 2")
    plans = page.evaluate(
        "Object.fromEntries(Object.entries(bscalignViews).map(([id, n]) =>"
        " [id, n.body.data.nodes.get({filter: x => x.own && x.kind === 'Objective'}).length]))"
    )
    assert plans == {"fire": 30, "military": 16}
    assert page.evaluate("network === bscalignViews.military")
    assert log.errors == [] and log.refused == []
    cell = tmp_path / "notebook.html"
    cell.write_text(
        "<!DOCTYPE html><meta charset='utf-8'><title>cell</title>"
        + fragments["fire"]._repr_html_(),
        encoding="utf-8",
    )
    page, log = open_page(browser, cell, drawn=False)
    frame = page.frames[1]
    frame.wait_for_function("document.body.dataset.drawn === 'true'", timeout=60_000)
    assert frame.evaluate("nodes.get({filter: n => n.own && n.kind === 'Objective'}).length") == 30
    assert log.errors == [] and log.refused == []
    screenshot(page, "view-notebook-cell.png")
