"""`bscalign neo4j push` and `neo4j audit` against a real Bolt server (ArcadeDB).

A push stores exactly the loaded graph, twice is the same as once, ``--replace`` touches
only the plans pushed, tricky names round-trip unchanged, and a push whose connection is
cut halfway leaves no half-written plan for the audit to see.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import neo4j
import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import SEEDS
from neo4j_support import (
    TRICKY_PLANS,
    loaded_facts,
    proxy,
    snapshot,
    stored_facts,
    yaml_graph,
)

from bscalign.cli import main
from bscalign.graph import schema as s
from bscalign.loaders import read_plans
from bscalign.neo4j_store import audit_on_server, push, stored_plans
from bscalign.queries.engine import audit
from bscalign.queries.registry import RULES

pytestmark = pytest.mark.neo4j

FIRE_108 = "臺北市政府消防局@108"


@pytest.fixture
def seeds_graph() -> nx.MultiDiGraph:
    """A fresh copy of the seeds (push and audit add inferred edges to the graph)."""
    return read_plans([SEEDS]).graph


def _findings(result: Any) -> list[dict[str, Any]]:
    return [f.as_dict() for f in result.findings]


def test_push_stores_the_loaded_graph(
    neo4j_driver: neo4j.Driver, empty_database: str, seeds_graph: nx.MultiDiGraph
) -> None:
    pushed = push(neo4j_driver, seeds_graph, database=empty_database)
    # city maps first, so that the agencies' links meet them in the same push
    assert [p.plan for p in pushed] == [
        "臺北市政府@108",
        "臺北市政府@111",
        "臺北市政府兵役局@111",
        FIRE_108,
    ]
    assert stored_plans(neo4j_driver, empty_database) == sorted(p.plan for p in pushed)
    assert stored_facts(neo4j_driver, empty_database) == loaded_facts(seeds_graph)


def test_push_twice_leaves_the_same_graph(
    neo4j_driver: neo4j.Driver, empty_database: str, seeds_graph: nx.MultiDiGraph
) -> None:
    push(neo4j_driver, seeds_graph, database=empty_database)
    once = snapshot(neo4j_driver, empty_database)
    push(neo4j_driver, read_plans([SEEDS]).graph, database=empty_database, batch_size=7)
    assert snapshot(neo4j_driver, empty_database) == once


def test_replace_touches_only_the_plans_pushed(
    neo4j_driver: neo4j.Driver, empty_database: str, seeds_graph: nx.MultiDiGraph, tmp_path
) -> None:
    push(neo4j_driver, seeds_graph, database=empty_database)
    before = stored_facts(neo4j_driver, empty_database)
    # the Fire Department's plan again, with one KPI fewer and one objective renamed
    fire = yaml_graph(_fire_plan_without(seeds_graph, kpi="AC1.1", renamed="AC1"))
    push(neo4j_driver, copy.deepcopy(fire), database=empty_database)
    merged = stored_facts(neo4j_driver, empty_database)["nodes"]
    assert f"{FIRE_108}:KPI:AC1.1" in merged  # without --replace the KPI stays
    assert merged[f"{FIRE_108}:Objective:AC1"]["name"] == "改過的名稱"

    push(neo4j_driver, copy.deepcopy(fire), database=empty_database, replace=True)
    after = stored_facts(neo4j_driver, empty_database)
    assert f"{FIRE_108}:KPI:AC1.1" not in after["nodes"]
    assert _split(after, FIRE_108)[0] == _split(loaded_facts(fire), FIRE_108)[0]
    assert _split(after, FIRE_108)[1] == _split(before, FIRE_108)[1]
    # the new plan's links are joined to the 108 city map stored before
    aligned = {(u, v) for u, v, k, _ in after["edges"] if k == s.ALIGNS_TO}
    assert (f"{FIRE_108}:Objective:AC1", "臺北市政府@108:Objective:GC2") in aligned


def _split(facts: dict[str, Any], plan: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The nodes of ``plan``, and all others (organizations are shared: among the others)."""
    mine = {n for n, fact in facts["nodes"].items() if plan in (fact.get("plan"), fact.get("id"))}
    return (
        {n: f for n, f in facts["nodes"].items() if n in mine},
        {n: f for n, f in facts["nodes"].items() if n not in mine},
    )


def _fire_plan_without(graph: nx.MultiDiGraph, kpi: str, renamed: str) -> list[dict[str, Any]]:
    """The Fire Department's 108 plan as YAML entries, minus ``kpi``, ``renamed`` renamed."""
    import yaml

    from bscalign.loaders.yamlplans import dump_yaml_plans

    (plan,) = yaml.safe_load(dump_yaml_plans(graph, [FIRE_108]))["plans"]
    plan["kpis"] = [k for k in plan["kpis"] if k["code"] != kpi]
    for action in plan["action_plans"]:
        action["supports"] = [k for k in action.get("supports", []) if k != kpi]
    for objective in plan["objectives"]:
        if objective["code"] == renamed:
            objective["name"] = "改過的名稱"
            objective.pop("also_named", None)
    return [plan]


