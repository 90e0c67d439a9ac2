"""Place a view graph the way strategy maps are drawn: fixed positions, no physics.

Each plan is a block: its themes are columns (a header row names them), the perspectives
are horizontal bands in the map's own order (customer on top, then internal process,
learning and growth, financial), and each objective's KPIs and action plans stand beneath
it in its cell. A city plan's block sits above the blocks of the agency plans that answer
to it (in rows as wide as the city map), so upward links run up from the agencies into
the city map; plans of another city or year stand side by side. Organizations form a row
above the blocks they belong to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.build import city_plan_of
from bscalign.views.graph import MISSING

#: Band of objectives whose perspective is unknown (codes that cannot be read).
UNKNOWN = "?"
#: Column of objectives that belong to no theme (the city-wide TC objectives).
NO_THEME = ""
#: Column of KPIs and action plans attached to no objective shown.
UNATTACHED = "unattached"


@dataclass(frozen=True)
class Region:
    """A rectangle drawn behind the nodes: a plan block, a perspective band or a column."""

    kind: str
    label: str
    x: float
    y: float
    width: float
    height: float
    perspective: str | None = None


@dataclass
class MapLayout:
    """Node positions (``{node: (x, y)}``, screen coordinates, y down) and the regions."""

    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    regions: list[Region] = field(default_factory=list)


def strategy_map_layout(
    view: nx.MultiDiGraph, *, column_width: float = 190, row_height: float = 70
) -> MapLayout:
    """Position every node of a view graph like a strategy map.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        A view graph (:func:`bscalign.views.view_graph`) or any plan graph.
    column_width, row_height : float
        Size of one node's slot; a theme column is as wide as its busiest band needs.

    Returns
    -------
    MapLayout
        Positions for every node, and the plan, band and column regions.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("臺北市政府兵役局", "111", s.AGENCY)
    >>> for code in ("AC1", "AP1", "AF1"):
    ...     _ = b.add_objective(p, code, code, source="x:1", place="map")
    >>> _ = b.add_kpi(p, "AC1.1", "k", source="x:2", place="scorecard", objective="AC1")
    >>> pos = strategy_map_layout(b.graph).positions
    >>> ids = {c: s.node_id(k, p, c) for k, c in [("Objective", "AC1"), ("Objective", "AP1"),
    ...                                           ("Objective", "AF1"), ("KPI", "AC1.1")]}
    >>> pos[ids["AC1"]][1] < pos[ids["AC1.1"]][1] < pos[ids["AP1"]][1] < pos[ids["AF1"]][1]
    True
    >>> pos[ids["AC1"]][0] == pos[ids["AC1.1"]][0]
    True
    """
    layout = MapLayout()
    gap_x, gap_y = column_width, row_height
    x = 0.0
    stacks = _plan_stacks(view)
    owner = _organization_stacks(view, stacks)
    members = defaultdict(list)
    for nid, data in view.nodes(data=True):
        if "plan" in data:
            members[data["plan"]].append((nid, data))
    for index, stack in enumerate(stacks):
        blocks = [_Block(view, plan, members[plan], column_width, row_height) for plan in stack]
        width = max(block.width for block in blocks)
        orgs = sorted(org for org, i in owner.items() if i == index)
        y = _place_row(layout, orgs, x, 0.0, width, column_width, row_height)
        top, *agencies = blocks
        top.place(layout, x, y)
        y += top.height + gap_y
        # the agencies below fill rows as wide as the stack, so many agencies stay a map
        row_x, row_height_used = x, 0.0
        for block in agencies:
            if row_x > x and row_x + block.width > x + width:
                row_x, y, row_height_used = x, y + row_height_used + gap_y, 0.0
            block.place(layout, row_x, y)
            row_x += block.width + gap_x
            row_height_used = max(row_height_used, block.height)
        x += width + gap_x
    return layout


def _plan_stacks(view: nx.MultiDiGraph) -> list[list[str]]:
    """Group plans: each city plan above the agency plans answering to it."""
    plan_ids = sorted(d["id"] for d in view.nodes.values() if d["kind"] == s.PLAN)
    below: dict[str, list[str]] = defaultdict(list)
    for plan in plan_ids:
        city = city_plan_of(view, plan)
        if city is not None:
            below[city].append(plan)
    stacks = [[plan, *below[plan]] for plan in plan_ids if plan in below]
    placed = {plan for stack in stacks for plan in stack}
    return stacks + [[plan] for plan in plan_ids if plan not in placed]


def _organization_stacks(view: nx.MultiDiGraph, stacks: list[list[str]]) -> dict[str, int]:
    """Give each organization to the first stack holding something it is joined to."""
    stack_of = {plan: i for i, stack in enumerate(stacks) for plan in stack}
    owner = {}
    for org, data in view.nodes(data=True):
        if data["kind"] != s.ORGANIZATION:
            continue
        plans = [view.nodes[t].get("plan") or view.nodes[t].get("id") for t in view.successors(org)]
        owner[org] = min((stack_of[p] for p in plans if p in stack_of), default=0)
    return owner


def _place_row(
    layout: MapLayout,
    nodes: list[str],
    x: float,
    y: float,
    width: float,
    column_width: float,
    row_height: float,
) -> float:
    """Place ``nodes`` in rows as wide as ``width``; return the y below them."""
    per_row = max(1, int(width // column_width))
    for i, node in enumerate(nodes):
        row, col = divmod(i, per_row)
        layout.positions[node] = (x + (col + 0.5) * column_width, y + (row + 0.5) * row_height)
    rows = -(-len(nodes) // per_row)
    return y + (rows + 1) * row_height if rows else y


class _Block:
    """One plan's part of the map: theme columns × perspective bands of node stacks."""

    def __init__(
        self,
        view: nx.MultiDiGraph,
        plan: str,
        members: list[tuple[str, dict[str, Any]]],
        column_width: float,
        row_height: float,
    ):
        self.plan, self.column_width, self.row_height = plan, column_width, row_height
        self.themes = sorted((d["code"], n) for n, d in members if d["kind"] == s.THEME)
        # a theme whose node is outside a focus view still gets its column
        letters = {d.get("theme") for _, d in members if d["kind"] in (s.OBJECTIVE, MISSING)}
        self.columns = sorted({code for code, _ in self.themes} | (letters - {None}))
        self.cells: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
        self._stack_objectives(view, members)
        used = {column for column, _ in self.cells}
        self.columns += [c for c in (NO_THEME, UNATTACHED) if c in used]
        bands = {band for _, band in self.cells}
        self.bands = [*s.PERSPECTIVES, *([UNKNOWN] if UNKNOWN in bands else [])]
        self.column_widths = {
            column: column_width
            * max([1] + [len(self.cells.get((column, band), ())) for band in self.bands])
            for column in self.columns
        }
        self.band_heights = {
            band: row_height
            * max([1] + [len(st) for c in self.columns for st in self.cells.get((c, band), ())])
            for band in self.bands
        }
        self.width = column_width + sum(self.column_widths.values())
        self.height = row_height + sum(self.band_heights.values())

    def _stack_objectives(
        self, view: nx.MultiDiGraph, members: list[tuple[str, dict[str, Any]]]
    ) -> None:
        """Fill the cells: each objective over its KPIs, each KPI over its action plans."""
        placed: set[str] = set()
        columns = set(self.columns)
        by_code = sorted(members, key=lambda item: s.code_order(item[1].get("code", "")))
        for nid, data in by_code:
            if data["kind"] not in (s.OBJECTIVE, MISSING):
                continue
            stack = [nid]
            for kpi in _sources(view, nid, s.MEASURES):
                if kpi not in placed:
                    stack += [kpi, *_sources(view, kpi, s.SUPPORTS, skip=placed | set(stack))]
            placed.update(stack)
            column = data.get("theme") if data.get("theme") in columns else NO_THEME
            self.cells[column, _band(data.get("perspective"))].append(stack)
        for kind in (s.KPI, s.ACTION_PLAN):
            for nid, data in by_code:
                if data["kind"] != kind or nid in placed:
                    continue
                stack = [nid, *_sources(view, nid, s.SUPPORTS, skip=placed)]
                placed.update(stack)
                self.cells[UNATTACHED, _band(_perspective_of_code(data["code"]))].append(stack)

    def place(self, layout: MapLayout, x0: float, y0: float) -> None:
        """Write this block's positions and regions, its top-left corner at ``(x0, y0)``."""
        cw, rh = self.column_width, self.row_height
        layout.positions[s.plan_node_id(self.plan)] = (x0 + cw / 2, y0 + rh / 2)
        layout.regions.append(Region("plan", self.plan, x0, y0, self.width, self.height))
        column_x, x = {}, x0 + cw
        for column in self.columns:
            column_x[column] = x
            label = {NO_THEME: "no theme", UNATTACHED: "unattached"}.get(column, column)
            layout.regions.append(
                Region("column", label, x, y0, self.column_widths[column], self.height)
            )
            x += self.column_widths[column]
        for code, nid in self.themes:
            layout.positions[nid] = (column_x[code] + cw / 2, y0 + rh / 2)
        y = y0 + rh
        for band in self.bands:
            name = s.PERSPECTIVE_NAMES.get(band, "perspective unknown")
            label = f"{band} {s.PERSPECTIVE_NAMES_ZH.get(band, '')} {name}".replace("  ", " ")
            layout.regions.append(
                Region("band", label, x0, y, self.width, self.band_heights[band], band)
            )
            for column in self.columns:
                for i, stack in enumerate(self.cells.get((column, band), ())):
                    for j, node in enumerate(stack):
                        layout.positions[node] = (
                            column_x[column] + (i + 0.5) * cw,
                            y + (j + 0.5) * rh,
                        )
            y += self.band_heights[band]


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
