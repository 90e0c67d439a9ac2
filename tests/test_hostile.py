"""Hostile and unlucky input: every attempt of the safety review, as a test.

Each test is one attempt (or a family of them) tried as an attacker or an unlucky user
would: it asserts the right result or bscalign's own one-line error with the documented
exit code (2: usage, unreadable input, unwritable output; 1: load problems), never a
traceback, nothing lost silently and no partial file. Attempts on the Neo4j push live in
``test_neo4j_store.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import EXAMPLES
from facts import graph_facts

from bscalign.cli import main
from bscalign.graph import schema as s
from bscalign.loaders import InputError, read_plans


def run(*args: object) -> Result:
    """Run the CLI in-process; an exception escaping it fails the test (a traceback)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def run_process(*args: object, limit_memory: int | None = None) -> subprocess.CompletedProcess:
    """Run ``bscalign`` as a user does, optionally under an address-space limit (bytes)."""
    code = "from bscalign.cli import main; main()"
    preexec = None
    if limit_memory is not None:

        def preexec() -> None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))

    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,  # a guard against hangs, not a measurement
        preexec_fn=preexec,
    )


def one_line_error(result: Result | subprocess.CompletedProcess, code: int) -> str:
    """Assert exit ``code`` and bscalign's own error on stderr; return stderr."""
    exit_code = getattr(result, "exit_code", None)
    exit_code = result.returncode if exit_code is None else exit_code
    assert exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    assert "bscalign: error:" in result.stderr or "bscalign: problem:" in result.stderr
    return result.stderr


def yaml_file(folder: Path, body: str, name: str = "plans.yaml") -> Path:
    path = folder / name
    path.write_text("bscalign: 1\n" + body, encoding="utf-8")
    return path


# -- YAML: nothing dropped or rewritten silently -----------------------------------------------


def test_duplicate_yaml_keys_are_problems_at_their_line(tmp_path: Path) -> None:
    doc = yaml_file(
        tmp_path,
        "plans:\n- {organization: 臺北市政府測試局, year: '110'}\n"
        "plans:\n- organization: 臺北市政府消防局\n  year: '108'\n  objectives:\n"
        "  - {code: AC1, name: 第一個名稱, name: 第二個名稱}\n",
    )
    result = read_plans([doc])
    messages = [str(p) for p in result.problems]
    assert any(m.startswith(f"{doc}:4: key 'plans' written twice") for m in messages)
    assert any(m.startswith(f"{doc}:8: key 'name' written twice") for m in messages)
    assert "first at line 2" in messages[0]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("[a, b]", "got a list"),
        ("{a: 1}", "got a mapping"),
        ("true", "got a yes/no value (true)"),
        ("1.10", "got a decimal number (1.1; quote it to keep it as written)"),
    ],
)
def test_a_wrong_typed_name_is_a_problem_naming_field_type_and_line(
    tmp_path: Path, value: str, said: str
) -> None:
    doc = yaml_file(
        tmp_path,
        "plans:\n- organization: 臺北市政府消防局\n  year: '108'\n  objectives:\n"
        f"  - {{code: AC1, name: 提升市民安全}}\n  - code: AC2\n    name: {value}\n",
    )
    result = read_plans([doc])
    assert [str(p) for p in result.problems] == [f"{doc}:7: 'name' must be text, {said}; not read"]
    objective = result.graph.nodes[s.node_id(s.OBJECTIVE, "臺北市政府消防局@108", "AC2")]
    assert objective["name"] in ("", None)  # no Python repr stored as a name


def test_a_list_where_a_code_belongs_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    doc = yaml_file(
        tmp_path,
        "plans:\n- organization: 臺北市政府消防局\n  year: '108'\n  objectives:\n"
        "  - {code: AC1, name: 提升市民安全, theme: [G], new: 'no'}\n",
    )
    result = run("stats", doc)
    stderr = one_line_error(result, 1)
    assert f"{doc}:6: 'theme' must be text, got a list" in stderr
    assert f"{doc}:6: 'new' must be true or false, got text 'no'" in stderr


def test_a_bare_code_under_themes_is_reported_at_its_own_line(tmp_path: Path) -> None:
    doc = yaml_file(
        tmp_path,
        "plans:\n- organization: 臺北市政府\n  year: '108'\n  level: city\n  themes:\n"
        "  - {code: A, name: 打造宜居永續城市}\n  - G\n",
    )
    (problem,) = read_plans([doc]).problems
    assert str(problem).startswith(f"{doc}:8: Theme entry must be a mapping")
    assert "'G'" in problem.message


