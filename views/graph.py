"""Choose what a view shows: plans, a focus neighbourhood, placeholders and findings.

A view is drawn from a *view graph*: a copy of the part of the plan graph being shown, plus
one placeholder node (kind :data:`MISSING`) for every city objective an upward link names
but the city plan does not have, so a dangling link points at something visible: one per
code as written and city objective the audit suggests for it (``G2`` meaning ``GC2`` and
``G2`` meaning ``GF2`` are two placeholders, each with ``suggestion_node``). Findings
are attached as plain dicts (the JSON contract of ``bscalign audit``) to the nodes and
edges they are about. Nothing here draws; :mod:`bscalign.views.layout` places the nodes
and :mod:`bscalign.views.html` writes the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import plan_ids
from bscalign.graph.build import add_upward_edge, city_plan_of
from bscalign.queries.base import Finding

#: Node kind of a placeholder: the city objective a dangling upward link names.
MISSING = "Missing"


def view_graph(
    graph: nx.MultiDiGraph,
    findings: Iterable[Finding] = (),
    *,
    plans: Sequence[str] | None = None,
    focus: str | None = None,
    depth: int = 2,
    lang: str = "en",
) -> nx.MultiDiGraph:
    """Return the graph a view draws: the chosen plans, placeholders and findings attached.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A loaded plan graph (after the audit, so inferred cause-effect edges are in it).
    findings : iterable of Finding
        Findings to attach; each goes to its node (``findings`` attribute, a list of
        dicts), to its edge as well when it is about a link, and to its plan's node when
        it names no node. Findings about nodes outside the view are left out.
    plans : sequence of str, optional
        Plan ids to show (default: every plan). An agency plan brings the city plan it
        answers to, so its upward links have somewhere to go.
    focus : str, optional
        Code of one objective or KPI (or any coded node): show only its neighbourhood. The
        code is looked for in ``plans`` when given, else in every plan shown.
    depth : int
        How many edges (in either direction) the focus neighbourhood reaches.
    lang : {"en", "zh-TW"}
        Language of the attached findings' messages.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; the input graph is not changed.

    Raises
    ------
    ValueError
        An unknown plan id, or a focus code that names no node or several (one per plan:
        choose with ``plans``).

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder, resolve_links
    >>> b = PlanGraphBuilder()
    >>> city = b.add_plan("臺北市政府", "108", s.CITY)
    >>> _ = b.add_objective(city, "GC2", "營造安全環境", source="m:1", place="map")
    >>> fire = b.add_plan("臺北市政府消防局", "108", s.AGENCY, city="臺北市政府")
    >>> b.add_upward_link(fire, "AC1", "G2", "營造安全環境", source="f:9")
    >>> view = view_graph(resolve_links(b.graph))
    >>> view.nodes["臺北市政府@108:Objective:G2"]["kind"]
    'Missing'
    """
    chosen = _chosen_plans(graph, plans)
    keep = {
        nid
        for nid, data in graph.nodes(data=True)
        if (data["kind"] == s.PLAN and data["id"] in chosen) or data.get("plan") in chosen
    }
    keep |= {
        org
        for org, target, kind in graph.edges(keys=True)
        if kind in (s.HAS_PLAN, s.MEMBER_OF) and target in keep
    }
    view = _induced(graph, keep)
    findings = list(findings)
    _add_placeholders(view, findings)
    if focus is not None:
        centre = _focus_node(view, focus, plans)
        near = set(nx.ego_graph(view, centre, radius=depth, undirected=True))
        near |= {s.plan_node_id(view.nodes[n]["plan"]) for n in near if "plan" in view.nodes[n]}
        view = _induced(view, near)
        view.graph["focus"] = centre
    _attach(view, findings, lang)
    return view


def _induced(graph: nx.MultiDiGraph, keep: set[str]) -> nx.MultiDiGraph:
    """A copy of the subgraph of ``graph`` on ``keep``, nodes and edges in ``graph``'s order.

    (``nx.MultiDiGraph(graph.subgraph(keep))`` walks ``keep`` itself when it is less than
    half the graph: the order of a set, which changes from run to run.)
    """
    view = nx.MultiDiGraph()
    view.graph.update(graph.graph)
    view.add_nodes_from((nid, data) for nid, data in graph.nodes(data=True) if nid in keep)
    view.add_edges_from(
        (u, v, key, data)
        for u, v, key, data in graph.edges(keys=True, data=True)
        if u in keep and v in keep
    )
    return view


def _chosen_plans(graph: nx.MultiDiGraph, plans: Sequence[str] | None) -> set[str]:
    loaded = plan_ids(graph)
    if plans is None:
        return set(loaded)
    unknown = [p for p in plans if p not in loaded]
    if unknown:
        raise ValueError(f"no plan {', '.join(unknown)} loaded (loaded: {', '.join(loaded)})")
    cities = {city_plan_of(graph, p) for p in plans}
    return set(plans) | (cities - {None})


def _add_placeholders(view: nx.MultiDiGraph, findings: list[Finding]) -> None:
    """Add a node for each city objective an upward link names but the city map lacks (one
    per suggested city objective)."""
    suggestions = {
        (f.edge[0], f.edge[1]): f.suggestion
        for f in findings
        if f.edge is not None and f.edge[2] == s.ALIGNS_TO and f.name == "dangling-upward-link"
    }
    view.graph["placeholders"] = {}
    for nid, data in list(view.nodes(data=True)):
        if data["kind"] not in (s.OBJECTIVE, s.THEME) or not data.get("links"):
            continue
        city = city_plan_of(view, data["plan"])
        if city is None:
            continue
        for link in data["links"]:
            written = s.node_id(s.OBJECTIVE, city, link["code"])
            if written in view and view.nodes[written]["kind"] != MISSING:
                continue
            suggestion = suggestions.get((nid, written))
            target = s.node_id(s.OBJECTIVE, city, suggestion) if suggestion else None
            missing = f"{written}→{suggestion}" if suggestion else written
            view.graph["placeholders"][nid, written] = missing
            if missing not in view:
                shape = s.OBJECTIVE_CODE.match(link["code"])
                view.add_node(
                    missing,
                    kind=MISSING,
                    plan=city,
                    code=link["code"],
                    name=link["name"],
                    names=[],
                    # the code's first letter is still the best guess at its theme
                    theme=link["code"][:1] if link["code"][:1] in s.THEME_LETTERS else None,
                    perspective=shape["perspective"] if shape else None,
                    source=link["source"],
                    sources=[],
                    suggestion=suggestion,
                    suggestion_node=target if target in view else None,
                )
            placeholder = view.nodes[missing]
            if link["name"] and link["name"] not in placeholder["names"]:
                placeholder["names"].append(link["name"])
            placeholder["sources"].append(link["source"])
            add_upward_edge(view, nid, missing, link, dangling=True)


def _focus_node(view: nx.MultiDiGraph, code: str, plans: Sequence[str] | None) -> str:
    """The node ``code`` names, looked for in ``plans`` (the ones asked for) if given."""
    found = sorted(
        nid
        for nid, data in view.nodes(data=True)
        if data.get("code") == code and data.get("plan") in (plans or [data.get("plan")])
    )
    if not found:
        raise ValueError(f"no objective, KPI or other coded node {code!r} in the plans shown")
    if len(found) > 1:
        where = ", ".join(view.nodes[n]["plan"] for n in found)
        raise ValueError(f"{code!r} is in several plans ({where}): choose one with --plan")
    return found[0]


def _attach(view: nx.MultiDiGraph, findings: Iterable[Finding], lang: str) -> None:
    for data in view.nodes.values():
        data["findings"] = []
    for *_, data in view.edges(keys=True, data=True):
        data["findings"] = []
    for finding in findings:
        node = s.plan_node_id(finding.plan) if finding.node is None else finding.node
        if node not in view:
            continue
        view.nodes[node]["findings"].append(finding.as_dict(lang))
        if finding.edge is None:
            continue
        u, v, kind = finding.edge
        v = view.graph.get("placeholders", {}).get((u, v), v)
        if view.has_edge(u, v, kind):
            view.edges[u, v, kind]["findings"].append(finding.as_dict(lang))