def test_tricky_names_round_trip_unchanged(neo4j_driver: neo4j.Driver, empty_database: str):
    graph = yaml_graph(TRICKY_PLANS)
    push(neo4j_driver, graph, database=empty_database)
    assert stored_facts(neo4j_driver, empty_database) == loaded_facts(graph)
    assert len(stored_plans(neo4j_driver, empty_database)) == 2


def test_push_cut_halfway_shows_no_half_plan_and_completes_when_run_again(
    bolt_server: Any, neo4j_driver: neo4j.Driver, empty_database: str
) -> None:
    def proxied_push(relay: Any, committed: list[tuple[str, int]]) -> None:
        # no retries: the cut must end the push (a real push retries transient failures)
        options = {"auth": (bolt_server.user, bolt_server.password)}
        with neo4j.GraphDatabase.driver(relay.uri, max_transaction_retry_time=0, **options) as d:
            push(
                d,
                read_plans([SEEDS]).graph,
                database=empty_database,
                on_plan=lambda done: committed.append((done.plan, relay.sent)),
            )

    whole: list[tuple[str, int]] = []
    with proxy(bolt_server.uri) as relay:
        proxied_push(relay, whole)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=empty_database)
    # the same push again, its connection dropped halfway through the third plan
    (first, _), (second, second_done), (third, third_done), _ = whole
    cut: list[tuple[str, int]] = []
    with proxy(bolt_server.uri, cut_after=(second_done + third_done) // 2) as relay:
        with pytest.raises((neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError)):
            proxied_push(relay, cut)
        assert relay.cut
    assert [plan for plan, _ in cut] == [first, second]
    assert stored_plans(neo4j_driver, empty_database) == sorted([first, second])
    graph = read_plans([SEEDS]).graph
    assert not [
        n
        for n, f in stored_facts(neo4j_driver, empty_database)["nodes"].items()
        if third in (f.get("plan"), f.get("id"))
    ]
    # what the audit sees is the two committed plans, whole
    kept = [n for n, d in graph.nodes(data=True) if d.get("plan", d.get("id")) in (first, second)]
    kept += [o for n in kept for o in graph.predecessors(n) if o.startswith(s.ORGANIZATION)]
    part = nx.MultiDiGraph(graph.subgraph(kept))
    on_server = audit_on_server(neo4j_driver, RULES, database=empty_database)
    assert _findings(on_server) == _findings(audit(part))

    push(neo4j_driver, graph, database=empty_database)
    assert stored_facts(neo4j_driver, empty_database) == loaded_facts(graph)
    on_server = audit_on_server(neo4j_driver, RULES, database=empty_database)
    assert _findings(on_server) == _findings(audit(graph))


@pytest.fixture
def cli_env(bolt_server: Any, empty_database: str) -> dict[str, str]:
    """The environment `bscalign neo4j` reads its connection from."""
    return {
        "NEO4J_URI": bolt_server.uri,
        "NEO4J_USERNAME": bolt_server.user,
        "NEO4J_PASSWORD": bolt_server.password,
        "NEO4J_DATABASE": empty_database,
    }


def test_cli_audit_on_server_prints_what_audit_prints(cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    pushed = runner.invoke(main, ["neo4j", "push", str(SEEDS)], env=cli_env)
    assert pushed.exit_code == 0, pushed.output
    assert f"pushed {FIRE_108}: " in pushed.stderr
    for options in (
        ["--format", "json"],
        ["--format", "csv", "--lang", "zh-TW", "--select", "BSC2"],
    ):
        embedded = runner.invoke(main, ["audit", str(SEEDS), *options])
        on_server = runner.invoke(main, ["neo4j", "audit", *options], env=cli_env)
        assert (on_server.exit_code, on_server.stdout) == (embedded.exit_code, embedded.stdout)
    one = runner.invoke(
        main, ["neo4j", "audit", "--plan", FIRE_108, "--format", "json"], env=cli_env
    )
    plans = {f["plan"] for f in json.loads(one.stdout)["findings"]}
    assert plans == {FIRE_108}


def test_cli_says_what_went_wrong_in_one_line(cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["neo4j", "audit", "--plan", "nowhere@1"], env=cli_env)
    assert (unknown.exit_code, unknown.stderr) == (
        2,
        "bscalign: error: no plan 'nowhere@1' in the database\n",
    )
    with proxy(cli_env["NEO4J_URI"], cut_after=0) as relay:
        refused = runner.invoke(main, ["neo4j", "audit"], env={**cli_env, "NEO4J_URI": relay.uri})
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"bscalign: error: Neo4j at {relay.uri}: ")
    assert refused.stderr.count("\n") == 1