def test_a_null_reason_is_not_stored_as_none(tmp_path: Path) -> None:
    doc = yaml_file(
        tmp_path,
        "plans:\n- organization: 臺北市政府消防局\n  year: '108'\n  objectives:\n"
        "  - {code: AC1, name: 提升市民安全, suppress: [{rule: orphan-kpi, reason: null}]}\n",
    )
    result = read_plans([doc])
    node = result.graph.nodes[s.node_id(s.OBJECTIVE, "臺北市政府消防局@108", "AC1")]
    assert node["suppress"] == [{"rule": "orphan-kpi", "reason": ""}]


# -- YAML: bombs are refused quickly ------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\nplans:\n- organization: 臺北\n  year: 1\n  name: *a8\n"


def test_billion_laughs_is_refused_naming_the_limit(tmp_path: Path) -> None:
    doc = yaml_file(tmp_path, billion_laughs())
    assert doc.stat().st_size < 700
    result = run_process("stats", doc, limit_memory=1024**3)
    stderr = one_line_error(result, 2)
    assert "YAML aliases expand the document" in stderr and "(limit 100,000)" in stderr


def test_a_few_aliases_still_load(tmp_path: Path) -> None:
    doc = yaml_file(
        tmp_path,
        "plans:\n- organization: 臺北市政府消防局\n  year: '108'\n  objectives:\n"
        "  - {code: AC1, name: &n 提升市民安全}\n  - {code: AC2, name: *n}\n",
    )
    result = read_plans([doc])
    assert result.problems == []
    assert result.graph.nodes[s.node_id(s.OBJECTIVE, "臺北市政府消防局@108", "AC2")]["name"]


@pytest.mark.parametrize("depth", [250, 5000])
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path, depth: int) -> None:
    doc = yaml_file(
        tmp_path,
        "plans:\n- organization: 臺北市政府消防局\n  year: '108'\n  objectives:\n"
        f"  - code: AC1\n    name: {'[' * depth}{']' * depth}\n",
    )
    with pytest.raises(InputError, match="nest"):  # ours at 64, libyaml's own at 1,000
        read_plans([doc])
    one_line_error(run("stats", doc), 2)


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    doc = yaml_file(tmp_path, "loop: &loop [*loop]\nplans: []\n")
    with pytest.raises(InputError):
        read_plans([doc])


# -- exports carry no formulas ----------------------------------------------------------------

FORMULA_NAMES = [
    '=HYPERLINK("http://example.com","點我")',
    "+886 專線",
    "-2 減量",
    "@SUM(1)",
    "\t=1+2 縮排",
    "\r@SUM(2)",
    "'=3 已加撇號",
    " 前後空白 ",
]


def formula_plans(folder: Path) -> Path:
    """An agency whose organization and names would all run as formulas (or start with a
    tab, a carriage return, an apostrophe or a space: all must come back as written)."""
    objectives = "".join(
        f"  - {{code: AC{n}, name: {json.dumps(name)}}}\n"
        for n, name in enumerate(FORMULA_NAMES, 1)
    )
    return yaml_file(
        folder,
        "plans:\n- organization: '=1+1'\n  year: '108'\n  objectives:\n"
        + objectives
        + "  kpis:\n  - {code: AC1.1, name: '=cmd|'' /C calc''!A0', objective: AC1}\n"
        + "- organization: \"\\t-2 機關\"\n  year: '108'\n  objectives:\n"
        + '  - {code: AC1, name: "\\r+1 目標"}\n',
    )


def xlsx_formulas(book: Path) -> list[str]:
    """Every formula element in a workbook's sheets."""
    with zipfile.ZipFile(book) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        return [f for n in sheets for f in re.findall(rb"<f[ >].*?</f>", archive.read(n))]


def test_xlsx_export_writes_string_cells_and_loads_back_whole(tmp_path: Path) -> None:
    original = read_plans([formula_plans(tmp_path)])
    assert original.problems == []
    book = tmp_path / "out.xlsx"
    assert run("export", tmp_path / "plans.yaml", "--format", "xlsx", "-o", book).exit_code == 0
    assert xlsx_formulas(book) == []
    again = read_plans([book])
    assert again.problems == []
    assert graph_facts(again.graph) == graph_facts(original.graph)
    assert again.graph.nodes[s.plan_node_id("=1+1@108")]["organization"] == "=1+1"
    assert again.graph.nodes[s.plan_node_id("\t-2 機關@108")]["organization"] == "\t-2 機關"


