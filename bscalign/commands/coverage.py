"""`bscalign coverage`: which agency objectives support each city objective."""

from __future__ import annotations

import click

from bscalign.commands.options import emit, inputs, output_format
from bscalign.loaders import LoadResult
from bscalign.output import Output, Table
from bscalign.queries.coverage import coverage


@click.command(name="coverage")
@inputs
@output_format()
def coverage_command(result: LoadResult, fmt: str) -> None:
    """Show which agency objectives support each city objective, and which nobody supports.

    Example: bscalign coverage ../shared/seeds --format markdown
    """
    rows = list(coverage(result.graph))
    uncovered = [
        {"city_plan": r["city_plan"], "objective": r["objective"], "name": r["name"]}
        for r in rows
        if not r["supported_by"]
    ]
    agencies = sorted({a for r in rows for a in r["supported_by"]})
    table = [{**r, **{a: ", ".join(r["supported_by"].get(a, [])) for a in agencies}} for r in rows]
    shown = Output(
        {"coverage": rows, "uncovered": uncovered},
        [Table(["city_plan", "objective", "name", *agencies], table)],
        [f"{len(uncovered)} of {len(rows)} city objectives supported by no loaded agency"],
    )
    emit(shown, fmt)
