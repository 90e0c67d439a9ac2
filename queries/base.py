"""What every audit rule is made of: its metadata, its findings and what it can look at."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from operator import contains
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import networkx as nx

from bscalign.graph import schema as s
from bscalign.graph.access import PlanIndex
from bscalign.graph.build import city_plan_of
from bscalign.graph.causality import group_by_theme
from bscalign.graph.records import PlanNode

T = TypeVar("T")

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)  # most severe first


def severity_rank(severity: str) -> int:
    """0 for error, 1 for warning, 2 for info (lower is more severe)."""
    return SEVERITIES.index(severity)


LANGUAGES = ("en", "zh-TW")


@dataclass(frozen=True)
class Text:
    """A message in English and Traditional Chinese (every finding exists in both)."""

    en: str
    zh: str

    def __str__(self) -> str:
        return self.en

    def format(self, **fields: object) -> Text:
        """This text as a template (``str.format`` fields) filled in; a field that is a
        :class:`Text` gives each language its own wording.

        The rule's Cypher twin builds the same message from the same template
        (:func:`bscalign.queries.twin.text`).

        >>> Text("{code} has no KPI{why}", "{code} 沒有 KPI{why}").format(
        ...     code="AC1", why=Text(" (new)", "（新增）")).zh
        'AC1 沒有 KPI（新增）'
        """

        def language(index: int) -> dict[str, object]:
            return {
                key: (value.en, value.zh)[index] if isinstance(value, Text) else value
                for key, value in fields.items()
            }

        return Text(self.en.format(**language(0)), self.zh.format(**language(1)))


#: How messages name each coded kind (``KPI``, ``策略目標``...).
KIND_NAMES = {kind: Text(*names) for kind, names in s.KIND_NAMES.items()}


@dataclass(frozen=True)
class Finding:
    """One thing that does not hang together, about one subject of one plan.

    ``subject`` is the code the finding is about (for an upward link: the agency
    objective's code; for a whole plan: the plan id). ``node`` is the graph node concerned
    and ``edge`` the ``(u, v, kind)`` edge concerned when the finding is about a link (for a
    dangling link ``v`` is the id the missing city objective would have), for views; neither
    is part of the JSON contract. ``cause`` is the ``(rule code, subject)`` of the root
    finding this one follows from, None for a root; it is set after the rules ran, by
    :func:`bscalign.queries.causes.assign_causes`.
    """

    rule: str
    name: str
    severity: str
    plan: str
    subject: str
    message: str
    suggestion: str | None = None
    source: str = ""
    node: str | None = field(default=None, compare=False)
    edge: tuple[str, str, str] | None = field(default=None, compare=False)
    message_zh: str = field(default="", compare=False)
    cause: tuple[str, str] | None = field(default=None, compare=False)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``en`` or ``zh-TW``)."""
        return self.message_zh if lang == "zh-TW" and self.message_zh else self.message

    def sort_key(self) -> tuple[str, str, str, str]:
        """Deterministic order: plan, rule code, subject, message."""
        return (self.plan, self.rule, self.subject, self.message)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """The finding in the JSON contract of ``bscalign audit`` (message in ``lang``)."""
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "plan": self.plan,
            "subject": self.subject,
            "message": self.text(lang),
            "suggestion": self.suggestion,
            "source": self.source,
            "cause": None
            if self.cause is None
            else {"rule": self.cause[0], "subject": self.cause[1]},
        }


@dataclass(frozen=True)
class Rule:
    """An audit rule: a stable code, a kebab-case name, a severity and a check.

    The documentation is the docstring of the rule's module: a first-line summary, then
    what it checks, why it matters to a planner, an example and how to fix.
    """

    code: str
    name: str
    severity: str
    check: Callable[[AuditContext], Iterator[Finding]]
    module: ModuleType

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.module.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""

    @property
    def cypher_path(self) -> Path:
        """Where the rule's Cypher twin lives, if it has one (beside its module)."""
        return Path(self.module.__file__ or "").with_suffix(".cypher")

    @property
    def cases_path(self) -> Path:
        """The rule's data file of passing and failing cases."""
        return Path(self.module.__file__ or "").parent / "cases" / f"{self.name}.yaml"

    def finding(
        self,
        node: dict[str, Any],
        message: Text,
        *,
        suggestion: str | None = None,
        node_id: str | None = None,
        source: str | None = None,
        edge: tuple[str, str, str] | None = None,
    ) -> Finding:
        """A finding of this rule about a coded node (or a Plan node)."""
        if node["kind"] == s.PLAN:
            plan, subject = node["id"], node["id"]
        else:
            plan, subject = node["plan"], node["code"]
        return Finding(
            rule=self.code,
            name=self.name,
            severity=self.severity,
            plan=plan,
            subject=subject,
            message=message.en,
            message_zh=message.zh,
            suggestion=suggestion,
            source=node.get("source", "") if source is None else source,
            node=node_id,
            edge=edge,
        )


