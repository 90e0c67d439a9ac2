"""Write a view graph as one self-contained, offline HTML page (pyvis and vis-network), or
as a fragment to embed: a ``head`` once per page and a ``body`` per view (reports,
notebooks).

The nodes and edges are assembled with pyvis; the page is bscalign's own template, because
pyvis's template loads Bootstrap from a CDN even in its in-line mode. vis-network's script
and style (shipped inside pyvis) are copied into the page, and a Content-Security-Policy
lets the page load nothing at all and run only its own scripts (allowed by their hashes),
so a name that reads ``<script>`` or ``onerror=`` is text, never code: names reach the
page only as JSON data, shown by the canvas or as tooltip text.
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
from typing import Any, NamedTuple

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pyvis.network import Network

from bscalign.graph import schema as s
from bscalign.output import display_width
from bscalign.queries.base import severity_rank
from bscalign.views.graph import MISSING
from bscalign.views.layout import MapLayout, strategy_map_layout

VIS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
TEMPLATES = Path(__file__).parent / "templates"

#: Fill and border of a node or edge by the worst severity of its findings.
SEVERITY_COLORS = {
    "error": ("#fbd5d5", "#c62828"),
    "warning": ("#ffe3b8", "#d97400"),
    "info": ("#d9e8fb", "#2f6fb0"),
}


class NodeStyle(NamedTuple):
    """How a node kind looks when it has no finding, and what the legend calls it."""

    legend: str
    shape: str
    fill: str
    border: str
    font: int
    radius: int = 6
    dashes: bool = False


class EdgeStyle(NamedTuple):
    """How an edge kind is drawn; edges without a legend are hidden (the layout shows them)."""

    legend: str | None
    color: str
    width: float = 1
    dashes: bool = False


NODE_STYLES = {
    s.PLAN: NodeStyle("plan", "box", "#1f3b5c", "#1f3b5c", 16),
    s.THEME: NodeStyle("theme", "box", "#e6e6e6", "#8a8a8a", 14),
    s.OBJECTIVE: NodeStyle("objective", "box", "#ffffff", "#5b6b7b", 13),
    s.KPI: NodeStyle("KPI", "ellipse", "#ffffff", "#5b6b7b", 12),
    s.ACTION_PLAN: NodeStyle("action plan", "box", "#f7f7f7", "#9aa5b1", 11, radius=0),
    s.ORGANIZATION: NodeStyle("organization", "box", "#e8f3e8", "#6f9f77", 12),
    MISSING: NodeStyle(
        "city objective an upward link names but the map lacks",
        "box",
        "#ffffff",
        "#c62828",
        13,
        dashes=True,
    ),
}
#: Edge styles by kind, and by variant: dangling and inferred edges, theme-group leads.
EDGE_STYLES = {
    s.ALIGNS_TO: EdgeStyle("upward link (承接)", "#2f6fb0", 2),
    "dangling": EdgeStyle("upward link to a code the city map lacks", "#c62828", 2, dashes=True),
    s.CAUSES: EdgeStyle("cause-effect (written)", "#444444", 1.5),
    "inferred": EdgeStyle(
        "cause-effect (inferred from the perspective order)", "#b0b0b0", dashes=True
    ),
    s.MEASURES: EdgeStyle("KPI measures objective", "#8a8a8a"),
    s.SUPPORTS: EdgeStyle("action plan supports KPI", "#b5b5b5"),
    s.MEMBER_OF: EdgeStyle("member of a city theme group", "#6f9f77"),
    "lead": EdgeStyle("lead of a city theme group (主政)", "#6f9f77", 3),
    s.REFERENCES: EdgeStyle("KPI references a city KPI", "#8e44ad", dashes=True),
    # shown by the layout (columns, blocks) instead of by lines
    s.IN_THEME: EdgeStyle(None, "#cccccc"),
    s.HAS_PLAN: EdgeStyle(None, "#cccccc"),
}
BAND_COLORS = {"C": "#eaf2fb", "P": "#edf7ea", "L": "#fcf6e3", "F": "#f5edf8", "?": "#f1f1f1"}
FLAG_LABELS = {"wccd": "WCCD", "city_kpi": "府", "new": "新增"}
#: Above this many nodes and edges, edges are hidden while dragging or zooming.
LARGE = 3000


@dataclass(frozen=True)
class ViewFragment:
    """A view to put in a page: ``head`` once per page, ``body`` where the view goes.

    ``head`` holds the styles and scripts (vis-network's and the view's own); ``body`` the
    view's element, its data (JSON) and the call that draws it. Several bodies can share
    one head, each with its own ``element_id``. :meth:`page` makes the complete offline
    document; :meth:`iframe` an element that shows it inline, which is how Jupyter displays
    a fragment.
    """

    head: str
    body: str
    title: str

    def page(self) -> str:
        """The complete document, whose policy loads nothing and runs only its own scripts."""
        scripts = re.findall(r"<script>(.*?)</script>", self.head + self.body, flags=re.S)
        environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
        return environment.get_template("page.html").render(
            title=self.title,
            head=Markup(self.head),
            body=Markup(self.body),
            script_hashes=" ".join(f"'sha256-{_digest(text)}'" for text in scripts),
        )

    def iframe(self, height: str = "760px") -> str:
        """An ``<iframe srcdoc>`` holding :meth:`page` (for notebooks and reports)."""
        return str(
            Markup('<iframe srcdoc="{}" title="{}" style="width:100%;height:{};border:0">').format(
                self.page(), self.title, height
            )
            + Markup("</iframe>")
        )

    def _repr_html_(self) -> str:
        """Jupyter shows the view inline."""
        return self.iframe()


def view_fragment(
    view: nx.MultiDiGraph,
    layout: MapLayout | None = None,
    *,
    title: str = "bscalign view",
    findings_shown: bool = True,
    element_id: str = "bscalign-view",
) -> ViewFragment:
    """Return the view of ``view`` (a :func:`bscalign.views.view_graph`) to embed in a page.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        The view graph, findings attached.
    layout : MapLayout, optional
        Positions and regions (default: :func:`strategy_map_layout` of ``view``).
    title : str
        The view's title (escaped like every name).
    findings_shown : bool
        Whether the audit ran; the legend says so when it did not.
    element_id : str
        The id of the view's element (letters, digits, ``-``, ``_``): views sharing a page
        need different ones. Each one's vis-network is ``bscalignViews[element_id]``; the
        last drawn is also the page's global ``network`` (with ``nodes`` and ``edges``).

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
    layout = layout or strategy_map_layout(view)
    net = Network(height="100%", width="100%", directed=True)
    for nid, data in view.nodes(data=True):
        x, y = layout.positions[nid]
        net.add_node(nid, **_node(nid, data), x=x, y=y)
    for u, v, kind, data in view.edges(keys=True, data=True):
        net.add_edge(u, v, **_edge(view, u, v, kind, data))
    net.options = _options(view.number_of_nodes() + view.number_of_edges())
    nodes, edges, _, _, _, options = net.get_network_data()
    worst = Counter(_worst(d["findings"]) for d in view.nodes.values() if d.get("findings"))
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "regions": [region.__dict__ for region in layout.regions],
        "bandColors": BAND_COLORS,
        "focus": view.graph.get("focus"),
        "findings": _finding_list(view),
    }
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    body = environment.get_template("fragment.html").render(
        id=element_id,
        title=title,
        data=Markup(_script_json(data)),
        node_legend=[_legend_node(style) for style in NODE_STYLES.values()],
        edge_legend=[style for style in EDGE_STYLES.values() if style.legend],
        severity_legend=[
            {"severity": sev, "fill": fill, "border": border, "nodes": worst.get(sev, 0)}
            for sev, (fill, border) in SEVERITY_COLORS.items()
        ],
        finding_count=len(data["findings"]),
        findings_shown=findings_shown,
        node_count=view.number_of_nodes(),
        edge_count=view.number_of_edges(),
    )
    return ViewFragment(head=_head(), body=body, title=title)


