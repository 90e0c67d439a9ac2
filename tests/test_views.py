"""Views without a browser: what is shown, where it stands, and what the page holds."""

from __future__ import annotations

import html
import json
import re
from collections import Counter

import networkx as nx
import pytest
from click.testing import CliRunner

from bscalign.cli import main
from bscalign.graph import schema as s
from bscalign.loaders import LoadResult
from bscalign.queries.engine import AuditResult, audit
from bscalign.views import MISSING, MapLayout, strategy_map_layout, view_graph
from bscalign.views.html import render_view, view_fragment
from bscalign.views.layout import BOX_WIDTH
from tests.conftest import SEEDS

FIRE, FIRE_CITY = "臺北市政府消防局@108", "臺北市政府@108"
MILITARY, MILITARY_CITY = "臺北市政府兵役局@111", "臺北市政府@111"


@pytest.fixture(scope="module")
def audited(seeds: LoadResult) -> AuditResult:
    return audit(seeds.graph)


@pytest.fixture(scope="module")
def full_view(seeds: LoadResult, audited: AuditResult) -> nx.MultiDiGraph:
    return view_graph(seeds.graph, audited.findings)


def _fire(code: str, kind: str = s.OBJECTIVE) -> str:
    return s.node_id(kind, FIRE, code)


#: The placeholder of the Fire Department's G2 meaning GC2 營造安全環境.
_g2 = s.node_id(s.OBJECTIVE, FIRE_CITY, "G2") + "→GC2"


def test_full_view_is_the_graph_plus_one_placeholder_per_missing_city_code(
    seeds: LoadResult, full_view: nx.MultiDiGraph
) -> None:
    placeholders = {n: d for n, d in full_view.nodes(data=True) if d["kind"] == MISSING}
    # one per code as written and city objective it most likely means: G2 is GC2 or GF2
    assert sorted((d["code"], d["suggestion"]) for d in placeholders.values()) == [
        ("G11", "GL1"), ("G2", "GC2"), ("G2", "GF2"), ("G7", "GP7"), ("GT1", "GL1"),
        ("GT2", "GF2"),
    ]  # fmt: skip
    assert set(full_view) - set(placeholders) == set(seeds.graph)
    dangling = [e for e in full_view.edges(keys=True, data=True) if e[3].get("dangling")]
    assert len(dangling) == 13
    assert full_view.number_of_edges() == seeds.graph.number_of_edges() + 13
    g2 = placeholders[_g2]
    assert g2["names"] == ["營造安全環境"] and g2["theme"] == "G" and g2["perspective"] is None
    assert g2["suggestion_node"] == s.node_id(s.OBJECTIVE, FIRE_CITY, "GC2")
    assert full_view.has_edge(_fire("CC1"), _g2, s.ALIGNS_TO)


def test_every_finding_is_on_its_node_and_link_findings_are_on_their_link(
    full_view: nx.MultiDiGraph, audited: AuditResult
) -> None:
    on_nodes = Counter(f["rule"] for d in full_view.nodes.values() for f in d["findings"])
    assert on_nodes == Counter(f.rule for f in audited.findings)
    on_edges = Counter(
        (u, v, f["name"]) for u, v, d in full_view.edges(data=True) for f in d["findings"]
    )
    assert on_edges[_fire("CC1"), _g2, "dangling-upward-link"]
    assert on_edges[_fire("CP1"), s.node_id(s.OBJECTIVE, FIRE_CITY, "GP4"), "upward-name-mismatch"]
    assert on_edges[_fire("AP1"), s.node_id(s.OBJECTIVE, FIRE_CITY, "GC2"), "perspective-mismatch"]
    assert Counter(name for *_, name in on_edges.elements()) == {
        "dangling-upward-link": 13,
        "upward-name-mismatch": 3,
        "perspective-mismatch": 4,
    }


def test_an_agency_plan_brings_its_city_plan_and_nothing_else(
    seeds: LoadResult, audited: AuditResult
) -> None:
    view = view_graph(seeds.graph, audited.findings, plans=[MILITARY])
    shown = {d.get("plan") for d in view.nodes.values()} - {None}
    assert shown == {MILITARY, MILITARY_CITY}
    # the military plan has no upward links of its own: no placeholder, no upward edge
    assert not [d for d in view.nodes.values() if d["kind"] == MISSING]
    plan_findings = view.nodes[s.plan_node_id(MILITARY)]["findings"]
    assert plan_findings == [] or all(f["plan"] == MILITARY for f in plan_findings)
    with pytest.raises(ValueError, match="no plan 臺北市政府@999 loaded"):
        view_graph(seeds.graph, plans=["臺北市政府@999"])


