"""Write a view graph as one self-contained, offline HTML page (vis-network), or as a
fragment to embed: a ``head`` once per page and a ``body`` per view (reports, notebooks).

A view holds one map per plan (:func:`bscalign.views.layout.strategy_map_layout`): a page
about one agency plan (with its city objectives) opens on its map; a page about several
opens on an overview, one card per plan, and a click opens that plan's map. Boxes are
objectives (badges: KPIs, action plans, worst finding); a click shows an objective's KPIs
and action plans in the side panel. Colours follow the findings to fix: a finding that
follows from another (its ``cause``) is folded under its root and leaves its box grey.
Inferred cause-effect links are hidden until asked for; written and drawn ones are solid.

The nodes and edges are vis-network's JSON; the page is bscalign's own template, because
pyvis's template loads Bootstrap from a CDN even in its in-line mode. vis-network's script
and style (shipped inside pyvis) are copied into the page, and a Content-Security-Policy
lets the page load nothing at all and run only its own scripts (allowed by their hashes),
so a name that reads ``<script>`` or ``onerror=`` is text, never code: names reach the
page only as JSON data, shown by the canvas or as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from statistics import median
from typing import Any, NamedTuple, NotRequired, TypedDict

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from bscalign.atomic import write_text
from bscalign.graph import schema as s
from bscalign.graph.access import predecessors_of_kind
from bscalign.queries.base import SEVERITIES, severity_rank
from bscalign.views.graph import MISSING
from bscalign.views.layout import (
    BOX_WIDTH,
    MORE,
    VIEWPORT,
    MapLayout,
    map_plans,
    strategy_map_layout,
)
from bscalign.views.text import kind_word, rule_title, words, wrap

VIS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
TEMPLATES = Path(__file__).parent / "templates"

#: Fill and border of a box or link by the worst severity of its findings to fix.
SEVERITY_COLORS = {
    "error": ("#fbd5d5", "#c62828"),
    "warning": ("#ffe3b8", "#d97400"),
    "info": ("#d9e8fb", "#2f6fb0"),
}
#: A box whose findings all follow from another finding: not linked, not wrong.
CONSEQUENCE_COLORS = ("#ececec", "#8a8a8a")
#: What marks the worst finding to fix in a box's badges.
SEVERITY_MARKS = {"error": "✖", "warning": "▲", "info": "●"}


class NodeStyle(NamedTuple):
    """How a box kind looks when it has no finding."""

    fill: str
    border: str
    font: int
    dashes: bool = False
    text: str = "#1b1b1b"


class EdgeStyle(NamedTuple):
    """How a link kind is drawn."""

    color: str
    width: float = 1
    dashes: bool = False


NODE_STYLES = {
    s.PLAN: NodeStyle("#1f3b5c", "#1f3b5c", 14, text="#ffffff"),
    s.THEME: NodeStyle("#e6e6e6", "#8a8a8a", 14),
    s.OBJECTIVE: NodeStyle("#ffffff", "#5b6b7b", 14),
    s.KPI: NodeStyle("#ffffff", "#5b6b7b", 13),
    s.ACTION_PLAN: NodeStyle("#f7f7f7", "#9aa5b1", 12),
    MISSING: NodeStyle("#ffffff", "#c62828", 14, dashes=True),
    MORE: NodeStyle("#f7f9fb", "#9aa5b1", 14, dashes=True),
}
#: A city objective above an agency's map: context, not the agency's to fix.
CITY_STYLE = NodeStyle("#eef3f8", "#7b8da3", 14)
#: Link styles by kind, and by variant: dangling, inferred, suggested.
EDGE_STYLES = {
    s.ALIGNS_TO: EdgeStyle("#2f6fb0", 2),
    "dangling": EdgeStyle("#c62828", 2, dashes=True),
    "suggests": EdgeStyle("#2e7d32", 1.5, dashes=True),
    s.CAUSES: EdgeStyle("#444444", 1.5),
    "inferred": EdgeStyle("#b0b0b0", 1, dashes=True),
    s.MEASURES: EdgeStyle("#8a8a8a"),
    s.SUPPORTS: EdgeStyle("#b5b5b5"),
    s.REFERENCES: EdgeStyle("#8e44ad", dashes=True),
}
#: Edge kinds a map shows by its layout (columns, blocks) rather than by lines.
LAID_OUT = {s.IN_THEME, s.HAS_PLAN, s.MEMBER_OF}
BAND_COLORS = {"C": "#eaf2fb", "P": "#edf7ea", "L": "#fcf6e3", "F": "#f5edf8", "?": "#f1f1f1"}
FLAG_LABELS = {"wccd": "WCCD", "city_kpi": "府", "new": "新增"}
#: Vertical and horizontal margin inside a box, around its label.
MARGIN = (6, 7)
#: Smallest scale a map opens at: a 14 px objective label is drawn at 11.2 px or more.
MIN_SCALE = 0.8
#: Words the page's script shows (the rest is in the template).
SCRIPT_WORDS = ("found", "consequences", "suggestion", "kpis_of", "not_linked")


@dataclass(frozen=True)
class ViewFragment:
    """A view to put in a page: ``head`` once per page, ``body`` where the view goes.

    ``head`` holds the styles and scripts (vis-network's and the view's own); ``body`` the
    view's element, its data (JSON) and the call that draws it. Several bodies can share
    one head, each with its own ``element_id``. :meth:`page` makes the complete offline
    document; :meth:`iframe` an element that shows it inline, which is how Jupyter displays
    a fragment. ``height`` is the height (px) that shows the first map readable.
    """

    head: str
    body: str
    title: str
    lang: str = "en"
    height: int = 760

    def page(self) -> str:
        """The complete document, whose policy loads nothing and runs only its own scripts."""
        scripts = re.findall(r"<script>(.*?)</script>", self.head + self.body, flags=re.S)
        environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
        return environment.get_template("page.html").render(
            title=self.title,
            lang=HTML_LANG[self.lang],
            head=Markup(self.head),
            body=Markup(self.body),
            script_hashes=" ".join(f"'sha256-{_digest(text)}'" for text in scripts),
        )

    def iframe(self, height: str | None = None) -> str:
        """An ``<iframe srcdoc>`` holding :meth:`page` (for notebooks and reports)."""
        height = height or f"{self.height}px"
        return str(
            Markup('<iframe srcdoc="{}" title="{}" style="width:100%;height:{};border:0">').format(
                self.page(), self.title, height
            )
            + Markup("</iframe>")
        )

    def _repr_html_(self) -> str:
        """Jupyter shows the view inline."""
        return self.iframe()


HTML_LANG = {"en": "en", "zh-TW": "zh-Hant-TW"}


def view_fragment(
    view: nx.MultiDiGraph,
    layout: MapLayout | None = None,
    *,
    title: str = "bscalign",
    findings_shown: bool = True,
    element_id: str = "bscalign-view",
    lang: str = "en",
    detail: str = "objectives",
    wheel_zoom: bool = False,
) -> ViewFragment:
    """Return the view of ``view`` (a :func:`bscalign.views.view_graph`) to embed in a page.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The view graph, findings attached.
    layout : MapLayout, optional
        One map to show (default: one map per plan of :func:`map_plans`, each laid out by
        :func:`strategy_map_layout`; several open on an overview of cards).
    title : str
        The view's title (escaped like every name).
    findings_shown : bool
        Whether the audit ran; the legend says so when it did not.
    element_id : str
        The id of the view's element (letters, digits, ``-``, ``_``): views sharing a page
        need different ones. Each one's vis-network is ``bscalignViews[element_id]``; the
        last drawn is also the page's global ``network`` (with ``nodes`` and ``edges``).
    lang : {"en", "zh-TW"}
        Language of every word the view shows (findings' messages are attached in their
        language by :func:`bscalign.views.view_graph`).
    detail : {"objectives", "kpis", "all"}
        What each objective shows beneath it on the map (the rest is in the side panel).
    wheel_zoom : bool
        Whether the mouse wheel zooms the map at once (a page of its own); otherwise it
        scrolls the page until the map is clicked, or zooms while Ctrl is held.

    Returns
    -------
    ViewFragment

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> _ = b.add_plan("臺北市政府兵役局", "111", "agency")
    >>> fragment = view_fragment(b.graph, element_id="military")
    >>> 'id="military"' in fragment.body, "vis.Network" in fragment.head
    (True, True)
    >>> fragment._repr_html_().startswith("<iframe srcdoc=")
    True
    """
    if not re.fullmatch(r"[A-Za-z][\w-]*", element_id):
        raise ValueError(f"element_id must be a plain HTML id, not {element_id!r}")
    text = words(lang)
    if layout is not None:
        layouts = [layout]
    else:
        layouts = [strategy_map_layout(view, plan, detail=detail) for plan in map_plans(view)]
    maps = [_map(view, one, lang) for one in layouts if one.plan is not None]
    focus = view.graph.get("focus")
    start = 0 if len(maps) == 1 else None
    if focus is not None:
        start = next((i for i, m in enumerate(maps) if focus in m["shown"]), start)
    rules = sorted({(f["rule"], f["name"]) for m in maps for f in m["findings"]})
    data = {
        "maps": maps,
        "start": start,
        "focus": focus,
        "wheelZoom": wheel_zoom,
        "minScale": MIN_SCALE,
        "bandColors": BAND_COLORS,
        "severityColors": SEVERITY_COLORS,
        "consequenceColors": CONSEQUENCE_COLORS,
        "words": {key: text[key] for key in SCRIPT_WORDS},
        "options": _options(),
    }
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    body = environment.get_template("fragment.html").render(
        id=element_id,
        title=title,
        w=text,
        data=Markup(_script_json(data)),
        node_legend=_node_legend(lang, detail),
        edge_legend=_edge_legend(text, detail),
        severities=[
            {"severity": sev, "label": text[f"severity:{sev}"], "fill": fill, "border": border}
            for sev, (fill, border) in SEVERITY_COLORS.items()
        ],
        consequence=CONSEQUENCE_COLORS,
        rules=[{"code": code, "title": rule_title(name, lang)} for code, name in rules],
        findings_shown=findings_shown,
        several=len(maps) > 1,
        height=_height(layouts[start or 0]) if maps else 480,
    )
    height = _height(layouts[start or 0]) if maps and start is not None else 760
    return ViewFragment(head=_head(), body=body, title=title, lang=lang, height=height)


def render_view(view: nx.MultiDiGraph, layout: MapLayout | None = None, **options: Any) -> str:
    """Return the HTML page showing ``view``: :func:`view_fragment` as a complete document.

    ``options`` are :func:`view_fragment`'s; the wheel zooms the map (it fills the page).
    The page loads nothing from anywhere.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> _ = b.add_plan("局<script>", "111", "agency")
    >>> page = render_view(b.graph, title="<b>局</b>")
    >>> "局<script>" in page, "<b>局</b>" in page, "&lt;b&gt;局&lt;/b&gt;" in page
    (False, False, True)
    """
    return view_fragment(view, layout, **{"wheel_zoom": True, **options}).page()


def write_view(view: nx.MultiDiGraph, path: str | Path, **options: Any) -> Path:
    """Write :func:`render_view` of ``view`` to ``path`` (UTF-8); return the path."""
    path = Path(path)
    write_text(path, render_view(view, **options))
    return path


@cache
def _head() -> str:
    """vis-network's style and script, then the view's own: the same for every view."""
    styles = [(VIS / "vis-network.css").read_text(encoding="utf-8"), _template("view.css")]
    scripts = [(VIS / "vis-network.min.js").read_text(encoding="utf-8"), _template("view.js")]
    tags = [f"<style>{text}</style>" for text in styles]
    tags += [f"<script>{text}</script>" for text in scripts]
    return "\n".join(tags)


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _height(layout: MapLayout) -> int:
    """Height (px) of an embedded view that shows all of ``layout`` at a readable scale
    (its bars included), in a window as wide as :data:`VIEWPORT`'s."""
    left, top, right, bottom = layout.bounds()
    scale = min(1.0, max(MIN_SCALE, VIEWPORT[0] / (right - left + 40)))
    return int(min(1600, max(360, (bottom - top + 40) * scale + 90)))


