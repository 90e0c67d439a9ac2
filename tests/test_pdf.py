"""PDF strategy maps: PDFs built from the seed texts load like the texts themselves.

The PDFs are made here with reportlab, as slide decks and word processors make them: every
table cell is its own piece of text, so their extracted text has no tabs. Two layouts:
``row`` puts a row's cells side by side (they come out separated by spaces) and
``stacked`` puts each cell on a line of its own. Fonts are TTF files from Debian packages
(``fonts-droid-fallback`` for CJK, ``fonts-dejavu-core`` for the rest), installed by
``.ci/run``; without them these tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from facts import graph_facts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bscalign.cli import main
from bscalign.graph.access import plan_counts, plans
from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders import InputError, read_plans
from bscalign.loaders.pdf import looks_like_pdf
from bscalign.loaders.seedtext import parse_seed_text

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
if not SEED_FILES:
    SEEDS = Path("/work/shared/seeds")
    SEED_FILES = sorted(SEEDS.glob("*.txt"))

FONTS = {
    "cjk": Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    "latin": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
}
FONT_SIZE = 7
CELL_GAP = 3 * FONT_SIZE
LINE_PITCH = 1.5 * FONT_SIZE
LINES_PER_PAGE = 60


@pytest.fixture(scope="module")
def fonts() -> dict[str, object]:
    """Register the TTF fonts with reportlab; skip (fail in CI) when they are missing."""
    missing = [str(path) for path in FONTS.values() if not path.exists()]
    if missing:
        message = f"fonts for the test PDFs are missing: {missing} (see tools/ci-sheets.md)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    pdfmetrics = pytest.importorskip("reportlab.pdfbase.pdfmetrics")
    from reportlab.pdfbase.ttfonts import TTFont

    loaded = {}
    for name, path in FONTS.items():
        loaded[name] = TTFont(f"bscalign-{name}", str(path))
        pdfmetrics.registerFont(loaded[name])
    return loaded


def runs(text: str, fonts: dict[str, object]) -> list[tuple[str, str]]:
    """Split ``text`` into runs of one font each: CJK where the CJK font has the glyph."""
    cjk_glyphs = fonts["cjk"].face.charToGlyph
    pieces: list[tuple[str, str]] = []
    for char in text:
        font = fonts["cjk" if ord(char) in cjk_glyphs else "latin"].fontName
        if pieces and pieces[-1][0] == font:
            pieces[-1] = (font, pieces[-1][1] + char)
        else:
            pieces.append((font, char))
    return pieces


def layout_rows(text: str, layout: str) -> list[list[str]]:
    """Lines of cells to draw: a row's cells side by side, or one cell per line."""
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
        if layout == "stacked":
            rows.extend([[cell] for cell in cells] or [[]])
        else:
            rows.append(cells)
    return rows


