"""`bscalign coverage`: which agency objectives support each city objective."""

from __future__ import annotations

import click

from bscalign.commands.options import (
    inputs,
    output_format,
)
from bscalign.loaders import LoadResult
from bscalign.output import render, to_json
from bscalign.queries.coverage import coverage


@click.command(name="coverage")
@inputs
@output_format("table", "json", "csv", "markdown")
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
    if fmt == "json":
        click.echo(to_json({"coverage": rows, "uncovered": uncovered}))
        return
    agencies = sorted({a for r in rows for a in r["supported_by"]})
    table = [{**r, **{a: ", ".join(r["supported_by"].get(a, [])) for a in agencies}} for r in rows]
    click.echo(render(table, ["city_plan", "objective", "name", *agencies], fmt), nl=False)
    click.echo(
        f"{len(uncovered)} of {len(rows)} city objectives supported by no loaded agency", err=True
    )