# -- one plan's map ----------------------------------------------------------------------------


def _map(view: nx.MultiDiGraph, layout: MapLayout, lang: str) -> dict[str, Any]:
    """The JSON of one plan's map: its boxes, links, regions, findings and card."""
    text = words(lang)
    plan = layout.plan
    assert plan is not None
    plan_data = view.nodes[s.plan_node_id(plan)]
    shown_in: dict[str, str] = {}  # every node of the plan -> the box that shows it
    for box in layout.positions:
        shown_in[box] = box
        for inner in layout.folded.get(box, ()):
            shown_in.setdefault(inner, box)
    findings = _plan_findings(view, plan, shown_in, lang)
    by_box: dict[str, list[_Mark]] = {}
    for index, f in enumerate(findings):
        by_box.setdefault(f["node"], []).append({**_mark(f), "i": index})
    nodes = [
        _node(view, layout, box, plan, by_box.get(box, []), findings, lang)
        for box in layout.positions
    ]
    edges = _edges(view, layout, plan, lang)
    counts = Counter(
        d["kind"] for d in view.nodes.values() if d.get("plan") == plan and "code" in d
    )
    roots = Counter(f["severity"] for f in findings if f["cause"] is None)
    return {
        "plan": plan,
        "level": text[f"level:{plan_data['level']}"],
        "card": [
            text["card_counts"].format(
                objectives=counts[s.OBJECTIVE],
                kpis=counts[s.KPI],
                action_plans=counts[s.ACTION_PLAN],
            ),
            text["card_findings"].format(**{sev: roots.get(sev, 0) for sev in SEVERITIES}),
        ],
        "worst": min(roots, key=severity_rank) if roots else None,
        "counts": text["nodes_edges"].format(nodes=len(nodes), edges=len(edges))
        + " · "
        + text["finding_count"].format(roots=sum(roots.values()), all=len(findings)),
        "nodes": nodes,
        "edges": edges,
        "regions": [_region(r, text) for r in layout.regions],
        "findings": findings,
        "shown": sorted(shown_in),
        "columnWidth": median(layout.columns.values()) if layout.columns else BOX_WIDTH,
    }


