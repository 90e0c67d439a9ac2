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
from itertools import accumulate, pairwise
from pathlib import Path

import pdfplumber
from pdfminer.psexceptions import PSException
from pdfplumber.page import Page
from pdfplumber.utils.exceptions import PdfminerException

from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders import progress
from bscalign.loaders.drawing import (
    CITY_BAND,
    Box,
    Drawing,
    DrawnReading,
    Stroke,
    add_drawn_arrows,
    document_starts,
    holds_code,
)
from bscalign.loaders.problems import InputError, Problem
from bscalign.loaders.seedtext import CODE
from bscalign.loaders.textnorm import normalize_line

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
    pages, notes, _ = pdf_pages(path)
    return pages, notes


def pdf_pages(path: str | Path) -> tuple[list[str], dict[int, str], list[Drawing]]:
    """:func:`pdf_pages_text`, and each page as a :class:`Drawing`: a page printed from a
    slide (tables, drawn boxes, arrows: :func:`page_drawing`) is read box by box and row by
    row, any other page as running text (:func:`page_text`). Box sources are indices of the
    page's lines until :func:`read_pdf` numbers them."""
    path = Path(path)
    pages: list[str] = []
    notes: dict[int, str] = {}
    drawings: list[Drawing] = []
    try:
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
            for number, page in enumerate(pdf.pages, 1):
                drawn = page_drawing(page, number)
                if drawn is None:
                    text = page_text(page)
                    drawing = Drawing(number, f"page {number}")
                else:
                    lines, drawing = drawn
                    text = "\n".join(lines)
                unreadable = len(UNREADABLE_GLYPH.findall(text))
                if unreadable:
                    notes[number] = (
                        f"{unreadable} glyphs have no Unicode mapping in the PDF; read as spaces"
                    )
                    text = UNREADABLE_GLYPH.sub(" ", text)
                if not text.strip() and page.images:
                    notes[number] = "an image without a text layer (scanned?); not read"
                drawing.lines = [(line, "", "") for line in text.split("\n")]
                pages.append(text)
                drawings.append(drawing)
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
    return pages, notes, drawings


