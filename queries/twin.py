"""What a rule and its Cypher twin share, written into the ``.cypher`` file from Python.

A rule's Cypher twin is a hand-written query with generated parts. Between a line
``// generated: <name>`` and the next ``// end generated`` line, the text is the fragment
``<name>`` of the rule module's ``CYPHER`` mapping, made from the very definitions the
Python rule uses: its message templates (:class:`~bscalign.queries.base.Text`), the
suggestion score's weights and tie-breaking (:mod:`bscalign.queries.matching`), the code
shapes and the kind and perspective names (:mod:`bscalign.graph.schema`). So a message, a
weight or a pattern is written once.

``python -m bscalign.queries.twin`` rewrites the generated parts of every shipped ``.cypher``
file; ``--check`` only tells which ones differ (a test runs it).

Only Cypher text made from the project's own constants is generated here: user data never
enters a query's text, it reaches the query as stored properties and parameters.
"""

from __future__ import annotations

import argparse
import re
import string
import sys
from collections.abc import Mapping
from pathlib import Path

from bscalign.graph import schema as s
from bscalign.queries.base import KIND_NAMES, Rule, Text

#: A template field is written in Cypher as one expression, or as one per language.
Expression = str | tuple[str, str]

_START = re.compile(r"^(?P<indent>[ \t]*)// generated: (?P<name>[\w-]+)[ \t]*$")
_END = re.compile(r"^[ \t]*// end generated[ \t]*$")
_WIDTH = 100


def literal(text: str) -> str:
    """``text`` as a Cypher string literal.

    >>> print(literal("it's a \\\\ test"))
    'it\\'s a \\\\ test'
    """
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def cypher_map(values: Mapping[str, str]) -> str:
    """A Cypher map literal of string values (keys are identifiers).

    >>> cypher_map({"C": "customer", "P": "internal process"})
    "{C: 'customer', P: 'internal process'}"
    """
    return "{" + ", ".join(f"{key}: {literal(value)}" for key, value in values.items()) + "}"


def lookup(texts: Mapping[str, Text], key: str) -> tuple[str, str]:
    """Cypher that looks ``key`` up in ``texts``, in English and in Chinese.

    >>> lookup({"KPI": Text("KPI", "指標")}, "kind")[1]
    "{KPI: '指標'}[kind]"
    """
    return (
        cypher_map({k: v.en for k, v in texts.items()}) + f"[{key}]",
        cypher_map({k: v.zh for k, v in texts.items()}) + f"[{key}]",
    )


def kind_of(node: str) -> str:
    """Cypher for the coded kind of ``node`` (``Theme``, ``Objective``, ``KPI``,
    ``ActionPlan``: its label), as the column ``kind``.

    >>> print(kind_of("item"))
    head([label IN labels(item) WHERE label IN ['Theme', 'Objective', 'KPI', 'ActionPlan']]) AS kind
    """
    kinds = ", ".join(literal(kind) for kind in s.CODED_KINDS)
    return f"head([label IN labels({node}) WHERE label IN [{kinds}]]) AS kind"


def concat(template: str, fields: Mapping[str, str]) -> str:
    """Cypher that builds ``template`` (``str.format`` fields) from Cypher expressions.

    >>> concat("KPI {code} {name} has no action plan", {"code": "k.code", "name": "k.name"})
    "'KPI ' + k.code + ' ' + k.name + ' has no action plan'"
    """
    terms = []
    for text, field, spec, conversion in string.Formatter().parse(template):
        if text:
            terms.append(literal(text))
        if field is not None:
            if spec or conversion:
                raise ValueError(f"{template!r}: Cypher cannot apply {{{field}:{spec}}}")
            terms.append(fields[field])
    return " + ".join(terms) or "''"


def _language(expression: Expression, index: int) -> str:
    return expression if isinstance(expression, str) else expression[index]


def text(template: Text, **fields: Expression) -> tuple[str, str]:
    """The English and Chinese Cypher expressions that build ``template`` from ``fields``.

    A field given as a pair is written by a different expression in each language (a
    nested template: see :func:`optional`).
    """
    return (
        concat(template.en, {k: _language(v, 0) for k, v in fields.items()}),
        concat(template.zh, {k: _language(v, 1) for k, v in fields.items()}),
    )


def optional(template: Text, when: str, **fields: Expression) -> tuple[str, str]:
    """``template`` where the Cypher condition ``when`` holds, else ``''``.

    The Python side of the same rule writes ``template.format(...) if ... else ""``.

    >>> optional(Text("; see {code}", "；參見 {code}"), "parent <> ''", code="parent")[0]
    "CASE WHEN parent <> '' THEN '; see ' + parent ELSE '' END"
    """
    en, zh = text(template, **fields)
    return (
        f"CASE WHEN {when} THEN {en} ELSE '' END",
        f"CASE WHEN {when} THEN {zh} ELSE '' END",
    )


