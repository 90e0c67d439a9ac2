"""The command line: contracts other tools rely on, exit codes, and documentation."""

from __future__ import annotations

import csv
import inspect
import io
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, FIRE, SEEDS

from bscalign.cli import main
from bscalign.queries.registry import RULES


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_stats_json_contract() -> None:
    result = run("stats", SEEDS, "--format", "json")
    assert result.exit_code == 0
    plans = {p["id"]: p for p in json.loads(result.stdout)["plans"]}
    assert plans["臺北市政府消防局@108"] == {
        "id": "臺北市政府消防局@108",
        "level": "agency",
        "themes": 4,
        "objectives": 30,
        "kpis": 36,
        "action_plans": 46,
        "declared": {"objectives": 30, "kpis": 36},
        "problems": 0,
    }
    assert plans["臺北市政府@111"]["objectives"] == 84
    assert plans["臺北市政府兵役局@111"]["declared"]["action_plans"] == 21


def test_examples_give_the_same_stats_as_the_seeds() -> None:
    def counts(path: Path) -> list[dict]:
        return json.loads(run("stats", path, "--format", "json").stdout)["plans"]

    assert counts(EXAMPLES) == counts(SEEDS)


def test_exit_codes(tmp_path: Path) -> None:
    assert run("stats", tmp_path / "missing.txt").exit_code == 2
    not_a_plan = tmp_path / "notes.txt"
    not_a_plan.write_text("nothing to see", encoding="utf-8")
    result = run("stats", not_a_plan)
    assert result.exit_code == 2 and "notes.txt" in result.stderr
    partial = tmp_path / "partial.yaml"
    partial.write_text(
        "bscalign: 1\nplans:\n- {organization: 臺北市政府測試局, year: '110', bogus: 1}\n",
        encoding="utf-8",
    )
    result = run("stats", partial)
    assert result.exit_code == 1 and "partial.yaml:3" in result.stderr
    assert run("audit", SEEDS, "--fail-on", "never").exit_code == 0
    assert run("audit", SEEDS).exit_code == 1  # the seeds have real errors
    assert run("audit", SEEDS, "--select", "BSC403", "--fail-on", "error").exit_code == 0
    assert run("audit", SEEDS, "--causal-order", "FLP").exit_code == 2


def test_audit_json_contract_is_sorted_and_repeatable() -> None:
    first = run("audit", SEEDS, "--format", "json")
    second = run("audit", SEEDS, "--format", "json")
    assert first.stdout == second.stdout
    report = json.loads(first.stdout)
    finding = report["findings"][0]
    assert list(finding) == [
        "rule", "name", "severity", "plan", "subject", "message", "suggestion", "source", "cause",
    ]  # fmt: skip
    keys = [(f["plan"], f["rule"], f["subject"]) for f in report["findings"]]
    assert keys == sorted(keys)
    assert report["summary"]["total"] == len(report["findings"])


