"""Decks built with python-pptx in the shapes real strategy-map slides take, and their PDFs.

:func:`fixture_deck` draws a small agency deck: a title slide, the agency's strategy map
(perspective bands, a theme row as a table, objective boxes as rounded rectangles, text
boxes and grouped shapes, a band of the city's objectives labelled 府級策略目標) with
arrows drawn the ways people draw them, and a scorecard table. It returns what a reader
must find: every drawn cause-effect edge and upward link, and how many lines have no
direction. :func:`print_pdf` prints a deck with LibreOffice Impress (headless), as the
city prints slides to publish them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Pt

from bscalign.graph import schema as s

PLAN = "臺北市政府兵役局@111"
BAND_TOP = {"C": 120, "P": 200, "L": 280, "F": 360}  # points; each band 70 pt high
BAND_HEIGHT = 70


@dataclass
class Expected:
    """What a reader of the fixture deck must find."""

    causes: set[tuple[str, str]] = field(default_factory=set)
    upward: set[tuple[str, str]] = field(default_factory=set)
    undirected: int = 0
    arrows_drawn: int = 0


def arrowhead(line_shape: object, at: str) -> None:
    """Give a connector or line an arrowhead at its ``start`` or ``end`` (as PowerPoint
    writes it: ``a:headEnd`` at the start, ``a:tailEnd`` at the end)."""
    ln = line_shape.line._get_or_add_ln()  # type: ignore[attr-defined]
    tag = "a:headEnd" if at == "start" else "a:tailEnd"
    etree.SubElement(ln, qn(tag), type="triangle")


def box(shapes: object, code_and_name: str, left: float, top: float, *, width: float = 120):
    """A rounded rectangle holding an objective, as strategy maps draw them."""
    shape = shapes.add_shape(  # type: ignore[attr-defined]
        MSO_SHAPE.ROUNDED_RECTANGLE, Pt(left), Pt(top), Pt(width), Pt(40)
    )
    shape.text_frame.text = code_and_name
    small(shape, 9)
    return shape


def small(shape: object, size: float) -> None:
    """Set every run of a shape's text to ``size`` points."""
    for paragraph in shape.text_frame.paragraphs:  # type: ignore[attr-defined]
        for run in paragraph.runs:
            run.font.size = Pt(size)


def glued(slide: object, kind: object, begin: object, end: object, *, sides=(0, 2)) -> object:
    """A connector glued to two shapes (connection points: 0 top, 1 left, 2 bottom, 3 right
    on a rectangle), arrowhead at its end."""
    connector = slide.shapes.add_connector(kind, 0, 0, 0, 0)  # type: ignore[attr-defined]
    connector.begin_connect(begin, sides[0])
    connector.end_connect(end, sides[1])
    arrowhead(connector, "end")
    return connector


