"""Put the plan graph in Neo4j and run the audit's Cypher twins there.

The graph keeps its networkx shape (labels and relationship types are the node and edge
kinds of :mod:`bscalign.graph.schema`), with three changes Neo4j needs, all documented in
the README section "Neo4j":

* what networkx keeps as lists of dicts becomes nodes: one ``UpwardLink`` per upward link
  as written, one ``Occurrence`` per place a code is written; ``declared`` totals become
  ``declared_<what>`` properties and ``suppress`` entries two parallel lists;
* derived properties that Cypher cannot compute are written beside the names: ``name_key``
  (the name as rules compare it: :func:`bscalign.loaders.textnorm.clean_name`) and
  ``name_grams`` (its character n-grams, for the suggestions' name similarity);
* derived relationships are written as the embedded engine derives them: inferred
  ``CAUSES`` edges (``inferred: true``) along the push's causal order, and ``ALIGNS_TO`` /
  ``REFERENCES`` resolved on the server against every city plan stored there.

Several whole plans are written per transaction (one ``UNWIND $rows ... CREATE`` per label
and relationship type for plans the database does not hold yet, ``MERGE`` for the others),
so a push cut at any point leaves every plan either wholly there or not there at all, and
running it again completes it. A transaction deletes only what it
has just replaced, after writing it, and only commits if every row was written. No Cypher
text is built from user data: every statement below is made from the schema's constants
when this module is imported, and values travel as parameters.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import COUNT_KEYS, plans
from bscalign.graph.build import named_city_plan
from bscalign.graph.causality import infer_causes
from bscalign.graph.fields import FIELDS, neo4j_properties
from bscalign.loaders.textnorm import clean_name
from bscalign.queries.base import Finding, Rule
from bscalign.queries.engine import AuditResult, run_rules
from bscalign.queries.similarity import grams

if TYPE_CHECKING:
    import neo4j

# -- the stored shape ------------------------------------------------------------------

#: Every property each label carries in Neo4j (absent where the value is None).
PROPERTIES: dict[str, tuple[str, ...]] = {label: neo4j_properties(label) for label in FIELDS}
RELATIONSHIP_PROPERTIES: dict[str, tuple[str, ...]] = {kind: ("source",) for kind in s.EDGE_KINDS}
RELATIONSHIP_PROPERTIES |= {
    s.ALIGNS_TO: ("code", "name", "source"),
    s.CAUSES: ("inferred", "drawn", "source"),
    s.MEMBER_OF: ("lead", "source"),
}
#: The node attributes of the networkx graph that are not stored as such: flattened
#: (``declared``, ``suppress``), turned into nodes (``links``, ``occurrences``), the label
#: (``kind``), or the builder's bookkeeping (``name_rank``).
NOT_STORED_AS_SUCH = ("kind", "declared", "suppress", "links", "occurrences", "name_rank")
#: The property a node is merged on (unique per label): the networkx node id, except for
#: plans (their id, e.g. ``臺北市政府@108``) and organizations (their name).
NODE_KEY: dict[str, str] = {label: "id" for label in PROPERTIES} | {s.ORGANIZATION: "name"}
#: The relationships push writes, as (from label, type, to label). ALIGNS_TO and REFERENCES
#: are not among them: they are resolved on the server (see RESOLVE).
WRITTEN_RELATIONSHIPS: tuple[tuple[str, str, str], ...] = (
    (s.ORGANIZATION, s.HAS_PLAN, s.PLAN),
    (s.ORGANIZATION, s.MEMBER_OF, s.THEME),
    (s.OBJECTIVE, s.IN_THEME, s.THEME),
    (s.KPI, s.MEASURES, s.OBJECTIVE),
    (s.ACTION_PLAN, s.SUPPORTS, s.KPI),
    (s.OBJECTIVE, s.CAUSES, s.OBJECTIVE),
    (s.OBJECTIVE, s.HAS_UPWARD_LINK, s.UPWARD_LINK),
    (s.THEME, s.HAS_UPWARD_LINK, s.UPWARD_LINK),
    *((kind, s.HAS_OCCURRENCE, s.OCCURRENCE) for kind in s.CODED_KINDS),
)
RESOLVED_RELATIONSHIPS = (s.ALIGNS_TO, s.REFERENCES)
#: Labels whose nodes belong to one plan (a ``plan`` property).
PLAN_LABELS = (*s.CODED_KINDS, s.UPWARD_LINK, s.OCCURRENCE)
#: Parameters the rules' Cypher files take, with the value ``bscalign neo4j audit`` gives
#: when not told otherwise (``plan``: null, every plan).
RULE_PARAMETERS: dict[str, Any] = {"plan": None}


def counted_grams(name: str) -> list[str]:
    """The n-grams of :func:`~bscalign.queries.similarity.grams`, each repeat numbered.

    Numbering makes a multiset a set, so Cypher gets the shared n-grams of two names as the
    size of a list intersection: ``size([g IN a.name_grams WHERE g IN b.name_grams])``.

    Examples
    --------
    >>> counted_grams("安全安全")
    ['全#1', '全#2', '全安#1', '安#1', '安#2', '安全#1', '安全#2']
    """
    return sorted(f"{gram}#{n}" for gram, count in grams(name).items() for n in range(1, count + 1))


#: How the derived and flattened properties are computed from a node's attributes (``clean``
#: and ``grams`` are :func:`clean_name` and :func:`counted_grams`, remembered per push: the
#: same names recur in items, occurrences and links).
_DERIVED: dict[str, Callable[[dict[str, Any], Callable, Callable], Any]] = {
    "name_key": lambda r, clean, grams: clean(r["name"]),
    "name_keys": lambda r, clean, grams: [clean(n) for n in r["names"]],
    "name_grams": lambda r, clean, grams: grams(r["name"]),
    "suppress_rules": lambda r, clean, grams: [x["rule"] for x in r["suppress"]],
    "suppress_reasons": lambda r, clean, grams: [x["reason"] for x in r["suppress"]],
    "city_plan": lambda r, clean, grams: named_city_plan(r),
    **{
        f"declared_{what}": (lambda r, clean, grams, what=what: r.get("declared", {}).get(what))
        for what in COUNT_KEYS.values()
    },
}


def _property_makers() -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """Per label, a function from a node's attributes to its stored properties (no None).

    The functions share a memory of cleaned names and n-grams: the same names recur in
    items, their occurrences and links.
    """
    clean = functools.lru_cache(maxsize=1 << 16)(clean_name)
    gram_list = functools.lru_cache(maxsize=1 << 16)(counted_grams)

    def maker(label: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        steps = tuple((key, _DERIVED.get(key)) for key in PROPERTIES[label])

        def properties(record: dict[str, Any]) -> dict[str, Any]:
            # in PROPERTIES order, as CREATE writes them: a server keeps the order it is given
            values = {
                key: record.get(key) if make is None else make(record, clean, gram_list)
                for key, make in steps
            }
            return {key: value for key, value in values.items() if value is not None}

        return properties

    return {label: maker(label) for label in PROPERTIES}


# -- statements (made from the schema's constants only) -------------------------------------

CONSTRAINTS = tuple(
    f"CREATE CONSTRAINT bscalign_{label.lower()}_{key} IF NOT EXISTS "
    f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
    for label, key in NODE_KEY.items()
)
INDEXES = (
    *(
        f"CREATE INDEX bscalign_{label.lower()}_plan IF NOT EXISTS FOR (n:{label}) ON (n.plan)"
        for label in PLAN_LABELS
    ),
    f"CREATE INDEX bscalign_plan_city_plan IF NOT EXISTS FOR (n:{s.PLAN}) ON (n.city_plan)",
)
WRITTEN = "RETURN count(*) AS written"
MERGE_NODES = {
    label: f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.key}}) "
    + ("SET n += row.props " if label == s.ORGANIZATION else "SET n = row.props ")
    + WRITTEN
    for label, key in NODE_KEY.items()
}


def _relationship_statement(verb: str, triple: tuple[str, str, str]) -> str:
    a, rel, b = triple
    return (
        f"UNWIND $rows AS row "
        f"MATCH (a:{a} {{{NODE_KEY[a]}: row.from}}) MATCH (b:{b} {{{NODE_KEY[b]}: row.to}}) "
        f"{verb} (a)-[r:{rel}]->(b) SET r = row.props"
    )


MERGE_RELATIONSHIPS = {
    triple: f"{_relationship_statement('MERGE', triple)} {WRITTEN}"
    for triple in WRITTEN_RELATIONSHIPS
}
#: The links and occurrences of a coded item, stored as nodes of their own: (label,
#: relationship from the item, the item's row field that lists their properties, the word
#: of their ids: a child's id is its owner's id, that word and its position).
CHILDREN = (
    (s.UPWARD_LINK, s.HAS_UPWARD_LINK, "links", "link"),
    (s.OCCURRENCE, s.HAS_OCCURRENCE, "occurrences", "occurrence"),
)
#: The plans among ``$plans`` that the database holds.
STORED_AMONG = f"UNWIND $plans AS id MATCH (p:{s.PLAN} {{id: id}}) RETURN p.id AS id"
# A plan the database does not hold yet is written with CREATE, each item with its links
# and occurrences in the same row: far cheaper than MERGE, which must look every node and
# relationship up first. The plan's node is unique, so a concurrent push that creates the
# same plan fails on commit and is retried, finding it stored (see _commit).
#: Nodes of plans not stored yet, coded items with their children.
CREATE_NODES = {
    label: f"UNWIND $rows AS row CREATE (n:{label}) SET n = row.props"
    + "".join(
        f" FOREACH (child IN row.{field} | CREATE (n)-[:{rel}]->(c:{child}) SET c = child)"
        for child, rel, field, _ in CHILDREN
        if label in s.CODED_KINDS
    )
    for label in (s.PLAN, *s.CODED_KINDS)
}
CHILD_RELATIONSHIPS = tuple(rel for _, rel, _, _ in CHILDREN)
#: Relationships of plans not stored yet (organizations are merged: plans share them).
CREATE_RELATIONSHIPS = {
    triple: _relationship_statement("CREATE", triple)
    for triple in WRITTEN_RELATIONSHIPS
    if triple[1] not in CHILD_RELATIONSHIPS
}

# Everything below deletes only what the same transaction has just written anew, and only
# after writing it: ``row.keep`` lists what is current, whatever else is stale.

#: A written item's links and occurrences that it no longer has (the others were just
#: overwritten in place: a child's id is its owner's id and its position).
SWEEP_CHILDREN = {
    label: f"UNWIND $rows AS row MATCH (n:{label} {{id: row.key}})"
    f"-[:{s.HAS_UPWARD_LINK}|{s.HAS_OCCURRENCE}]->(child) "
    "WHERE NOT child.id IN row.keep DETACH DELETE child"
    for label in s.CODED_KINDS
}
#: Inferred cause-effect edges of a written objective that the push no longer infers.
SWEEP_INFERRED_CAUSES = (
    f"UNWIND $rows AS row MATCH (a:{s.OBJECTIVE} {{id: row.key}})"
    f"-[r:{s.CAUSES} {{inferred: true}}]->(b:{s.OBJECTIVE}) WHERE NOT b.id IN row.keep DELETE r"
)
#: --replace: a pushed plan's items that are no longer in it, with their links and
#: occurrences (organizations stay: other plans share them).
SWEEP_PLAN_ITEMS = {
    label: (
        f"UNWIND $rows AS row MATCH (n:{label} {{plan: row.key}})"
        f"-[:{s.HAS_UPWARD_LINK}|{s.HAS_OCCURRENCE}]->(child) "
        "WHERE NOT n.id IN row.keep DETACH DELETE child",
        f"UNWIND $rows AS row MATCH (n:{label} {{plan: row.key}}) "
        "WHERE NOT n.id IN row.keep DETACH DELETE n",
    )
    for label in s.CODED_KINDS
}


def _owner_is_target(triple: tuple[str, str, str]) -> bool:
    """Relationships from an organization belong to the plan's node they point to."""
    return triple[0] == s.ORGANIZATION


