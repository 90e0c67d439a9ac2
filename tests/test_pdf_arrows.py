"""PDFs printed from decks by LibreOffice Impress: their arrows load as the deck's do.

The decks are those of tests/slidedecks.py and the seeds exported to PowerPoint; LibreOffice
(``soffice --headless --convert-to pdf``, Debian's libreoffice-impress) prints them, as the
city prints slides to publish them. The PDF loader reads each printed page's tables, boxes and
arrows (lines, curves, and the small filled triangles that are their heads).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from facts import graph_facts
from slidedecks import drawn_edges, fixture_deck, print_pdf

from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders import read_plans
from bscalign.loaders.drawing import DrawnReading
from bscalign.loaders.pdf import read_pdf
from bscalign.loaders.pptx_export import write_pptx

SEEDS = Path("/work/shared/seeds")
if not SEEDS.is_dir():
    SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The fixture deck, its export, and the seeds' export, each with its printed PDF."""
    folder = tmp_path_factory.mktemp("printed")
    drawn = folder / "drawn.pptx"
    expected = fixture_deck(drawn)
    exported = folder / "exported.pptx"
    write_pptx(read_plans([drawn]).graph, exported)
    seeds = folder / "seeds.pptx"
    write_pptx(read_plans([SEEDS]).graph, seeds)
    dense = folder / "inferred.pptx"  # every inferred edge drawn: 491 arrows, stacked boxes
    write_pptx(read_plans([SEEDS]).graph, dense, inferred=True)
    decks = [drawn, exported, seeds, dense]
    return {"expected": expected, "decks": decks, "pdfs": print_pdf(decks, folder)}


def test_printed_fixture_deck_gives_the_decks_graph_arrows_included(printed) -> None:
    deck, pdf = printed["decks"][0], printed["pdfs"][0]
    from_pdf, from_deck = read_plans([pdf]), read_plans([deck])
    assert drawn_edges(from_pdf.graph) == printed["expected"].causes
    assert graph_facts(from_pdf.graph) == graph_facts(from_deck.graph)


def test_every_arrow_printed_is_read_and_the_line_without_head_reported(printed) -> None:
    expected, pdf = printed["expected"], printed["pdfs"][0]
    count = DrawnReading()
    problems = read_pdf(pdf, PlanGraphBuilder(), count)
    assert count.arrows_read == expected.arrows_drawn
    assert len(problems) == expected.undirected
    (problem,) = problems
    assert problem.file == str(pdf)
    assert problem.message.startswith("page 2, line (")
    assert "without arrowhead between box AC1" in problem.message


def test_printed_export_keeps_its_glued_arrows(printed) -> None:
    deck, pdf = printed["decks"][1], printed["pdfs"][1]
    from_pdf = read_plans([pdf])
    assert from_pdf.problems == []
    assert drawn_edges(from_pdf.graph) == printed["expected"].causes
    assert graph_facts(from_pdf.graph) == graph_facts(read_plans([deck]).graph)


def test_seeds_round_trip_through_pptx_and_a_libreoffice_pdf(printed) -> None:
    pdf = printed["pdfs"][2]
    from_pdf = read_plans([pdf])
    assert from_pdf.problems == []
    assert graph_facts(from_pdf.graph) == graph_facts(read_plans([SEEDS]).graph)


def test_a_dense_map_of_crossing_and_running_on_arrows_reads_whole(printed) -> None:
    deck, pdf = printed["decks"][3], printed["pdfs"][3]
    from_deck = read_plans([deck])
    count = DrawnReading()
    problems = read_pdf(pdf, PlanGraphBuilder(), count)
    assert problems == []
    drawn = [d for _, _, k, d in from_deck.graph.edges(keys=True, data=True) if d.get("drawn")]
    assert count.arrows_read == len(drawn) == 491
    assert graph_facts(read_plans([pdf]).graph) == graph_facts(from_deck.graph)
