"""Read PowerPoint decks (``.pptx``): the text of every slide and the arrows of its map.

Agencies make their strategy maps and scorecards as slides. Each slide is read with
python-pptx into a :class:`~bscalign.loaders.drawing.Drawing`:

* tables, row by row, as the seed texts hold them (cells joined by tabs, a merged cell as
  an empty one), each row citing ``deck.pptx:slide 3:row 4``;
* every shape holding text (text boxes, rectangles, placeholders, inside groups or not)
  as a block of lines citing ``deck.pptx:slide 3:<shape name>``, in reading order: the
  title first, then top to bottom, left to right;
* connectors, lines and open freeforms as strokes, with the shapes a connector is glued to
  (``a:stCxn`` / ``a:endCxn``) and its arrowheads (``a:headEnd`` at the start,
  ``a:tailEnd`` at the end).

The text goes to the seed-text parser (one document per plan title found); the strokes
become drawn cause-effect edges and upward links (:mod:`~bscalign.loaders.drawing`).
Positions are read from each shape's transform, through the groups that hold it, with
flips and rotation, and kept in points.
"""

from __future__ import annotations

import math
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.exc import PackageNotFoundError
from pptx.oxml.ns import qn

from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders import progress
from bscalign.loaders.drawing import Box, Drawing, DrawnReading, Stroke, holds_code, load_drawings
from bscalign.loaders.ooxml import package_holds
from bscalign.loaders.problems import InputError, Problem

EMU_PER_POINT = 12700
#: An encrypted (password-protected) OOXML file, and a legacy .ppt, are OLE compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUFFIXES = (".pptx", ".pptm", ".potx", ".ppsx")
#: Preset geometries that draw a line from one corner of their frame to the other.
LINE_GEOMETRIES = ("line", "straightConnector1")
CONNECTOR_GEOMETRIES = ("bentConnector", "curvedConnector")
NO_HEAD = "none"
#: Clark names of the XML tags read (qn costs much on slides of thousands of shapes).
Q = {
    name: qn(name)
    for name in (
        "a:br",
        "a:chExt",
        "a:chOff",
        "a:close",
        "a:custGeom",
        "a:endCxn",
        "a:ext",
        "a:fld",
        "a:graphicData",
        "a:headEnd",
        "a:ln",
        "a:off",
        "a:p",
        "a:path",
        "a:prstGeom",
        "a:pt",
        "a:r",
        "a:stCxn",
        "a:t",
        "a:tailEnd",
        "a:tbl",
        "a:tc",
        "a:tr",
        "a:txBody",
        "a:xfrm",
        "p:cNvPr",
        "p:cxnSp",
        "p:graphicFrame",
        "p:grpSp",
        "p:grpSpPr",
        "p:ph",
        "p:pic",
        "p:sp",
        "p:spPr",
        "p:txBody",
        "p:xfrm",
    )
}


def looks_like_pptx(path: Path) -> bool:
    """Tell whether ``path`` is a PowerPoint deck: a ZIP with ``ppt/`` inside, or (to say
    why it cannot be read) an encrypted or broken file named like one."""
    return package_holds(path, "ppt/") or path.suffix.lower() in SUFFIXES


@dataclass(frozen=True)
class _Transform:
    """Maps a group's child coordinates (EMU) to slide points: ``x * sx + tx``."""

    sx: float = 1 / EMU_PER_POINT
    sy: float = 1 / EMU_PER_POINT
    tx: float = 0.0
    ty: float = 0.0

    def point(self, x: float, y: float) -> tuple[float, float]:
        return x * self.sx + self.tx, y * self.sy + self.ty

    def into_group(self, xfrm: etree._Element) -> _Transform:
        off, ext = xfrm.find(Q["a:off"]), xfrm.find(Q["a:ext"])
        ch_off, ch_ext = xfrm.find(Q["a:chOff"]), xfrm.find(Q["a:chExt"])
        if off is None or ext is None or ch_off is None or ch_ext is None:
            return self
        scale_x = int(ext.get("cx")) / (int(ch_ext.get("cx")) or 1)
        scale_y = int(ext.get("cy")) / (int(ch_ext.get("cy")) or 1)
        # child x -> group-parent x: off.x + (x - chOff.x) * scale_x, then this transform
        return _Transform(
            self.sx * scale_x,
            self.sy * scale_y,
            self.tx + self.sx * (int(off.get("x")) - int(ch_off.get("x")) * scale_x),
            self.ty + self.sy * (int(off.get("y")) - int(ch_off.get("y")) * scale_y),
        )


