"""Read strategy-map / balanced-scorecard documents as extracted text (the seed format).

Documents like ``臺北市政府消防局 108年度策略地圖與平衡計分卡`` are published as slides; their
extracted text holds the city's strategy map (themes A–H, objectives per perspective, the
agencies of each theme group), the agency's own map, a KPI overview and the balanced
scorecard tables (upward link, objective, KPI, action plans).

The parser reads the *structure of the codes*, not line positions: an objective is theme
letter + perspective letter + number (``AC1``), a KPI adds ``.n``, an action plan another
``.n``. Headings only tell which part of the document a line belongs to (city map, agency
map, KPI overview, scorecard). Cells may be separated by tabs or runs of spaces; codes may
be full-width; names may be broken by stray spaces or line breaks.

Nothing is dropped silently: a line holding a code that cannot be placed becomes a
:class:`~bscalign.loaders.problems.Problem` with its file and line.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from string import ascii_uppercase
from typing import Any, NamedTuple

from bscalign.graph import schema as s
from bscalign.graph.build import PlanGraphBuilder, joined_source
from bscalign.loaders.problems import Problem
from bscalign.loaders.textnorm import clean_name, decode, normalize_line

CODE = re.compile(r"(?<![A-Za-z0-9.])(?P<code>[A-Z]{1,2}\d+(?:\.\d+)*)(?![A-Za-z0-9])")
CITY_KPI_REFERENCE = re.compile(r"\(\s*府級\s*KPI\s*:\s*(?P<code>[A-Z]{1,2}\d+(?:\.\d+)*)\s*\)")
#: An upward link written beside the objective: ``AC1 提升學習成效（承接FC1）``, also
#: ``(承接府級策略目標：FC1 提升學生學習成效)``.
LINK_BESIDE = re.compile(
    r"\(\s*承接\s*(?:府級\s*(?:策略\s*)?目標)?\s*:?\s*(?P<code>[A-Z]{1,2}\d+)(?![.\d])"
    r"\s*(?P<name>[^()]*?)\s*\)"
)
#: A code whose letters are a theme and a perspective (``AC1``, ``TC2``, ``AC1.1.1``).
STRICT_CODE = re.compile(r"[A-Z][CPLF]\d+(?:\.\d+)*")
LONE_LETTER = re.compile(r"(?<![A-Za-z0-9])[A-Z](?![A-Za-z0-9])")
NEW_MARK = re.compile(r"\(\s*新增\s*\)")
TRAILING_FLAGS = re.compile(r"(?:\s+(?:WCCD|府))+\s*$")
PERSPECTIVE_LABEL = re.compile(
    r"(?:顧客|內部\s*流程|學習\s*成長|財務)\s*(?:構面|面向)?\s*(?:[CPLF](?![A-Za-z0-9]))?"
)
TRAILING_LABEL = re.compile(rf"\s+(?:{PERSPECTIVE_LABEL.pattern})\s*$")
LABELS = re.compile(rf"^(?:\s|策略\s*目標|策略\s*主題|{PERSPECTIVE_LABEL.pattern})*")
THEME_HEADING = re.compile(r"^[☆★◎●■\s]*(?P<letter>[A-Z])\s*(?P<name>[^\x00-\x7f].*)$")
ORGANIZATION = re.compile(r"^[\u4e00-\u9fff]{2,}(?:局|處|會|署|所|院|隊|中心|公司)$")
TITLE_YEAR = re.compile(r"(?P<year>\d{2,4})\s*年")
LEAD = re.compile(r"(?P<name>[^\s、,，\t()]+?)\s*\(\s*主政\s*\)")
DECLARED_WORDS = {
    "themes": "策略主題",
    "objectives": "策略目標",
    "kpis": "(?:關鍵績效指標|KPI)",
    "action_plans": "(?:行動計畫|行動方案)",
}
#: Declared totals in either phrasing: ``共30項策略目標`` / ``策略目標共30項`` / ``計30項``.
DECLARED = {
    what: re.compile(rf"(\d+)\s*[大項個]?\s*{word}|{word}\s*[:：]?\s*(?:共計|共|計)\s*(\d+)")
    for what, word in DECLARED_WORDS.items()
}
ANY_DECLARED = re.compile("|".join(pattern.pattern for pattern in DECLARED.values()))

#: A heading or row label continued from the previous slide: ``D 深化社會安全網（續）``,
#: ``(續)``, ``續`` standing apart, ``（接上頁）`` (full-width brackets are ASCII by now).
CONTINUED = re.compile(r"(?:\(\s*(?:續|接上頁|續上頁|續前頁)\s*\)|(?<=\s)續)\s*$")
#: A row label standing in its own cell before a row's first code: a theme letter alone,
#: or a theme's name and letter (``優化停車管理C``, ``C 優化停車管理``).
THEME_LABEL = re.compile(
    r"^(?:(?P<letter>[A-Z])|(?P<name1>[^\x00-\x7f][^\t]*?)\s*(?P<letter1>[A-Z])"
    r"|(?P<letter2>[A-Z])\s*(?P<name2>[^\x00-\x7f][^\t]*?))$"
)
#: Header cells by the column they name, longest words first (``府級策略目標`` before
#: ``策略目標``). Columns bscalign does not model are ``attribute``: their cells are skipped.
COLUMN_WORDS = (
    ("link", ("對應府級策略目標", "承接府級策略目標", "府級策略目標", "府級目標", "承接")),
    ("perspective", ("構面",)),
    ("theme", ("策略主題",)),
    ("objective", ("策略目標",)),
    ("kpi", ("關鍵績效指標", "衡量指標", "績效指標", "KPI")),
    ("action plan", ("行動方案", "行動計畫")),
    ("attribute", ("衡量標準", "目標值", "基準值", "單位", "備註", "權重", "資料來源", "主辦單位")),
)
#: Headings of sections bscalign does not model (contents, introduction, organization
#: chart, closing words): their lines are traced as such, not as misreads.
SKIPPED_SECTION = re.compile(
    r"^(?:目錄|CONTENTS|.{0,10}簡介|組織架構|(?:使命|願景|核心價值)(?:、(?:使命|願景|核心價值))*"
    r"|結語|[恭敬]請指教|簡報完畢|報告完畢|謝謝聆聽|.{0,10}承接府級.*)$"
)
#: A cell saying "none" (no upward link, no action plan): a run of dashes, or 無.
DASHES = "-－—–"
DASH = re.compile(rf"[{re.escape(DASHES)}]+|無")
COLUMN_SUFFIX = re.compile(r"(?:項目|名稱)$")
#: Header words -> the column they name (the first column that lists a word).
COLUMN_OF_WORD = {word: column for column, words in reversed(COLUMN_WORDS) for word in words}
#: Words that say a line is a heading or a row label, not part of a name.
MARKER = re.compile("策略地圖|平衡計分卡|KPI|策略主題|府級|分組成員|一覽表")
OVERVIEW_HEADING = re.compile(r"(?:KPI|關鍵績效指標|績效指標)(?:項目)?(?:一覽|總覽|彙整|總表)")
#: Codes read as codes wherever they stand (:func:`_is_code_here`).
CODE_ANYWHERE = re.compile(rf"{STRICT_CODE.pattern}|[A-Z]\d+(?:\.\d+)+")
#: What separates cells: a tab or a run of spaces.
CELL_BREAK = re.compile(r"\t| {2,}")
LETTER = re.compile(r"[A-Z]")
BRACKETED = re.compile(r"\([^)]*\)")
#: A cell saying "none" at the end of a name.
DASH_CELL = re.compile(rf"(?:^|\s)(?:{DASH.pattern})\s*$")
#: An item of a bulleted list (``- 提升市民CPR學習普及率``): prose, never the rest of a name.
BULLET_ITEM = re.compile(rf"^\s*[{re.escape(DASHES)}•・]\s")
#: The words a perspective label starts with (:data:`PERSPECTIVE_LABEL`).
PERSPECTIVE_WORD = re.compile("顧客|內部|學習|財務")
PERSPECTIVE_CELL_LABEL = re.compile(rf"(?:^|\s)(?:{PERSPECTIVE_LABEL.pattern})(?=\s|$)")
THEME_ROW_LABEL = re.compile(r"^\s*策略\s*主題")
MEMBERS_ROW_LABEL = re.compile(r"^\s*分組\s*成員")
MEMBER_SEPARATOR = re.compile(r"[、,，]")
#: A heading naming a theme without its letter, its words before the name.
THEME_WORD = re.compile(r"^\s*(?:策略\s*主題)?\s*[:：]?")
LEGEND = re.compile(r"^(?:WCCD|府)\s")
#: Mission, vision and values: ``【使命】...``.
PROSE = re.compile(r"【.+】.*")
CITY_NAME = re.compile(r"^(.+?[市縣])")

#: Stands for the city of an agency whose name does not say it (a problem is reported).
UNKNOWN_CITY = "unknown city"

#: Row labels that may stand alone on a line, their cells on the lines below (PDF
#: extraction), with the test that a line is one cell of that row: a theme (one letter and
#: a name, not a perspective label such as 顧客 C) or a theme group (one lead agency).
SPLIT_ROW_CELL = {
    "策略主題": lambda line: (
        len(LONE_LETTER.findall(line)) == 1
        and not CODE.search(line)
        and not PERSPECTIVE_LABEL.fullmatch(line.strip())
    ),
    "分組成員": lambda line: len(LEAD.findall(line)) == 1,
}

CITY_MAP, AGENCY_MAP, OVERVIEW, SCORECARD = "city map", "agency map", "KPI overview", "scorecard"
MAP_MODES = (CITY_MAP, AGENCY_MAP)


@dataclass(slots=True)
class _Token:
    """A code on a line and what its cell says of it. The parser makes a new one for each
    line it reads (a name joined over a line break changes it), from the plain data that
    :func:`prepare_seed_text` leaves (:data:`_TokenData`)."""

    code: str
    name: str
    start: int
    depth: int
    wccd: bool
    city_kpi: bool
    new: bool
    city_kpi_ref: str | None
    link_beside: tuple[str, str] | None


#: A token as plain data: code, name, start, depth, wccd, city_kpi, new, city_kpi_ref,
#: link_beside (the arguments of :class:`_Token`).
_TokenData = tuple[str, str, int, int, bool, bool, bool, "str | None", "tuple[str, str] | None"]


@dataclass
class _State:
    mode: str | None = None
    city_year: str | None = None
    theme: str | None = None
    link: _Token | None = None
    has_link_column: bool = False
    objective: str | None = None
    kpi: str | None = None
    kpis_of_objective: list[str] = field(default_factory=list)
    #: The KPIs of the last scorecard row that held any (a row of action plans alone, a
    #: merged KPI cell or a table laid out one cell per line, is theirs).
    kpis_above: list[str] = field(default_factory=list)
    #: Header cells read so far from lines of one cell each (a header row PDF extraction
    #: split into one line per cell); such a table's rows come one cell per line too.
    #: (A blank line, a page break in a PDF, does not end it.)
    stacked_header: list[str] = field(default_factory=list)
    one_cell_rows: bool = False
    #: The upward link found below an objective's row where the link column is last.
    link_below: str | None = None
    themes_in_row: list[str] = field(default_factory=list)
    previous_text: str = ""
    previous_tokens: list[_Token] = field(default_factory=list)
    vertical_themes: bool = False
    split_row: tuple[str, int, list[str]] | None = None
    columns: list[str] = field(default_factory=list)
    transposed: bool = False
    prose: bool = False
    skipped_section: str | None = None


@dataclass(frozen=True)
class Produced:
    """One thing a line gave the graph: ``kind`` (theme, objective, KPI, action plan,
    upward link, city-KPI reference, declared total, membership, plan) of ``code`` in
    ``plan``, and which ``field`` of it the line wrote (``name``, ``name (continued)``,
    ``code``, ``objective AC1``, ``supports AC1.1``, ``GC2``, ...)."""

    kind: str
    plan: str
    code: str
    field: str


@dataclass
class TracedLine:
    """One line of a document as the reader saw it: what it produced, or why it did not.

    ``note`` says what a line that produced nothing was (``heading: scorecard``,
    ``header row``, ``blank``, ...) or ``not read``.
    """

    source: str
    text: str
    produced: list[Produced] = field(default_factory=list)
    note: str = ""


#: The note of a line holding a code or Chinese text that produced nothing.
NOT_READ = "not read"
CJK = re.compile(r"[\u4e00-\u9fff]")


def looks_like_seed_text(text: str) -> bool:
    """Tell whether ``text`` looks like an extracted strategy-map / scorecard document."""
    head = normalize_line(text[:20000])
    return bool(CODE.search(head)) and any(
        marker in head for marker in ("策略地圖", "平衡計分卡", "策略目標")
    )


def read_seed_text(path: str | Path, builder: PlanGraphBuilder) -> list[Problem]:
    """Load one seed-style text file into ``builder``; return the problems found.

    Raises :class:`~bscalign.loaders.problems.InputError` for undecodable files.
    """
    path = Path(path)
    return parse_seed_text(decode(path.read_bytes(), str(path)), str(path), builder)


def parse_seed_text(
    text: str,
    file: str,
    builder: PlanGraphBuilder,
    *,
    sources: Sequence[str] | None = None,
) -> list[Problem]:
    """Parse the extracted text of one strategy-map / scorecard document.

    The same as :func:`build_seed_text` of :func:`prepare_seed_text`.

    Parameters
    ----------
    text : str
        The document's text (already decoded).
    file : str
        Name used in sources and problems (``file:line``).
    builder : PlanGraphBuilder
        Receives the city plan (if the document carries the city map) and the agency plan.
    sources : sequence of str, optional
        The source of each line (``sources[0]`` for line 1), where the text was assembled
        from other documents (slides: ``deck.pptx:slide 3:row 4``); default ``file:line``.
        Problems still give the line number.

    Returns
    -------
    list of Problem
        Every line that holds a code but could not be placed, and missing headers.

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> doc = "臺北市政府兵役局\\n111年策略地圖及平衡計分卡\\n兵役局策略地圖\\n"
    >>> doc += "策略 目標\\t顧客 C\\tAC1 提升市民對政府信任度\\n"
    >>> parse_seed_text(doc, "doc.txt", b)
    []
    >>> b.graph.nodes["臺北市政府兵役局@111:Objective:AC1"]["name"]
    '提升市民對政府信任度'
    """
    return build_seed_text(prepare_seed_text(text, file), file, builder, sources=sources)


@dataclass
class PreparedText:
    """A document as far as it can be read without a graph (:func:`prepare_seed_text`):
    plain data, picklable, for :func:`build_seed_text` to load.

    ``lines`` holds one entry per line of the text (None for a blank line); ``problems``
    the ``(line, message)`` of a missing organization or plan year.
    """

    organization: str
    year: str
    title_lines: dict[int, str]
    problems: list[tuple[int, str]]
    lines: list[_Line | None]


def prepare_seed_text(text: str, file: str) -> PreparedText:
    """Read what needs no graph: every line normalised, its codes and their names taken,
    its cells classified (header row, continuation mark, row labels), and the document's
    organization and plan year.

    Pure and picklable both ways (no builder, no global state), so it can run in another
    process; :func:`build_seed_text` then loads the result.

    Examples
    --------
    >>> doc = "臺北市政府兵役局\\n111年平衡計分卡\\n\\nAC1 提升信任度\\n"
    >>> prepared = prepare_seed_text(doc, "d.txt")
    >>> prepared.organization, prepared.year, prepared.problems
    ('臺北市政府兵役局', '111', [])
    >>> prepared.lines[2] is None, prepared.lines[3].tokens
    (True, (('AC1', '提升信任度', 0, 0, False, False, False, None, None),))
    """
    return _prepare(text.splitlines(), file)


def build_seed_text(
    prepared: PreparedText,
    file: str,
    builder: PlanGraphBuilder,
    *,
    sources: Sequence[str] | None = None,
) -> list[Problem]:
    """Load a document read by :func:`prepare_seed_text` into ``builder``; return the
    problems found (as :func:`parse_seed_text` does, whose parameters these are).

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> doc = "臺北市政府兵役局\\n111年策略地圖及平衡計分卡\\n兵役局策略地圖\\n"
    >>> doc += "策略 目標\\t顧客 C\\tAC1 提升市民對政府信任度\\n"
    >>> build_seed_text(prepare_seed_text(doc, "doc.txt"), "doc.txt", b)
    []
    >>> b.graph.nodes["臺北市政府兵役局@111:Objective:AC1"]["source"]
    'doc.txt:4'
    """
    return _SeedParser(prepared, file, builder, sources=sources).run()


def trace_seed_text(
    text: str,
    file: str,
    builder: PlanGraphBuilder | None = None,
    *,
    sources: Sequence[str] | None = None,
) -> tuple[list[TracedLine], list[Problem]]:
    """Parse a document as :func:`parse_seed_text` does; also say what each line produced.

    Returns the trace (one :class:`TracedLine` per line of ``text``) and the problems.

    Examples
    --------
    >>> doc = "臺北市政府兵役局\\n111年策略地圖及平衡計分卡\\n兵役局策略地圖\\n"
    >>> doc += "策略 目標\\t顧客 C\\tAC1 提升市民對政府信任度\\n\\n維護兵役公平\\n"
    >>> trace, problems = trace_seed_text(doc, "doc.txt")
    >>> [line.note for line in trace]
    ['title: organization', 'title: plan year', 'heading: agency map', '', 'blank', 'not read']
    >>> trace[3].produced
    [Produced(kind='objective', plan='臺北市政府兵役局@111', code='AC1', field='name')]
    """
    texts = text.splitlines()
    parser = _SeedParser(
        _prepare(texts, file), file, builder or PlanGraphBuilder(), sources=sources
    )
    problems = parser.run()
    return parser.trace(texts), problems


def parse_rows(
    rows: Iterable[tuple[str, Sequence[str]]], file: str, builder: PlanGraphBuilder
) -> list[Problem]:
    """Read a document given as rows of cells, each row with its own source.

    The entry for readers that see a document's tables cell by cell (slides, word
    processors): each row is ``(source, cells)``, e.g. ``("deck.pptx:slide 3:row 4",
    ["GC2 營造安全環境", "顧客", "AC1 保障市民安居生活", "AC1.1 ...", "AC1.1.1 ..."])``.
    Rows are read exactly as lines of extracted text whose cells are tab-separated: headings
    (a row of one cell), header rows recognised by their column words, merged (empty)
    cells carrying the value above, theme letters and perspective words in their own cells.
    Problems carry the row's index (from 1) as their line and name the row's source.

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> rows = [("d.pptx:slide 1:row 1", ["臺北市政府兵役局"]),
    ...         ("d.pptx:slide 1:row 2", ["111年平衡計分卡"]),
    ...         ("d.pptx:slide 2:row 1", ["策略目標", "KPI", "行動方案"]),
    ...         ("d.pptx:slide 2:row 2", ["AC1 提升信任度", "AC1.1 信任度", "AC1.1.1 座談會"])]
    >>> parse_rows(rows, "d.pptx", b)
    []
    >>> b.graph.nodes["臺北市政府兵役局@111:KPI:AC1.1"]["source"]
    'd.pptx:slide 2:row 2'
    """
    rows = [(source, "\t".join(c.replace("\n", " ") for c in cells)) for source, cells in rows]
    prepared = _prepare([line for _, line in rows], file)
    return _SeedParser(prepared, file, builder, sources=[s for s, _ in rows], rows=True).run()


# -- reading without a graph ---------------------------------------------------------------


class _CodeLine(NamedTuple):
    """A line holding codes, as :func:`prepare_seed_text` leaves it."""

    #: The line, full-width codes made ASCII.
    text: str
    tokens: tuple[_TokenData, ...]
    #: The cells before its first code, row labels dropped, and whether a label stood there.
    leading: tuple[str, ...]
    labelled: bool
    #: Whether it holds a heading's word (:func:`_is_marker`).
    marker: bool


class _TextLine(NamedTuple):
    """A line without codes, as :func:`prepare_seed_text` leaves it."""

    #: The line, full-width codes made ASCII.
    text: str
    #: ``text`` with its city-KPI references and upward links beside objectives blanked out.
    line: str
    #: ``line`` without whitespace.
    compact: str
    #: Whether ``compact`` is a dash (none).
    dash: bool
    #: Whether it is one cell, and the column it names if so.
    one_cell: bool
    column: str | None
    #: Whether it ends in a continuation mark (``（續）``); ``line`` and ``compact``
    #: without it.
    continued: bool
    bare: str
    bare_compact: str
    #: The columns it names as a header row (empty for any other line).
    columns: tuple[str, ...]
    #: Whether it holds a heading's word (:func:`_is_marker`).
    marker: bool
    #: The section it heads wherever it stands (:func:`_section_of`), or None.
    section: str | None
    #: A theme heading's letter and name (``A 提升服務品質``), for a line of one cell.
    theme_heading: tuple[str, str] | None
    #: The totals it declares, ``(what, total)``, and whether they are a theme's.
    declared: tuple[tuple[str, int], ...]
    theme_totals: bool


#: A line as :func:`prepare_seed_text` leaves it; None for a blank line.
_Line = _CodeLine | _TextLine


def _prepare(texts: Sequence[str], file: str) -> PreparedText:
    lines = [_prepare_line(text) for text in texts]
    organization = year = None
    title_lines: dict[int, str] = {}
    for number, prepared in enumerate(lines[:401], 1):
        if prepared is None:
            continue
        compact = "".join(prepared.text.split())
        if organization is None and ORGANIZATION.match(compact):
            organization = compact
            title_lines[number] = "title: organization"
        if year is None and ("策略地圖" in compact or "平衡計分卡" in compact):
            found = TITLE_YEAR.search(compact)
            if found and "府級" not in compact:
                year = found["year"]
                title_lines[number] = "title: plan year"
        if organization and year:
            break
    problems = []
    if organization is None:
        problems.append((1, "no organization name found (expected a line like 臺北市政府消防局)"))
        organization = Path(file).stem
    if year is None:
        problems.append(
            (1, "no plan year found (expected a title like 108年度策略地圖與平衡計分卡)")
        )
        year = "unknown"
    return PreparedText(organization, year, title_lines, problems, lines)


# A document repeats lines (the city map in every agency's document of a year): each is
# read once. Every line is read alone, so what it gives depends on its text only.
@lru_cache(maxsize=1 << 13)
def _prepare_line(text: str) -> _Line | None:
    text = normalize_line(text)
    if not text or text.isspace():
        return None
    line, references = _take_city_kpi_references(text)
    tokens = _tokens(line, references)
    if tokens:
        raw_leading = line[: tokens[0][2]]
        leading: list[str] = []
        labelled = False
        if raw_leading and not raw_leading.isspace():
            labelled = LABELS.sub("", raw_leading).strip() != raw_leading.strip()
            leading = _without_labels(raw_leading)
            if len(leading) == 2 and any(LETTER.fullmatch(cell) for cell in leading):
                leading = [" ".join(leading)]  # a theme letter and its name in two cells
        marker = _is_marker("".join(line.split()))
        return _CodeLine(text, tokens, tuple(leading), labelled, marker)
    compact = "".join(line.split())
    one_cell = not CELL_BREAK.search(line.strip())  # a heading is one cell
    column = _column_of(compact) if one_cell else None
    continued = bool(CONTINUED.search(line))
    bare, bare_compact = line, compact
    if continued:
        bare, bare_compact = CONTINUED.sub("", line), CONTINUED.sub("", compact)
    theme_heading = None
    if one_cell and len(bare_compact) <= 40:
        heading = THEME_HEADING.match(bare.strip())
        if heading:
            theme_heading = (heading["letter"], clean_name(heading["name"]))
    totals = bare_compact.replace("*", "")
    declared = []
    if ANY_DECLARED.search(totals):
        for what, pattern in DECLARED.items():
            found = pattern.search(totals)
            if found:
                declared.append((what, int(found[1] or found[2])))
    return _TextLine(
        text,
        line,
        compact,
        bool(DASH.fullmatch(compact)),
        one_cell,
        column,
        continued,
        bare,
        bare_compact,
        tuple(_header_columns(bare)),
        _is_marker(bare_compact),
        _section_of(bare_compact),
        theme_heading,
        tuple(declared),
        totals.startswith("本策略主題"),
    )


# -- loading into the graph ----------------------------------------------------------------


class _Recorder:
    """The builder, as the parser sees it: every call is also written to the line's trace."""

    def __init__(self, builder: PlanGraphBuilder, parser: _SeedParser) -> None:
        self.builder = builder
        # a proxy, not the parser itself: the parser holds this recorder, and a reference
        # cycle would keep both, with all they read, alive until the collector came by
        self.parser = weakref.proxy(parser)
        self.graph = builder.graph

    def record(self, produced: tuple[str, str, str, str]) -> None:
        self.parser.record(produced)

    def add_plan(self, organization: str, year: str, level: str, **kw: Any) -> str:
        plan = self.builder.add_plan(organization, year, level, **kw)
        self.record(("plan", plan, "", level))
        return plan

    def declare(self, plan: str, what: str, total: int, *, theme: str | None = None) -> None:
        self.builder.declare(plan, what, total, theme=theme)
        self.record(("declared total", plan, theme or "", f"{what} {total}"))

    def add_theme(self, plan: str, code: str, name: str | None, **kw: Any) -> str:
        self.record(("theme", plan, code, "name" if name else "code"))
        nid = self.builder.add_theme(plan, code, name, **kw)
        names = self.graph.nodes[nid]["names"]
        if name and plan == self.parser.agency_plan and (not names or names[-1] == name):
            self.parser.theme_names = None  # perhaps a new name (:meth:`_theme_names`)
        return nid

    def add_objective(self, plan: str, code: str, name: str | None, **kw: Any) -> str:
        self.record(("objective", plan, code, "name" if name else "code"))
        return self.builder.add_objective(plan, code, name, **kw)

    def add_kpi(self, plan: str, code: str, name: str | None, **kw: Any) -> str:
        objective = kw.get("objective")
        what = ("name" if name else "code") + (f", objective {objective}" if objective else "")
        self.record(("KPI", plan, code, what))
        return self.builder.add_kpi(plan, code, name, **kw)

    def add_action_plan(self, plan: str, code: str, name: str | None, **kw: Any) -> str:
        kpis = list(kw.pop("kpis", ()))
        what = ("name" if name else "code") + "".join(f", supports {k}" for k in kpis)
        self.record(("action plan", plan, code, what))
        return self.builder.add_action_plan(plan, code, name, kpis=kpis, **kw)

    def add_upward_link(
        self, plan: str, objective: str, code: str, name: str | None, **kw: Any
    ) -> None:
        self.record(("upward link", plan, objective, code))
        self.builder.add_upward_link(plan, objective, code, name, **kw)

    def add_city_kpi_reference(self, plan: str, kpi: str, city_kpi: str, **kw: Any) -> None:
        self.record(("city-KPI reference", plan, kpi, city_kpi))
        self.builder.add_city_kpi_reference(plan, kpi, city_kpi, **kw)

    def add_membership(self, organization: str, city_plan: str, theme: str, **kw: Any) -> None:
        self.record(("membership", city_plan, theme, organization))
        self.builder.add_membership(organization, city_plan, theme, **kw)

    def rename_latest(self, kind: str, plan: str, code: str, name: str, source: str) -> None:
        """Give the latest occurrence of a node the whole of a name a line break split
        (nothing when there is no such node)."""
        nid = s.node_id(kind, plan, code)
        if nid in self.graph:
            self.builder.rename_latest(nid, name, source)
            self.record((_KIND_WORDS[kind], plan, code, "name (continued)"))


