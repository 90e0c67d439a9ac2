"""Typed records: what the graph's attribute dicts hold, for functions that pass them on.

networkx keeps a node's attributes in a plain dict; these TypedDicts name its keys and
types per kind (:data:`NODE_RECORDS`), with the records nodes hold: upward links as written,
occurrences and suppressions. ``tests/test_fields.py`` checks each against the field table
(:mod:`bscalign.graph.fields`) and against every node of the seed documents.
"""

from typing import Final, NotRequired, TypedDict

from bscalign.graph import schema as s


class Suppression(TypedDict):
    """A finding a planner silenced on a node."""

    rule: str
    reason: str


class WrittenLink(TypedDict):
    """An upward link as written (an ``UpwardLink`` node in Neo4j)."""

    code: str
    name: str
    raw: str
    source: str


class Occurrence(TypedDict):
    """One place a code is written (an ``Occurrence`` node in Neo4j)."""

    place: str
    name: str | None
    parent: str | None
    source: str


class PlanNode(TypedDict):
    """A Plan node: one organization's plan for one year."""

    kind: str
    id: str
    organization: str
    year: str
    level: str
    city: NotRequired[str | None]
    declared: dict[str, int]
    source: str
    sources: list[str]


class OrganizationNode(TypedDict):
    """An Organization node (organizations span plans)."""

    kind: str
    name: str
    source: str
    sources: list[str]


class CodedNode(TypedDict):
    """What every Theme, Objective, KPI and ActionPlan node holds."""

    kind: str
    plan: str
    code: str
    name: str
    names: list[str]
    suppress: list[Suppression]
    occurrences: list[Occurrence]
    source: str
    sources: list[str]
    #: the builder's bookkeeping: the rank of the place ``name`` was read from (lower: surer)
    name_rank: NotRequired[int]


class ThemeNode(CodedNode):
    links: NotRequired[list[WrittenLink]]
    declared: NotRequired[dict[str, int]]


class ObjectiveNode(CodedNode):
    theme: str | None
    perspective: str | None
    new: bool
    links: NotRequired[list[WrittenLink]]


class KPINode(CodedNode):
    wccd: bool
    city_kpi: bool
    new: bool
    city_kpi_refs: NotRequired[list[str]]


class ActionPlanNode(CodedNode):
    pass


#: The record of each node kind, and of the records held by nodes (by their Neo4j label).
NODE_RECORDS: Final[dict[str, type]] = {
    s.PLAN: PlanNode,
    s.ORGANIZATION: OrganizationNode,
    s.THEME: ThemeNode,
    s.OBJECTIVE: ObjectiveNode,
    s.KPI: KPINode,
    s.ACTION_PLAN: ActionPlanNode,
    s.UPWARD_LINK: WrittenLink,
    s.OCCURRENCE: Occurrence,
}
#: Keys of the node records that are no field: the kind, and builder bookkeeping.
BOOKKEEPING: Final = frozenset({"kind", "name_rank"})
