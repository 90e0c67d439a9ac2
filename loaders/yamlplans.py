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
from dataclasses import dataclass
from typing import Any

import networkx as nx
import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

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

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {
    MappingStartEvent: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    SequenceStartEvent: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
}
#: Types a plain scalar may resolve to that are built while reading (with PyYAML's own
#: constructors); any other (merge keys, ``=``) leaves the whole document to PyYAML.
_TYPES_BUILT_HERE = {
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "null", "timestamp")
}
#: First characters of plain scalars that PyYAML's resolvers may read as something else
#: than text (``yes``, ``108``, ``~``, ``<<``); any other plain scalar is text.
_TYPED_FIRST = frozenset(_LineLoader.yaml_implicit_resolvers)
_NO_KEY = object()
_LEFT_TO_PYYAML = object()


class _Open:
    """A mapping or list being read: its value so far and what the checks need of it."""

    __slots__ = ("anchor", "expanded", "height", "key", "keys", "line", "lines", "value")

    def __init__(self, value: Any, line: int, anchor: str | None, expanded: int) -> None:
        self.value = value
        self.line = line
        self.anchor = anchor
        self.expanded = expanded  # nodes read before this one, once aliases expand
        self.height = 0  # levels below this one, once aliases expand
        self.key = _NO_KEY  # a mapping's key whose value comes next
        self.keys: dict[str, int] | None = None  # a mapping's key texts -> their lines
        self.lines: list[int] | None = None  # a list's item lines


def _load_document(text: str, file: str) -> tuple[Any, list[Problem], bool]:
    """Parse ``text`` (libyaml when available), check its shape and build Python values.

    One pass over the parser's events checks and builds at once: aliases that would
    expand the document past :data:`~bscalign.loaders.limits.MAX_ALIAS_NODES` ("billion
    laughs"), a recursive alias or nesting deeper than
    :data:`~bscalign.loaders.limits.MAX_YAML_DEPTH` raise :class:`InputError` (after any
    error of YAML itself, which comes first); a key written twice in one mapping is a
    problem (YAML keeps the last one, so the first would be lost unseen). Mappings are
    dicts with their line under ``__line__``; lists know the line of each item. The
    rare document that needs more of YAML than text, numbers, flags and nulls in plain
    mappings and lists (tags, merge keys, dates that do not exist) passes the checks
    here, then is built by PyYAML's constructor, which raises its own errors.

    Returns the document, the problems, and whether any text in it may be longer than
    :data:`~bscalign.loaders.limits.MAX_TEXT_CHARS` (False spares looking for one).
    """
    loader = _LineLoader(text)
    try:
        document, problems, longest, needs_pyyaml = _read_events(loader, file)
        if needs_pyyaml:
            return _built_by_pyyaml(text), problems, True
        return document, problems, longest > limits.MAX_TEXT_CHARS
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(file, f"not valid YAML: {getattr(err, 'problem', err)}", line) from None
    finally:
        loader.dispose()


def _built_by_pyyaml(text: str) -> Any:
    loader = _LineLoader(text)
    try:
        return loader.construct_document(loader.get_single_node())
    finally:
        loader.dispose()