class _SeedParser:
    def __init__(
        self,
        prepared: PreparedText,
        file: str,
        builder: PlanGraphBuilder,
        *,
        sources: Sequence[str] | None = None,
        rows: bool = False,
    ) -> None:
        self.file = file
        self.rows = rows
        self.lines = prepared.lines
        given = list(sources or ())[: len(self.lines)]
        self.sources = given + [f"{file}:{n}" for n in range(len(given) + 1, len(self.lines) + 1)]
        #: The line being read (from 1), None before and after.
        self.number: int | None = None
        #: What each line produced, by line number: (kind, plan, code, field) as in Produced.
        self.produced: dict[int, list[tuple[str, str, str, str]]] = {}
        self.notes = [""] * len(self.lines)
        self.builder = _Recorder(builder, self)
        self.problems: list[Problem] = []
        self.state = _State()
        #: The agency plan's themes by name, while no theme is added (:meth:`_theme_names`).
        self.theme_names: dict[str, str] | None = None
        self.title_lines = prepared.title_lines
        self.organization, self.year = prepared.organization, prepared.year
        for line, message in prepared.problems:
            self._problem(line, message)
        self.city_organization = _city_of(self.organization)
        self.agency_plan = ""
        self.city_plan: str | None = None

    def record(self, produced: tuple[str, str, str, str]) -> None:
        if self.number is not None:
            seen = self.produced.get(self.number)
            if seen is None:
                self.produced[self.number] = [produced]
            elif produced not in seen:
                seen.append(produced)

    def note(self, note: str) -> None:
        if self.number is not None and not self.notes[self.number - 1]:
            self.notes[self.number - 1] = note

    def trace(self, texts: Sequence[str]) -> list[TracedLine]:
        """The trace of the lines read, ``texts`` as they came."""
        return [
            TracedLine(source, text, [Produced(*p) for p in self.produced.get(number, ())], note)
            for number, (source, text, note) in enumerate(
                zip(self.sources, texts, self.notes, strict=True), 1
            )
        ]

    def _problem(self, line: int, message: str) -> None:
        if self.rows and 0 < line <= len(self.sources):
            message = f"{message} [{self.sources[line - 1]}]"
        self.problems.append(Problem(self.file, line, message))

    def _source(self, number: int) -> str:
        return self.sources[number - 1] if 0 < number <= len(self.sources) else self.file

    # -- driver --------------------------------------------------------------------------

    def run(self) -> list[Problem]:
        self.agency_plan = self.builder.add_plan(
            self.organization,
            self.year,
            s.AGENCY,
            city=self.city_organization,
            source=self._source(1),
        )
        state = self.state
        for number, line in enumerate(self.lines, 1):
            self.number = number
            if line is None:
                self._end_split_row()
                state.previous_tokens = []
                state.previous_text = ""
                self.note("blank")
                continue
            if number in self.title_lines:
                self.note(self.title_lines[number])
            try:
                self._line(number, line)
            except (ValueError, IndexError, KeyError) as err:  # pragma: no cover - defensive
                self._problem(number, f"could not read this line ({err})")
        self.number = None
        self._end_split_row()
        self._mark_not_read()
        return self.problems

    def _mark_not_read(self) -> None:
        """Mark lines that hold a code or Chinese text but produced nothing; a code is also
        a problem (unless one was reported for that line already)."""
        reported = {problem.line for problem in self.problems}
        for number, line in enumerate(self.lines, 1):
            if line is None or number in self.produced or self.notes[number - 1]:
                continue
            codes = [m["code"] for m in CODE.finditer(line.text)]
            if codes or CJK.search(line.text):
                self.notes[number - 1] = NOT_READ
            if codes and number not in reported:
                self._problem(number, f"not read: {' '.join(codes)} produced nothing")
        self.problems.sort()

    def _line(self, number: int, prepared: _Line) -> None:
        state = self.state
        if state.split_row is not None and self._split_row_cell(prepared.text):
            return
        stacked, state.stacked_header = state.stacked_header, []
        if isinstance(prepared, _TextLine):
            self._text_line(number, prepared, stacked)
            state.previous_text = prepared.line
            return
        state.prose = False
        tokens = [_Token(*token) for token in prepared.tokens]
        leading = prepared.leading
        if len(leading) == 1:
            self._leading_text(number, leading[0], tokens[0], prepared)
        elif leading:
            self._problem(
                number,
                f"{len(leading)} cells before {tokens[0].code} ({' | '.join(leading)}): "
                "no row label reads so; not read",
            )
        mode = state.mode
        if mode in MAP_MODES:
            self._map_row(number, tokens)
        elif mode == OVERVIEW:
            self._overview_row(number, tokens)
        elif mode == SCORECARD:
            self._scorecard_row(number, tokens)
        else:
            codes = " ".join(t.code for t in tokens)
            self._problem(number, f"codes {codes} outside any strategy map or scorecard table")
        state.previous_tokens = tokens
        state.previous_text = ""

    def _leading_text(self, number: int, text: str, first: _Token, line: _CodeLine) -> None:
        """Read the text standing before a row's first code: a row label (a theme letter,
        a theme's name and letter, a theme name in a theme column, a dash for no upward
        link), or the end of a name the previous line broke off."""
        state = self.state
        plan = self._mode_plan(number)
        label = THEME_LABEL.match(text)
        if DASH.fullmatch(text):
            if state.has_link_column:
                state.link = None
            self.note("row label: none (a dash)")
        elif label:
            letter = label["letter"] or label["letter1"] or label["letter2"]
            name = clean_name(label["name1"] or label["name2"] or "")
            self.builder.add_theme(
                plan,
                letter,
                name or None,
                source=self._source(number),
                place=self._place() if name else "implied",
            )
        elif "".join(text.split()) in self._theme_names() or "theme" in state.columns:
            theme = first.code[0] if s.OBJECTIVE_CODE.match(first.code.split(".")[0]) else None
            if theme is None:
                self._problem(number, f"theme name {text!r} before {first.code}: no theme letter")
                return
            self.builder.add_theme(
                plan, theme, clean_name(text), source=self._source(number), place=self._place()
            )
        elif (
            state.previous_tokens
            and not line.labelled
            and not line.marker
            and CJK.search(text)
            and not BULLET_ITEM.match(text)
        ):
            self._continue_name(state.previous_tokens[-1], text, number)
        else:
            self._problem(
                number, f"text {text!r} before {first.code} is no row label nor a name's end"
            )

    # -- lines without codes ---------------------------------------------------------------

    def _text_line(self, number: int, prepared: _TextLine, stacked: list[str]) -> None:
        state = self.state
        if state.mode == SCORECARD and prepared.dash:
            self._lone_dash(number)
            return
        one_cell, column = prepared.one_cell, prepared.column
        if column is not None and stacked:
            self._stacked_header_cell([*stacked, column])
            return
        if self._unmodelled_cell():
            return
        continued, columns = prepared.continued, prepared.columns
        line, compact = prepared.bare, prepared.bare_compact
        if state.previous_tokens and not prepared.marker and not columns and not continued:
            name_part = LABELS.sub("", line).strip()
            labelled = name_part != line.strip()  # a row label opens a new row
            if (
                name_part
                and not labelled
                and CJK.search(name_part)
                and not BULLET_ITEM.match(name_part)
                and not self._is_row_label(name_part)
            ):
                self._continue_name(state.previous_tokens[-1], name_part, number)
                return
        state.previous_tokens = []
        if columns or prepared.marker or "\t" in line.strip():
            state.prose = False
        if columns:
            self._header_row(list(columns))
            return
        if self._heading(compact, prepared.section, continued):
            return
        if state.mode is not None and compact in SPLIT_ROW_CELL:
            state.split_row = (compact, number, [])  # its cells follow, one per line
            self.note("row label (its cells follow, one per line)")
            return
        if state.mode is not None and compact.startswith("策略主題") and LONE_LETTER.search(line):
            self._theme_row(number, line)
            return
        if state.mode in MAP_MODES and (
            compact in ("策略主題", "策略") or (compact == "主題" and state.vertical_themes)
        ):
            state.vertical_themes = True
            self.note("row label (themes follow)")
            return
        if state.mode is not None and compact.startswith("分組成員"):
            self._members_row(number, line)
            return
        if state.mode in MAP_MODES and state.vertical_themes and LETTER.fullmatch(compact):
            name = clean_name(state.previous_text)
            source = self._source(number)
            if name and number > 1:  # the name stands on the line above the letter
                source = joined_source(self._source(number - 1), source)
            self.builder.add_theme(
                self._mode_plan(number), compact, name or None, source=source, place="map"
            )
            if name and number > 1 and not self.notes[number - 2]:
                self.notes[number - 2] = f"name of theme {compact} (next line)"
            return
        if state.mode in (SCORECARD, AGENCY_MAP, OVERVIEW) and one_cell:
            if prepared.theme_heading is not None:
                letter, name = prepared.theme_heading
                if letter != state.theme:
                    state.link = None
                state.theme = letter
                self.builder.add_theme(
                    self.agency_plan,
                    letter,
                    name,
                    source=self._source(number),
                    place="heading",
                )
                if continued:
                    self.note("continuation")
                return
            letter = self._theme_named(THEME_WORD.sub("", compact))
            if letter is not None:
                state.theme = letter
                state.link = None
                name = THEME_WORD.sub("", line)
                self.builder.add_theme(
                    self.agency_plan,
                    letter,
                    clean_name(name),
                    source=self._source(number),
                    place="heading",
                )
                if continued:
                    self.note("continuation")
                return
        if state.mode is not None and PERSPECTIVE_LABEL.fullmatch(compact):
            self.note("row label: perspective")
            return
        if compact.endswith("關聯圖"):
            self.note("heading: cause-effect diagram (its arrows are not in the text)")
            return
        if state.mode == OVERVIEW and LEGEND.match(line.strip()):
            self.note("legend")
            return
        if column is not None:
            state.stacked_header = [column]
            self.note("header cell (alone)")
            return
        self._declared(prepared)
        if state.mode is None and state.skipped_section and number not in self.produced:
            self.note(f"not modelled (section {state.skipped_section})")
        elif PROSE.fullmatch(compact):
            state.prose = compact.endswith("】")
            self.note("not modelled (mission, vision, values)")
        elif state.prose:
            self.note("not modelled (mission, vision, values)")
        elif continued:
            self.note("continuation")

    def _stacked_header_cell(self, cells: list[str]) -> None:
        """One more cell of a header row split into one line per cell: once its cells make a
        header, it is read as one (again with each further cell)."""
        self.state.stacked_header = cells
        if _is_header(cells):
            self._header_row(cells, one_cell_rows=True)
            assert self.number is not None
            self.notes[self.number - 1] = "header row (one cell per line): " + ", ".join(cells)
        else:
            self.note("header cell (alone)")

    def _unmodelled_cell(self) -> bool:
        """In a table laid out one cell per line, text after a code whose next column is one
        bscalign does not model (衡量標準, 目標值) is that column's cell, not the end of the
        code's name: it is skipped."""
        state = self.state
        if state.mode != SCORECARD or not state.one_cell_rows or not state.previous_tokens:
            return False
        column = _COLUMN_OF_DEPTH.get(state.previous_tokens[-1].depth)
        columns = state.columns
        if column not in columns or columns.index(column) + 1 >= len(columns):
            return False
        if columns[columns.index(column) + 1] != "attribute":
            return False
        state.previous_tokens = []
        self.note("cell of a column bscalign does not model (skipped)")
        return True

    def _lone_dash(self, number: int) -> None:
        """A dash alone on its line in a scorecard (a table laid out one cell per line): the
        column it stands in follows the cell before it. After an action plan, or first in
        a table, it opens a row in the first column; after a KPI it stands for no action
        plan, unless the next row opens with its objective, where it may as well be that
        row's missing upward link: a problem."""
        state = self.state
        previous = state.previous_tokens[-1].depth if state.previous_tokens else None
        link_first = state.has_link_column and self._link_column_first()
        if link_first and previous in (None, 2):
            state.link = None
            self.note("row label: none (a dash, in the upward-link column)")
        elif link_first and previous == 1:
            following = self._next_tokens(number)
            after = following[1] if len(following) > 1 else None
            if following and self._is_agency_objective(following[0], after):
                self._problem(
                    number,
                    f"a dash alone after KPI {state.previous_tokens[-1].code}: no action plan, "
                    f"or no upward link for the row of {following[0].code}, cannot be told "
                    "apart (a table with one cell per line?); read as no action plan",
                )
            self.note("cell: none (a dash, no action plan)")
        else:
            self.note("cell: none (a dash)")

    def _is_row_label(self, text: str) -> bool:
        """Whether text standing before a row's codes (or alone) labels the row rather than
        continuing the previous line's name: a theme letter, a theme's name with its letter,
        a perspective word, or the name of a theme this plan already has."""
        compact = "".join(text.split())
        if not compact or PERSPECTIVE_LABEL.fullmatch(compact) or THEME_LABEL.match(text.strip()):
            return True
        return compact in self._theme_names()

    def _theme_names(self) -> dict[str, str]:
        """The agency plan's themes so far, by name (spaces removed) -> letter."""
        if self.theme_names is not None:
            return self.theme_names  # no theme was named since (the recorder says so)
        # theme codes in these documents are one letter: look the 26 up, walk nothing
        nodes = self.builder.graph.nodes
        names = {}
        for letter in ascii_uppercase:
            nid = s.node_id(s.THEME, self.agency_plan, letter)
            for name in nodes[nid]["names"] if nid in nodes else ():
                names["".join(name.split())] = letter
        self.theme_names = names
        return names

    def _theme_named(self, compact: str) -> str | None:
        return self._theme_names().get(compact) if compact else None

    def _header_row(self, columns: list[str], *, one_cell_rows: bool = False) -> None:
        """A table's header row: its columns tell what the rows below hold."""
        state = self.state
        state.columns = columns
        state.one_cell_rows = one_cell_rows
        if "kpi" in columns and "action plan" in columns:
            state.mode = SCORECARD
            state.has_link_column = "link" in columns
            state.link = None
            state.objective = state.kpi = None
        elif "kpi" in columns and state.mode != SCORECARD:
            state.mode = OVERVIEW
        self.note("header row: " + ", ".join(columns))

    def _heading(self, compact: str, section: str | None, continued: bool) -> bool:
        if compact == self.organization:
            self.note("title: organization")
            return True
        mode = self.state.mode
        if section is not None and self._section_heading(compact, section, continued):
            if self.state.mode is not None or mode is not None:
                self.state.skipped_section = None if self.state.mode else self.state.skipped_section
            return True
        return False

    def _section_heading(self, compact: str, section: str, continued: bool) -> bool:
        """Start the section a heading (or header row) opens, as :func:`_section_of` read it."""
        state = self.state
        if section == SCORECARD_HEADER:
            state.mode = SCORECARD
            state.has_link_column = "府級" in compact
            state.link = None
            state.objective = state.kpi = None
            self.note("header row")
            return True
        if section == LINK_HEADER:
            if state.mode != SCORECARD:
                return False
            # the link column's header cell, on a line of its own where extraction (PDF)
            # split the header row into one line per cell
            state.has_link_column = True
            state.link = None
            state.stacked_header = ["link"]
            self.note("header row (link column)")
            return True
        if section == CITY_MAP:
            state.mode = CITY_MAP
            state.vertical_themes = False
            state.columns = []
            year = TITLE_YEAR.search(compact)
            state.city_year = year["year"] if year else None
            self.note("heading: city map")
            return True
        if section == SKIPPED:
            state.mode = None
            state.skipped_section = compact
            self.note(f"not modelled (section {compact})")
            return True
        if section == AGENCY_MAP:
            state.mode = AGENCY_MAP
            state.vertical_themes = False
            state.columns = []
            self.note("heading: agency map")
            return True
        if section == OVERVIEW:
            state.mode = OVERVIEW
            state.columns = []
            state.transposed = False
            self.note("heading: KPI overview")
            return True
        if section == SCORECARD:
            self.note("heading: scorecard" + (" (continued)" if continued else ""))
            if continued and state.mode == SCORECARD:
                return True
            state.mode = SCORECARD
            state.has_link_column = False
            state.columns = []
            state.theme = None
            state.link = None
            return True
        return False

    def _declared(self, line: _TextLine) -> None:
        theme = self.state.theme if line.theme_totals else None
        plan = self.city_plan if self.state.mode == CITY_MAP and self.city_plan else None
        for what, total in line.declared:
            if theme and what == "themes":
                continue
            self.builder.declare(plan or self.agency_plan, what, total, theme=theme)

    def _split_row_cell(self, line: str) -> bool:
        """Collect a cell of a row whose label stood alone on its line, as PDF extraction
        leaves a row it splits into one line per cell; the row is read when it ends."""
        row = self.state.split_row
        if row is None:
            return False
        label, _, cells = row
        if SPLIT_ROW_CELL[label](line):
            cells.append(line.strip())
            return True
        self._end_split_row()
        return False

    def _end_split_row(self) -> None:
        row, self.state.split_row = self.state.split_row, None
        if row is not None:
            label, number, cells = row
            read = self._theme_row if label == "策略主題" else self._members_row
            read(number, "\t".join([label, *cells]))

    def _theme_row(self, number: int, line: str) -> None:
        rest = THEME_ROW_LABEL.sub("", line)
        if not PERSPECTIVE_LABEL.sub("", rest).strip():
            # 策略主題 | 顧客C | 內部流程P | ...: the header of a table whose rows are themes
            self.state.transposed = True
            self.note("header row: themes as rows, perspectives as columns")
            return
        plan = self._mode_plan(number)
        cells = [cell for cell in CELL_BREAK.split(rest) if cell.strip()]
        if len(cells) > 1:  # one theme per cell: its letter and its name
            self.state.themes_in_row = []
            for cell in cells:
                letters = list(LONE_LETTER.finditer(cell))
                if len(letters) != 1:
                    self._problem(number, f"theme cell {cell.strip()!r} holds no one theme letter")
                    continue
                letter = letters[0]
                before, after = clean_name(cell[: letter.start()]), clean_name(cell[letter.end() :])
                if before and after:
                    # the name is one side of its letter; text on both sides is two cells glued
                    self._problem(
                        number,
                        f"theme cell {cell.strip()!r} holds text on both sides of its letter "
                        f"{letter.group()}: which is the theme's name is unclear",
                    )
                    continue
                name = before or after
                self.builder.add_theme(
                    plan,
                    letter.group(),
                    name or None,
                    source=self._source(number),
                    place=self._place(),
                )
                self.state.themes_in_row.append(letter.group())
            return
        letters = list(LONE_LETTER.finditer(rest))
        if not letters:
            return
        letter_first = not clean_name(rest[: letters[0].start()])
        for index, match in enumerate(letters):
            if letter_first:
                end = letters[index + 1].start() if index + 1 < len(letters) else len(rest)
                name = rest[match.end() : end]
            else:
                begin = letters[index - 1].end() if index else 0
                name = rest[begin : match.start()]
            self.builder.add_theme(
                plan,
                match.group(),
                clean_name(name) or None,
                source=self._source(number),
                place=self._place(),
            )
        self.state.themes_in_row = [m.group() for m in letters]

    def _members_row(self, number: int, line: str) -> None:
        if self.state.mode != CITY_MAP:
            self._problem(number, "theme-group members outside the city strategy map")
            return
        rest = MEMBERS_ROW_LABEL.sub("", line)
        leads = list(LEAD.finditer(rest))
        themes = self.state.themes_in_row
        if len(leads) != len(themes):
            self._problem(
                number,
                f"{len(leads)} theme groups with a lead (主政) but {len(themes)} themes "
                "in the strategy-theme row; memberships not loaded",
            )
            return
        plan = self._mode_plan(number)
        for index, (lead, theme) in enumerate(zip(leads, themes, strict=True)):
            end = leads[index + 1].start() if index + 1 < len(leads) else len(rest)
            source = self._source(number)
            self.builder.add_membership(lead["name"], plan, theme, lead=True, source=source)
            for member in MEMBER_SEPARATOR.split(rest[lead.end() : end]):
                member = "".join(member.split())
                if member:
                    self.builder.add_membership(member, plan, theme, lead=False, source=source)

    # -- lines with codes ------------------------------------------------------------------

    def _map_row(self, number: int, tokens: list[_Token]) -> None:
        plan = self._mode_plan(number)
        source, place = self._source(number), self._place()
        for token in tokens:
            if token.depth:
                self._problem(
                    number, f"{token.code} in a strategy map, where only objectives stand"
                )
                continue
            self.builder.add_objective(
                plan, token.code, token.name or None, source=source, place=place, new=token.new
            )
            self._link_beside(number, plan, token)

    def _link_beside(self, number: int, plan: str, token: _Token) -> None:
        if token.link_beside is not None:
            code, name = token.link_beside
            raw = f"{code} {name}".strip()
            self.builder.add_upward_link(
                plan, token.code, code, name or None, source=self._source(number), raw=raw
            )

    def _overview_row(self, number: int, tokens: list[_Token]) -> None:
        for token in tokens:
            if token.depth != 1:
                self._problem(number, f"{token.code} in the KPI overview, where only KPIs stand")
                continue
            self._kpi(number, token, objective=None, place="overview")

    def _scorecard_row(self, number: int, tokens: list[_Token]) -> None:
        state = self.state
        leading: list[_Token] = []
        while len(leading) < len(tokens) and tokens[len(leading)].depth == 0:
            leading.append(tokens[len(leading)])
        rest = tokens[len(leading) :]
        link_after = self._link_after_objective(rest)
        if link_after is not None:
            state.link = link_after
            rest = [token for token in rest if token is not link_after]
        objectives = leading
        if state.has_link_column and leading:
            following = rest[0] if rest else None
            first = leading[0]
            if (
                len(leading) >= 2
                or not self._is_agency_objective(first, following)
                or (following is None and self._link_cell_alone(number, first))
            ):
                state.link = first
                objectives = leading[1:]
                if not objectives and not rest:
                    self._lone_link(number, first)
        if objectives and link_after is None and not self._link_column_first():
            below = self._link_below(number)
            state.link_below = below.code if below else None
            if below is not None:
                state.link = below
        for token in objectives:
            self._scorecard_objective(number, token)
        row_kpis = [token.code for token in rest if token.depth == 1]
        if row_kpis:
            state.kpis_above = row_kpis
        for token in rest:
            if token.depth == 0:
                self._scorecard_objective(number, token)
            elif token.depth == 1:
                if state.objective is None:
                    self._problem(number, f"KPI {token.code} before any objective in its table")
                    continue
                self._kpi(number, token, objective=state.objective, place="scorecard")
                state.kpi = token.code
                state.kpis_of_objective.append(token.code)
            elif token.depth == 2:
                kpi = self._kpi_of_action_plan(token, row_kpis)
                if kpi is None:
                    self._problem(number, f"action plan {token.code} before any KPI in its table")
                    continue
                self.builder.add_action_plan(
                    self.agency_plan,
                    token.code,
                    token.name or None,
                    source=self._source(number),
                    place="scorecard",
                    kpis=[kpi],
                )
            else:
                self._problem(number, f"{token.code} is nested deeper than an action plan")

    def _link_after_objective(self, rest: list[_Token]) -> _Token | None:
        """The upward link of a row whose header puts the link column after the objective
        column (``策略目標 | KPI | 行動方案 | 對應府級策略目標``): the objective-shaped code
        that follows the row's KPIs or action plans."""
        columns = self.state.columns
        if "link" not in columns or "objective" not in columns:
            return None
        if columns.index("link") < columns.index("objective"):
            return None
        linked = [token for token in rest if token.depth == 0]
        if not linked:
            return None
        if len(linked) > 1:
            codes = ", ".join(token.code for token in linked)
            self._problem(
                self.number or 0,
                f"{codes} where one upward link stands; the last is read as the link",
            )
        return linked[-1]

    def _lone_link(self, number: int, token: _Token) -> None:
        """Note an upward link standing alone on its line: taken on by the objectives below,
        or, where the link column is last, by the objective of the row above (which found
        it there, :meth:`_link_below`); a link that objective did not take is a problem."""
        state = self.state
        if self._link_column_first():
            self.note(f"upward link {token.code} (taken on by the objectives below)")
        elif state.link_below == token.code:
            self.note(f"upward link {token.code} (of objective {state.objective}, its row above)")
            state.link_below = None
        else:
            self._problem(
                number,
                f"upward link {token.code} alone after the row of objective {state.objective}, "
                "which did not take it; read as the link of the objectives below",
            )

    def _link_below(self, number: int) -> _Token | None:
        """Where the link column is last and the row's cells come one per line, the upward
        link of the objective on line ``number``: the next objective-shaped code that is no
        objective of this plan, before the next objective or heading."""
        for prepared in self.lines[number:]:
            if prepared is None:
                continue
            if isinstance(prepared, _TextLine):
                line = prepared.text
                compact = "".join(line.split())
                if (
                    _is_marker(compact)
                    or _column_of(compact)
                    or THEME_HEADING.match(line.strip())
                    or CONTINUED.search(line)
                ):
                    return None
                continue
            tokens = [_Token(*token) for token in prepared.tokens]
            if tokens[0].depth != 0:
                continue
            after = tokens[1] if len(tokens) > 1 else None
            return None if self._is_agency_objective(tokens[0], after) else tokens[0]
        return None

    def _link_cell_alone(self, number: int, token: _Token) -> bool:
        """Whether a line holding only ``token``, a code of this plan's objectives, is the
        upward-link cell of the row below rather than an objective without KPI: so where a
        table is laid out one cell per line (PDF) and the city's objective has the code of
        the agency's (``AC1 提升環境品質`` above ``顧客 AC1 改善空氣品質``). The next row
        opening with that same code as its only objective tells; another objective there
        leaves it undecided, which is a problem (read as an objective, as its code says);
        so does such a code alone after a row's KPI or plan where the link column is last."""
        following = self._next_tokens(number)
        if not self._link_column_first():
            previous = self.state.previous_tokens
            if (
                previous
                and previous[-1].depth >= 1
                and not (following and following[0].code.startswith(f"{token.code}."))
            ):
                self._problem(
                    number,
                    f"{token.code} alone after the row of objective {self.state.objective}: "
                    f"its upward link (a city objective of that code) or objective "
                    f"{token.code} without KPI cannot be told apart; read as objective "
                    f"{token.code}",
                )
            return False
        opening = [t for t in following if t.depth == 0]
        if len(opening) != 1 or following[0].depth != 0:
            return False
        if opening[0].code == token.code:
            self.note(f"upward link {token.code} (its objective on the next line)")
            return True
        self._problem(
            number,
            f"{token.code} stands alone before objective {opening[0].code}: the upward link "
            f"of the row below or an objective without KPI cannot be told apart (a table "
            f"with one cell per line?); read as objective {token.code}",
        )
        return False

    def _link_column_first(self) -> bool:
        """Whether the table's upward-link column comes before its objective column (as
        when no header row says otherwise)."""
        columns = self.state.columns
        if "link" in columns and "objective" in columns:
            return columns.index("link") < columns.index("objective")
        return True

    def _next_tokens(self, number: int) -> list[_Token]:
        """The codes of the next non-blank line after line ``number`` (from 1)."""
        for line in self.lines[number:]:
            if isinstance(line, _CodeLine):
                return [_Token(*token) for token in line.tokens]
            if line is not None:
                return []
        return []

    def _kpi_of_action_plan(self, token: _Token, row_kpis: list[str]) -> str | None:
        """The KPI an action plan supports: the one its code names when that KPI is in its
        row (or, in a row without KPI, its objective's); else the one KPI of its row, which a
        plan shared between KPIs is listed under; else the KPI above."""
        parent = token.code.rsplit(".", 1)[0]
        above = self.state.kpi
        if (
            not row_kpis
            and parent in self.state.kpis_of_objective
            and parent not in self.state.kpis_above
        ):
            # a row without KPI (merged cell, or one cell per line) is the row of the KPIs
            # above, and its plan one of theirs unless it was listed under its own already
            plan = s.node_id(s.ACTION_PLAN, self.agency_plan, token.code)
            kpi = s.node_id(s.KPI, self.agency_plan, parent)
            if self.builder.graph.has_edge(plan, kpi, s.SUPPORTS):
                return above  # listed under its own KPI already: shared with the KPI above
            if self.number is not None:
                self._problem(
                    self.number,
                    f"action plan {token.code} follows KPI {above} but its code names KPI "
                    f"{parent}; placed under {parent}",
                )
            return parent
        if parent in row_kpis or (not row_kpis and parent in self.state.kpis_of_objective):
            return parent
        if len(row_kpis) == 1:
            return row_kpis[0]
        if row_kpis and self.number is not None:
            self._problem(
                self.number,
                f"action plan {token.code} in a row of KPIs {', '.join(row_kpis)}, none of "
                f"which its code names; placed under {self.state.kpi}, the row's last",
            )
        return self.state.kpi

    def _is_agency_objective(self, token: _Token, following: _Token | None) -> bool:
        if following is not None and following.code.rsplit(".", 1)[0] == token.code:
            return True
        known = s.node_id(s.OBJECTIVE, self.agency_plan, token.code) in self.builder.graph
        theme_ok = self.state.theme is None or token.code[0] == self.state.theme
        return known and theme_ok and bool(s.OBJECTIVE_CODE.match(token.code))

    def _scorecard_objective(self, number: int, token: _Token) -> None:
        state = self.state
        source = self._source(number)
        self.builder.add_objective(
            self.agency_plan,
            token.code,
            token.name or None,
            source=source,
            place="scorecard",
            new=token.new,
        )
        if state.has_link_column and state.link is not None:
            link = state.link
            raw = f"{link.code} {link.name}".strip()
            self.builder.add_upward_link(
                self.agency_plan, token.code, link.code, link.name, source=source, raw=raw
            )
        self._link_beside(number, self.agency_plan, token)
        state.objective = token.code
        state.kpi = None
        state.kpis_of_objective = []
        state.kpis_above = []

    def _kpi(self, number: int, token: _Token, *, objective: str | None, place: str) -> None:
        source = self._source(number)
        self.builder.add_kpi(
            self.agency_plan,
            token.code,
            token.name or None,
            source=source,
            place=place,
            objective=objective,
            wccd=token.wccd,
            city_kpi=token.city_kpi,
            new=token.new,
        )
        if token.city_kpi_ref:
            self.builder.add_city_kpi_reference(
                self.agency_plan, token.code, token.city_kpi_ref, source=source
            )

    def _continue_name(self, token: _Token, text: str, number: int) -> None:
        """Join a name that a stray line break split over two lines."""
        addition = clean_name(text)
        if not addition:
            return
        token.name = clean_name(token.name + addition)
        mode = self.state.mode
        kind = _KIND_OF_DEPTH.get(token.depth)
        if kind is None or mode is None:
            return
        if mode == CITY_MAP and self.city_plan:
            plan = self.city_plan
        elif self.state.has_link_column and self.state.link is token:
            return  # the upward link's name; already stored with the objective
        else:
            plan = self.agency_plan
        self.builder.rename_latest(kind, plan, token.code, token.name, self._source(number))

    # -- helpers ----------------------------------------------------------------------------

    def _mode_plan(self, number: int) -> str:
        if self.state.mode != CITY_MAP:
            return self.agency_plan
        if self.city_plan is None:
            year = self.state.city_year or self.year
            self.city_plan = self.builder.add_plan(
                self.city_organization, year, s.CITY, source=self._source(number)
            )
        return self.city_plan

    def _place(self) -> str:
        return _PLACES.get(self.state.mode or "", "scorecard")