def test_csv_export_prefixes_formula_fields_and_loads_back_exactly(tmp_path: Path) -> None:
    original = read_plans([formula_plans(tmp_path)])
    folder = tmp_path / "tables"
    assert run("export", tmp_path / "plans.yaml", "--format", "csv", "-o", folder).exit_code == 0
    for table in folder.glob("*.csv"):
        with table.open(encoding="utf-8-sig", newline="") as stream:
            for row in csv.reader(stream):
                assert not any(field.startswith(("=", "+", "-", "@", "\t", "\r")) for field in row)
    objectives = (folder / "objectives.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1@108" in objectives and "'@SUM(1)" in objectives
    again = read_plans([folder])
    assert again.problems == []
    assert graph_facts(again.graph) == graph_facts(original.graph)
    names = {d.get("name") for _, d in again.graph.nodes(data=True)}
    assert set(FORMULA_NAMES) <= names and "\r+1 目標" in names


@pytest.mark.parametrize("command", ["audit", "stats"])
def test_csv_output_of_every_command_holds_no_formula(tmp_path: Path, command: str) -> None:
    result = run(command, formula_plans(tmp_path), "--format", "csv")
    assert result.exit_code in (0, 1), result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) > 1
    for row in rows:
        assert not any(field.startswith(("=", "+", "-", "@", "\t", "\r")) for field in row), row


def test_report_workbook_holds_no_formula(tmp_path: Path) -> None:
    book = tmp_path / "report.xlsx"
    run("report", formula_plans(tmp_path), "-o", book)
    assert book.exists() and xlsx_formulas(book) == []


def test_formula_cells_of_a_workbook_are_read_as_text_and_reported(tmp_path: Path) -> None:
    book = tmp_path / "by-hand.xlsx"
    workbook = openpyxl.Workbook()
    plans_sheet = workbook.active
    plans_sheet.title = "plans"
    plans_sheet.append(["plan", "level"])
    plans_sheet.append(["臺北市政府消防局@108", "agency"])
    objectives = workbook.create_sheet("objectives")
    objectives.append(["plan", "code", "name"])
    objectives.append(["臺北市政府消防局@108", "AC1", '="提升"&"安全"'])
    workbook.save(book)
    result = read_plans([book])
    (problem,) = result.problems
    assert problem.file == f"{book}[objectives]" and problem.line == 2
    assert "column 'name': a formula" in problem.message
    node = result.graph.nodes[s.node_id(s.OBJECTIVE, "臺北市政府消防局@108", "AC1")]
    assert node["name"] == '="提升"&"安全"'  # read as written, never emptied


# -- folders: one bad file does not stop the others ---------------------------------------------


@pytest.fixture
def unreadable(monkeypatch: pytest.MonkeyPatch):
    """Make a file or folder unreadable: by its mode, or (as root, who reads anything) by
    having the operating system's calls refuse it as they would."""
    import os
    import pathlib

    locked: list[Path] = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(0)
            locked.append(path)
            return
        if path.is_dir():
            real_scandir = os.scandir

            def scandir(top: object = ".") -> object:
                if Path(os.fsdecode(top)) == path:
                    raise PermissionError(13, "Permission denied", str(path))
                return real_scandir(top)

            monkeypatch.setattr(os, "scandir", scandir)
        else:
            real_read_bytes = pathlib.Path.read_bytes

            def read_bytes(self: Path) -> bytes:
                if self == path:
                    raise PermissionError(13, "Permission denied", str(path))
                return real_read_bytes(self)

            monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)

    yield make
    for path in locked:
        path.chmod(0o755)  # so that pytest can remove it


def agencies_folder(folder: Path) -> Path:
    """A folder of good plans (the shipped examples) to put bad files beside."""
    target = folder / "plans"
    shutil.copytree(EXAMPLES, target)
    return target


def test_an_unrecognised_file_is_a_problem_and_the_rest_loads(tmp_path: Path) -> None:
    folder = agencies_folder(tmp_path)
    (folder / "notes.txt").write_text("會議紀錄：下週再議\n", encoding="utf-8")
    (folder / "broken.yaml").write_text("bscalign: 1\nplans: [\n", encoding="utf-8")
    result = run("stats", folder, "--format", "json")
    stderr = one_line_error(result, 1)
    assert f"{folder / 'notes.txt'}:1: not a plan" in stderr and "file not loaded" in stderr
    assert f"{folder / 'broken.yaml'}:" in stderr
    loaded = {plan["id"] for plan in json.loads(result.stdout)["plans"]}
    assert "臺北市政府消防局@108" in loaded and "臺北市政府兵役局@111" in loaded
    # named on its own, the same file is an input error
    one_line_error(run("stats", folder / "notes.txt"), 2)


