"""Every rule's Cypher twin, run on a real Bolt server, finds exactly what the rule finds.

For each data set (the seed documents, every rule's case file, plans full of tricky names,
the plan sets the differential test once found the twins disagreeing on: ``queries/cases/
twins.yaml``)
the graph is pushed to the session's ArcadeDB server and both audits run; for each rule
with a ``.cypher`` file the findings must be the same: rule, plan, subject, both messages,
suggestion, source, and the suppressed ones with their reasons. A new rule with a Cypher
file is covered without changing this file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
from typing import Any

import neo4j
import networkx as nx
import pytest
import yaml
from conftest import ROOT, SEEDS
from neo4j_support import TRICKY_PLANS, yaml_graph
from rule_cases import rule_cases

from bscalign.loaders import read_plans
from bscalign.neo4j_store import audit_on_server, cypher_rules, push
from bscalign.queries.base import Rule
from bscalign.queries.engine import AuditResult, audit
from bscalign.queries.registry import RULES

pytestmark = pytest.mark.neo4j

TWINS = cypher_rules(RULES)
KEPT = yaml.safe_load((ROOT / "queries" / "cases" / "twins.yaml").read_text(encoding="utf-8"))
DATASETS: dict[str, Callable[[], nx.MultiDiGraph]] = {
    "seeds": lambda: read_plans([SEEDS]).graph,
    "tricky names": lambda: yaml_graph(TRICKY_PLANS),
    **{case.id: case.graph for case in rule_cases()},
    **{f"twins: {case['name']}": partial(yaml_graph, case["plans"]) for case in KEPT["cases"]},
}


@pytest.fixture(scope="module")
def audits(
    neo4j_driver: neo4j.Driver, bolt_server: Any
) -> Callable[[str], tuple[AuditResult, AuditResult]]:
    """``audits(dataset)``: (embedded, server) results, each data set pushed once."""
    done: dict[str, tuple[AuditResult, AuditResult]] = {}

    def run(dataset: str) -> tuple[AuditResult, AuditResult]:
        if dataset not in done:
            database = bolt_server.database
            neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=database)
            graph = DATASETS[dataset]()
            push(neo4j_driver, copy.deepcopy(graph), database=database)
            done[dataset] = (
                audit(graph, TWINS),
                audit_on_server(neo4j_driver, TWINS, database=database),
            )
        return done[dataset]

    return run


def _reported(result: AuditResult, rule: Rule) -> dict[str, list[Any]]:
    findings = [f for f in result.findings if f.rule == rule.code]
    suppressed = [x for x in result.suppressed if x.finding.rule == rule.code]
    return {
        "findings": sorted(
            (tuple(f.as_dict().items()), f.as_dict("zh-TW")["message"]) for f in findings
        ),
        "suppressed": sorted(tuple(x.as_dict().items()) for x in suppressed),
    }


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("rule", TWINS, ids=lambda r: r.name)
def test_twin_reports_what_the_rule_reports(
    rule: Rule, dataset: str, audits: Callable[[str], tuple[AuditResult, AuditResult]]
) -> None:
    embedded, server = audits(dataset)
    assert _reported(server, rule) == _reported(embedded, rule)


@pytest.mark.parametrize("dataset", DATASETS)
def test_same_inferred_cause_effect_edges(
    dataset: str, audits: Callable[[str], tuple[AuditResult, AuditResult]]
) -> None:
    embedded, server = audits(dataset)
    assert server.inferred_causes == embedded.inferred_causes
    assert [f.sort_key() for f in server.findings] == sorted(f.sort_key() for f in server.findings)