def render_view(view: nx.MultiDiGraph, layout: MapLayout | None = None, **options: Any) -> str:
    """Return the HTML page showing ``view``: :func:`view_fragment` as a complete document.

    ``options`` are :func:`view_fragment`'s (``title``, ``findings_shown``, ``element_id``).
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
    return view_fragment(view, layout, **options).page()


def write_view(view: nx.MultiDiGraph, path: str | Path, **options: Any) -> Path:
    """Write :func:`render_view` of ``view`` to ``path`` (UTF-8); return the path."""
    path = Path(path)
    path.write_text(render_view(view, **options), encoding="utf-8")
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


def _finding_list(view: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every finding of the view with the node it is on, the most severe first."""
    found = [
        {**finding, "node": nid}
        for nid, data in view.nodes(data=True)
        for finding in data.get("findings", ())
    ]
    return sorted(
        found,
        key=lambda f: (severity_rank(f["severity"]), f["plan"], f["rule"], f["subject"]),
    )


def _node(nid: str, data: dict[str, Any]) -> dict[str, Any]:
    kind = data["kind"]
    style = NODE_STYLES[kind]
    fill, border = style.fill, style.border
    findings = data.get("findings", ())
    if findings:
        severity_fill, border = SEVERITY_COLORS[_worst(findings)]
        # a plan keeps its dark fill (its label is white): the border tells the severity
        fill = fill if kind == s.PLAN else severity_fill
    node: dict[str, Any] = {
        "label": _label(data),
        "title": _tooltip(data),
        "shape": style.shape,
        "color": {
            "background": fill,
            "border": border,
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"},
        },
        "borderWidth": 3 if findings or kind == MISSING else 1,
        "font": {"size": style.font, "color": "#ffffff" if kind == s.PLAN else "#1b1b1b"},
        "shapeProperties": {
            "borderDashes": [6, 4] if style.dashes else False,
            "borderRadius": style.radius,
        },
        "kind": kind,
        "code": data.get("code", ""),
        "plan": data.get("plan") or data.get("id", ""),
        "search": " ".join(
            [data.get("code", ""), data.get("name", ""), *data.get("names", ())]
        ).lower(),
        "findings": len(findings),
    }
    return node


