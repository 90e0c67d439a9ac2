"""`bscalign chains`: list cause-effect chains."""

from __future__ import annotations

import sys

import click

from bscalign.commands.options import EXIT_USAGE, causal_order_option, emit, inputs, output_format
from bscalign.graph.access import plans
from bscalign.graph.causality import chains as find_chains
from bscalign.graph.causality import infer_causes
from bscalign.loaders import LoadResult
from bscalign.output import Output, Table


@click.command()
@inputs
@output_format()
@click.option("--plan", "plan_id", help="Only this plan id.")
@causal_order_option
def chains(result: LoadResult, fmt: str, plan_id: str | None, causal_order: str) -> None:
    """List the cause-effect chains of each plan and theme, lowest perspective to customer.

    Plans without explicit cause-effect edges (extracted text never has them) get edges
    inferred along the causal order; such chains are marked inferred. Chains read from
    arrows drawn on slides (.pptx, or a PDF printed from them) are marked drawn.

    Example: bscalign chains ../shared/seeds --plan 臺北市政府兵役局@111
    """
    infer_causes(result.graph, causal_order)
    wanted = [p for p in plans(result.graph) if plan_id in (None, p["id"])]
    if plan_id and not wanted:
        click.echo(f"bscalign: error: no plan {plan_id!r} loaded", err=True)
        sys.exit(EXIT_USAGE)
    found = [c for p in wanted for c in find_chains(result.graph, p["id"], causal_order)]
    table = Table(["plan", "theme", "inferred", "drawn", "path"], found)
    emit(Output({"chains": found}, [table]), fmt)
