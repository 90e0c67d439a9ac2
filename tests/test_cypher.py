"""The rules' Cypher files and the statements push runs, checked without a server.

Headers say what analysts need, parameters are declared, the linter's schema is the one
``bscalign.neo4j_store`` writes, Neo4j's own parser accepts every statement, and what push
writes stays inside the documented shape.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import ROOT, SEEDS
from hypothesis import given
from hypothesis import strategies as st
from rule_cases import rule_cases

from bscalign.cli import main
from bscalign.graph import schema as s
from bscalign.loaders import read_plans
from bscalign.neo4j_store import (
    MERGE_RELATIONSHIPS,
    NOT_STORED_AS_SUCH,
    PROPERTIES,
    RELATIONSHIP_PROPERTIES,
    RULE_PARAMETERS,
    counted_grams,
    cypher_lint_schema,
    cypher_rules,
    plan_rows,
    statements,
)
from bscalign.queries.base import Rule
from bscalign.queries.registry import RULES, get_rule
from bscalign.queries.similarity import similarity

LINTER = ROOT / "tools" / "cypher-lint"
TWINS = cypher_rules(RULES)


@pytest.mark.parametrize("rule", TWINS, ids=lambda r: r.name)
def test_header_says_what_it_finds_how_to_read_it_and_its_parameters(rule: Rule) -> None:
    text = rule.cypher_path.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("//")]
    assert header[0].startswith(f"// {rule.code} {rule.name} ({rule.severity}): ")
    assert any(line.startswith("// Result: one row per finding") for line in header)
    used = set(re.findall(r"\$(\w+)", text))
    assert used <= set(RULE_PARAMETERS)
    for name in used:
        assert any(line.startswith(f"//   :param {name} => ") for line in header), name
    assert not text.rstrip().endswith(";")  # the driver runs the file as one statement


def test_rules_without_a_twin_say_why() -> None:
    for rule in RULES:
        assert rule.cypher_path.exists() or "\nCypher\n" in f"\n{rule.doc}\n", rule.name
    stray = {p.name for p in (ROOT / "queries").glob("*.cypher")}
    assert stray == {r.cypher_path.name for r in TWINS}


def test_linter_schema_is_generated_from_the_stored_shape() -> None:
    written = json.loads((LINTER / "schema.json").read_text(encoding="utf-8"))
    assert written == cypher_lint_schema(), (
        "regenerate tools/cypher-lint/schema.json from bscalign.neo4j_store.cypher_lint_schema()"
    )


def test_neo4j_parser_accepts_every_statement(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (LINTER / "node_modules" / "@neo4j-cypher").is_dir():
        if os.environ.get("BSCALIGN_REQUIRE_CYPHER_LINT") == "1":
            pytest.fail("node or tools/cypher-lint/node_modules missing (npm ci there)")
        pytest.skip("the Cypher linter is not installed (cd tools/cypher-lint && npm ci)")
    for number, statement in enumerate(statements()):
        (tmp_path / f"push-{number:03}.cypher").write_text(statement, encoding="utf-8")
    for rule in TWINS:
        shutil.copy(rule.cypher_path, tmp_path)
    schema = str(LINTER / "schema.json")
    lint = subprocess.run(
        [node, str(LINTER / "lint.mjs"), "--strict", "--schema", schema, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert f"{len(statements()) + len(TWINS)} file(s), 0 error(s), 0 warning(s)" in lint.stderr


def test_cypher_command_prints_the_twin() -> None:
    runner = CliRunner()
    printed = runner.invoke(main, ["cypher", "BSC201"])
    assert printed.exit_code == 0
    assert printed.stdout == get_rule("dangling-upward-link").cypher_path.read_text(
        encoding="utf-8"
    )
    assert runner.invoke(main, ["cypher", "no-such-rule"]).exit_code == 2


def test_cypher_command_for_a_rule_without_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Rule, "cypher_path", property(lambda rule: Path("/nowhere.cypher")))
    refused = CliRunner().invoke(main, ["cypher", "orphan-kpi"])
    assert refused.exit_code == 1
    assert refused.stderr == (
        "bscalign: orphan-kpi has no Cypher twin (`bscalign rule orphan-kpi` says why)\n"
    )


def test_readme_documents_the_stored_shape() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Neo4j") : readme.index("## The YAML format")]
    names = {*PROPERTIES, *RELATIONSHIP_PROPERTIES, s.HAS_UPWARD_LINK, s.HAS_OCCURRENCE}
    names |= {key for keys in PROPERTIES.values() for key in keys}
    names |= {key for keys in RELATIONSHIP_PROPERTIES.values() for key in keys}
    assert not {name for name in names if f"`{name}`" not in section}


GRAPHS = {"seeds": lambda: read_plans([SEEDS]).graph} | {c.id: c.graph for c in rule_cases()}


@pytest.mark.parametrize("dataset", GRAPHS)
def test_push_writes_only_the_documented_shape(dataset: str) -> None:
    graph: nx.MultiDiGraph = GRAPHS[dataset]()
    for _, data in graph.nodes(data=True):
        unknown = set(data) - set(PROPERTIES[data["kind"]]) - set(NOT_STORED_AS_SUCH)
        assert not unknown, f"{data['kind']} attributes neither stored nor flattened: {unknown}"
    for rows in plan_rows(graph, s.DEFAULT_CAUSAL_ORDER).values():
        nodes, relationships = rows.flat()  # links and occurrences as nodes of their own
        assert set(relationships) <= set(MERGE_RELATIONSHIPS)
        for label, node_rows in nodes.items():
            for row in node_rows:
                assert set(row["props"]) <= set(PROPERTIES[label])
                assert not [v for v in row["props"].values() if isinstance(v, dict)]
                lists = [v for v in row["props"].values() if isinstance(v, list)]
                assert all(isinstance(item, str) for value in lists for item in value)


NAMES = st.text() | st.text(alphabet="安全環境營造培育優秀人力 Ab1、")


@given(NAMES, NAMES)
def test_counted_grams_give_the_same_similarity(a: str, b: str) -> None:
    ga, gb = counted_grams(a), counted_grams(b)
    total = len(ga) + len(gb)
    shared = len([g for g in ga if g in gb])
    assert (2 * shared / total if total else 0.0) == similarity(a, b)