def build_pdf(text: str, layout: str, fonts: dict[str, object]) -> bytes:
    """Draw ``text`` as a PDF whose cells are separate pieces of text (no tabs survive)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    def width(cell: str) -> float:
        return sum(stringWidth(run, font, FONT_SIZE) for font, run in runs(cell, fonts))

    rows = layout_rows(text, layout)
    page_width = max(sum(width(c) + CELL_GAP for c in row) for row in rows) + 40
    page_height = LINES_PER_PAGE * LINE_PITCH + 40
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(page_width, page_height))
    for start in range(0, len(rows), LINES_PER_PAGE):
        y = page_height - 20
        for row in rows[start : start + LINES_PER_PAGE]:
            x = 20.0
            for cell in row:
                for font, run in runs(cell, fonts):
                    pdf.setFont(font, FONT_SIZE)
                    pdf.drawString(x, y, run)
                    x += stringWidth(run, font, FONT_SIZE)
                x += CELL_GAP
            y -= LINE_PITCH
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def counts(graph) -> dict[str, dict[str, int]]:
    return {plan["id"]: plan_counts(graph, plan["id"]) for plan in plans(graph)}


@pytest.fixture(scope="module")
def seed_pdfs(
    fonts: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Path, str], Path]:
    folder = tmp_path_factory.mktemp("pdfs")

    def make(seed: Path, layout: str) -> Path:
        path = folder / f"{seed.stem}-{layout}.pdf"
        if not path.exists():
            path.write_bytes(build_pdf(seed.read_text(encoding="utf-8"), layout, fonts))
        return path

    return make


@pytest.mark.parametrize("layout", ["row", "stacked"])
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_pdf_of_a_seed_gives_the_counts_of_its_text(
    seed: Path, layout: str, seed_pdfs: Callable[[Path, str], Path]
) -> None:
    text = read_plans([seed])
    pdf = read_plans([seed_pdfs(seed, layout)])
    assert counts(pdf.graph) == counts(text.graph)
    assert pdf.problems == []


@pytest.mark.parametrize("layout", ["row", "stacked"])
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_pdf_of_a_seed_gives_the_same_graph_as_its_text(
    seed: Path, layout: str, seed_pdfs: Callable[[Path, str], Path]
) -> None:
    text = read_plans([seed])
    pdf = read_plans([seed_pdfs(seed, layout)])
    assert graph_facts(pdf.graph) == graph_facts(text.graph)


@pytest.mark.parametrize("layout", ["row", "stacked"])
def test_pdfs_of_both_seeds_give_all_four_plans(
    layout: str, seed_pdfs: Callable[[Path, str], Path], tmp_path: Path
) -> None:
    for seed in SEED_FILES:
        (tmp_path / f"{seed.stem}.pdf").write_bytes(seed_pdfs(seed, layout).read_bytes())
    result = CliRunner().invoke(main, ["stats", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    got = {
        p["id"]: (p["themes"], p["objectives"], p["kpis"], p["action_plans"])
        for p in json.loads(result.stdout)["plans"]
    }
    assert got == {
        "臺北市政府@108": (8, 109, 0, 0),
        "臺北市政府@111": (8, 84, 0, 0),
        "臺北市政府兵役局@111": (3, 16, 17, 21),
        "臺北市政府消防局@108": (4, 30, 36, 46),
    }


def test_pdf_is_recognised_from_its_bytes_not_its_name(
    seed_pdfs: Callable[[Path, str], Path], tmp_path: Path
) -> None:
    renamed = tmp_path / "scorecard.bin"
    renamed.write_bytes(seed_pdfs(SEED_FILES[0], "row").read_bytes())
    assert looks_like_pdf(renamed)
    assert counts(read_plans([renamed]).graph) == counts(read_plans([SEED_FILES[0]]).graph)


def scanned_pdf(path: Path) -> Path:
    """A one-page PDF holding only an image of a page (as a scanner makes it)."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    scan = Image.new("L", (200, 100), color=255)
    scan.paste(0, (20, 20, 180, 40))  # a dark bar where the text was
    pdf = canvas.Canvas(str(path), pagesize=(400, 200))
    pdf.drawImage(ImageReader(scan), 0, 0, width=400, height=200)
    pdf.showPage()
    pdf.save()
    return path


def test_scanned_pdf_without_text_layer_is_an_error(
    fonts: dict[str, object], tmp_path: Path
) -> None:
    path = scanned_pdf(tmp_path / "scanned.pdf")
    with pytest.raises(InputError, match="no text layer"):
        read_plans([path])
    result = CliRunner().invoke(main, ["stats", str(path)])
    assert result.exit_code == 2
    assert "no text layer" in result.stderr and "OCR" in result.stderr


# -- the text parser on text as PDF extraction leaves it -------------------------------------


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize(
    "lose_tabs",
    [
        pytest.param(lambda line: re.sub(r"\t+", "  ", line), id="cells-separated-by-spaces"),
        pytest.param(
            lambda line: "\n".join(c for c in line.split("\t") if c.strip()),
            id="cells-on-separate-lines",
        ),
    ],
)
def test_seed_text_parser_copes_without_tabs(seed: Path, lose_tabs: Callable[[str], str]) -> None:
    text = seed.read_text(encoding="utf-8")
    expected = PlanGraphBuilder()
    parse_seed_text(text, "seed.txt", expected)
    without_tabs = "\n".join(lose_tabs(line) for line in text.splitlines())
    got = PlanGraphBuilder()
    assert parse_seed_text(without_tabs, "extracted.txt", got) == []
    assert graph_facts(got.graph) == graph_facts(expected.graph)


def test_scorecard_header_split_over_lines_keeps_the_upward_link_column() -> None:
    document = "\n".join(
        [
            "臺北市政府消防局",
            "108年度策略地圖與平衡計分卡",
            "消防局策略地圖",
            "策略目標 顧客 C AC1 保障市民安居生活",
            "",
            "KPI平衡計分卡",
            "府級策略目標",
            "策略目標",
            "KPI",
            "行動方案",
            "GC2 營造安全環境",
            "顧客 AC1保障市民安居生活",
            "AC1.1 燒燬事故商品鑑識通報率",
            "AC1.1.1 本局火災調查業務執行計畫",
        ]
    )
    builder = PlanGraphBuilder()
    assert parse_seed_text(document, "fire.txt", builder) == []
    objectives = [n for n, d in builder.graph.nodes(data=True) if d["kind"] == "Objective"]
    assert objectives == ["臺北市政府消防局@108:Objective:AC1"]
    links = builder.graph.nodes["臺北市政府消防局@108:Objective:AC1"]["links"]
    assert [(link["code"], link["name"]) for link in links] == [("GC2", "營造安全環境")]


