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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bscalign.graph import schema as s
from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders.problems import Problem
from bscalign.loaders.textnorm import clean_name, decode, normalize_line

CODE = re.compile(r"(?<![A-Za-z0-9.])(?P<code>[A-Z]{1,2}\d+(?:\.\d+)*)(?![A-Za-z0-9])")
CITY_KPI_REFERENCE = re.compile(r"\(\s*府級\s*KPI\s*:\s*(?P<code>[A-Z]{1,2}\d+(?:\.\d+)*)\s*\)")
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
DECLARED = {
    "themes": re.compile(r"(\d+)\s*[大項個]?\s*策略主題"),
    "objectives": re.compile(r"(\d+)\s*[項個]?\s*策略目標"),
    "kpis": re.compile(r"(\d+)\s*[項個]?\s*(?:關鍵績效指標|KPI)"),
    "action_plans": re.compile(r"(\d+)\s*[項個]?\s*(?:行動計畫|行動方案)"),
}

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


@dataclass
class _Token:
    code: str
    name: str
    start: int
    wccd: bool = False
    city_kpi: bool = False
    new: bool = False
    city_kpi_ref: str | None = None

    @property
    def depth(self) -> int:
        return self.code.count(".")


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
    themes_in_row: list[str] = field(default_factory=list)
    previous_text: str = ""
    previous_tokens: list[_Token] = field(default_factory=list)
    vertical_themes: bool = False
    split_row: tuple[str, int, list[str]] | None = None


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
    return _SeedParser(text, file, builder, sources).run()


