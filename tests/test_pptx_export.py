"""Export to PowerPoint: the deck holds the strategy map as boxes and glued arrows, and the
scorecard as tables; loading it back gives the same graph, drawn arrows included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from facts import graph_facts
from pptx import Presentation
from pptx.oxml.ns import qn
from slidedecks import fixture_deck

from bscalign.cli import main
from bscalign.graph import schema as s
from bscalign.graph.causality import infer_causes
from bscalign.loaders import read_plans
from bscalign.loaders.pptx_export import write_pptx

SEEDS = Path("/work/shared/seeds")
if not SEEDS.is_dir():
    SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def causes(graph, **marks) -> set[tuple[str, str]]:
    return {
        (graph.nodes[u]["code"], graph.nodes[v]["code"])
        for u, v, k, d in graph.edges(keys=True, data=True)
        if k == s.CAUSES and all(bool(d.get(m)) == want for m, want in marks.items())
    }


@pytest.fixture(scope="module")
def seeds_deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    loaded = read_plans([SEEDS])
    path = tmp_path_factory.mktemp("export") / "seeds.pptx"
    write_pptx(loaded.graph, path)
    return loaded, path


def test_seeds_round_trip_through_pptx(seeds_deck) -> None:
    loaded, path = seeds_deck
    again = read_plans([path])
    assert again.problems == []
    assert graph_facts(again.graph) == graph_facts(loaded.graph)


def test_drawn_arrows_round_trip_through_pptx(tmp_path: Path) -> None:
    drawn = tmp_path / "drawn.pptx"
    expected = fixture_deck(drawn)
    loaded = read_plans([drawn])
    exported = tmp_path / "exported.pptx"
    write_pptx(loaded.graph, exported)
    again = read_plans([exported])
    assert again.problems == []  # the fixture's undirected line was not read, so not written
    assert causes(again.graph, drawn=True) == expected.causes
    assert graph_facts(again.graph) == graph_facts(loaded.graph)


def test_every_arrow_is_a_connector_glued_to_two_boxes(tmp_path: Path) -> None:
    drawn = tmp_path / "drawn.pptx"
    expected = fixture_deck(drawn)
    exported = tmp_path / "exported.pptx"
    write_pptx(read_plans([drawn]).graph, exported)
    deck = Presentation(str(exported))
    connectors = [
        shape
        for slide in deck.slides
        for shape in slide.shapes
        if shape.shape_type == 16 or shape.element.tag == qn("p:cxnSp")
    ]
    assert len(connectors) == len(expected.causes)
    for connector in connectors:
        element = connector.element
        assert element.find(".//" + qn("a:stCxn")) is not None
        assert element.find(".//" + qn("a:endCxn")) is not None
        assert element.find(".//" + qn("a:tailEnd")).get("type") == "triangle"


def test_map_slide_draws_bands_customer_on_top_and_one_box_per_objective(seeds_deck) -> None:
    loaded, path = seeds_deck
    deck = Presentation(str(path))
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title]
    assert "111年臺北市政府兵役局策略地圖" in titles
    slide = next(
        sl
        for sl in deck.slides
        if sl.shapes.title and sl.shapes.title.text.endswith("兵役局策略地圖")
    )
    bands = sorted(
        (shape.top, shape.text_frame.text)
        for shape in slide.shapes
        if shape.name.startswith("Band")
    )
    assert [text for _, text in bands] == [
        "顧客構面 C",
        "內部流程構面 P",
        "學習成長構面 L",
        "財務構面 F",
    ]
    boxes = [shape.text_frame.text for shape in slide.shapes if shape.name.startswith("Objective")]
    objectives = [
        d
        for _, d in loaded.graph.nodes(data=True)
        if d["kind"] == s.OBJECTIVE and d["plan"] == "臺北市政府兵役局@111"
    ]
    assert len(boxes) == len(objectives) == 16
    assert "AC1 提升市民對政府信任度" in boxes


def test_inferred_edges_are_drawn_only_when_asked(tmp_path: Path) -> None:
    seed = SEEDS / "taipei-military-service-111-bsc.txt"
    plain, dashed = tmp_path / "plain.pptx", tmp_path / "inferred.pptx"
    runner = CliRunner()
    result = runner.invoke(main, ["export", str(seed), "--format", "pptx", "-o", str(plain)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        main, ["export", str(seed), "--format", "pptx", "--inferred", "-o", str(dashed)]
    )
    assert result.exit_code == 0, result.output
    assert causes(read_plans([plain]).graph, drawn=True) == set()
    original = read_plans([seed]).graph
    infer_causes(original)
    assert causes(read_plans([dashed]).graph, drawn=True) == causes(original, inferred=True)
    wrong = runner.invoke(main, ["export", str(seed), "--format", "yaml", "--inferred"])
    assert wrong.exit_code == 2 and "--format pptx" in wrong.output
    missing = runner.invoke(main, ["export", str(seed), "--format", "pptx"])
    assert missing.exit_code == 2 and "-o/--output" in missing.output


def test_generated_plans_of_other_agencies_round_trip_through_pptx(tmp_path: Path) -> None:
    # the benchmark generator writes agencies the seeds do not have: text in both seed
    # styles and YAML (orphan KPIs, shared flags, city-KPI references, names in also_named,
    # written cause-effect arrows)
    generate = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
    corpus = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, str(generate), "--scorecards", "6", "--seed", "5", "--out", str(corpus),
         "--quiet"],
        check=True,
    )  # fmt: skip
    loaded = read_plans([corpus])
    deck = tmp_path / "corpus.pptx"
    write_pptx(loaded.graph, deck)
    again = read_plans([deck])
    assert again.problems == []
    written = causes(loaded.graph, inferred=False)
    assert written and causes(again.graph, drawn=True) == written  # arrows come back drawn

    def unmarked(graph) -> dict:
        facts = graph_facts(graph)
        facts["edges"] = [(u, v, k, tuple(a for a in attrs if a != ("drawn", True)))
                          for u, v, k, attrs in facts["edges"]]  # fmt: skip
        return facts

    assert unmarked(again.graph) == unmarked(loaded.graph)