def _read_events(loader: _LineLoader, file: str) -> tuple[Any, list[Problem], int, bool]:
    """Build the document from ``loader``'s events; return it, its duplicate keys as
    problems, the length of its longest scalar, and whether PyYAML's constructor must
    build it instead."""
    next_event = loader.get_event
    problems: list[Problem] = []
    typed: dict[str, tuple[str, Any]] = {}  # plain scalar -> (its tag, its value)
    # name -> the _Open collection, then (value, expanded, height, line, key text) once read
    anchors: dict[str, Any] = {}
    path: list[_Open] = []
    depth = 0  # len(path)
    refusal: InputError | None = None  # the first bound broken, raised once YAML is read
    needs_pyyaml = False
    written = 0  # nodes written in the document (an alias writes none)
    longest = 0  # characters in the longest scalar
    expanded = 0  # nodes once aliases expand
    document: Any = None
    next_event()  # the stream's start
    if next_event().__class__ is StreamEndEvent:
        return None, [], 0, False
    while True:
        event = next_event()
        kind = event.__class__
        if kind is ScalarEvent:
            written += 1
            expanded += 1
            line = 0  # read from the event where needed
            key_text = value = event.value
            if len(value) > longest:
                longest = len(value)
            tag = event.tag
            if tag is not None and tag != "!":
                if tag != _STR_TAG:
                    value, needs_pyyaml = _LEFT_TO_PYYAML, True
                    if tag == _MERGE_TAG:
                        key_text = None  # PyYAML merges it; it is no key of its own
            elif (not value or value[0] in _TYPED_FIRST) and event.implicit[0]:
                resolved = typed.get(value)
                if resolved is None:
                    resolved = typed[value] = _typed_scalar(loader, value)
                tag, value = resolved
                if value is _LEFT_TO_PYYAML:
                    needs_pyyaml = True
                    if tag == _MERGE_TAG:
                        key_text = None
            height = 1
            if depth >= limits.MAX_YAML_DEPTH and refusal is None:
                refusal = _too_deep(file, event.start_mark.line + 1)
            if event.anchor is not None:
                _new_anchor(anchors, event)
                line = event.start_mark.line + 1
                anchors[event.anchor] = (value, 1, 1, line, key_text)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            line = event.start_mark.line + 1
            if event.tag not in (None, "!", _COLLECTION_TAGS[kind]):
                needs_pyyaml = True
            opened = _Open(None, line, event.anchor, expanded)
            if kind is MappingStartEvent:
                opened.value, opened.keys = {}, {}
            else:
                opened.value = _Items()
                opened.value.lines = opened.lines = []
            written += 1
            expanded += 1
            if depth >= limits.MAX_YAML_DEPTH and refusal is None:
                refusal = _too_deep(file, line)
            if event.anchor is not None:
                _new_anchor(anchors, event)
                anchors[event.anchor] = opened
            path.append(opened)
            depth += 1
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            closed = path.pop()
            depth -= 1
            value, line, key_text = closed.value, closed.line, None
            if closed.keys is not None:
                value[LINE] = line
            height = closed.height + 1
            if closed.anchor is not None:
                size = expanded - closed.expanded
                anchors[closed.anchor] = (value, size, height, line, None)
        elif kind is AliasEvent:
            if event.anchor not in anchors:
                raise ComposerError(None, None, "found undefined alias", event.start_mark)
            target = anchors[event.anchor]
            if target.__class__ is _Open:
                if refusal is None:
                    refusal = InputError(file, "a YAML alias refers to itself", target.line)
                value, size, height, line, key_text = target.value, 1, 1, target.line, None
            else:
                value, size, height, line, key_text = target
            expanded += size
            if depth + height > limits.MAX_YAML_DEPTH and refusal is None:
                refusal = _too_deep(file, event.start_mark.line + 1)
        else:  # the document's end
            break
        if not depth:
            document = value
            continue
        parent = path[-1]
        if height > parent.height:
            parent.height = height
        keys = parent.keys
        if keys is None:
            parent.value.append(value)
            parent.lines.append(line or event.start_mark.line + 1)  # type: ignore[union-attr]
        elif parent.key is _NO_KEY:
            if key_text is not None:
                line = line or event.start_mark.line + 1
                if key_text in keys:
                    problems.append(_written_twice(file, key_text, keys[key_text], line))
                else:
                    keys[key_text] = line
            elif isinstance(value, dict | list):
                needs_pyyaml = True  # PyYAML refuses it (a key must be hashable)
            parent.key = value
        else:
            if not needs_pyyaml:
                parent.value[parent.key] = value
            parent.key = _NO_KEY
    event = next_event()
    if event.__class__ is not StreamEndEvent:
        raise ComposerError(
            "expected a single document in the stream",
            None,
            "but found another document",
            event.start_mark,
        )
    if refusal is not None:
        raise refusal
    added = expanded - written
    if added > limits.MAX_ALIAS_NODES:
        raise InputError(
            file,
            f"YAML aliases expand the document by {added:,} values beyond those written "
            f"(limit {limits.MAX_ALIAS_NODES:,})",
        )
    return document, problems, longest, needs_pyyaml