#: --replace: a pushed plan's relationships that are no longer in it, per written kind,
#: found from the side that belongs to the plan.
SWEEP_RELATIONSHIPS = {
    (a, rel, b): (
        f"UNWIND $rows AS row MATCH (a:{a})-[r:{rel}]->(b:{b} {{{NODE_KEY[b]}: row.key}}) "
        f"WHERE NOT a.{NODE_KEY[a]} IN row.keep DELETE r"
        if _owner_is_target((a, rel, b))
        else f"UNWIND $rows AS row MATCH (a:{a} {{{NODE_KEY[a]}: row.key}})-[r:{rel}]->(b:{b}) "
        f"WHERE NOT b.{NODE_KEY[b]} IN row.keep DELETE r"
    )
    for a, rel, b in WRITTEN_RELATIONSHIPS
    if rel not in CHILD_RELATIONSHIPS
}
#: The stored agency plans that answer to the city plans pushed (their links are joined
#: to them anew).
ANSWERING_AGENCIES = (
    f"MATCH (agency:{s.PLAN}) WHERE agency.city_plan IN $plans RETURN agency.id AS id"
)


def _resolve(verb: str) -> tuple[str, str]:
    """Join upward links and city-KPI references of the agency plans in ``$plans`` to the
    city plan of the same year, the way :func:`bscalign.graph.build.resolve_links` joins
    them in memory, with ``verb`` (MERGE; CREATE for plans this transaction created).

    An item that names the same city objective (or KPI) twice is joined once, carrying the
    last link as written, as :func:`bscalign.graph.build.resolve_links` does. Targets are
    found by id (``<city plan>:<label>:<code>``, :func:`bscalign.graph.schema.node_id`): the
    unique index answers that at once, where a match on ``plan`` and ``code`` scans.
    """
    agency = f"UNWIND $plans AS id MATCH (agency:{s.PLAN} {{id: id}}) "

    def target(label: str, code: str) -> str:
        infix = s.node_id(label, "", "")  # ':Objective:'
        return f"MATCH (target:{label} {{id: agency.city_plan + '{infix}' + {code}}}) "

    return (
        agency
        + f"MATCH (link:{s.UPWARD_LINK} {{plan: agency.id}})<-[:{s.HAS_UPWARD_LINK}]-(n) "
        + target(s.OBJECTIVE, "link.code")
        + "WITH n, target, link ORDER BY link.position "
        "WITH n, target, collect(link)[-1] AS link "
        f"{verb} (n)-[r:{s.ALIGNS_TO}]->(target) "
        "SET r.code = link.code, r.name = link.name, r.source = link.source",
        agency
        + f"MATCH (kpi:{s.KPI} {{plan: agency.id}}) UNWIND kpi.city_kpi_refs AS ref "
        + target(s.KPI, "ref")
        + f"WITH DISTINCT kpi, target {verb} (kpi)-[r:{s.REFERENCES}]->(target) "
        "SET r.source = kpi.source",
    )


