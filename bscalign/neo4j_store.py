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

Each plan is written in one transaction (in batches of ``UNWIND $rows ... MERGE``), so a
push cut halfway leaves every plan either wholly there or not there at all, and running it
again completes it. No Cypher text is built from user data: every statement below is made
from the schema's constants when this module is imported, and values travel as parameters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import COUNT_KEYS, plans
from bscalign.graph.build import named_city_plan
from bscalign.graph.causality import ensure_inferred_causes
from bscalign.graph.fields import FIELDS, neo4j_properties
from bscalign.loaders.textnorm import clean_name
from bscalign.queries.base import Finding, Rule, severity_rank
from bscalign.queries.causes import assign_causes
from bscalign.queries.engine import AuditResult, Suppressed, suppression_reason
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


#: How the derived and flattened properties are computed from a node's attributes.
_DERIVED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name_key": lambda r: clean_name(r["name"]),
    "name_keys": lambda r: [clean_name(n) for n in r["names"]],
    "name_grams": lambda r: counted_grams(r["name"]),
    "suppress_rules": lambda r: [x["rule"] for x in r["suppress"]],
    "suppress_reasons": lambda r: [x["reason"] for x in r["suppress"]],
    "city_plan": named_city_plan,
    **{
        f"declared_{what}": (lambda r, what=what: r.get("declared", {}).get(what))
        for what in COUNT_KEYS.values()
    },
}


def _properties(label: str, record: dict[str, Any]) -> dict[str, Any]:
    values = {
        key: _DERIVED[key](record) if key in _DERIVED else record.get(key)
        for key in PROPERTIES[label]
    }
    return {key: value for key, value in values.items() if value is not None}


# -- statements (made from the schema's constants only) -------------------------------------

CONSTRAINTS = tuple(
    f"CREATE CONSTRAINT bscalign_{label.lower()}_{key} IF NOT EXISTS "
    f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
    for label, key in NODE_KEY.items()
)
INDEXES = tuple(
    f"CREATE INDEX bscalign_{label.lower()}_plan IF NOT EXISTS FOR (n:{label}) ON (n.plan)"
    for label in PLAN_LABELS
)
MERGE_NODES = {
    label: f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.key}}) "
    + ("SET n += row.props" if label == s.ORGANIZATION else "SET n = row.props")
    for label, key in NODE_KEY.items()
}
MERGE_RELATIONSHIPS = {
    (a, rel, b): f"UNWIND $rows AS row "
    f"MATCH (a:{a} {{{NODE_KEY[a]}: row.from}}) MATCH (b:{b} {{{NODE_KEY[b]}: row.to}}) "
    f"MERGE (a)-[r:{rel}]->(b) SET r = row.props"
    for a, rel, b in WRITTEN_RELATIONSHIPS
}
#: Links and occurrences of the nodes about to be written are replaced, not added to.
DELETE_CHILDREN = {
    label: f"UNWIND $rows AS row MATCH (n:{label} {{id: row.key}})"
    f"-[:{s.HAS_UPWARD_LINK}|{s.HAS_OCCURRENCE}]->(child) DETACH DELETE child"
    for label in s.CODED_KINDS
}
#: --replace: everything of one plan goes (organizations stay: other plans share them).
DELETE_PLAN = (
    *(f"MATCH (n:{label} {{plan: $plan}}) DETACH DELETE n" for label in PLAN_LABELS),
    f"MATCH (p:{s.PLAN} {{id: $plan}}) DETACH DELETE p",
)
#: Derived relationships of one plan, recomputed on every push of it.
DELETE_DERIVED = (
    f"MATCH (:{s.OBJECTIVE} {{plan: $plan}})-[r:{s.CAUSES} {{inferred: true}}]->() DELETE r",
    *(
        f"MATCH (:{label} {{plan: $plan}})-[r:{s.ALIGNS_TO}|{s.REFERENCES}]->() DELETE r"
        for label in (s.OBJECTIVE, s.THEME, s.KPI)
    ),
)
#: Join upward links and city-KPI references to the city plan of the same year, both for the
#: plan pushed (as an agency) and for the agencies that answer to it (as a city plan), the
#: way :func:`bscalign.graph.build.resolve_links` joins them in memory.
RESOLVE = (
    f"MATCH (agency:{s.PLAN}) WHERE agency.id = $plan OR agency.city_plan = $plan "
    f"MATCH (link:{s.UPWARD_LINK} {{plan: agency.id}})<-[:{s.HAS_UPWARD_LINK}]-(n) "
    f"MATCH (target:{s.OBJECTIVE} {{plan: agency.city_plan, code: link.code}}) "
    f"MERGE (n)-[r:{s.ALIGNS_TO}]->(target) "
    "SET r.code = link.code, r.name = link.name, r.source = link.source",
    f"MATCH (agency:{s.PLAN}) WHERE agency.id = $plan OR agency.city_plan = $plan "
    f"MATCH (kpi:{s.KPI} {{plan: agency.id}}) UNWIND kpi.city_kpi_refs AS ref "
    f"MATCH (target:{s.KPI} {{plan: agency.city_plan, code: ref}}) "
    f"MERGE (kpi)-[r:{s.REFERENCES}]->(target) SET r.source = kpi.source",
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
        *DELETE_PLAN,
        *DELETE_DERIVED,
        *DELETE_CHILDREN.values(),
        *MERGE_NODES.values(),
        *MERGE_RELATIONSHIPS.values(),
        *RESOLVE,
        INFERRED_CAUSES,
        STORED_PLANS,
    ]