def read_pptx(
    path: str | Path, builder: PlanGraphBuilder, seen: DrawnReading | None = None
) -> list[Problem]:
    """Load a strategy-map / scorecard deck into ``builder``; return the problems found.

    What the reading saw (arrows, and the reading trace if asked for) goes to ``seen``.

    Raises
    ------
    InputError
        A file that is no readable deck (broken, encrypted), or a deck in which no slide
        holds a code (no strategy content).

    Examples
    --------
    >>> import tempfile
    >>> locked = Path(tempfile.mkdtemp()) / "locked.pptx"
    >>> _ = locked.write_bytes(OLE_MAGIC + bytes(504))
    >>> read_pptx(locked, PlanGraphBuilder())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    bscalign.loaders.problems.InputError: ...locked.pptx: password-protected (encrypted) ...
    """
    return load_drawings(deck_drawings(path), str(path), builder, seen)


def deck_drawings(path: str | Path) -> list[Drawing]:
    """Read every slide of a deck into a :class:`Drawing` (text lines, boxes, strokes)."""
    path = Path(path)
    name = str(path)
    with path.open("rb") as stream:
        if stream.read(8) == OLE_MAGIC:
            raise InputError(
                name,
                "password-protected (encrypted) or a legacy .ppt file; bscalign reads .pptx "
                "decks: save it as .pptx without a password",
            )
    try:
        deck = Presentation(str(path))
        slides = list(deck.slides)
        drawings = []
        for number, slide in enumerate(slides, 1):
            drawings.append(_slide(slide, number, name))
            progress.report(number / len(slides))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, etree.XMLSyntaxError) as err:
        raise InputError(name, f"not a readable PowerPoint deck ({err})") from None
    if not any(holds_code(text) for d in drawings for text, _, _ in d.lines):
        raise InputError(
            name,
            f"no strategy content: none of its {len(drawings)} slide(s) holds a code like "
            "AC1 or AC1.1 in a text box, shape or table",
        )
    return drawings


def _slide(slide: object, number: int, file: str) -> Drawing:
    drawing = Drawing(number, f"slide {number}")
    where = f"{file}:slide {number}"
    leaves = list(_leaves(slide.shapes._spTree, _Transform()))  # type: ignore[attr-defined]
    # a placeholder without a frame of its own takes its layout's (python-pptx resolves it)
    inherited = {
        shape.element: (shape.left, shape.top, shape.width, shape.height)
        for shape in slide.placeholders  # type: ignore[attr-defined]
        if _xfrm(shape.element) is None and shape.left is not None
    }
    names = Counter(_name(element) for element, _ in leaves)
    sources: dict[str, str] = {}
    for element, _ in leaves:
        name = _name(element)
        label = name if names[name] == 1 else f"{name} (id {_id(element)})"
        sources[_id(element)] = label
    tables = [e for e, _ in leaves if e.find(".//" + Q["a:tbl"]) is not None]
    blocks = []
    for element, transform in leaves:
        label = sources[_id(element)]
        box = _frame(element, transform, inherited.get(element))
        if element.tag == Q["p:graphicFrame"]:
            table = element.find(".//" + Q["a:tbl"])
            if table is not None:
                prefix = "" if len(tables) == 1 else f"{label} "
                blocks.append((box, _is_title(element), table, f"{where}:{prefix}", label))
            elif "diagram" in (element.find(".//" + Q["a:graphicData"]).get("uri") or ""):
                drawing.problems.append(
                    f"{label}: a SmartArt diagram; its text and arrows are not read "
                    "(convert it to shapes in PowerPoint)"
                )
            continue
        stroke = _stroke(element, transform, f"{where}:{label}", label, sources, where)
        if stroke is not None:
            drawing.strokes.append(stroke)
            continue
        text = _text(element)
        if text.strip() and box is not None:
            source = f"{where}:{label}"
            drawing.boxes.append(Box(*box, text=text, source=source, label=label))
            blocks.append((box, _is_title(element), text, source, label))
    blocks.sort(key=lambda b: (not b[1], b[0][1] if b[0] else 0, b[0][0] if b[0] else 0))
    for _, _, content, source, label in blocks:
        if isinstance(content, str):
            drawing.add_text(content, source, label)
        else:
            for row_number, row in enumerate(_rows(content), 1):
                drawing.add_text(row, f"{source}row {row_number}", f"{label} row {row_number}")
    return drawing


