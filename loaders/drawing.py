"""Strategy maps as drawn: boxes holding codes, and the arrows between them.

A strategy map on a slide is a grid of boxes (``AC1 保障市民安居生活``) with perspective
bands and theme columns, and arrows from cause to effect. Slides (:mod:`.pptx`) and PDF
pages printed from slides (:mod:`.pdf`) are both read into a :class:`Drawing`: the text
of the page as lines (each with its source, so the text parser of the seeds reads it and
cites the shape or table row), the boxes that hold text, and the strokes (connectors,
lines, freeforms) with their arrowheads.

:func:`load_drawings` parses the text with :func:`~.seedtext.parse_seed_text`, then turns
each stroke into a graph fact: between two objectives of one plan, a CAUSES edge marked
``drawn=True``; from an agency objective to a box holding an objective of its city (a box
of the city map, or one inside a band labelled 府級 on the agency's map), an upward link.
A stroke is joined to a box when it is glued to it (a connector's ends) or when its end
lies inside the box or within :data:`TOLERANCE` of its edge. The arrowhead gives the
direction; a line without one, a line with two, and an arrow whose ends do not reach two
boxes holding codes are load problems, never guesses. Lines whose ends reach no box at
all (rules, frames, underlines) are decoration and are not reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypedDict

from bscalign.graph import schema as s
from bscalign.graph.build import PlanGraphBuilder, named_city_plan
from bscalign.loaders.problems import Problem
from bscalign.loaders.seedtext import (
    CODE,
    ORGANIZATION,
    TITLE_YEAR,
    TracedLine,
    parse_seed_text,
    trace_seed_text,
)
from bscalign.loaders.textnorm import clean_name, normalize_line

#: How close (in points, 1/72 inch) a free line's end must come to a box to touch it: about
#: 3 mm, the gap people leave when they draw an arrow by hand up to a box.
TOLERANCE = 9.0
#: Text of a band (a shape enclosing boxes) whose boxes are the city's objectives, drawn
#: on an agency's map to show its upward links (府級策略目標, 府級目標, ...).
CITY_BAND = re.compile(r"^\s*(?:對應|承接)?\s*府級")
_GRID = 72.0  # points per cell of the box index


@dataclass(frozen=True)
class Box:
    """A shape or text block holding text, in points from the page's top-left corner."""

    left: float
    top: float
    right: float
    bottom: float
    text: str
    source: str  # deck.pptx:slide 3:Rounded Rectangle 5
    label: str  # how messages name it: Rounded Rectangle 5

    def distance(self, x: float, y: float) -> float:
        """Distance from ``(x, y)`` to the box (0 inside it)."""
        dx = max(self.left - x, 0.0, x - self.right)
        dy = max(self.top - y, 0.0, y - self.bottom)
        return (dx * dx + dy * dy) ** 0.5

    def contains_centre_of(self, other: Box) -> bool:
        """Tell whether the centre of ``other`` lies inside this box."""
        x, y = (other.left + other.right) / 2, (other.top + other.bottom) / 2
        return self.left <= x <= self.right and self.top <= y <= self.bottom

    @property
    def area(self) -> float:
        return (self.right - self.left) * (self.bottom - self.top)


@dataclass(frozen=True)
class Stroke:
    """A connector, line or freeform: its two ends and where it has arrowheads.

    ``glued`` names, for each end, the source of the box a connector is glued to (None for
    a free end); a glued end belongs to its box wherever it is drawn.
    """

    start: tuple[float, float]
    end: tuple[float, float]
    head_at_start: bool
    head_at_end: bool
    source: str
    label: str
    glued: tuple[str | None, str | None] = (None, None)


@dataclass
class Drawing:
    """One slide or page: its text lines (with sources), boxes and strokes."""

    number: int
    place: str  # "slide 3", "page 3"
    line: int = 0  # the line problems give (0: the slide or page number)
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # text, source, label
    boxes: list[Box] = field(default_factory=list)
    strokes: list[Stroke] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add_text(self, text: str, source: str, label: str) -> None:
        """Add a block of text (one shape or table row per call; lines split on newlines)."""
        for line in text.splitlines():
            self.lines.append((line, source, label))
        self.lines.append(("", source, label))  # a block ends: names never run across


