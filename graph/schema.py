"""The graph model every other module imports: node kinds, edge kinds, ids and codes.

A loaded corpus is one :class:`networkx.MultiDiGraph`. Every node carries ``kind`` (one of
:data:`NODE_KINDS`); every edge carries ``kind`` (one of :data:`EDGE_KINDS`) and is keyed by
it, so two nodes are joined at most once per kind.

Codes are unique only inside one plan: the city's ``AC1`` and the Fire Department's ``AC1``
are different nodes, so node ids always include the plan id.

Node attributes
---------------
all nodes
    ``kind``; ``source`` (``file:line`` where first seen) and ``sources`` (every place).
Plan
    ``id`` (``<organization>@<year>`` exactly as written, e.g. ``臺北市政府消防局@108``),
    ``organization``, ``year`` (as written, ROC years stay ROC), ``level`` (``city`` or
    ``agency``), ``city`` (the city organization whose map an agency plan answers to),
    ``declared`` (totals the document states: ``themes``, ``objectives``, ``kpis``,
    ``action_plans``).
Theme, Objective, KPI, ActionPlan
    ``plan``, ``code``, ``name`` (the first name seen) and ``names`` (every distinct
    variant, in the order seen), ``occurrences`` (one dict per place the code is written:
    ``source``, ``name``, ``place``, ``parent``), ``suppress`` (findings a planner silenced:
    dicts with ``rule`` and ``reason``).
Theme
    ``declared`` (totals stated for the theme).
Objective
    ``theme`` (letter or None for city-wide ``TC`` objectives), ``perspective``
    (C, P, L or F), ``new``, ``links`` (upward links exactly as written: dicts with
    ``code``, ``name``, ``source``).
KPI
    ``wccd``, ``city_kpi``, ``new``, ``city_kpi_refs`` (city KPI codes it references).
Organization
    ``name``.

Graph attributes
----------------
None: networkx copies ``graph.graph`` into copies and subgraphs, where an index kept there
would no longer match the nodes. Per-plan questions asked many times over go through one
:class:`~bscalign.graph.access.PlanIndex`, built from the graph at hand.

Edge kinds
----------
IN_THEME (Objective -> Theme), MEASURES (KPI -> Objective), SUPPORTS (ActionPlan -> KPI;
many-to-many), ALIGNS_TO (agency Objective or Theme -> city Objective; ``code`` and
``name`` as written), CAUSES (Objective -> Objective; ``inferred=True`` when guessed from
the perspective order, ``drawn=True`` when read from an arrow drawn on a slide or PDF page,
neither when written, as in YAML ``causes``), MEMBER_OF
(Organization -> city Theme; ``lead``), REFERENCES (KPI -> city KPI), HAS_PLAN
(Organization -> Plan).

In a graph database
-------------------
Neo4j properties cannot hold maps, so what networkx keeps as lists of dicts becomes nodes
of their own there (``bscalign.neo4j_store`` writes them; the README shows the whole shape):
an UpwardLink node per upward link as written (Objective or Theme -HAS_UPWARD_LINK->
UpwardLink) and an Occurrence node per place a code is written (coded node
-HAS_OCCURRENCE-> Occurrence). They are not networkx kinds.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Final

PLAN: Final = "Plan"
THEME: Final = "Theme"
OBJECTIVE: Final = "Objective"
KPI: Final = "KPI"
ACTION_PLAN: Final = "ActionPlan"
ORGANIZATION: Final = "Organization"
NODE_KINDS: Final = (PLAN, THEME, OBJECTIVE, KPI, ACTION_PLAN, ORGANIZATION)
CODED_KINDS: Final = (THEME, OBJECTIVE, KPI, ACTION_PLAN)
#: How messages name each coded kind, in English and Traditional Chinese.
KIND_NAMES: Final = {
    THEME: ("theme", "策略主題"),
    OBJECTIVE: ("objective", "策略目標"),
    KPI: ("KPI", "KPI"),
    ACTION_PLAN: ("action plan", "行動方案"),
}

IN_THEME: Final = "IN_THEME"
MEASURES: Final = "MEASURES"
SUPPORTS: Final = "SUPPORTS"
ALIGNS_TO: Final = "ALIGNS_TO"
CAUSES: Final = "CAUSES"
MEMBER_OF: Final = "MEMBER_OF"
REFERENCES: Final = "REFERENCES"
HAS_PLAN: Final = "HAS_PLAN"
EDGE_KINDS: Final = (
    IN_THEME,
    MEASURES,
    SUPPORTS,
    ALIGNS_TO,
    CAUSES,
    MEMBER_OF,
    REFERENCES,
    HAS_PLAN,
)

#: Labels and relationship types that exist only in a graph database (see the docstring).
UPWARD_LINK: Final = "UpwardLink"
OCCURRENCE: Final = "Occurrence"
HAS_UPWARD_LINK: Final = "HAS_UPWARD_LINK"
HAS_OCCURRENCE: Final = "HAS_OCCURRENCE"

CITY: Final = "city"
AGENCY: Final = "agency"

#: Perspectives in the order strategy maps draw them, top to bottom.
PERSPECTIVES: Final = ("C", "P", "L", "F")
PERSPECTIVE_NAMES: Final = {
    "C": "customer",
    "P": "internal process",
    "L": "learning and growth",
    "F": "financial",
}
PERSPECTIVE_NAMES_ZH: Final = {"C": "顧客", "P": "內部流程", "L": "學習成長", "F": "財務"}
#: Cause-effect runs from the foundations up to the customer by default.
DEFAULT_CAUSAL_ORDER: Final = "FLPC"

THEME_LETTERS: Final = "ABCDEFGH"
#: Prefix of city-wide objectives (TC1..TC4) that belong to no theme.
CITY_WIDE_PREFIX: Final = "T"

#: The shape of each kind's codes: regular expressions that must match the whole code,
#: written so that Python's ``re`` and Cypher's ``=~`` (Java) read them alike (ASCII
#: classes only). The Cypher twins get them written in (``bscalign.queries.twin``).
CODE_SHAPES: Final = {
    THEME: "[A-Z]",
    OBJECTIVE: "[A-Z][CPLF][0-9]+",
    KPI: "[A-Z][CPLF][0-9]+[.][0-9]+",
    ACTION_PLAN: "[A-Z][CPLF][0-9]+[.][0-9]+[.][0-9]+",
}
#: The shape of city-wide objective codes (TC1...).
CITY_WIDE_SHAPE: Final = "TC[0-9]+"

OBJECTIVE_CODE = re.compile(r"^(?P<theme>[A-Z])(?P<perspective>[CPLF])(?P<number>[0-9]+)\Z")
KPI_CODE = re.compile(r"^(?P<objective>[A-Z][CPLF][0-9]+)\.(?P<number>[0-9]+)\Z")

EXPECTED_SHAPE: Final = {kind: re.compile(shape) for kind, shape in CODE_SHAPES.items()}


def plan_id(organization: str, year: str) -> str:
    """Return the id of one organization's plan for one year, e.g. ``臺北市政府@111``."""
    return f"{organization}@{year}"