# -- rows --------------------------------------------------------------------------------


@dataclass
class PlanRows:
    """What one plan's push writes: node rows per label, relationship rows per kind."""

    plan: str
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    relationships: dict[tuple[str, str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @property
    def node_count(self) -> int:
        return sum(map(len, self.nodes.values()))

    @property
    def relationship_count(self) -> int:
        return sum(map(len, self.relationships.values()))


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
    (['Objective', 'Occurrence', 'Organization', 'Plan', 'Theme'], 5, 3)
    """
    by_plan: dict[str, PlanRows] = {}

    def rows_of(plan: str) -> PlanRows:
        return by_plan.setdefault(plan, PlanRows(plan))

    for nid, data in graph.nodes(data=True):
        kind = data["kind"]
        if kind == s.ORGANIZATION:
            continue  # written with the edges that tie it to a plan, below
        rows = rows_of(_plan_of(data))
        record = {**data, "causal_order": causal_order} if kind == s.PLAN else {"id": nid, **data}
        rows.nodes[kind].append({"key": _key(graph, nid), "props": _properties(kind, record)})
        children = (
            (s.UPWARD_LINK, s.HAS_UPWARD_LINK, "link", data.get("links", ())),
            (s.OCCURRENCE, s.HAS_OCCURRENCE, "occurrence", data.get("occurrences", ())),
        )
        for label, rel, word, items in children:
            for position, item in enumerate(items):
                child = f"{nid}:{word}:{position}"
                record = {**item, "id": child, "plan": rows.plan, "position": position}
                rows.nodes[label].append({"key": child, "props": _properties(label, record)})
                rows.relationships[kind, rel, label].append({"from": nid, "to": child, "props": {}})
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
            data = graph.nodes[nid]
            props = _properties(s.ORGANIZATION, data)
            rows_of(plan).nodes[s.ORGANIZATION].append({"key": data["name"], "props": props})
    return by_plan


# -- push --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushedPlan:
    """One plan written: how many nodes and relationships its rows held."""

    plan: str
    nodes: int
    relationships: int


def ensure_schema(driver: neo4j.Driver, database: str | None = None) -> None:
    """Create the uniqueness constraints and plan indexes push relies on (if missing)."""
    with driver.session(database=database) as session:
        for statement in (*CONSTRAINTS, *INDEXES):
            session.run(statement).consume()


def _batches(rows: Sequence[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _write_plan(
    tx: neo4j.ManagedTransaction, rows: PlanRows, replace: bool, batch_size: int
) -> None:
    for statement in DELETE_PLAN if replace else DELETE_DERIVED:
        tx.run(statement, plan=rows.plan).consume()
    for label, statement in DELETE_CHILDREN.items():
        for batch in _batches(rows.nodes.get(label, []), batch_size):
            tx.run(statement, rows=batch).consume()
    for label, node_rows in rows.nodes.items():
        for batch in _batches(node_rows, batch_size):
            tx.run(MERGE_NODES[label], rows=batch).consume()
    for triple, relationship_rows in rows.relationships.items():
        for batch in _batches(relationship_rows, batch_size):
            tx.run(MERGE_RELATIONSHIPS[triple], rows=batch).consume()
    for statement in RESOLVE:
        tx.run(statement, plan=rows.plan).consume()


def push(
    driver: neo4j.Driver,
    graph: nx.MultiDiGraph,
    *,
    database: str | None = None,
    replace: bool = False,
    batch_size: int = 1000,
    causal_order: str = s.DEFAULT_CAUSAL_ORDER,
    on_plan: Callable[[PushedPlan], None] | None = None,
) -> list[PushedPlan]:
    """Write every plan of ``graph`` to a Neo4j database, one transaction per plan.

    Cause-effect edges are inferred first (as :func:`bscalign.queries.engine.audit` does,
    changing ``graph`` in place) and written with ``inferred: true``. City plans go first.
    Pushing the same input twice leaves the same graph. Without ``replace`` a plan's items
    are merged into what is stored (an item no longer in the input stays); with it, each
    pushed plan is deleted and written anew in the same transaction. Other plans are never
    touched, except that their upward links are joined to a city plan pushed now.

    Parameters
    ----------
    driver : neo4j.Driver
        An open driver; the caller closes it.
    graph : networkx.MultiDiGraph
        Plans as :func:`bscalign.loaders.read_plans` loads them.
    database : str, optional
        The database to write to (default: the server's default database).
    replace : bool
        Replace each pushed plan wholly instead of merging into it.
    batch_size : int
        Rows per ``UNWIND $rows`` statement.
    causal_order : str
        Perspective order of the inferred cause-effect edges (stored on each Plan node).
    on_plan : callable, optional
        Called with each plan once its transaction has committed.

    Returns
    -------
    list of PushedPlan
        One per plan, in the order written.

    Examples
    --------
    >>> from bscalign.loaders import read_plans
    >>> import neo4j  # doctest: +SKIP
    >>> with neo4j.GraphDatabase.driver("neo4j://localhost:7687", auth=("neo4j", "secret")) as d:
    ...     pushed = push(d, read_plans(["examples/"]).graph)  # doctest: +SKIP
    """
    ensure_inferred_causes(graph, causal_order)
    ensure_schema(driver, database)
    order = sorted(plans(graph), key=lambda p: (p["level"] != s.CITY, p["id"]))
    rows_by_plan = plan_rows(graph, causal_order)
    pushed = []
    with driver.session(database=database) as session:
        for plan in order:
            rows = rows_by_plan[plan["id"]]
            session.execute_write(_write_plan, rows, replace, batch_size)
            done = PushedPlan(plan["id"], rows.node_count, rows.relationship_count)
            pushed.append(done)
            if on_plan is not None:
                on_plan(done)
    return pushed


# -- audit on the server -------------------------------------------------------------------


def cypher_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The rules among ``rules`` that have a Cypher twin."""
    return [rule for rule in rules if rule.cypher_path.exists()]


def _finding(rule: Rule, record: neo4j.Record) -> tuple[Finding, str | None]:
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
    reason = suppression_reason([{"rule": r, "reason": why} for r, why in entries], rule)
    return finding, reason


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

    limit = severity_rank(min_severity)
    parameters = {**RULE_PARAMETERS, "plan": plan}
    result = AuditResult()
    for rule in cypher_rules(rules):
        if severity_rank(rule.severity) > limit:
            continue
        records, _, _ = driver.execute_query(
            rule.cypher_path.read_text(encoding="utf-8"),
            parameters,
            database_=database,
            routing_=neo4j.RoutingControl.READ,
        )
        for record in records:
            finding, reason = _finding(rule, record)
            if reason is None:
                result.findings.append(finding)
            else:
                result.suppressed.append(Suppressed(finding, reason))
    records, _, _ = driver.execute_query(
        INFERRED_CAUSES, {"plan": plan}, database_=database, routing_=neo4j.RoutingControl.READ
    )
    result.inferred_causes = records[0]["inferred"]
    result.findings = assign_causes(sorted(result.findings, key=Finding.sort_key))
    result.suppressed.sort(key=lambda x: x.finding.sort_key())
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
    keys |= {"key", "props", "from", "to"}  # the fields of push's $rows
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
        "parameters": sorted({*RULE_PARAMETERS, "rows"}),
        "extraFunctions": [],
    }