def _edge(view: nx.MultiDiGraph, u: str, v: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    variant = (
        "dangling"
        if data.get("dangling")
        else "inferred"
        if data.get("inferred")
        else "lead"
        if data.get("lead")
        else kind
    )
    style = EDGE_STYLES[variant]
    color, width = style.color, style.width
    findings = data.get("findings", ())
    if findings:
        color, width = SEVERITY_COLORS[_worst(findings)][1], 3
    lines = [f"{kind}: {_short(view, u)} → {_short(view, v)}"]
    if kind == s.ALIGNS_TO:
        lines.append(f"written: {data.get('code', '')} {data.get('name', '')}".rstrip())
    if data.get("inferred"):
        lines.append("inferred from the perspective order (the document draws no arrows)")
    if data.get("lead"):
        lines.append("lead organization (主政)")
    if data.get("source"):
        lines.append(f"source: {data['source']}")
    lines += _finding_lines(findings)
    return {
        "id": f"{u}|{v}|{kind}",
        "kind": kind,
        "color": {"color": color, "highlight": "#000000", "hover": "#000000"},
        "width": width,
        "dashes": style.dashes,
        "hidden": style.legend is None,
        "title": "\n".join(lines),
        "findings": len(findings),
    }


def _label(data: dict[str, Any]) -> str:
    kind = data["kind"]
    if kind == s.PLAN:
        return f"{_wrap(data['id'], width=20)}\n{data['level']}"
    if kind == s.ORGANIZATION:
        return _wrap(data["name"])
    flags = [text for flag, text in FLAG_LABELS.items() if data.get(flag)]
    head = " · ".join([data["code"], *flags])
    if kind == s.THEME:
        return _wrap(f"{data['code']} {data['name']}".strip())
    if kind == MISSING:
        return f"{head} ?\n{_wrap(data['name'])}\nnot in the city map".replace("\n\n", "\n")
    return f"{head}\n{_wrap(data['name'])}" if data["name"] else head


def _tooltip(data: dict[str, Any]) -> str:
    kind = data["kind"]
    if kind == s.PLAN:
        lines = [f"plan {data['id']} ({data['level']})"]
        declared = data.get("declared") or {}
        if declared:
            lines.append("declared: " + ", ".join(f"{k} {v}" for k, v in declared.items()))
    elif kind == s.ORGANIZATION:
        lines = [f"organization {data['name']}"]
    elif kind == MISSING:
        lines = [
            f"{data['code']} is not an objective of {data['plan']}",
            "written as: " + "; ".join(data["names"] or [data["code"]]),
        ]
    else:
        lines = [f"{data['code']} {data['name']}".strip(), f"{kind} of {data['plan']}"]
        if kind == s.OBJECTIVE and data.get("perspective") in s.PERSPECTIVE_NAMES:
            lines[-1] += f", perspective {data['perspective']} "
            lines[-1] += s.PERSPECTIVE_NAMES[data["perspective"]]
        others = [name for name in data.get("names", ()) if name != data["name"]]
        if others:
            lines.append("also written: " + "; ".join(others))
        flags = [text for flag, text in FLAG_LABELS.items() if data.get(flag)]
        if flags:
            lines.append("flags: " + ", ".join(flags))
        for link in data.get("links", ()):
            lines.append(f"upward link as written: {link['raw']} ({link['source']})")
        for ref in data.get("city_kpi_refs", ()):
            lines.append(f"city KPI referenced: {ref}")
    sources = data.get("sources") or [data.get("source", "")]
    lines += [f"source: {src}" for src in sources if src]
    lines += _finding_lines(data.get("findings", ()))
    return "\n".join(lines)


def _finding_lines(findings: Any) -> list[str]:
    lines = []
    for f in findings:
        suggestion = f" → suggestion {f['suggestion']}" if f.get("suggestion") else ""
        lines.append(f"{f['severity']} {f['rule']} {f['name']}: {f['message']}{suggestion}")
    return ["findings:", *lines] if lines else []


def _short(view: nx.MultiDiGraph, node: str) -> str:
    data = view.nodes[node]
    return data.get("code") or data.get("name") or data.get("id", node)


def _worst(findings: Any) -> str:
    return min((f["severity"] for f in findings), key=severity_rank)


def _wrap(text: str, width: int = 16, lines: int = 3) -> str:
    """Break ``text`` into lines of at most ``width`` terminal columns (CJK count two)."""
    out, line, used = [], "", 0
    for ch in text:
        size = display_width(ch)
        if used + size > width:
            out.append(line)
            line, used = "", 0
        line, used = line + ch, used + size
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:-1] + "…"
    return "\n".join(part.strip() for part in out)


def _options(size: int) -> dict[str, Any]:
    large = size > LARGE
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "multiselect": True,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
        },
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
        "nodes": {
            "margin": 8,
            "font": {"face": "'Noto Sans CJK TC', 'Microsoft JhengHei', 'PingFang TC', sans-serif"},
        },
    }


def _legend_node(style: NodeStyle) -> dict[str, str]:
    radius = "50%" if style.shape == "ellipse" else f"{style.radius}px"
    border = "dashed" if style.dashes else "solid"
    return {
        "label": style.legend,
        "css": f"background:{style.fill};border:2px {border} {style.border};border-radius:{radius}",
    }


def _script_json(data: Any) -> str:
    """JSON safe inside a script element: no ``<``, ``>`` or ``&`` can close or open a tag."""
    text = json.dumps(data, ensure_ascii=False)
    return re.sub(r"[<>&\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
