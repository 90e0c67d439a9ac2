"""Measure what bscalign costs as the corpus grows: the CLI audit, load, audit, view, Neo4j push.

    python benchmarks/bench.py                       # 100, 1,000 and 8,800 scorecards
    python benchmarks/bench.py --sizes 100,1000 --stages floor,cli --repeat 5 --json out.json

For each size it generates a corpus (``benchmarks/generate.py``, kept under ``--work`` and
reused), then runs each stage in a fresh Python process, so that one stage's memory never
hides another's: peak memory is that process's ``ru_maxrss``. The quick stages run
``--repeat`` times (up to ``--repeat-up-to`` scorecards; larger corpora once) and report the
run of median wall time, with every run's seconds beside it (the machine is shared: quote
medians). ``--jobs`` runs that many stage processes side by side; the record is saved after
each stage.
Times are wall-clock seconds measured around the stage's own work, after imports (the CPU
seconds, with those of the loading worker processes, are kept beside them, to tell a slow
stage from a busy machine). Stages:

floor
    what no loader can avoid: read every file of the corpus, decode it, and parse each YAML
    file with PyYAML's C loader (text files are only read and decoded).
cli
    ``bscalign audit DIR --format json`` as a user runs it, end to end (interpreter start,
    imports, load, audit, JSON written); its findings are checked against the generator's
    ``injected.json`` (``exact``), and its time is compared with the floor's.
load
    ``read_plans`` on the corpus folder (nodes, edges, load problems).
audit
    load, then ``audit`` with every rule, in one process (the load and audit seconds apart),
    with the same ``injected.json`` check.
view
    load and audit, then the view of one city and year (its city map and its agencies,
    with their findings) drawn from the whole corpus and written as HTML.
push
    load, start an ArcadeDB server (Bolt), push every plan (nodes per second; the server's
    CPU seconds beside the client's), then run the audit's Cypher twins there, rule by rule
    (each rule's seconds), and the same rules embedded, on the same graph in the same
    process: their time ratio, and whether they report the same findings. Above
    ``--push-max`` scorecards the stage is skipped.
bigfile
    at the largest size only: one big YAML file (the corpus's YAML plans in one document,
    about 20 MB) and one big CSV table (the action plans of the corpus, about 50 MB, beside
    its plans table), each loaded in a fresh process; the memory it took while loading
    against the memory its graph holds once loaded (target: at most 2×).

The table goes to stdout (Markdown); the whole record, with the growth between sizes and
each target met or missed, to ``--json``. Progress goes to stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "benchmarks" / "generate.py"
STAGES = ("floor", "cli", "load", "audit", "view", "push", "bigfile")
DEFAULT_STAGES = ("floor", "cli", "audit", "view", "push", "bigfile")
#: Stages quick enough to run ``--repeat`` times at every size.
REPEATED = ("floor", "cli", "load", "audit")
DEFAULT_SIZES = (100, 1000, 8800)
#: The issue's targets on a 2-core, 24 GB machine.
MAX_CLI_SECONDS = 40.0
MAX_PEAK_MB = 3584.0  # 3.5 GB
MAX_GROWTH = 1.1  # 10x the input may cost at most 11x the time
MIN_PUSH_NODES_PER_SECOND = 20_000.0
MAX_LOAD_MEMORY_RATIO = 2.0  # memory while loading a big file, against its graph's
#: Big single files of the bigfile stage.
BIG_YAML_BYTES = 20_000_000
BIG_CSV_BYTES = 50_000_000
#: The city and year the view stage draws: the first a corpus fills.
VIEW_CITY_PLAN = "臺北市政府@105"


# -- stages (each runs in its own process) --------------------------------------------------


class Clock:
    """Wall and CPU seconds of one piece of work (CPU: its worker processes' too)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = cpu_seconds()

    def lap(self) -> dict[str, float]:
        return {
            "seconds": round(time.perf_counter() - self.wall, 3),
            "cpu_seconds": round(cpu_seconds() - self.cpu, 3),
        }


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (loading workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed_load(corpus: Path) -> tuple[Any, dict[str, Any]]:
    from bscalign.loaders import read_plans

    clock = Clock()
    loaded = read_plans([corpus])
    figures = {
        **clock.lap(),
        "nodes": loaded.graph.number_of_nodes(),
        "edges": loaded.graph.number_of_edges(),
        "problems": len(loaded.problems),
    }
    return loaded, figures


def timed_audit(graph: Any, rules: Any = None) -> tuple[Any, dict[str, Any]]:
    from bscalign.queries.engine import audit
    from bscalign.queries.registry import RULES

    clock = Clock()
    report = audit(graph, RULES if rules is None else rules)
    return report, {**clock.lap(), "findings": len(report.findings)}


def exactly_injected(corpus: Path, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether ``findings`` (as dicts) hold exactly the injected findings of the checked rules."""
    injected = json.loads((corpus / "injected.json").read_text(encoding="utf-8"))
    checked = set(injected["rules"])
    found = {(f["name"], f["plan"], f["subject"]) for f in findings if f["name"] in checked}
    expected = {(f["name"], f["plan"], f["subject"]) for f in injected["findings"]}
    return {"injected": len(expected), "exact": found == expected}


def stage_floor(corpus: Path) -> dict[str, Any]:
    import yaml

    from bscalign.loaders import expand_paths
    from bscalign.loaders.textnorm import decode

    clock = Clock()
    files = [file for file, _ in expand_paths([corpus])]
    size = 0
    for file in files:
        data = file.read_bytes()
        size += len(data)
        text = decode(data, str(file))
        if file.suffix in (".yaml", ".yml"):
            yaml.load(text, Loader=yaml.CSafeLoader)
    return {**clock.lap(), "files": len(files), "bytes": size}


def stage_cli(corpus: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bscalign", "audit", str(corpus), "--format", "json"]
    clock = Clock()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        figures = clock.lap()
        child.returncode = os.waitstatus_to_exitcode(status)
        errors = child.stderr.read().decode() if child.stderr else ""
        out.seek(0)
        text = out.read().decode("utf-8")
    if child.returncode not in (0, 1):  # 1: findings at or above --fail-on
        raise SystemExit(f"bscalign audit failed: {errors.strip()}")
    findings = json.loads(text)["findings"]
    return {
        "seconds": figures["seconds"],
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "findings": len(findings),
        **exactly_injected(corpus, findings),
        # the child's own peak, and its workers' (a Linux kernel reports them as one maximum)
        "cli_peak_mb": round(usage.ru_maxrss / 1024, 1),
    }


def stage_load(corpus: Path) -> dict[str, Any]:
    return timed_load(corpus)[1]


def stage_audit(corpus: Path) -> dict[str, Any]:
    loaded, load = timed_load(corpus)
    report, figures = timed_audit(loaded.graph)
    return {
        **figures,
        "nodes": load["nodes"],
        "load_seconds": load["seconds"],
        "load_cpu_seconds": load["cpu_seconds"],
        "load_and_audit_seconds": round(load["seconds"] + figures["seconds"], 3),
        **exactly_injected(corpus, [f.as_dict() for f in report.findings]),
    }


def stage_view(corpus: Path) -> dict[str, Any]:
    from bscalign.graph.access import plans
    from bscalign.views import view_graph
    from bscalign.views.html import write_view

    loaded, _ = timed_load(corpus)
    report, _ = timed_audit(loaded.graph)
    city, year = VIEW_CITY_PLAN.split("@")
    shown_plans = [
        p["id"] for p in plans(loaded.graph) if p["year"] == year and p.get("city") == city
    ]
    clock = Clock()
    view = view_graph(loaded.graph, report.findings, plans=shown_plans)
    with tempfile.TemporaryDirectory() as folder:
        page = write_view(view, Path(folder) / "view.html", title=VIEW_CITY_PLAN)
        size = page.stat().st_size
    return {
        **clock.lap(),
        "plans": len(shown_plans),
        "nodes": view.number_of_nodes(),
        "html_bytes": size,
    }


def stage_push(corpus: Path) -> dict[str, Any]:
    from bscalign.neo4j_store import audit_on_server, cypher_rules, push
    from bscalign.queries.registry import RULES

    sys.path.insert(0, str(ROOT / "tests"))
    from arcadedb_server import arcadedb_server  # the tests' throw-away Bolt server

    loaded, _ = timed_load(corpus)
    rules = cypher_rules(RULES)
    with arcadedb_server("bscalign", max_heap="8g") as server, server.driver() as driver:
        server_cpu = server_cpu_clock()
        clock = Clock()
        pushed = push(driver, loaded.graph, database=server.database)
        push_figures = {**clock.lap(), "server_cpu_seconds": server_cpu()}
        nodes = sum(p.nodes for p in pushed)
        # rule by rule, so that a slow twin shows which one it is
        server_findings, rule_seconds = [], {}
        for rule in rules:
            clock = Clock()
            server_findings += audit_on_server(driver, [rule], database=server.database).findings
            rule_seconds[rule.code] = clock.lap()["seconds"]
    server_seconds = round(sum(rule_seconds.values()), 3)
    embedded, embedded_figures = timed_audit(loaded.graph, rules)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        **push_figures,
        "nodes": nodes,
        "relationships": sum(p.relationships for p in pushed),
        "nodes_per_second": round(nodes / push_figures["seconds"], 1),
        "server_startup_seconds": round(server.startup_seconds, 3),
        "server_peak_mb": round(children / 1024, 1),
        "arcadedb_audit_seconds": server_seconds,
        "arcadedb_rule_seconds": rule_seconds,
        "embedded_audit_seconds": embedded_figures["seconds"],
        "arcadedb_vs_embedded": round(server_seconds / embedded_figures["seconds"], 1),
        "same_findings": _keys(server_findings) == _keys(embedded.findings),
    }


def server_cpu_clock() -> Callable[[], float]:
    """CPU seconds the Bolt server (this process's java child) has used since now (Linux)."""
    children = Path(f"/proc/self/task/{os.getpid()}/children").read_text().split()
    (pid,) = [p for p in children if Path(f"/proc/{p}/comm").read_text().strip() == "java"]
    stat = Path(f"/proc/{pid}/stat")

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    start = used()
    return lambda: round(used() - start, 3)


def _keys(findings: Any) -> set[tuple[str, str, str]]:
    return {(f.name, f.plan, f.subject) for f in findings}


def resident_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def stage_bigfile(big: Path) -> dict[str, Any]:
    """Load one big input (a file, or a folder of a plans table and one big table)."""
    from bscalign.loaders import read_plans

    before = resident_mb()
    clock = Clock()
    loaded = read_plans([big])
    figures = clock.lap()
    held = resident_mb() - before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    biggest = max(big.iterdir(), key=lambda f: f.stat().st_size) if big.is_dir() else big
    return {
        **figures,
        "file": biggest.name,
        "file_mb": round(biggest.stat().st_size / 1e6, 1),
        "nodes": loaded.graph.number_of_nodes(),
        "problems": len(loaded.problems),
        "graph_mb": round(held, 1),
        "loading_mb": round(peak, 1),
        "ratio": round(peak / held, 2),
    }


def big_inputs(corpus: Path, work: Path) -> list[Path]:
    """One big YAML file and one folder holding a big CSV table, cut from ``corpus``."""
    yaml_file = work / f"{corpus.name}-big.yaml"
    if not yaml_file.exists():
        parts, size = ["bscalign: 1\nplans:\n"], 0
        for file in sorted(corpus.rglob("*.yaml")):
            plans = file.read_text(encoding="utf-8").split("plans:\n", 1)[1]
            parts.append(plans)
            size += len(plans.encode())
            if size >= BIG_YAML_BYTES:
                break
        yaml_file.write_text("".join(parts), encoding="utf-8")
    csv_folder = work / f"{corpus.name}-big-csv"
    if not csv_folder.exists():
        # exporting needs the whole corpus loaded: do it in a process of its own
        subprocess.run(
            [sys.executable, __file__, "--export-csv", str(csv_folder), "--corpus", str(corpus)],
            check=True,
        )
    return [yaml_file, csv_folder]


def export_big_csv(corpus: Path, folder: Path) -> None:
    """Write the corpus's plans table and its action plans cut to ``BIG_CSV_BYTES``."""
    from bscalign.loaders import read_plans
    from bscalign.loaders.spreadsheet import write_csv

    with tempfile.TemporaryDirectory() as whole:
        written = {path.stem: path for path in write_csv(read_plans([corpus]).graph, whole)}
        folder.mkdir(parents=True)
        (folder / "plans.csv").write_bytes(written["plans"].read_bytes())
        with written["action_plans"].open("rb") as source:
            lines, size = [], 0
            for line in source:
                if size >= BIG_CSV_BYTES:
                    break
                lines.append(line)
                size += len(line)
        (folder / "action_plans.csv").write_bytes(b"".join(lines))


STAGE_FUNCTIONS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "floor": stage_floor,
    "cli": stage_cli,
    "load": stage_load,
    "audit": stage_audit,
    "view": stage_view,
    "push": stage_push,
    "bigfile": stage_bigfile,
}


def run_stage_here(stage: str, corpus: Path) -> None:
    """The child process: run one stage, print its figures as one JSON line."""
    figures = STAGE_FUNCTIONS[stage](corpus)
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if "cli_peak_mb" in figures:
        figures["peak_mb"] = figures.pop("cli_peak_mb")
    print(json.dumps(figures, ensure_ascii=False))


# -- the run ---------------------------------------------------------------------------------


def run_stage(stage: str, corpus: Path) -> dict[str, Any]:
    """Run ``stage`` in a fresh Python process; its figures, or why it could not run."""
    done = subprocess.run(
        [sys.executable, __file__, "--run-stage", stage, "--corpus", str(corpus)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit code {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_repeated(stage: str, corpus: Path, repeat: int) -> dict[str, Any]:
    """Run ``stage`` ``repeat`` times; the figures of the run of median wall time."""
    runs = [run_stage(stage, corpus) for _ in range(repeat)]
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    by_time = sorted(runs, key=lambda r: r["seconds"])
    median = dict(by_time[(len(by_time) - 1) // 2])
    median["runs_seconds"] = [r["seconds"] for r in runs]
    median["median_peak_mb"] = statistics.median(r["peak_mb"] for r in runs)
    if "load_and_audit_seconds" in median:
        median["load_and_audit_seconds"] = statistics.median(
            r["load_and_audit_seconds"] for r in runs
        )
    median["seconds"] = statistics.median(r["seconds"] for r in runs)
    return median


def corpus_for(work: Path, scorecards: int, seed: int) -> tuple[Path, float | None]:
    """The corpus of this size (generated unless already there) and its generation time."""
    corpus = work / f"corpus-{scorecards}-seed{seed}"
    if (corpus / "injected.json").exists():
        return corpus, None
    if corpus.exists():
        raise SystemExit(f"bench: {corpus} is incomplete; remove it and run again")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(GENERATE),
            *("--scorecards", str(scorecards), "--seed", str(seed), "--out", str(corpus)),
            "--quiet",
        ],
        check=True,
    )
    return corpus, round(time.perf_counter() - started, 3)


def run(
    sizes: list[int],
    stages: list[str],
    options: argparse.Namespace,
    save: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Every stage at every size; ``options.jobs`` stage processes at a time.

    The record is saved after each stage, so a run cut short keeps what it measured.
    """
    say = status_line(options.quiet)
    runs = []
    tasks: list[tuple[dict[str, Any], str, Path, int]] = []
    for scorecards in sizes:
        say(f"{scorecards} scorecards: corpus")
        corpus, generated = corpus_for(options.work, scorecards, options.seed)
        results: dict[str, Any] = {}
        runs.append({"scorecards": scorecards, "generate_seconds": generated, "stages": results})
        for stage in stages:
            if stage == "push" and scorecards > options.push_max:
                results[stage] = {"skipped": f"above --push-max {options.push_max} scorecards"}
            elif stage != "bigfile" or scorecards == max(sizes):
                repeated = stage in REPEATED and scorecards <= options.repeat_up_to
                tasks.append((results, stage, corpus, options.repeat if repeated else 1))
    # the largest corpus's CLI and audit take longest: they start first, the other stages
    # fill the remaining jobs smallest corpus first, the big-file loads last
    largest = corpus_for(options.work, max(sizes), options.seed)[0]
    tasks.sort(
        key=lambda task: (
            task[1] == "bigfile",
            not (task[2] == largest and task[1] in ("cli", "audit")),
            sizes.index(int(task[2].name.split("-")[1])),
        )
    )
    record = {
        "machine": machine(),
        "seed": options.seed,
        "repeat": options.repeat,
        "jobs": options.jobs,
        "runs": runs,
        "growth": [],
        "targets": [],
    }
    lock = threading.Lock()
    done = 0

    def measure(task: tuple[dict[str, Any], str, Path, int]) -> None:
        nonlocal done
        results, stage, corpus, repeat = task
        if stage == "bigfile":
            figures: Any = [run_stage(stage, big) for big in big_inputs(corpus, options.work)]
        else:
            figures = run_repeated(stage, corpus, repeat)
        with lock:
            results[stage] = figures
            done += 1
            say(f"{done}/{len(tasks)} stages measured")
            record["machine"] = machine()
            record["growth"], record["targets"] = growth(runs), targets(runs)
            save(record)

    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        list(pool.map(measure, tasks))
    say("")
    return record


def status_line(quiet: bool) -> Callable[[str], None]:
    """Write a status on stderr, in place, when it is a terminal; else nothing."""
    shown = not quiet and sys.stderr.isatty()

    def say(text: str) -> None:
        if shown:
            sys.stderr.write(f"\r\x1b[Kbench: {text}" if text else "\r\x1b[K")
            sys.stderr.flush()

    return say


def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
    }


def seconds_of(run: dict[str, Any], stage: str) -> float | None:
    if stage == "load_and_audit":
        return run["stages"].get("audit", {}).get("load_and_audit_seconds")
    figures = run["stages"].get(stage, {})
    return figures.get("seconds") if isinstance(figures, dict) else None


def growth(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Time ratio against size ratio between consecutive sizes, per stage."""
    found = []
    for before, after in pairwise(runs):
        size_ratio = after["scorecards"] / before["scorecards"]
        for stage in ("cli", "floor", "load", "audit", "load_and_audit", "view", "push"):
            a, b = seconds_of(before, stage), seconds_of(after, stage)
            if not a or not b:
                continue
            time_ratio = b / a
            found.append(
                {
                    "stage": stage,
                    "from": before["scorecards"],
                    "to": after["scorecards"],
                    "size_ratio": round(size_ratio, 2),
                    "time_ratio": round(time_ratio, 2),
                    "linear": time_ratio <= MAX_GROWTH * size_ratio,
                }
            )
    return found


def targets(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, each with the figure measured (largest size that ran)."""
    found = []
    ran = [r for r in runs if "seconds" in r["stages"].get("cli", {})]
    if ran:
        largest = ran[-1]
        cli = largest["stages"]["cli"]
        found += [
            {
                "target": f"bscalign audit --format json within {MAX_CLI_SECONDS:.0f} s",
                "scorecards": largest["scorecards"],
                "value": cli["seconds"],
                "met": cli["seconds"] <= MAX_CLI_SECONDS,
            },
            {
                "target": f"bscalign audit --format json within {MAX_PEAK_MB:.0f} MB",
                "scorecards": largest["scorecards"],
                "value": cli["peak_mb"],
                "met": cli["peak_mb"] <= MAX_PEAK_MB,
            },
            {
                "target": "findings exactly the injected ones",
                "scorecards": largest["scorecards"],
                "value": all(r["stages"]["cli"].get("exact") for r in ran),
                "met": all(r["stages"]["cli"].get("exact") for r in ran),
            },
        ]
    for entry in growth(runs):
        if entry["stage"] == "cli":
            found.append(
                {
                    "target": f"cli time grows at most {MAX_GROWTH:.1f}× the input "
                    f"({entry['from']:,} → {entry['to']:,})",
                    "scorecards": entry["to"],
                    "value": entry["time_ratio"],
                    "met": entry["linear"],
                }
            )
    for run in runs:
        push = run["stages"].get("push", {})
        if "nodes_per_second" in push:
            found.append(
                {
                    "target": f"push at least {MIN_PUSH_NODES_PER_SECOND:.0f} nodes/s",
                    "scorecards": run["scorecards"],
                    "value": push["nodes_per_second"],
                    "met": push["nodes_per_second"] >= MIN_PUSH_NODES_PER_SECOND,
                }
            )
        for big in run["stages"].get("bigfile", []):
            if "ratio" in big:
                found.append(
                    {
                        "target": f"{big['file']} ({big['file_mb']} MB) loads within "
                        f"{MAX_LOAD_MEMORY_RATIO:.0f}× its graph's memory",
                        "scorecards": run["scorecards"],
                        "value": big["ratio"],
                        "met": big["ratio"] <= MAX_LOAD_MEMORY_RATIO,
                    }
                )
    return found


def table(record: dict[str, Any]) -> str:
    """The measured figures as a Markdown table, one row per size."""
    columns = [
        "scorecards",
        "nodes",
        "cli audit s",
        "cli peak MB",
        "floor s",
        "cli/floor",
        "load s",
        "audit s",
        "load+audit s",
        "view s",
        "push nodes/s",
        "Cypher audit s",
        "Cypher/embedded",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + " ---: |" * len(columns)]
    for run in record["runs"]:
        stages = run["stages"]
        cli, floor = stages.get("cli", {}), stages.get("floor", {})
        load, audit = stages.get("load", {}), stages.get("audit", {})
        view, push = stages.get("view", {}), stages.get("push", {})
        ratio = None
        if "seconds" in cli and floor.get("seconds"):
            ratio = cli["seconds"] / floor["seconds"]
        cells = [
            f"{run['scorecards']:,}",
            _figure(audit.get("nodes", load.get("nodes")), "{:,}"),
            _figure(cli.get("seconds"), "{:.1f}"),
            _figure(cli.get("peak_mb"), "{:,.0f}"),
            _figure(floor.get("seconds"), "{:.2f}"),
            _figure(ratio, "{:.0f}×"),
            _figure(audit.get("load_seconds", load.get("seconds")), "{:.1f}"),
            _figure(audit.get("seconds"), "{:.1f}"),
            _figure(audit.get("load_and_audit_seconds"), "{:.1f}"),
            _figure(view.get("seconds"), "{:.1f}"),
            _figure(push.get("nodes_per_second"), "{:,.0f}"),
            _figure(push.get("arcadedb_audit_seconds"), "{:.1f}"),
            _figure(push.get("arcadedb_vs_embedded"), "{:.1f}×"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _figure(value: float | None, form: str) -> str:
    return "–" if value is None else form.format(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="scorecards per corpus, comma-separated (default: 100,1000,8800)",
    )
    parser.add_argument(
        "--stages",
        default=",".join(DEFAULT_STAGES),
        help=f"stages to run, from {', '.join(STAGES)} (default: all but load)",
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of floor, cli, load and audit (default 3)"
    )
    parser.add_argument(
        "--repeat-up-to",
        type=int,
        default=1000,
        help="repeat only at sizes up to this many scorecards (default 1000; larger run once)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="stage processes run side by side (default 1; more shortens a run on a busy "
        "machine, but each stage's wall time then includes the others')",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bscalign-bench",
        help="where corpora are generated and kept",
    )
    parser.add_argument(
        "--push-max", type=int, default=8800, help="skip push above this many scorecards"
    )
    parser.add_argument("--json", type=Path, help="write the whole record here")
    parser.add_argument("--quiet", action="store_true", help="no progress on the terminal")
    parser.add_argument("--run-stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--export-csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_stage:
        run_stage_here(args.run_stage, args.corpus)
        return 0
    if args.export_csv:
        export_big_csv(args.corpus, args.export_csv)
        return 0
    stages = [stage.strip() for stage in args.stages.split(",") if stage.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stages {unknown}; choose from {', '.join(STAGES)}")
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    args.work.mkdir(parents=True, exist_ok=True)

    def save(record: dict[str, Any]) -> None:
        if args.json:
            args.json.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n")

    record = run(sizes, stages, args, save)
    print(table(record), end="")
    for target in record["targets"]:
        mark = "met" if target["met"] else "MISSED"
        print(
            f"{mark}: {target['target']} ({target['scorecards']:,} scorecards: {target['value']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
