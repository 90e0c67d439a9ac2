"""bscalign YAML: round trips, the README example, the JSON Schema and bad input."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import EXAMPLES, FIRE, MILITARY, ROOT
from facts import graph_facts

from bscalign.graph import schema as s
from bscalign.graph.build import PlanGraphBuilder
from bscalign.graph.causality import infer_causes
from bscalign.loaders import InputError, read_plans
from bscalign.loaders.yamlplans import (
    build_yaml_plans,
    dump_yaml_plans,
    parse_yaml_plans,
    prepare_yaml_plans,
)

SCHEMA = ROOT / "bscalign" / "schema" / "bscalign-plans.schema.json"


@pytest.mark.parametrize("seed", [FIRE, MILITARY], ids=["fire", "military"])
def test_export_then_load_gives_the_same_graph(tmp_path: Path, seed: Path) -> None:
    original = read_plans([seed])
    exported = tmp_path / "plans.yaml"
    exported.write_text(dump_yaml_plans(original.graph), encoding="utf-8")
    again = read_plans([exported])
    assert again.problems == []
    assert graph_facts(again.graph) == graph_facts(original.graph)


def test_shipped_examples_are_the_seeds(seeds) -> None:
    examples = read_plans([EXAMPLES]).graph
    # the session's seed graph may have been audited (which infers cause-effect edges)
    infer_causes(examples)
    infer_causes(seeds.graph)
    assert graph_facts(examples) == graph_facts(seeds.graph)


def test_readme_example_loads_cleanly(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(bscalign: 1\n.*?)```", readme, re.S)
    assert block, "README has no YAML example"
    example = tmp_path / "example.yaml"
    example.write_text(block.group(1), encoding="utf-8")
    result = read_plans([example])
    assert result.problems == []
    cc1 = result.graph.nodes[s.node_id(s.OBJECTIVE, "臺北市政府兵役局@111", "CC1")]
    assert cc1["links"][0]["code"] == "GP6"
    cp1 = s.node_id(s.OBJECTIVE, "臺北市政府兵役局@111", "CP1")
    assert result.graph.nodes[cp1]["suppress"][0]["rule"] == "missing-upward-link"
    jsonschema.validate(yaml.safe_load(block.group(1)), json.loads(SCHEMA.read_text()))


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_validate_against_the_json_schema(example: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(example.read_text(encoding="utf-8")), schema)


def test_every_bad_entry_is_reported_and_good_ones_load(tmp_path: Path) -> None:
    doc = tmp_path / "bad.yaml"
    doc.write_text(
        "bscalign: 1\n"
        "plans:\n"
        "- organization: 臺北市政府測試局\n"
        "  year: '110'\n"
        "  level: county\n"  # line 5: unknown level
        "  objectives:\n"
        "  - {code: AC1, name: 提升服務品質}\n"
        "  - {name: 沒有代碼}\n"  # line 8
        "  - {code: AP1, name: 精進流程, perspective: X}\n"  # line 9
        "  kpis:\n"
        "  - {code: AC1.1, nmae: 打錯字}\n",  # line 11
        encoding="utf-8",
    )
    result = read_plans([doc])
    assert [p.line for p in result.problems] == [3, 8, 9, 11]
    assert "level must be 'city' or 'agency'" in result.problems[0].message
    assert "unknown key 'nmae'" in result.problems[3].message
    codes = {d["code"] for _, d in result.graph.nodes(data=True) if d["kind"] == s.OBJECTIVE}
    assert codes == {"AC1", "AP1"}


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    doc = tmp_path / "broken.yaml"
    doc.write_text("bscalign: 1\nplans:\n- organization: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.yaml:\d+: not valid YAML"):
        read_plans([doc])


def test_a_definition_wins_over_an_earlier_mention(tmp_path: Path) -> None:
    doc = tmp_path / "order.yaml"
    doc.write_text(
        "bscalign: 1\nplans:\n- organization: 臺北市政府測試局\n  year: '110'\n"
        "  kpis: [{code: BC1.1, name: 滿意度, objective: BC1}]\n"
        "  objectives:\n"
        "  - {code: AF1, name: 預算, causes: [BC1]}\n"
        "  - {code: BC1, name: 主題不符, theme: A, perspective: P}\n",
        encoding="utf-8",
    )
    graph = read_plans([doc]).graph
    bc1 = s.node_id(s.OBJECTIVE, "臺北市政府測試局@110", "BC1")
    assert (graph.nodes[bc1]["theme"], graph.nodes[bc1]["perspective"]) == ("A", "P")
    themes = [v for _, v, k in graph.out_edges(bc1, keys=True) if k == s.IN_THEME]
    assert themes == [s.node_id(s.THEME, "臺北市政府測試局@110", "A")]


def test_prepared_plans_pickle_and_build_what_parsing_builds() -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        text = example.read_text(encoding="utf-8")
        parsed, built = PlanGraphBuilder(), PlanGraphBuilder()
        problems = parse_yaml_plans(text, str(example), parsed)
        prepared = pickle.loads(pickle.dumps(prepare_yaml_plans(text, str(example))))
        assert build_yaml_plans(prepared, str(example), built) == problems
        assert graph_facts(built.graph) == graph_facts(parsed.graph)
        assert list(built.graph.nodes(data=True)) == list(parsed.graph.nodes(data=True))


def test_yaml_beyond_plain_values_loads_as_pyyaml_reads_it(tmp_path: Path) -> None:
    doc = tmp_path / "merged.yaml"
    doc.write_text(
        "bscalign: 1\n"
        "base: &fire {organization: 臺北市政府消防局, level: agency}\n"
        "plans:\n"
        "- <<: *fire\n"  # a merge key: the plan takes the base's keys
        "  year: !!str 108\n"
        "  objectives:\n"
        "  - {code: AC1, name: 2019-05-01}\n",  # line 7: a date, not a name
        encoding="utf-8",
    )
    result = read_plans([doc])
    assert [str(p) for p in result.problems] == [
        f"{doc}:7: 'name' must be text, got date; not read"
    ]
    plan = result.graph.nodes[s.plan_node_id("臺北市政府消防局@108")]
    assert (plan["year"], plan["level"]) == ("108", s.AGENCY)
    assert s.node_id(s.OBJECTIVE, "臺北市政府消防局@108", "AC1") in result.graph
