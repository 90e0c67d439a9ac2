"""`bscalign neo4j push` and `neo4j audit` against a real Bolt server (ArcadeDB).

A push stores exactly the loaded graph, twice is the same as once, ``--replace`` touches
only the plans pushed, tricky names round-trip unchanged, and a push whose connection is
cut halfway leaves no half-written plan for the audit to see.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
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
from bscalign.graph.build import PlanGraphBuilder
from bscalign.graph.causality import infer_causes
from bscalign.loaders import read_plans
from bscalign.neo4j_store import (
    CREATE_NODES,
    MERGE_NODES,
    PushError,
    audit_on_server,
    open_driver,
    plan_batches,
    plan_rows,
    push,
    stored_plans,
)
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


def _part(graph: nx.MultiDiGraph, plans: list[str]) -> nx.MultiDiGraph:
    """The subgraph of ``plans`` with their organizations: what a push of them alone stores."""
    kept = [n for n, d in graph.nodes(data=True) if d.get("plan", d.get("id")) in plans]
    kept += [o for n in kept for o in graph.predecessors(n) if o.startswith(s.ORGANIZATION)]
    part = nx.MultiDiGraph(graph.subgraph(kept))
    return part


def test_push_cut_at_any_point_leaves_whole_batches_and_completes_when_run_again(
    bolt_server: Any, neo4j_driver: neo4j.Driver, empty_database: str
) -> None:
    graph = read_plans([SEEDS]).graph
    infer_causes(graph)  # a push stores the inferred edges too (loading no longer infers)
    rows = plan_rows(copy.deepcopy(graph), s.DEFAULT_CAUSAL_ORDER)
    order = ["臺北市政府@108", "臺北市政府@111", "臺北市政府兵役局@111", FIRE_108]
    # two plans in the first transaction, the others after it
    batch_size = rows[order[0]].node_count + rows[order[1]].node_count
    batches = [[r.plan for r in b] for b in plan_batches([rows[p] for p in order], batch_size)]
    assert len(batches) >= 2 and len(batches[0]) == 2

    def proxied_push(relay: Any, committed: list[tuple[str, int]]) -> None:
        # no retries: the cut must end the push (a real push retries transient failures)
        options = {"auth": (bolt_server.user, bolt_server.password)}
        with neo4j.GraphDatabase.driver(relay.uri, max_transaction_retry_time=0, **options) as d:
            push(
                d,
                read_plans([SEEDS]).graph,
                database=empty_database,
                batch_size=batch_size,
                on_plan=lambda done: committed.append((done.plan, relay.sent)),
            )

    whole: list[tuple[str, int]] = []
    with proxy(bolt_server.uri) as relay:
        proxied_push(relay, whole)
    total = relay.sent
    assert [plan for plan, _ in whole] == [plan for batch in batches for plan in batch]
    for eighth in range(1, 8):  # cut the connection at seven points through the push
        neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=empty_database)
        cut: list[tuple[str, int]] = []
        with proxy(bolt_server.uri, cut_after=total * eighth // 8) as relay:
            with pytest.raises((neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError)):
                proxied_push(relay, cut)
            assert relay.cut
        committed = [plan for plan, _ in cut]
        # only whole batches of plans are stored, and each plan in them wholly
        assert committed in [[p for b in batches[:n] for p in b] for n in range(len(batches))]
        assert stored_plans(neo4j_driver, empty_database) == sorted(committed)
        assert stored_facts(neo4j_driver, empty_database) == loaded_facts(_part(graph, committed))
    # what the audit sees is the committed plans, whole
    on_server = audit_on_server(neo4j_driver, RULES, database=empty_database)
    assert _findings(on_server) == _findings(audit(_part(graph, committed)))

    push(neo4j_driver, graph, database=empty_database)
    assert stored_facts(neo4j_driver, empty_database) == loaded_facts(graph)
    on_server = audit_on_server(neo4j_driver, RULES, database=empty_database)
    assert _findings(on_server) == _findings(audit(graph))


def test_a_push_that_writes_nothing_deletes_nothing(
    neo4j_driver: neo4j.Driver,
    empty_database: str,
    seeds_graph: nx.MultiDiGraph,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # once `neo4j push --replace --batch-size 0` deleted every pushed plan, wrote nothing
    # and exited 0: the size is refused now, before anything is sent
    push(neo4j_driver, seeds_graph, database=empty_database)
    before = snapshot(neo4j_driver, empty_database)
    runner = CliRunner()
    for size in ("0", "-5"):
        refused = runner.invoke(
            main, ["neo4j", "push", str(SEEDS), "--replace", "--batch-size", size], env=cli_env
        )
        assert refused.exit_code == 2, refused.output
        assert "Invalid value for '--batch-size'" in refused.stderr
        assert refused.exception is None or isinstance(refused.exception, SystemExit)
    with pytest.raises(ValueError, match="at least 1"):
        push(neo4j_driver, read_plans([SEEDS]).graph, database=empty_database, batch_size=0)
    assert snapshot(neo4j_driver, empty_database) == before
    # and a replacing transaction that writes less than it should is rolled back whole,
    # stale items included: here the server is made to write no KPI at all
    monkeypatch.setitem(
        MERGE_NODES, s.KPI, "UNWIND $rows AS row WITH row WHERE false RETURN count(*) AS written"
    )
    with pytest.raises(PushError, match="wrote 0 of"):
        push(neo4j_driver, read_plans([SEEDS]).graph, database=empty_database, replace=True)
    assert snapshot(neo4j_driver, empty_database) == before


def test_a_new_plan_written_short_is_not_stored(
    neo4j_driver: neo4j.Driver,
    empty_database: str,
    seeds_graph: nx.MultiDiGraph,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # plans the database does not hold are created, each item with its links and
    # occurrences: here the server is made to create the KPIs without their occurrences,
    # and the transaction, every plan in one batch, is rolled back whole
    monkeypatch.setitem(CREATE_NODES, s.KPI, "UNWIND $rows AS row CREATE (n:KPI) SET n = row.props")
    with pytest.raises(PushError, match=r"created \d+ of \d+ nodes"):
        push(neo4j_driver, seeds_graph, database=empty_database, batch_size=10**6)
    assert snapshot(neo4j_driver, empty_database) == []


def test_concurrent_pushes_converge_to_the_one_push_graph(
    bolt_server: Any, neo4j_driver: neo4j.Driver, empty_database: str
) -> None:
    push(neo4j_driver, read_plans([SEEDS]).graph, database=empty_database)
    once = snapshot(neo4j_driver, empty_database)
    auth = (bolt_server.user, bolt_server.password)

    def one_push(start: threading.Barrier, replace: bool, failures: list[BaseException]) -> None:
        try:
            with open_driver(bolt_server.uri, auth) as driver:
                graph = read_plans([SEEDS]).graph
                start.wait()
                push(driver, graph, database=empty_database, replace=replace)
        except BaseException as error:
            failures.append(error)

    for run in range(4):  # the race is lost in some runs only; half of them --replace
        neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=empty_database)
        start, failures = threading.Barrier(2), []
        pushes = [
            threading.Thread(target=one_push, args=(start, run % 2 == 1, failures))
            for _ in range(2)
        ]
        for thread in pushes:
            thread.start()
        for thread in pushes:
            thread.join()
        assert not failures, failures
        assert snapshot(neo4j_driver, empty_database) == once


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


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``bscalign`` in a process of its own, stopped by force if it ever hangs."""
    return subprocess.run(
        [sys.executable, "-m", "bscalign", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_server_that_stops_answering_ends_the_push_with_one_line(
    cli_env: dict[str, str],
) -> None:
    # a SIGSTOPped server keeps its connections open and never answers: once the push hung
    # for minutes without a word
    for stall_after in (0, 3000):  # while connecting, then mid-push
        with proxy(cli_env["NEO4J_URI"], cut_after=stall_after, stall=True) as relay:
            env = {**cli_env, "NEO4J_URI": relay.uri}
            stalled = _cli(env, "neo4j", "push", str(SEEDS), "--timeout", "3")
            assert relay.cut
        assert stalled.returncode == 2, stalled.stderr
        lines = stalled.stderr.splitlines()
        assert lines[-1].startswith(f"bscalign: error: Neo4j at {relay.uri}: ")
        assert [line for line in lines if not line.startswith("pushed ")] == lines[-1:]
        assert "Traceback" not in stalled.stderr


def test_a_server_gone_mid_push_ends_it_with_one_line(cli_env: dict[str, str]) -> None:
    # once ~33 s of the driver's retry warnings came before the error
    with proxy(cli_env["NEO4J_URI"], cut_after=3000) as relay:
        gone = _cli({**cli_env, "NEO4J_URI": relay.uri}, "neo4j", "push", str(SEEDS))
        assert relay.cut
    assert gone.returncode == 2
    assert gone.stderr.startswith(f"bscalign: error: Neo4j at {relay.uri}: ")
    assert gone.stderr.count("\n") == 1


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "bolt://127.0.0.1:notaport", "bolt://"])
def test_an_address_the_driver_cannot_use_is_a_usage_error(uri: str) -> None:
    refused = CliRunner().invoke(main, ["neo4j", "push", str(SEEDS), "--uri", uri])
    assert refused.exit_code == 2
    assert "Invalid value for '--uri'" in refused.stderr
    assert isinstance(refused.exception, SystemExit)


def test_a_batch_larger_than_one_bolt_message_is_written_in_parts(
    neo4j_driver: neo4j.Driver, empty_database: str
) -> None:
    # ArcadeDB drops a Bolt message over 16 MB (and the client waits): at 8,800 scorecards a
    # statement of one batch's rows outgrew it. Here one plan's objectives alone are ~18 MB
    # of UTF-8 (each name twice: on the node and on its occurrence)
    builder = PlanGraphBuilder()
    plan = builder.add_plan("臺北市政府大字局", "111", s.AGENCY, city="臺北市政府")
    for number in range(1, 1001):
        name = f"{number}" + "長" * 3_000
        builder.add_objective(plan, f"AC{number}", name, source=f"big.yaml:{number}", place="yaml")
    graph = builder.graph
    pushed = push(neo4j_driver, graph, database=empty_database, timeout=60)
    assert [p.plan for p in pushed] == [plan]
    assert stored_facts(neo4j_driver, empty_database) == loaded_facts(graph)
    # again: the plan is stored, so its rows go through MERGE this time
    push(neo4j_driver, graph, database=empty_database, timeout=60)
    assert stored_facts(neo4j_driver, empty_database) == loaded_facts(graph)
