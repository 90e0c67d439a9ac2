"""Bounds on what one input may hold, so that a hostile file is refused quickly.

A strategy-map document is small: the largest real one is a few hundred kilobytes, a name a
few dozen characters. The bounds below sit far above that and far below what would take
minutes or gigabytes to read. Whatever exceeds one is refused with a message naming the
bound (and, for the file size, the option that raises it); nothing is cut silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

#: Default of ``--max-input-size``: bytes in one input file (and in an XLSX unpacked).
MAX_INPUT_BYTES = 50 * 1024 * 1024
#: Characters in one cell or YAML text value (a name, a code, a reason).
MAX_TEXT_CHARS = 10_000
#: Nodes YAML aliases may add to a document beyond those written in it.
MAX_ALIAS_NODES = 100_000
#: Nesting of YAML collections (bscalign YAML nests six deep).
MAX_YAML_DEPTH = 64
#: Columns of a sheet; a sheet declaring or holding a cell further right is refused.
MAX_COLUMNS = 1_000
#: Rows a sheet may declare (Excel's own limit).
MAX_ROWS = 1_048_576
#: XML elements in a workbook part openpyxl reads whole (its styles, workbook, properties,
#: relationships): real ones hold a few thousand; Excel's own cap of 64,000 cell styles, each
#: with its alignment, comes to some 130,000.
MAX_PART_ELEMENTS = 150_000
#: Default of ``--max-sheet-rows``: rows one sheet of a workbook may hold (its last row's number).
MAX_SHEET_ROWS = 100_000
#: Default of ``--max-sheet-cells``: cells one sheet may hold, and strings in a workbook's
#: shared-string table (no sheet can use more).
MAX_SHEET_CELLS = 500_000


@dataclass(frozen=True)
class Limits:
    """The bounds that can be changed (the others are the module's constants)."""

    max_input_bytes: int = MAX_INPUT_BYTES
    max_sheet_rows: int = MAX_SHEET_ROWS
    max_sheet_cells: int = MAX_SHEET_CELLS


DEFAULT = Limits()
_current: ContextVar[Limits | None] = ContextVar("bscalign_limits", default=None)


def current() -> Limits:
    """The limits of the load under way (the defaults outside one)."""
    return _current.get() or DEFAULT


@contextmanager
def applied(limits: Limits) -> Iterator[None]:
    """Make ``limits`` the current ones inside the ``with`` block."""
    token = _current.set(limits)
    try:
        yield
    finally:
        _current.reset(token)


def size_text(size: int) -> str:
    """A byte count as people read it: ``52,428,800 bytes (50 MiB)``.

    >>> size_text(50 * 1024 * 1024), size_text(17_359)
    ('52,428,800 bytes (50 MiB)', '17,359 bytes (17 KiB)')
    """
    unit, scale = ("MiB", 1024**2) if size >= 1024**2 else ("KiB", 1024)
    return f"{size:,} bytes ({size / scale:,.0f} {unit})"


def too_long(text: str, what: str) -> str | None:
    """Say why ``text`` is refused when it is longer than :data:`MAX_TEXT_CHARS`, else None.

    >>> too_long("x" * 10_001, "'name'")
    "'name' is 10,001 characters long (limit 10,000)"
    """
    if len(text) <= MAX_TEXT_CHARS:
        return None
    return f"{what} is {len(text):,} characters long (limit {MAX_TEXT_CHARS:,})"