_KIND_WORDS = {s.OBJECTIVE: "objective", s.KPI: "KPI", s.ACTION_PLAN: "action plan"}
_KIND_OF_DEPTH = {0: s.OBJECTIVE, 1: s.KPI, 2: s.ACTION_PLAN}
_COLUMN_OF_DEPTH = {0: "objective", 1: "kpi", 2: "action plan"}
#: Where an item stands, by the part of the document being read (else ``scorecard``).
_PLACES = {CITY_MAP: "map", AGENCY_MAP: "map", OVERVIEW: "overview"}


def _take_city_kpi_references(line: str) -> tuple[str, list[tuple[int, str, str | None]]]:
    """Blank out ``(府級KPI : GP6.2)`` and ``（承接GC2 營造安全環境）`` marks, keeping where
    they stood and what they name: ``(position, code, None)`` for a city-KPI reference,
    ``(position, code, name)`` for an upward link beside its objective."""
    if "府級" not in line and "承接" not in line:
        return line, []  # neither mark can stand here
    references: list[tuple[int, str, str | None]] = []
    for found in CITY_KPI_REFERENCE.finditer(line):
        references.append((found.start(), found["code"], None))
    for found in LINK_BESIDE.finditer(line):
        references.append((found.start(), found["code"], clean_name(found["name"])))
    blanked = CITY_KPI_REFERENCE.sub(lambda m: " " * len(m.group()), line)
    blanked = LINK_BESIDE.sub(lambda m: " " * len(m.group()), blanked)
    return blanked, references