def test_an_unreadable_subfolder_or_file_is_a_problem_not_a_skip(
    tmp_path: Path, unreadable
) -> None:
    folder = agencies_folder(tmp_path)
    (folder / "locked").mkdir()
    (folder / "locked" / "more.yaml").write_text("bscalign: 1\nplans: []\n", encoding="utf-8")
    (folder / "secret.yaml").write_text("bscalign: 1\nplans: []\n", encoding="utf-8")
    unreadable(folder / "locked")
    unreadable(folder / "secret.yaml")
    result = run("stats", folder)
    stderr = one_line_error(result, 1)
    assert f"{folder / 'locked'}:1: folder cannot be read (Permission denied)" in stderr
    assert f"{folder / 'secret.yaml'}:1: cannot be read (Permission denied)" in stderr
    assert "臺北市政府消防局@108" in result.stdout


def test_a_csv_row_with_an_unclosed_quote_is_a_problem_and_later_rows_load(
    tmp_path: Path,
) -> None:
    plans_csv = tmp_path / "plans.csv"
    plans_csv.write_text("plan,level\n臺北市政府消防局@108,agency\n", encoding="utf-8")
    objectives = tmp_path / "objectives.csv"
    objectives.write_text(
        "plan,code,name,also_named\n"
        '臺北市政府消防局@108,AC1,"提升市民安全,\n'
        "臺北市政府消防局@108,AC2,強化救災效能,\n"
        '臺北市政府消防局@108,AC3,"名稱\n跨兩行",\n'
        "臺北市政府消防局@108,AC4,精進救護品質,\n",
        encoding="utf-8",
    )
    result = read_plans([tmp_path])
    (problem,) = result.problems
    assert problem.file == str(objectives) and problem.line == 2
    assert "quote opened in this row is not closed" in problem.message
    names = {
        data["code"]: data["name"]
        for _, data in result.graph.nodes(data=True)
        if data["kind"] == s.OBJECTIVE
    }
    assert names == {"AC2": "強化救災效能", "AC3": "名稱\n跨兩行", "AC4": "精進救護品質"}


# -- limits: refused quickly, naming the limit ---------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_and_the_option_raises_it(tmp_path: Path) -> None:
    doc = shutil.copy(EXAMPLES / "taipei-fire-108.yaml", tmp_path / "fire.yaml")
    stderr = one_line_error(run("stats", doc, "--max-input-size", "4K"), 2)
    assert "over the input size limit of 4,096 bytes (4 KiB)" in stderr
    assert "--max-input-size" in stderr
    assert run("stats", doc, "--max-input-size", "1M").exit_code == 0
    assert run("stats", doc, "--max-input-size", "lots").exit_code == 2


def stats_in_a_gibibyte(book: Path, code: int) -> str:
    """``bscalign stats book`` run under 1 GiB of address space: assert exit ``code`` and a
    one-line error (no MemoryError), return stderr."""
    return one_line_error(run_process("stats", book, limit_memory=1024**3), code)


def zip_bomb(
    path: Path,
    sheet_xml: bytes,
    shared_strings: bytes | None = None,
    parts: dict[str, bytes] | None = None,
) -> Path:
    """A workbook with ``sheet_xml`` as its one sheet, if given ``shared_strings`` (``<si>``
    elements) as its shared-string table, and any other ``parts`` (name -> content), all
    compressed: small on disk."""
    content_types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        b'worksheet+xml"/>%s</Types>'
    ) % (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
        b'formats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings is not None
        else b""
    )
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        b"</Relationships>"
    )
    workbook = (
        b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="objectives" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        b"</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            archive.writestr(
                "xl/sharedStrings.xml",
                b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                b'2006/main">' + shared_strings + b"</sst>",
            )
        for name, content in (parts or {}).items():
            archive.writestr(name, content)
    return path


SHEET = (
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main">%s<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>plan</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>code</t></is></c><c r="C1" t="inlineStr"><is><t>name</t>'
    b"</is></c></row>%s</sheetData></worksheet>"
)


def test_a_workbook_unpacking_past_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    spaces = b" " * (60 * 1024 * 1024)  # what would have been 4 GiB: same refusal, sooner
    book = zip_bomb(tmp_path / "bomb.xlsx", SHEET % (b"", b"<row r='2'>" + spaces + b"</row>"))
    assert book.stat().st_size < 200_000
    stderr = stats_in_a_gibibyte(book, 2)
    assert "unpacks to 62,9" in stderr and "over the input size limit of 52,428,800 bytes" in stderr


