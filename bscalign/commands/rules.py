"""`bscalign rules`, `rule` and `cypher`: the audit rules' list, documentation and Cypher twins."""

from __future__ import annotations

import sys

import click

from bscalign.commands.options import EXIT_PROBLEMS, EXIT_USAGE, emit, output_format
from bscalign.output import Output, Table
from bscalign.queries.base import Rule
from bscalign.queries.registry import RULES, get_rule


@click.command(name="rules")
@output_format()
def rules_command(fmt: str) -> None:
    """List every audit rule: code, name, severity and summary.

    Example: bscalign rules --format markdown
    """
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "severity": r.severity,
            "cypher": r.cypher_path.exists(),
            "summary": r.summary,
        }
        for r in RULES
    ]
    columns = ["code", "name", "severity", "cypher", "summary"]
    emit(Output({"rules": rows}, [Table(columns, rows)]), fmt)


def _rule_or_exit(name_or_code: str) -> Rule:
    """The rule with this name or code, or exit 2 with a one-line error."""
    try:
        return get_rule(name_or_code)
    except KeyError as err:
        click.echo(f"bscalign: error: {err.args[0]}", err=True)
        sys.exit(EXIT_USAGE)


@click.command(name="rule")
@click.argument("name_or_code")
def rule_command(name_or_code: str) -> None:
    """Print one rule's documentation (what it checks, why, an example, how to fix).

    Example: bscalign rule dangling-upward-link
    """
    rule = _rule_or_exit(name_or_code)
    click.echo(f"{rule.name} ({rule.code}, default severity {rule.severity})\n")
    click.echo(rule.doc)
    if rule.cypher_path.exists():
        click.echo(f"\nIn Neo4j: `bscalign cypher {rule.name}` prints its Cypher twin.")


@click.command(name="cypher")
@click.argument("name_or_code")
def cypher_command(name_or_code: str) -> None:
    """Print a rule's Cypher twin: the query that finds the same in Neo4j.

    Paste it into Neo4j Browser after `bscalign neo4j push` (its header says which
    parameters to set with :param). Exit code 1 for a rule that has no Cypher twin.

    Example: bscalign cypher dangling-upward-link
    """
    rule = _rule_or_exit(name_or_code)
    if not rule.cypher_path.exists():
        click.echo(
            f"bscalign: {rule.name} has no Cypher twin (`bscalign rule {rule.name}` says why)",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    click.echo(rule.cypher_path.read_text(encoding="utf-8"), nl=False)
