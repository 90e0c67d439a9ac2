"""What the Neo4j tests share: reading the stored graph back, tricky names, a cuttable link.

``stored_facts`` turns what a server holds back into :func:`facts.graph_facts` form, so a
push can be compared with the graph it came from; ``BoltProxy`` relays Bolt traffic and can
drop every connection once a number of bytes has gone through, like a network that fails,
or stop relaying while keeping connections open, like a server that stops answering.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import networkx as nx
import yaml
from facts import graph_facts

from bscalign.graph import schema as s
from bscalign.graph.build import PlanGraphBuilder, resolve_links
from bscalign.graph.fields import DECLARED_COLUMNS as DECLARED
from bscalign.loaders.yamlplans import parse_yaml_plans

if TYPE_CHECKING:
    import neo4j

#: Properties that push derives or that say where something was read (not compared).
NOT_FACTS = {"name_key", "name_keys", "name_grams", "city_plan", "causal_order", "source"}
NOT_FACTS |= {"sources", "suppress_rules", "suppress_reasons", *DECLARED}

#: Names and codes a Cypher text built by string concatenation would choke on.
TRICKY = "a'b\"c`d`{e}[f] \\n \\' MATCH (n) DETACH DELETE n; RETURN $plan // /* */ ${x} `}"
TRICKY_PLANS: list[dict[str, Any]] = [
    {
        "organization": "市府'`{}` MATCH (n) DETACH DELETE n //",
        "year": "111",
        "level": "city",
        "themes": [{"code": "G", "name": TRICKY, "members": ["局'`}"]}],
        "objectives": [
            {"code": "GC2", "name": f"營造安全環境 {TRICKY}"},
            {"code": "GP6", "name": "優化緊急救護及防災應變機制"},
        ],
    },
    {
        "organization": "局'`}",
        "year": "111",
        "city": "市府'`{}` MATCH (n) DETACH DELETE n //",
        "declared": {"objectives": 5},
        "objectives": [
            {"code": "GC1", "name": TRICKY, "aligns_to": [{"code": "GC2", "name": TRICKY}]},
            {"code": "GP1", "name": "防災'}", "aligns_to": ["G`}2 $plan {}"]},
            {"code": "G'L1", "name": "{name: 'x'}", "also_named": ["{name:\n'x'}", "`x`"]},
            {
                "code": "GF1",
                "name": "RETURN 1 //",
                "suppress": [{"rule": "objective-without-kpi", "reason": TRICKY}],
            },
        ],
        "kpis": [
            {"code": "GC1.1", "name": '"quoted"', "objective": "GC1", "city_kpi_refs": ["GP6.9"]},
            {"code": "GP1.1", "name": "}{", "objective": "GC1"},
        ],
        "action_plans": [{"code": "GC1.1.1", "name": "`DETACH DELETE`", "supports": ["GC1.1"]}],
    },
]


def yaml_graph(plans: list[dict[str, Any]], file: str = "plans.yaml") -> nx.MultiDiGraph:
    """``plans`` (bscalign YAML plan entries) loaded as a graph; no load problems allowed."""
    builder = PlanGraphBuilder()
    document = yaml.safe_dump({"bscalign": 1, "plans": plans}, allow_unicode=True)
    problems = parse_yaml_plans(document, file, builder)
    assert not problems, [str(p) for p in problems]
    return resolve_links(builder.graph)


def comparable(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts without empty values: a store keeps no None, and empty lists say nothing."""
    nodes = {
        nid: {k: v for k, v in fact.items() if v not in (None, (), [], {})}
        for nid, fact in facts["nodes"].items()
    }
    return {"nodes": nodes, "edges": facts["edges"]}