def test_focus_shows_the_neighbourhood_of_one_objective(
    seeds: LoadResult, audited: AuditResult
) -> None:
    # audited: the inferred cause-effect edges are in the graph
    view = view_graph(seeds.graph, plans=[FIRE], focus="AP1", depth=1)
    codes = {d.get("code") for d in view.nodes.values()}
    # its theme, its KPI, its upward link and its (inferred) causes and effects
    assert {"AP1", "A", "AP1.1", "GC2", "AL1", "AC1", "AC2"} <= codes
    assert "AP1.1.1" not in codes and "BP1" not in codes
    assert view.graph["focus"] == _fire("AP1")
    deeper = view_graph(seeds.graph, plans=[FIRE], focus="AP1", depth=2)
    assert "AP1.1.1" in {d.get("code") for d in deeper.nodes.values()}
    with pytest.raises(ValueError, match="several plans"):
        view_graph(seeds.graph, focus="AC1")
    with pytest.raises(ValueError, match="no objective"):
        view_graph(seeds.graph, plans=[FIRE], focus="ZZ9")


def test_a_plans_view_keeps_the_graphs_order_of_nodes_and_edges(
    seeds: LoadResult, audited: AuditResult
) -> None:
    """A page is the same from run to run: a few plans, or a focus, are not listed in the
    order of a set of node ids (which changes with Python's string hashing)."""
    graph = seeds.graph
    for view in (
        view_graph(graph, audited.findings, plans=[FIRE]),
        view_graph(graph, plans=[FIRE], focus="AP1", depth=1),
    ):
        assert [n for n in view if n in graph] == [n for n in graph if n in view]
        edges = [e for e in view.edges(keys=True) if graph.has_edge(*e)]
        assert edges == [e for e in graph.edges(keys=True) if view.has_edge(*e)]


