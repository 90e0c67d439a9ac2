"""bscalign YAML: the canonical hand-written format, read and written.

One file holds one or more plans::

    bscalign: 1
    plans:
    - organization: 臺北市政府兵役局
      year: '111'
      level: agency            # or city
      city: 臺北市政府          # the city whose map an agency plan answers to
      declared: {themes: 3, objectives: 16, kpis: 17, action_plans: 21}
      themes:
      - {code: C, name: 協調國軍支援}
      objectives:
      - code: CC1
        name: 優化防災應變機制
        aligns_to: [{code: GP6, name: 優化緊急救護及防災應變機制}]
        causes: []             # objectives this one drives (cause -> effect)
      kpis:
      - {code: CC1.1, name: 國軍與替代役支援災防演訓及救災達成率, objective: CC1,
         city_kpi_refs: [GP6.2]}
      action_plans:
      - {code: CC1.1.1, name: 臺北市政府兵役局協調國軍支援災害防救作業計畫, supports: [CC1.1]}

City plans list their theme groups on the themes (``lead`` and ``members``). Any coded
entry may carry ``also_named`` (other name variants seen), flags (``new``; on KPIs also
``wccd`` and ``city_kpi``) and ``suppress: [{rule: orphan-kpi, reason: ...}]``. The JSON
Schema ``bscalign/schema/bscalign-plans.schema.json`` describes the same format for editors.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import yaml

from bscalign.graph import fields
from bscalign.graph import schema as s
from bscalign.graph.access import PlanIndex, plans
from bscalign.graph.build import PlanGraphBuilder
from bscalign.graph.records import CodedNode, PlanNode
from bscalign.loaders import limits
from bscalign.loaders.problems import InputError, Problem

FORMAT_VERSION = 1
LINE = "__line__"
#: YAML section -> the kind of its entries.
SECTIONS = {section: kind for kind, section in fields.SECTIONS.items()}
PLAN_KEYS = {*fields.yaml_keys(s.PLAN), *SECTIONS}
ENTRY_KEYS = {kind: set(fields.yaml_keys(kind)) for kind in SECTIONS.values()}
DECLARED_KEYS = fields.DECLARED_KEYS


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader (libyaml's when PyYAML has it) that remembers each mapping's line and
    the line of each item of a list."""


class _Items(list):  # type: ignore[type-arg]
    """A YAML list that knows the line of each item (for problems about an item)."""

    lines: list[int]


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


def _sequence_with_lines(loader: _LineLoader, node: yaml.SequenceNode) -> _Items:
    items = _Items(loader.construct_sequence(node, deep=True))
    items.lines = [item.start_mark.line + 1 for item in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence_with_lines)