def node_id(kind: str, plan: str, code: str) -> str:
    """Return the graph id of a coded node: ``<plan>:<kind>:<code>``."""
    return f"{plan}:{kind}:{code}"


def plan_node_id(plan: str) -> str:
    """Return the graph id of a Plan node."""
    return f"{PLAN}:{plan}"


def organization_node_id(name: str) -> str:
    """Return the graph id of an Organization node (organizations span plans)."""
    return f"{ORGANIZATION}:{name}"


def parent_code(kind: str, code: str) -> str | None:
    """Return the code a well-formed code says its parent has, or None.

    >>> parent_code(KPI, "AC1.2"), parent_code(ACTION_PLAN, "C1.1.1")
    ('AC1', 'C1.1')
    """
    if kind in (KPI, ACTION_PLAN) and "." in code:
        return code.rsplit(".", 1)[0]
    if kind == OBJECTIVE and len(code) >= 2:
        return code[0]
    return None


def code_order(code: str) -> tuple[Any, ...]:
    """Sort key of codes as strategy maps read them: by theme, then C, P, L, F, then number.

    The one order of codes in what bscalign writes and draws (YAML, workbooks, views).

    >>> sorted(["AC10", "AF1", "AC2", "AP1", "AC2.10", "AC2.9", "B", "TC1"], key=code_order)
    ['AC2', 'AC2.9', 'AC2.10', 'AC10', 'AP1', 'AF1', 'B', 'TC1']
    """
    head, *numbers = code.split(".")
    letters = head.rstrip("0123456789")
    perspective = letters[1:2]
    rank = PERSPECTIVES.index(perspective) if perspective in PERSPECTIVES else len(PERSPECTIVES)
    digits = head[len(letters) :]
    return (
        letters[:1],
        rank,
        letters,
        int(digits or -1),
        *(int(n) for n in numbers if n.isdigit()),
    )


@cache  # a corpus writes the same few thousand codes a million times
def is_well_formed(kind: str, code: str) -> bool:
    """Tell whether ``code`` has the shape its kind requires (``AC1``, ``AC1.1``, ...)."""
    if kind == OBJECTIVE and code.startswith(CITY_WIDE_PREFIX):
        return bool(re.fullmatch(CITY_WIDE_SHAPE, code))
    return bool(EXPECTED_SHAPE[kind].fullmatch(code))