@dataclass
class AuditContext:
    """The graph under audit and the questions most rules ask of it."""

    graph: nx.MultiDiGraph
    causal_order: str = s.DEFAULT_CAUSAL_ORDER
    _answers: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def index(self) -> PlanIndex:
        """The coded nodes grouped by kind and plan (rules ask per plan)."""
        return PlanIndex(self.graph)

    def nodes(self, kind: str, plan: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(node_id, attrs)`` of one kind (optionally of one plan), sorted by id (read only)."""
        return self.index.nodes(kind, plan)

    def coded_nodes(self) -> Iterator[tuple[str, list[tuple[str, dict[str, Any]]]]]:
        """``(kind, nodes)`` for theme, objective, KPI and action plan in turn, ``nodes``
        as :meth:`nodes` gives them (a list per kind: rules walk a million nodes, and a
        generator resumed per node costs more than the rule's own test of most of them)."""
        for kind in s.CODED_KINDS:
            yield kind, self.index.nodes(kind)

    def plan_counts(self, plan: str) -> dict[str, int]:
        """A plan's themes, objectives, KPIs and action plans (keyed like declared totals)."""
        return self.index.counts(plan)

    def objectives_by_theme(self, plan: str) -> dict[str, dict[str, list[str]]]:
        """Theme -> perspective -> objective node ids (sorted) of one plan."""
        return group_by_theme(self.index.in_graph_order(s.OBJECTIVE, plan))

    @cached_property
    def plans(self) -> list[PlanNode]:
        return self.index.plans()

    @cached_property
    def agency_plans(self) -> list[PlanNode]:
        return [p for p in self.plans if p["level"] == s.AGENCY]

    @cached_property
    def answering_plans(self) -> list[tuple[PlanNode, str]]:
        """Each agency plan whose city plan is loaded, with that city plan's id."""
        pairs = ((plan, self.city_plan(plan["id"])) for plan in self.agency_plans)
        return [(plan, city) for plan, city in pairs if city is not None]

    def city_plan(self, agency_plan: str) -> str | None:
        """The loaded city plan an agency plan answers to (same city, same year), or None."""
        return city_plan_of(self.graph, agency_plan)

    def is_agency(self, plan: str) -> bool:
        return self.graph.nodes[s.plan_node_id(plan)]["level"] == s.AGENCY

    def out_neighbors(self, node: str, kind: str) -> list[str]:
        """Targets of ``node``'s edges of one kind, sorted."""
        return _sorted_of_kind(self._out[node], kind)

    def out_edges(self, node: str) -> dict[str, dict[str, Any]]:
        """``node``'s targets -> edge kinds -> edge attributes (read only)."""
        return self._out[node]

    def in_neighbors(self, node: str, kind: str) -> list[str]:
        """Sources of edges of one kind into ``node``, sorted."""
        return _sorted_of_kind(self._in[node], kind)

    def has_out(self, node: str, kind: str) -> bool:
        """Whether ``node`` has an edge of one kind (told without listing the targets).

        >>> from bscalign.graph.build import PlanGraphBuilder
        >>> b = PlanGraphBuilder()
        >>> kpi = b.add_kpi("局@111", "AC1.1", "件數", source="x:2", place="map", objective="AC1")
        >>> ctx = AuditContext(b.graph)
        >>> ctx.has_out(kpi, s.MEASURES), ctx.has_in(kpi, s.SUPPORTS)
        (True, False)
        """
        return _has_kind(self._out[node], kind)

    def has_in(self, node: str, kind: str) -> bool:
        """Whether an edge of one kind enters ``node``."""
        return _has_kind(self._in[node], kind)

    def remember(self, question: Callable[..., T], *args: Hashable) -> T:
        """``question(self, *args)``, asked once per context: the graph does not change
        under an audit, so rules asking the same (routes, working groups) share the answer.

        >>> from bscalign.graph.build import PlanGraphBuilder
        >>> ctx = AuditContext(PlanGraphBuilder().graph)
        >>> asked = []
        >>> def plans_named(ctx, name):
        ...     asked.append(name)
        ...     return [p for p in ctx.plans if p["organization"] == name]
        >>> ctx.remember(plans_named, "局"), ctx.remember(plans_named, "局"), asked
        ([], [], ['局'])
        """
        key = (question, *args)
        if key not in self._answers:
            self._answers[key] = question(self, *args)
        return self._answers[key]

    @cached_property
    def _out(self) -> dict[str, Any]:
        # node -> neighbour -> edge kind -> attributes: networkx's own adjacency dicts, read
        # only (the builder writes them directly too). Rules ask millions of times: a view
        # built per question costs a quarter of the audit, a copy of the outer dict 0.6 s at
        # 8,800 scorecards (and a copy by kind 500 MB)
        return self.graph._succ

    @cached_property
    def _in(self) -> dict[str, Any]:
        return self.graph._pred

    def code_of(self, node: str) -> str:
        return self.graph.nodes[node]["code"]


def _has_kind(adjacency: dict[str, dict[str, Any]], kind: str) -> bool:
    # map() rather than a generator: asked for every KPI, and a generator costs a third more
    return any(map(contains, adjacency.values(), repeat(kind)))


def _sorted_of_kind(adjacency: dict[str, dict[str, Any]], kind: str) -> list[str]:
    # most nodes have one neighbour of a kind: sort only when there is something to order
    found = [v for v, keys in adjacency.items() if kind in keys]
    if len(found) > 1:
        found.sort()
    return found
