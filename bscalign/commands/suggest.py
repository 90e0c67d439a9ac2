"""`bscalign suggest`: propose upward links."""

from __future__ import annotations

import click

from bscalign.commands.options import emit, inputs, output_format
from bscalign.loaders import LoadResult
from bscalign.output import Output, Table
from bscalign.queries.suggest import suggest_links


@click.command(name="suggest")
@inputs
@output_format()
@click.option("--limit", default=3, show_default=True, help="Candidates per objective.")
def suggest_command(result: LoadResult, fmt: str, limit: int) -> None:
    """Propose upward links for agency objectives that have none (or only dangling ones).

    Candidates are ranked by name similarity (character n-grams, so Chinese works without
    word splitting), the objective's perspective, a dangling code's theme letter and the
    themes whose working group the agency belongs to; each shows its score and why.

    Example: bscalign suggest ../shared/seeds/taipei-military-service-111-bsc.txt
    """
    found = list(suggest_links(result.graph, limit=limit))
    rows = [
        {
            "plan": item["plan"],
            "subject": f"{item['subject']} {item['name']}",
            "written": ", ".join(item["written"]),
            "rank": rank,
            "candidate": f"{c['code']} {c['name']}",
            "score": f"{c['score']:.2f}",
            "why": c["why"],
        }
        for item in found
        for rank, c in enumerate(item["candidates"], 1)
    ]
    columns = ["plan", "subject", "written", "rank", "candidate", "score", "why"]
    emit(Output({"suggestions": found}, [Table(columns, rows)]), fmt)
