"""One declaration per field: how each kind's fields are named in bscalign YAML, in the
workbook, in the JSON Schema and in Neo4j, and what they mean.

The YAML reader's known keys, the workbook's columns, the JSON Schema of the YAML format,
the properties the Neo4j push writes and the Cypher linter's schema all take their lists
from :data:`FIELDS`; ``tests/test_fields.py`` fails when one of them differs from it.

A field is one line of the table. Where a format does not hold it, its entry is empty: the
plan's ``id`` is derived (no YAML key, no column); a theme's ``lead`` and ``members`` are
rows of the workbook's ``organizations`` sheet; ``aligns_to`` becomes ``UpwardLink`` nodes
in Neo4j, not a property.

Examples
--------
>>> yaml_keys(s.ACTION_PLAN)
('code', 'name', 'also_named', 'supports', 'suppress')
>>> columns(s.PLAN)
('plan', 'level', 'city', 'declared_themes', 'declared_objectives', 'declared_kpis', 'declared_action_plans')
>>> neo4j_properties(s.OCCURRENCE)
('id', 'plan', 'place', 'name', 'name_key', 'parent', 'source', 'position')
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from bscalign.graph import schema as s

#: The coded kinds in plan order, each with its YAML section, its sheet and its declared
#: total (``declared: {themes: 3}``, column ``declared_themes``).
SECTIONS: Final = {
    s.THEME: "themes",
    s.OBJECTIVE: "objectives",
    s.KPI: "kpis",
    s.ACTION_PLAN: "action_plans",
}
DECLARED_KEYS: Final = tuple(SECTIONS.values())


@dataclass(frozen=True)
class Field:
    """One field of one kind, as each format names it.

    ``name`` is what the field is called, and the networkx node attribute (or key of an
    upward link or occurrence record) holding it unless ``graph`` is False (the field then
    exists only elsewhere: derived for Neo4j, or held by edges); ``yaml`` its key in a YAML
    entry (None: not written in YAML), with ``json`` the JSON Schema of its value;
    ``columns`` the workbook columns and ``neo4j`` the node properties it becomes (empty:
    none).
    """

    name: str
    description: str
    yaml: str | None = None
    json: Mapping[str, Any] | None = None
    columns: tuple[str, ...] = ()
    neo4j: tuple[str, ...] = ()
    graph: bool = True


_TEXT: Final = {"type": "string"}
_TEXTS: Final = {"type": "array", "items": _TEXT}
_TEXT_OR_TEXTS: Final = {"oneOf": [_TEXT, _TEXTS]}
_FLAG: Final = {"type": "boolean"}
_DECLARED: Final = {
    "type": "object",
    "additionalProperties": False,
    "properties": {key: {"type": "integer", "minimum": 0} for key in DECLARED_KEYS},
}
DECLARED_COLUMNS: Final = tuple(f"declared_{key}" for key in DECLARED_KEYS)
#: A suppression (``{rule, reason}``): the JSON Schema's ``$defs``.
SUPPRESSION_SCHEMA: Final = {
    "type": "object",
    "required": ["rule"],
    "additionalProperties": False,
    "properties": {
        "rule": {"type": "string", "description": "rule name or code, e.g. orphan-kpi or BSC101"},
        "reason": {"type": "string"},
    },
}


def _same(name: str, description: str, json: Mapping[str, Any], **where: Any) -> Field:
    """A field called ``name`` in YAML, in the workbook and in Neo4j alike."""
    return Field(name, description, name, json, (name,), (name,), **where)


def _flag(name: str, description: str) -> Field:
    return _same(name, f"{description}: yes or empty", _FLAG)


_SOURCES: Final = (
    Field("source", "file:line where first seen", neo4j=("source",)),
    Field("sources", "every file:line where seen", neo4j=("sources",)),
)
_DECLARED_FIELD: Final = Field(
    "declared",
    "totals the document states",
    "declared",
    _DECLARED,
    DECLARED_COLUMNS,
    DECLARED_COLUMNS,
)


def _coded(*own: Field) -> tuple[Field, ...]:
    """The fields every coded kind has, around ``own``."""
    return (
        Field("plan", "the plan, organization@year", columns=("plan",), neo4j=("plan",)),
        Field("id", "the node's id, <plan>:<kind>:<code>", neo4j=("id",), graph=False),
        Field(
            "code",
            "the code as written, e.g. AC1.1",
            "code",
            {"type": "string", "minLength": 1},
            ("code",),
            ("code",),
        ),
        _same("name", "the first name seen", _TEXT),
        Field(
            "names",
            "every distinct name, in the order seen",
            "also_named",
            _TEXTS,
            ("also_named",),
            ("names", "name_keys"),
        ),
        Field("name_key", "the name as rules compare it", neo4j=("name_key",), graph=False),
        *own,
        Field(
            "suppress",
            "findings a planner silenced: rule and reason",
            "suppress",
            {"type": "array", "items": {"$ref": "#/$defs/suppression"}},
            ("suppress",),
            ("suppress_rules", "suppress_reasons"),
        ),
        Field("occurrences", "each place the code is written (Occurrence nodes in Neo4j)"),
        *_SOURCES,
    )


_GRAMS: Final = Field(
    "name_grams", "the name's counted n-grams", neo4j=("name_grams",), graph=False
)

#: Every field of every kind, the Neo4j-only labels last.
FIELDS: Final[dict[str, tuple[Field, ...]]] = {
    s.PLAN: (
        Field("id", "organization@year", neo4j=("id",)),
        Field(
            "organization",
            "the organization, as written",
            "organization",
            {"type": "string", "minLength": 1, "description": "as written, e.g. 臺北市政府消防局"},
            ("plan",),
            ("organization",),
        ),
        Field(
            "year",
            "the year, as written (ROC years stay ROC)",
            "year",
            {
                "type": ["string", "integer"],
                "description": "as written (ROC years stay ROC), e.g. '108'",
            },
            ("plan",),
            ("year",),
        ),
        _same("level", "city or agency", {"enum": [s.CITY, s.AGENCY], "default": s.AGENCY}),
        _same(
            "city",
            "the city organization whose map an agency plan answers to",
            {
                "type": "string",
                "description": "the city organization whose map an agency plan answers to",
            },
        ),
        Field(
            "city_plan",
            "the city plan an agency plan answers to",
            neo4j=("city_plan",),
            graph=False,
        ),
        Field("causal_order", "the push's causal order", neo4j=("causal_order",), graph=False),
        *_SOURCES,
        _DECLARED_FIELD,
    ),
    s.ORGANIZATION: (
        Field("plan", "the city plan of the theme group", columns=("plan",), graph=False),
        Field(
            "theme",
            "the city theme whose working group it is in",
            columns=("theme",),
            graph=False,
        ),
        Field("name", "the organization, as written", columns=("organization",), neo4j=("name",)),
        Field(
            "lead",
            "whether it leads the group (on MEMBER_OF in Neo4j)",
            columns=("lead",),
            graph=False,
        ),
        *_SOURCES,
    ),
    s.THEME: _coded(
        Field(
            "links",
            "city objectives the whole theme supports",
            "aligns_to",
            _TEXT_OR_TEXTS,
            ("aligns_to",),
        ),
        _DECLARED_FIELD,
        Field(
            "lead",
            "the organization leading the group (workbook: organizations)",
            "lead",
            _TEXT_OR_TEXTS,
            graph=False,
        ),
        Field(
            "members",
            "the group's other organizations (workbook: organizations)",
            "members",
            _TEXT_OR_TEXTS,
            graph=False,
        ),
    ),
    s.OBJECTIVE: _coded(
        _same(
            "theme", "theme letter; None for city-wide TC objectives", {"type": ["string", "null"]}
        ),
        _same("perspective", "C, P, L or F", {"enum": list(s.PERSPECTIVES)}),
        _flag("new", "new this year"),
        Field(
            "links",
            "upward links as written: code and name",
            "aligns_to",
            {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"type": "string", "description": "'CODE name', e.g. 'GC2 營造安全環境'"},
                        {
                            "type": "object",
                            "required": ["code"],
                            "additionalProperties": False,
                            "properties": {"code": _TEXT, "name": _TEXT},
                        },
                    ]
                },
            },
            ("aligns_to",),
        ),
        Field(
            "causes",
            "objectives this one drives (CAUSES edges)",
            "causes",
            _TEXTS,
            ("causes",),
            graph=False,
        ),
        _GRAMS,
    ),
    s.KPI: _coded(
        Field(
            "objective",
            "the objectives it measures (MEASURES edges)",
            "objective",
            _TEXT_OR_TEXTS,
            ("objective",),
            graph=False,
        ),
        _flag("wccd", "a WCCD indicator"),
        _flag("city_kpi", "a city KPI"),
        _flag("new", "new this year"),
        _same("city_kpi_refs", "city KPI codes it references", _TEXTS),
    ),
    s.ACTION_PLAN: _coded(
        Field(
            "supports",
            "the KPIs it supports (SUPPORTS edges)",
            "supports",
            _TEXTS,
            ("supports",),
            graph=False,
        ),
    ),
    # in networkx, an objective's or theme's ``links`` records (graph=True: their keys)
    s.UPWARD_LINK: tuple(
        Field(name, description, neo4j=(name,), graph=graph)
        for name, description, graph in (
            ("id", "<objective id>:link:<position>", False),
            ("plan", "the plan of the linking objective or theme", False),
            ("code", "the city objective code as written", True),
            ("name", "the city objective name as written", True),
            ("raw", "the link exactly as written", True),
            ("source", "file:line", True),
            ("position", "its place among the entry's links", False),
            ("name_key", "the name as rules compare it", False),
            ("name_grams", "the name's counted n-grams", False),
        )
    ),
    # in networkx, a coded node's ``occurrences`` records (graph=True: their keys)
    s.OCCURRENCE: tuple(
        Field(name, description, neo4j=(name,), graph=graph)
        for name, description, graph in (
            ("id", "<node id>:occurrence:<position>", False),
            ("plan", "the plan", False),
            ("place", "where the code is written: map, table, yaml, sheet...", True),
            ("name", "the name written there", True),
            ("name_key", "the name as rules compare it", False),
            ("parent", "the parent code written there", True),
            ("source", "file:line", True),
            ("position", "its place among the node's occurrences", False),
        )
    ),
}


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def yaml_keys(kind: str) -> tuple[str, ...]:
    """The keys a YAML entry of ``kind`` may have (for plans: without the sections)."""
    return tuple(f.yaml for f in FIELDS[kind] if f.yaml is not None)


def attributes(kind: str) -> tuple[str, ...]:
    """The networkx attributes of a ``kind`` node (keys of its records for the Neo4j-only
    labels), besides ``kind`` and the builder's bookkeeping."""
    return tuple(f.name for f in FIELDS[kind] if f.graph)