def _leaves(
    tree: etree._Element, transform: _Transform
) -> Iterator[tuple[etree._Element, _Transform]]:
    for child in tree:
        if child.tag == Q["p:grpSp"]:
            xfrm = child.find(f"{Q['p:grpSpPr']}/{Q['a:xfrm']}")
            inner = transform.into_group(xfrm) if xfrm is not None else transform
            yield from _leaves(child, inner)
        elif child.tag in (Q["p:sp"], Q["p:cxnSp"], Q["p:graphicFrame"], Q["p:pic"]):
            yield child, transform


def _c_nv_pr(element: etree._Element) -> etree._Element:
    return next(element.iter(Q["p:cNvPr"]))


def _name(element: etree._Element) -> str:
    return _c_nv_pr(element).get("name") or element.tag.rsplit("}", 1)[-1]


def _id(element: etree._Element) -> str:
    return _c_nv_pr(element).get("id", "")


def _is_title(element: etree._Element) -> bool:
    placeholder = next(element.iter(Q["p:ph"]), None)
    return placeholder is not None and placeholder.get("type") in ("title", "ctrTitle")


def _xfrm(element: etree._Element) -> etree._Element | None:
    return next((x for x in element.iter(Q["a:xfrm"], Q["p:xfrm"])), None)


def _frame(
    element: etree._Element,
    transform: _Transform,
    inherited: tuple[int, int, int, int] | None = None,
) -> tuple[float, float, float, float] | None:
    """The shape's box on the slide in points: left, top, right, bottom (None unplaced)."""
    try:
        x, y, cx, cy, _ = _placement(element)
    except LookupError:
        if inherited is None:
            return None
        x, y, cx, cy = inherited
    left, top = transform.point(x, y)
    right, bottom = transform.point(x + cx, y + cy)
    return min(left, right), min(top, bottom), max(left, right), max(top, bottom)


def _text(element: etree._Element) -> str:
    body = element.find(Q["p:txBody"])
    if body is None:
        return ""
    return "\n".join(_paragraph(p) for p in body.iter(Q["a:p"]))


def _paragraph(paragraph: etree._Element) -> str:
    parts = []
    for node in paragraph:
        if node.tag in (Q["a:r"], Q["a:fld"]):
            parts.append(node.findtext(Q["a:t"]) or "")
        elif node.tag == Q["a:br"]:
            parts.append("\n")
    return "".join(parts)


def _rows(table: etree._Element) -> Iterator[str]:
    """Each table row as the seeds hold it: cells joined by tabs, merged cells empty."""
    for row in table.iter(Q["a:tr"]):
        cells = []
        for cell in row.iter(Q["a:tc"]):
            merged = cell.get("hMerge") == "1" or cell.get("vMerge") == "1"
            text = "" if merged else " ".join(_text_of_cell(cell).split("\n"))
            cells.append(text.replace("\t", " "))
        yield "\t".join(cells)


def _text_of_cell(cell: etree._Element) -> str:
    body = cell.find(Q["a:txBody"])
    return "" if body is None else "\n".join(_paragraph(p) for p in body.iter(Q["a:p"]))