def _is_code_here(line: str, match: re.Match[str]) -> bool:
    """A token is a code where the table puts one: a theme-and-perspective code (``AC1``,
    ``AC1.1``) or a one-letter dotted one (``C1.1.1``) anywhere; any other code shape
    (``G2``, ``GT1``) only at the start of a cell. Inside a name, ``CEFR A2``, ``A1類`` and
    ``PM2.5`` stay names."""
    if CODE_ANYWHERE.fullmatch(match["code"]):
        return True
    before = line[: match.start()]
    return not before.strip() or before.endswith(("\t", "  "))


def _tokens(line: str, references: list[tuple[int, str, str | None]]) -> tuple[_TokenData, ...]:
    matches = [match for match in CODE.finditer(line) if _is_code_here(line, match)]
    tokens = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        text = line[match.end() : end]
        cut = CELL_BREAK.search(text)
        if cut is not None:  # the code's cell ends there, or its name is in a cell after
            first = text[: cut.start()]
            if first.strip():
                text = first
            else:
                text = next((cell for cell in CELL_BREAK.split(text) if cell.strip()), "")
        # each mark below is looked for only where its words stand: most names hold none
        new = "新增" in text and bool(NEW_MARK.search(text))
        if new:
            text = NEW_MARK.sub(" ", text)
        wccd = city_kpi = False
        if "WCCD" in text or "府" in text:
            flags = TRAILING_FLAGS.search(text)
            if flags:
                wccd = "WCCD" in flags.group()
                city_kpi = "府" in flags.group()
                text = text[: flags.start()]
        if PERSPECTIVE_WORD.search(text):
            text = TRAILING_LABEL.sub("", text)
        tail = text.rstrip()
        if tail and (tail[-1] in DASHES or tail[-1] == "無"):
            text = DASH_CELL.sub("", text)  # a dash cell: none
        city_kpi_ref = link_beside = None
        for position, code, link_name in references:
            if match.end() <= position < end:
                if link_name is None:
                    city_kpi_ref = code
                else:
                    link_beside = (code, link_name)
        code = match["code"]
        tokens.append(
            (code, clean_name(text), match.start(), code.count("."), wccd, city_kpi, new,
             city_kpi_ref, link_beside)
        )  # fmt: skip
    return tuple(tokens)