def _load_document(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse ``text`` (libyaml when available), check its shape, then build Python values.

    The node tree is checked before anything is constructed: aliases that would expand it
    past :data:`~bscalign.loaders.limits.MAX_ALIAS_NODES` ("billion laughs"), a recursive
    alias or nesting deeper than :data:`~bscalign.loaders.limits.MAX_YAML_DEPTH` raise
    :class:`InputError`; a key written twice in one mapping is a problem (YAML keeps the
    last one, so the first would be lost unseen).
    """
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        problems = _check_tree(node, file)
        return loader.construct_document(node), problems
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(file, f"not valid YAML: {getattr(err, 'problem', err)}", line) from None
    except RecursionError:
        raise InputError(
            file, f"YAML nested too deeply (limit {limits.MAX_YAML_DEPTH} levels)"
        ) from None
    finally:
        loader.dispose()


def _check_tree(root: yaml.Node, file: str) -> list[Problem]:
    """Walk each distinct node once: expanded size, depth, cycles and duplicate keys."""
    expanded: dict[int, int] = {}  # id(node) -> nodes it stands for once aliases expand
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    problems: list[Problem] = []
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            on_path.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            if depth[key] > limits.MAX_YAML_DEPTH:
                raise InputError(
                    file,
                    f"YAML nested more than {limits.MAX_YAML_DEPTH} levels deep (the limit)",
                    node.start_mark.line + 1,
                )
            continue
        if key in expanded:
            continue
        if key in on_path:
            raise InputError(file, "a YAML alias refers to itself", node.start_mark.line + 1)
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            problems += _duplicate_keys(node, file)
        stack.extend((child, False) for child in children if id(child) not in expanded)
        if len(on_path) > limits.MAX_YAML_DEPTH:
            raise InputError(
                file,
                f"YAML nested more than {limits.MAX_YAML_DEPTH} levels deep (the limit)",
                node.start_mark.line + 1,
            )
    added = expanded[id(root)] - len(expanded)
    if added > limits.MAX_ALIAS_NODES:
        raise InputError(
            file,
            f"YAML aliases expand the document by {added:,} values beyond those written "
            f"(limit {limits.MAX_ALIAS_NODES:,})",
        )
    return problems


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _duplicate_keys(node: yaml.MappingNode, file: str) -> list[Problem]:
    first_line: dict[str, int] = {}
    problems = []
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        line = key_node.start_mark.line + 1
        if key_node.value in first_line:
            problems.append(
                Problem(
                    file,
                    line,
                    f"key {key_node.value!r} written twice in one mapping (first at line "
                    f"{first_line[key_node.value]}); YAML keeps only this one, the first "
                    "is not loaded",
                )
            )
        else:
            first_line[key_node.value] = line
    return problems


def looks_like_yaml_plans(text: str) -> bool:
    """Tell whether ``text`` is bscalign YAML (it has a top-level ``bscalign:`` key)."""
    return any(line.startswith("bscalign:") for line in text.lstrip("\ufeff").splitlines()[:50])


def parse_yaml_plans(text: str, file: str, builder: PlanGraphBuilder) -> list[Problem]:
    """Load the plans of one bscalign YAML document into ``builder``.

    Every bad entry is reported with its line; good entries still load. A document that
    is not YAML at all raises :class:`InputError`.

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> doc = '''
    ... bscalign: 1
    ... plans:
    ... - organization: 臺北市政府消防局
    ...   year: '108'
    ...   kpis:
    ...   - {code: AC1.1, name: 燒燬事故商品鑑識通報率, objective: AC1}
    ...   - {code: AC1.2, nme: typo}
    ... '''
    >>> for problem in parse_yaml_plans(doc, "fire.yaml", b):
    ...     print(problem)  # doctest: +ELLIPSIS
    fire.yaml:8: KPI entry has unknown key 'nme' (expected one of: also_named, ...)
    """
    document, problems = _load_document(text, file)
    reader = EntryReader(file, builder)
    reader.problems += problems
    if not isinstance(document, dict) or "bscalign" not in document:
        raise InputError(file, "not bscalign YAML: expected a top-level 'bscalign: 1' key", 1)
    if document.get("bscalign") != FORMAT_VERSION:
        reader.problem(document, f"unsupported format version {document.get('bscalign')!r}")
    entries = document.get("plans")
    if not isinstance(entries, list):
        reader.problem(document, "expected 'plans:' with a list of plans")
        return reader.problems
    for number, entry in enumerate(entries):
        reader.plan(entry, _item_line(entries, number))
    return reader.problems


class EntryReader:
    """Load plan and section entries shaped like bscalign YAML (dicts with ``__line__``).

    Shared with the spreadsheet loader, whose rows become the same entries; ``place``
    names where the entries were written (``yaml``, ``sheet``).
    """

    def __init__(self, file: str, builder: PlanGraphBuilder, place: str = "yaml") -> None:
        self.file = file
        self.builder = builder
        self.place = place
        self.problems: list[Problem] = []

    def problem(self, entry: Any, message: str, line: int | None = None) -> None:
        if line is None:
            line = entry.get(LINE, 1) if isinstance(entry, dict) else 1
        self.problems.append(Problem(self.file, line, message))

    def source(self, entry: dict[str, Any]) -> str:
        return f"{self.file}:{entry.get(LINE, 1)}"

    def plan(self, entry: Any, line: int | None = None) -> None:
        if not isinstance(entry, dict):
            self.problem(entry, "a plan must be a mapping with organization and year", line)
            return
        if self._oversized(entry, "plan"):
            return
        self._known_keys(entry, PLAN_KEYS, "plan")
        organization, year = self.text(entry, "organization"), self.text(entry, "year")
        if not organization or not year:
            self.problem(entry, "a plan needs 'organization' (text) and 'year'; plan not loaded")
            return
        level = self.text(entry, "level") or s.AGENCY
        if level not in (s.CITY, s.AGENCY):
            self.problem(entry, f"level must be 'city' or 'agency', not {level!r}")
            level = s.AGENCY
        city = self.text(entry, "city")
        plan = self.builder.add_plan(
            organization, year, level, city=city, source=self.source(entry)
        )
        for key, total in _mapping(entry.get("declared")).items():
            if key in DECLARED_KEYS and _is_count(total):
                self.builder.declare(plan, key, total)
            elif key != LINE:
                self.problem(entry, f"declared {key!r}: expected one of {DECLARED_KEYS} -> int")
        for section, kind in SECTIONS.items():
            items = entry.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                self.problem(entry, f"'{section}' must be a list, got {_type_name(items)}")
                continue
            for number, item in enumerate(items):
                self.entry(plan, kind, item, _item_line(items, number))

    def entry(self, plan: str, kind: str, item: Any, line: int | None = None) -> None:
        if not isinstance(item, dict):
            self.problem(
                item,
                f"{kind} entry must be a mapping (code: ..., name: ...), got "
                f"{_type_name(item)} {_shown(item)}; not loaded",
                line,
            )
            return
        if self._oversized(item, kind):
            return
        self._known_keys(item, ENTRY_KEYS[kind], kind)
        code = self.text(item, "code")
        if not code or not code.strip():
            self.problem(item, f"{kind} entry without a 'code'; not loaded")
            return
        code = code.strip()
        name = self.text(item, "name")
        source = self.source(item)
        b = self.builder
        if kind == s.THEME:
            nid = b.add_theme(plan, code, name, source=source, place=self.place)
            for what, total in _mapping(item.get("declared")).items():
                if what in DECLARED_KEYS and _is_count(total):
                    b.declare(plan, what, total, theme=code)
            for link in self._codes(item, "aligns_to"):
                b.add_theme_link(plan, code, link, source=source)
            self._members(plan, code, item, source)
        elif kind == s.OBJECTIVE:
            perspective = self.text(item, "perspective")
            if perspective is not None and perspective not in s.PERSPECTIVES:
                self.problem(item, f"perspective must be one of C, P, L, F, not {perspective!r}")
                perspective = None
            nid = b.add_objective(
                plan,
                code,
                name,
                source=source,
                place=self.place,
                theme=self.text(item, "theme"),
                perspective=perspective,
                new=self.flag(item, "new"),
            )
            for link in _list(item.get("aligns_to")):
                self._upward_link(plan, code, link, item, source)
            for effect in self._codes(item, "causes"):
                b.add_cause(plan, code, effect, source=source)
        elif kind == s.KPI:
            objectives = self._codes(item, "objective")
            nid = b.add_kpi(
                plan,
                code,
                name,
                source=source,
                place=self.place,
                objective=objectives[0] if objectives else None,
                wccd=self.flag(item, "wccd"),
                city_kpi=self.flag(item, "city_kpi"),
                new=self.flag(item, "new"),
            )
            for also_measured in objectives[1:]:
                b.add_kpi(plan, code, None, source=source, place="implied", objective=also_measured)
            for ref in self._codes(item, "city_kpi_refs"):
                b.add_city_kpi_reference(plan, code, ref, source=source)
        else:
            nid = b.add_action_plan(
                plan,
                code,
                name,
                source=source,
                place=self.place,
                kpis=self._codes(item, "supports"),
            )
        for variant in self._codes(item, "also_named"):
            names = b.graph.nodes[nid]["names"]
            if variant not in names:
                names.append(variant)
        for suppression in _list(item.get("suppress")):
            rule = self.text(suppression, "rule") if isinstance(suppression, dict) else None
            if rule:
                b.suppress(nid, rule, self.text(suppression, "reason") or "")
            else:
                self.problem(item, "suppress entries need 'rule' (and a 'reason')")

    def _upward_link(
        self, plan: str, code: str, link: Any, item: dict[str, Any], source: str
    ) -> None:
        if isinstance(link, str):
            target, _, name = link.strip().partition(" ")
        elif isinstance(link, dict) and self.text(link, "code"):
            target, name = self.text(link, "code") or "", self.text(link, "name") or ""
        else:
            self.problem(item, "aligns_to entries are 'CODE name' or {code, name}")
            return
        raw = f"{target} {name}".strip()
        self.builder.add_upward_link(plan, code, target, name.strip(), source=source, raw=raw)

    def _members(self, plan: str, theme: str, item: dict[str, Any], source: str) -> None:
        for lead in self._codes(item, "lead"):
            self.builder.add_membership(lead, plan, theme, lead=True, source=source)
        for member in self._codes(item, "members"):
            self.builder.add_membership(member, plan, theme, lead=False, source=source)

    def _codes(self, item: dict[str, Any], key: str) -> list[str]:
        values = _list(item.get(key))
        if not all(_is_text(v) for v in values):
            wrong = next(v for v in values if not _is_text(v))
            self.problem(
                item, f"'{key}' must be a text or a list of texts, got {_type_name(wrong)}"
            )
            return []
        return [str(v).strip() for v in values if str(v).strip()]

    def text(self, item: dict[str, Any], key: str) -> str | None:
        """``item[key]`` as text (a whole number is read as its digits), None when absent;
        any other type is a problem naming the field, the type expected and the line."""
        value = item.get(key)
        if value is None or isinstance(value, str):
            return value
        if _is_text(value):
            return str(value)
        self.problem(item, f"'{key}' must be text, got {_type_name(value)}; not read")
        return None

    def flag(self, item: dict[str, Any], key: str) -> bool:
        """``item[key]`` as a flag: true, false or absent; anything else is a problem."""
        value = item.get(key)
        if value is None or isinstance(value, bool):
            return bool(value)
        self.problem(
            item,
            f"'{key}' must be true or false, got {_type_name(value)} {_shown(value)}; not read",
        )
        return False

    def _oversized(self, item: dict[str, Any], what: str) -> bool:
        """Report and refuse an entry holding a text longer than the limit."""
        for key, value in item.items():
            texts = value if isinstance(value, list) else [value]
            for text in texts:
                reason = isinstance(text, str) and limits.too_long(text, f"'{key}'")
                if reason:
                    self.problem(item, f"{reason}; {what} entry not loaded")
                    return True
        return False

    def _known_keys(self, item: dict[str, Any], allowed: set[str], what: str) -> bool:
        unknown = sorted(k for k in item if k != LINE and k not in allowed)
        for key in unknown:
            expected = ", ".join(sorted(allowed))
            self.problem(
                item, f"{what} entry has unknown key {key!r} (expected one of: {expected})"
            )
        return not unknown


def _is_text(value: Any) -> bool:
    """Text, or a whole number YAML read from digits (``year: 108``, ``code: 1``)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, float):
        return f"a decimal number ({value}; quote it to keep it as written)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else type(value).__name__