class _Mark(TypedDict):
    """What a box or link needs of a finding to colour itself under the filters: severity,
    rule, whether it is a root, and (a box's) its place in the map's findings."""

    s: str
    r: str
    root: bool
    i: NotRequired[int]


def _plan_findings(
    view: nx.MultiDiGraph, plan: str, shown_in: dict[str, str], lang: str
) -> list[dict[str, Any]]:
    """The plan's findings, roots first by severity, each with the box that shows it."""
    plan_box = s.plan_node_id(plan)
    found = [
        {**f, "node": shown_in.get(nid, plan_box), "title": rule_title(f["name"], lang)}
        for nid, data in view.nodes(data=True)
        for f in data.get("findings", ())
        if f["plan"] == plan
    ]
    return sorted(
        found,
        key=lambda f: (
            f["cause"] is not None,
            severity_rank(f["severity"]),
            f["rule"],
            f["subject"],
            f["message"],
        ),
    )


def _mark(finding: dict[str, Any]) -> _Mark:
    """What a box needs of a finding to colour itself under the filters."""
    return {"s": finding["severity"], "r": finding["rule"], "root": finding["cause"] is None}


def _node(
    view: nx.MultiDiGraph,
    layout: MapLayout,
    box: str,
    plan: str,
    marks: list[_Mark],
    findings: list[dict[str, Any]],
    lang: str,
) -> dict[str, Any]:
    shown = _Box(view, layout, box, layout.more.get(box) or view.nodes[box], lang)
    text, data, kind = shown.text, shown.data, shown.data["kind"]
    own = data.get("plan", data.get("id")) == plan
    style = NODE_STYLES.get(kind, NODE_STYLES[s.OBJECTIVE])
    if kind == s.OBJECTIVE and not own:
        style = CITY_STYLE
    x, y = layout.positions[box]
    width, height = layout.sizes[box]
    tooltip = _tooltip(shown, [findings[m["i"]] for m in marks])
    return {
        "id": box,
        "x": x,
        "y": y,
        "label": _label(shown, marks),
        "title": tooltip,
        "shape": "box",
        # vis-network adds the margins to the constraints: the box is exactly width × height
        "widthConstraint": {"minimum": width - 2 * MARGIN[1], "maximum": width - 2 * MARGIN[1]},
        "heightConstraint": {"minimum": height - 2 * MARGIN[0], "valign": "middle"},
        "margin": dict(
            zip(
                ("top", "bottom", "left", "right"), (MARGIN[0],) * 2 + (MARGIN[1],) * 2, strict=True
            )
        ),
        "base": {"background": style.fill, "border": style.border},
        "borderWidth": 2 if kind == MISSING else 1,
        "shapeProperties": {"borderDashes": [6, 4] if style.dashes else False, "borderRadius": 4},
        "font": {"size": style.font, "color": style.text, "align": "left"},
        "kind": kind,
        "own": own,
        "code": data.get("code", ""),
        "plan": data.get("plan") or data.get("id", ""),
        "search": _search(shown),
        "fx": marks,
        "detail": tooltip + _detail(shown, findings),
        "notLinked": text["not_linked"],
    }