def _overlaps(layout: MapLayout) -> list[tuple[str, str]]:
    boxes = [
        (n, x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        for n, (x, y) in layout.positions.items()
        for w, h in [layout.sizes[n]]
    ]
    return [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]


@pytest.mark.parametrize("detail", ["objectives", "kpis", "all"])
def test_a_plans_map_draws_bands_top_down_and_no_box_over_another(
    full_view: nx.MultiDiGraph, detail: str
) -> None:
    for plan in (FIRE, MILITARY, FIRE_CITY):
        layout = strategy_map_layout(full_view, plan, detail=detail)
        assert _overlaps(layout) == [], (plan, detail)
        pos = layout.positions
        ys = {p: [] for p in s.PERSPECTIVES}
        for nid, data in full_view.nodes(data=True):
            if data["kind"] == s.OBJECTIVE and data["plan"] == plan and data["perspective"]:
                ys[data["perspective"]].append(pos[nid][1])
        for upper, lower in zip(s.PERSPECTIVES, s.PERSPECTIVES[1:], strict=False):
            assert max(ys[upper]) < min(ys[lower]), (plan, upper, lower)
        kpis = [
            n for n, d in full_view.nodes(data=True) if d["kind"] == s.KPI and d["plan"] == plan
        ]
        if detail == "objectives":
            assert not set(kpis) & set(pos)
        for kpi, objective, kind in full_view.edges(keys=True):
            if kind == s.MEASURES and kpi in pos:
                assert pos[kpi][0] == pos[objective][0] and pos[kpi][1] > pos[objective][1]


def test_an_agency_map_shows_the_city_objectives_it_links_to_above_their_linkers(
    full_view: nx.MultiDiGraph,
) -> None:
    layout = strategy_map_layout(full_view, FIRE)
    pos = layout.positions
    city = {n for n in pos if full_view.nodes.get(n, {}).get("plan") == FIRE_CITY}
    linked = {
        v for u, v, k in full_view.edges(keys=True) if k == s.ALIGNS_TO and u in pos and v in city
    }
    assert city == linked | {s.node_id(s.OBJECTIVE, FIRE_CITY, c) for c in ("GC2", "GF2", "GL1")}
    agency_top = min(
        y for n, (_, y) in pos.items() if full_view.nodes.get(n, {}).get("plan") == FIRE
    )
    assert all(pos[n][1] < agency_top for n in city)
    # the rest of the city map: one "+N more" box per theme, folding every other objective
    folded = [n for box in layout.more for n in layout.folded[box]]
    city_objectives = [
        n
        for n, d in full_view.nodes(data=True)
        if d["kind"] == s.OBJECTIVE and d["plan"] == FIRE_CITY
    ]
    assert sorted(folded + [n for n in city if full_view.nodes[n]["kind"] == s.OBJECTIVE]) == (
        sorted(city_objectives)
    )
    # a placeholder stands right beneath the city objective it most likely means
    gc2 = s.node_id(s.OBJECTIVE, FIRE_CITY, "GC2")
    assert abs(pos[_g2][0] - pos[gc2][0]) < BOX_WIDTH and pos[_g2][1] > pos[gc2][1]
    # KPIs and action plans are folded into their objective
    assert layout.folded[_fire("AC1")][0] == _fire("AC1.1", s.KPI)


def test_the_page_loads_nothing_and_keeps_names_as_data(full_view: nx.MultiDiGraph) -> None:
    page = render_view(full_view, title="seeds")
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", page)
    assert "default-src 'none'" in page
    data = json.loads(re.search(r'type="application/json"[^>]*>(.*?)</script>', page, re.S)[1])
    # one map per plan, agencies first
    assert [m["plan"] for m in data["maps"]] == [MILITARY, FIRE, FIRE_CITY, MILITARY_CITY]
    fire = data["maps"][1]
    cc1 = next(n for n in fire["nodes"] if n["id"] == _fire("CC1"))
    assert "G2 營造安全環境" in cc1["title"]
    # its dangling link is a root, unlinked-to-city (CC1, its KPI CC1.1) follows from it; its
    # malformed action plan C1.1.1 is folded into it too
    assert sorted((m["r"], m["root"]) for m in cc1["fx"]) == [
        ("BSC201", True), ("BSC203", False), ("BSC203", False), ("BSC401", True),
    ]  # fmt: skip
    assert "source: " in cc1["title"] and "taipei-fire-108-bsc.txt:" in cc1["title"]


def test_view_command_writes_a_page_and_rejects_unknown_plans(tmp_path) -> None:
    out = tmp_path / "map.html"
    runner = CliRunner()
    done = runner.invoke(main, ["view", str(SEEDS), "-o", str(out), "--plan", FIRE])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "243 nodes" in done.output
    chinese = tmp_path / "map-zh.html"
    done = runner.invoke(main, ["view", str(SEEDS), "-o", str(chinese), "--lang", "zh-TW"])
    assert done.exit_code == 0, done.output
    assert "不是 臺北市政府@108 的策略目標" in chinese.read_text(encoding="utf-8")
    bad = runner.invoke(main, ["view", str(SEEDS), "-o", str(out), "--plan", "nobody@1"])
    assert bad.exit_code == 2 and "no plan nobody@1 loaded" in bad.output
    assert main.commands["view"].help.rstrip().splitlines()[-1].strip().startswith("Example:")


def test_a_fragment_embeds_and_lists_every_finding_shown(full_view: nx.MultiDiGraph) -> None:
    fragment = view_fragment(full_view, title="seeds", element_id="seeds-map")
    assert 'id="seeds-map"' in fragment.body and 'bscalignDraw("seeds-map")' in fragment.body
    # the host page sets the policy; the fragment's own page sets one allowing its scripts
    assert "Content-Security-Policy" not in fragment.head + fragment.body
    data = json.loads(
        re.search(r'type="application/json"[^>]*>(.*?)</script>', fragment.body, re.S)[1]
    )
    on_nodes = Counter(
        (f["plan"], f["rule"], f["subject"])
        for d in full_view.nodes.values()
        for f in d["findings"]
    )
    listed = [f for m in data["maps"] for f in m["findings"]]
    assert Counter((f["plan"], f["rule"], f["subject"]) for f in listed) == on_nodes
    for shown in data["maps"]:
        boxes = {n["id"] for n in shown["nodes"]}
        assert all(f["node"] in boxes for f in shown["findings"])  # every finding: a box to go to
        roots = [f for f in shown["findings"] if f["cause"] is None]
        assert shown["findings"][: len(roots)] == roots  # roots first, most severe first
        severities = [f["severity"] for f in roots]
        assert severities == sorted(severities, key=["error", "warning", "info"].index)
    frame = fragment._repr_html_()
    srcdoc = re.fullmatch(r'<iframe srcdoc="([^"]*)" title="seeds" style="[^"]*"></iframe>', frame)
    assert srcdoc and html.unescape(srcdoc[1]) == fragment.page()
    with pytest.raises(ValueError, match="element_id"):
        view_fragment(full_view, element_id='x" onload="alert(1)')
