"""`bscalign report`: write the audit report a planner circulates."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bscalign.commands.options import (
    EXIT_OK,
    EXIT_PROBLEMS,
    causal_order_option,
    inputs,
    lang_option,
    output_file_option,
)
from bscalign.loaders import LoadResult
from bscalign.report import FORMATS as REPORT_FORMATS
from bscalign.report import build_report, plan_views, write_report


@click.command()
@inputs
@output_file_option(
    "Where to write; the suffix picks the format: .md, .html or .xlsx.",
    callback=lambda _ctx, _param, value: _checked_report_path(value),
)
@lang_option
@causal_order_option
def report(result: LoadResult, output: Path, lang: str, causal_order: str) -> None:
    """Write the audit report a planner circulates to the agencies.

    Per plan: counts beside declared totals, findings grouped by severity and rule with
    their suggestions and source lines, cause-effect chains and the city-coverage matrix.
    The HTML report is one self-contained page that opens offline, each plan's interactive
    view in its section. Exit code 1 when an input loaded with problems (they are listed in
    the report too).

    Example: bscalign report ../shared/seeds -o audit.html --lang zh-TW
    """
    document = build_report(result, lang, causal_order=causal_order)
    views = (
        plan_views(result.graph, document)
        if REPORT_FORMATS[output.suffix.lower()] == "html"
        else None
    )
    fmt = write_report(document, output, views)
    click.echo(f"wrote {output} ({fmt})", err=True)
    sys.exit(EXIT_PROBLEMS if result.problems else EXIT_OK)


def _checked_report_path(path: Path) -> Path:
    if path.suffix.lower() not in REPORT_FORMATS:
        raise click.BadParameter(f"write .md, .html or .xlsx, not {path.name!r}")
    return path
