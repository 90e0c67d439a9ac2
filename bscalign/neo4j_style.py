"""A Graph Stylesheet (GraSS) that makes Neo4j Browser draw bscalign's graph like the map.

Neo4j Browser styles nodes by label and relationships by type (``:style`` loads a
stylesheet). :func:`grass_stylesheet` captions coded nodes with their code and name, colours
each kind as the HTML views do, draws upward links, cause-effect and dangling links in the
views' colours, and colours objectives by perspective through one label per perspective
(:data:`PERSPECTIVE_LABELS`), which :data:`PERSPECTIVE_LABELLING` adds to a pushed graph.
It reads nothing and needs no driver.
"""

from __future__ import annotations

from bscalign.graph import schema as s

#: The label an objective gets for its perspective, to be coloured like its band.
PERSPECTIVE_LABELS = {
    "C": "Customer",
    "P": "InternalProcess",
    "L": "LearningAndGrowth",
    "F": "Financial",
}
#: Cypher statements that give each stored objective its perspective's label (idempotent).
PERSPECTIVE_LABELLING = [
    f"MATCH (o:{s.OBJECTIVE} {{perspective: '{letter}'}}) SET o:{label}"
    for letter, label in PERSPECTIVE_LABELS.items()
]
#: Fill, border and text colour per label: the views' colours (bands for perspectives).
NODE_COLORS = {
    s.PLAN: ("#1f3b5c", "#1f3b5c", "#ffffff"),
    s.ORGANIZATION: ("#e8f3e8", "#6f9f77", "#1b1b1b"),
    s.THEME: ("#e6e6e6", "#8a8a8a", "#1b1b1b"),
    s.OBJECTIVE: ("#ffffff", "#5b6b7b", "#1b1b1b"),
    s.KPI: ("#ffffff", "#5b6b7b", "#1b1b1b"),
    s.ACTION_PLAN: ("#f7f7f7", "#9aa5b1", "#1b1b1b"),
    s.UPWARD_LINK: ("#fdecea", "#c62828", "#1b1b1b"),
    s.OCCURRENCE: ("#f4f6f8", "#c9d1d9", "#44515e"),
    "Customer": ("#cfe0f5", "#2f6fb0", "#1b1b1b"),
    "InternalProcess": ("#d3ecd0", "#4f8a48", "#1b1b1b"),
    "LearningAndGrowth": ("#f7e8b5", "#b08a1e", "#1b1b1b"),
    "Financial": ("#e6d3ef", "#7b4b94", "#1b1b1b"),
}
#: Node sizes: objectives largest, as on the map.
DIAMETERS = {s.PLAN: 80, s.THEME: 65, s.OBJECTIVE: 65, s.KPI: 50, s.ACTION_PLAN: 40}
#: What a node's caption shows.
CAPTIONS = {kind: "{code} {name}" for kind in s.CODED_KINDS} | {
    s.PLAN: "{id}",
    s.ORGANIZATION: "{name}",
    s.UPWARD_LINK: "{code} {name}",
    s.OCCURRENCE: "{source}",
}
#: Colour and width per relationship type: upward links blue, cause-effect dark, the rest grey.
RELATIONSHIP_STYLES = {
    s.ALIGNS_TO: ("#2f6fb0", 3),
    s.CAUSES: ("#444444", 2),
    s.MEASURES: ("#8a8a8a", 1),
    s.SUPPORTS: ("#b5b5b5", 1),
    s.IN_THEME: ("#cccccc", 1),
    s.MEMBER_OF: ("#6f9f77", 1),
    s.REFERENCES: ("#8e44ad", 1),
    s.HAS_PLAN: ("#cccccc", 1),
    s.HAS_UPWARD_LINK: ("#c62828", 1),
    s.HAS_OCCURRENCE: ("#dddddd", 1),
}


def grass_stylesheet() -> str:
    """The stylesheet, to save and load in Neo4j Browser with ``:style``.

    Perspective rules come after the kind rules, so an objective labelled ``Customer`` is
    drawn in the customer band's colour.

    Examples
    --------
    >>> sheet = grass_stylesheet()
    >>> "node.Objective {" in sheet and "caption: '{code} {name}';" in sheet
    True
    >>> sheet.index("node.Objective {") < sheet.index("node.Customer {")
    True
    """
    lines = [
        "/* bscalign: Neo4j Browser draws the strategy map's graph like bscalign's views.",
        "   Load it with :style (drag this file onto the :style frame).",
        "   Objectives are coloured by perspective once they carry its label; give them",
        "   their labels once after a push (run each line in the Browser):",
        *(f"   {statement};" for statement in PERSPECTIVE_LABELLING),
        "*/",
        "node {",
        "  diameter: 50px;",
        "  color: #A5ABB6;",
        "  border-color: #9AA1AC;",
        "  border-width: 2px;",
        "  text-color-internal: #1b1b1b;",
        "  font-size: 11px;",
        "}",
        "relationship {",
        "  color: #A5ABB6;",
        "  shaft-width: 1px;",
        "  font-size: 8px;",
        "  padding: 3px;",
        "  text-color-external: #000000;",
        "  text-color-internal: #FFFFFF;",
        "  caption: '<type>';",
        "}",
    ]
    for label, (fill, border, text) in NODE_COLORS.items():
        lines.append(f"node.{label} {{")
        if label in DIAMETERS:
            lines.append(f"  diameter: {DIAMETERS[label]}px;")
        lines += [
            f"  color: {fill};",
            f"  border-color: {border};",
            f"  text-color-internal: {text};",
        ]
        if label in CAPTIONS:
            lines.append(f"  caption: '{CAPTIONS[label]}';")
        lines.append("}")
    for kind, (color, width) in RELATIONSHIP_STYLES.items():
        lines += [
            f"relationship.{kind} {{",
            f"  color: {color};",
            f"  shaft-width: {width}px;",
            "}",
        ]
    return "\n".join(lines) + "\n"
