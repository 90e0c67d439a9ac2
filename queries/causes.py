"""Which findings follow from another: one root cause, reported once and shown once.

Rules report every symptom they see, so one mistake can surface many times: an objective
whose only upward link dangles is also ``unlinked-to-city``, and so is each of its KPIs; a
plan with no link column at all has every objective ``missing-upward-link`` and
``unlinked-to-city``. :func:`assign_causes` runs once over an audit's findings, after every
rule, and gives each such consequence a ``cause``: the rule and subject of the root finding
it follows from. Nothing is dropped (``--format json`` still lists every finding); views,
reports and tables fold consequences under their root.

It reads the findings only, never the graph, so the embedded audit and the Cypher twins on
a server give the same causes. A KPI is tied to its objective by its code (``AC1.1`` is
measured against ``AC1``, as the genre numbers them); a KPI coded otherwise stays a root.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from bscalign.graph import schema as s
from bscalign.queries.base import Finding

DANGLING = "BSC201"  # dangling-upward-link
MISSING = "BSC202"  # missing-upward-link
UNLINKED = "BSC203"  # unlinked-to-city


def assign_causes(findings: Iterable[Finding]) -> list[Finding]:
    """Return ``findings`` (same order) with ``cause`` set on those that follow from another.

    Causes, always the root (a cause never has a cause itself):

    - a plan-wide ``missing-upward-link`` (no objective of the plan names a city objective)
      is the cause of every other ``missing-upward-link`` and ``unlinked-to-city`` finding
      of that plan;
    - an objective ``unlinked-to-city`` follows from its own ``dangling-upward-link`` (its
      written link names no city objective) or else its own ``missing-upward-link``;
    - a KPI ``unlinked-to-city`` follows from its objective's ``unlinked-to-city`` finding,
      or from that finding's cause.

    Examples
    --------
    >>> def f(rule, subject, plan="兵役局@111"):
    ...     return Finding(rule, "", "error", plan, subject, "")
    >>> found = assign_causes([f("BSC201", "CC1"), f("BSC203", "CC1"), f("BSC203", "CC1.1")])
    >>> [(x.subject, x.cause) for x in found]
    [('CC1', None), ('CC1', ('BSC201', 'CC1')), ('CC1.1', ('BSC201', 'CC1'))]
    >>> found = assign_causes([f("BSC202", "兵役局@111"), f("BSC202", "AC1"), f("BSC203", "AC1")])
    >>> [x.cause for x in found]
    [None, ('BSC202', '兵役局@111'), ('BSC202', '兵役局@111')]
    """
    findings = list(findings)
    present = {(f.plan, f.rule, f.subject) for f in findings}
    unlinked_plans = {f.plan for f in findings if f.rule == MISSING and f.subject == f.plan}

    def objective_cause(plan: str, code: str) -> tuple[str, str] | None:
        if plan in unlinked_plans:
            return (MISSING, plan)
        for rule in (DANGLING, MISSING):
            if (plan, rule, code) in present:
                return (rule, code)
        return None

    def cause_of(finding: Finding) -> tuple[str, str] | None:
        if finding.subject == finding.plan:
            return None
        if finding.plan in unlinked_plans and finding.rule in (MISSING, UNLINKED):
            return (MISSING, finding.plan)
        if finding.rule != UNLINKED:
            return None
        if s.OBJECTIVE_CODE.match(finding.subject):
            return objective_cause(finding.plan, finding.subject)
        kpi = s.KPI_CODE.match(finding.subject)
        if kpi is None or (finding.plan, UNLINKED, kpi["objective"]) not in present:
            return None
        return objective_cause(finding.plan, kpi["objective"]) or (UNLINKED, kpi["objective"])

    return [dataclasses.replace(f, cause=cause_of(f)) for f in findings]


def roots(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that follow from no other (what a planner fixes), in the given order."""
    return [f for f in findings if f.cause is None]


def consequences(findings: Iterable[Finding]) -> dict[tuple[str, str, str], list[Finding]]:
    """Consequences grouped by their root: ``(plan, rule, subject)`` -> findings."""
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.cause is not None:
            grouped.setdefault((f.plan, *f.cause), []).append(f)
    return grouped