def test_a_cell_in_column_xfd_on_every_row_is_refused_naming_the_limit(tmp_path: Path) -> None:
    # The reproduction: 400,000 rows with a name and a cell in Excel's last column, no
    # declared size (2.9 MB). openpyxl alone read it for 396 s and said nothing.
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>nobody@1</t></is></c>'
        b'<c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n, n)
        for n in range(2, 400_002)
    )
    book = zip_bomb(tmp_path / "wide.xlsx", SHEET % (b"", rows))
    problem = (
        f"bscalign: problem: {book}[objectives]:1: the sheet has a cell in column XFD (column "
        "16,384), over the limit of 1,000 columns; not read"
    )
    assert problem in stats_in_a_gibibyte(book, 1).splitlines()


def test_a_row_far_down_is_refused_not_read_as_a_million_empty_rows(tmp_path: Path) -> None:
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    book = zip_bomb(tmp_path / "far.xlsx", SHEET % (b"", far))
    (problem,) = read_plans([book]).problems
    assert (problem.file, problem.line) == (f"{book}[objectives]", 1)
    assert problem.message == (
        "the sheet has a row 1,048,576, over the limit of 100,000 rows a sheet "
        "(raise it with --max-sheet-rows); not read"
    )


def exported_workbook(folder: Path) -> tuple[Path, dict]:
    """The fire department's example plan as a workbook, and the facts of its graph."""
    book = folder / "fire.xlsx"
    assert (
        run("export", EXAMPLES / "taipei-fire-108.yaml", "--format", "xlsx", "-o", book).exit_code
        == 0
    )
    return book, graph_facts(read_plans([EXAMPLES / "taipei-fire-108.yaml"]).graph)


def rewrite_part(book: Path, part: str, change) -> None:
    """Replace the part ``part`` of a workbook by ``change(its bytes)``."""
    with zipfile.ZipFile(book) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            archive.writestr(info, change(data) if info.filename == part else data)


@pytest.mark.parametrize("declared", [b"A1:XFD1048576", b"A1:A1"])
def test_a_declared_size_is_measured_not_trusted(tmp_path: Path, declared: bytes) -> None:
    book, facts = exported_workbook(tmp_path)
    rewrite_part(
        book,
        "xl/worksheets/sheet3.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="%s"' % declared, xml),
    )
    result = read_plans([book])
    assert result.problems == []
    assert graph_facts(result.graph) == facts


@pytest.mark.parametrize(
    ("option", "unit"), [("--max-sheet-rows", "rows"), ("--max-sheet-cells", "cells")]
)
def test_sheet_limits_are_named_and_raised_by_their_option(
    tmp_path: Path, option: str, unit: str
) -> None:
    book, _ = exported_workbook(tmp_path)
    stderr = one_line_error(run("stats", book, option, "12"), 1)
    assert "[objectives]:1: the sheet " in stderr
    assert f"over the limit of 12 {unit} a sheet (raise it with {option}); not read" in stderr
    variable = "BSCALIGN_" + option.removeprefix("--").replace("-", "_").upper()
    by_variable = CliRunner().invoke(main, ["stats", str(book)], env={variable: "12"})
    assert by_variable.exit_code == 1 and f"over the limit of 12 {unit}" in by_variable.stderr
    assert run("stats", book, option, "100000").exit_code == 0
    assert run("stats", book, option, "0").exit_code == 2


def test_a_shared_string_table_past_the_cell_limit_is_refused(tmp_path: Path) -> None:
    # 3.8 million empty strings (49 MB unpacked) took openpyxl 161 s and 440 MB.
    strings = b"<si><t/></si>" * 3_800_000
    book = zip_bomb(tmp_path / "strings.xlsx", SHEET % (b"", b""), shared_strings=strings)
    assert book.stat().st_size < 200_000
    stderr = stats_in_a_gibibyte(book, 2)
    assert stderr.startswith(f"bscalign: error: {book}: the workbook's shared-string table")
    assert "more than 500,000 strings, over the limit of 500,000 cells a sheet" in stderr
    assert "(raise it with --max-sheet-cells)" in stderr


def test_a_styles_part_of_a_million_styles_is_refused(tmp_path: Path) -> None:
    # A million empty cell styles (5 MB unpacked, 9 KB on disk) took openpyxl 23 s of CPU
    # and 619 MB: it parses the styles part whole, into a tree.
    styles = (
        b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><cellXfs>' + b"<xf/>" * 1_000_000 + b"</cellXfs></styleSheet>"
    )
    parts = {"xl/styles.xml": styles}
    book = zip_bomb(tmp_path / "styles.xlsx", SHEET % (b"", b""), parts=parts)
    assert (
        "its part xl/styles.xml holds more than 150,000 XML elements, over the limit of 150,000 "
        "for a part other than a sheet or the shared strings"
    ) in stats_in_a_gibibyte(book, 2)