@dataclass(frozen=True)
class _Box:
    """One box of a plan's map: its node (or a group folded into one box) in the view, as
    laid out, in the page's language."""

    view: nx.MultiDiGraph
    layout: MapLayout
    id: str
    data: dict[str, Any]
    lang: str

    @property
    def text(self) -> dict[str, str]:
        return words(self.lang)


def _label(shown: _Box, marks: list[_Mark]) -> str:
    view, box, data, text = shown.view, shown.id, shown.data, shown.text
    kind = data["kind"]
    if kind == MORE:
        return text["more_label"].format(theme=data["theme"] or "—", n=len(data["members"]))
    if kind == s.PLAN:
        head = [text[f"level:{data['level']}"], *_finding_badge(marks, text)]
        return "\n".join([*wrap(data["id"]), " · ".join(head)])
    if kind == s.THEME:
        return "\n".join(wrap(f"{data['code']} {data['name']}".strip()))
    if kind == MISSING:
        lines = [text["missing_label"].format(code=data["code"]), *wrap(data["name"])]
        if data.get("suggestion"):
            lines.append(text["likely"].format(code=data["suggestion"]))
        return "\n".join(lines)
    head = [data["code"], *(t for flag, t in FLAG_LABELS.items() if data.get(flag))]
    lines = [" · ".join(head + _finding_badge(marks, text)), *wrap(data.get("name", ""))]
    if kind == s.OBJECTIVE:
        kpis = predecessors_of_kind(view, box, s.MEASURES)
        plans = {a for k in kpis for a in predecessors_of_kind(view, k, s.SUPPORTS)}
        badges = [text["badge:kpis"].format(n=len(kpis)), text["badge:plans"].format(n=len(plans))]
        lines.append(" · ".join(badges))
    return "\n".join(lines)


