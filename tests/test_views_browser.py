"""Views in a real headless Chromium: offline, complete, interactive, safe, and large."""

from __future__ import annotations

import copy
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bscalign.graph import schema as s
from bscalign.loaders import LoadResult, read_plans
from bscalign.queries.engine import audit
from bscalign.views import strategy_map_layout, view_graph
from bscalign.views.html import view_fragment, write_view
from tests.browser import chromium, hover_node, open_page, require_browser, screenshot
from tests.conftest import EXAMPLES

require_browser()
pytestmark = pytest.mark.browser

FIRE, FIRE_CITY = "臺北市政府消防局@108", "臺北市政府@108"
#: Names that would run code if a page pasted them into its HTML or scripts.
HOSTILE = {
    "organization": "局<script>window.__pwned='organization'</script>",
    "theme": '"}];window.__pwned="theme";//',
    "objective": "<img src=x onerror=\"window.__pwned='objective'\">",
    "kpi": "</script><script>window.__pwned='kpi'</script>",
    "action": "{{7*7}} ${window.__pwned='action'} `x` &amp; <b onmouseover=alert(1)>",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as started:
        yield started


def _page_counts(page: Any) -> tuple[int, int]:
    return tuple(page.evaluate("[network.body.data.nodes.length, network.body.data.edges.length]"))


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_seed_map_loads_offline_complete_and_without_errors(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    findings = audit(seeds.graph).findings
    view = view_graph(seeds.graph, findings)
    page, log = open_page(browser, write_view(view, tmp_path / "seeds.html"))
    assert log.refused == [] and log.failed == [] and log.errors == []
    assert log.requests == [(tmp_path / "seeds.html").as_uri()]
    assert _page_counts(page) == (view.number_of_nodes(), view.number_of_edges())
    flagged = page.evaluate("nodes.get({filter: n => n.findings > 0}).length")
    assert flagged == sum(1 for d in view.nodes.values() if d["findings"])
    assert page.evaluate("network.physics.options.enabled") is False
    shot = screenshot(page, "view-seeds.png")
    assert _png_size(shot) == (1600, 1000)
    page.evaluate(
        "(id) => network.moveTo({position: network.getPosition(id), scale: 0.8, animation: false})",
        s.node_id(s.OBJECTIVE, FIRE, "CC1"),
    )
    page.wait_for_timeout(200)
    assert screenshot(page, "view-seeds-fire-zoomed.png").stat().st_size > 50_000


def test_tooltips_show_findings_and_the_search_box_finds_codes_and_names(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    view = view_graph(seeds.graph, audit(seeds.graph).findings, plans=[FIRE])
    page, log = open_page(browser, write_view(view, tmp_path / "fire.html"))
    tip = hover_node(page, s.node_id(s.OBJECTIVE, FIRE, "CC1"))
    assert "upward link as written: G2 營造安全環境" in tip
    assert "error BSC201 dangling-upward-link" in tip and "suggestion GC2" in tip
    assert "taipei-fire-108-bsc.txt:" in tip
    tip = hover_node(page, s.node_id(s.OBJECTIVE, FIRE_CITY, "G2"))
    assert f"G2 is not an objective of {FIRE_CITY}" in tip
    kpi_tip = hover_node(page, s.node_id(s.KPI, FIRE, "AC1.2"))
    assert "flags: WCCD, 府" in kpi_tip
    page.fill(".bsv-search", "營造安全環境")
    selected = set(page.evaluate("network.getSelectedNodes()"))
    assert {s.node_id(s.OBJECTIVE, FIRE_CITY, "GC2"), s.node_id(s.OBJECTIVE, FIRE_CITY, "G2")} <= (
        selected
    )
    assert page.inner_text(".bsv-search-status") == f"{len(selected)} found"
    page.press(".bsv-search", "Enter")
    assert page.inner_text(".bsv-search-status") == f"1 / {len(selected)}"
    assert page.evaluate("network.getSelectedNodes().length") == 1
    assert log.errors == [] and log.refused == []
    screenshot(page, "view-fire-search.png")


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
    page, log = open_page(browser, write_view(view, tmp_path / "hostile.html", title=plan))
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
        # the tooltip holds text and the line breaks vis-network makes of newlines, nothing else
        tags = page.evaluate(
            "Array.from(document.querySelectorAll('div.vis-tooltip *'), e => e.tagName)"
        )
        assert set(tags) <= {"BR"}
        assert view.nodes[s.node_id(kind, plan, code)]["name"] in tip
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


def test_a_view_of_5000_nodes_opens_with_a_fixed_layout(browser: Any, tmp_path: Path) -> None:
    loaded = read_plans([_large_corpus(tmp_path, copies=42)])
    view = view_graph(loaded.graph, audit(loaded.graph).findings)
    assert view.number_of_nodes() >= 5000
    page, log = open_page(browser, write_view(view, tmp_path / "large.html"))
    assert log.errors == [] and log.refused == []
    assert _page_counts(page) == (view.number_of_nodes(), view.number_of_edges())
    assert page.evaluate("network.physics.options.enabled") is False
    # positions are the layout's, not a simulation's
    node = s.node_id(s.OBJECTIVE, "臺北市政府消防局41@108", "AC1")
    placed = page.evaluate("(id) => network.getPosition(id)", node)
    assert (placed["x"], placed["y"]) == strategy_map_layout(view).positions[node]
    screenshot(page, "view-5000-nodes.png")


def test_a_finding_in_the_list_takes_you_to_its_node(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    view = view_graph(seeds.graph, audit(seeds.graph).findings, plans=[FIRE])
    page, log = open_page(browser, write_view(view, tmp_path / "fire.html"))
    listed = page.locator(".bsv-finding-list li")
    assert listed.count() == sum(len(d["findings"]) for d in view.nodes.values())
    first = page.locator(".bsv-finding-list button").first
    subject = first.inner_text().split(" · ")[0]
    first.click()
    (selected,) = page.evaluate("network.getSelectedNodes()")
    assert view.nodes[selected]["code"] == subject
    assert view.nodes[selected]["findings"][0]["message"] in page.inner_text(".bsv-detail")
    assert log.errors == [] and log.refused == []
    screenshot(page, "view-fire-finding-selected.png")


def test_two_views_share_a_page_and_a_notebook_shows_one_inline(
    browser: Any, seeds: LoadResult, tmp_path: Path
) -> None:
    findings = audit(seeds.graph).findings
    views = {
        "fire": view_graph(seeds.graph, findings, plans=[FIRE]),
        "military": view_graph(seeds.graph, findings, plans=["臺北市政府兵役局@111"]),
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
    counts = page.evaluate(
        "Object.fromEntries(Object.entries(bscalignViews).map(([id, n]) =>"
        " [id, [n.body.data.nodes.length, n.body.data.edges.length]]))"
    )
    assert counts == {
        key: [view.number_of_nodes(), view.number_of_edges()] for key, view in views.items()
    }
    assert page.evaluate("network === bscalignViews.military")
    assert log.errors == [] and log.refused == []
    # a notebook cell's output: the fragment's iframe, its page given inline as srcdoc
    cell = tmp_path / "notebook.html"
    cell.write_text(
        "<!DOCTYPE html><meta charset='utf-8'><title>cell</title>"
        + fragments["fire"]._repr_html_(),
        encoding="utf-8",
    )
    page, log = open_page(browser, cell, drawn=False)
    frame = page.frames[1]
    frame.wait_for_function("document.body.dataset.drawn === 'true'", timeout=60_000)
    assert frame.evaluate("network.body.data.nodes.length") == views["fire"].number_of_nodes()
    assert log.errors == [] and log.refused == []
    screenshot(page, "view-notebook-cell.png")