def test_a_document_type_declaration_in_a_sheet_is_refused(tmp_path: Path) -> None:
    entity = b'<!DOCTYPE worksheet [<!ENTITY far "XFD">]>'
    row = b'<row r="2"><c r="&far;2" t="inlineStr"><is><t>x</t></is></c></row>'
    book = zip_bomb(
        tmp_path / "dtd.xlsx", entity.join((SHEET % (b"", row)).split(b"<worksheet", 1))
    )
    (problem,) = read_plans([book]).problems
    assert "it declares a document type (<!DOCTYPE>), which no spreadsheet program writes" in (
        problem.message
    )


@pytest.mark.parametrize("where", ["xlsx", "csv"])
def test_a_cell_under_no_header_is_a_problem_naming_it(tmp_path: Path, where: str) -> None:
    plans = EXAMPLES / "taipei-fire-108.yaml"
    out = tmp_path / ("fire.xlsx" if where == "xlsx" else "tables")
    assert run("export", plans, "--format", where, "-o", out).exit_code == 0
    if where == "xlsx":
        workbook = openpyxl.load_workbook(out)
        sheet = workbook["objectives"]
        sheet.cell(row=3, column=sheet.max_column + 2, value="備註：待確認")
        workbook.save(out)
        where_found = f"{out}[objectives]"
    else:
        table = out / "objectives.csv"
        lines = table.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        lines[2] = lines[2].rstrip("\r\n") + ",,備註：待確認\r\n"
        table.write_text("".join(lines), encoding="utf-8-sig")
        where_found = str(table)
    result = read_plans([out])
    (problem,) = result.problems
    assert (problem.file, problem.line) == (where_found, 3)
    assert problem.message == (
        "cell L3 ('備註：待確認') in a column with no name in row 1; not read "
        "(name the column or clear the cell)"
    )
    assert graph_facts(result.graph) == graph_facts(read_plans([plans]).graph)  # the row loads


@pytest.mark.parametrize("where", ["yaml", "xlsx", "csv"])
def test_a_name_longer_than_the_limit_is_refused_naming_it(tmp_path: Path, where: str) -> None:
    long_name = "長" * 10_001
    graph_input = yaml_file(
        tmp_path,
        "plans:\n- organization: 臺北市政府消防局\n  year: '108'\n  objectives:\n"
        f"  - {{code: AC1, name: 提升市民安全}}\n  - {{code: AC2, name: {long_name}}}\n",
    )
    if where != "yaml":
        text = graph_input.read_text(encoding="utf-8").replace(long_name, "短")
        graph_input.write_text(text, encoding="utf-8")
        out = tmp_path / ("out.xlsx" if where == "xlsx" else "tables")
        assert run("export", graph_input, "--format", where, "-o", out).exit_code == 0
        if where == "xlsx":
            workbook = openpyxl.load_workbook(out)
            workbook["objectives"]["C3"] = long_name
            workbook.save(out)
        else:
            table = out / "objectives.csv"
            table.write_text(table.read_text(encoding="utf-8-sig").replace("短", long_name))
        graph_input.unlink()
        graph_input = out
    result = read_plans([graph_input])
    (problem,) = result.problems
    assert "10,001 characters long (limit 10,000)" in problem.message
    assert problem.line == (7 if where == "yaml" else 3)
    codes = {d["code"] for _, d in result.graph.nodes(data=True) if d["kind"] == s.OBJECTIVE}
    assert codes == {"AC1"}


# -- Markdown and HTML: names are data ------------------------------------------------------------

HOSTILE_NAMES = [
    "x\n# heading\n[l](javascript:alert(1))",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "`code` **bold** _under_ ~~gone~~ a|b &amp;",
    "- 1) list\n> quote\n===",
]


def hostile_plans(folder: Path) -> Path:
    """A city map and an agency whose names try every Markdown and HTML construct; its
    upward links dangle, so the names appear in findings too."""
    quoted = [
        name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        for name in HOSTILE_NAMES
    ]
    objectives = "".join(
        f'  - {{code: AC{n}, name: "{name}", aligns_to: [{{code: GX{n}, name: "{name}"}}]}}\n'
        for n, name in enumerate(quoted, 1)
    )
    return yaml_file(
        folder,
        "plans:\n- {organization: 臺北市政府, year: '108', level: city, objectives: "
        "[{code: GC1, name: 市民安全}]}\n"
        f"- organization: \"{quoted[0]}\"\n  year: '108'\n  city: 臺北市政府\n  objectives:\n"
        + objectives,
    )