def _finding_badge(marks: list[_Mark], text: dict[str, str]) -> list[str]:
    roots = [m["s"] for m in marks if m["root"]]
    if roots:
        worst = min(roots, key=severity_rank)
        return [f"{SEVERITY_MARKS[worst]}{len(roots)}"]
    return [text["not_linked"]] if marks else []


def _search(shown: _Box) -> str:
    """What the search box matches: the box's codes and names, and those folded into it."""
    view, layout, box = shown.view, shown.layout, shown.id
    parts = []
    for node in [box, *layout.folded.get(box, ())]:
        d = layout.more.get(node) or view.nodes[node]
        parts += [d.get("code", ""), d.get("name", ""), *d.get("names", ())]
    return " ".join(p for p in parts if p).lower()


def _tooltip(shown: _Box, findings: list[dict[str, Any]]) -> str:
    view, layout, box, data, text = shown.view, shown.layout, shown.id, shown.data, shown.text
    lang, kind = shown.lang, data["kind"]
    if kind == MORE:
        lines = [text["more_tip"].format(theme=data["theme"] or "—", n=len(data["members"]))]
        lines += [
            f"{view.nodes[n]['code']} {view.nodes[n]['name']}".strip() for n in layout.folded[box]
        ]
        return "\n".join(lines)
    if kind == s.PLAN:
        lines = [text["plan_tip"].format(plan=data["id"], level=text[f"level:{data['level']}"])]
        declared = data.get("declared") or {}
        if declared:
            lines.append(
                f"{text['declared']}: "
                + ", ".join(f"{text_count(k, lang)} {v}" for k, v in declared.items())
            )
    elif kind == MISSING:
        lines = [text["missing_label"].format(code=data["code"]), *data["names"]]
        if data.get("suggestion"):
            lines.append(text["likely"].format(code=data["suggestion"]))
    else:
        lines = [
            f"{data['code']} {data['name']}".strip(),
            text["kind_of"].format(kind=kind_word(kind, lang), plan=data["plan"]),
        ]
        if kind == s.OBJECTIVE and data.get("perspective") in s.PERSPECTIVES:
            lines.append(text[f"band:{data['perspective']}"])
        others = [name for name in data.get("names", ()) if name != data["name"]]
        if others:
            lines.append(f"{text['also_written']}: " + "; ".join(others))
        flags = [t for flag, t in FLAG_LABELS.items() if data.get(flag)]
        if flags:
            lines.append(f"{text['flags']}: " + ", ".join(flags))
        for link in data.get("links", ()):
            lines.append(f"{text['link_written']}: {link['raw']} ({link['source']})")
        for ref in data.get("city_kpi_refs", ()):
            lines.append(f"{text['city_kpi']}: {ref}")
    sources = data.get("sources") or [data.get("source", "")]
    lines += [f"{text['source']}: {src}" for src in sources if src]
    lines += _finding_lines(findings, text)
    return "\n".join(lines)