def _without_labels(text: str) -> list[str]:
    """The cells of ``text`` without the row labels that name no item (策略目標, a
    perspective such as 顧客 C)."""
    cells = []
    for cell in CELL_BREAK.split(text):
        cell = LABELS.sub("", cell)
        cell = PERSPECTIVE_CELL_LABEL.sub(" ", cell).strip()
        if cell:
            cells.append(cell)
    return cells


def _cells(line: str) -> list[str]:
    """A line's non-empty cells: tab- or wide-space-separated; words where neither is left
    (PDF extraction joins a row's cells with single spaces)."""
    cells = [cell.strip() for cell in CELL_BREAK.split(line) if cell.strip()]
    return cells if len(cells) > 1 else line.split()


def _column_of(cell: str) -> str | None:
    """The column a header cell names (``KPI (關鍵績效指標)`` -> ``kpi``), or None."""
    return COLUMN_OF_WORD.get(COLUMN_SUFFIX.sub("", "".join(BRACKETED.sub("", cell).split())))


def _header_columns(line: str) -> list[str]:
    """The columns of a header row (every cell a column word, at least two, one of them
    objective, KPI or action plan); empty for any other line."""
    cells = [cell for cell in _cells(line) if not BRACKETED.fullmatch(cell)]
    columns = [_column_of(cell) for cell in cells]
    if None in columns or not _is_header(columns):
        return []
    return [column for column in columns if column is not None]


