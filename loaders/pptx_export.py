"""Write plans as an editable PowerPoint deck: the strategy map as shapes, the scorecard as tables.

Per agency plan, a document of slides in the genre the city publishes, so that planners
edit it in PowerPoint or LibreOffice Impress and bscalign loads it back
(:mod:`~bscalign.loaders.pptx`) to the same graph:

1. a title slide (organization, ``<year>年策略地圖及平衡計分卡``);
2. the city's strategy map (``<year>年府級策略地圖``), once per city plan;
3. the agency's strategy map: perspective bands with customer on top, a theme row (a table)
   and one column per theme, one rounded box per objective (``AC1 name``), and a connector
   *glued* to the two boxes (arrowhead at the effect) for every written or drawn
   cause-effect edge; inferred edges only when asked, dashed;
4. the KPI overview, where the plan has one;
5. per theme, the scorecard: a table of upward link (府級策略目標), objective, KPI and
   action plans, continued on further slides (``（續）``) as long as it needs.

Each code is written with the name it had in that part of the source (map, overview,
scorecard, theme heading), so name variants survive the round trip; declared totals, the
``(新增)`` marks, ``WCCD`` / ``府`` flags, city KPI references and theme-group members are
written where the genre writes them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Pt

from bscalign.atomic import write_file
from bscalign.graph import schema as s
from bscalign.graph.access import PlanIndex, plans, predecessors_of_kind
from bscalign.graph.build import named_city_plan
from bscalign.graph.causality import infer_causes
from bscalign.graph.records import CodedNode, KPINode, ObjectiveNode, PlanNode

SLIDE_WIDTH, SLIDE_HEIGHT = 960, 540  # points: 16:9
MARGIN = 12
LABEL_WIDTH = 78  # the perspective bands' label column
TITLE_HEIGHT = 34
DECLARED_WORDS = {
    "themes": "{}大策略主題",
    "objectives": "{}項策略目標",
    "kpis": "{}項關鍵績效指標",
    "action_plans": "{}項行動計畫",
}
BAND_LABELS = {p: f"{s.PERSPECTIVE_NAMES_ZH[p]}構面 {p}" for p in s.PERSPECTIVES}
BAND_FILL = {"C": "FDEBD3", "P": "DCEBF7", "L": "E2F0D9", "F": "EDE7F6"}
BOX_FILL, BOX_LINE, ARROW = "FFFFFF", "44546A", "C0504D"
TABLE_FONT = 8
MIN_BOX_WIDTH = 85  # points: narrower boxes are stacked instead
TABLE_TOP = 74
TABLE_BOTTOM = SLIDE_HEIGHT - 14


def write_pptx(
    graph: nx.MultiDiGraph,
    path: str | Path,
    plan_ids: Iterable[str] | None = None,
    *,
    inferred: bool = False,
) -> None:
    """Write ``graph``'s agency plans (each with its city's map) as an editable deck.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A loaded graph.
    path : str or Path
        The ``.pptx`` file to write.
    plan_ids : iterable of str, optional
        Only these plans (a city plan alone is written with the agency plans that answer
        to it, or on its own).
    inferred : bool
        Also draw the inferred cause-effect edges (dashed). Loaded back, they are drawn.

    Examples
    --------
    >>> import tempfile
    >>> from bscalign.loaders import read_plans
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "p.yaml").write_text(
    ...     "bscalign: 1\\nplans:\\n- organization: 臺北市政府兵役局\\n  year: '111'\\n"
    ...     "  level: agency\\n  city: 臺北市政府\\n  objectives:\\n"
    ...     "  - {code: AP1, name: 精確掌握兵源, causes: [AC1]}\\n"
    ...     "  - {code: AC1, name: 提升市民對政府信任度}\\n", encoding="utf-8")
    >>> write_pptx(read_plans([folder]).graph, folder / "plans.pptx")
    >>> again = read_plans([folder / "plans.pptx"]).graph
    >>> [(again.nodes[u]["code"], again.nodes[v]["code"], d.get("drawn"))
    ...  for u, v, k, d in again.edges(keys=True, data=True) if k == "CAUSES"]
    [('AP1', 'AC1', True)]
    """
    if inferred:  # loading no longer infers: the edges to draw are inferred here
        infer_causes(graph)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Pt(SLIDE_WIDTH), Pt(SLIDE_HEIGHT)
    writer = _DeckWriter(deck, graph, inferred)
    wanted = set(plan_ids) if plan_ids is not None else None
    every = list(plans(graph))
    chosen = [p for p in every if wanted is None or p["id"] in wanted]
    written_cities: set[str] = set()
    for plan in chosen:
        if plan["level"] != s.AGENCY:
            continue
        writer.title(plan["organization"], plan["year"])
        city = named_city_plan(plan)
        if city is not None and s.plan_node_id(city) in graph and city not in written_cities:
            writer.strategy_map(graph.nodes[s.plan_node_id(city)])
            written_cities.add(city)
        writer.strategy_map(plan)
        writer.overview(plan)
        writer.scorecards(plan)
    for plan in chosen:
        if plan["level"] == s.CITY and plan["id"] not in written_cities:
            writer.title(plan["organization"], plan["year"])
            writer.strategy_map(plan)
    write_file(path, lambda temporary: deck.save(str(temporary)))


class _DeckWriter:
    def __init__(self, deck: Any, graph: nx.MultiDiGraph, inferred: bool) -> None:
        self.deck = deck
        self.graph = graph
        self.inferred = inferred
        self.index = PlanIndex(graph)

    # -- slides ------------------------------------------------------------------------------

    def _slide(self, title: str) -> Any:
        slide = self.deck.slides.add_slide(self.deck.slide_layouts[5])  # title only
        shape = slide.shapes.title
        shape.left, shape.top = Pt(MARGIN), Pt(4)
        shape.width, shape.height = Pt(SLIDE_WIDTH - 2 * MARGIN), Pt(TITLE_HEIGHT - 6)
        shape.text_frame.text = title
        _font(shape.text_frame, 18, bold=True)
        return slide

    def title(self, organization: str, year: str) -> None:
        slide = self.deck.slides.add_slide(self.deck.slide_layouts[0])
        # one line each, across the slide: a printed title must keep the name whole
        for shape, text, top, size in (
            (slide.shapes.title, organization, 170, 32),
            (slide.placeholders[1], f"{year}年策略地圖及平衡計分卡", 260, 24),
        ):
            shape.left, shape.top = Pt(MARGIN), Pt(top)
            shape.width, shape.height = Pt(SLIDE_WIDTH - 2 * MARGIN), Pt(size * 2)
            shape.text_frame.text = text
            _font(shape.text_frame, size, bold=shape is slide.shapes.title)

    def strategy_map(self, plan: PlanNode) -> None:
        pid, city = plan["id"], plan["level"] == s.CITY
        title = (
            f"{plan['year']}年府級策略地圖"
            if city
            else f"{plan['year']}年{plan['organization']}策略地圖"
        )
        slide = self._slide(title)
        objectives = sorted(self.index.in_graph_order(s.OBJECTIVE, pid), key=lambda o: o[1]["code"])
        themes = self._themes(pid, objectives)
        top = TITLE_HEIGHT
        declared = _declared_text(plan.get("declared", {}))
        if declared:
            _text_box(slide, declared, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, 14, 9)
            top += 16
        column = (SLIDE_WIDTH - 2 * MARGIN - LABEL_WIDTH) / max(len(themes), 1)
        left = MARGIN + LABEL_WIDTH
        names = [self._name(s.THEME, pid, code, "map") for code in themes]
        row = [
            "策略主題",
            *(f"{code} {name}".strip() for code, name in zip(themes, names, strict=True)),
        ]
        _table(slide, [row], MARGIN, top, [LABEL_WIDTH] + [column] * len(themes), 9)
        top += 24
        members = self._members(pid, themes) if city else None
        bottom = SLIDE_HEIGHT - (58 if members else 8)
        cells: dict[tuple[str, str], list[tuple[str, ObjectiveNode]]] = defaultdict(list)
        wide = []
        for nid, data in objectives:
            if data.get("theme") in themes and data.get("perspective") in s.PERSPECTIVES:
                cells[data["theme"], data["perspective"]].append((nid, data))
            else:
                wide.append((nid, data))
        boxes: dict[str, Any] = {}
        if wide:  # city-wide objectives (TC1...) and any without theme or perspective
            box_width = min(180.0, (SLIDE_WIDTH - 2 * MARGIN - LABEL_WIDTH) / len(wide) - 6)
            _band(slide, "策略目標", MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, 30, "F2F2F2")
            for index, (nid, data) in enumerate(wide):
                boxes[nid] = self._box(
                    slide, pid, data, left + index * (box_width + 6), top + 3, box_width, 24
                )
            top += 34
        # boxes of one theme and perspective sit side by side, as many as fit (arrows between
        # stacked boxes would run through the boxes between them)
        across = max(1, min(3, int((column - 8) // MIN_BOX_WIDTH)))
        depth = {
            p: max([math.ceil(len(cells[t, p]) / across) for t in themes] + [1])
            for p in s.PERSPECTIVES
        }
        width = min((column - 8 - (across - 1) * 6) / across, column - 8)
        if all(len(cells[t, p]) <= 1 for t in themes for p in s.PERSPECTIVES):
            width = column - 8
        longest = max([_width(self._box_text(pid, d)) for _, d in objectives] + [8])
        font = 10.0 if len(themes) <= 4 else 8.0
        lines = min(3, math.ceil(longest * font / (width - 6)))
        box_height = lines * font * 1.3 + 8
        space = (bottom - top) - 6 * len(s.PERSPECTIVES)
        need = sum(depth.values()) * (box_height + 4)
        if need > space:  # shrink the boxes (and their text) to fit the slide
            scale = space / need
            box_height *= scale
            font = max(5.0, font * scale)
        else:  # or give them room, up to twice their height
            box_height = min(box_height * 2, space / sum(depth.values()) - 4)
        for perspective in s.PERSPECTIVES:
            height = depth[perspective] * (box_height + 4) + 6
            _band(
                slide,
                BAND_LABELS[perspective],
                MARGIN,
                top,
                SLIDE_WIDTH - 2 * MARGIN,
                height,
                BAND_FILL[perspective],
            )
            for t, theme in enumerate(themes):
                members_ = cells[theme, perspective]
                for k, (nid, data) in enumerate(members_):
                    row, place = divmod(k, across)
                    in_row = min(across, len(members_) - row * across)
                    # a row of fewer boxes is centred in its column
                    start = left + t * column + (column - in_row * (width + 6) + 6) / 2
                    x = start + place * (width + 6)
                    y = top + 4 + row * (box_height + 4)
                    boxes[nid] = self._box(slide, pid, data, x, y, width, box_height, font)
            top += height
        if members:
            _table(
                slide,
                [["分組成員", *members]],
                MARGIN,
                top + 4,
                [LABEL_WIDTH] + [column] * len(themes),
                7,
            )
        self._arrows(slide, boxes)

    def _themes(self, pid: str, objectives: Sequence[tuple[str, ObjectiveNode]]) -> list[str]:
        codes = {code for _, d in self.index.in_graph_order(s.THEME, pid) for code in [d["code"]]}
        codes |= {d["theme"] for _, d in objectives if d.get("theme")}
        return sorted(codes)

    def _members(self, pid: str, themes: Sequence[str]) -> list[str] | None:
        cells = []
        for theme in themes:
            nid = s.node_id(s.THEME, pid, theme)
            members = [
                (self.graph.nodes[u]["name"], d.get("lead", False))
                for u, _, k, d in self.graph.in_edges(nid, keys=True, data=True)
                if k == s.MEMBER_OF
            ]
            leads = [name for name, lead in members if lead]
            if len(leads) != 1:
                return None  # the genre's row needs one lead (主政) per theme
            others = "、".join(name for name, lead in members if not lead)
            cells.append(f"{leads[0]}(主政) {others}".strip())
        return cells or None

    def _name(self, kind: str, pid: str, code: str, place: str) -> str:
        node = self.graph.nodes.get(s.node_id(kind, pid, code))
        if node is None:
            return ""
        return _names_by_place(node).get(place) or node["name"]

    def _box_text(self, pid: str, data: ObjectiveNode) -> str:
        name = self._name(s.OBJECTIVE, pid, data["code"], "map")
        return f"{data['code']} {name}{'(新增)' if data.get('new') else ''}".strip()

    def _box(
        self,
        slide: Any,
        pid: str,
        data: ObjectiveNode,
        x: float,
        y: float,
        w: float,
        h: float,
        font: float = 8,
    ) -> Any:
        shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Pt(x), Pt(y), Pt(w), Pt(h))
        shape.name = f"Objective {data['code']}"
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(BOX_FILL)
        shape.line.color.rgb = RGBColor.from_string(BOX_LINE)
        shape.line.width = Pt(0.75)
        frame = shape.text_frame
        frame.word_wrap = True
        frame.margin_left = frame.margin_right = Pt(2)
        frame.margin_top = frame.margin_bottom = Pt(1)
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        frame.text = self._box_text(pid, data)
        _font(frame, font, color="000000")
        return shape

    def _arrows(self, slide: Any, boxes: dict[str, Any]) -> None:
        for u, v, k, data in self.graph.edges(list(boxes), keys=True, data=True):
            if k != s.CAUSES or v not in boxes or (data.get("inferred") and not self.inferred):
                continue
            begin, end = boxes[u], boxes[v]
            below = begin.top > end.top + end.height / 2
            above = begin.top + begin.height < end.top
            sides = (
                (0, 2)
                if below
                else (2, 0)
                if above
                else ((3, 1) if begin.left < end.left else (1, 3))
            )
            connector = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, 0, 0, 0, 0)
            connector.begin_connect(begin, sides[0])
            connector.end_connect(end, sides[1])
            connector.name = f"Arrow {self.graph.nodes[u]['code']} to {self.graph.nodes[v]['code']}"
            connector.line.color.rgb = RGBColor.from_string(ARROW)
            connector.line.width = Pt(1.25)
            if data.get("inferred"):
                connector.line.dash_style = MSO_LINE_DASH_STYLE.DASH
            ln = connector.line._get_or_add_ln()
            etree.SubElement(ln, qn("a:tailEnd"), type="triangle", w="med", len="med")

    def overview(self, plan: PlanNode) -> None:
        pid = plan["id"]
        # the overview holds the KPIs it held, a KPI's other name, and a KPI no objective
        # has (a scorecard row would give it the objective above)
        kpis = [
            (nid, data)
            for nid, data in self.index.in_graph_order(s.KPI, pid)
            if "overview" in _names_by_place(data)
            or not any(k == s.MEASURES for _, _, k in self.graph.out_edges(nid, keys=True))
        ]
        if not kpis:
            return
        themes = sorted({data["code"][0] for _, data in kpis})
        rows = [
            [
                "策略主題",
                *(f"{t} {self._name(s.THEME, pid, t, 'overview')}".strip() for t in themes),
            ]
        ]
        for perspective in s.PERSPECTIVES:
            cells = []
            for theme in themes:
                texts = [
                    self._kpi_text(pid, data, "overview", refs=False)
                    for _, data in sorted(kpis, key=lambda k: s.code_order(k[1]["code"]))
                    if data["code"][0] == theme and data["code"][1:2] == perspective
                ]
                cells.append("\n".join(texts))
            if any(cells):
                rows.append([BAND_LABELS[perspective], *cells])
        column = (SLIDE_WIDTH - 2 * MARGIN - LABEL_WIDTH) / len(themes)
        self._tables("KPI項目一覽表", [rows], [LABEL_WIDTH] + [column] * len(themes))

    def _kpi_text(self, pid: str, data: KPINode, place: str, *, refs: bool) -> str:
        text = f"{data['code']} {self._name(s.KPI, pid, data['code'], place)}"
        if data.get("new"):
            text += "(新增)"
        flags = [flag for flag, key in (("WCCD", "wccd"), ("府", "city_kpi")) if data.get(key)]
        if refs:  # after the flags: the genre's flags end the name
            flags += [f"(府級KPI : {ref})" for ref in data.get("city_kpi_refs", ())]
        return " ".join([text, *flags])

    def scorecards(self, plan: PlanNode) -> None:
        pid = plan["id"]
        objectives = sorted(
            self.index.in_graph_order(s.OBJECTIVE, pid), key=lambda o: s.code_order(o[1]["code"])
        )
        by_theme: dict[str, list[tuple[str, ObjectiveNode]]] = defaultdict(list)
        for nid, data in objectives:
            by_theme[data.get("theme") or ""].append((nid, data))
        for theme in sorted(by_theme):
            linked = [o for o in by_theme[theme] if o[1].get("links")]
            unlinked = [o for o in by_theme[theme] if not o[1].get("links")]
            tables = []
            if linked:
                tables.append(
                    [["府級策略目標", "策略目標", "KPI (關鍵績效指標)", "行動方案"]]
                    + [r for o in linked for r in self._rows(pid, *o, links=True)]
                )
            if unlinked:
                tables.append(
                    [["策略目標", "KPI (關鍵績效指標)", "行動方案"]]
                    + [r for o in unlinked for r in self._rows(pid, *o, links=False)]
                )
            heading = (
                f"{theme} {self._name(s.THEME, pid, theme, 'heading')}".strip()
                if theme
                else "平衡計分卡"
            )
            declared = (
                _declared_text(
                    self.graph.nodes[s.node_id(s.THEME, pid, theme)].get("declared", {}), theme=True
                )
                if theme
                else ""
            )
            self._tables(heading, tables, None, note=declared)

    def _below(self, node: str, kind: str) -> list[CodedNode]:
        """The nodes whose ``kind`` edges end at ``node`` (an objective's KPIs, a KPI's
        action plans), in code order."""
        below = (self.graph.nodes[u] for u in predecessors_of_kind(self.graph, node, kind))
        return sorted(below, key=lambda data: s.code_order(data["code"]))

    def _rows(self, pid: str, nid: str, data: ObjectiveNode, *, links: bool) -> list[list[str]]:
        """An objective's rows: its first KPI beside it, later KPIs below (cells empty)."""
        name = self._name(s.OBJECTIVE, pid, data["code"], "scorecard")
        objective = f"{data['code']} {name}{'(新增)' if data.get('new') else ''}".strip()
        kpis = self._below(nid, s.MEASURES)
        rows = []
        for index, kpi in enumerate(kpis or [None]):
            kpi_cell = plans_cell = ""
            if kpi is not None:
                kpi_cell = self._kpi_text(pid, kpi, "scorecard", refs=True)
                kpi_id = s.node_id(s.KPI, pid, kpi["code"])
                supporting = self._below(kpi_id, s.SUPPORTS)
                plans_cell = "\n".join(
                    f"{d['code']} {self._name(s.ACTION_PLAN, pid, d['code'], 'scorecard')}".strip()
                    for d in supporting
                )
            row = [objective if index == 0 else "", kpi_cell, plans_cell]
            rows.append(row)
        if links:
            written = data["links"]
            rows[0].insert(0, _link_text(written[0]))
            for row in rows[1:]:
                row.insert(0, "")
            rows.extend([_link_text(link), objective, "", ""] for link in written[1:])
        return rows

    def _tables(
        self,
        heading: str,
        tables: list[list[list[str]]],
        widths: list[float] | None,
        note: str = "",
    ) -> None:
        """Lay ``tables`` out on as many slides as they need, never splitting an objective's
        rows (a row whose first cells are empty continues the one above)."""
        slide, top = self._slide(heading), TABLE_TOP
        if note:
            _text_box(slide, note, MARGIN, TITLE_HEIGHT, SLIDE_WIDTH - 2 * MARGIN, 16, 9)
        for rows in tables:
            header, body = rows[0], rows[1:]
            columns = widths or _scorecard_widths(len(header))
            groups: list[list[list[str]]] = []
            for row in body:
                # a scorecard row with an empty objective cell continues the objective above
                if groups and header[0] != "策略主題" and not row[len(row) - 3]:
                    groups[-1].append(row)
                else:
                    groups.append([row])
            page: list[list[str]] = [header]
            height = _row_height(header, columns)
            for group in groups:
                group_height = sum(_row_height(row, columns) for row in group)
                if len(page) > 1 and top + height + group_height > TABLE_BOTTOM:
                    _table(slide, page, MARGIN, top, columns, TABLE_FONT)
                    slide, top = self._slide("（續）"), TABLE_TOP
                    page, height = [header], _row_height(header, columns)
                page.extend(group)
                height += group_height
            _table(slide, page, MARGIN, top, columns, TABLE_FONT)
            top += height + 12