def test_audit_filters_and_formats() -> None:
    result = run("audit", FIRE, "--select", "dangling-upward-link", "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("severity,rule,name,plan,subject")
    assert len(lines) == 1 + 13
    markdown = run("audit", FIRE, "--select", "BSC401", "--format", "markdown").stdout
    assert "| error | BSC401 | malformed-code | 臺北市政府消防局@108 | C1.1.1 |" in markdown
    warnings = json.loads(
        run("audit", SEEDS, "--min-severity", "warning", "--format", "json").stdout
    )
    assert {f["severity"] for f in warnings["findings"]} == {"error", "warning"}
    chinese = json.loads(run("audit", FIRE, "--select", "BSC401", "--lang", "zh-TW",
                             "--format", "json").stdout)  # fmt: skip
    assert "卻列於KPI CC1.1 之下" in chinese["findings"][0]["message"]


def test_suppressed_findings_are_counted_and_listed(tmp_path: Path) -> None:
    doc = tmp_path / "plan.yaml"
    doc.write_text(
        "bscalign: 1\nplans:\n- organization: 臺北市政府測試局\n  year: '110'\n  kpis:\n"
        "  - {code: AC1.1, name: 到場時間, suppress: [{rule: orphan-kpi, reason: 年中新增}]}\n"
        "  - {code: AC1.2, name: 滿意度}\n",
        encoding="utf-8",
    )
    report = json.loads(run("audit", doc, "--select", "orphan-kpi", "--format", "json").stdout)
    assert [f["subject"] for f in report["findings"]] == ["AC1.2"]
    assert [(f["subject"], f["reason"]) for f in report["suppressed"]] == [("AC1.1", "年中新增")]
    assert report["summary"]["suppressed"] == 1


def test_rules_and_rule() -> None:
    listed = json.loads(run("rules", "--format", "json").stdout)["rules"]
    assert [r["name"] for r in listed] == [r.name for r in RULES]
    doc = run("rule", "BSC201")
    assert doc.exit_code == 0
    assert doc.stdout.startswith("dangling-upward-link (BSC201, default severity error)")
    assert "How to fix" in doc.stdout
    assert run("rule", "nonsense").exit_code == 2


def test_chains_coverage_suggest_on_the_seeds() -> None:
    chains = json.loads(
        run("chains", SEEDS, "--plan", "臺北市政府兵役局@111", "--format", "json").stdout
    )
    assert {"plan": "臺北市政府兵役局@111", "theme": "C", "inferred": True, "drawn": False,
            "path": ["CF1", "CL1", "CP1", "CC1"]} in chains["chains"]  # fmt: skip
    assert len(chains["chains"]) == 7
    coverage = json.loads(run("coverage", SEEDS, "--format", "json").stdout)
    gc2 = next(
        r
        for r in coverage["coverage"]
        if r["city_plan"] == "臺北市政府@108" and r["objective"] == "GC2"
    )
    assert gc2["supported_by"]["臺北市政府消防局@108"] == [
        "AC1",
        "AC2",
        "AL1",
        "AP1",
        "AP2",
        "AP3",
        "BC1",
        "BC2",
        "BC3",
        "BC4",
    ]
    suggestions = json.loads(run("suggest", SEEDS, "--format", "json").stdout)["suggestions"]
    cc1 = next(
        s for s in suggestions if s["plan"] == "臺北市政府消防局@108" and s["subject"] == "CC1"
    )
    assert cc1["written"] == ["G2"] and cc1["candidates"][0]["code"] == "GC2"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
    return found


@pytest.mark.parametrize(("name", "command"), _commands(main), ids=lambda x: str(x))
def test_every_command_is_documented_with_an_example(name: str, command: click.Command) -> None:
    help_text = inspect.cleandoc(command.help or "")
    assert help_text, f"`bscalign {name}` has no help"
    assert help_text.splitlines()[-1].startswith("Example: bscalign "), name
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"`bscalign {name} {param.opts[0]}` has no help"


def test_audit_table_lists_each_finding_under_the_root_it_follows_from() -> None:
    table = run("audit", SEEDS, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert len(rows) == len(json.loads(run("audit", SEEDS, "--format", "json").stdout)["findings"])
    at = next(i for i, r in enumerate(rows) if r["rule"] == "BSC201" and r["subject"] == "DP1")
    assert [(r["subject"], r["cause"]) for r in rows[at : at + 3]] == [
        ("DP1", ""),
        ("DP1", "↳ BSC201 DP1"),
        ("DP1.1", "↳ BSC201 DP1"),
    ]
    military = [r for r in rows if r["plan"] == "臺北市政府兵役局@111" and r["rule"] < "BSC204"]
    assert military[0]["subject"] == "臺北市政府兵役局@111" and military[0]["cause"] == ""
    assert {r["cause"] for r in military[1:]} == {"↳ BSC202 臺北市政府兵役局@111"}


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["audit", str(EXAMPLES), "--format", "json", "--fail-on", "never"], 0),
        (["audit", str(EXAMPLES), "--format", "json", "--fail-on", "info"], 1),
        (["audit", "/nonexistent/plans"], 2),
        (["--version"], 0),
    ],
)
def test_the_program_says_what_main_says(args: list[str], status: int) -> None:
    # `python -m bscalign` ends the process without freeing what it loaded (cli.run):
    # the same output, errors and exit status as main gives in-process
    program = subprocess.run(
        [sys.executable, "-m", "bscalign", *args], capture_output=True, text=True, check=False
    )
    in_process = CliRunner().invoke(main, args)
    assert program.returncode == in_process.exit_code == status
    assert program.stdout == in_process.stdout
    assert program.stderr == in_process.stderr
