"""`bscalign diff`: compare two years' plans, and retarget upward links."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bscalign.commands.options import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    emit,
    input_format_option,
    input_limit_options,
    load,
    output_format,
)
from bscalign.graph.diff import diff_graphs, diff_rows
from bscalign.output import Output, Table
from bscalign.queries.retarget import retarget_links


@click.command(name="diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@output_format("table", "json", "markdown")  # no CSV: one table per organization
@click.option(
    "--retarget",
    "agency_file",
    type=click.Path(path_type=Path),
    help="Re-check this agency plan's upward links against NEW's city map.",
)
@input_format_option
@input_limit_options
def diff_command(
    old: Path, new: Path, fmt: str, agency_file: Path | None, input_format: str | None
) -> None:
    """Compare the plans of each organization found in OLD and in NEW (files or folders).

    Lists entries added, removed, renamed (same code, new name) and re-coded (same name,
    new code), codes that now name something else, and links added and removed. With
    --retarget, each upward link of the agency plan is checked against NEW's city map:
    does it still hold, and which newer city objective does it most likely map to. Exit
    code 1 when an input loaded with problems or a retargeted link breaks.

    \b
    Example: bscalign diff ../shared/seeds/taipei-fire-108-bsc.txt ../shared/seeds/taipei-military-service-111-bsc.txt --retarget ../shared/seeds/taipei-fire-108-bsc.txt
    """  # noqa: E501
    old_result, new_result = load((old,), input_format), load((new,), input_format)
    diffs = diff_graphs(old_result.graph, new_result.graph)
    links: list[dict[str, Any]] = []
    problems = bool(old_result.problems or new_result.problems)
    if agency_file is not None:
        agency = load((agency_file,), input_format)
        try:
            links = list(retarget_links(agency.graph, new_result.graph, old_graph=old_result.graph))
        except ValueError as err:
            click.echo(f"bscalign: error: {err}", err=True)
            sys.exit(EXIT_USAGE)
        problems = problems or bool(agency.problems)
    shown = Output(
        {"diffs": diffs},
        [
            Table(
                ["change", "kind", "old", "new"],
                diff_rows(found),
                f"{found['old']} → {found['new']}: {found['unchanged']} unchanged",
            )
            for found in diffs
        ],
    )
    if not diffs:
        shown.notes.append("no organization has a plan in both OLD and NEW")
    breaks = [link for link in links if not link["holds"]]
    if agency_file is not None:
        shown.document["retarget"] = links
        shown.tables.append(Table(RETARGET_COLUMNS, retarget_rows(links)))
        shown.notes.append(f"{len(breaks)} of {len(links)} upward links break in the newer map")
    emit(shown, fmt)
    sys.exit(EXIT_PROBLEMS if problems or breaks else EXIT_OK)


RETARGET_COLUMNS = ["plan", "subject", "written", "status", "newer map", "holds", "proposal", "why"]


def retarget_rows(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows of :func:`retarget_links` results."""
    return [
        {
            "plan": link["plan"],
            "subject": f"{link['subject']} {link['subject_name']}",
            "written": f"{link['code']} {link['name']}",
            "status": link["status"],
            "newer map": f"{link['code']} {link['new_name']}" if link["new_name"] else "",
            "holds": link["holds"],
            "proposal": f"{p['code']} {p['name']}" if (p := link["proposal"]) else "",
            "why": p["why"] if p else "",
        }
        for link in links
    ]
