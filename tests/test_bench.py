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
            *("--sizes", "3,6", "--push-max", "0", "--repeat", "2", "--jobs", "2"),
            *("--work", str(tmp_path / "work"), "--json", str(record_file), "--quiet"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("| scorecards | nodes | cli audit s | cli peak MB | floor s |")
    assert done.stderr == ""  # quiet, and not a terminal anyway

    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert set(record) == {"machine", "seed", "repeat", "jobs", "runs", "growth", "targets"}
    assert [run["scorecards"] for run in record["runs"]] == [3, 6]
    for run in record["runs"]:
        floor, cli, audit, view = (run["stages"][s] for s in ("floor", "cli", "audit", "view"))
        assert floor["files"] > 0 and floor["bytes"] > 0
        assert cli["exact"] is True and cli["findings"] > 0
        assert len(cli["runs_seconds"]) == 2  # repeated, as at every size up to 1,000
        assert audit["exact"] is True and audit["nodes"] > 0
        assert audit["load_and_audit_seconds"] >= 0 and audit["peak_mb"] > 0
        assert view["html_bytes"] > 0
        assert run["stages"]["push"] == {"skipped": "above --push-max 0 scorecards"}
    big = record["runs"][-1]["stages"]["bigfile"]
    assert [entry["file"] for entry in big] == ["corpus-6-seed1-big.yaml", "action_plans.csv"]
    assert all(entry["problems"] == 0 and entry["nodes"] > 0 for entry in big)
    assert "bigfile" not in record["runs"][0]["stages"]  # the largest size only
    stages = {entry["stage"] for entry in record["growth"]}
    assert {"cli", "floor", "audit", "load_and_audit"} <= stages
    assert {t["target"] for t in record["targets"]} >= {
        "bscalign audit --format json within 40 s",
        "bscalign audit --format json within 3584 MB",
        "findings exactly the injected ones",
        "cli time grows at most 1.1× the input (3 → 6)",
    }
