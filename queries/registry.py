"""The registered audit rules: an explicit list, in code order (no discovery by glob)."""

from __future__ import annotations

from bscalign.queries import (
    broken_cause_effect_chain,
    dangling_upward_link,
    declared_total_mismatch,
    duplicate_code,
    kpi_without_action_plan,
    malformed_code,
    missing_upward_link,
    name_drift,
    objective_without_kpi,
    orphan_kpi,
    perspective_mismatch,
    uncovered_city_objective,
    unlinked_to_city,
    upward_name_mismatch,
)
from bscalign.queries.base import Rule

RULES: tuple[Rule, ...] = (
    orphan_kpi.RULE,
    kpi_without_action_plan.RULE,
    objective_without_kpi.RULE,
    dangling_upward_link.RULE,
    missing_upward_link.RULE,
    unlinked_to_city.RULE,
    upward_name_mismatch.RULE,
    perspective_mismatch.RULE,
    uncovered_city_objective.RULE,
    broken_cause_effect_chain.RULE,
    malformed_code.RULE,
    duplicate_code.RULE,
    name_drift.RULE,
    declared_total_mismatch.RULE,
)


def get_rule(name_or_code: str) -> Rule:
    """Return the rule with this kebab-case name or code (``orphan-kpi`` or ``BSC101``).

    >>> get_rule("bsc101").name
    'orphan-kpi'
    """
    wanted = name_or_code.strip()
    for rule in RULES:
        if wanted in (rule.name, rule.code) or wanted.upper() == rule.code:
            return rule
    raise KeyError(f"no rule named {name_or_code!r} (see `bscalign rules`)")


def select_rules(select: list[str] | None = None, ignore: list[str] | None = None) -> list[Rule]:
    """The rules to run: ``select`` (names, codes or code prefixes like ``BSC2``) minus
    ``ignore``; all rules when ``select`` is empty.

    >>> [r.code for r in select_rules(["BSC10"], ["kpi-without-action-plan"])]
    ['BSC101', 'BSC103']
    """

    def matches(rule: Rule, patterns: list[str]) -> bool:
        return any(p == rule.name or rule.code.startswith(p.upper()) for p in patterns if p.strip())

    chosen = [r for r in RULES if not select or matches(r, select)]
    return [r for r in chosen if not ignore or not matches(r, ignore)]
