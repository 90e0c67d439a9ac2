"""The bscalign command line: thin wrappers over the library, one function per command."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bscalign import __version__
from bscalign.graph.access import plan_counts, plans
from bscalign.loaders import FORMATS as INPUT_FORMATS
from bscalign.loaders import InputError, LoadResult, read_plans
from bscalign.loaders.yamlplans import dump_yaml_plans
from bscalign.output import render, to_json

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared input arguments: FILE... (files or folders) and --input-format."""

    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option(
        "--input-format",
        type=click.Choice(sorted(INPUT_FORMATS)),
        help="Read every FILE in this format instead of recognising it from its content.",
    )
    @functools.wraps(command)
    def wrapper(files: tuple[Path, ...], input_format: str | None, **kwargs: Any) -> Any:
        return command(load(files, input_format), **kwargs)

    return wrapper


def output_format(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Shared --format option limited to ``choices`` (the first is the default)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def load(files: tuple[Path, ...], input_format: str | None) -> LoadResult:
    """Load inputs or exit 2 with a one-line error naming the file."""
    try:
        result = read_plans(files, input_format)
    except (InputError, OSError) as err:
        click.echo(f"bscalign: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    for problem in result.problems:
        click.echo(f"bscalign: problem: {problem}", err=True)
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bscalign")
def main() -> None:
    """Audit the alignment of strategy maps and balanced scorecards.

    Load strategy-map documents (extracted text, YAML) into a property graph and check
    that every KPI, objective and upward link hangs together.

    Example: bscalign stats examples/
    """


@main.command()
@inputs
@output_format("table", "json", "csv", "markdown")
def stats(result: LoadResult, fmt: str) -> None:
    """Count each plan's themes, objectives, KPIs and action plans.

    Declared totals (what the document itself says it holds) are shown beside the counts.
    Exit code 1 when the input loaded with problems.

    Example: bscalign stats ../shared/seeds --format json
    """
    rows = []
    for plan in plans(result.graph):
        row: dict[str, Any] = {"id": plan["id"], "level": plan["level"]}
        row.update(plan_counts(result.graph, plan["id"]))
        row["declared"] = dict(plan["declared"])
        row["problems"] = len(result.problems_of(plan["id"]))
        rows.append(row)
    if fmt == "json":
        problems = [{"file": p.file, "line": p.line, "message": p.message} for p in result.problems]
        click.echo(to_json({"plans": rows, "load_problems": problems}))
    else:
        columns = ["id", "level", "themes", "objectives", "kpis", "action_plans", "declared"]
        click.echo(render(rows, [*columns, "problems"], fmt), nl=False)
    sys.exit(EXIT_PROBLEMS if result.problems else EXIT_OK)


@main.command()
@inputs
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml"]),
    default="yaml",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here, not stdout.")
@click.option("--plan", "plan_ids", multiple=True, help="Export only this plan id (repeatable).")
def export(result: LoadResult, fmt: str, output: Path | None, plan_ids: tuple[str, ...]) -> None:
    """Write loaded plans in another format (YAML: the canonical hand-written format).

    Loading the export gives the same graph as the original input.

    Example: bscalign export ../shared/seeds/taipei-fire-108-bsc.txt -o fire.yaml
    """
    text = dump_yaml_plans(result.graph, list(plan_ids) or None)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