def read_pdf(
    path: str | Path, builder: PlanGraphBuilder, seen: DrawnReading | None = None
) -> list[Problem]:
    """Load a strategy-map / scorecard PDF into ``builder``; return the problems found.

    The pages' text, joined, goes to :func:`~bscalign.loaders.seedtext.parse_seed_text`
    (one document per plan title, as in a deck bscalign exported and a printer kept); the
    arrows of pages printed from slides become drawn cause-effect edges and upward links
    (:func:`~bscalign.loaders.drawing.add_drawn_arrows`). Sources and problems give the line
    of that text; problems also name the page. What the reading saw (arrows, and the
    reading trace if asked for) goes to ``seen``.

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
    path, seen = Path(path), seen or DrawnReading()
    pages, notes, drawings = pdf_pages(path)
    first_lines = list(accumulate((page.count("\n") + 2 for page in pages), initial=1))
    problems = [
        Problem(str(path), first_lines[number - 1], f"page {number}: {note}")
        for number, note in notes.items()
    ]
    for drawing in drawings:  # number the boxes' lines as the document's lines
        first = first_lines[drawing.number - 1]
        drawing.line = first
        drawing.boxes = [
            replace(box, source=f"{path}:{first + int(box.source)}")
            if box.source.isdigit()
            else replace(box, source=f"{path}:page {drawing.number}:{box.source}")
            for box in drawing.boxes
        ]
        drawing.strokes = [replace(st, source=f"{path}:{st.source}") for st in drawing.strokes]
    starts = [*document_starts(drawings), len(pages)]
    for begin, stop in pairwise(starts):
        base = first_lines[begin]
        text = "\n\n".join(pages[begin:stop])
        sources = [f"{path}:{base + index}" for index in range(text.count("\n") + 1)]
        for problem in seen.parse(text, str(path), builder, sources):
            line = base + problem.line - 1
            page = bisect_right(first_lines, line)
            problems.append(replace(problem, line=line, message=f"{problem.message} (page {page})"))
    return problems + add_drawn_arrows(drawings, str(path), builder, seen)


# -- pages printed from slides: boxes, tables and arrows ---------------------------------------

#: A filled triangle at most this wide and tall (points) is an arrowhead.
ARROWHEAD_SIZE = 14.0
#: A shape smaller than this (points) is no box.
MIN_BOX = 8.0
#: A stroke's end this close to an arrowhead (points) carries it.
HEAD_GAP = 2.5


def page_drawing(page: Page, number: int) -> tuple[list[str], Drawing] | None:
    """Read a page printed from a slide as its tables, boxes and arrows.

    Returns the page's text lines (boxes and table rows one line each, in reading order,
    a blank line after each) and a :class:`~bscalign.loaders.drawing.Drawing` whose boxes
    and strokes give each box the index of its line as ``source`` (the caller numbers the
    document's lines). None for a page that has neither a table, nor a drawn shape holding
    a code, nor an arrow: it is read as running text (:func:`page_text`).

    Text is assigned to the smallest shape around each character before words are formed,
    so a box's wrapped name and a band's label never mix; tables are found by
    pdfplumber's ruling lines and read cell by cell.
    """
    # tables by their ruling lines only: the edges of boxes and bands make no table
    tables = page.find_tables(
        {"vertical_strategy": "lines_strict", "horizontal_strategy": "lines_strict"}
    )
    shapes = _shapes(page, [t.bbox for t in tables])
    heads = [
        c
        for c in page.curves
        if c.get("fill")
        and c["x1"] - c["x0"] <= ARROWHEAD_SIZE
        and c["bottom"] - c["top"] <= ARROWHEAD_SIZE
    ]
    strokes = _pdf_strokes(page, heads, [t.bbox for t in tables])
    if not tables and not strokes and not shapes:
        return None
    width = float(page.width)
    containers = {
        i
        for i, shape in enumerate(shapes)
        if shape[2] - shape[0] >= 0.45 * width
        or any(_area(other) < _area(shape) and _inside(_centre(other), shape) for other in shapes)
    }
    owner: dict[int, int] = {}  # id(char) -> index of its leaf shape
    owned: dict[int, list[dict]] = {}  # leaf shape -> its characters
    in_table: set[int] = set()
    for char in page.chars:
        point = ((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2)
        if any(_inside(point, t.bbox) for t in tables):
            in_table.add(id(char))
            continue
        around = [
            (_area(shape), i)
            for i, shape in enumerate(shapes)
            if i not in containers and _inside(point, shape)
        ]
        if around:
            owner[id(char)] = min(around)[1]
            owned.setdefault(owner[id(char)], []).append(char)
    items: list[tuple[float, float, str, tuple[float, float, float, float] | None]] = []
    for index, shape in enumerate(shapes):
        if index in containers:
            continue
        text = _joined_lines(owned.get(index, []))
        if text:
            items.append((shape[1], shape[0], text, shape))
    free = page.filter(
        lambda o: o.get("object_type") == "char" and id(o) not in owner and id(o) not in in_table
    )
    labels: dict[int, list[str]] = {}
    for text, bbox in _blocks(free):
        holder = [i for i in containers if _inside(_centre(bbox), shapes[i])]
        if holds_code(text) or not holder:
            items.append((bbox[1], bbox[0], text, bbox if holds_code(text) else None))
        else:
            smallest = min(holder, key=lambda i: _area(shapes[i]))
            labels.setdefault(smallest, []).append(text)
            items.append((bbox[1], bbox[0], text, None))
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            line = "\t".join(_join_wrapped((cell or "").split("\n")) for cell in cells)
            items.append((row.bbox[1], table.bbox[0], line, None))
    items.sort(key=lambda item: (round(item[0]), item[1]))
    drawing = Drawing(number, f"page {number}")
    for index, text in labels.items():
        drawing.boxes.append(
            Box(*shapes[index], text=" ".join(text), source=f"band {index}", label="band")
        )
    city_bands = [band for band in drawing.boxes if CITY_BAND.match(band.text)]
    lines: list[str] = []
    for _, _, text, bbox in items:
        if bbox is not None:
            box = Box(*bbox, text=text, source=str(len(lines)), label=_box_label(text))
            if any(band.contains_centre_of(box) for band in city_bands):
                # the city's objective on an agency map: an arrow's end, not the plan's text
                drawing.boxes.append(replace(box, source=f"city box {len(drawing.boxes)}"))
                continue
            drawing.boxes.append(box)
        lines.extend([text, ""])
    drawing.strokes.extend(strokes)
    return lines, drawing


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _grown(box: tuple[float, float, float, float], by: float) -> tuple[float, float, float, float]:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _area(box: tuple[float, float, float, float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _shapes(
    page: Page, tables: list[tuple[float, float, float, float]]
) -> list[tuple[float, float, float, float]]:
    """Boxes and bands drawn on the page: closed rectangles and curves, outlined or filled.

    A gradient fill is printed as a stack of thin rectangles sharing their left, top and
    right edges; they are merged into one. Arrowheads, the page's background and the
    cells of tables are no shapes.
    """
    merged: dict[tuple[int, int, int], float] = {}
    for shape in [*page.rects, *page.curves]:
        x0, top, x1, bottom = shape["x0"], shape["top"], shape["x1"], shape["bottom"]
        if x1 - x0 < MIN_BOX or bottom - top < MIN_BOX:
            continue
        if x1 - x0 >= 0.95 * float(page.width) and bottom - top >= 0.95 * float(page.height):
            continue
        if shape["object_type"] == "curve" and not _closed(shape["pts"]):
            continue
        if any(_inside(_centre((x0, top, x1, bottom)), t) for t in tables):
            continue
        key = (round(x0), round(top), round(x1))
        merged[key] = max(merged.get(key, bottom), bottom)
    return sorted(
        (float(x0), float(top), float(x1), bottom) for (x0, top, x1), bottom in merged.items()
    )


def _closed(points: list[tuple[float, float]]) -> bool:
    (x0, y0), (x1, y1) = points[0], points[-1]
    return len(points) > 3 and abs(x0 - x1) < 1 and abs(y0 - y1) < 1


def _pdf_strokes(
    page: Page, heads: list[dict], tables: list[tuple[float, float, float, float]]
) -> list[Stroke]:
    """Lines and open curves outside tables, each end carrying the arrowhead next to it
    (and lengthened to its tip, where the line really points)."""
    strokes = []
    for path in [*page.lines, *page.curves]:
        points = [(float(x), float(y)) for x, y in path["pts"]]
        if path["object_type"] == "curve" and (_closed(points) or path.get("fill")):
            continue
        if any(
            _inside(point, _grown(t, HEAD_GAP)) for t in tables for point in (points[0], points[-1])
        ):
            continue  # a table's ruling
        start, end = points[0], points[-1]
        start_head, end_head = _head(start, points[1], heads), _head(end, points[-2], heads)
        label = f"line ({start[0]:.0f}, {start[1]:.0f})–({end[0]:.0f}, {end[1]:.0f})"
        strokes.append(
            Stroke(
                start_head or start,
                end_head or end,
                start_head is not None,
                end_head is not None,
                source=f"page {page.page_number}:{label}",
                label=label,
            )
        )
    return strokes


def _head(
    end: tuple[float, float], neighbour: tuple[float, float], heads: list[dict]
) -> tuple[float, float] | None:
    """The tip of the arrowhead at ``end`` of a line whose previous point is ``neighbour``.

    A head belongs to an end when its tip lies on the line's axis and at or beyond the end:
    another line's head that only touches this end (boxes stacked closely, arrows running
    on) points elsewhere, and its forward-most corners lie off this line's axis.
    """
    length = _distance(end, neighbour)
    if length == 0:
        return None
    ux, uy = (end[0] - neighbour[0]) / length, (end[1] - neighbour[1]) / length
    for head in heads:
        if not (
            head["x0"] - HEAD_GAP <= end[0] <= head["x1"] + HEAD_GAP
            and head["top"] - HEAD_GAP <= end[1] <= head["bottom"] + HEAD_GAP
        ):
            continue
        corners = list(
            dict.fromkeys((float(x) - end[0], float(y) - end[1]) for x, y in head["pts"])
        )
        cx = sum(x for x, _ in corners) / len(corners)
        cy = sum(y for _, y in corners) / len(corners)
        # the tip is the corner farthest from the head's centre; the head points along the
        # line, its tip on the line's axis at or beyond the end
        tip = max(corners, key=lambda p: _distance(p, (cx, cy)))
        axis = _distance(tip, (cx, cy))
        aligned = axis > 0 and ((tip[0] - cx) * ux + (tip[1] - cy) * uy) / axis > 0.9
        along, across = tip[0] * ux + tip[1] * uy, abs(tip[0] * uy - tip[1] * ux)
        if aligned and along >= -HEAD_GAP and across <= 2.0:
            return end[0] + tip[0], end[1] + tip[1]
    return None


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


def _join_wrapped(lines: list[str]) -> str:
    """Join the lines a box or cell wrapped its text into: CJK runs on without a space; a
    line that starts with a code, or Latin on both sides, after a space."""
    text = ""
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if text and (
            CODE.match(normalize_line(line))
            or not (_cjk(text[-1]) or _cjk(line[0]) or line[0] in "()（）")
        ):
            text += " "
        text += line
    return text


def _cjk(char: str) -> bool:
    return ord(char) >= 0x2E80


def _joined_lines(chars: list[dict]) -> str:
    """The text of a box's characters: lines top to bottom (a character whose middle lies
    below the line so far starts the next), each left to right, joined as wrapped text."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and (char["top"] + char["bottom"]) / 2 < max(c["bottom"] for c in lines[-1]):
            lines[-1].append(char)
        else:
            lines.append([char])
    texts = []
    for line in lines:
        text, previous = "", None
        for char in sorted(line, key=lambda c: c["x0"]):
            if previous is not None and char["x0"] - previous["x1"] > 0.25 * char["size"]:
                text += " "
            text += char["text"]
            previous = char
        texts.append(" ".join(text.split()))
    return _join_wrapped(texts)


