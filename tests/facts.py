"""Compare graphs by their facts, leaving provenance (sources, places) aside.

Round trips (text -> YAML -> graph, -> XLSX -> graph, ...) must give the same graph: the
same nodes with the same names, flags and links, and the same edges. Where each fact was
read from differs by design, so sources and occurrences are not compared.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

#: Node attributes that say where something was read, not what it is.
PROVENANCE = {"source", "sources", "occurrences", "name_rank"}


def graph_facts(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Return the nodes and edges of ``graph`` as comparable plain data."""
    nodes = {}
    for nid, data in graph.nodes(data=True):
        fact = {k: _plain(v) for k, v in data.items() if k not in PROVENANCE}
        if "names" in fact:
            fact["names"] = sorted(set(fact["names"]))
        if "links" in fact:
            fact["links"] = sorted((link["code"], link["name"]) for link in data["links"])
        nodes[nid] = fact
    edges = sorted(
        (u, v, k, tuple(sorted((a, _plain(b)) for a, b in d.items() if a != "source")))
        for u, v, k, d in graph.edges(keys=True, data=True)
    )
    return {"nodes": nodes, "edges": edges}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value
