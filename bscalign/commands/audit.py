"""`bscalign audit`: run the alignment audit and print its findings."""

from __future__ import annotations

import sys

import click

from bscalign.commands.options import (
    EXIT_OK,
    EXIT_PROBLEMS,
    AuditChoices,
    audit_options,
    causal_order_option,
    emit,
    inputs,
)
from bscalign.loaders import LoadResult
from bscalign.output import Output, Table
from bscalign.queries.base import severity_rank
from bscalign.queries.causes import consequences, roots
from bscalign.queries.engine import AuditResult, audit


@click.command(name="audit")
@inputs
@audit_options
@causal_order_option
def audit_command(result: LoadResult, choices: AuditChoices, causal_order: str) -> None:
    """Run the alignment audit and report every finding.

    Findings are sorted (plan, rule, subject) so two runs give identical output. An
    agency plan is checked against the city plan of its year loaded in the same run.
    Findings suppressed in YAML input are counted and listed separately. A finding that
    follows from another (JSON: its "cause") is listed right under its root in tables.

    Example: bscalign audit ../shared/seeds --format json --min-severity warning
    """
    report = audit(
        result.graph,
        choices.rules(),
        causal_order=causal_order,
        min_severity=choices.min_severity,
    )
    report_audit(report, choices)


def report_audit(report: AuditResult, choices: AuditChoices) -> None:
    """Print an audit's findings in the chosen format and language; exit 1 if one is at least
    as severe as --fail-on."""
    lang, fail_on = choices.lang, choices.fail_on
    summary = report.summary()
    document = {
        "findings": [f.as_dict(lang) for f in report.findings],
        "suppressed": [x.as_dict(lang) for x in report.suppressed],
        "summary": summary,
    }
    # tables: each root, then the findings that follow from it beneath it (JSON: sorted)
    follows = consequences(report.findings)
    rows = []
    for root in roots(report.findings):
        rows.append({**root.as_dict(lang), "cause": ""})
        for f in follows.get((root.plan, root.rule, root.subject), []):
            rows.append({**f.as_dict(lang), "cause": f"↳ {f.cause[0]} {f.cause[1]}"})
        follows.pop((root.plan, root.rule, root.subject), None)
    rows += [{**f.as_dict(lang), "cause": ""} for group in follows.values() for f in group]
    columns = ["severity", "rule", "name", "plan", "subject", "message", "suggestion", "source"]
    columns += ["cause"] if any(f.cause for f in report.findings) else []
    severities = ", ".join(f"{n} {sev}" for sev, n in summary["by_severity"].items())
    folded = sum(f.cause is not None for f in report.findings)
    note = (
        f"{summary['total']} findings ({severities})"
        + (f", {folded} of them listed under the root they follow from" if folded else "")
        + f"; {summary['suppressed']} suppressed; "
        f"{summary['inferred_cause_effect_edges']} cause-effect edges inferred"
    )
    emit(Output(document, [Table(columns, rows)], [note]), choices.fmt)
    worst = report.worst()
    failed = (
        fail_on != "never" and worst is not None and severity_rank(worst) <= severity_rank(fail_on)
    )
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)
