"""The planners' workbook: XLSX and CSV round trips of the real seeds, bad rows, Big5, template."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from facts import graph_facts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bscalign.cli import main
from bscalign.loaders import InputError, read_plans
from bscalign.loaders.spreadsheet import (
    REPORT_EVERY,
    TABLES,
    example_graph,
    looks_like_xlsx,
    spreadsheet_tables,
    write_csv,
    write_template,
    write_xlsx,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
#: Each seed alone, and both together (all four plans in one workbook).
SEED_SETS = [pytest.param([seed], id=seed.stem) for seed in SEED_FILES] + [
    pytest.param(SEED_FILES, id="both-seeds")
]


def test_seeds_are_there() -> None:
    assert len(SEED_FILES) == 2, f"expected the two seed texts in {SEEDS}"


@pytest.mark.parametrize("seeds", SEED_SETS)
def test_xlsx_export_loads_as_the_same_graph(seeds: list[Path], tmp_path: Path) -> None:
    original = read_plans(seeds)
    write_xlsx(original.graph, tmp_path / "plans.xlsx")
    loaded = read_plans([tmp_path / "plans.xlsx"])
    assert loaded.problems == []
    assert graph_facts(loaded.graph) == graph_facts(original.graph)


@pytest.mark.parametrize("seeds", SEED_SETS)
def test_csv_export_loads_as_the_same_graph(seeds: list[Path], tmp_path: Path) -> None:
    original = read_plans(seeds)
    write_csv(original.graph, tmp_path / "plans")
    loaded = read_plans([tmp_path / "plans"])
    assert loaded.problems == []
    assert graph_facts(loaded.graph) == graph_facts(original.graph)


def test_csv_tables_are_told_by_their_headers_and_load_in_table_order(tmp_path: Path) -> None:
    original = read_plans(SEED_FILES)
    written = write_csv(original.graph, tmp_path / "export")
    # names that say nothing, sorted so that organizations and kpis come before plans
    for number, path in enumerate(reversed(written)):
        shutil.copy(path, tmp_path / f"table-{number}.txt")
    renamed = sorted(tmp_path.glob("table-*.txt"))
    loaded = read_plans(renamed, input_format="csv")
    assert loaded.problems == []
    assert graph_facts(loaded.graph) == graph_facts(original.graph)


def test_big5_csv_from_excel_loads(tmp_path: Path) -> None:
    original = read_plans([SEEDS / "taipei-military-service-111-bsc.txt"])
    folder = tmp_path / "big5"
    for path in write_csv(original.graph, tmp_path / "utf8"):
        folder.mkdir(exist_ok=True)
        text = path.read_text(encoding="utf-8-sig")
        (folder / path.name).write_bytes(text.encode("cp950"))  # what Excel writes in Taiwan
    assert b"\xbbO\xa5_" in (folder / "plans.csv").read_bytes()  # 臺北 in Big5
    loaded = read_plans([folder])
    assert loaded.problems == []
    assert graph_facts(loaded.graph) == graph_facts(original.graph)


def test_cli_export_xlsx_and_csv_then_stats(tmp_path: Path) -> None:
    runner = CliRunner()
    book, folder = tmp_path / "seeds.xlsx", tmp_path / "seeds-csv"
    for fmt, output in (("xlsx", book), ("csv", folder)):
        result = runner.invoke(main, ["export", str(SEEDS), "--format", fmt, "-o", str(output)])
        assert result.exit_code == 0, result.output
    expected = json.loads(runner.invoke(main, ["stats", str(SEEDS), "--format", "json"]).stdout)
    for exported in (book, folder):
        result = runner.invoke(main, ["stats", str(exported), "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["plans"] == expected["plans"]
    assert "loading" not in result.stderr  # no progress bar when stderr is no terminal


def test_cli_export_xlsx_needs_an_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", str(SEED_FILES[0]), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "needs -o/--output" in result.stderr


def test_export_of_one_plan(tmp_path: Path) -> None:
    graph = read_plans(SEED_FILES).graph
    tables = spreadsheet_tables(graph, ["臺北市政府兵役局@111"])
    assert [row["plan"] for row in tables["plans"]] == ["臺北市政府兵役局@111"]
    assert len(tables["kpis"]) == 17
    assert {row["plan"] for table in tables.values() for row in table} == {"臺北市政府兵役局@111"}


# -- the template ----------------------------------------------------------------------------


def test_template_has_headers_example_rows_and_drop_downs(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["template", str(tmp_path / "plans.xlsx")])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "plans.xlsx")
    assert book.sheetnames == list(TABLES)
    for name, table in TABLES.items():
        sheet = book[name]
        assert [cell.value for cell in sheet[1]] == table.column_names
        assert all(cell.comment is not None for cell in sheet[1])
        assert sheet.max_row >= 2, f"{name} has no example row"
        validated = {
            sheet.cell(1, cell.min_col).value
            for validation in sheet.data_validations.dataValidation
            for cells in validation.sqref.ranges
            for cell in [cells]
        }
        assert validated == {column.name for column in table.columns if column.choices}
    objectives = book["objectives"]
    [perspective] = [
        v for v in objectives.data_validations.dataValidation if "C,P,L,F" in v.formula1
    ]
    assert perspective.type == "list" and perspective.showErrorMessage
    assert read_plans([tmp_path / "plans.xlsx"]).problems == []


def test_template_does_not_overwrite_without_force(tmp_path: Path) -> None:
    book = tmp_path / "filled.xlsx"
    book.write_bytes(b"a planner's work")
    assert CliRunner().invoke(main, ["template", str(book)]).exit_code == 2
    assert book.read_bytes() == b"a planner's work"
    assert CliRunner().invoke(main, ["template", str(book), "--force"]).exit_code == 0
    assert looks_like_xlsx(book)


def test_zip_that_is_no_workbook_is_not_xlsx(tmp_path: Path) -> None:
    archive = tmp_path / "slides.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", SEEDS)
    assert not looks_like_xlsx(archive)
    assert not looks_like_xlsx(SEED_FILES[0])


# -- bad rows --------------------------------------------------------------------------------


def filled_workbook(path: Path, rows: dict[str, list[list[object]]]) -> Path:
    """The template with ``rows`` appended to its sheets (rows start at row 4 in objectives)."""
    write_template(path)
    book = openpyxl.load_workbook(path)
    for name, extra in rows.items():
        for row in extra:
            book[name].append(row)
    book.save(path)
    return path


def test_every_bad_row_is_reported_with_sheet_row_and_column(tmp_path: Path) -> None:
    agency = "臺北市政府兵役局@111"
    book = filled_workbook(
        tmp_path / "book.xlsx",
        {
            "objectives": [
                [agency, "CC2", "強化替代役管理", None, None, "顧客"],  # good (row 4)
                [agency, "CC3", "提升服務品質", None, None, "Q"],  # bad perspective (row 5)
                [agency, None, "沒有代碼"],  # no code (row 6)
                ["臺北市政府兵役局", "CC4", "無年度"],  # plan without year (row 7)
                ["臺北市政府警察局@111", "AC1", "未列計畫"],  # plan not in plans (row 8)
                [agency, "CP1", "強化服務流程", None, None, "P", "maybe"],  # bad flag (row 9)
            ],
            "plans": [["臺北市政府環保局@111", "agency", "臺北市政府", "many"]],  # row 4
        },
    )
    result = read_plans([book])
    where = {(p.file.rsplit("/", 1)[-1], p.line): p.message for p in result.problems}
    assert set(where) == {
        ("book.xlsx[objectives]", 5),
        ("book.xlsx[objectives]", 6),
        ("book.xlsx[objectives]", 7),
        ("book.xlsx[objectives]", 8),
        ("book.xlsx[objectives]", 9),
        ("book.xlsx[plans]", 4),
    }
    assert where["book.xlsx[objectives]", 5].startswith(
        "column 'perspective': expected one of C, P, L, F"
    )
    assert "got 'Q'; row not loaded" in where["book.xlsx[objectives]", 5]
    assert where["book.xlsx[objectives]", 6].startswith("column 'code': expected a value")
    assert "expected organization@year" in where["book.xlsx[objectives]", 7]
    assert "expected a plan listed in the plans table" in where["book.xlsx[objectives]", 8]
    assert "column 'new': expected yes or empty, got 'maybe'" in where["book.xlsx[objectives]", 9]
    assert "column 'declared_themes': expected a whole number" in where["book.xlsx[plans]", 4]
    objectives = {
        data["code"]
        for data in result.graph.nodes.values()
        if data.get("plan") == agency and data["kind"] == "Objective"
    }
    assert objectives == {"CC1", "CC2"}  # the example row and the good row
    assert result.graph.nodes[f"{agency}:Objective:CC2"]["perspective"] == "C"


def test_bad_csv_rows_name_the_file_row_and_column(tmp_path: Path) -> None:
    write_csv(example_graph(), tmp_path)
    with (tmp_path / "kpis.csv").open("a", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["臺北市政府兵役局@111", "CC1.2", "役男滿意度", "", "CC1", "", "", ""])
        writer.writerow(["臺北市政府兵役局@111", "CC1 .3", "有空白的代碼", "", "CC1"])
    result = read_plans([tmp_path])
    [problem] = result.problems
    assert (Path(problem.file).name, problem.line) == ("kpis.csv", 4)
    assert problem.message == (
        "column 'code': expected one code without spaces, e.g. AC1.1, got 'CC1 .3'; row not loaded"
    )
    assert "臺北市政府兵役局@111:KPI:CC1.2" in result.graph


def test_unknown_columns_and_sheets_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    book["kpis"].cell(1, 12, "target")
    book.create_sheet("說明").append(["請依範例填寫"])
    book.save(path)
    messages = sorted((Path(p.file).name, p.line, p.message) for p in read_plans([path]).problems)
    assert messages == [
        ("book.xlsx[kpis]", 1, messages[0][2]),
        ("book.xlsx[說明]", 1, messages[1][2]),
    ]
    assert messages[0][2].startswith("unknown column 'target' (expected one of: plan, code")
    assert "none of the tables" in messages[1][2]


def test_csv_whose_table_cannot_be_told_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("plan,code,name\n臺北市政府@111,GC2,營造安全環境\n", encoding="utf-8")
    with pytest.raises(InputError, match="name the file after its table"):
        read_plans([path])


# -- large inputs ----------------------------------------------------------------------------


def test_progress_is_reported_while_a_large_csv_loads(tmp_path: Path) -> None:
    agency = "臺北市政府兵役局@111"
    write_csv(example_graph(), tmp_path)
    with (tmp_path / "action_plans.csv").open("a", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        for number in range(3 * REPORT_EVERY):
            writer.writerow([agency, f"CC1.1.{number + 2}", f"行動方案{number}", "", "CC1.1"])
    seen: list[tuple[int, int]] = []
    result = read_plans([tmp_path], progress_to=lambda done, total: seen.append((done, total)))
    assert result.problems == []
    in_all = sum(path.stat().st_size for path in tmp_path.iterdir())
    assert {total for _, total in seen} == {in_all}
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (in_all, in_all)
    assert len(seen) > len(TABLES) + 2  # reports from inside the large file, not only per file


# -- broken workbooks ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), max_size=4),
    end=st.floats(0.05, 1),
)
def test_broken_xlsx_fails_only_with_input_errors(
    cuts: list[tuple[float, int]], end: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("broken")
    write_template(folder / "good.xlsx")
    data = bytearray((folder / "good.xlsx").read_bytes())
    for where, flip in cuts:
        data[int(where * (len(data) - 1))] ^= flip
    path = folder / "broken.xlsx"
    path.write_bytes(bytes(data[: max(4, int(end * len(data)))]))
    try:
        result = read_plans([path])
    except InputError as err:
        assert str(err).startswith(str(path))
        return
    assert all(problem.file.startswith(str(path)) for problem in result.problems)


def test_excel_unicode_text_utf16_tab_separated_loads(tmp_path: Path) -> None:
    original = read_plans([SEEDS / "taipei-military-service-111-bsc.txt"])
    for name, rows in spreadsheet_tables(original.graph).items():
        columns = TABLES[name].column_names
        with (tmp_path / f"{name}.txt").open("w", encoding="utf-16", newline="") as stream:
            writer = csv.writer(stream, dialect=csv.excel_tab)
            writer.writerow(columns)
            writer.writerows([row[column] for column in columns] for row in rows)
    loaded = read_plans([tmp_path])
    assert loaded.problems == []
    assert graph_facts(loaded.graph) == graph_facts(original.graph)


def test_readme_lists_the_workbook_columns() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name, table in TABLES.items():
        [row] = [line for line in readme.splitlines() if line.startswith(f"| `{name}` |")]
        listed = [cell.split(" (")[0].strip() for cell in row.split("|")[2].split(",")]
        assert listed == table.column_names, name