RESOLVE = _resolve("MERGE")
RESOLVE_CREATED = _resolve("CREATE")
#: Joins of the plans in ``$plans`` that no longer hold: the link or reference is gone, or
#: the plan now answers to another city plan (or to none).
SWEEP_RESOLVED = (
    *(
        f"UNWIND $plans AS id MATCH (agency:{s.PLAN} {{id: id}}) "
        f"MATCH (n:{label} {{plan: id}})-[r:{s.ALIGNS_TO}]->(target:{s.OBJECTIVE}) "
        "WHERE agency.city_plan IS NULL OR target.plan <> agency.city_plan OR NOT EXISTS { "
        f"MATCH (n)-[:{s.HAS_UPWARD_LINK}]->(link:{s.UPWARD_LINK}) "
        "WHERE link.code = target.code } DELETE r"
        for label in (s.OBJECTIVE, s.THEME)
    ),
    f"UNWIND $plans AS id MATCH (agency:{s.PLAN} {{id: id}}) "
    f"MATCH (kpi:{s.KPI} {{plan: id}})-[r:{s.REFERENCES}]->(target:{s.KPI}) "
    "WHERE agency.city_plan IS NULL OR target.plan <> agency.city_plan "
    "OR NOT target.code IN coalesce(kpi.city_kpi_refs, []) DELETE r",
)
INFERRED_CAUSES = (
    f"MATCH (o:{s.OBJECTIVE})-[r:{s.CAUSES} {{inferred: true}}]->(:{s.OBJECTIVE}) "
    "WHERE $plan IS NULL OR o.plan = $plan RETURN count(r) AS inferred"
)


