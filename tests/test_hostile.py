"""Hostile and unlucky input: every attempt of the safety review, as a test.

Each test is one attempt (or a family of them) tried as an attacker or an unlucky user
would: it asserts the right result or bscalign's own one-line error with the documented
exit code (2: usage, unreadable input, unwritable output; 1: load problems), never a
traceback, nothing lost silently and no partial file. Attempts on the Neo4j push live in
``test_neo4j_store.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

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
