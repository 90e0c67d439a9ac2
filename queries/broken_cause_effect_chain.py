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
from bscalign.queries import twin
from bscalign.queries.base import WARNING, AuditContext, Finding, Rule, Text

FOUNDATIONS = ("L", "F")
MISSING = Text(
    "theme {code} {name} has no {perspectives} objective",
    "策略主題 {code} {name} 缺少{perspectives}構面的策略目標",
)
CYCLE = Text(
    "cause-effect cycle in theme {theme}: {codes}", "策略主題 {theme} 的因果關係形成循環：{codes}"
)
OFF_CHAIN = Text(
    "objective {code} {name} is on no cause-effect chain of theme {theme}: {gaps}",
    "策略目標 {code} {name} 不在策略主題 {theme} 的任何因果鏈上：{gaps}",
)
NO_FOUNDATION = Text("no foundation objective leads to it", "沒有基礎構面目標導向它")
NO_CUSTOMER = Text("it leads to no customer objective", "它未導向任何顧客構面目標")
#: How the missing perspectives, and the gaps of one objective, are joined.
LIST = Text(", ", "、")
AND = Text(" and ", "，且")
ARROW = " → "


def _joined(joiner: Text, texts: list[Text]) -> Text:
    return Text(joiner.en.join(t.en for t in texts), joiner.zh.join(t.zh for t in texts))


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
        names = [Text(s.PERSPECTIVE_NAMES[p], s.PERSPECTIVE_NAMES_ZH[p]) for p in missing]
        text = MISSING.format(
            code=theme, name=theme_node["name"], perspectives=_joined(LIST, names)
        )
        yield RULE.finding(theme_node, text, node_id=theme_id)
    members = sorted(n for nodes in perspectives.values() for n in nodes)
    # a theme holds a dozen objectives: plain dicts answer it quicker than a networkx graph
    # built per theme, which is kept for the rare theme with a cycle
    in_theme = set(members)
    # in adjacency order: cycles are sorted and reached sets have none
    effects = {
        u: [v for v, kinds in ctx.out_edges(u).items() if s.CAUSES in kinds and v in in_theme]
        for u in members
    }
    causes: dict[str, list[str]] = {u: [] for u in members}
    for u, targets in effects.items():
        for v in targets:
            causes[v].append(u)
    # almost every theme is acyclic, which is far quicker to tell than to list no cycles
    cycles = [] if _acyclic(effects, causes) else nx.simple_cycles(nx.DiGraph(effects))
    for cycle in sorted(sorted(c) for c in cycles):
        text = CYCLE.format(theme=theme, codes=ARROW.join(ctx.code_of(n) for n in cycle))
        yield RULE.finding(ctx.graph.nodes[cycle[0]], text, node_id=cycle[0])
    customers = set(perspectives.get("C", []))
    foundations = {n for p in FOUNDATIONS for n in perspectives.get(p, [])}
    if not customers or not foundations:
        return  # the missing perspective is the finding; every objective would repeat it
    from_foundation = _reached(effects, foundations)
    to_customer = _reached(causes, customers)
    for nid in members:
        if nid in from_foundation and nid in to_customer:
            continue
        node = ctx.graph.nodes[nid]
        gaps = []
        if nid not in from_foundation:
            gaps.append(NO_FOUNDATION)
        if nid not in to_customer:
            gaps.append(NO_CUSTOMER)
        text = OFF_CHAIN.format(
            code=node["code"], name=node["name"], theme=theme, gaps=_joined(AND, gaps)
        )
        yield RULE.finding(node, text, node_id=nid)


def _acyclic(effects: dict[str, list[str]], causes: dict[str, list[str]]) -> bool:
    """Whether the graph of ``effects`` (node -> its effects; ``causes`` the reverse) has
    no cycle: every node can be taken away once its causes are (Kahn)."""
    waiting = {u: len(before) for u, before in causes.items()}
    ready = [u for u, count in waiting.items() if not count]
    done = 0
    while ready:
        done += 1
        for v in effects[ready.pop()]:
            waiting[v] -= 1
            if not waiting[v]:
                ready.append(v)
    return done == len(effects)


def _reached(edges: dict[str, list[str]], starts: set[str]) -> set[str]:
    """``starts`` and every node reached from them along ``edges``."""
    reached, todo = set(starts), list(starts)
    while todo:
        for v in edges[todo.pop()]:
            if v not in reached:
                reached.add(v)
                todo.append(v)
    return reached


RULE = Rule("BSC301", "broken-cause-effect-chain", WARNING, check, sys.modules[__name__])


def _reduced(items: str, joiner: str, each: str) -> str:
    """Cypher joining ``each`` (an expression of ``x``) over the list ``items``."""
    return (
        f"substring(reduce(text = '', x IN {items} | text + {twin.literal(joiner)} + {each}), "
        f"{len(joiner)})"
    )


def _pair(text: Text) -> str:
    return f"[{twin.literal(text.en)}, {twin.literal(text.zh)}]"


_EN, _ZH = twin.cypher_map(s.PERSPECTIVE_NAMES), twin.cypher_map(s.PERSPECTIVE_NAMES_ZH)
CYPHER = {
    "missing": f"WITH plan, letter, [p IN {list(s.PERSPECTIVES)!r} WHERE NOT p IN present]"
    " AS missing",
    "names": f"{_EN} AS en,\n{_ZH} AS zh",
    "missing-message": twin.message(
        MISSING,
        code="theme.code",
        name="theme.name",
        perspectives=(_reduced("missing", LIST.en, "en[x]"), _reduced("missing", LIST.zh, "zh[x]")),
    ),
    "arrows": f"RETURN {_reduced('collect(member)', ARROW, 'x.code')} AS codes",
    "cycle-message": twin.message(CYCLE, theme="first.theme", codes="codes"),
    "gaps": f"CASE WHEN from_foundation THEN [] ELSE [{_pair(NO_FOUNDATION)}] END\n"
    f"+ CASE WHEN to_customer THEN [] ELSE [{_pair(NO_CUSTOMER)}] END AS gaps",
    "off-chain-message": twin.message(
        OFF_CHAIN,
        code="o.code",
        name="o.name",
        theme="o.theme",
        gaps=(_reduced("gaps", AND.en, "x[0]"), _reduced("gaps", AND.zh, "x[1]")),
    ),
}