class _SeedParser:
    def __init__(
        self,
        text: str,
        file: str,
        builder: PlanGraphBuilder,
        sources: Sequence[str] | None = None,
    ) -> None:
        self.file = file
        self.sources = sources
        self.builder = builder
        self.lines = [normalize_line(line) for line in text.splitlines()]
        self.problems: list[Problem] = []
        self.state = _State()
        self.organization, self.year = self._identity()
        self.city_organization = _city_of(self.organization)
        self.agency_plan = ""
        self.city_plan: str | None = None

    # -- identity ------------------------------------------------------------------------

    def _identity(self) -> tuple[str, str]:
        organization = year = None
        for number, line in enumerate(self.lines, 1):
            compact = re.sub(r"\s+", "", line)
            if organization is None and ORGANIZATION.match(compact):
                organization = compact
            if year is None and ("策略地圖" in compact or "平衡計分卡" in compact):
                found = TITLE_YEAR.search(compact)
                if found and "府級" not in compact:
                    year = found["year"]
            if organization and year:
                return organization, year
            if number > 400:
                break
        stem = Path(self.file).stem
        if organization is None:
            self._problem(1, "no organization name found (expected a line like 臺北市政府消防局)")
            organization = stem
        if year is None:
            self._problem(
                1, "no plan year found (expected a title like 108年度策略地圖與平衡計分卡)"
            )
            year = "unknown"
        return organization, year

    def _problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def _source(self, number: int) -> str:
        if self.sources is not None:
            return self.sources[number - 1]
        return f"{self.file}:{number}"

    # -- driver --------------------------------------------------------------------------

    def run(self) -> list[Problem]:
        self.agency_plan = self.builder.add_plan(
            self.organization,
            self.year,
            s.AGENCY,
            city=self.city_organization,
            source=self._source(1),
        )
        for number, line in enumerate(self.lines, 1):
            if not line.strip():
                self._end_split_row()
                self.state.previous_tokens = []
                self.state.previous_text = ""
                continue
            try:
                self._line(number, line)
            except (ValueError, IndexError, KeyError) as err:  # pragma: no cover - defensive
                self._problem(number, f"could not read this line ({err})")
        self._end_split_row()
        return self.problems

    def _line(self, number: int, line: str) -> None:
        if self._split_row_cell(line):
            return
        line, references = _take_city_kpi_references(line)
        tokens = _tokens(line, references)
        compact = re.sub(r"\s+", "", line)
        if not tokens:
            self._text_line(number, line, compact)
            self.state.previous_text = line
            return
        leading = LABELS.sub("", line[: tokens[0].start]).strip()
        if leading and self.state.previous_tokens and not _is_marker(compact):
            self._continue_name(self.state.previous_tokens[-1], leading, number)
        mode = self.state.mode
        if mode in MAP_MODES:
            self._map_row(number, tokens)
        elif mode == OVERVIEW:
            self._overview_row(number, tokens)
        elif mode == SCORECARD:
            self._scorecard_row(number, tokens)
        else:
            codes = " ".join(t.code for t in tokens)
            self._problem(number, f"codes {codes} outside any strategy map or scorecard table")
        self.state.previous_tokens = tokens
        self.state.previous_text = ""

    # -- lines without codes ---------------------------------------------------------------

    def _text_line(self, number: int, line: str, compact: str) -> None:
        state = self.state
        if state.previous_tokens and not _is_marker(compact):
            name_part = LABELS.sub("", line).strip()
            if name_part and re.search(r"[\u4e00-\u9fff]", name_part):
                self._continue_name(state.previous_tokens[-1], name_part, number)
                return
        state.previous_tokens = []
        if self._heading(number, compact):
            return
        if state.mode is not None and compact in SPLIT_ROW_CELL:
            state.split_row = (compact, number, [])  # its cells follow, one per line
            return
        if state.mode is not None and compact.startswith("策略主題"):
            self._theme_row(number, line)
            return
        if state.mode in MAP_MODES and compact in ("策略主題", "策略"):
            state.vertical_themes = True
            return
        if state.mode is not None and compact.startswith("分組成員"):
            self._members_row(number, line)
            return
        if state.mode in MAP_MODES and state.vertical_themes and re.fullmatch(r"[A-Z]", compact):
            name = clean_name(state.previous_text)
            self.builder.add_theme(
                self._mode_plan(number),
                compact,
                name or None,
                source=self._source(number),
                place="map",
            )
            return
        if state.mode in (SCORECARD, AGENCY_MAP, OVERVIEW):
            heading = THEME_HEADING.match(line.strip())
            if heading and len(compact) <= 40:
                state.theme = heading["letter"]
                state.link = None
                self.builder.add_theme(
                    self.agency_plan,
                    heading["letter"],
                    clean_name(heading["name"]),
                    source=self._source(number),
                    place="heading",
                )
                return
        self._declared(number, compact)

    def _heading(self, number: int, compact: str) -> bool:
        state = self.state
        if "KPI" in compact and ("行動方案" in compact or "行動計畫" in compact):
            state.mode = SCORECARD
            state.has_link_column = "府級" in compact
            state.link = None
            state.objective = state.kpi = None
            return True
        if state.mode == SCORECARD and compact == "府級策略目標":
            # the link column's header cell, on a line of its own where extraction (PDF)
            # split the header row into one line per cell
            state.has_link_column = True
            state.link = None
            return True
        if "府級" in compact and ("策略地圖" in compact or compact.startswith("對應府級")):
            state.mode = CITY_MAP
            state.vertical_themes = False
            year = TITLE_YEAR.search(compact)
            state.city_year = year["year"] if year else None
            return True
        if "承接府級" in compact:
            state.mode = None
            return True
        if compact.endswith("策略地圖") and len(compact) <= 40:
            state.mode = AGENCY_MAP
            state.vertical_themes = False
            return True
        if "KPI項目一覽" in compact or compact.endswith("KPI一覽表"):
            state.mode = OVERVIEW
            return True
        if compact.endswith("平衡計分卡") and "策略地圖" not in compact and len(compact) <= 20:
            state.mode = SCORECARD
            state.has_link_column = False
            state.theme = None
            state.link = None
            return True
        return False

    def _declared(self, number: int, compact: str) -> None:
        text = compact.replace("*", "")
        theme = self.state.theme if text.startswith("本策略主題") else None
        plan = self.city_plan if self.state.mode == CITY_MAP and self.city_plan else None
        for what, pattern in DECLARED.items():
            if theme and what == "themes":
                continue
            found = pattern.search(text)
            if found:
                self.builder.declare(plan or self.agency_plan, what, int(found[1]), theme=theme)

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
        rest = re.sub(r"^\s*策略\s*主題", "", line)
        letters = list(LONE_LETTER.finditer(rest))
        if not letters:
            return
        letter_first = not clean_name(rest[: letters[0].start()])
        plan = self._mode_plan(number)
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
        rest = re.sub(r"^\s*分組\s*成員", "", line)
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
            for member in re.split(r"[、,，]", rest[lead.end() : end]):
                member = re.sub(r"\s+", "", member)
                if member:
                    self.builder.add_membership(member, plan, theme, lead=False, source=source)

    # -- lines with codes ------------------------------------------------------------------

    def _map_row(self, number: int, tokens: list[_Token]) -> None:
        plan = self._mode_plan(number)
        for token in tokens:
            if token.depth:
                self._problem(
                    number, f"{token.code} in a strategy map, where only objectives stand"
                )
                continue
            self.builder.add_objective(
                plan,
                token.code,
                token.name or None,
                source=self._source(number),
                place=self._place(),
                new=token.new,
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
        objectives = leading
        if state.has_link_column and leading:
            following = rest[0] if rest else None
            first = leading[0]
            if len(leading) >= 2 or not self._is_agency_objective(first, following):
                state.link = first
                objectives = leading[1:]
        for token in objectives:
            self._scorecard_objective(number, token)
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
                kpi = token.code.rsplit(".", 1)[0]
                if kpi not in state.kpis_of_objective:
                    kpi = state.kpi
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
        state.objective = token.code
        state.kpi = None
        state.kpis_of_objective = []

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
        kind = {0: s.OBJECTIVE, 1: s.KPI, 2: s.ACTION_PLAN}.get(token.depth)
        if kind is None or mode is None:
            return
        if mode == CITY_MAP and self.city_plan:
            plan = self.city_plan
        elif self.state.has_link_column and self.state.link is token:
            return  # the upward link's name; already stored with the objective
        else:
            plan = self.agency_plan
        nid = s.node_id(kind, plan, token.code)
        if nid in self.builder.graph:
            _rename_last(self.builder.graph.nodes[nid], token.name)

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
        return {CITY_MAP: "map", AGENCY_MAP: "map", OVERVIEW: "overview"}.get(
            self.state.mode or "", "scorecard"
        )


def _rename_last(node: dict, name: str) -> None:
    """Replace the name of a node's latest occurrence (its line break was just joined)."""
    if not node["occurrences"]:
        return
    old = node["occurrences"][-1]["name"]
    node["occurrences"][-1]["name"] = name
    if old in node["names"]:
        node["names"][node["names"].index(old)] = name
    if node["name"] == old:
        node["name"] = name
    # a variant may now appear twice; keep the first
    node["names"] = list(dict.fromkeys(node["names"]))


def _take_city_kpi_references(line: str) -> tuple[str, list[tuple[int, str]]]:
    """Blank out ``(府級KPI : GP6.2)`` marks, keeping where they stood and what they name."""
    references = []
    for found in CITY_KPI_REFERENCE.finditer(line):
        references.append((found.start(), found["code"]))
    blanked = CITY_KPI_REFERENCE.sub(lambda m: " " * len(m.group()), line)
    return blanked, references


def _tokens(line: str, references: list[tuple[int, str]]) -> list[_Token]:
    matches = list(CODE.finditer(line))
    tokens = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        raw = line[match.end() : end].split("\t")
        text = next((cell for cell in raw if cell.strip()), "") if raw[0].strip() == "" else raw[0]
        token = _Token(match["code"], "", match.start())
        token.new = bool(NEW_MARK.search(text))
        text = NEW_MARK.sub(" ", text)
        flags = TRAILING_FLAGS.search(text)
        if flags:
            token.wccd = "WCCD" in flags.group()
            token.city_kpi = "府" in flags.group()
            text = text[: flags.start()]
        text = TRAILING_LABEL.sub("", text)
        token.name = clean_name(text)
        for position, code in references:
            if match.end() <= position < end:
                token.city_kpi_ref = code
        tokens.append(token)
    return tokens


def _is_marker(compact: str) -> bool:
    return any(
        word in compact
        for word in ("策略地圖", "平衡計分卡", "KPI", "策略主題", "府級", "分組成員", "一覽表")
    )


def _city_of(organization: str) -> str:
    """Name the city government an agency belongs to: 臺北市政府消防局 -> 臺北市政府."""
    if "政府" in organization:
        return organization[: organization.index("政府") + 2]
    found = re.match(r"^(.+?[市縣])", organization)
    # never the agency itself: its city map would merge into its own plan
    return f"{found[1]}政府" if found else UNKNOWN_CITY