STORED_PLANS = f"MATCH (p:{s.PLAN}) RETURN p.id AS id ORDER BY id"


def statements() -> list[str]:
    """Every Cypher statement push and the audit run besides the rules' files (for linting)."""
    return [
        *CONSTRAINTS,
        *INDEXES,
        *MERGE_NODES.values(),
        *MERGE_RELATIONSHIPS.values(),
        STORED_AMONG,
        *CREATE_NODES.values(),
        *CREATE_RELATIONSHIPS.values(),
        *SWEEP_CHILDREN.values(),
        SWEEP_INFERRED_CAUSES,
        *(statement for pair in SWEEP_PLAN_ITEMS.values() for statement in pair),
        *SWEEP_RELATIONSHIPS.values(),
        ANSWERING_AGENCIES,
        *RESOLVE,
        *RESOLVE_CREATED,
        *SWEEP_RESOLVED,
        INFERRED_CAUSES,
        STORED_PLANS,
    ]


# -- rows --------------------------------------------------------------------------------


@dataclass
class PlanRows:
    """What one plan's push writes: node rows per label, relationship rows per kind.

    A node row holds the node's ``props``; a coded item's row also lists the properties of
    its ``links`` and ``occurrences`` (see :data:`CHILDREN`), which are written with it.
    ``relationships`` holds the others: ``from`` and ``to`` keys and ``props``.
    """

    plan: str
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    relationships: dict[tuple[str, str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    #: How many links and occurrences the rows of ``nodes`` list.
    children: int = 0

    @property
    def node_count(self) -> int:
        return sum(map(len, self.nodes.values())) + self.children

    @property
    def relationship_count(self) -> int:
        return sum(map(len, self.relationships.values())) + self.children

    def flat(self) -> tuple[dict[str, list[dict[str, Any]]], dict[tuple, list[dict[str, Any]]]]:
        """Every node row (keyed by :data:`NODE_KEY`, children as nodes) and relationship row.

        Examples
        --------
        >>> rows = PlanRows("p@1")
        >>> theme = {"props": {"id": "t"}, "links": [], "occurrences": [{"id": "o"}]}
        >>> rows.nodes["Theme"].append(theme)
        >>> nodes, relationships = rows.flat()
        >>> nodes["Occurrence"], relationships["Theme", "HAS_OCCURRENCE", "Occurrence"]
        ([{'key': 'o', 'props': {'id': 'o'}}], [{'from': 't', 'to': 'o', 'props': {}}])
        """
        nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
        relationships: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
        for label, node_rows in self.nodes.items():
            key = NODE_KEY[label]
            for row in node_rows:
                owner = row["props"][key]
                nodes[label].append({"key": owner, "props": row["props"]})
                for child, rel, items, _ in CHILDREN:
                    for props in row.get(items, ()):
                        nodes[child].append({"key": props["id"], "props": props})
                        relationships[label, rel, child].append(
                            {"from": owner, "to": props["id"], "props": {}}
                        )
        for triple, relationship_rows in self.relationships.items():
            relationships[triple] += relationship_rows
        return nodes, relationships


def _key(graph: nx.MultiDiGraph, nid: str) -> Any:
    data = graph.nodes[nid]
    return data[NODE_KEY[data["kind"]]] if data["kind"] in (s.PLAN, s.ORGANIZATION) else nid


def _plan_of(data: dict[str, Any]) -> str | None:
    return data["id"] if data["kind"] == s.PLAN else data.get("plan")


def plan_rows(graph: nx.MultiDiGraph, causal_order: str) -> dict[str, PlanRows]:
    """Return, per plan id, the rows that write that plan of ``graph``, in one pass.

    A plan owns its nodes, their upward links and occurrences, and the edges between its
    nodes (inferred ones included); the organizations it has or that are members of its
    themes come with the HAS_PLAN and MEMBER_OF edges. ALIGNS_TO and REFERENCES are left
    to the server, which joins them to the city plans it stores.

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("臺北市政府", "111", "city")
    >>> _ = b.add_objective(p, "GC2", "營造安全環境", source="x:1", place="map")
    >>> rows = plan_rows(b.graph, "FLPC")[p]
    >>> sorted(rows.nodes), rows.node_count, rows.relationship_count
    (['Objective', 'Organization', 'Plan', 'Theme'], 5, 3)
    """
    by_plan: dict[str, PlanRows] = {}
    properties = _property_makers()

    def rows_of(plan: str) -> PlanRows:
        rows = by_plan.get(plan)
        if rows is None:
            rows = by_plan[plan] = PlanRows(plan)
        return rows

    for nid, data in graph.nodes(data=True):
        kind = data["kind"]
        if kind == s.ORGANIZATION:
            continue  # written with the edges that tie it to a plan, below
        if kind == s.PLAN:
            record = {**data, "causal_order": causal_order}
            rows_of(data["id"]).nodes[kind].append({"props": properties[kind](record)})
            continue
        plan = data["plan"]
        rows = rows_of(plan)
        row = {"props": properties[kind]({**data, "id": nid})}
        for child, _, items, word in CHILDREN:
            made = properties[child]
            row[items] = [
                made({**item, "id": f"{nid}:{word}:{position}", "plan": plan, "position": position})
                for position, item in enumerate(data.get(items, ()))
            ]
            rows.children += len(row[items])
        rows.nodes[kind].append(row)
    organizations: dict[str, set[str]] = defaultdict(set)
    for u, v, rel, data in graph.edges(keys=True, data=True):
        if rel in RESOLVED_RELATIONSHIPS:
            continue
        a, b = graph.nodes[u], graph.nodes[v]
        plan = _plan_of(a) or _plan_of(b)
        props = {k: data[k] for k in RELATIONSHIP_PROPERTIES[rel] if k in data}
        row = {"from": _key(graph, u), "to": _key(graph, v), "props": props}
        rows_of(plan).relationships[a["kind"], rel, b["kind"]].append(row)
        if a["kind"] == s.ORGANIZATION:
            organizations[plan].add(u)
    for plan, members in organizations.items():
        for nid in sorted(members):
            props = properties[s.ORGANIZATION](graph.nodes[nid])
            rows_of(plan).nodes[s.ORGANIZATION].append({"props": props})
    return by_plan


# -- push --------------------------------------------------------------------------------

#: Nodes per transaction when not told otherwise: whole plans are grouped up to this many.
#: Measured on ArcadeDB at 100 scorecards: 4,000 beat one plan per transaction and 1,000;
#: 20,000 was slower (its MERGEs slow down as a transaction grows).
DEFAULT_BATCH_NODES = 4_000
#: Seconds to connect, and for each transaction, when not told otherwise.
DEFAULT_TIMEOUT = 60.0
#: Bytes of parameters one statement may carry, at most about: half the largest message
#: ArcadeDB's Bolt server takes (16 MB; it drops a larger one, and the client waits). A
#: transaction runs as many statements as its rows need.
MAX_STATEMENT_BYTES = 8 * 1024 * 1024
#: How long the driver retries a transaction that failed for a transient reason (deadlock,
#: leader switch, lost connection): long enough for a cluster to elect a leader, short
#: enough that a server that is gone is reported promptly.
TRANSIENT_RETRY_SECONDS = 5.0
#: How often a transaction that lost a race to write the same nodes is run.
CONFLICT_ATTEMPTS = 6
URI_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


class PushError(RuntimeError):
    """A push that could not complete; the transaction that failed wrote nothing."""


class IncompleteWrite(PushError):
    """The server wrote fewer rows than it was sent (the transaction is rolled back)."""


class PushTimeout(PushError):
    """The server did not finish a transaction in time (it may have stopped answering)."""


@dataclass(frozen=True)
class PushedPlan:
    """One plan written: how many nodes and relationships its rows held."""

    plan: str
    nodes: int
    relationships: int


def check_uri(uri: str) -> str:
    """Return ``uri`` if the Neo4j driver can use it; raise ValueError saying why not.

    Examples
    --------
    >>> check_uri("neo4j://localhost:7687")
    'neo4j://localhost:7687'
    >>> check_uri("bolt://127.0.0.1:notaport")
    Traceback (most recent call last):
    ...
    ValueError: the port of 'bolt://127.0.0.1:notaport' is not a number from 0 to 65535
    """
    parts = urlsplit(uri)
    if parts.scheme not in URI_SCHEMES:
        schemes = ", ".join(f"{scheme}://" for scheme in URI_SCHEMES)
        raise ValueError(f"{uri!r} is not a Neo4j address: it must start with one of {schemes}")
    if not parts.hostname:
        raise ValueError(f"{uri!r} names no host")
    try:
        parts.port  # noqa: B018 -- urlsplit checks the port only when asked for it
    except ValueError:
        raise ValueError(f"the port of {uri!r} is not a number from 0 to 65535") from None
    return uri


def open_driver(
    uri: str, auth: tuple[str, str] | None, *, timeout: float = DEFAULT_TIMEOUT
) -> neo4j.Driver:
    """A driver for ``uri`` that gives up connecting after ``timeout`` seconds.

    Transient failures are retried for :data:`TRANSIENT_RETRY_SECONDS`. Raises ValueError
    for an address the driver cannot use (see :func:`check_uri`).

    Examples
    --------
    >>> with open_driver("neo4j://localhost:7687", ("neo4j", "secret")) as driver:
    ...     pushed = push(driver, graph, timeout=60)  # doctest: +SKIP
    """
    import neo4j

    return neo4j.GraphDatabase.driver(
        check_uri(uri),
        auth=auth,
        connection_timeout=timeout,
        connection_acquisition_timeout=timeout,
        max_transaction_retry_time=TRANSIENT_RETRY_SECONDS,
    )


def ensure_schema(driver: neo4j.Driver, database: str | None = None) -> None:
    """Create the uniqueness constraints and plan indexes push relies on (if missing)."""
    with driver.session(database=database) as session:
        for statement in (*CONSTRAINTS, *INDEXES):
            session.run(statement).consume()


def plan_batches(rows: Iterable[PlanRows], batch_nodes: int) -> Iterator[list[PlanRows]]:
    """Group whole plans, in order, into batches of at most ``batch_nodes`` nodes each.

    A plan larger than ``batch_nodes`` is a batch of its own; a plan is never split.

    Examples
    --------
    >>> sizes = [PlanRows(p, nodes={"Plan": [{}] * n}) for p, n in zip("abcd", (3, 2, 9, 1))]
    >>> [[r.plan for r in batch] for batch in plan_batches(sizes, 5)]
    [['a', 'b'], ['c'], ['d']]
    """
    if batch_nodes < 1:
        raise ValueError(f"batch_nodes must be at least 1, not {batch_nodes}")
    batch: list[PlanRows] = []
    size = 0
    for plan in rows:
        if batch and size + plan.node_count > batch_nodes:
            yield batch
            batch, size = [], 0
        batch.append(plan)
        size += plan.node_count
    if batch:
        yield batch


def _kept(owners: list[dict[str, Any]], links: Iterable[dict[str, Any]], owner: str) -> list:
    """One row per owner: its key and the keys at the other end of its ``links``."""
    other = "from" if owner == "to" else "to"
    keep: dict[Any, list[Any]] = {row["key"]: [] for row in owners}
    for link in links:
        if link[owner] in keep:
            keep[link[owner]].append(link[other])
    return [{"key": key, "keep": kept} for key, kept in keep.items()]


def statement_parts(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """``rows`` in consecutive parts of at most about :data:`MAX_STATEMENT_BYTES` each.

    Each part is one statement's parameters: a Bolt server refuses a message over a size
    (ArcadeDB: 16 MB) and may leave the client waiting. Sizes are estimated from the rows'
    text, three bytes a character (what UTF-8 takes for Chinese); a row larger than the
    limit goes alone.

    >>> [len(part) for part in statement_parts([{"name": "x" * 1_000_000}] * 5)]
    [2, 2, 1]
    """
    part: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        row_size = 3 * len(repr(row))
        if part and size + row_size > MAX_STATEMENT_BYTES:
            yield part
            part, size = [], 0
        part.append(row)
        size += row_size
    if part:
        yield part


def _write(tx: neo4j.ManagedTransaction, statement: str, rows: list[dict[str, Any]]) -> None:
    """Run a MERGE over ``rows``; fail (rolling back) unless every row was written."""
    written = sum(
        tx.run(statement, rows=part).single(strict=True)["written"]
        for part in statement_parts(rows)
    )
    if written != len(rows):
        raise IncompleteWrite(
            f"the server wrote {written} of {len(rows)} rows of a statement; "
            "nothing of this transaction was kept"
        )


def _create(
    tx: neo4j.ManagedTransaction,
    statement: str,
    rows: list[dict[str, Any]],
    nodes: int,
    relationships: int,
) -> None:
    """Run a CREATE over ``rows``; fail (rolling back) unless it made what it should have."""
    made_nodes = made_relationships = 0
    for part in statement_parts(rows):
        made = tx.run(statement, rows=part).consume().counters
        made_nodes += made.nodes_created
        made_relationships += made.relationships_created
    if (made_nodes, made_relationships) != (nodes, relationships):
        raise IncompleteWrite(
            f"the server created {made_nodes} of {nodes} nodes and "
            f"{made_relationships} of {relationships} relationships of a statement; "
            "nothing of this transaction was kept"
        )


def _run(tx: neo4j.ManagedTransaction, statement: str, **parameters: Any) -> list[Any]:
    return list(tx.run(statement, **parameters))


def _gathered(batch: list[PlanRows]) -> tuple[dict[str, list], dict[tuple, list]]:
    """The node rows per label and relationship rows per kind of every plan in ``batch``."""
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    relationships: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for rows in batch:
        for label, node_rows in rows.nodes.items():
            nodes[label] += node_rows
        for triple, relationship_rows in rows.relationships.items():
            relationships[triple] += relationship_rows
    return nodes, relationships


def _create_plans(tx: neo4j.ManagedTransaction, batch: list[PlanRows]) -> None:
    """Write plans the database does not hold: CREATE everything but the organizations."""
    nodes, relationships = _gathered(batch)
    organizations = nodes.pop(s.ORGANIZATION, [])
    _write(
        tx, MERGE_NODES[s.ORGANIZATION], [{"key": r["props"]["name"], **r} for r in organizations]
    )
    for label, node_rows in nodes.items():
        children = sum(
            len(row[items]) for row in node_rows for _, _, items, _ in CHILDREN if items in row
        )
        _create(tx, CREATE_NODES[label], node_rows, len(node_rows) + children, children)
    for triple, relationship_rows in relationships.items():
        statement = CREATE_RELATIONSHIPS[triple]
        _create(tx, statement, relationship_rows, 0, len(relationship_rows))


def _merge_plans(tx: neo4j.ManagedTransaction, batch: list[PlanRows], replace: bool) -> None:
    """Write plans the database holds: MERGE, then delete what the write made stale."""
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    relationships: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for rows in batch:
        plan_nodes, plan_relationships = rows.flat()
        for label, node_rows in plan_nodes.items():
            nodes[label] += node_rows
        for triple, relationship_rows in plan_relationships.items():
            relationships[triple] += relationship_rows
    for label, node_rows in nodes.items():
        _write(tx, MERGE_NODES[label], node_rows)
    for triple, relationship_rows in relationships.items():
        _write(tx, MERGE_RELATIONSHIPS[triple], relationship_rows)

    for label, statement in SWEEP_CHILDREN.items():
        if nodes[label]:
            children = [
                row
                for (owner, rel, _), relationship_rows in relationships.items()
                if owner == label and rel in CHILD_RELATIONSHIPS
                for row in relationship_rows
            ]
            _run(tx, statement, rows=_kept(nodes[label], children, "from"))
    causes = relationships[s.OBJECTIVE, s.CAUSES, s.OBJECTIVE]
    if replace:
        for label, statements_of_label in SWEEP_PLAN_ITEMS.items():
            keep = [
                {
                    "key": rows.plan,
                    "keep": [row["props"]["id"] for row in rows.nodes.get(label, ())],
                }
                for rows in batch
            ]
            for statement in statements_of_label:
                _run(tx, statement, rows=keep)
        for triple, statement in SWEEP_RELATIONSHIPS.items():
            owner = "to" if _owner_is_target(triple) else "from"
            label = triple[2] if owner == "to" else triple[0]
            if nodes[label]:
                _run(tx, statement, rows=_kept(nodes[label], relationships[triple], owner))
    elif nodes[s.OBJECTIVE]:
        inferred = (row for row in causes if row["props"].get("inferred"))
        _run(tx, SWEEP_INFERRED_CAUSES, rows=_kept(nodes[s.OBJECTIVE], inferred, "from"))


def _write_batch(tx: neo4j.ManagedTransaction, batch: list[PlanRows], replace: bool) -> None:
    """Write whole plans and join them to the city plans: all in one transaction.

    Plans the database does not hold yet are created; the others are merged into what is
    stored (and, with ``replace``, what they no longer hold is deleted after the write).
    """
    pushed = [rows.plan for rows in batch]
    stored = {record["id"] for record in _run(tx, STORED_AMONG, plans=pushed)}
    created = [rows for rows in batch if rows.plan not in stored]
    if created:
        _create_plans(tx, created)
    if stored:
        _merge_plans(tx, [rows for rows in batch if rows.plan in stored], replace)

    new = {rows.plan for rows in created}
    answering = [record["id"] for record in _run(tx, ANSWERING_AGENCIES, plans=pushed)]
    joined = {*pushed, *answering} - new
    for joins, ids in ((RESOLVE_CREATED, new), (RESOLVE, joined)):
        for statement in joins if ids else ():
            _run(tx, statement, plans=sorted(ids))
    if stored:
        for statement in SWEEP_RESOLVED:
            _run(tx, statement, plans=sorted(stored))


def _within(timeout: float | None, work: Callable[[], None]) -> None:
    """Run ``work``; raise PushTimeout if it has not finished after ``timeout`` seconds.

    The driver bounds connecting but not waiting for an answer, so a server that stops
    answering mid-transaction would block forever: the work runs in a daemon thread that
    is abandoned (its connection closes with the driver) when time is up.
    """
    if timeout is None:
        work()
        return
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the waiting thread
            outcome.append(error)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, name="bscalign-push", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise PushTimeout(f"no answer from the server within {timeout:g} s (--timeout)")
    if outcome[0] is not None:
        raise outcome[0]


def _commit(
    driver: neo4j.Driver,
    database: str | None,
    batch: list[PlanRows],
    replace: bool,
    timeout: float | None,
) -> None:
    """Write one batch in one managed transaction, retried on transient failures and lost races.

    The driver retries transient failures itself. A uniqueness violation can only mean
    that another push created the same node first (every node is merged on its unique
    key), and a statement that wrote fewer rows than it was sent, on a server without
    locks for MERGE (ArcadeDB), that another push was writing the same nodes: the batch,
    rolled back, is written again, now merging into what the other push committed. If it
    still fails after :data:`CONFLICT_ATTEMPTS` attempts, the error is raised.
    """
    import neo4j

    work = neo4j.unit_of_work(timeout=timeout)(_write_batch)
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            with driver.session(database=database) as session:
                session.execute_write(work, batch, replace)
            return
        except (neo4j.exceptions.ConstraintError, IncompleteWrite):
            if attempt == CONFLICT_ATTEMPTS:
                raise
            time.sleep(random.uniform(0.05, 0.2) * attempt)  # let the other push commit


def push(
    driver: neo4j.Driver,
    graph: nx.MultiDiGraph,
    *,
    database: str | None = None,
    replace: bool = False,
    batch_size: int = DEFAULT_BATCH_NODES,
    causal_order: str = s.DEFAULT_CAUSAL_ORDER,
    on_plan: Callable[[PushedPlan], None] | None = None,
    timeout: float | None = None,
) -> list[PushedPlan]:
    """Write every plan of ``graph`` to a Neo4j database, several whole plans per transaction.

    Cause-effect edges are inferred first (as :func:`bscalign.queries.engine.audit` does,
    changing ``graph`` in place) and written with ``inferred: true``. City plans go first.
    Plans are grouped, whole, into transactions of at most ``batch_size`` nodes (a larger
    plan alone), so a push cut at any point leaves each plan wholly written or not at all.
    Pushing the same input twice leaves the same graph. Without ``replace`` a plan's items
    are merged into what is stored (an item no longer in the input stays); with it, each
    pushed plan is written and then, in the same transaction, what it no longer holds is
    deleted: nothing is deleted that the transaction has not first replaced. Other plans
    are never touched, except that their upward links are joined to a city plan pushed now.
    Transient failures are retried, so concurrent pushes of the same plans converge.

    Parameters
    ----------
    driver : neo4j.Driver
        An open driver (:func:`open_driver` bounds its connection time); the caller closes
        it, which also ends a transaction abandoned after a timeout.
    graph : networkx.MultiDiGraph
        Plans as :func:`bscalign.loaders.read_plans` loads them.
    database : str, optional
        The database to write to (default: the server's default database).
    replace : bool
        Replace each pushed plan wholly instead of merging into it.
    batch_size : int
        Nodes per transaction (at least 1): whole plans are grouped up to this many.
    causal_order : str
        Perspective order of the inferred cause-effect edges (stored on each Plan node).
    on_plan : callable, optional
        Called with each plan once the transaction holding it has committed.
    timeout : float, optional
        Seconds each transaction may take (told to the server, and enforced here too, for
        a server that stops answering): PushTimeout when it passes. None: no limit.

    Returns
    -------
    list of PushedPlan
        One per plan, in the order written.

    Raises
    ------
    PushError
        A transaction wrote less than it should have (it was rolled back) or timed out.
    neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError
        The server refused the push or could not be reached (after retries).

    Examples
    --------
    >>> from bscalign.loaders import read_plans
    >>> with open_driver("neo4j://localhost:7687", ("neo4j", "secret")) as d:
    ...     pushed = push(d, read_plans(["examples/"]).graph)  # doctest: +SKIP
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    infer_causes(graph, causal_order)
    _within(timeout, lambda: ensure_schema(driver, database))
    order = sorted(plans(graph), key=lambda p: (p["level"] != s.CITY, p["id"]))
    rows_by_plan = plan_rows(graph, causal_order)
    pushed = []
    for batch in plan_batches((rows_by_plan[plan["id"]] for plan in order), batch_size):
        _within(timeout, lambda batch=batch: _commit(driver, database, batch, replace, timeout))
        for rows in batch:
            done = PushedPlan(rows.plan, rows.node_count, rows.relationship_count)
            pushed.append(done)
            if on_plan is not None:
                on_plan(done)
    return pushed


# -- audit on the server -------------------------------------------------------------------


def cypher_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The rules among ``rules`` that have a Cypher twin."""
    return [rule for rule in rules if rule.cypher_path.exists()]


def _finding(rule: Rule, record: neo4j.Record) -> tuple[Finding, list[dict[str, str]]]:
    node = record["node"]
    labels = set(node.labels)
    node_id = s.plan_node_id(node["id"]) if s.PLAN in labels else node.get("id")
    finding = Finding(
        rule=rule.code,
        name=rule.name,
        severity=rule.severity,
        plan=record["plan"],
        subject=record["subject"],
        message=record["message"],
        message_zh=record["message_zh"],
        suggestion=record["suggestion"],
        source=record["source"] or "",
        node=node_id,
    )
    entries = zip(node.get("suppress_rules", []), node.get("suppress_reasons", []), strict=True)
    return finding, [{"rule": r, "reason": why} for r, why in entries]


def audit_on_server(
    driver: neo4j.Driver,
    rules: Iterable[Rule],
    *,
    database: str | None = None,
    plan: str | None = None,
    min_severity: str = "info",
) -> AuditResult:
    """Run the Cypher twins of ``rules`` on the server; return what ``audit`` would.

    Rules without a Cypher file are skipped (see :func:`cypher_rules`). Findings are sorted
    and suppressions applied exactly as the embedded engine does; ``plan`` keeps the
    findings of one plan only.

    Examples
    --------
    >>> from bscalign.queries.registry import RULES
    >>> import neo4j  # doctest: +SKIP
    >>> with neo4j.GraphDatabase.driver("neo4j://localhost:7687", auth=("neo4j", "secret")) as d:
    ...     print(audit_on_server(d, RULES).summary()["total"])  # doctest: +SKIP
    125
    """
    import neo4j

    parameters = {**RULE_PARAMETERS, "plan": plan}

    def findings(rule: Rule) -> Iterator[tuple[Finding, list[dict[str, str]]]]:
        records, _, _ = driver.execute_query(
            rule.cypher_path.read_text(encoding="utf-8"),
            parameters,
            database_=database,
            routing_=neo4j.RoutingControl.READ,
        )
        return (_finding(rule, record) for record in records)

    result = run_rules(cypher_rules(rules), findings, min_severity=min_severity)
    records, _, _ = driver.execute_query(
        INFERRED_CAUSES, {"plan": plan}, database_=database, routing_=neo4j.RoutingControl.READ
    )
    result.inferred_causes = records[0]["inferred"]
    return result


def stored_plans(driver: neo4j.Driver, database: str | None = None) -> list[str]:
    """The ids of the plans stored in the database, sorted."""
    import neo4j

    records, _, _ = driver.execute_query(
        STORED_PLANS, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return [record["id"] for record in records]


def cypher_lint_schema() -> dict[str, Any]:
    """The schema ``tools/cypher-lint`` checks the Cypher against, from this module's shape."""
    rel_types = [*s.EDGE_KINDS, s.HAS_UPWARD_LINK, s.HAS_OCCURRENCE]
    keys = {k for props in PROPERTIES.values() for k in props}
    keys |= {k for props in RELATIONSHIP_PROPERTIES.values() for k in props}
    keys |= {"key", "props", "from", "to", "keep"}  # the fields of push's $rows
    return {
        "description": (
            "bscalign's graph in Neo4j, generated by bscalign.neo4j_store.cypher_lint_schema() "
            "(tests/test_cypher.py checks it): undeclared parameters are errors; undeclared "
            "labels, relationship types and property keys are warnings."
        ),
        "cypherVersion": "CYPHER 5",
        "labels": list(PROPERTIES),
        "relationshipTypes": rel_types,
        "propertyKeys": sorted(keys),
        "parameters": sorted({*RULE_PARAMETERS, "rows", "plans"}),
        "extraFunctions": [],
    }