def fixture_deck(path: Path) -> Expected:
    """Write the fixture deck to ``path``; return what reading it must give."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Pt(720), Pt(540)
    expected = Expected()

    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = "臺北市政府兵役局"
    title.placeholders[1].text = "111年策略地圖及平衡計分卡"

    slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    slide.shapes.title.text = "111年臺北市政府兵役局策略地圖"
    slide.shapes.title.top, slide.shapes.title.height = Pt(5), Pt(30)
    slide.shapes.title.left, slide.shapes.title.width = Pt(10), Pt(700)
    small(slide.shapes.title, 20)
    city = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Pt(10), Pt(40), Pt(700), Pt(50))
    city.text_frame.text = "府級策略目標"
    city.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    city.text_frame.margin_right = Pt(600)
    small(city, 10)
    gc2 = box(slide.shapes, "GC2 營造安全環境", 300, 45)
    themes = slide.shapes.add_table(1, 3, Pt(10), Pt(95), Pt(700), Pt(20)).table
    theme_row = ("策略主題", "A 維護兵役公平", "B 強化役政關懷")
    for cell, text in zip(themes.rows[0].cells, theme_row, strict=True):
        cell.text = text
        cell.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    for perspective, label in zip(
        "CPLF", ("顧客構面 C", "內部流程構面 P", "學習成長構面 L", "財務構面 F"), strict=True
    ):
        band = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Pt(10), Pt(BAND_TOP[perspective]), Pt(700), Pt(BAND_HEIGHT)
        )
        band.text_frame.text = label
        # the label sits in the band's left column, as strategy maps print it
        band.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
        band.text_frame.margin_right = Pt(600)
        small(band, 10)
    ac1 = box(slide.shapes, "AC1 提升市民對政府信任度", 120, 135)
    # a box holding two objectives
    ap = box(slide.shapes, "AP1 精確掌握兵源\nAP2 精進役男體檢", 120, 215, width=150)
    al1 = box(slide.shapes, "AL1 促進組織學習發展能力", 120, 295)
    # a text box (no outline) overlapping the line between two bands
    af1 = slide.shapes.add_textbox(Pt(120), Pt(345), Pt(120), Pt(40))
    af1.text_frame.text = "AF1 提高預算執行效能"
    small(af1, 9)
    box(slide.shapes, "BC1 提供市民有感服務", 400, 135)
    box(slide.shapes, "BP1 推動役男就業輔導服務", 400, 215)
    # theme B's foundations in a group that was then moved (its children keep their own
    # coordinates; the group's offset places them)
    group = slide.shapes.add_group_shape()
    bl1 = box(group.shapes, "BL1 培育卓越役政團隊", 300, 295)
    bf1 = box(group.shapes, "BF1 提高預算執行效能", 300, 375)
    xfrm = group._element.grpSpPr.find(qn("a:xfrm"))
    xfrm.find(qn("a:off")).set("x", str(Pt(400)))  # moved right by 100 pt

    glued(slide, MSO_CONNECTOR.STRAIGHT, af1, al1)
    expected.causes.add(("AF1", "AL1"))
    glued(slide, MSO_CONNECTOR.ELBOW, al1, ap)  # one arrow into a box of two objectives
    expected.causes |= {("AL1", "AP1"), ("AL1", "AP2")}
    glued(slide, MSO_CONNECTOR.CURVE, bf1, bl1)  # glued to shapes inside the group
    expected.causes.add(("BF1", "BL1"))
    # an unglued straight line from the top of AP's box, ending 4 pt below AC1's box
    loose = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Pt(180), Pt(215), Pt(180), Pt(179))
    arrowhead(loose, "end")
    expected.causes |= {("AP1", "AC1"), ("AP2", "AC1")}
    # drawn from BC1 down to BP1, its arrowhead at the start: BP1 drives BC1
    reverse = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Pt(460), Pt(176), Pt(460), Pt(214))
    arrowhead(reverse, "start")
    expected.causes.add(("BP1", "BC1"))
    # a freeform drawn by hand from BL1 (in the moved group: x 400..520) up to BP1
    freeform = slide.shapes.build_freeform(Pt(470), Pt(293))
    freeform.add_line_segments([(Pt(480), Pt(275)), (Pt(470), Pt(258))], close=False)
    hand = freeform.convert_to_shape()
    arrowhead(hand, "end")
    expected.causes.add(("BL1", "BP1"))
    # the upward link: from AC1 up to the city's objective
    glued(slide, MSO_CONNECTOR.STRAIGHT, ac1, gc2, sides=(0, 2))
    expected.upward.add(("AC1", "GC2"))
    # a line without arrowhead between AC1 and BC1: a link with no direction
    slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Pt(242), Pt(155), Pt(398), Pt(155))
    expected.undirected = 1
    expected.arrows_drawn = 7  # directed: 6 cause-effect arrows and the upward one

    card = deck.slides.add_slide(deck.slide_layouts[5])
    card.shapes.title.text = "平衡計分卡"
    rows = [
        ("策略目標", "KPI (關鍵績效指標)", "行動計畫"),
        ("AC1 提升市民對政府信任度", "AC1.1 信任度提升之人數比率", "AC1.1.1 役男入營前座談會"),
        ("AP1 精確掌握兵源", "AP1.1 兵籍調查成長率", "AP1.1.1 兵籍調查實施計畫"),
        ("AP2 精進役男體檢", "AP2.1 體檢表正確率", "AP2.1.1 徵兵檢查實施計畫"),
        ("AL1 促進組織學習發展能力", "AL1.1 創意提案執行案件數", "AL1.1.1 創意提案獎勵要點"),
        ("AF1 提高預算執行效能", "AF1.1 預算執行率", "AF1.1.1 單位預算書"),
        ("BC1 提供市民有感服務", "BC1.1 役男及家屬滿意度", "BC1.1.1 生活扶助金發放計畫"),
        ("BP1 推動役男就業輔導服務", "BP1.1 就業輔導服務參與率", "BP1.1.1 就業輔導實施計畫"),
        ("BL1 培育卓越役政團隊", "BL1.1 研習班期滿意度", "BL1.1.1 專業訓練實施計畫"),
        ("BF1 提高預算執行效能", "BF1.1 預算執行率", "BF1.1.1 單位預算書"),
    ]
    table = card.shapes.add_table(len(rows), 3, Pt(20), Pt(80), Pt(680), Pt(400)).table
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
            cell.text_frame.paragraphs[0].runs[0].font.size = Pt(9)
    deck.save(str(path))
    return expected


def soffice() -> str:
    """The LibreOffice executable; skip (fail in CI) when it is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = "LibreOffice (libreoffice-impress, .ci/system-packages) is not installed"
        if os.environ.get("CI") or os.environ.get("BSCALIGN_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def print_pdf(decks: list[Path], folder: Path) -> list[Path]:
    """Print ``decks`` to PDF with LibreOffice Impress headless (one run); return the PDFs."""
    profile = folder / "lo-profile"  # its own profile: parallel runs do not share a lock
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, decks),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return [folder / f"{deck.stem}.pdf" for deck in decks]


def drawn_edges(graph) -> set[tuple[str, str]]:
    """The (cause, effect) codes of every cause-effect edge a loaded graph holds as drawn."""
    return {
        (graph.nodes[u]["code"], graph.nodes[v]["code"])
        for u, v, k, d in graph.edges(keys=True, data=True)
        if k == s.CAUSES and d.get("drawn")
    }
