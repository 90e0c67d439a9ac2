"""`bscalign neo4j style`: a Graph Stylesheet that draws the stored graph like the map."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from bscalign.cli import main
from bscalign.graph import schema as s
from bscalign.neo4j_store import PROPERTIES
from bscalign.neo4j_style import PERSPECTIVE_LABELLING, PERSPECTIVE_LABELS

LINTER = ROOT / "tools" / "cypher-lint"


def _rules(sheet: str) -> dict[str, dict[str, str]]:
    """selector -> {property: value}, comments left out."""
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    rules: dict[str, dict[str, str]] = {}
    for block in re.findall(r"^[\w.]+ \{\n.*?^\}$", sheet, flags=re.S | re.M):
        head, *body, _ = block.splitlines()
        pairs = [line.strip().rstrip(";").split(":", 1) for line in body]
        rules[head.removesuffix(" {")] = {key.strip(): value.strip() for key, value in pairs}
    return rules


def test_style_prints_a_stylesheet_for_every_label_and_relationship_type() -> None:
    printed = CliRunner().invoke(main, ["neo4j", "style"])
    assert printed.exit_code == 0, printed.output
    rules = _rules(printed.stdout)
    assert {"node", "relationship"} <= set(rules)
    for label in PROPERTIES:  # every label push writes
        assert f"node.{label}" in rules, label
        caption = rules[f"node.{label}"].get("caption", "")
        # a caption names only properties the label carries
        assert set(re.findall(r"\{(\w+)\}", caption)) <= set(PROPERTIES[label]), label
    for kind in (*s.CODED_KINDS, s.UPWARD_LINK):
        assert rules[f"node.{kind}"]["caption"] == "'{code} {name}'"
    for kind in (*s.EDGE_KINDS, s.HAS_UPWARD_LINK, s.HAS_OCCURRENCE):
        assert f"relationship.{kind}" in rules, kind
    # each perspective its own colour, after (so over) the objectives' own
    colours = {rules[f"node.{label}"]["color"] for label in PERSPECTIVE_LABELS.values()}
    assert len(colours) == 4 and rules["node.Objective"]["color"] not in colours
    order = list(rules)
    assert all(
        order.index(f"node.{p}") > order.index("node.Objective")
        for p in PERSPECTIVE_LABELS.values()
    )
    assert "Example:" in main.commands["neo4j"].commands["style"].help


def test_the_perspective_labelling_parses_in_neo4js_own_parser(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (LINTER / "node_modules" / "@neo4j-cypher").is_dir():
        if os.environ.get("BSCALIGN_REQUIRE_CYPHER_LINT") == "1":
            pytest.fail("node or tools/cypher-lint/node_modules missing (npm ci there)")
        pytest.skip("the Cypher linter is not installed (cd tools/cypher-lint && npm ci)")
    for number, statement in enumerate(PERSPECTIVE_LABELLING):
        (tmp_path / f"label-{number}.cypher").write_text(statement, encoding="utf-8")
    # not --strict: the perspective labels are the point, they are not push's labels
    schema = str(LINTER / "schema.json")
    lint = subprocess.run(
        [node, str(LINTER / "lint.mjs"), "--schema", schema, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert f"{len(PERSPECTIVE_LABELLING)} file(s), 0 error(s)" in lint.stderr