#: Where a code's other name goes when the source wrote it nowhere in particular (YAML
#: ``also_named``): the place that restates each kind.
SECOND_PLACE = {s.THEME: "heading", s.OBJECTIVE: "map", s.KPI: "overview"}
#: Sources that define a code as the scorecard does.
DEFINING_PLACES = {"yaml": "scorecard", "sheet": "scorecard"}


def _names_by_place(node: CodedNode) -> dict[str, str]:
    """The name a code had in each part of the document (scorecard, map, overview,
    heading); a name variant no part held goes to the part that restates the kind."""
    names: dict[str, str] = {}
    for occurrence in node["occurrences"]:
        place = DEFINING_PLACES.get(occurrence["place"], occurrence["place"])
        if occurrence["name"]:
            names.setdefault(place, occurrence["name"])
    written = {*names.values(), node["name"]}
    leftover = [name for name in node["names"] if name not in written]
    second = SECOND_PLACE.get(node["kind"])
    if leftover and second and second not in names:
        names[second] = leftover[0]
    return names


def _scorecard_widths(columns: int) -> list[float]:
    usable = SLIDE_WIDTH - 2 * MARGIN
    shares = [0.16, 0.2, 0.3, 0.34] if columns == 4 else [0.22, 0.36, 0.42]
    return [usable * share for share in shares]


