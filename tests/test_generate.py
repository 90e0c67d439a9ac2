"""The corpus generator writes loadable plans whose audit finds exactly the injected flaws."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bscalign.loaders import read_plans
from bscalign.queries.engine import audit

GENERATE = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
FLAW_KINDS = {
    "orphan-kpi",
    "kpi-without-action",
    "dangling-link",
    "renamed-link",
    "name-drift",
    "missing-perspective",
    "stray-objective",
    "cause-effect-cycle",
    "duplicate-code",
}
YAML_ONLY = {"stray-objective", "cause-effect-cycle"}


def generate(out: Path, scorecards: int, seed: int, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(GENERATE),
            *("--scorecards", str(scorecards), "--seed", str(seed), "--out", str(out)),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def corpus(out: Path, scorecards: int, seed: int, *extra: str) -> dict[str, Any]:
    done = generate(out, scorecards, seed, *extra)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "injected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("fmt", "kinds"), [("mixed", FLAW_KINDS), ("text", FLAW_KINDS - YAML_ONLY)]
)
def test_the_audit_finds_exactly_the_injected_flaws(
    tmp_path: Path, fmt: str, kinds: set[str]
) -> None:
    injected = corpus(tmp_path, 90, 7, "--format", fmt, "--quiet")
    loaded = read_plans([tmp_path])
    assert loaded.problems == []
    assert {flaw["kind"] for flaw in injected["flaws"]} == kinds

    report = audit(loaded.graph)
    checked = set(injected["rules"])
    found = {(f.name, f.plan, f.subject) for f in report.findings if f.name in checked}
    expected = {(f["name"], f["plan"], f["subject"]) for f in injected["findings"]}
    assert found == expected

    city_plans = {p for p, level in _levels(loaded.graph).items() if level == "city"}
    others = Counter(f.name for f in report.findings if f.name not in checked)
    assert set(others) <= {"objective-without-kpi", "uncovered-city-objective"}
    without_kpi = {f.subject for f in report.findings if f.name == "objective-without-kpi"}
    assert without_kpi == city_plans


def test_both_formats_and_both_text_styles_are_written(tmp_path: Path) -> None:
    corpus(tmp_path, 40, 3, "--quiet")
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "injected.json"]
    suffixes = Counter(p.suffix for p in files)
    assert suffixes[".txt"] > 0 and suffixes[".yaml"] > 1  # agencies in YAML besides city.yaml
    texts = [p.read_text(encoding="utf-8") for p in files if p.suffix == ".txt"]
    assert any("分組 成員" in t for t in texts)  # the 111 style, with theme groups
    assert any("KPI項目一覽表" in t for t in texts)  # the 108 style, with the KPI overview
    loaded = read_plans([tmp_path])
    assert len([p for p in _levels(loaded.graph).values() if p == "agency"]) == 40


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    corpus(first, 45, 11, "--quiet")
    corpus(second, 45, 11, "--quiet")
    corpus(other, 45, 12, "--quiet")
    assert _contents(first) == _contents(second)
    assert _contents(first) != _contents(other)


def test_refuses_to_write_into_a_folder_that_holds_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    done = generate(tmp_path, 5, 0)
    assert done.returncode != 0
    assert "not empty" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def _levels(graph: Any) -> dict[str, str]:
    return {d["id"]: d["level"] for _, d in graph.nodes(data=True) if d["kind"] == "Plan"}


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