def _typed_scalar(loader: _LineLoader, text: str) -> tuple[str, Any]:
    """The tag and value PyYAML gives a plain scalar (``_LEFT_TO_PYYAML`` when the value
    is not built here)."""
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        return tag, text
    if tag not in _TYPES_BUILT_HERE:
        return tag, _LEFT_TO_PYYAML
    try:
        return tag, loader.yaml_constructors[tag](loader, yaml.ScalarNode(tag, text))
    except ValueError:  # a date that does not exist, ``0b_``: PyYAML raises it in its turn
        return tag, _LEFT_TO_PYYAML


def _new_anchor(anchors: dict[str, Any], event: yaml.NodeEvent) -> None:
    if event.anchor in anchors:
        raise ComposerError(
            "found duplicate anchor; first occurrence", None, "second occurrence", event.start_mark
        )


def _too_deep(file: str, line: int) -> InputError:
    return InputError(
        file, f"YAML nested more than {limits.MAX_YAML_DEPTH} levels deep (the limit)", line
    )


def _written_twice(file: str, key: str, first: int, line: int) -> Problem:
    return Problem(
        file,
        line,
        f"key {key!r} written twice in one mapping (first at line {first}); YAML keeps only "
        "this one, the first is not loaded",
    )


def looks_like_yaml_plans(text: str) -> bool:
    """Tell whether ``text`` is bscalign YAML (it has a top-level ``bscalign:`` key)."""
    return any(line.startswith("bscalign:") for line in text.lstrip("\ufeff").splitlines()[:50])


@dataclass
class PreparedPlans:
    """What one bscalign YAML document holds, read and checked but not yet in a graph.

    Plain data (it pickles): ``records`` are the builder calls to make, in order (see
    :func:`add_record`); ``problems`` those found while reading.
    """

    records: list[tuple[Any, ...]]
    problems: list[Problem]


def prepare_yaml_plans(text: str, file: str) -> PreparedPlans:
    """Read and check one bscalign YAML document without building anything.

    This is the part of :func:`parse_yaml_plans` that needs no graph, so it can run in
    another process; :func:`build_yaml_plans` adds the result to a graph. A document
    that is not YAML at all raises :class:`InputError`.

    Examples
    --------
    >>> doc = "bscalign: 1\\nplans:\\n- {organization: 臺北市政府消防局, year: 108, level: town}\\n"
    >>> prepared = prepare_yaml_plans(doc, "fire.yaml")
    >>> prepared.records
    [('Plan', '臺北市政府消防局', '108', 'agency', None, 'fire.yaml:3', [])]
    >>> [str(problem) for problem in prepared.problems]
    ["fire.yaml:3: level must be 'city' or 'agency', not 'town'"]
    """
    document, problems, long_texts = _load_document(text, file)
    reader = EntryReader(file)
    reader.long_texts = long_texts
    reader.problems += problems
    if not isinstance(document, dict) or "bscalign" not in document:
        raise InputError(file, "not bscalign YAML: expected a top-level 'bscalign: 1' key", 1)
    if document.get("bscalign") != FORMAT_VERSION:
        reader.problem(document, f"unsupported format version {document.get('bscalign')!r}")
    entries = document.get("plans")
    if not isinstance(entries, list):
        reader.problem(document, "expected 'plans:' with a list of plans")
    else:
        for number, entry in enumerate(entries):
            reader.plan(entry, _item_line(entries, number))
    return PreparedPlans(reader.records, reader.problems)


def build_yaml_plans(
    prepared: PreparedPlans, file: str, builder: PlanGraphBuilder
) -> list[Problem]:
    """Add the plans of a document read by :func:`prepare_yaml_plans` (from ``file``) to
    ``builder``; return the problems found in it."""
    for record in prepared.records:
        add_record(builder, record)
    return list(prepared.problems)


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
    return build_yaml_plans(prepare_yaml_plans(text, file), file, builder)


