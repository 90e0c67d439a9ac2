"""One code used for two different things in one plan.

What it checks
    Inside one place of a plan (the strategy map, the scorecard tables, the KPI overview,
    a YAML file), a code must stand for one thing. It reports a code written twice in the
    same place with a different name or under a different parent. (The same code worded
    differently in *different* places is ``name-drift``.)

Why it matters
    Two KPIs sharing ``BC1.2`` get one row in every report: one of them silently
    disappears from the city's figures.

Example
    Scorecard table B lists ``BL2.1 外勤消防人員體能達高標率`` under ``BL2`` and, two rows
    later, ``BL2.1 消防人員救災訓練時數`` under ``BL3``.

How to fix
    Give one of the two its own, unused code.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterator

from bscalign.loaders.textnorm import clean_name
from bscalign.queries import twin
from bscalign.queries.base import ERROR, KIND_NAMES, AuditContext, Finding, Rule, Text

MESSAGE = Text(
    "{kind} code {code} stands for {count} things in the {place}: {listed}",
    "{kind}代碼 {code} 在{place}中代表 {count} 個不同項目：{listed}",
)


def check(ctx: AuditContext) -> Iterator[Finding]:
    """Yield a finding per code that one place uses for more than one thing."""
    for kind, nodes in ctx.coded_nodes():
        for nid, node in nodes:
            occurrences = node["occurrences"]
            if len(occurrences) < 2:
                continue  # written once: one thing
            places = {o["place"] for o in occurrences}
            if len({(o["place"], o["name"], o["parent"]) for o in occurrences}) == len(places):
                continue  # each place writes it one way: one thing there (cleaning only merges)
            things: dict[str, dict[tuple[str, str | None], str]] = defaultdict(dict)
            for occurrence in occurrences:
                thing = (clean_name(occurrence["name"]), occurrence["parent"])
                things[occurrence["place"]].setdefault(thing, occurrence["source"])
            for place, seen in sorted(things.items()):
                if len(seen) < 2:
                    continue
                listed = "; ".join(
                    f"'{name}'" + (f" ({parent})" if parent else "") + f" {source}"
                    for (name, parent), source in seen.items()
                )
                text = MESSAGE.format(
                    kind=KIND_NAMES[kind],
                    code=node["code"],
                    count=len(seen),
                    place=place,
                    listed=listed,
                )
                yield RULE.finding(node, text, node_id=nid, source=list(seen.values())[1])


RULE = Rule("BSC402", "duplicate-code", ERROR, check, sys.modules[__name__])
CYPHER = {
    "kind": twin.kind_of("item") + ",",
    "message": twin.item_message(
        MESSAGE, count="toString(size(things))", place="place", listed="listed"
    ),
}
