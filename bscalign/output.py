"""Render lists of records as table, JSON, CSV or Markdown (shared by every command)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from bscalign.escaping import csv_field

FORMATS = ("table", "json", "csv", "markdown")


def to_json(document: dict[str, Any]) -> str:
    """JSON with names as written (no \\u escapes), keys in the order given."""
    return json.dumps(document, ensure_ascii=False, indent=2)


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> str:
    """Render ``rows`` (dicts) as ``fmt`` (table, csv or markdown) with ``columns``."""
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(map(csv_field, columns))
        writer.writerows([csv_field(cell) for cell in row] for row in cells)
        return buffer.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    widths = [
        max([display_width(column)] + [display_width(row[i]) for row in cells])
        for i, column in enumerate(columns)
    ]
    lines = [_pad_row(columns, widths), _pad_row(["-" * w for w in widths], widths)]
    lines += [_pad_row(row, widths) for row in cells]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def display_width(text: str) -> int:
    """Terminal columns taken by ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad_row(values: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(v + " " * (w - display_width(v)) for v, w in zip(values, widths, strict=True))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " → ".join(map(str, value))
    return str(value)
