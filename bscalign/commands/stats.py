"""`bscalign stats`: count what each plan holds."""

from __future__ import annotations

import sys
from typing import Any

import click

from bscalign.commands.options import EXIT_OK, EXIT_PROBLEMS, emit, inputs, output_format
from bscalign.graph.access import PlanIndex, plans
from bscalign.loaders import LoadResult
from bscalign.output import Output, Table


@click.command()
@inputs
@output_format()
def stats(result: LoadResult, fmt: str) -> None:
    """Count each plan's themes, objectives, KPIs and action plans.

    Declared totals (what the document itself says it holds) are shown beside the counts.
    Exit code 1 when the input loaded with problems.

    Example: bscalign stats ../shared/seeds --format json
    """
    rows = []
    index = PlanIndex(result.graph)
    for plan in plans(result.graph):
        row: dict[str, Any] = {"id": plan["id"], "level": plan["level"]}
        row.update(index.counts(plan["id"]))
        row["declared"] = dict(plan["declared"])
        row["problems"] = len(result.problems_of(plan["id"]))
        rows.append(row)
    problems = [{"file": p.file, "line": p.line, "message": p.message} for p in result.problems]
    columns = ["id", "level", "themes", "objectives", "kpis", "action_plans", "declared"]
    table = Table([*columns, "problems"], rows)
    emit(Output({"plans": rows, "load_problems": problems}, [table]), fmt)
    sys.exit(EXIT_PROBLEMS if result.problems else EXIT_OK)