def text_count(key: str, lang: str) -> str:
    """A declared total's key as the page names it."""
    kinds = {"themes": s.THEME, "objectives": s.OBJECTIVE, "kpis": s.KPI}
    kinds["action_plans"] = s.ACTION_PLAN
    return kind_word(kinds[key], lang) if key in kinds else key


def _finding_lines(findings: list[dict[str, Any]], text: dict[str, str]) -> list[str]:
    """Roots first, each consequence indented beneath."""
    if not findings:
        return []
    lines = [f"{text['findings']}:"]
    for f in findings:
        mark = SEVERITY_MARKS[f["severity"]] if f["cause"] is None else "↳"
        suggestion = f" → {text['suggestion']} {f['suggestion']}" if f.get("suggestion") else ""
        lines.append(f"{mark} {f['rule']} {f['title']}: {f['message']}{suggestion}")
    return lines


def _detail(shown: _Box, findings: list[dict[str, Any]]) -> str:
    """The side panel's extra: an objective's KPIs and action plans, with their findings."""
    view, layout, box, text = shown.view, shown.layout, shown.id, shown.text
    if box not in view or view.nodes[box]["kind"] != s.OBJECTIVE:
        return ""
    lines = ["", f"{text['kpis_of']}:"]
    kpis = predecessors_of_kind(view, box, s.MEASURES)
    if not kpis:
        lines.append(f"  {text['no_kpis']}")
    for kpi in kpis:
        plans = predecessors_of_kind(view, kpi, s.SUPPORTS)
        for depth, node in [(1, kpi), *((2, a) for a in plans)]:
            d = view.nodes[node]
            flags = [t for flag, t in FLAG_LABELS.items() if d.get(flag)]
            lines.append(
                "  " * depth
                + f"{d['code']} {d['name']}"
                + (f" ({', '.join(flags)})" if flags else "")
            )
            for f in d.get("findings", ()):
                if f["plan"] == layout.plan:
                    mark = SEVERITY_MARKS[f["severity"]] if f["cause"] is None else "↳"
                    lines.append("  " * (depth + 1) + f"{mark} {f['rule']} {f['message']}")
    return "\n".join(lines)


