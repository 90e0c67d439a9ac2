"""`bscalign export` and `bscalign template`: write plans, or an empty workbook, to files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bscalign.atomic import write_text
from bscalign.commands.options import inputs, output_format
from bscalign.loaders import LoadResult
from bscalign.loaders.pptx_export import write_pptx
from bscalign.loaders.spreadsheet import write_csv, write_template, write_xlsx
from bscalign.loaders.yamlplans import dump_yaml_plans

#: Export formats: how each writes the loaded plans (-o: a file, or a folder for CSV).
EXPORTERS: dict[str, Callable[..., Any]] = {
    "yaml": lambda graph, output, plan_ids: write_text(output, dump_yaml_plans(graph, plan_ids)),
    "xlsx": write_xlsx,
    "csv": write_csv,
    "pptx": write_pptx,
}


@click.command()
@inputs
@output_format(*EXPORTERS)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here (a folder for csv; required for xlsx, csv and pptx), not stdout.",
)
@click.option("--plan", "plan_ids", multiple=True, help="Export only this plan id (repeatable).")
@click.option(
    "--inferred",
    is_flag=True,
    help="pptx: also draw the cause-effect edges inferred from the perspective order (dashed).",
)
def export(
    result: LoadResult, fmt: str, output: Path | None, plan_ids: tuple[str, ...], inferred: bool
) -> None:
    """Write loaded plans in another format: YAML (the canonical hand-written format), an
    XLSX workbook, one CSV file per workbook table in a folder, or an editable PowerPoint
    deck (pptx: per plan its strategy map as boxes and glued arrows, then its scorecard
    tables; open it in PowerPoint or LibreOffice Impress, edit, load it back).

    Loading the export gives the same graph as the original input (a deck's arrows load
    back as drawn cause-effect edges).

    Example: bscalign export ../shared/seeds/taipei-fire-108-bsc.txt --format xlsx -o fire.xlsx
    """
    wanted = list(plan_ids) or None
    if inferred and fmt != "pptx":
        raise click.UsageError("--inferred draws arrows: it goes with --format pptx")
    if output is None:
        if fmt != "yaml":
            raise click.UsageError(f"--format {fmt} needs -o/--output")
        click.echo(dump_yaml_plans(result.graph, wanted), nl=False)
        return
    options = {"inferred": inferred} if fmt == "pptx" else {}
    EXPORTERS[fmt](result.graph, output, wanted, **options)
    click.echo(f"wrote {output}", err=True)


@click.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def template(output: Path, force: bool) -> None:
    """Write an empty XLSX workbook for planners to fill in by hand.

    One sheet per table (plans, themes, objectives, kpis, action_plans, organizations),
    headers with notes, drop-down lists for perspectives, flags and levels, and one filled
    example row per sheet to overwrite.

    Example: bscalign template plans.xlsx
    """
    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; use --force to overwrite it")
    write_template(output)
    click.echo(f"wrote {output}", err=True)
