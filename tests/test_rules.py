"""Every registered rule: documented, with cases, and its cases give exactly what they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rule_cases import RuleCase, rule_cases

from bscalign.queries.base import SEVERITIES
from bscalign.queries.engine import audit
from bscalign.queries.registry import RULES, get_rule, select_rules

SECTIONS = ("What it checks", "Why it matters", "Example", "How to fix")


@pytest.mark.parametrize("case", rule_cases(), ids=lambda c: c.id)
def test_rule_case(case: RuleCase) -> None:
    findings = audit(case.graph(), [case.rule]).findings
    reported = {f.subject for f in findings}
    assert reported == case.fail, [f.message for f in findings]
    assert not reported & case.passing
    suggested = {f.subject: f.suggestion for f in findings if f.subject in case.suggest}
    assert suggested == case.suggest
    assert all(f.name == case.rule.name and f.rule == case.rule.code for f in findings)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_is_documented_and_has_cases(rule) -> None:
    assert re.fullmatch(r"BSC\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    assert rule.severity in SEVERITIES
    for section in SECTIONS:
        assert f"\n{section}\n" in f"\n{rule.doc}\n", f"{rule.name} lacks '{section}'"
    assert rule.cases_path.exists(), f"{rule.name} has no case file"
    cases = [c for c in rule_cases() if c.rule is rule]
    assert any(c.fail for c in cases), f"{rule.name} has no failing case"
    assert any(c.passing for c in cases), f"{rule.name} has no passing case"


def test_codes_and_names_are_unique() -> None:
    assert len({r.code for r in RULES}) == len({r.name for r in RULES}) == len(RULES)


def test_lookup_and_selection() -> None:
    assert get_rule("BSC201") is get_rule("dangling-upward-link")
    with pytest.raises(KeyError):
        get_rule("no-such-rule")
    assert [r.name for r in select_rules(["BSC2"], ["BSC206", "unlinked-to-city"])] == [
        "dangling-upward-link",
        "missing-upward-link",
        "upward-name-mismatch",
        "perspective-mismatch",
    ]


def test_every_finding_speaks_both_languages(seeds) -> None:
    findings = audit(seeds.graph).findings
    assert findings
    for finding in findings:
        assert finding.message and finding.text("zh-TW") != finding.message
        assert re.search(r"[\u4e00-\u9fff]", finding.text("zh-TW"))


def test_readme_lists_every_rule_as_registered() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (BSC\d{3}) \| `([a-z-]+)` \| (\w+) \|", readme, re.M)
    assert listed == [(r.code, r.name, r.severity) for r in RULES]
