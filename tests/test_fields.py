"""One declaration per field: every list of fields in the code equals graph/fields.py's table."""

from __future__ import annotations

import json
import re
from typing import get_type_hints

import jsonschema
import yaml
from conftest import ROOT

from bscalign.graph import fields
from bscalign.graph import schema as s
from bscalign.graph.records import BOOKKEEPING, NODE_RECORDS, Occurrence, WrittenLink
from bscalign.loaders import LoadResult, spreadsheet, yamlplans
from bscalign.neo4j_store import PROPERTIES, cypher_lint_schema

SCHEMA_FILE = ROOT / "bscalign" / "schema" / "bscalign-plans.schema.json"
#: The workbook's sheets: plans, one per coded kind, and the theme groups.
SHEETS = {
    "plans": s.PLAN,
    **{v: k for k, v in fields.SECTIONS.items()},
    "organizations": s.ORGANIZATION,
}


def test_the_json_schema_file_is_generated_from_the_table() -> None:
    written = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert written == fields.plans_json_schema(), (
        "regenerate bscalign/schema/bscalign-plans.schema.json from "
        "bscalign.graph.fields.plans_json_schema()"
    )


def test_the_yaml_reader_knows_the_table_s_keys() -> None:
    assert {*fields.yaml_keys(s.PLAN), *fields.SECTIONS.values()} == yamlplans.PLAN_KEYS
    assert {k: set(fields.yaml_keys(k)) for k in s.CODED_KINDS} == yamlplans.ENTRY_KEYS
    assert yamlplans.DECLARED_KEYS == fields.DECLARED_KEYS


def test_the_yaml_writer_writes_only_the_table_s_keys_and_valid_documents(
    seeds: LoadResult,
) -> None:
    document = yaml.safe_load(yamlplans.dump_yaml_plans(seeds.graph))
    jsonschema.validate(document, fields.plans_json_schema())
    written: dict[str, set[str]] = {kind: set() for kind in (s.PLAN, *s.CODED_KINDS)}
    for plan in document["plans"]:
        written[s.PLAN] |= set(plan) - set(fields.SECTIONS.values())
        for kind, section in fields.SECTIONS.items():
            for entry in plan.get(section, []):
                written[kind] |= set(entry)
    for kind, keys in written.items():
        assert keys <= set(fields.yaml_keys(kind)), kind
    # the seeds use much of the format: totals, upward links, KPIs' objectives, supports
    assert {"declared", "city"} <= written[s.PLAN]
    assert "aligns_to" in written[s.OBJECTIVE] and "objective" in written[s.KPI]
    assert "supports" in written[s.ACTION_PLAN]


def test_the_workbook_s_sheets_and_columns_are_the_table_s() -> None:
    assert list(spreadsheet.TABLES) == list(SHEETS)
    for name, kind in SHEETS.items():
        assert spreadsheet.TABLES[name].kind == kind
        assert tuple(spreadsheet.TABLES[name].column_names) == fields.columns(kind), name


def test_the_spreadsheet_docstring_lists_the_table_s_columns() -> None:
    doc = spreadsheet.__doc__ or ""
    layout = doc[doc.index("table           columns") :].split("\n", 2)[2].split("=====")[0]
    listed = {
        name: tuple(re.split(r",\s*", " ".join(rest.split())))
        for name, rest in re.findall(r"^(\w+) +(.*?)(?=^\w|\Z)", layout, re.M | re.S)
    }
    assert listed == {name: fields.columns(kind) for name, kind in SHEETS.items()}


def test_every_yaml_key_of_an_entry_has_a_column() -> None:
    """The workbook mirrors YAML: what a planner writes in one can be written in the other
    (a theme's lead and members as rows of the organizations sheet)."""
    for kind in (s.PLAN, *s.CODED_KINDS):
        for field in fields.FIELDS[kind]:
            if field.yaml in ("lead", "members"):
                assert {"organization", "lead"} <= set(fields.columns(s.ORGANIZATION))
            elif field.yaml is not None:
                assert field.columns, (kind, field.yaml)


def test_neo4j_properties_and_the_linter_schema_are_the_table_s() -> None:
    assert {label: fields.neo4j_properties(label) for label in fields.FIELDS} == PROPERTIES
    declared = {p for label in fields.FIELDS for p in fields.neo4j_properties(label)}
    assert declared <= set(cypher_lint_schema()["propertyKeys"])
    written = json.loads((ROOT / "tools" / "cypher-lint" / "schema.json").read_text("utf-8"))
    assert written["labels"] == list(fields.FIELDS)


def test_every_field_is_held_somewhere_and_described() -> None:
    for kind, kind_fields in fields.FIELDS.items():
        names = [f.name for f in kind_fields]
        assert len(names) == len(set(names)), kind
        for field in kind_fields:
            assert field.description, (kind, field.name)
            assert (field.yaml is None) == (field.json is None), (kind, field.name)


def test_typed_records_hold_the_table_s_attributes_and_fit_real_nodes(seeds: LoadResult) -> None:
    for kind, record in NODE_RECORDS.items():
        assert set(get_type_hints(record)) - BOOKKEEPING == set(fields.attributes(kind)), kind
    for _, data in seeds.graph.nodes(data=True):
        record = NODE_RECORDS[data["kind"]]
        assert record.__required_keys__ <= set(data) <= set(get_type_hints(record)), data
        for link in data.get("links", []):
            assert set(link) == set(get_type_hints(WrittenLink))
        for occurrence in data.get("occurrences", []):
            assert set(occurrence) == set(get_type_hints(Occurrence))
