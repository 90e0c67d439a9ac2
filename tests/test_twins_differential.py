"""Differential test: on generated plan sets, every Cypher twin finds what its rule finds.

Hypothesis generates plan sets (:mod:`twin_plans`), each is pushed to the session's Bolt
server (the database emptied first) and audited by both engines; the findings of every
rule must be the same: rule, plan, subject, suggestion, source, cause, the message in both
languages, and the suppressed findings with their reasons. ``BSCALIGN_TWIN_EXAMPLES`` sets
how many plan sets (default 200).

A failure is shrunk to the smallest plan set that still disagrees and printed as a case
for ``queries/cases/twins.yaml``, whose cases ``tests/test_cypher_twins.py`` runs for good.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import neo4j
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from twin_plans import plan_sets

from bscalign.graph.build import PlanGraphBuilder, resolve_links
from bscalign.loaders.yamlplans import parse_yaml_plans
from bscalign.neo4j_store import audit_on_server, cypher_rules, push
from bscalign.queries.engine import AuditResult, audit
from bscalign.queries.registry import RULES

pytestmark = pytest.mark.neo4j

TWINS = cypher_rules(RULES)
EXAMPLES = int(os.environ.get("BSCALIGN_TWIN_EXAMPLES", "200"))


def reported(result: AuditResult) -> list[Any]:
    """Everything a user sees of an audit, in both languages, in the audit's order."""
    return [
        *((f.as_dict(), f.as_dict("zh-TW")["message"]) for f in result.findings),
        *((x.as_dict(), x.as_dict("zh-TW")["message"]) for x in result.suppressed),
    ]


def as_case(plans: list[dict[str, Any]]) -> str:
    """A disagreement as an entry of ``queries/cases/twins.yaml``."""
    case = [{"name": "SAY WHAT DISAGREED", "plans": plans}]
    return yaml.safe_dump(case, allow_unicode=True, sort_keys=False)


def test_twins_agree_on_generated_plan_sets(neo4j_driver: neo4j.Driver, bolt_server: Any) -> None:
    database = bolt_server.database

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # no "explain" phase: it re-runs the failing case many times against the server
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(plans=plan_sets())
    def twins_agree(plans: list[dict[str, Any]]) -> None:
        builder = PlanGraphBuilder()
        document = yaml.safe_dump({"bscalign": 1, "plans": plans}, allow_unicode=True)
        problems = parse_yaml_plans(document, "generated.yaml", builder)
        assert not problems, [str(p) for p in problems]
        graph = resolve_links(builder.graph)
        neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=database)
        push(neo4j_driver, copy.deepcopy(graph), database=database)
        embedded = audit(graph, TWINS)
        server = audit_on_server(neo4j_driver, TWINS, database=database)
        assert reported(server) == reported(embedded), as_case(plans)
        assert server.inferred_causes == embedded.inferred_causes, as_case(plans)

    twins_agree()
