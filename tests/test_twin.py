"""The Cypher twins are written from the rules' own definitions, and nothing else.

The generated parts of every shipped ``.cypher`` file must be exactly what
``python -m bscalign.queries.twin`` writes from the Python rules (messages, weights, code
shapes, kind names); the numbers and patterns they share appear in no other Cypher text.
"""

from __future__ import annotations

import re

import pytest

from bscalign.graph import schema as s
from bscalign.queries import twin
from bscalign.queries.base import Text
from bscalign.queries.matching import WEIGHTS
from bscalign.queries.registry import RULES

TWINS = [rule for rule in RULES if rule.cypher_path.exists()]


@pytest.mark.parametrize("rule", TWINS, ids=lambda r: r.name)
def test_shipped_cypher_is_what_the_rule_writes(rule) -> None:
    shipped = rule.cypher_path.read_text(encoding="utf-8")
    assert shipped == twin.rendered(rule), (
        f"{rule.cypher_path.name} is stale: run python -m bscalign.queries.twin"
    )


def test_check_mode_reports_no_stale_file() -> None:
    assert twin.main(["--check"]) == 0


def _outside_generated_parts(cypher: str) -> str:
    return re.sub(r"// generated: .*?// end generated", "", cypher, flags=re.S)


@pytest.mark.parametrize("rule", TWINS, ids=lambda r: r.name)
def test_weights_and_shapes_are_written_only_where_generated(rule) -> None:
    handwritten = _outside_generated_parts(rule.cypher_path.read_text(encoding="utf-8"))
    code = re.sub(r"//[^\n]*", "", handwritten)  # comments may explain them
    for shape in (*s.CODE_SHAPES.values(), s.CITY_WIDE_SHAPE):
        if shape != s.CODE_SHAPES[s.THEME]:  # '[A-Z]' also reads "a letter" elsewhere
            assert f"'{shape}'" not in code, shape
    for weight in (WEIGHTS.theme, WEIGHTS.number, WEIGHTS.minimum, WEIGHTS.scale * 2):
        assert not re.search(rf"\b{weight}\b", code), weight
    for english, chinese in s.KIND_NAMES.values():
        assert f"'{chinese}" not in code or english == chinese, chinese


@pytest.mark.parametrize("rule", TWINS, ids=lambda r: r.name)
def test_every_message_is_written_from_the_rules_templates(rule) -> None:
    handwritten = _outside_generated_parts(rule.cypher_path.read_text(encoding="utf-8"))
    assert not re.search(r"\bAS message(_zh)?\b", handwritten)


def test_a_generated_part_must_be_closed_and_known() -> None:
    with pytest.raises(ValueError, match="no '// end generated'"):
        twin.render("RETURN\n  // generated: message\n  1", {"message": "2"})
    with pytest.raises(KeyError, match="no fragment 'score'"):
        twin.render("// generated: score\n// end generated", {})


def test_messages_with_user_text_are_literal_in_cypher() -> None:
    template = Text("{code} 'quoted' \\ {name}", "{code}「{name}」")
    en, zh = twin.text(template, code="o.code", name="o.name")
    assert en == "o.code + ' \\'quoted\\' \\\\ ' + o.name"
    assert zh == "o.code + '「' + o.name + '」'"
    filled = template.format(code="{x}", name="'}{")
    assert filled.en == "{x} 'quoted' \\ '}{"