def item_message(template: Text, **fields: Expression) -> str:
    """:func:`message` about a coded node ``item`` whose kind :func:`kind_of` wrote:
    ``template``'s ``kind`` is the kind's name (``KPI``, ``策略目標``...), ``code`` its code."""
    return message(template, kind=lookup(KIND_NAMES, "kind"), code="item.code", **fields)


def message(template: Text, end: str = ",", **fields: Expression) -> str:
    """The ``message`` and ``message_zh`` columns of a twin's result, built from ``template``
    (``end`` follows the last: a comma, or nothing when they end the projection)."""
    en, zh = text(template, **fields)
    return f"{en} AS message,\n{zh} AS message_zh{end}"


def _terms(line: str) -> list[str]:
    """``line`` split at its top-level `` + `` (not inside a literal, brackets or CASE)."""
    terms, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(line):
        char = line[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif re.match(r"\bCASE\b", line[i:]) and (i == 0 or not line[i - 1].isalnum()):
            depth += 1
        elif re.match(r"\bEND\b", line[i:]) and (i == 0 or not line[i - 1].isalnum()):
            depth -= 1
        elif depth == 0 and line.startswith(" + ", i):
            terms.append(line[start:i])
            start = i + 3
            i += 2
        i += 1
    return [*terms, line[start:]]


def _wrap(line: str, indent: str) -> list[str]:
    """Break a long generated line before top-level `` + `` terms (continuations indented)."""
    terms = _terms(line)
    if len(indent) + len(line) <= _WIDTH or not terms[0].strip():
        return [indent + line]  # short, or laid out by hand (a continuation line)
    lines: list[str] = []
    current = ""
    for n, term in enumerate(terms):
        piece = term if n == 0 else " + " + term
        if current and len(indent) + len(current) + len(piece) > _WIDTH:
            lines.append(indent + current)
            current = "  + " + term
        else:
            current += piece
    lines.append(indent + current)
    return lines


def render(cypher: str, fragments: Mapping[str, str], where: str = "<cypher>") -> str:
    """``cypher`` with every generated part replaced by its fragment.

    Raises ``KeyError`` for a part no fragment fills and ``ValueError`` for an unclosed
    part or a fragment no part uses (``where`` names the file in the error).
    """
    out: list[str] = []
    lines = cypher.splitlines()
    used = set()
    i = 0
    while i < len(lines):
        start = _START.match(lines[i])
        out.append(lines[i])
        i += 1
        if start is None:
            continue
        name, indent = start["name"], start["indent"]
        if name not in fragments:
            raise KeyError(f"{where}:{i}: no fragment {name!r} to generate")
        used.add(name)
        while i < len(lines) and not _END.match(lines[i]):
            i += 1
        if i == len(lines):
            raise ValueError(f"{where}:{i}: '// generated: {name}' has no '// end generated'")
        for line in fragments[name].splitlines():
            out.extend(_wrap(line, indent))
        out.append(lines[i])
        i += 1
    if unused := sorted(set(fragments) - used):
        raise ValueError(f"{where}: fragments {unused} are generated nowhere")
    return "\n".join(out) + "\n"


def rendered(rule: Rule) -> str:
    """The text ``rule``'s ``.cypher`` file should hold."""
    fragments = getattr(rule.module, "CYPHER", {})
    path = rule.cypher_path
    return render(path.read_text(encoding="utf-8"), fragments, str(path))


def stale(rules: tuple[Rule, ...] | None = None) -> list[Path]:
    """The rules' ``.cypher`` files whose generated parts differ from what they should be."""
    from bscalign.queries.registry import RULES

    chosen = RULES if rules is None else rules
    return [
        r.cypher_path
        for r in chosen
        if r.cypher_path.exists() and r.cypher_path.read_text(encoding="utf-8") != rendered(r)
    ]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated parts of the rules' ``.cypher`` files (or only check them)."""
    parser = argparse.ArgumentParser(prog="python -m bscalign.queries.twin", description=__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    from bscalign.queries.registry import RULES

    paths = stale()
    for path in paths:
        print(f"{'stale' if args.check else 'rewritten'}: {path.name}")
    if not args.check:
        for rule in RULES:
            if rule.cypher_path in paths:
                rule.cypher_path.write_text(rendered(rule), encoding="utf-8")
    return 1 if args.check and paths else 0


if __name__ == "__main__":
    sys.exit(main())