def _row_height(row: Sequence[str], widths: Sequence[float], size: float = TABLE_FONT) -> float:
    """A generous estimate of a table row's height once its cells wrap (points)."""
    lines = 1
    for text, width in zip(row, widths, strict=True):
        per_line = max((width - 10) / size, 1)
        count = sum(max(1, math.ceil(_width(part) / per_line)) for part in text.split("\n"))
        lines = max(lines, count)
    return lines * size * 1.3 + 6


def _width(text: str) -> float:
    """Text width in em: CJK characters are one em wide, Latin ones about half."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)


def _declared_text(declared: dict[str, int], *, theme: bool = False) -> str:
    parts = [DECLARED_WORDS[k].format(declared[k]) for k in DECLARED_WORDS if k in declared]
    if not parts:
        return ""
    return ("本策略主題共計" if theme else "訂定") + "，".join(parts) + "。"


def _link_text(link: dict[str, str]) -> str:
    return f"{link['code']} {link['name']}".strip()


def _font(frame: Any, size: float, *, bold: bool = False, color: str | None = None) -> None:
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)
            run.font.bold = bold
            if color:
                run.font.color.rgb = RGBColor.from_string(color)


def _text_box(slide: Any, text: str, x: float, y: float, w: float, h: float, size: float) -> None:
    box = slide.shapes.add_textbox(Pt(x), Pt(y), Pt(w), Pt(h))
    box.text_frame.word_wrap = True
    box.text_frame.text = text
    _font(box.text_frame, size)


def _band(slide: Any, label: str, x: float, y: float, w: float, h: float, fill: str) -> None:
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Pt(x), Pt(y), Pt(w), Pt(h))
    band.name = f"Band {label}"
    band.fill.solid()
    band.fill.fore_color.rgb = RGBColor.from_string(fill)
    band.line.fill.background()
    band.shadow.inherit = False
    frame = band.text_frame
    frame.word_wrap = True
    frame.margin_left = Pt(4)
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame.text = label
    frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    frame.margin_right = Pt(w - LABEL_WIDTH + 4)  # the label stays in its column
    _font(frame, 9, bold=True, color="404040")


def _table(
    slide: Any, rows: list[list[str]], x: float, y: float, widths: Sequence[float], size: float
) -> None:
    shape = slide.shapes.add_table(
        len(rows), len(widths), Pt(x), Pt(y), Pt(sum(widths)), Pt(12 * len(rows))
    )
    table = shape.table
    for index, width in enumerate(widths):
        table.columns[index].width = Pt(width)
    for row, values in zip(table.rows, rows, strict=True):
        row.height = Pt(_row_height(values, widths, size))
        for cell, value in zip(row.cells, values, strict=True):
            cell.margin_left = cell.margin_right = Pt(3)
            cell.margin_top = cell.margin_bottom = Pt(2)
            frame = cell.text_frame
            frame.word_wrap = True
            lines = value.split("\n")
            frame.text = lines[0]
            for line in lines[1:]:
                frame.add_paragraph().text = line
            _font(frame, size)
