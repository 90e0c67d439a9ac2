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
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
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

FORMULA_NAMES = ['=HYPERLINK("http://example.com","點我")', "+886 專線", "-2 減量", "@SUM(1)"]


def formula_plans(folder: Path) -> Path:
    """An agency whose organization and names would all run as formulas."""
    objectives = "".join(
        f"  - {{code: AC{n}, name: '{name.replace(chr(39), chr(39) * 2)}'}}\n"
        for n, name in enumerate(FORMULA_NAMES, 1)
    )
    return yaml_file(
        folder,
        "plans:\n- organization: '=1+1'\n  year: '108'\n  objectives:\n"
        + objectives
        + "  kpis:\n  - {code: AC1.1, name: '=cmd|'' /C calc''!A0', objective: AC1}\n",
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