#: Per kind of entry: the builder method that adds it and the options its record carries.
_ADDERS = {
    s.THEME: ("add_theme", ()),
    s.OBJECTIVE: ("add_objective", ("theme", "perspective", "new")),
    s.KPI: ("add_kpi", ("objective", "wccd", "city_kpi", "new")),
    s.ACTION_PLAN: ("add_action_plan", ("kpis",)),
}


def add_record(builder: PlanGraphBuilder, record: tuple[Any, ...]) -> None:
    """Make the builder calls one record of :class:`EntryReader` stands for.

    A plan's record is ``(Plan, organization, year, level, city, source, declared)``; an
    entry's is ``(kind, plan, code, name, source, place, options, also_named, suppress,
    ...)``: ``options`` go to the builder method of its kind (see ``_ADDERS``), and the
    links its kind carries follow (see :meth:`EntryReader.entry`).
    """
    kind = record[0]
    if kind == s.PLAN:
        _, organization, year, level, city, source, declared = record
        plan = builder.add_plan(organization, year, level, city=city, source=source)
        for what, total in declared:
            builder.declare(plan, what, total)
        return
    _, plan, code, name, source, place, options, also_named, suppress, *links = record
    method, option_names = _ADDERS[kind]
    nid = getattr(builder, method)(
        plan,
        code,
        name,
        source=source,
        place=place,
        **dict(zip(option_names, options, strict=True)),
    )
    if kind == s.THEME:
        declared, cities, leads, members = links
        for what, total in declared:
            builder.declare(plan, what, total, theme=code)
        for city_objective in cities:
            builder.add_theme_link(plan, code, city_objective, source=source)
        for lead in leads:
            builder.add_membership(lead, plan, code, lead=True, source=source)
        for member in members:
            builder.add_membership(member, plan, code, lead=False, source=source)
    elif kind == s.OBJECTIVE:
        upward, causes = links
        for target, link_name, raw in upward:
            builder.add_upward_link(plan, code, target, link_name, source=source, raw=raw)
        for effect in causes:
            builder.add_cause(plan, code, effect, source=source)
    elif kind == s.KPI:
        also_measured, refs = links
        for objective in also_measured:
            builder.add_kpi(plan, code, None, source=source, place="implied", objective=objective)
        for ref in refs:
            builder.add_city_kpi_reference(plan, code, ref, source=source)
    if also_named:
        names = builder.graph.nodes[nid]["names"]
        for variant in also_named:
            if variant not in names:
                names.append(variant)
    for rule, reason in suppress:
        builder.suppress(nid, rule, reason)