def _blocks(part: object) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Text outside shapes and tables as blocks: the words of one line run together unless
    a gap wider than a character parts them; a run directly below a run (holding no code,
    overlapping it) continues it, as a wrapped name does."""
    words = part.extract_words(  # type: ignore[attr-defined]
        keep_blank_chars=True, use_text_flow=False, extra_attrs=["size"]
    )
    runs: list[list] = []  # [texts, [x0, top, x1, bottom], size]
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        text = word["text"].strip()
        if not text:
            continue
        size, box = word["size"], [word["x0"], word["top"], word["x1"], word["bottom"]]
        beside = next(
            (
                run
                for run in reversed(runs)
                if abs(run[1][1] - box[1]) <= size / 2 and 0 <= box[0] - run[1][2] <= size
            ),
            None,
        )
        if beside is not None:
            beside[0][-1] += (" " if box[0] - beside[1][2] > size / 4 else "") + text
            beside[1][2], beside[1][3] = box[2], max(beside[1][3], box[3])
            continue
        below = next(
            (
                run
                for run in reversed(runs)
                if 0 <= box[1] - run[1][3] <= 0.8 * size
                and box[0] < run[1][2]
                and box[2] > run[1][0]
                and not holds_code(text)
            ),
            None,
        )
        if below is not None:
            below[0].append(text)
            below[1] = [min(below[1][0], box[0]), below[1][1], max(below[1][2], box[2]), box[3]]
        else:
            runs.append([[text], box, size])
    return [(_join_wrapped(texts), tuple(box)) for texts, box, _ in runs]


def _box_label(text: str) -> str:
    codes = [m["code"] for m in CODE.finditer(normalize_line(text))]
    return "box " + " ".join(codes) if codes else "box"