def _is_header(columns: list[str | None]) -> bool:
    """Whether columns make a header row: at least two, one of them objective, KPI or
    action plan."""
    return len(columns) >= 2 and bool({"objective", "kpi", "action plan"} & set(columns))


def _is_overview_heading(compact: str) -> bool:
    """``KPI項目一覽表``, ``關鍵績效指標總覽``, ``KPI彙整表``..."""
    return bool(OVERVIEW_HEADING.search(compact))


#: Sections a heading opens, besides the parts of a document (CITY_MAP...).
SCORECARD_HEADER, LINK_HEADER, SKIPPED = "scorecard header", "link header", "skipped"


def _section_of(compact: str) -> str | None:
    """The section a line (without whitespace) opens wherever it stands: CITY_MAP,
    AGENCY_MAP, OVERVIEW, SCORECARD, SKIPPED (one bscalign does not model), a scorecard's
    header row (SCORECARD_HEADER) or its link column's header cell alone (LINK_HEADER,
    which opens nothing outside a scorecard); None for a line that opens none."""
    if "KPI" in compact and ("行動方案" in compact or "行動計畫" in compact):
        return SCORECARD_HEADER
    if compact == "府級策略目標":
        return LINK_HEADER
    if "府級" in compact and ("策略地圖" in compact or compact.startswith("對應府級")):
        return CITY_MAP
    if SKIPPED_SECTION.match(compact):
        return SKIPPED
    if compact.endswith("策略地圖") and len(compact) <= 40:
        return AGENCY_MAP
    if _is_overview_heading(compact):
        return OVERVIEW
    if compact.endswith("平衡計分卡") and "策略地圖" not in compact and len(compact) <= 20:
        return SCORECARD
    return None


def _is_marker(compact: str) -> bool:
    return MARKER.search(compact) is not None


def _city_of(organization: str) -> str:
    """Name the city government an agency belongs to: 臺北市政府消防局 -> 臺北市政府."""
    if "政府" in organization:
        return organization[: organization.index("政府") + 2]
    found = CITY_NAME.match(organization)
    # never the agency itself: its city map would merge into its own plan
    return f"{found[1]}政府" if found else UNKNOWN_CITY
