"""`bscalign read`: the reading trace of one document, line by line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bscalign.commands.options import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, emit, output_format
from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders import InputError
from bscalign.loaders.drawing import DrawnArrow, DrawnFact, DrawnReading
from bscalign.loaders.pdf import looks_like_pdf, read_pdf
from bscalign.loaders.pptx import looks_like_pptx, read_pptx
from bscalign.loaders.problems import Problem
from bscalign.loaders.seedtext import NOT_READ, TracedLine, trace_seed_text
from bscalign.loaders.textnorm import decode
from bscalign.output import Output, Table


def trace_document(path: Path) -> tuple[list[TracedLine], list[Problem], list[DrawnArrow]]:
    """Trace a document of extracted text, a PDF or a deck, as it is loaded; also return the
    arrows drawn on its slides or pages, each with the shapes it joins and what it gave."""
    for recognise, read in ((looks_like_pdf, read_pdf), (looks_like_pptx, read_pptx)):
        if recognise(path):
            seen = DrawnReading(trace=[])
            problems = read(path, PlanGraphBuilder(), seen)
            return seen.trace or [], sorted(problems), seen.arrows
    trace, problems = trace_seed_text(decode(path.read_bytes(), str(path)), str(path))
    return trace, problems, []


def describe(line: TracedLine) -> str:
    """What a line produced, in a few words: ``KPI AC1.1 name, objective AC1; ...``."""
    if not line.produced:
        return line.note
    produced = "; ".join(f"{p.kind} {p.code} {p.field}".replace("  ", " ") for p in line.produced)
    return f"{produced} ({line.note})" if line.note else produced


def trace_output(lines: list[TracedLine], arrows: list[DrawnArrow]) -> Output:
    """The reading trace as output: each line with what it became, then the arrows drawn
    (for the table format: each line numbered, what it became beneath it)."""
    document = {
        "lines": [
            {
                "source": line.source,
                "text": line.text,
                "produced": [
                    {"kind": p.kind, "plan": p.plan, "code": p.code, "field": p.field}
                    for p in line.produced
                ],
                "note": line.note,
            }
            for line in lines
        ],
        "arrows": arrows,
    }
    rows = [{"source": line.source, "text": line.text, "became": describe(line)} for line in lines]
    rows += [
        {
            "source": arrow["source"],
            "text": f"{arrow['from']} → {arrow['to']}",
            "became": "; ".join(_drawn(fact) for fact in arrow["read"]),
        }
        for arrow in arrows
    ]
    return Output(
        document, [Table(["source", "text", "became"], rows)], listing=_listing(lines, arrows)
    )


def _listing(lines: list[TracedLine], arrows: list[DrawnArrow]) -> str:
    """Each line numbered with what it became beneath it, then the arrows drawn."""
    listing = []
    for line in lines:
        number, text = line.source.rsplit(":", 1)[-1], line.text.replace("\t", "⇥")
        listing.append(f"{number:>5} {text}")
        if line.produced or line.note not in ("", "blank"):
            listing.append(f"      └ {describe(line)}")
    listing += ["drawn arrows"] if arrows else []
    for arrow in arrows:
        listing.append(f"  {arrow['source']}: {arrow['from']} → {arrow['to']}")
        listing += [f"      └ {_drawn(fact)}" for fact in arrow["read"]]
    return "".join(f"{line}\n" for line in listing)


def _drawn(fact: DrawnFact) -> str:
    return f"{fact['kind']} {fact['from']} → {fact['to']} ({fact['plan']})"


@click.command(name="read")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@output_format()
@click.option("--not-read", "only_not_read", is_flag=True, help="Show only lines not read.")
def read_command(file: Path, fmt: str, only_not_read: bool) -> None:
    """Show what each line of a document became: the reading trace.

    Every line of FILE (extracted slide text, a PDF's text, a PowerPoint deck's shapes and
    table rows) is printed with what it produced: theme, objective, KPI, action plan, upward
    link, city-KPI reference, declared total, or a note (heading, header row, row label,
    continuation, blank). A line holding a code or Chinese text that produced nothing is
    marked ``not read``. The arrows drawn on a deck's slides or a PDF's pages follow, each
    with the shapes it joins and the drawn cause-effect edge or upward link it gave. A
    planner who doubts a finding checks its line here; a developer sees a misread at a
    glance. Exit code 1 when the document loads with problems (a code on a line not read is
    one).

    Example: bscalign read ../shared/seeds/taipei-fire-108-bsc.txt --not-read
    """
    try:
        trace, problems, arrows = trace_document(file)
    except (InputError, OSError) as err:
        click.echo(f"bscalign: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    for problem in problems:
        click.echo(f"bscalign: problem: {problem}", err=True)
    shown = [line for line in trace if not only_not_read or line.note == NOT_READ]
    emit(trace_output(shown, arrows), fmt)
    sys.exit(EXIT_PROBLEMS if problems else EXIT_OK)
