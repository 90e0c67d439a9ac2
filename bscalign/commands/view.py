"""`bscalign view`: write an interactive strategy map."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bscalign.commands.options import (
    EXIT_USAGE,
    causal_order_option,
    inputs,
    lang_option,
    output_file_option,
)
from bscalign.graph.causality import infer_causes
from bscalign.loaders import LoadResult
from bscalign.queries.engine import audit


@click.command(name="view")
@inputs
@output_file_option("The HTML file to write.")
@click.option(
    "--plan",
    "plan_ids",
    multiple=True,
    help="Show only this plan (repeatable); an agency plan brings its city plan along.",
)
@click.option("--focus", help="Show only this objective or KPI code and its neighbourhood.")
@click.option(
    "--depth", default=2, show_default=True, type=click.IntRange(0), help="Reach of --focus."
)
@click.option("--no-findings", is_flag=True, help="Do not run the audit; draw the plans only.")
@click.option(
    "--detail",
    type=click.Choice(["objectives", "kpis", "all"]),
    default="objectives",
    show_default=True,
    help="What each objective shows beneath it on the map (the rest: click it).",
)
@lang_option
@causal_order_option
def view_command(
    result: LoadResult,
    output: Path,
    plan_ids: tuple[str, ...],
    focus: str | None,
    depth: int,
    no_findings: bool,
    detail: str,
    lang: str,
    causal_order: str,
) -> None:
    """Write an interactive strategy map (one offline HTML file) with the findings on it.

    One map per plan: perspectives are bands (customer on top), themes are columns, one box
    per objective with badges (KPIs, action plans, worst finding); click one for its KPIs
    and action plans. Above an agency's map stand the city objectives it links to, each
    above the objectives linking to it; a dangling link ends at a dashed placeholder beneath
    the city objective it most likely means. Boxes are coloured by the findings to fix (a
    finding that follows from another is folded under it). Several plans open on an
    overview of cards. Everything is in --lang. The page loads nothing from the network.

    Example: bscalign view ../shared/seeds -o map.html --plan 臺北市政府消防局@108
    """
    from bscalign.views import view_graph
    from bscalign.views.html import write_view
    from bscalign.views.text import words

    if no_findings:
        infer_causes(result.graph, causal_order)
        findings = []
    else:
        findings = audit(result.graph, causal_order=causal_order).findings
    try:
        shown = view_graph(
            result.graph,
            findings,
            plans=list(plan_ids) or None,
            focus=focus,
            depth=depth,
            lang=lang,
        )
    except ValueError as err:
        click.echo(f"bscalign: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    title = f"bscalign: {', '.join(plan_ids) if plan_ids else words(lang)['overview']}"
    if focus:
        title += f" · {focus}"
    write_view(
        shown,
        output,
        title=title,
        findings_shown=not no_findings,
        lang=lang,
        detail="all" if focus else detail,
    )
    click.echo(
        f"wrote {output}: {shown.number_of_nodes()} nodes, {shown.number_of_edges()} edges",
        err=True,
    )
