"""Run the audit: rules over the plan graph, suppressions applied, findings sorted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.causality import infer_causes
from bscalign.graph.gcpause import paused_gc
from bscalign.queries.base import SEVERITIES, AuditContext, Finding, Rule, severity_rank
from bscalign.queries.causes import assign_causes
from bscalign.queries.registry import RULES


@dataclass(frozen=True)
class Suppressed:
    """A finding a planner silenced in the input, with the reason they gave."""

    finding: Finding
    reason: str

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {**self.finding.as_dict(lang), "reason": self.reason}


@dataclass
class AuditResult:
    """Findings (sorted), the suppressed ones, and how many cause-effect edges were inferred."""

    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    inferred_causes: int = 0

    def summary(self) -> dict[str, Any]:
        """Counts by severity and by rule name, plus suppressed and inferred counts."""
        by_severity = Counter(f.severity for f in self.findings)
        return {
            "total": len(self.findings),
            "by_severity": {sev: by_severity.get(sev, 0) for sev in SEVERITIES},
            "by_rule": dict(sorted(Counter(f.name for f in self.findings).items())),
            "suppressed": len(self.suppressed),
            "inferred_cause_effect_edges": self.inferred_causes,
        }

    def worst(self) -> str | None:
        """The most severe severity among the findings, or None."""
        return min((f.severity for f in self.findings), key=severity_rank, default=None)


def audit(
    graph: nx.MultiDiGraph,
    rules: Iterable[Rule] = RULES,
    *,
    causal_order: str = s.DEFAULT_CAUSAL_ORDER,
    min_severity: str = "info",
) -> AuditResult:
    """Run ``rules`` over ``graph`` and return sorted findings and suppressions.

    Cause-effect edges are inferred first for plans without explicit ones (the graph is
    changed in place: inferred edges carry ``inferred=True``). After the rules, each
    finding that follows from another gets its ``cause`` (:func:`assign_causes`).

    Examples
    --------
    >>> from bscalign.graph.build import PlanGraphBuilder
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("臺北市政府消防局", "108", "agency")
    >>> _ = b.add_kpi(p, "AC1.1", "燒燬事故商品鑑識通報率", source="f.yaml:3", place="yaml")
    >>> from bscalign.queries.registry import get_rule
    >>> [f.subject for f in audit(b.graph, [get_rule("orphan-kpi")]).findings]
    ['AC1.1']
    """
    with paused_gc():
        context = AuditContext(graph, causal_order=causal_order)
        inferred = infer_causes(graph, causal_order, context.index)

        def findings(rule: Rule) -> Iterator[tuple[Finding, Iterable[dict[str, str]]]]:
            for finding in rule.check(context):
                node = graph.nodes[finding.node] if finding.node in graph else {}
                yield finding, node.get("suppress", ())

        result = run_rules(rules, findings, min_severity=min_severity)
    result.inferred_causes = inferred
    return result


def run_rules(
    rules: Iterable[Rule],
    findings: Callable[[Rule], Iterable[tuple[Finding, Iterable[dict[str, str]]]]],
    *,
    min_severity: str = "info",
) -> AuditResult:
    """The audit's one run loop, whichever engine finds: rules in turn, suppressions, order.

    ``findings(rule)`` yields each finding of ``rule`` with the ``suppress`` entries of the
    node it is about (the embedded engine reads them from the graph, the server engine from
    the stored node). Rules less severe than ``min_severity`` are not run.

    >>> from bscalign.queries.registry import get_rule
    >>> rule = get_rule("orphan-kpi")
    >>> found = Finding(rule.code, rule.name, rule.severity, "p", "AC1.1", "...")
    >>> quiet = [{"rule": "orphan-kpi", "reason": "listed elsewhere"}]
    >>> result = run_rules([rule], lambda r: [(found, quiet)])
    >>> len(result.findings), result.suppressed[0].reason
    (0, 'listed elsewhere')
    """
    limit = severity_rank(min_severity)
    result = AuditResult()
    for rule in rules:
        if severity_rank(rule.severity) > limit:
            continue
        for finding, entries in findings(rule):
            reason = suppression_reason(entries, rule)
            if reason is None:
                result.findings.append(finding)
            else:
                result.suppressed.append(Suppressed(finding, reason))
    result.findings = assign_causes(sorted(result.findings, key=Finding.sort_key))
    result.suppressed.sort(key=lambda x: x.finding.sort_key())
    return result


def suppression_reason(entries: Iterable[dict[str, str]], rule: Rule) -> str | None:
    """The reason of the first ``suppress`` entry naming ``rule`` (by name or code), or None.

    >>> from bscalign.queries.registry import get_rule
    >>> entries = [{"rule": "BSC101", "reason": "listed elsewhere"}]
    >>> suppression_reason(entries, get_rule("orphan-kpi"))
    'listed elsewhere'
    """
    for entry in entries:
        if entry["rule"] in (rule.name, rule.code):
            return entry["reason"]
    return None