def holds_code(text: str) -> bool:
    """Tell whether ``text`` holds a code (``AC1``, ``AC1.1``) as the text parser reads it."""
    return bool(CODE.search(normalize_line(text)))


def city_boxes(boxes: Sequence[Box]) -> set[str]:
    """Sources of the boxes holding codes that lie in a band labelled 府級 (city objectives)."""
    bands = [b for b in boxes if CITY_BAND.match(b.text) and not holds_code(b.text)]
    return {
        box.source
        for box in boxes
        if holds_code(box.text) and any(band.contains_centre_of(box) for band in bands)
    }


class BoxIndex:
    """Find the box a stroke's end touches, in time independent of the number of boxes."""

    def __init__(self, boxes: Sequence[Box], tolerance: float = TOLERANCE) -> None:
        self.tolerance = tolerance
        self.by_source = {box.source: box for box in boxes}
        self.cells: dict[tuple[int, int], list[Box]] = defaultdict(list)
        for box in boxes:
            for cell in self._cells(box):
                self.cells[cell].append(box)

    def _cells(self, box: Box) -> Iterator[tuple[int, int]]:
        t = self.tolerance
        for gx in range(int((box.left - t) // _GRID), int((box.right + t) // _GRID) + 1):
            for gy in range(int((box.top - t) // _GRID), int((box.bottom + t) // _GRID) + 1):
                yield gx, gy

    def at(self, point: tuple[float, float], glued: str | None) -> Box | None:
        """The box glued at this end, else the nearest box within tolerance (the smallest
        of those containing the point, when boxes nest)."""
        if glued is not None and glued in self.by_source:
            return self.by_source[glued]
        x, y = point
        near = [
            (box.distance(x, y), box.area, box.source, box)
            for box in self.cells.get((int(x // _GRID), int(y // _GRID)), ())
            if box.distance(x, y) <= self.tolerance
        ]
        return min(near)[3] if near else None


def document_starts(drawings: Sequence[Drawing]) -> list[int]:
    """Indices of the drawings that open a new plan's document.

    A deck usually holds one agency's document; a deck bscalign exported holds one per
    plan, each opened by a title slide naming the organization and the plan year. A new
    document starts where such a title names another organization or year than the last.
    """
    starts, current = [0], None
    for index, drawing in enumerate(drawings):
        identity = _title_identity(drawing)
        if identity is None:
            continue
        if current is not None and identity != current:
            starts.append(index)
        current = identity
    return starts


def _title_identity(drawing: Drawing) -> tuple[str, str] | None:
    organization = year = None
    for text, _, _ in drawing.lines[:12]:
        compact = re.sub(r"\s+", "", normalize_line(text))
        if organization is None and ORGANIZATION.match(compact):
            organization = compact
        if ("策略地圖" in compact or "平衡計分卡" in compact) and "府級" not in compact:
            found = TITLE_YEAR.search(compact)
            year = year or (found["year"] if found else None)
    return (organization, year) if organization and year else None


#: What one drawn arrow gave: a cause-effect edge or an upward link, ``from`` → ``to``.
DrawnFact = TypedDict("DrawnFact", {"kind": str, "plan": str, "from": str, "to": str})
#: An arrow read: its source, the labels of the shapes it joins and what it gave.
DrawnArrow = TypedDict(
    "DrawnArrow", {"source": str, "from": str, "to": str, "read": list[DrawnFact]}
)


@dataclass
class DrawnReading:
    """What reading slides or pages saw, for the reading trace and the tests: strokes read as
    arrows (a cause-effect edge or an upward link) and all strokes seen, what each arrow read
    joined and gave, and, when ``trace`` is a list, the reading trace of every text line."""

    arrows_read: int = 0
    strokes: int = 0
    arrows: list[DrawnArrow] = field(default_factory=list)
    trace: list[TracedLine] | None = None

    def parse(
        self, text: str, file: str, builder: PlanGraphBuilder, sources: list[str]
    ) -> list[Problem]:
        """Parse a document's text into ``builder`` (:func:`~.seedtext.parse_seed_text`),
        appending its reading trace to ``trace`` if that is a list."""
        if self.trace is None:
            return parse_seed_text(text, file, builder, sources=sources)
        traced, parsed = trace_seed_text(text, file, builder, sources=sources)
        self.trace.extend(traced)
        return parsed


def load_drawings(
    drawings: Sequence[Drawing],
    file: str,
    builder: PlanGraphBuilder,
    seen: DrawnReading | None = None,
) -> list[Problem]:
    """Load slides or pages into ``builder``: their text, then their arrows.

    Returns every problem, each naming the file and the slide or page (as ``line``, with
    the shape in the message). What the reading saw goes to ``seen``.
    """
    seen = seen or DrawnReading()
    problems: list[Problem] = []
    starts = [*document_starts(drawings), len(drawings)]
    for first, stop in pairwise(starts):
        part = drawings[first:stop]
        upward = {source for d in part for source in city_boxes(d.boxes)}
        lines = [(t, src, d, label) for d in part for t, src, label in d.lines if src not in upward]
        if not any(holds_code(text) for text, *_ in lines):
            continue
        text, sources = "\n".join(t for t, *_ in lines), [x[1] for x in lines]
        for problem in seen.parse(text, file, builder, sources):
            _, _, drawing, label = lines[min(problem.line, len(lines)) - 1]
            problems.append(_at(drawing, label, problem.message, file, problem.plan))
    return problems + add_drawn_arrows(drawings, file, builder, seen)


def add_drawn_arrows(
    drawings: Sequence[Drawing], file: str, builder: PlanGraphBuilder, seen: DrawnReading
) -> list[Problem]:
    """Add what the strokes of ``drawings`` mean to ``builder`` (whose text is loaded, its
    nodes citing the boxes' sources); return the problems (and each drawing's own)."""
    problems = []
    by_source = _objectives_by_source(builder, drawings)
    for drawing in drawings:
        for message in drawing.problems:
            problems.append(
                Problem(file, drawing.line or drawing.number, f"{drawing.place}: {message}")
            )
        problems.extend(_strokes(drawing, file, builder, by_source, seen))
    return problems


def _at(drawing: Drawing, label: str, message: str, file: str, plan: str | None) -> Problem:
    line = drawing.line or drawing.number
    return Problem(file, line, f"{drawing.place}, {label}: {message}", plan)


def _objectives_by_source(
    builder: PlanGraphBuilder, drawings: Sequence[Drawing]
) -> dict[str, list[str]]:
    """Objective node ids read from each box (by the box's source)."""
    wanted = {box.source for d in drawings for box in d.boxes}
    found: dict[str, list[str]] = defaultdict(list)
    for nid, data in builder.graph.nodes(data=True):
        if data["kind"] == s.OBJECTIVE:
            for source in wanted.intersection(data["sources"]):
                found[source].append(nid)
    return found


def _strokes(
    drawing: Drawing,
    file: str,
    builder: PlanGraphBuilder,
    by_source: dict[str, list[str]],
    seen: DrawnReading,
) -> Iterator[Problem]:
    coded = [box for box in drawing.boxes if holds_code(box.text)]
    index = BoxIndex(coded)
    upward = city_boxes(drawing.boxes)
    for stroke in drawing.strokes:
        seen.strokes += 1
        ends = index.at(stroke.start, stroke.glued[0]), index.at(stroke.end, stroke.glued[1])
        message = _stroke_problem(stroke, *ends)
        if message:
            if message != "decoration":
                yield _at(drawing, stroke.label, message, file, None)
            continue
        cause, effect = ends if stroke.head_at_end else ends[::-1]
        assert cause is not None and effect is not None
        where = f"{stroke.source} ({cause.label} → {effect.label})"
        read = _arrow(builder, by_source, upward, cause, effect, where)
        if read:
            seen.arrows_read += 1
            seen.arrows.append(
                {"source": stroke.source, "from": cause.label, "to": effect.label, "read": read}
            )
        else:
            yield _at(
                drawing,
                stroke.label,
                f"arrow from {_said(cause)} to {_said(effect)} joins neither two objectives of "
                "one plan nor an agency objective to its city's objective; not read",
                file,
                None,
            )


def _stroke_problem(stroke: Stroke, start: Box | None, end: Box | None) -> str | None:
    heads = stroke.head_at_start or stroke.head_at_end
    if start is None and end is None:
        return (
            "an arrow whose ends reach no box holding a code; not read" if heads else ("decoration")
        )
    if start is None or end is None:
        box = start or end
        assert box is not None
        kind = "an arrow" if heads else "a line"
        return (
            f"{kind} from {_said(box)} whose other end reaches no box holding a code "
            f"(within {TOLERANCE:g} pt); not read"
        )
    if start is end:
        return f"a line whose two ends are on the same box {_said(start)}; not read"
    if not heads:
        return (
            f"a line without arrowhead between {_said(start)} and {_said(end)}: a link with "
            "no direction, not read as cause and effect (add an arrowhead)"
        )
    if stroke.head_at_start and stroke.head_at_end:
        return (
            f"an arrow with heads at both ends between {_said(start)} and {_said(end)}: no "
            "direction, not read as cause and effect"
        )
    return None


def _said(box: Box) -> str:
    text = " ".join(box.text.split())
    return f"{box.label} ({text[:30]}{'…' if len(text) > 30 else ''})"


def _arrow(
    builder: PlanGraphBuilder,
    by_source: dict[str, list[str]],
    upward: set[str],
    cause: Box,
    effect: Box,
    source: str,
) -> list[DrawnFact]:
    """Record what an arrow from ``cause`` to ``effect`` means; return what it gave (every
    objective of one box joined to every objective of the other; nothing: it meant nothing)."""
    graph = builder.graph
    causes = [graph.nodes[n] for n in by_source.get(cause.source, [])]
    read: list[DrawnFact] = []
    if effect.source in upward:
        for code, name in _codes_and_names(effect.text):
            for node in causes:
                builder.add_upward_link(
                    node["plan"], node["code"], code, name, source=source, raw=f"{code} {name}"
                )
                read.append(_fact("upward link", node["plan"], node["code"], code))
        return read
    for node in causes:
        for target in (graph.nodes[n] for n in by_source.get(effect.source, [])):
            if target["plan"] == node["plan"]:
                builder.add_cause(
                    node["plan"], node["code"], target["code"], source=source, drawn=True
                )
                read.append(_fact("cause-effect", node["plan"], node["code"], target["code"]))
            elif target["plan"] == named_city_plan(graph.nodes[s.plan_node_id(node["plan"])]):
                builder.add_upward_link(
                    node["plan"],
                    node["code"],
                    target["code"],
                    target["name"],
                    source=source,
                    raw=f"{target['code']} {target['name']}",
                )
                read.append(_fact("upward link", node["plan"], node["code"], target["code"]))
    return read


def _fact(kind: str, plan: str, cause: str, effect: str) -> DrawnFact:
    return {"kind": kind, "plan": plan, "from": cause, "to": effect}


def _codes_and_names(text: str) -> list[tuple[str, str]]:
    """Each objective code in a box's text with the name written after it."""
    line = normalize_line(" ".join(text.split("\n")))
    matches = [m for m in CODE.finditer(line) if "." not in m["code"]]
    return [
        (m["code"], clean_name(line[m.end() : nxt.start() if nxt else len(line)]))
        for m, nxt in zip(matches, [*matches[1:], None], strict=True)
    ]
