"""Names are data: how a text is written into each output format so that it stays text.

Names come from the documents and may hold anything: ``=HYPERLINK(...)``, a line break and a
``# heading``, ``<script>``. Each output format gets one function here, used by every writer
of that format:

- spreadsheets (CSV): :func:`csv_field` puts an apostrophe before a field that a
  spreadsheet would run as a formula (OWASP's advice on CSV injection);
  :func:`csv_unfield` takes it off again when bscalign reads the CSV back, so a round trip
  gives the names exactly as written. XLSX cells are written as string cells (never
  formulas) by the writers themselves.
- Markdown: :func:`markdown_text` backslash-escapes every character that could start
  markup (parentheses are inert once brackets are escaped: they can start no link) and
  turns line breaks into ``<br>``, so a name can neither end a table row nor
  start a heading, a link, an image or raw HTML.
- HTML: Jinja2's autoescaping (every template is rendered with ``autoescape=True``).
"""

from __future__ import annotations

import re

#: What makes a spreadsheet read a cell as a formula (OWASP: = + - @ tab and carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"

# Parentheses need no escape once brackets have one: without "[...]" they start no link.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# At the start of a line these begin a block: a list item, a quote, a setext heading...
_BLOCK_START = re.compile(r"^(\s*(?:\d+)?)([-+=.)])")


def csv_field(text: str) -> str:
    """Write ``text`` as a CSV field that no spreadsheet runs as a formula.

    A field starting with one of :data:`FORMULA_STARTS` gets an apostrophe in front (what
    OWASP advises); so does one that already starts with apostrophes before such a
    character, so that :func:`csv_unfield` can always undo exactly what was added.

    Examples
    --------
    >>> csv_field("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> csv_field("提升市民安全"), csv_field("'=1")
    ('提升市民安全', "''=1")
    """
    if text.lstrip(_QUOTE).startswith(FORMULA_STARTS):
        return _QUOTE + text
    return text


def csv_unfield(text: str) -> str:
    """Undo :func:`csv_field`: what bscalign reads from a CSV field.

    >>> csv_unfield("'=1+1"), csv_unfield("''=1"), csv_unfield("'quoted'")
    ('=1+1', "'=1", "'quoted'")
    """
    if text.startswith(_QUOTE) and text.lstrip(_QUOTE).startswith(FORMULA_STARTS):
        return text[1:]
    return text


def markdown_text(text: str) -> str:
    """Write ``text`` into Markdown (a table cell, a heading or a paragraph) as plain text.

    Examples
    --------
    >>> print(markdown_text("x\\n# heading\\n[l](javascript:alert(1))"))
    x<br>\\# heading<br>\\[l\\](javascript:alert(1))
    >>> print(markdown_text("<img src=x onerror=alert(1)> | *a* _b_"))
    \\<img src=x onerror=alert(1)\\> \\| \\*a\\* \\_b\\_
    >>> print(markdown_text("- a\\n1. b"))
    \\- a<br>1\\. b
    """
    lines = _LINE_BREAK.split(text)
    escaped = [_BLOCK_START.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", line)) for line in lines]
    return "<br>".join(escaped)
