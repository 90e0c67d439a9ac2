"""PowerPoint decks: their text loads like the seeds' text, their arrows as drawn edges.

Decks are built here with python-pptx (tests/slidedecks.py) in the shapes real strategy
maps take: glued connectors, unglued lines ending near boxes, elbow and curved connectors,
a hand-drawn freeform, boxes inside a moved group, arrows drawn in both directions, a box
holding two objectives, a text box across two bands, the city's objectives in a band
labelled 府級 above the agency's map.
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pptx.enum.shapes import MSO_CONNECTOR
from pptx.util import Pt
from slidedecks import PLAN, arrowhead, box, drawn_edges, fixture_deck, glued

from bscalign.cli import main
from bscalign.graph import schema as s
from bscalign.graph.build import PlanGraphBuilder
from bscalign.graph.causality import chains
from bscalign.loaders import InputError, read_plans
from bscalign.loaders.drawing import DrawnReading
from bscalign.loaders.pptx import read_pptx
from bscalign.queries.engine import audit


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("deck") / "military.pptx"
    return path, fixture_deck(path)


def test_every_arrow_drawn_is_read_with_its_direction(deck) -> None:
    path, expected = deck
    result = read_plans([path])
    assert drawn_edges(result.graph) == expected.causes
    causes = [d for _, _, k, d in result.graph.edges(keys=True, data=True) if k == s.CAUSES]
    assert all(d.get("drawn") and not d.get("inferred") for d in causes)  # no inference


def test_arrow_to_the_city_band_is_an_upward_link(deck) -> None:
    path, expected = deck
    graph = read_plans([path]).graph
    links = {
        (data["code"], link["code"], link["name"])
        for data in (graph.nodes[n] for n in graph if graph.nodes[n].get("plan") == PLAN)
        for link in data.get("links", ())
    }
    assert links == {(a, b, "營造安全環境") for a, b in expected.upward}
    assert s.node_id(s.OBJECTIVE, PLAN, "GC2") not in graph  # the city's box is no objective


def test_a_line_without_arrowhead_is_a_problem_naming_file_slide_and_shapes(deck) -> None:
    path, expected = deck
    problems = read_plans([path]).problems
    assert len(problems) == expected.undirected
    (problem,) = problems
    assert problem.file == str(path) and problem.line == 2
    assert problem.message.startswith("slide 2, Connector ")
    assert "without arrowhead" in problem.message
    assert "AC1 提升市民對政府信任度" in problem.message and "BC1" in problem.message


def test_arrows_read_and_drawn_are_counted(deck) -> None:
    path, expected = deck
    count = DrawnReading()
    read_pptx(path, PlanGraphBuilder(), count)
    assert count.arrows_read == expected.arrows_drawn
    assert count.strokes == expected.arrows_drawn + expected.undirected


def test_text_loads_with_sources_naming_slide_and_row_or_shape(deck) -> None:
    path, _ = deck
    graph = read_plans([path]).graph
    kpi = graph.nodes[s.node_id(s.KPI, PLAN, "AP2.1")]
    assert kpi["name"] == "體檢表正確率"
    assert kpi["source"] == f"{path}:slide 3:row 4"
    objective = graph.nodes[s.node_id(s.OBJECTIVE, PLAN, "AP2")]
    assert f"{path}:slide 2:Rounded Rectangle 10" in objective["sources"]
    assert graph.nodes[s.node_id(s.THEME, PLAN, "B")]["name"] == "強化役政關懷"


def test_drawn_chains_are_not_inferred_and_judged_as_written(deck) -> None:
    path, _ = deck
    graph = read_plans([path]).graph
    found = list(chains(graph, PLAN))
    assert found and all(chain["drawn"] and not chain["inferred"] for chain in found)
    assert ["BF1", "BL1", "BP1", "BC1"] in [c["path"] for c in found]
    broken = [f for f in audit(graph).findings if f.name == "broken-cause-effect-chain"]
    assert broken == []


def test_an_objective_no_drawn_arrow_reaches_breaks_the_chain(tmp_path: Path) -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    title = slide.shapes.add_textbox(Pt(10), Pt(5), Pt(400), Pt(30))
    title.text_frame.text = "臺北市政府兵役局\n111年臺北市政府兵役局策略地圖"
    shapes = {
        code: box(slide.shapes, f"{code} 目標{code}", 100, top)
        for code, top in (("AC1", 60), ("AP1", 140), ("AL1", 220), ("AF1", 300))
    }
    glued(slide, MSO_CONNECTOR.STRAIGHT, shapes["AF1"], shapes["AL1"])
    glued(slide, MSO_CONNECTOR.STRAIGHT, shapes["AP1"], shapes["AC1"])  # AL1 -> AP1 missing
    path = tmp_path / "gap.pptx"
    deck.save(str(path))
    result = read_plans([path])
    assert drawn_edges(result.graph) == {("AF1", "AL1"), ("AP1", "AC1")}
    broken = {
        f.subject for f in audit(result.graph).findings if f.name == "broken-cause-effect-chain"
    }
    assert broken == {"AF1", "AL1", "AP1", "AC1"}


def test_both_heads_and_loose_ends_are_problems(tmp_path: Path) -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    title = slide.shapes.add_textbox(Pt(10), Pt(5), Pt(400), Pt(30))
    title.text_frame.text = "臺北市政府兵役局\n111年臺北市政府兵役局策略地圖"
    box(slide.shapes, "AC1 甲", 100, 60)
    box(slide.shapes, "AP1 乙", 100, 160)
    both = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Pt(150), Pt(160), Pt(150), Pt(100))
    arrowhead(both, "start")
    arrowhead(both, "end")
    loose = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Pt(160), Pt(160), Pt(400), Pt(400))
    arrowhead(loose, "end")
    rule = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Pt(500), Pt(10), Pt(700), Pt(10))
    assert rule is not None  # a rule under nothing: decoration, not reported
    path = tmp_path / "heads.pptx"
    deck.save(str(path))
    result = read_plans([path])
    assert drawn_edges(result.graph) == set()
    messages = sorted(p.message for p in result.problems)
    assert len(messages) == 2
    assert "heads at both ends" in messages[0] or "heads at both ends" in messages[1]
    assert any("other end reaches no box" in m for m in messages)


def test_broken_deck_is_an_input_error(tmp_path: Path, deck) -> None:
    source, _ = deck
    broken = tmp_path / "broken.pptx"
    broken.write_bytes(source.read_bytes()[:5000])
    with pytest.raises(InputError, match=r"broken\.pptx: not a readable PowerPoint deck"):
        read_plans([broken])
    missing_part = tmp_path / "gutted.pptx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(missing_part, "w") as new:
        for item in old.infolist():
            if item.filename != "ppt/slides/slide2.xml":
                new.writestr(item, old.read(item))
    with pytest.raises(InputError, match=r"gutted\.pptx: not a readable PowerPoint deck"):
        read_plans([missing_part])


def test_password_protected_deck_is_an_input_error_saying_so(tmp_path: Path) -> None:
    # an encrypted OOXML file is an OLE compound file holding EncryptionInfo and the package
    locked = tmp_path / "locked.pptx"
    locked.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4088))
    result = CliRunner().invoke(main, ["stats", str(locked)])
    assert result.exit_code == 2
    assert "locked.pptx: password-protected" in result.stderr


def test_deck_without_strategy_content_is_an_input_error(tmp_path: Path) -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "年終聚餐"
    slide.placeholders[1].text = "時間與地點"
    path = tmp_path / "party.pptx"
    deck.save(str(path))
    with pytest.raises(InputError, match=r"party\.pptx: no strategy content: none of its 1"):
        read_plans([path])


def test_smartart_is_reported_not_skipped(tmp_path: Path, deck) -> None:
    source, _ = deck
    path = tmp_path / "smartart.pptx"
    deck_ = Presentation(str(source))
    frame = deck_.slides[2].shapes[1]._element  # the scorecard table's frame
    data = frame.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}graphicData")
    data.set("uri", "http://schemas.openxmlformats.org/drawingml/2006/diagram")
    for child in list(data):
        data.remove(child)
    deck_.save(str(path))
    problems = read_plans([path]).problems
    assert any(
        p.line == 3 and "SmartArt" in p.message and p.message.startswith("slide 3: ")
        for p in problems
    )


def test_a_slide_of_5000_shapes_loads_whole(tmp_path: Path) -> None:
    # python-pptx numbers each new shape by scanning the slide (quadratic on 5,000 shapes),
    # so one box and one glued arrow are drawn by it and copied with their own ids
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    title = slide.shapes.add_textbox(Pt(0), Pt(0), Pt(400), Pt(20))
    title.text_frame.text = "臺北市政府兵役局\n111年臺北市政府兵役局策略地圖"
    first = slide.shapes.add_textbox(Pt(0), Pt(30), Pt(12), Pt(8))
    first.text_frame.text = "AF1 目標"
    second = box(slide.shapes, "AL2 目標", 0, 40)
    template = glued(slide, MSO_CONNECTOR.STRAIGHT, first, second)
    tree = slide.shapes._spTree
    box_xml, arrow_xml = first._element, template._element
    tree.remove(second._element)
    tree.remove(arrow_xml)
    count = 2500  # boxes, and 2,499 arrows between them
    for index in range(1, count):
        column, row = divmod(index, 50)
        shape = copy.deepcopy(box_xml)
        shape.xpath("./p:nvSpPr/p:cNvPr")[0].set("id", str(10 + index))
        shape.xpath("./p:nvSpPr/p:cNvPr")[0].set("name", f"Box {index}")
        shape.xpath(".//a:off")[0].set("x", str(Pt(column * 14)))
        shape.xpath(".//a:off")[0].set("y", str(Pt(30 + row * 10)))
        shape.xpath(".//a:t")[0].text = f"A{'FLPC'[index % 4]}{index + 1} 目標"
        tree.append(shape)
        arrow = copy.deepcopy(arrow_xml)
        arrow.xpath("./p:nvCxnSpPr/p:cNvPr")[0].set("id", str(10 + count + index))
        arrow.xpath("./p:nvCxnSpPr/p:cNvPr")[0].set("name", f"Arrow {index}")
        arrow.xpath(".//a:stCxn")[0].set("id", str(10 + index - 1 if index > 1 else first.shape_id))
        arrow.xpath(".//a:endCxn")[0].set("id", str(10 + index))
        tree.append(arrow)
    path = tmp_path / "huge.pptx"
    deck.save(str(path))
    result = read_plans([path])
    assert result.problems == []
    objectives = [n for n, d in result.graph.nodes(data=True) if d["kind"] == s.OBJECTIVE]
    assert len(objectives) == count
    assert len(drawn_edges(result.graph)) == count - 1


def test_read_shows_each_drawn_arrow_with_the_shapes_it_joins(deck) -> None:
    path, expected = deck
    result = CliRunner().invoke(main, ["read", str(path), "--format", "json"])
    assert result.exit_code == 1  # the line without arrowhead is a load problem
    document = json.loads(result.stdout)
    arrows = document["arrows"]
    assert len(arrows) == expected.arrows_drawn
    elbow = next(
        a
        for a in arrows
        if a["from"] == "Rounded Rectangle 11" and a["to"] == "Rounded Rectangle 10"
    )
    assert elbow["source"].startswith(f"{path}:slide 2:Connector ")
    assert {(f["kind"], f["from"], f["to"]) for f in elbow["read"]} == {
        ("cause-effect", "AL1", "AP1"),
        ("cause-effect", "AL1", "AP2"),
    }
    read = {(f["from"], f["to"]) for a in arrows for f in a["read"] if f["kind"] == "cause-effect"}
    assert read == expected.causes
    box_lines = [
        line for line in document["lines"] if line["source"].endswith("Rounded Rectangle 10")
    ]
    assert any(p["code"] == "AP2" for line in box_lines for p in line["produced"])