def stored_facts(driver: neo4j.Driver, database: str) -> dict[str, Any]:
    """What the server holds, in :func:`facts.graph_facts` form (see :func:`comparable`)."""
    graph = nx.MultiDiGraph()
    records, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_=database
    )
    for record in records:
        (label,) = record["labels"]
        if label not in s.NODE_KINDS:
            continue
        props = record["props"]
        if label == s.PLAN:
            nid = s.plan_node_id(props["id"])
        elif label == s.ORGANIZATION:
            nid = s.organization_node_id(props["name"])
        else:
            nid = props.pop("id")
        fact = {k: v for k, v in props.items() if k not in NOT_FACTS}
        declared = {key.removeprefix("declared_"): props[key] for key in DECLARED if key in props}
        rules, reasons = props.get("suppress_rules", []), props.get("suppress_reasons", [])
        suppress = [{"rule": r, "reason": why} for r, why in zip(rules, reasons, strict=True)]
        graph.add_node(nid, kind=label, declared=declared, suppress=suppress, **fact)
    links, _, _ = driver.execute_query(
        f"MATCH (n)-[:{s.HAS_UPWARD_LINK}]->(link) "
        "RETURN n.id AS owner, link.code AS code, link.name AS name ORDER BY link.position",
        database_=database,
    )
    for link in links:
        graph.nodes[link["owner"]].setdefault("links", []).append(dict(link))
    relationships, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS a, type(r) AS type, labels(b)[0] AS b, "
        "coalesce(a.id, a.name) AS u, coalesce(b.id, b.name) AS v, properties(r) AS props",
        database_=database,
    )
    for r in relationships:
        if r["type"] in s.EDGE_KINDS:
            u, v = (_node_id(label, key) for label, key in ((r["a"], r["u"]), (r["b"], r["v"])))
            graph.add_edge(u, v, key=r["type"], kind=r["type"], **r["props"])
    return comparable(graph_facts(graph))


def _node_id(label: str, key: str) -> str:
    if label == s.PLAN:
        return s.plan_node_id(key)
    return s.organization_node_id(key) if label == s.ORGANIZATION else key


def loaded_facts(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The facts of a loaded graph, as :func:`stored_facts` gives them back."""
    return comparable(graph_facts(graph))


def snapshot(driver: neo4j.Driver, database: str) -> list[Any]:
    """Every node and relationship with all its properties, sorted (for exact comparison)."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_=database
    )
    relationships, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN properties(a) AS a, type(r) AS type, properties(b) AS b, "
        "properties(r) AS props",
        database_=database,
    )
    return sorted(repr(sorted(record.data().items())) for record in (*nodes, *relationships))


class BoltProxy:
    """Relay TCP traffic to a server; after ``cut_after`` bytes from the client, drop it all.

    Once cut, every open connection is shut and new ones are closed as soon as they come;
    with ``stall`` they are instead kept open and nothing more is relayed either way (what
    a client sees of a server that was sent SIGSTOP). ``sent`` counts the bytes relayed
    from clients to the server.
    """

    def __init__(self, target: str, cut_after: int | None = None, stall: bool = False) -> None:
        host, port = target.removeprefix("bolt://").rsplit(":", 1)
        self.target = (host, int(port))
        self.cut_after = cut_after
        self.stall = stall
        self.sent = 0
        self.cut = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.uri = f"bolt://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()
        self._drop()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.cut:
                if self.stall:
                    with self._lock:
                        self._sockets.append(client)  # open, never answered
                else:
                    client.close()
                continue
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if from_client:
                    with self._lock:
                        if self.cut_after is not None and self.sent + len(data) > self.cut_after:
                            self.cut = True
                        else:
                            self.sent += len(data)
                    if self.cut and self.stall:
                        return
                    if self.cut:
                        self._drop()
                        return
                elif self.cut and self.stall:
                    return
                sink.sendall(data)
        if self.cut and self.stall:
            return  # leave the connection hanging open
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _drop(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@contextlib.contextmanager
def proxy(target: str, cut_after: int | None = None, stall: bool = False) -> Iterator[BoltProxy]:
    """A :class:`BoltProxy` for the duration of the ``with`` block."""
    relay = BoltProxy(target, cut_after, stall)
    try:
        yield relay
    finally:
        relay.close()