class EntryReader:
    """Read plan and section entries shaped like bscalign YAML (dicts with ``__line__``).

    Each entry read becomes a record (see :func:`add_record`): kept in ``records``, or
    added to ``builder`` at once when there is one. Shared with the spreadsheet loader,
    whose rows become the same entries; ``place`` names where the entries were written
    (``yaml``, ``sheet``).
    """

    def __init__(
        self, file: str, builder: PlanGraphBuilder | None = None, place: str = "yaml"
    ) -> None:
        self.file = file
        self.builder = builder
        self.place = place
        self.problems: list[Problem] = []
        self.records: list[tuple[Any, ...]] = []
        #: Whether an entry may hold a text past the limit (False: none is looked for).
        self.long_texts = True

    def problem(self, entry: Any, message: str, line: int | None = None) -> None:
        if line is None:
            line = entry.get(LINE, 1) if isinstance(entry, dict) else 1
        self.problems.append(Problem(self.file, line, message))

    def source(self, entry: dict[str, Any]) -> str:
        return f"{self.file}:{entry.get(LINE, 1)}"

    def _record(self, record: tuple[Any, ...]) -> None:
        if self.builder is None:
            self.records.append(record)
        else:
            add_record(self.builder, record)

    def plan(self, entry: Any, line: int | None = None) -> None:
        if not isinstance(entry, dict):
            self.problem(entry, "a plan must be a mapping with organization and year", line)
            return
        if self.long_texts and self._oversized(entry, "plan"):
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
        declared = []
        for key, total in _mapping(entry.get("declared")).items():
            if key in DECLARED_KEYS and _is_count(total):
                declared.append((key, total))
            elif key != LINE:
                self.problem(entry, f"declared {key!r}: expected one of {DECLARED_KEYS} -> int")
        self._record((s.PLAN, organization, year, level, city, self.source(entry), declared))
        plan = s.plan_id(organization, year)
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
        if self.long_texts and self._oversized(item, kind):
            return
        self._known_keys(item, ENTRY_KEYS[kind], kind)
        code = self.text(item, "code")
        if not code or not code.strip():
            self.problem(item, f"{kind} entry without a 'code'; not loaded")
            return
        code = code.strip()
        name = self.text(item, "name")
        options: tuple[Any, ...] = ()
        links: tuple[Any, ...] = ()
        if kind == s.THEME:
            declared = [
                (what, total)
                for what, total in _mapping(item.get("declared")).items()
                if what in DECLARED_KEYS and _is_count(total)
            ]
            cities = self._codes(item, "aligns_to")
            links = (declared, cities, self._codes(item, "lead"), self._codes(item, "members"))
        elif kind == s.OBJECTIVE:
            perspective = self.text(item, "perspective")
            if perspective is not None and perspective not in s.PERSPECTIVES:
                self.problem(item, f"perspective must be one of C, P, L, F, not {perspective!r}")
                perspective = None
            options = (self.text(item, "theme"), perspective, self.flag(item, "new"))
            upward = [
                link
                for written in _list(item.get("aligns_to"))
                if (link := self._upward_link(written, item)) is not None
            ]
            links = (upward, self._codes(item, "causes"))
        elif kind == s.KPI:
            objectives = self._codes(item, "objective")
            flags = (self.flag(item, "wccd"), self.flag(item, "city_kpi"), self.flag(item, "new"))
            options = (objectives[0] if objectives else None, *flags)
            links = (objectives[1:], self._codes(item, "city_kpi_refs"))
        else:
            options = (self._codes(item, "supports"),)
        also_named = self._codes(item, "also_named")
        suppress = []
        for suppression in _list(item.get("suppress")):
            rule = self.text(suppression, "rule") if isinstance(suppression, dict) else None
            if rule:
                suppress.append((rule, self.text(suppression, "reason") or ""))
            else:
                self.problem(item, "suppress entries need 'rule' (and a 'reason')")
        source = self.source(item)
        self._record(
            (kind, plan, code, name, source, self.place, options, also_named, suppress, *links)
        )

    def _upward_link(self, link: Any, item: dict[str, Any]) -> tuple[str, str, str] | None:
        if isinstance(link, str):
            target, _, name = link.strip().partition(" ")
        elif isinstance(link, dict) and self.text(link, "code"):
            target, name = self.text(link, "code") or "", self.text(link, "name") or ""
        else:
            self.problem(item, "aligns_to entries are 'CODE name' or {code, name}")
            return None
        return target, name.strip(), f"{target} {name}".strip()

    def _codes(self, item: dict[str, Any], key: str) -> list[str]:
        values = item.get(key)
        if values is None:
            return []
        if not isinstance(values, list):
            values = [values]
        codes = []
        for value in values:
            if not _is_text(value):
                self.problem(
                    item, f"'{key}' must be a text or a list of texts, got {_type_name(value)}"
                )
                return []
            code = str(value).strip()
            if code:
                codes.append(code)
        return codes

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
            for text in value if isinstance(value, list) else (value,):
                if isinstance(text, str) and len(text) > limits.MAX_TEXT_CHARS:
                    reason = limits.too_long(text, f"'{key}'")
                    self.problem(item, f"{reason}; {what} entry not loaded")
                    return True
        return False

    def _known_keys(self, item: dict[str, Any], allowed: set[str], what: str) -> None:
        unknown = item.keys() - allowed
        unknown.discard(LINE)
        if not unknown:
            return
        expected = ", ".join(sorted(allowed))
        for key in sorted(unknown):
            self.problem(
                item, f"{what} entry has unknown key {key!r} (expected one of: {expected})"
            )


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