def test_a_scanned_page_among_text_pages_is_reported_with_its_page(
    seed_pdfs: Callable[[Path, str], Path], tmp_path: Path
) -> None:
    import pypdfium2

    seed = SEEDS / "taipei-military-service-111-bsc.txt"
    document = pypdfium2.PdfDocument(seed_pdfs(seed, "row"))
    pages = len(document)
    document.import_pages(pypdfium2.PdfDocument(scanned_pdf(tmp_path / "scan.pdf")))
    document.save(tmp_path / "with-scan.pdf")
    result = read_plans([tmp_path / "with-scan.pdf"])
    [problem] = result.problems
    assert problem.message == (
        f"page {pages + 1}: an image without a text layer (scanned?); not read"
    )
    assert counts(result.graph) == counts(read_plans([seed]).graph)


def test_theme_and_group_rows_split_one_cell_per_line() -> None:
    row = ["策略主題", "A 營造永續環境", "G 精進健康安全"]
    groups = ["分組成員", "環保局(主政) 警察局、工務局", "衛生局(主政) 消防局、兵役局"]
    document = "臺北市政府兵役局\n111年策略地圖及平衡計分卡\n111年府級策略地圖\n"
    tabbed, split = PlanGraphBuilder(), PlanGraphBuilder()
    assert parse_seed_text(document + "\t".join(row) + "\n" + "\t".join(groups), "a", tabbed) == []
    assert parse_seed_text(document + "\n".join(row + groups), "b", split) == []
    assert graph_facts(split.graph) == graph_facts(tabbed.graph)
    lead = split.graph.edges["Organization:衛生局", "臺北市政府@111:Theme:G", "MEMBER_OF"]
    assert lead["lead"] is True
    assert split.graph.nodes["臺北市政府@111:Theme:A"]["name"] == "營造永續環境"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), max_size=4),
    end=st.floats(0.05, 1),
)
def test_broken_pdf_fails_only_with_input_errors(
    flips: list[tuple[float, int]],
    end: float,
    seed_pdfs: Callable[[Path, str], Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    data = bytearray(seed_pdfs(SEEDS / "taipei-military-service-111-bsc.txt", "row").read_bytes())
    for where, flip in flips:
        data[int(where * (len(data) - 1))] ^= flip
    path = tmp_path_factory.mktemp("broken") / "broken.pdf"
    path.write_bytes(bytes(data[: max(8, int(end * len(data)))]))
    try:
        result = read_plans([path])
    except InputError as err:
        assert str(err).startswith(str(path))
        return
    assert all(problem.file == str(path) for problem in result.problems)


# -- tables laid out one cell per line (as the "stacked" PDFs above) ----------------------------

STACKED_HEAD = [
    "臺北市政府環境保護局",
    "112年策略地圖及平衡計分卡",
    "環境保護局策略地圖",
    "策略目標\t顧客 C\tAC1 改善空氣品質\tAC2 減少噪音",
    "",
    "平衡計分卡",
    "A 推動淨零減碳",
]


def stacked(rows: list[str]) -> str:
    """The document of ``STACKED_HEAD`` and ``rows``, every cell on a line of its own."""
    lines: list[str] = []
    for row in STACKED_HEAD + rows:
        lines.extend([cell for cell in row.split("\t") if cell.strip()] or [""])
    return "\n".join(lines)


def stacked_read(rows: list[str]) -> tuple[PlanGraphBuilder, list[str]]:
    builder = PlanGraphBuilder()
    problems = parse_seed_text(stacked(rows), "env.txt", builder)
    return builder, [f"{p.line}: {p.message}" for p in problems]


def objective(builder: PlanGraphBuilder, code: str) -> dict:
    return builder.graph.nodes[f"臺北市政府環境保護局@112:Objective:{code}"]


def test_one_cell_per_line_link_sharing_its_objectives_code_is_the_link() -> None:
    builder, problems = stacked_read(
        [
            "府級策略目標\t策略目標\tKPI\t行動方案",
            "AC1 提升環境品質\t顧客 AC1 改善空氣品質\tAC1.1 PM2.5年平均濃度\tAC1.1.1 空污管制計畫",
        ]
    )
    assert problems == []
    ac1 = objective(builder, "AC1")
    assert (ac1["names"], [(k["code"], k["name"]) for k in ac1["links"]]) == (
        ["改善空氣品質"],
        [("AC1", "提升環境品質")],
    )


def test_one_cell_per_line_agency_code_alone_before_another_objective_is_a_problem() -> None:
    # AC1 alone: the link of AC2's row, or objective AC1 without KPI? Cells on one line each
    # cannot tell; the loader says so instead of choosing silently.
    rows = ["府級策略目標\t策略目標\tKPI\t行動方案", "AC1 提升環境品質", "顧客 AC2 減少噪音"]
    _, problems = stacked_read(rows)
    line = stacked(rows).splitlines().index("AC1 提升環境品質") + 1
    assert problems == [f"{line}: {problems[0].split(': ', 1)[1]}"]
    assert "AC1 stands alone before objective AC2" in problems[0]


def test_one_cell_per_line_dash_after_an_action_plan_is_no_upward_link() -> None:
    builder, problems = stacked_read(
        [
            "府級策略目標\t策略目標\tKPI\t行動方案",
            "GC2 營造安全環境\t顧客 AC1 改善空氣品質\tAC1.1 PM2.5年平均濃度\tAC1.1.1 空污管制計畫",
            "－\t顧客 AC2 減少噪音\tAC2.1 噪音陳情件數\tAC2.1.1 噪音稽查計畫",
        ]
    )
    assert problems == []
    assert [k["code"] for k in objective(builder, "AC1")["links"]] == ["GC2"]
    assert objective(builder, "AC2")["links"] == []


def test_one_cell_per_line_dash_after_a_kpi_before_an_objective_is_a_problem() -> None:
    # no action plan for AC1.1 (AC2 keeps GC2), or no upward link for AC2: a problem
    _, problems = stacked_read(
        [
            "府級策略目標\t策略目標\tKPI\t行動方案",
            "GC2 營造安全環境\t顧客 AC1 改善空氣品質\tAC1.1 PM2.5年平均濃度",
            "－",
            "顧客 AC2 減少噪音\tAC2.1 噪音陳情件數\tAC2.1.1 噪音稽查計畫",
        ]
    )
    assert len(problems) == 1 and "a dash alone after KPI AC1.1" in problems[0]


@pytest.mark.parametrize("listed_before", [True, False], ids=["shared", "misplaced"])
def test_one_cell_per_line_plan_after_another_kpi(listed_before: bool) -> None:
    first = "\tAC1.1.1 空污管制計畫" if listed_before else ""
    builder, problems = stacked_read(
        [
            "府級策略目標\t策略目標\tKPI\t行動方案",
            f"GC2 營造安全環境\t顧客 AC1 改善空氣品質\tAC1.1 PM2.5年平均濃度{first}",
            "AC1.2 良好日數比率\tAC1.1.1 空污管制計畫",
        ]
    )
    plan = "臺北市政府環境保護局@112:ActionPlan:AC1.1.1"
    supported = sorted(v.rsplit(":", 1)[1] for _, v, k in builder.graph.out_edges(plan, keys=True))
    if listed_before:  # listed again under AC1.2: shared, as the text reads it
        assert (supported, problems) == (["AC1.1", "AC1.2"], [])
    else:  # its code names AC1.1, it stands under AC1.2: placed by its code, and said so
        assert supported == ["AC1.1"]
        [problem] = problems
        assert "follows KPI AC1.2 but its code names KPI AC1.1" in problem


def test_one_cell_per_line_link_column_last_and_an_unmodelled_column() -> None:
    builder, problems = stacked_read(
        [
            "策略目標\tKPI\t衡量標準\t行動方案\t對應府級策略目標",
            "AC1 改善空氣品質\tAC1.1 PM2.5年平均濃度\t年平均值\tAC1.1.1 空污計畫\tGC2 營造安全環境",
            "AC2 減少噪音\tAC2.1 噪音陳情件數\t件數\tAC2.1.1 噪音稽查計畫\tGC1 促進市民健康",
        ]
    )
    assert problems == []
    kpi = builder.graph.nodes["臺北市政府環境保護局@112:KPI:AC1.1"]
    assert kpi["names"] == ["PM2.5年平均濃度"]
    assert [k["code"] for k in objective(builder, "AC1")["links"]] == ["GC2"]
    assert [k["code"] for k in objective(builder, "AC2")["links"]] == ["GC1"]


def test_one_cell_per_line_link_column_last_sharing_an_agency_code_is_a_problem() -> None:
    # the link of AC2's row is the city's AC1, a code of the agency's objectives too: after
    # AC2's plan, "AC1 提升環境品質" may as well open a row of objective AC1 without KPI
    _, problems = stacked_read(
        [
            "策略目標\tKPI\t行動方案\t對應府級策略目標",
            "AC2 減少噪音\tAC2.1 噪音陳情件數\tAC2.1.1 噪音稽查計畫\tAC1 提升環境品質",
        ]
    )
    assert len(problems) == 1 and "AC1 alone after the row of objective AC2" in problems[0]
