"""A theme whose cause-effect chain is broken: a missing perspective, a stray objective, a cycle.

What it checks
    Inside each theme of each plan, the objectives should form chains from the foundation
    perspectives (learning and growth, financial) through internal process up to customer
    objectives. It reports: a theme missing one of the four perspectives (subject: the
    theme); an objective that lies on no chain from a foundation objective to a customer
    objective (subject: the objective); and every cycle of cause-effect edges (subject: the
    first objective of the cycle). Plans with explicit ``causes``, or with arrows drawn on
    their slides (a ``.pptx`` deck, a PDF printed from one), are checked as written or
    drawn; plans without get edges inferred along the causal order, which only a missing
    perspective can break.

Why it matters
    The strategy map's story is its arrows: capabilities and money enable processes,
    processes deliver results for citizens. A theme without a process objective, or an
    objective no arrow reaches, is a claim with no mechanism behind it; a cycle means the
    map explains nothing.

Example
    A theme lists ``HC1`` (customer) and ``HL1`` (learning) but no internal-process
    objective: the map never says how training turns into results.

How to fix
    Add the missing objective, or draw (on the slide, or in YAML: ``causes``) the arrows
    that connect the stray objective; break cycles by deciding which objective drives which.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import networkx as nx

from bscalign.graph import schema as s
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text

FOUNDATIONS = ("L", "F")


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield findings for missing perspectives, off-chain objectives and cycles per theme."""
    for plan in ctx.plans:
        for theme, perspectives in sorted(ctx.objectives_by_theme(plan["id"]).items()):
            yield from _theme(ctx, plan["id"], theme, perspectives)


def _theme(
    ctx: AuditContext, plan: str, theme: str, perspectives: dict[str, list[str]]
) -> Iterator[Finding]:
    theme_id = s.node_id(s.THEME, plan, theme)
    theme_node = ctx.graph.nodes[theme_id]
    missing = [p for p in s.PERSPECTIVES if not perspectives.get(p)]
    if missing:
        text = Text(
            f"theme {theme} {theme_node['name']} has no "
            + ", ".join(s.PERSPECTIVE_NAMES[p] for p in missing)
            + " objective",
            f"策略主題 {theme} {theme_node['name']} 缺少"
            + "、".join(s.PERSPECTIVE_NAMES_ZH[p] for p in missing)
            + "構面的策略目標",
        )
        yield RULE.finding(theme_node, text, node_id=theme_id)
    members = sorted(n for nodes in perspectives.values() for n in nodes)
    causal = nx.DiGraph()
    causal.add_nodes_from(members)
    causal.add_edges_from(
        (u, v) for u, v, k in ctx.graph.edges(members, keys=True) if k == s.CAUSES and v in causal
    )
    # almost every theme is acyclic, which is far quicker to tell than to list no cycles
    cycles = [] if nx.is_directed_acyclic_graph(causal) else nx.simple_cycles(causal)
    for cycle in sorted(sorted(c) for c in cycles):
        codes = " → ".join(ctx.code_of(n) for n in cycle)
        text = Text(
            f"cause-effect cycle in theme {theme}: {codes}",
            f"策略主題 {theme} 的因果關係形成循環：{codes}",
        )
        yield RULE.finding(ctx.graph.nodes[cycle[0]], text, node_id=cycle[0])
    customers = set(perspectives.get("C", []))
    foundations = {n for p in FOUNDATIONS for n in perspectives.get(p, [])}
    if not customers or not foundations:
        return  # the missing perspective is the finding; every objective would repeat it
    from_foundation = foundations.union(*(nx.descendants(causal, n) for n in foundations))
    to_customer = customers.union(*(nx.ancestors(causal, n) for n in customers))
    for nid in members:
        if nid in from_foundation and nid in to_customer:
            continue
        node = ctx.graph.nodes[nid]
        gaps = []
        if nid not in from_foundation:
            gaps.append(("no foundation objective leads to it", "沒有基礎構面目標導向它"))
        if nid not in to_customer:
            gaps.append(("it leads to no customer objective", "它未導向任何顧客構面目標"))
        text = Text(
            f"objective {node['code']} {node['name']} is on no cause-effect chain of theme "
            f"{theme}: " + " and ".join(en for en, _ in gaps),
            f"策略目標 {node['code']} {node['name']} 不在策略主題 {theme} 的任何因果鏈上："
            + "，且".join(zh for _, zh in gaps),
        )
        yield RULE.finding(node, text, node_id=nid)


RULE = Rule("BSC301", "broken-cause-effect-chain", WARNING, check, sys.modules[__name__])
