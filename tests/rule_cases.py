"""Load the rules' case files (``queries/cases/<rule-name>.yaml``) as graphs to audit.

Shared by the embedded-engine test and any other engine that must agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import yaml

from bscalign.graph.build import PlanGraphBuilder, resolve_links
from bscalign.loaders.yamlplans import parse_yaml_plans
from bscalign.queries.base import Rule
from bscalign.queries.registry import RULES


@dataclass(frozen=True)
class RuleCase:
    """One case of one rule: plans to load, subjects that must and must not be reported,
    and the suggestions some of them must carry."""

    rule: Rule
    name: str
    plans: list[dict[str, Any]]
    fail: frozenset[str]
    passing: frozenset[str]
    #: the suggestion expected for some of the subjects reported
    suggest: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.rule.name}: {self.name}"

    def graph(self) -> nx.MultiDiGraph:
        """The case's plans loaded like any YAML input (no load problems allowed)."""
        builder = PlanGraphBuilder()
        document = yaml.safe_dump({"bscalign": 1, "plans": self.plans}, allow_unicode=True)
        problems = parse_yaml_plans(document, f"{self.rule.name}.yaml", builder)
        assert not problems, [str(p) for p in problems]
        return resolve_links(builder.graph)


def rule_cases() -> list[RuleCase]:
    """Every case of every registered rule, in registry order."""
    cases = []
    for rule in RULES:
        document = yaml.safe_load(rule.cases_path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            cases.append(
                RuleCase(
                    rule=rule,
                    name=case["name"],
                    plans=case["plans"],
                    fail=frozenset(map(str, case.get("fail", []))),
                    passing=frozenset(map(str, case.get("pass", []))),
                    suggest={str(k): str(v) for k, v in case.get("suggest", {}).items()},
                )
            )
    return cases