def _shown(value: Any) -> str:
    """A scalar as written, briefly (a collection is not spelled out)."""
    if isinstance(value, dict | list):
        return ""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _item_line(items: list[Any], number: int) -> int | None:
    lines = getattr(items, "lines", None)
    return lines[number] if lines else None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- writing -------------------------------------------------------------------------------


def dump_yaml_plans(graph: nx.MultiDiGraph, plan_ids: list[str] | None = None) -> str:
    """Write plans of ``graph`` as bscalign YAML (all plans unless ``plan_ids`` is given).

    Loading the result gives the same graph: the same nodes, names, flags, links and
    edges (only the sources differ: they point at the YAML).

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> p = b.add_plan("臺北市政府", "111", "city")
    >>> _ = b.add_objective(p, "GC2", "營造安全環境", source="x:1", place="map")
    >>> print(dump_yaml_plans(b.graph))  # doctest: +NORMALIZE_WHITESPACE
    bscalign: 1
    plans:
    - organization: 臺北市政府
      year: '111'
      level: city
      themes:
      - {code: G}
      objectives:
      - {code: GC2, name: 營造安全環境}
    <BLANKLINE>
    """
    wanted = set(plan_ids) if plan_ids is not None else None
    index = PlanIndex(graph)
    out = [
        plan_document(graph, plan, index)
        for plan in plans(graph)
        if wanted is None or plan["id"] in wanted
    ]
    return yaml.dump(
        {"bscalign": FORMAT_VERSION, "plans": out},
        Dumper=_FlowDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )


