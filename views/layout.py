"""Place one plan's strategy map the way planners draw it, readable at first sight.

A map shows one plan. Its themes are columns (a header row names them) and the
perspectives are horizontal bands in the map's own order (customer on top, then internal
process, learning and growth, financial). By default a cell holds objectives only, each a
box of the same width (``detail="objectives"``); ``"kpis"`` stacks each objective's KPIs
beneath it and ``"all"`` their action plans too. Objectives of one cell stand in a small
grid, as many side by side as makes the whole map largest on a 1600×1000 window.

Above an agency plan's map stand the city objectives it links to, each placed above the
agency objectives that link to it (their mean position, then pushed apart just enough not
to overlap); the placeholder of a dangling link stands right beneath the city objective the
audit suggests, which is always shown. The rest of the city map is folded into one
"+N more" box per city theme. Nothing here draws: :mod:`bscalign.views.html` does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any, TypedDict

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.build import city_plan_of
from bscalign.views.graph import MISSING
from bscalign.views.text import wrap

#: How much a map shows: objectives only, with their KPIs, or with their action plans too.
DETAILS = ("objectives", "kpis", "all")
#: Kind of the box standing for the folded objectives of one city theme.
MORE = "More"
#: Band of objectives whose perspective is unknown (codes that cannot be read).
UNKNOWN = "?"
#: Column of objectives that belong to no theme (the city-wide TC objectives).
NO_THEME = ""
#: Column of KPIs and action plans attached to no objective shown.
UNATTACHED = "unattached"

#: Width of every box, the gap between boxes, and the room of one label line per kind.
BOX_WIDTH, MORE_WIDTH, GAP, PADDING = 170.0, 116.0, 10.0, 12.0
LINE_HEIGHT = {s.OBJECTIVE: 18.0, MISSING: 18.0, s.THEME: 18.0, s.PLAN: 18.0, MORE: 18.0}
LINE_HEIGHT |= {s.KPI: 17.0, s.ACTION_PLAN: 16.0}
#: Left margin holding the band names.
GUTTER = 90.0
#: The window a map is made for (canvas of a 1600×1000 page beside its side panel).
VIEWPORT = (1330.0, 930.0)


@dataclass(frozen=True)
class Region:
    """A rectangle drawn behind the boxes: a perspective band, a theme column, the strip."""

    kind: str
    label: str
    x: float
    y: float
    width: float
    height: float
    perspective: str | None = None


class MoreBox(TypedDict):
    """A "+N more" box: the city objectives of one theme of ``plan`` folded into one box."""

    kind: str
    plan: str
    theme: str
    members: list[str]


@dataclass
class MapLayout:
    """One plan's map: box centres (screen coordinates, y down), box sizes, regions.

    ``folded`` maps a box to the nodes folded into it (an objective's KPIs and action
    plans when they are not shown; a "+N more" box's city objectives); ``more`` holds the
    "+N more" boxes (their plan, theme and members), which are not nodes of the view.
    ``columns`` is the width of each theme column (for measuring how far links run).
    """

    plan: str | None = None
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    sizes: dict[str, tuple[float, float]] = field(default_factory=dict)
    regions: list[Region] = field(default_factory=list)
    folded: dict[str, list[str]] = field(default_factory=dict)
    more: dict[str, MoreBox] = field(default_factory=dict)
    columns: dict[str, float] = field(default_factory=dict)

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of every box."""
        edges = [
            (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            for n, (x, y) in self.positions.items()
            for w, h in [self.sizes[n]]
        ]
        return (
            min(e[0] for e in edges),
            min(e[1] for e in edges),
            max(e[2] for e in edges),
            max(e[3] for e in edges),
        )

    def fit_scale(self, viewport: tuple[float, float] = VIEWPORT) -> float:
        """The largest scale at which the whole map fits ``viewport``."""
        left, top, right, bottom = self.bounds()
        return min(viewport[0] / (right - left + 2 * GAP), viewport[1] / (bottom - top + 2 * GAP))


def label_lines(data: dict[str, Any]) -> int:
    """How many lines a box's label has (the first holds the code and the badges)."""
    kind = data["kind"]
    if kind == MORE:
        return 1
    if kind == MISSING:
        return 1 + len(wrap(data.get("name", ""))) + bool(data.get("suggestion"))
    if kind == s.PLAN:
        return 1 + len(wrap(data["id"]))
    if kind == s.THEME:
        return len(wrap(f"{data['code']} {data['name']}".strip()))
    # code and worst finding; name; KPIs and action plans (objectives only)
    return 1 + len(wrap(data.get("name", ""))) + (kind == s.OBJECTIVE)


def box_size(data: dict[str, Any]) -> tuple[float, float]:
    """Width and height of a node's box."""
    kind = data["kind"]
    key = (kind, data.get("name", ""), data.get("id"), data.get("code"), data.get("suggestion"))
    return _box_size(key, label_lines(data) if key not in _SIZES else 0)


_SIZES: dict[tuple[Any, ...], tuple[float, float]] = {}


def _box_size(key: tuple[Any, ...], lines: int) -> tuple[float, float]:
    """Box sizes by what decides them (layouts ask for the same boxes many times)."""
    if key not in _SIZES:
        width = MORE_WIDTH if key[0] == MORE else BOX_WIDTH
        _SIZES[key] = (width, PADDING + lines * LINE_HEIGHT.get(key[0], 18.0))
    return _SIZES[key]


def map_plans(view: nx.MultiDiGraph) -> list[str]:
    """The plans a view of ``view`` has maps for: one agency plan alone (its city objectives
    stand above its map), else every plan, agencies first."""
    chosen = sorted(d["id"] for d in view.nodes.values() if d["kind"] == s.PLAN)
    agencies = [p for p in chosen if view.nodes[s.plan_node_id(p)]["level"] == s.AGENCY]
    if len(agencies) == 1:
        return agencies
    return agencies + [p for p in chosen if p not in agencies]


def strategy_map_layout(
    view: nx.MultiDiGraph,
    plan: str | None = None,
    *,
    detail: str = "objectives",
    viewport: tuple[float, float] = VIEWPORT,
) -> MapLayout:
    """Place one plan's map (with the city objectives an agency plan links to above it).

    Parameters
    ----------
    view : networkx.MultiDiGraph
        A view graph (:func:`bscalign.views.view_graph`) or any plan graph.
    plan : str, optional
        The plan to map (default: the first of :func:`map_plans`).
    detail : {"objectives", "kpis", "all"}
        What a cell shows beneath each objective: nothing, its KPIs, or its KPIs and their
        action plans. What is not shown is folded into its objective (``folded``).
    viewport : (float, float)
        The window the map should fill: cells get as many columns as make it largest.

    Returns
    -------
    MapLayout

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("臺北市政府兵役局", "111", s.AGENCY)
    >>> for code in ("AC1", "AP1", "AF1"):
    ...     _ = b.add_objective(p, code, code, source="x:1", place="map")
    >>> _ = b.add_kpi(p, "AC1.1", "k", source="x:2", place="scorecard", objective="AC1")
    >>> ids = {c: s.node_id(k, p, c) for k, c in [("Objective", "AC1"), ("Objective", "AP1"),
    ...                                           ("Objective", "AF1"), ("KPI", "AC1.1")]}
    >>> layout = strategy_map_layout(b.graph)
    >>> pos = layout.positions
    >>> pos[ids["AC1"]][1] < pos[ids["AP1"]][1] < pos[ids["AF1"]][1], ids["AC1.1"] in pos
    (True, False)
    >>> layout.folded[ids["AC1"]] == [ids["AC1.1"]]
    True
    >>> pos = strategy_map_layout(b.graph, detail="kpis").positions
    >>> pos[ids["AC1"]][0] == pos[ids["AC1.1"]][0] and pos[ids["AC1"]][1] < pos[ids["AC1.1"]][1]
    True
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    plan = plan or next(iter(map_plans(view)), None)
    if plan is None:
        return MapLayout()
    members = [(n, d) for n, d in view.nodes(data=True) if d.get("plan") == plan]

    block = _Block(view, plan, members, detail)
    strip = _CityStrip(view, plan)

    def laid_out(across: dict[str, int]) -> MapLayout:
        layout = MapLayout(plan=plan)
        block.arrange(across)
        block.place(layout)
        _place_top(view, plan, layout, block.width, strip)
        return layout

    # widen one theme column at a time (more objectives side by side) while the map grows
    across = dict.fromkeys(block.columns, 1)
    best = laid_out(across)
    while True:
        tries = [{**across, column: n + 1} for column, n in across.items() if n < 4]
        tries.append({column: min(4, n + 1) for column, n in across.items()})
        scored = [(laid_out(t).fit_scale(viewport), i, t) for i, t in enumerate(tries)]
        if not scored:
            break
        scale, _, chosen = max(scored, key=lambda x: (x[0], -x[1]))
        if scale <= best.fit_scale(viewport) + 1e-9:
            break
        across, best = chosen, laid_out(chosen)
    return best


class _Block:
    """One plan's theme columns × perspective bands of stacks (objective over its detail)."""

    def __init__(
        self,
        view: nx.MultiDiGraph,
        plan: str,
        members: list[tuple[str, dict[str, Any]]],
        detail: str,
    ):
        self.view, self.plan, self.detail = view, plan, detail
        self.themes = sorted((d["code"], n) for n, d in members if d["kind"] == s.THEME)
        letters = {d.get("theme") for _, d in members if d["kind"] in (s.OBJECTIVE, MISSING)}
        self.columns = sorted({code for code, _ in self.themes} | (letters - {None}))
        self.cells: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
        self.folded: dict[str, list[str]] = {}
        self._stack(members)
        used = {column for column, _ in self.cells}
        self.columns += [c for c in (NO_THEME, UNATTACHED) if c in used]
        bands = {band for _, band in self.cells}
        self.bands = [*s.PERSPECTIVES, *([UNKNOWN] if UNKNOWN in bands else [])]
        self.heights = {
            tuple(stack): sum(box_size(view.nodes[n])[1] for n in stack)
            + GAP / 2 * (len(stack) - 1)
            for stacks in self.cells.values()
            for stack in stacks
        }
        self.header = GAP + max([38.0] + [box_size(view.nodes[n])[1] for _, n in self.themes])

    def arrange(self, across: dict[str, int]) -> None:
        """Stand up to ``across[column]`` objectives side by side in each column's cells."""
        self.across = {
            column: max(
                1,
                min(
                    across.get(column, 1),
                    max([1] + [len(self.cells.get((column, b), ())) for b in self.bands]),
                ),
            )
            for column in self.columns
        }
        self.column_widths = {c: self.across[c] * (BOX_WIDTH + GAP) + GAP for c in self.columns}
        self.band_heights = {band: self._band_height(band) for band in self.bands}
        self.width = GUTTER + sum(self.column_widths.values())
        self.height = self.header + sum(self.band_heights.values())

    def _stack(self, members: list[tuple[str, dict[str, Any]]]) -> None:
        """Fill the cells: each objective over its KPIs, each KPI over its action plans
        (what the detail level hides is folded into the objective instead)."""
        placed: set[str] = set()
        columns = set(self.columns)
        ordered = sorted(members, key=lambda item: s.code_order(item[1].get("code", "")))
        for nid, data in ordered:
            if data["kind"] not in (s.OBJECTIVE, MISSING):
                continue
            below = []
            for kpi in _sources(self.view, nid, s.MEASURES):
                if kpi not in placed:
                    below += [kpi, *_sources(self.view, kpi, s.SUPPORTS, skip=placed | {*below})]
            placed.update([nid, *below])
            column = data.get("theme") if data.get("theme") in columns else NO_THEME
            self.cells[column, _band(data.get("perspective"))].append(self._shown(nid, below))
        for kind in (s.KPI, s.ACTION_PLAN):
            for nid, data in ordered:
                if data["kind"] != kind or nid in placed:
                    continue
                below = _sources(self.view, nid, s.SUPPORTS, skip=placed)
                placed.update([nid, *below])
                band = _band(_perspective_of_code(data["code"]))
                self.cells[UNATTACHED, band].append([nid, *below])

    def _shown(self, objective: str, below: list[str]) -> list[str]:
        kinds = {"objectives": (), "kpis": (s.KPI,), "all": (s.KPI, s.ACTION_PLAN)}[self.detail]
        shown = [n for n in below if self.view.nodes[n]["kind"] in kinds]
        hidden = [n for n in below if n not in shown]
        if hidden:
            self.folded[objective] = hidden
        return [objective, *shown]

    def _rows(self, column: str, band: str) -> list[list[list[str]]]:
        stacks = self.cells.get((column, band), [])
        step = self.across[column]
        return [stacks[i : i + step] for i in range(0, len(stacks), step)]

    def _stack_height(self, stack: list[str]) -> float:
        return self.heights[tuple(stack)]

    def _band_height(self, band: str) -> float:
        heights = [
            sum(max(map(self._stack_height, row)) + GAP for row in self._rows(column, band))
            for column in self.columns
        ]
        return max([56.0, *(h + GAP for h in heights)])

    def place(self, layout: MapLayout) -> None:
        """Write the block's boxes and regions, its top-left corner at (0, 0)."""
        layout.folded.update(self.folded)
        column_x, x = {}, GUTTER
        for column in self.columns:
            column_x[column] = x
            label = {NO_THEME: "column:none", UNATTACHED: "column:unattached"}.get(column, column)
            layout.regions.append(
                Region("column", label, x, 0, self.column_widths[column], self.height)
            )
            layout.columns[column] = self.column_widths[column]
            x += self.column_widths[column]
        for code, nid in self.themes:
            size = (self.column_widths[code] - 2 * GAP, box_size(self.view.nodes[nid])[1])
            layout.positions[nid] = (column_x[code] + self.column_widths[code] / 2, self.header / 2)
            layout.sizes[nid] = size
        y = self.header
        for band in self.bands:
            layout.regions.append(
                Region("band", f"band:{band}", 0, y, self.width, self.band_heights[band], band)
            )
            for column in self.columns:
                row_y = y + GAP
                for row in self._rows(column, band):
                    for i, stack in enumerate(row):
                        box_x = column_x[column] + GAP + i * (BOX_WIDTH + GAP) + BOX_WIDTH / 2
                        node_y = row_y
                        for node in stack:
                            width, height = box_size(self.view.nodes[node])
                            layout.positions[node] = (box_x, node_y + height / 2)
                            layout.sizes[node] = (width, height)
                            node_y += height + GAP / 2
                    row_y += max(map(self._stack_height, row)) + GAP
            y += self.band_heights[band]


def _place_top(
    view: nx.MultiDiGraph, plan: str, layout: MapLayout, width: float, strip: _CityStrip
) -> None:
    """Above the block: an agency's city strip, then a row with the plan's own box (where
    findings about the whole plan show) and the "+N more" boxes of the city map."""
    bottom = -2 * GAP
    for row in strip.rows(layout, width):
        bottom = _place_row(layout, view, row, bottom)
    layout.more.update(strip.more)
    layout.folded.update({box: data["members"] for box, data in strip.more.items()})
    plan_box = s.plan_node_id(plan)
    plan_width, _ = box_size(view.nodes[plan_box])
    left = GUTTER + plan_width + GAP
    pitch = MORE_WIDTH + GAP
    per_row = max(1, int((width - left) // pitch))
    chips = list(strip.more)
    rows = [chips[i : i + per_row] for i in range(0, len(chips), per_row)] or [[]]
    for index, row in enumerate(rows):
        placed = {chip: left + (j + 0.5) * pitch for j, chip in enumerate(row)}
        if index == 0:
            placed[plan_box] = GUTTER + plan_width / 2
        bottom = _place_row(layout, view, placed, bottom, boxes=strip.more)
    if strip.city is not None:
        layout.regions.append(Region("strip", strip.city, 0, bottom, width, -bottom - GAP))


class _CityStrip:
    """An agency's strip: the city objectives it links to (each above its linkers),
    placeholders beneath their suggestion (the rows nearest the agency), and the "+N more"
    boxes folding the rest of the city map per theme. What it holds does not depend on
    where the agency's boxes stand; :meth:`rows` places it above them."""

    def __init__(self, view: nx.MultiDiGraph, plan: str) -> None:
        self.view, self.city = view, None
        self.links: dict[str, list[str]] = {}  # agency box -> city targets
        self.more: dict[str, MoreBox] = {}
        if view.nodes[s.plan_node_id(plan)]["level"] != s.AGENCY:
            return
        city = city_plan_of(view, plan)
        if city is None or s.plan_node_id(city) not in view:
            return
        self.city = city
        for node, data in view.nodes(data=True):
            if data.get("plan") == plan:
                targets = [
                    t
                    for _, t, kind in view.out_edges(node, keys=True)
                    if kind == s.ALIGNS_TO and view.nodes[t].get("plan") == city
                ]
                if targets:
                    self.links[node] = targets
        targets = {t for ts in self.links.values() for t in ts}
        self.placeholders = sorted(t for t in targets if view.nodes[t]["kind"] == MISSING)
        self.suggested = {p: view.nodes[p].get("suggestion_node") for p in self.placeholders}
        self.shown = {t for t in targets if view.nodes[t]["kind"] != MISSING}
        self.shown |= {t for t in self.suggested.values() if t in view}
        folded: dict[str, list[str]] = defaultdict(list)
        for nid, data in view.nodes(data=True):
            if data.get("plan") == city and data["kind"] == s.OBJECTIVE and nid not in self.shown:
                folded[data.get("theme") or NO_THEME].append(nid)
        for theme, nodes in sorted(folded.items()):
            members = sorted(nodes, key=lambda n: s.code_order(view.nodes[n]["code"]))
            self.more[f"{city}:{MORE}:{theme}"] = {
                "kind": MORE,
                "plan": city,
                "theme": theme,
                "members": members,
            }

    def rows(self, layout: MapLayout, width: float) -> list[dict[str, float]]:
        """Rows of (box, x), nearest the agency first."""
        if self.city is None:
            return []
        linkers: dict[str, list[float]] = defaultdict(list)
        for node, targets in self.links.items():
            if node in layout.positions:
                for target in targets:
                    linkers[target].append(layout.positions[node][0])
        # a city objective's place: above its linkers and those of the placeholders it explains
        pull = {t: list(linkers.get(t, ())) for t in self.shown}
        for placeholder, target in self.suggested.items():
            if target in pull:
                pull[target] += linkers[placeholder]
        wished = {t: fmean(xs) if xs else width / 2 for t, xs in pull.items()}
        city_rows = _split_rows(wished, width)
        placed = {n: x for row in city_rows for n, x in row.items()}
        # a placeholder stands beneath the city objective its link most likely means
        beneath = {
            p: placed[self.suggested[p]] if self.suggested[p] in placed else fmean(linkers[p])
            for p in self.placeholders
            if linkers[p]
        }
        return [*_split_rows(beneath, width), *city_rows]


def _split_rows(desired: dict[str, float], width: float) -> list[dict[str, float]]:
    """Spread boxes wished at ``desired`` x over as few rows as fit ``width`` (every
    other box to the next row), each row pushed apart just enough not to overlap."""
    pitch = BOX_WIDTH + GAP
    order = sorted(desired, key=lambda n: (desired[n], n))
    count = max(1, -(-int(len(order) * pitch) // int(max(width - GUTTER, pitch))))
    rows = [_no_overlap({n: desired[n] for n in order[r::count]}, pitch) for r in range(count)]
    return [row for row in rows if row]


def _no_overlap(desired: dict[str, float], pitch: float) -> dict[str, float]:
    """Place boxes in wish order at least ``pitch`` apart, as close to their wishes as can
    be: boxes that would overlap form a cluster centred on their mean wish."""
    clusters: list[tuple[float, list[str]]] = []  # (first box's x, boxes)
    for node in sorted(desired, key=lambda n: (desired[n], n)):
        clusters.append((desired[node], [node]))
        while len(clusters) > 1:
            (start, before), (after_start, after) = clusters[-2], clusters[-1]
            if start + len(before) * pitch <= after_start:
                break
            members = before + after
            first = fmean(desired[n] - i * pitch for i, n in enumerate(members))
            clusters[-2:] = [(first, members)]
    return {
        node: start + i * pitch for start, members in clusters for i, node in enumerate(members)
    }


def _place_row(
    layout: MapLayout,
    view: nx.MultiDiGraph,
    row: dict[str, float],
    bottom: float,
    boxes: dict[str, MoreBox] | None = None,
) -> float:
    """Place a row of boxes (centre x given) resting on ``bottom``; return its top - GAP."""
    sizes = {n: box_size((boxes or {}).get(n) or view.nodes[n]) for n in row}
    height = max([0.0, *(h for _, h in sizes.values())])
    for node, x in row.items():
        layout.positions[node] = (x, bottom - height / 2)
        layout.sizes[node] = sizes[node]
    return bottom - height - GAP


def _sources(view: nx.MultiDiGraph, node: str, kind: str, skip: Iterable[str] = ()) -> list[str]:
    """Nodes with an edge of ``kind`` into ``node``, in code order, except ``skip``."""
    skip = set(skip)
    found = {u for u, _, k in view.in_edges(node, keys=True) if k == kind and u not in skip}
    return sorted(found, key=lambda n: s.code_order(view.nodes[n].get("code", n)))


def _band(perspective: str | None) -> str:
    return perspective if perspective in s.PERSPECTIVES else UNKNOWN


def _perspective_of_code(code: str) -> str | None:
    """The perspective letter a KPI or action-plan code carries (``AC1.1`` → ``C``)."""
    shape = s.OBJECTIVE_CODE.match(code.split(".", 1)[0])
    return shape["perspective"] if shape else None
