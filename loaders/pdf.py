"""Read a strategy map / balanced scorecard published as PDF: its text, parsed like the seeds.

The text is extracted with pdfplumber (on pdfminer.six). It places every character on the
page and joins characters into lines by their position, so a table row whose cells are
separate text objects comes out as one line in reading order, cells separated by spaces;
that is what the row-based text parser needs. (pypdf emits text in the order the content
stream draws it, which for slides and tables is often not the order a reader sees.)
pdfplumber also shows which pages hold only images, which tells a scanned PDF apart.

Real extraction loses tabs: cells come out separated by spaces or on separate lines. The
text parser (:mod:`bscalign.loaders.seedtext`) reads codes, not column positions, and
copes with both. No OCR is done: a PDF without a text layer is an :class:`InputError`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from itertools import accumulate
from pathlib import Path

import pdfplumber
from pdfminer.psexceptions import PSException
from pdfplumber.page import Page
from pdfplumber.utils.exceptions import PdfminerException

from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders import progress
from bscalign.loaders.problems import InputError, Problem
from bscalign.loaders.seedtext import parse_seed_text

#: Glyphs a PDF gives no Unicode for: pdfminer writes ``(cid:123)``, some fonts give NUL.
UNREADABLE_GLYPH = re.compile(r"\(cid:\d+\)|\x00")


def looks_like_pdf(path: Path) -> bool:
    """Tell whether ``path`` is a PDF (``%PDF-`` within its first kilobyte)."""
    with path.open("rb") as stream:
        return b"%PDF-" in stream.read(1024)


def page_text(page: Page) -> str:
    """Return a page's text line by line, with a blank line where a gap stands between two.

    pdfplumber joins characters into lines by position; a vertical gap taller than the
    line above it (a new paragraph, text box or table) becomes a blank line, as it is in
    the text of the seeds: the text parser ends a wrapped name at a blank line. A gap
    between two characters wider than the line is tall separates two cells of a table
    row: it becomes a tab, as in extracted slide text, so a table's header-driven reading
    keeps a cell of a column bscalign does not model (衡量標準, 目標值) out of the names.
    """
    lines = []
    previous = None
    for line in page.extract_text_lines(return_chars=True):
        if previous is not None and line["top"] - previous["bottom"] > (
            previous["bottom"] - previous["top"]
        ):
            lines.append("")
        lines.append(_cells_apart(line))
        previous = line
    return "\n".join(lines)


def _cells_apart(line: dict) -> str:
    """A line's text with a tab for each space that stands for a gap wider than the line
    is tall; the text as pdfplumber gives it when its characters cannot be matched."""
    text, chars = line["text"], [c for c in line["chars"] if c["text"].strip()]
    height = line["bottom"] - line["top"]
    pieces, index = [], 0
    for match in re.finditer(r"\S+|\s+", text):
        piece = match.group()
        if not piece.isspace():
            index += len(piece)
            pieces.append(piece)
            continue
        if 0 < index < len(chars) and chars[index]["x0"] - chars[index - 1]["x1"] > height:
            piece = "\t"
        pieces.append(piece)
    if index != len(chars):
        return text
    return "".join(pieces)


def pdf_pages_text(path: str | Path) -> tuple[list[str], dict[int, str]]:
    """Return the text of each page of a PDF, and notes on pages that could not be read.

    Notes map a page number (from 1) to what went wrong on it: an image without text, or
    glyphs without a Unicode mapping (read as spaces).

    Raises
    ------
    InputError
        A file that is no readable PDF, or a PDF without any text layer (a scan).

    Examples
    --------
    >>> import tempfile
    >>> broken = Path(tempfile.mkdtemp()) / "broken.pdf"
    >>> _ = broken.write_bytes(b"%PDF-1.4 and nothing else")
    >>> pdf_pages_text(broken)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    bscalign.loaders.problems.InputError: ...broken.pdf: not a readable PDF (...)
    """
    path = Path(path)
    pages: list[str] = []
    notes: dict[int, str] = {}
    try:
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
            for number, page in enumerate(pdf.pages, 1):
                text = page_text(page)
                unreadable = len(UNREADABLE_GLYPH.findall(text))
                if unreadable:
                    notes[number] = (
                        f"{unreadable} glyphs have no Unicode mapping in the PDF; read as spaces"
                    )
                    text = UNREADABLE_GLYPH.sub(" ", text)
                if not text.strip() and page.images:
                    notes[number] = "an image without a text layer (scanned?); not read"
                pages.append(text)
                page.close()
                progress.report(number / count)
    except (PdfminerException, PSException) as err:  # pdfminer's syntax, encryption, ...
        raise InputError(str(path), f"not a readable PDF ({err or type(err).__name__})") from None
    if not any(text.strip() for text in pages):
        raise InputError(
            str(path),
            f"the PDF has no text layer ({len(pages)} page(s) of images only: a scan?); "
            "bscalign reads the text of PDFs and does no OCR. Export the PDF again from the "
            "original slides, or give the extracted text or a spreadsheet instead",
        )
    return pages, notes


def read_pdf(path: str | Path, builder: PlanGraphBuilder) -> list[Problem]:
    """Load a strategy-map / scorecard PDF into ``builder``; return the problems found.

    The pages' text, joined, goes to :func:`~bscalign.loaders.seedtext.parse_seed_text`.
    Sources and problems give the line of that text; problems also name the page.

    Examples
    --------
    A PDF whose page holds no text (here a blank one; a scan is the usual case):

    >>> import tempfile, pypdfium2
    >>> blank = pypdfium2.PdfDocument.new()
    >>> _ = blank.new_page(595, 842)
    >>> path = Path(tempfile.mkdtemp()) / "blank.pdf"
    >>> blank.save(path)
    >>> read_pdf(path, PlanGraphBuilder())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    bscalign.loaders.problems.InputError: ...blank.pdf: the PDF has no text layer (1 page(s) ...
    """
    path = Path(path)
    pages, notes = pdf_pages_text(path)
    first_lines = list(accumulate((page.count("\n") + 2 for page in pages), initial=1))
    problems = [
        Problem(str(path), first_lines[number - 1], f"page {number}: {note}")
        for number, note in notes.items()
    ]
    for problem in parse_seed_text("\n\n".join(pages), str(path), builder):
        page = bisect_right(first_lines, problem.line)
        problems.append(replace(problem, message=f"{problem.message} (page {page})"))
    return problems