def rendered_tags(markdown: str) -> set[str]:
    """The HTML tags a CommonMark renderer (with GitHub's tables) makes of ``markdown``."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    return set(re.findall(r"<([a-z0-9]+)", html))


def test_markdown_audit_keeps_hostile_names_as_text(tmp_path: Path) -> None:
    result = run("audit", hostile_plans(tmp_path), "--format", "markdown", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    assert rendered_tags(result.stdout) <= {"table", "thead", "tbody", "tr", "th", "td", "br"}
    cells = [len(re.split(r"(?<!\\)\|", line)) for line in result.stdout.splitlines()]
    # every row has the header's columns: none broken or widened by a name
    assert len(cells) > 2 and set(cells) == {cells[0]}


def test_markdown_report_keeps_hostile_names_as_text(tmp_path: Path) -> None:
    out = tmp_path / "audit.md"
    run("report", hostile_plans(tmp_path), "-o", out)
    text = out.read_text(encoding="utf-8")
    assert "javascript:alert" in text  # the names are there, as text
    tags = rendered_tags(text)
    assert tags <= {
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "p",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
    }
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert not any("heading" in line and "\\#" not in line for line in headings)


def test_html_report_escapes_hostile_names(tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    run("report", hostile_plans(tmp_path), "-o", out)
    page = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# -- outputs: whole or not at all, and a one-line error when they cannot be written -------------

#: Every command that writes a file with -o (or a path argument), as arguments after the input.
WRITERS = {
    "export-yaml": ("export", "{input}", "--format", "yaml", "-o", "{out}.yaml"),
    "export-xlsx": ("export", "{input}", "--format", "xlsx", "-o", "{out}.xlsx"),
    "export-csv": ("export", "{input}", "--format", "csv", "-o", "{out}"),
    "export-pptx": ("export", "{input}", "--format", "pptx", "-o", "{out}.pptx"),
    "template": ("template", "{out}.xlsx", "--force"),
    "view": ("view", "{input}", "-o", "{out}.html"),
    "report-md": ("report", "{input}", "-o", "{out}.md"),
    "report-html": ("report", "{input}", "-o", "{out}.html"),
    "report-xlsx": ("report", "{input}", "-o", "{out}.xlsx"),
}


def writer_args(name: str, out: Path | str) -> list[str]:
    fire = EXAMPLES / "taipei-fire-108.yaml"
    return [a.format(input=fire, out=out) for a in WRITERS[name]]


def output_of(args: list[str]) -> Path:
    return Path(next(a for a in reversed(args) if not a.startswith("--")))


@pytest.mark.parametrize("name", WRITERS)
def test_output_into_a_missing_folder_is_a_one_line_error(tmp_path: Path, name: str) -> None:
    args = writer_args(name, tmp_path / "no" / "such" / "out")
    if name == "export-csv":  # a folder of tables: its parents are created
        assert run(*args).exit_code == 0
        return
    stderr = one_line_error(run(*args), 2)
    assert f"{tmp_path / 'no' / 'such'}" in stderr and "cannot write" in stderr


@pytest.mark.parametrize("name", WRITERS)
def test_output_into_a_read_only_folder_is_a_one_line_error(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import tempfile

    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: have the system refuse as it would

        def refuse(*_args: object, **_kwargs: object) -> object:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
        monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    else:
        folder.chmod(0o555)
    stderr = one_line_error(run(*writer_args(name, folder / "out")), 2)
    assert "cannot write (Permission denied)" in stderr
    folder.chmod(0o755)
    assert list(folder.iterdir()) == []


# The report takes its format from the suffix, which /dev/full has not.
@pytest.mark.parametrize("name", ["export-yaml", "export-xlsx", "export-pptx", "template", "view"])
def test_output_to_a_full_device_is_a_one_line_error(name: str) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    args = [
        "/dev/full" if arg.startswith("/dev/full") else arg
        for arg in writer_args(name, "/dev/full")
    ]
    # In a process of its own, as a user runs it: what the half-written workbook says as
    # it is finalized (after the command's own error) must not reach stderr either.
    stderr = one_line_error(run_process(*args), 2)
    assert stderr.endswith("/dev/full: cannot write (No space left on device)\n")
    assert stderr.count("\n") == 1, stderr


def run_with_file_size_limit(args: list[str], limit: int) -> subprocess.CompletedProcess:
    """Run bscalign where no file may grow past ``limit`` bytes: writing fails halfway, as on
    a full disk (EFBIG instead of ENOSPC; Python ignores the SIGXFSZ signal)."""

    def limit_files() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-c", "from bscalign.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_files,
    )


@pytest.mark.parametrize("name", WRITERS)
def test_a_write_failing_halfway_leaves_the_previous_file_and_no_partial_one(
    tmp_path: Path, name: str
) -> None:
    args = writer_args(name, tmp_path / "out")
    out = output_of(args)
    assert run(*args).exit_code in (0, 1)  # the previous output, whole
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = run_with_file_size_limit(args, 2048)
    one_line_error(result, 2)
    assert "cannot write (File too large)" in result.stderr
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing truncated, no temporary file left behind
    assert out.exists()


def test_a_new_csv_folder_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    args = writer_args("export-csv", tmp_path / "tables")
    one_line_error(run_with_file_size_limit(args, 512), 2)
    assert list(tmp_path.iterdir()) == []
    assert run(*args).exit_code == 0
    assert sorted(p.name for p in (tmp_path / "tables").iterdir())[:2] == [
        "action_plans.csv",
        "kpis.csv",
    ]


def test_output_to_dev_stdout_is_written_into_the_pipe() -> None:
    # /dev/stdout resolves to a name like "pipe:[51]" that no folder holds: it is written
    # directly, not through a temporary file beside it.
    result = run_process("export", EXAMPLES, "--format", "yaml", "-o", "/dev/stdout")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("bscalign: 1\n") and "臺北市政府消防局" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["stats", EXAMPLES], ["export", EXAMPLES, "--format", "yaml", "-o", "/dev/stdout"]],
    ids=["stdout", "-o /dev/stdout"],
)
def test_a_reader_that_stops_reading_ends_bscalign_quietly(args: list) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "from bscalign.cli import main; main()", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # what `| head` does once it has read enough
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 1  # as Python's documentation advises on SIGPIPE
    assert stderr == ""


def test_output_through_a_link_replaces_the_file_it_names(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(real)
    args = writer_args("export-yaml", tmp_path / "link")
    assert run(*args).exit_code == 0
    assert (tmp_path / "link.yaml").is_symlink()
    assert real.read_text(encoding="utf-8").startswith("bscalign: 1")


# -- attempts that held before: kept as tests so that they go on holding --------------------------


def test_yaml_python_tags_build_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    doc = yaml_file(
        tmp_path,
        f"plans:\n- !!python/object/apply:os.system ['touch {marker}']\n",
    )
    with pytest.raises(InputError, match="not valid YAML"):
        read_plans([doc])
    assert not marker.exists()


def test_xml_entities_in_a_workbook_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    sheet = SHEET % (b"", b'<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>')
    sheet = sheet.replace(b"<worksheet", doctype + b"<worksheet", 1)
    book = zip_bomb(tmp_path / "xxe.xlsx", sheet)
    try:
        result = read_plans([book])
    except InputError as err:
        assert "TOPSECRET" not in str(err)
        return
    assert "TOPSECRET" not in repr(result.problems)
    assert not any("TOPSECRET" in str(d) for _, d in result.graph.nodes(data=True))


def test_a_symlink_loop_in_a_folder_does_not_hang(tmp_path: Path) -> None:
    folder = agencies_folder(tmp_path)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "self.yaml").symlink_to(folder / "self.yaml")
    result = run("stats", folder)
    assert "臺北市政府消防局@108" in result.stdout
    assert "self.yaml" in result.stderr  # a link that leads nowhere is reported


def test_a_pipe_in_a_folder_is_not_a_regular_file_and_a_dangling_link_leads_nowhere(
    tmp_path: Path,
) -> None:
    folder = agencies_folder(tmp_path)
    os.mkfifo(folder / "pipe.yaml")  # opened, it would wait for a writer forever
    (folder / "gone.yaml").symlink_to(tmp_path / "deleted.yaml")
    result = run("stats", folder)
    assert result.exit_code == 1 and "臺北市政府消防局@108" in result.stdout
    assert f"{folder / 'pipe.yaml'}:1: not a regular file; not loaded" in result.stderr
    assert f"{folder / 'gone.yaml'}:1: a link to nothing; not loaded" in result.stderr


def test_hostile_names_in_a_view_stay_text(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    assert run("view", hostile_plans(tmp_path), "-o", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "<img src=x onerror" not in page