class _FlowDumper(yaml.SafeDumper):
    """Entries as one-line mappings where they are flat, blocks where they nest."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.MappingNode:
    flat = all(not isinstance(v, dict | list) or _is_flat_list(v) for v in data.values())
    return dumper.represent_mapping(
        "tag:yaml.org,2002:map", data, flow_style=flat and "code" in data
    )


def _is_flat_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


_FlowDumper.add_representer(dict, _represent_dict)


def plan_document(
    graph: nx.MultiDiGraph, plan: PlanNode, index: PlanIndex | None = None
) -> dict[str, Any]:
    """Return one plan (its Plan node's attributes) as the mapping bscalign YAML writes.

    Writing many plans, pass one :class:`~bscalign.graph.access.PlanIndex` of the graph:
    without it each call indexes the whole graph again.
    """
    index = index if index is not None else PlanIndex(graph)
    pid = plan["id"]
    doc: dict[str, Any] = {
        "organization": plan["organization"],
        "year": plan["year"],
        "level": plan["level"],
    }
    if plan["level"] == s.AGENCY and plan.get("city"):
        doc["city"] = plan["city"]
    if plan.get("declared"):
        doc["declared"] = dict(plan["declared"])
    for section, kind in SECTIONS.items():
        entries = []
        coded = index.in_graph_order(kind, pid)
        for nid, data in sorted(coded, key=lambda n: s.code_order(n[1]["code"])):
            entries.extend(_entries(graph, nid, data))
        if entries:
            doc[section] = entries
    return doc


def _entries(graph: nx.MultiDiGraph, nid: str, data: CodedNode) -> list[dict[str, Any]]:
    """One entry per distinct thing the code stands for (a duplicate code stays duplicate)."""
    kind = data["kind"]
    base: dict[str, Any] = {"code": data["code"]}
    out = graph.out_edges(nid, keys=True, data=True)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, target, key, _attrs in out:
        by_kind[key].append(graph.nodes[target])
    if kind == s.OBJECTIVE:
        shape = s.OBJECTIVE_CODE.match(data["code"])
        implied_theme = shape["theme"] if shape and not data["code"].startswith("T") else None
        if data.get("theme") != implied_theme:
            base["theme"] = data.get("theme")
        if data.get("perspective") and (not shape or shape["perspective"] != data["perspective"]):
            base["perspective"] = data["perspective"]
    fields: dict[str, Any] = {}
    if kind == s.THEME:
        if data.get("declared"):
            fields["declared"] = dict(data["declared"])
        if data.get("links"):
            fields["aligns_to"] = [link["code"] for link in data["links"]]
        members = [
            (graph.nodes[u]["name"], attrs.get("lead", False))
            for u, _, attrs in graph.in_edges(nid, data=True)
            if attrs["kind"] == s.MEMBER_OF
        ]
        leads = [name for name, lead in members if lead]
        if leads:
            fields["lead"] = leads[0] if len(leads) == 1 else leads
        if any(not lead for _, lead in members):
            fields["members"] = [name for name, lead in members if not lead]
    elif kind == s.OBJECTIVE:
        if data.get("new"):
            fields["new"] = True
        if data.get("links"):
            fields["aligns_to"] = [
                {"code": link["code"], "name": link["name"]} if link["name"] else link["code"]
                for link in data["links"]
            ]
        causes = sorted(
            graph.nodes[v]["code"]
            for _, v, k, attrs in out
            if k == s.CAUSES and not attrs.get("inferred")
        )
        if causes:
            fields["causes"] = causes
    elif kind == s.KPI:
        measured = sorted(n["code"] for n in by_kind[s.MEASURES])
        if measured:
            fields["objective"] = measured[0] if len(measured) == 1 else measured
        for flag in ("wccd", "city_kpi", "new"):
            if data.get(flag):
                fields[flag] = True
        if data.get("city_kpi_refs"):
            fields["city_kpi_refs"] = list(data["city_kpi_refs"])
    elif kind == s.ACTION_PLAN:
        supports = sorted(n["code"] for n in by_kind[s.SUPPORTS])
        if supports:
            fields["supports"] = supports
    if data.get("suppress"):
        fields["suppress"] = [dict(x) for x in data["suppress"]]

    variants = _distinct_things(data)
    entries = []
    for index, name in enumerate(variants):
        entry = dict(base)
        if name:
            entry["name"] = name
        if index == 0:
            others = [n for n in data["names"] if n not in variants]
            if others:
                entry["also_named"] = others
            entry.update(fields)
        entries.append(entry)
    return entries


def _distinct_things(data: dict[str, Any]) -> list[str]:
    """Names of the different things a code was used for in one place (usually one)."""
    by_place: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for occurrence in data["occurrences"]:
        thing = (occurrence["name"], occurrence["parent"])
        if thing not in by_place[occurrence["place"]]:
            by_place[occurrence["place"]].append(thing)
    duplicated = max(by_place.values(), key=len, default=[])
    if len(duplicated) > 1:
        return [name for name, _ in duplicated]
    return [data["name"]]