def _stroke(
    element: etree._Element,
    transform: _Transform,
    source: str,
    label: str,
    sources: dict[str, str],
    where: str,
) -> Stroke | None:
    """A connector, a line, or an open freeform as a stroke; None for any other shape."""
    properties = element.find(Q["p:spPr"])
    if properties is None:
        return None
    preset = properties.find(Q["a:prstGeom"])
    custom = properties.find(Q["a:custGeom"])
    is_connector = element.tag == Q["p:cxnSp"]
    if is_connector or (
        preset is not None
        and (
            preset.get("prst") in LINE_GEOMETRIES
            or preset.get("prst", "").startswith(CONNECTOR_GEOMETRIES)
        )
    ):
        ends = _corner_ends(element, transform)
    elif custom is not None and custom.find(".//" + Q["a:close"]) is None:
        ends = _path_ends(element, custom, transform)
    else:
        return None
    if ends is None:
        return None
    line = properties.find(Q["a:ln"])
    heads = [
        line is not None
        and (end := line.find(Q[tag])) is not None
        and end.get("type", NO_HEAD) != NO_HEAD
        for tag in ("a:headEnd", "a:tailEnd")
    ]
    glued = [None, None]
    for index, tag in enumerate(("a:stCxn", "a:endCxn")):
        connection = next(element.iter(Q[tag]), None)
        if connection is not None and connection.get("id") in sources:
            glued[index] = f"{where}:{sources[connection.get('id')]}"
    return Stroke(ends[0], ends[1], heads[0], heads[1], source, label, (glued[0], glued[1]))


def _placement(element: etree._Element) -> tuple[float, float, float, float, etree._Element]:
    xfrm = _xfrm(element)
    if xfrm is None or xfrm.find(Q["a:off"]) is None or xfrm.find(Q["a:ext"]) is None:
        raise LookupError
    off, ext = xfrm.find(Q["a:off"]), xfrm.find(Q["a:ext"])
    return int(off.get("x")), int(off.get("y")), int(ext.get("cx")), int(ext.get("cy")), xfrm


def _corner_ends(
    element: etree._Element, transform: _Transform
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """A line or connector runs from the top-left to the bottom-right corner of its frame,
    mirrored by its flips and turned by its rotation."""
    try:
        x, y, cx, cy, xfrm = _placement(element)
    except LookupError:
        return None
    return _placed([(0.0, 0.0), (1.0, 1.0)], x, y, cx, cy, xfrm, transform)


def _path_ends(
    element: etree._Element, geometry: etree._Element, transform: _Transform
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """A freeform's first and last points (of its first path), placed on the slide."""
    try:
        x, y, cx, cy, xfrm = _placement(element)
    except LookupError:
        return None
    path = next(geometry.iter(Q["a:path"]), None)
    points = [] if path is None else list(path.iter(Q["a:pt"]))
    if path is None or len(points) < 2:
        return None
    width = int(path.get("w", cx) or 1) or 1
    height = int(path.get("h", cy) or 1) or 1
    fractions = [
        (int(p.get("x")) / width, int(p.get("y")) / height) for p in (points[0], points[-1])
    ]
    return _placed(fractions, x, y, cx, cy, xfrm, transform)


def _placed(
    fractions: list[tuple[float, float]],
    x: int,
    y: int,
    cx: int,
    cy: int,
    xfrm: etree._Element,
    transform: _Transform,
) -> tuple[tuple[float, float], tuple[float, float]]:
    flip_h, flip_v = xfrm.get("flipH") in ("1", "true"), xfrm.get("flipV") in ("1", "true")
    angle = math.radians(int(xfrm.get("rot", "0")) / 60000)
    centre_x, centre_y = x + cx / 2, y + cy / 2
    placed = []
    for fx, fy in fractions:
        px = x + cx * (1 - fx if flip_h else fx)
        py = y + cy * (1 - fy if flip_v else fy)
        dx, dy = px - centre_x, py - centre_y  # rotation turns clockwise on the slide
        rx = centre_x + dx * math.cos(angle) - dy * math.sin(angle)
        ry = centre_y + dx * math.sin(angle) + dy * math.cos(angle)
        placed.append(transform.point(rx, ry))
    return placed[0], placed[1]