def columns(kind: str) -> tuple[str, ...]:
    """The workbook columns of ``kind``'s sheet, in order."""
    return _unique([column for f in FIELDS[kind] for column in f.columns])


def neo4j_properties(kind: str) -> tuple[str, ...]:
    """The properties a ``kind`` node has in Neo4j."""
    return _unique([prop for f in FIELDS[kind] for prop in f.neo4j])


def plans_json_schema() -> dict[str, Any]:
    """The JSON Schema of bscalign YAML (``bscalign/schema/bscalign-plans.schema.json``)."""

    def entry(kind: str) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": ["code"],
            "properties": {f.yaml: f.json for f in FIELDS[kind] if f.yaml is not None},
        }

    plan = {f.yaml: f.json for f in FIELDS[s.PLAN] if f.yaml is not None}
    plan |= {section: {"type": "array", "items": entry(kind)} for kind, section in SECTIONS.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/bscalign/bscalign/schema/bscalign-plans.schema.json",
        "title": "bscalign plans",
        "description": (
            "Strategy maps and balanced scorecards of one or more organizations and years "
            "(bscalign YAML, format 1)."
        ),
        "type": "object",
        "required": ["bscalign", "plans"],
        "additionalProperties": False,
        "properties": {
            "bscalign": {"const": 1, "description": "format version"},
            "plans": {"type": "array", "items": {"$ref": "#/$defs/plan"}},
        },
        "$defs": {
            "suppression": SUPPRESSION_SCHEMA,
            "plan": {
                "type": "object",
                "required": ["organization", "year"],
                "additionalProperties": False,
                "properties": plan,
            },
        },
    }
