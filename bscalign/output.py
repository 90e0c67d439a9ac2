"""Command output: commands shape an :class:`Output`, one renderer per format prints it.

A command builds its JSON document and the same content as :class:`Table` rows; it never
branches on the format. Each renderer is registered once in :data:`RENDERERS` with
:func:`renderer`; a format's escaping lives in one function beside its renderer
(:func:`csv_cell`, :func:`markdown_cell`), applied to every heading and cell it prints.

>>> shown = Output({"rules": [{"code": "BSC101"}]}, [Table(["code"], [{"code": "BSC101"}])])
>>> print(RENDERERS["markdown"].render(shown), end="")
| code |
|---|
| BSC101 |
>>> FORMATS
('table', 'json', 'csv', 'markdown')
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bscalign.escaping import csv_field, markdown_text


@dataclass
class Table:
    """Rows (dicts keyed by column) under ``columns``; ``title``, if any, is printed above."""

    columns: list[str]
    rows: list[dict[str, Any]]
    title: str | None = None


@dataclass
class Output:
    """What a command prints: ``document`` for JSON, ``tables`` for the other formats.

    ``notes`` are one-line summaries for a person reading a table; they go to stderr beside
    the formats marked ``notes`` (the JSON document already holds what they say).
    ``listing``, if any, is what the table format prints instead of aligned columns: for
    output a person reads line by line with details beneath (the reading trace); the other
    formats print ``tables`` all the same.
    """

    document: dict[str, Any]
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    listing: str | None = None


@dataclass(frozen=True)
class Renderer:
    """One output format: ``render`` turns an :class:`Output` into the text for stdout."""

    name: str
    render: Callable[[Output], str]
    notes: bool


#: Every output format by name, in registration order (the first is the default).
RENDERERS: dict[str, Renderer] = {}


def renderer(name: str, *, notes: bool = True) -> Callable[[Callable[[Output], str]], Renderer]:
    """Register the decorated function as the renderer of format ``name``."""

    def register(render: Callable[[Output], str]) -> Renderer:
        if name in RENDERERS:
            raise ValueError(f"output format {name!r} is registered twice")
        RENDERERS[name] = Renderer(name, render, notes)
        return RENDERERS[name]

    return register


def cell_text(value: Any) -> str:
    """A cell's value as text: lists as paths (a → b), dicts as key=value, True as yes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " → ".join(map(str, value))
    return str(value)


def to_json(document: dict[str, Any]) -> str:
    """JSON with names as written (no \\u escapes), keys in the order given."""
    return json.dumps(document, ensure_ascii=False, indent=2)


@renderer("table")
def render_table(output: Output) -> str:
    """Aligned columns for a terminal (CJK characters count two columns), tables apart; or
    the output's ``listing``."""
    if output.listing is not None:
        return output.listing
    return "\n".join(
        (f"{table.title}\n" if table.title else "") + aligned_table(table)
        for table in output.tables
    )


@renderer("json", notes=False)
def render_json(output: Output) -> str:
    """The command's JSON document."""
    return to_json(output.document) + "\n"


@renderer("csv")
def render_csv(output: Output) -> str:
    """One CSV table with a header row (a command whose output is several tables does not
    offer CSV)."""
    if len(output.tables) != 1:
        raise ValueError(f"CSV holds one table, not {len(output.tables)}")
    (table,) = output.tables
    buffer = io.StringIO()
    # Rows end in CR LF (RFC 4180), so the csv module quotes a cell holding either: with LF
    # alone, a bare CR in a name was left unquoted and a spreadsheet broke the row there.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(column) for column in table.columns])
    writer.writerows([csv_cell(cell_text(row.get(c))) for c in table.columns] for row in table.rows)
    return buffer.getvalue()


def csv_cell(value: str) -> str:
    """A CSV cell as written, never a formula (the csv module quotes separators and quotes;
    :func:`~bscalign.escaping.csv_field` defuses a leading ``=``, ``+``, ``-``, ``@``)."""
    return csv_field(value)


@renderer("markdown")
def render_markdown(output: Output) -> str:
    """GitHub-flavoured Markdown tables, each under its title as a heading."""
    return "\n".join(
        (f"## {markdown_cell(table.title)}\n\n" if table.title else "") + markdown_table(table)
        for table in output.tables
    )


def markdown_table(table: Table) -> str:
    """``table`` as one GitHub-flavoured Markdown table (also used by the Markdown report)."""
    lines = [
        "| " + " | ".join(markdown_cell(c) for c in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines += [
        "| " + " | ".join(markdown_cell(cell_text(row.get(c))) for c in table.columns) + " |"
        for row in table.rows
    ]
    return "\n".join(lines) + "\n"


def markdown_cell(value: str) -> str:
    """Text that stays text in Markdown, in a table cell, a heading or a paragraph: see
    :func:`~bscalign.escaping.markdown_text`."""
    return markdown_text(value)


#: The output formats every table-printing command offers, in order (table first).
FORMATS = tuple(RENDERERS)


def aligned_table(table: Table) -> str:
    """``table`` as aligned columns, a dashed line under the headings."""
    cells = [[cell_text(row.get(column)) for column in table.columns] for row in table.rows]
    widths = [
        max([display_width(column)] + [display_width(row[i]) for row in cells])
        for i, column in enumerate(table.columns)
    ]
    lines = [_pad_row(table.columns, widths), _pad_row(["-" * w for w in widths], widths)]
    lines += [_pad_row(row, widths) for row in cells]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def display_width(text: str) -> int:
    """Terminal columns taken by ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad_row(values: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(v + " " * (w - display_width(v)) for v, w in zip(values, widths, strict=True))