def _edges(view: nx.MultiDiGraph, layout: MapLayout, plan: str, lang: str) -> list[dict[str, Any]]:
    text = words(lang)
    shown = layout.positions
    edges = []
    for u, v, kind, data in view.edges(keys=True, data=True):
        if kind in LAID_OUT or u not in shown or v not in shown:
            continue
        if plan not in (view.nodes[u].get("plan"), view.nodes[v].get("plan")):
            continue
        variant = (
            "dangling" if data.get("dangling") else "inferred" if data.get("inferred") else kind
        )
        style = EDGE_STYLES.get(variant, EDGE_STYLES[s.CAUSES])
        findings = [f for f in data.get("findings", ()) if f["plan"] == plan]
        lines = [f"{text.get(f'edge:{variant}', kind)}: {_short(view, u)} → {_short(view, v)}"]
        if kind == s.ALIGNS_TO:
            lines.append(
                f"{text['written']}: {data.get('code', '')} {data.get('name', '')}".rstrip()
            )
        if data.get("inferred"):
            lines.append(text["inferred_tip"])
        if data.get("source"):
            lines.append(f"{text['source']}: {data['source']}")
        lines += _finding_lines(
            [{**f, "title": rule_title(f["name"], lang)} for f in findings], text
        )
        edges.append(
            {
                "id": f"{u}|{v}|{kind}",
                "from": u,
                "to": v,
                "kind": kind,
                "inferred": bool(data.get("inferred")),
                "hidden": bool(data.get("inferred")),
                "base": style.color,
                "width": style.width,
                "dashes": style.dashes,
                "title": "\n".join(lines),
                "fx": [_mark(f) for f in findings],
            }
        )
    for node in shown:
        target = view.nodes[node].get("suggestion_node") if node in view else None
        if target in shown:
            style = EDGE_STYLES["suggests"]
            edges.append(
                {
                    "id": f"{node}|{target}|suggests",
                    "from": node,
                    "to": target,
                    "kind": "suggests",
                    "inferred": False,
                    "hidden": False,
                    "base": style.color,
                    "width": style.width,
                    "dashes": style.dashes,
                    "title": f"{text['edge:suggests']}: "
                    f"{_short(view, node)} → {_short(view, target)}",
                    "fx": [],
                }
            )
    return edges


def _short(view: nx.MultiDiGraph, node: str) -> str:
    data = view.nodes[node]
    return data.get("code") or data.get("name") or data.get("id", node)


def _region(region: Any, text: dict[str, str]) -> dict[str, Any]:
    return {**region.__dict__, "label": text.get(region.label, region.label)}


def _options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 200, "multiselect": True},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
        "nodes": {
            "font": {"face": "'Noto Sans CJK TC', 'Microsoft JhengHei', 'PingFang TC', sans-serif"},
        },
    }


def _node_legend(lang: str, detail: str) -> list[dict[str, str]]:
    kinds = [s.PLAN, s.THEME, s.OBJECTIVE, MISSING, MORE]
    kinds += {"objectives": [], "kpis": [s.KPI], "all": [s.KPI, s.ACTION_PLAN]}[detail]
    items = []
    for kind in kinds:
        style = NODE_STYLES[kind]
        border = "dashed" if style.dashes else "solid"
        css = f"background:{style.fill};border:2px {border} {style.border}"
        items.append({"label": kind_word(kind, lang), "css": css})
    return items


def _edge_legend(text: dict[str, str], detail: str) -> list[dict[str, Any]]:
    variants = [s.ALIGNS_TO, "dangling", "suggests", s.CAUSES, "inferred"]
    variants += {"objectives": [], "kpis": [s.MEASURES], "all": [s.MEASURES, s.SUPPORTS]}[detail]
    return [
        {
            "label": text[f"edge:{v}"],
            "css": f"border-top:{max(2, EDGE_STYLES[v].width)}px "
            f"{'dashed' if EDGE_STYLES[v].dashes else 'solid'} {EDGE_STYLES[v].color}",
        }
        for v in variants
    ]


def _script_json(data: Any) -> str:
    """JSON safe inside a script element: no ``<``, ``>`` or ``&`` can close or open a tag."""
    text = json.dumps(data, ensure_ascii=False)
    return re.sub(r"[<>&\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
