"""The benchmark runs end to end at a tiny size and writes its record in the promised shape.

Nothing here is timed: the figures are only checked to be there and to be numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


def test_the_benchmark_writes_a_table_and_a_json_record(tmp_path: Path) -> None:
    record_file = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            *("--sizes", "3,6", "--stages", "load,audit,view,push", "--push-max", "0"),
            *("--work", str(tmp_path / "work"), "--json", str(record_file), "--quiet"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("| scorecards | nodes | load s | audit s |")
    assert done.stderr == ""  # quiet, and not a terminal anyway

    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert set(record) == {"machine", "seed", "runs", "growth", "targets"}
    assert [run["scorecards"] for run in record["runs"]] == [3, 6]
    for run in record["runs"]:
        load, audit, view = (run["stages"][stage] for stage in ("load", "audit", "view"))
        assert load["problems"] == 0 and load["nodes"] > 0
        assert audit["exact"] is True
        assert audit["load_and_audit_seconds"] >= 0 and audit["peak_mb"] > 0
        assert view["html_bytes"] > 0
        assert run["stages"]["push"] == {"skipped": "above --push-max 0 scorecards"}
    stages = {entry["stage"] for entry in record["growth"]}
    assert {"load", "audit", "load_and_audit"} <= stages
    assert {t["target"] for t in record["targets"]} == {
        "load and audit under 60 s",
        "load and audit in under 4096 MB",
    }
