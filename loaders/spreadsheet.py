"""Spreadsheets planners fill in by hand: an XLSX workbook, or the same tables as CSV files.

Layout
------
One sheet (in CSV: one file) per table. Row 1 names the columns; every later row is one
entry. Every row names its plan as ``organization@year`` (``臺北市政府兵役局@111``), so one
workbook holds as many plans as it likes. The columns mirror bscalign YAML:

==============  ========================================================================
table           columns
==============  ========================================================================
plans           plan, level, city, declared_themes, declared_objectives, declared_kpis,
                declared_action_plans
themes          plan, code, name, also_named, aligns_to, declared_themes,
                declared_objectives, declared_kpis, declared_action_plans, suppress
objectives      plan, code, name, also_named, theme, perspective, new, aligns_to, causes,
                suppress
kpis            plan, code, name, also_named, objective, wccd, city_kpi, new,
                city_kpi_refs, suppress
action_plans    plan, code, name, also_named, supports, suppress
organizations   plan, theme, organization, lead
==============  ========================================================================

Cells: flags are ``yes`` or empty (``TRUE``, ``1``, ``是``, ``no``, ``否`` are read too);
``perspective`` is C, P, L or F (or 顧客, 內部流程, 學習成長, 財務); lists hold one item
per line (codes may also be separated by commas or 、); an upward link is ``CODE name``;
a suppression is ``rule: reason``. An empty ``theme`` or ``perspective`` means "what the
code says" (``AC1``: theme A, customer).

A sheet is found by its name, a CSV file by its header (and, where the header fits several
tables, by its file name: ``objectives.csv``). CSV tables load in table order whatever
their file names, so a folder of them reads like one workbook.

Every bad row becomes a :class:`~bscalign.loaders.problems.Problem` naming the file (a
sheet as ``book.xlsx[objectives]``), the row, the column and what was expected; the row is
not loaded, the good rows are.
"""

from __future__ import annotations

import csv
import html
import itertools
import operator
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import networkx as nx
import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.comments import Comment
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS, WORKSHEET_TYPE

from bscalign.atomic import write_file, write_folder
from bscalign.escaping import csv_field, csv_unfield
from bscalign.graph import schema as s
from bscalign.graph.access import PlanIndex, plans
from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders import limits, progress
from bscalign.loaders.ooxml import package_holds
from bscalign.loaders.problems import InputError, Problem
from bscalign.loaders.textnorm import normalize_line
from bscalign.loaders.yamlplans import DECLARED_KEYS, LINE, SECTIONS, EntryReader, plan_document

YES = "yes"
TRUE_WORDS = {"yes", "y", "true", "1", "x", "v", "✓", "是", "有"}
FALSE_WORDS = {"", "no", "n", "false", "0", "否", "無"}
PERSPECTIVE_WORDS = {
    **{letter: letter for letter in s.PERSPECTIVES},
    **{name: letter for letter, name in s.PERSPECTIVE_NAMES.items()},
    **{name: letter for letter, name in s.PERSPECTIVE_NAMES_ZH.items()},
}
#: What openpyxl and zipfile raise on a damaged workbook (bad ZIP, bad XML, bad values).
BROKEN_WORKBOOK = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    TypeError,
    ParseError,
)
CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")
#: Rows between two progress reports while reading a table.
REPORT_EVERY = 2000


class _BadCell(ValueError):
    """A cell whose text is not what its column expects; the message says what is."""


@dataclass(frozen=True)
class _BrokenRow:
    """A record that could not be read as cells; ``why`` says what went wrong."""

    why: str


class _Formula(str):
    """The text of a formula cell (``=A2&B2``): read as written, and reported."""

    __slots__ = ()


# -- reading one cell ------------------------------------------------------------------------


def _text(cell: str) -> str | None:
    # Kept as written, spaces and all (a name may start with a tab): only a blank cell is none.
    return cell if cell.strip() else None


def _code(cell: str) -> str | None:
    code = normalize_line(cell).strip()
    if re.search(r"\s", code):
        raise _BadCell("one code without spaces, e.g. AC1.1")
    return code or None


def _codes(cell: str) -> list[str]:
    return [code for code in CODE_SEPARATORS.split(normalize_line(cell)) if code]


def _lines(cell: str) -> list[str]:
    return [line.strip() for line in cell.splitlines() if line.strip()]


def _flag(cell: str) -> bool:
    word = cell.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _BadCell("yes or empty")


def _perspective(cell: str) -> str | None:
    word = re.sub(r"\s+", "", normalize_line(cell)).strip()
    if not word:
        return None
    letter = PERSPECTIVE_WORDS.get(word) or PERSPECTIVE_WORDS.get(word.upper())
    if letter is None:
        raise _BadCell("one of C, P, L, F (顧客, 內部流程, 學習成長, 財務)")
    return letter


def _level(cell: str) -> str:
    level = cell.strip().lower() or s.AGENCY
    if level not in (s.CITY, s.AGENCY):
        raise _BadCell(f"{s.CITY} or {s.AGENCY}")
    return level


def _count(cell: str) -> int | None:
    cell = cell.strip()
    if not cell:
        return None
    if not cell.isdigit():
        raise _BadCell("a whole number, e.g. 16")
    return int(cell)


def _plan(cell: str) -> str | None:
    organization, at, year = cell.rpartition("@")
    if not cell:
        return None
    if not at or not organization.strip() or not year.strip():
        raise _BadCell("organization@year, e.g. 臺北市政府兵役局@111")
    # The organization as written (a name may start with a tab, as in YAML); the year is a number.
    return s.plan_id(organization, year.strip())


def _suppressions(cell: str) -> list[dict[str, str]]:
    found = []
    for line in _lines(normalize_line(cell)):
        rule, colon, reason = line.partition(":")
        if not colon or not rule.strip():
            raise _BadCell("one 'rule: reason' per line, e.g. orphan-kpi: measured by the city")
        found.append({"rule": rule.strip(), "reason": reason.strip()})
    return found


# -- the layout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, how a cell is read, and help for planners."""

    name: str
    read: Callable[[str], Any]
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One sheet (or CSV file) of the workbook and the node kind its rows are, if any."""

    name: str
    kind: str | None
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        """Headers in the order the workbook writes them."""
        return [column.name for column in self.columns]

    @property
    def required(self) -> set[str]:
        """Headers this table cannot be read without."""
        return {column.name for column in self.columns if column.required}


PLAN = Column("plan", _plan, "計畫 organization@year，例 臺北市政府兵役局@111", required=True)
CODE = Column("code", _code, "代碼，例 AC1 / AC1.1 / AC1.1.1", required=True)
NAME = Column("name", _text, "名稱")
ALSO_NAMED = Column("also_named", _lines, "其他寫法（一行一個）")
SUPPRESS = Column("suppress", _suppressions, "略過的稽核規則：每行 rule: reason")
NEW = Column("new", _flag, "新增：yes 或留空", choices=(YES, "no"))
DECLARED = tuple(
    Column(f"declared_{what}", _count, f"文件宣稱的數量（{what}）") for what in DECLARED_KEYS
)
TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "plans",
            s.PLAN,
            (
                PLAN,
                Column("level", _level, "city 府級 / agency 機關", choices=(s.CITY, s.AGENCY)),
                Column("city", _text, "機關所屬的市政府，例 臺北市政府"),
                *DECLARED,
            ),
        ),
        Table(
            "themes",
            s.THEME,
            (
                PLAN,
                CODE,
                NAME,
                ALSO_NAMED,
                Column("aligns_to", _codes, "整個主題承接的府級策略目標代碼"),
                *DECLARED,
                SUPPRESS,
            ),
        ),
        Table(
            "objectives",
            s.OBJECTIVE,
            (
                PLAN,
                CODE,
                NAME,
                ALSO_NAMED,
                Column("theme", _code, "策略主題代碼；留空 = 依代碼（AC1 → A）"),
                Column(
                    "perspective",
                    _perspective,
                    "構面 C 顧客 / P 內部流程 / L 學習成長 / F 財務；留空 = 依代碼",
                    choices=s.PERSPECTIVES,
                ),
                NEW,
                Column("aligns_to", _lines, "承接的府級策略目標：每行「代碼 名稱」"),
                Column("causes", _codes, "因果：本目標推動的策略目標代碼"),
                SUPPRESS,
            ),
        ),
        Table(
            "kpis",
            s.KPI,
            (
                PLAN,
                CODE,
                NAME,
                ALSO_NAMED,
                Column("objective", _codes, "衡量的策略目標代碼"),
                Column("wccd", _flag, "WCCD 指標：yes 或留空", choices=(YES, "no")),
                Column("city_kpi", _flag, "府級 KPI：yes 或留空", choices=(YES, "no")),
                NEW,
                Column("city_kpi_refs", _codes, "對應的府級 KPI 代碼，例 GP6.2"),
                SUPPRESS,
            ),
        ),
        Table(
            "action_plans",
            s.ACTION_PLAN,
            (
                PLAN,
                CODE,
                NAME,
                ALSO_NAMED,
                Column("supports", _codes, "支援的 KPI 代碼"),
                SUPPRESS,
            ),
        ),
        Table(
            "organizations",
            s.ORGANIZATION,
            (
                Column("plan", _plan, "府級計畫，例 臺北市政府@111", required=True),
                Column("theme", _code, "府級策略主題代碼，例 G", required=True),
                Column("organization", _text, "分組成員機關，例 臺北市政府消防局", required=True),
                Column("lead", _flag, "主政：yes 或留空", choices=(YES, "no")),
            ),
        ),
    )
}


def identify_table(columns: Collection[str], hint: str = "") -> Table | None:
    """Tell which table a header row belongs to, or None when it fits none or several.

    ``hint`` (a sheet or file name such as ``objectives`` or ``fire-kpis``) decides between
    tables whose columns the header fits equally.

    Examples
    --------
    >>> identify_table(["plan", "code", "name", "perspective"]).name
    'objectives'
    >>> identify_table(["plan", "code", "name"], hint="book_kpis").name
    'kpis'
    >>> identify_table(["plan", "code", "name"]) is None
    True
    """
    names = {_header(column) for column in columns} - {""}
    hinted = _table_named(hint)
    if hinted is not None and hinted.required <= names:
        return hinted
    fitting = [t for t in TABLES.values() if t.required <= names <= set(t.column_names)]
    return fitting[0] if len(fitting) == 1 else None


def _table_named(name: str) -> Table | None:
    stem = _header(Path(name).stem if "." in name else name)
    for table in sorted(TABLES.values(), key=lambda t: -len(t.name)):
        if stem == table.name or stem.endswith(f"_{table.name}"):
            return table
    return None


def _header(cell: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(cell or "").strip().lower())


# -- reading rows ----------------------------------------------------------------------------


@dataclass
class _TableLoad:
    """Rows of one table going into the graph, with the problems they raise."""

    table: Table
    file: str
    builder: PlanGraphBuilder
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reader = EntryReader(self.file, self.builder, place="sheet")

    def load(self, rows: Iterator[Sequence[Any]]) -> list[Problem]:
        """Read the header row, then every row; return the problems (reader's included)."""
        columns = self._columns(next(rows, ()))
        if columns is not None:
            for number, cells in enumerate(rows, 2):
                self._row(number, columns, cells)
        return self.problems + self.reader.problems

    def _problem(self, row: int, message: str) -> None:
        self.problems.append(Problem(self.file, row, message))

    def _columns(self, header: Sequence[Any]) -> dict[int, Column] | None:
        by_name = {column.name: column for column in self.table.columns}
        columns: dict[int, Column] = {}
        self.named = {index for index, cell in enumerate(header) if _header(cell)}
        for index, cell in enumerate(header):
            name = _header(cell)
            if not name:
                continue
            if name not in by_name:
                expected = ", ".join(self.table.column_names)
                self._problem(1, f"unknown column {name!r} (expected one of: {expected}); not read")
            elif name in {c.name for c in columns.values()}:
                self._problem(1, f"column {name!r} appears twice; only the first is read")
            else:
                columns[index] = by_name[name]
        missing = sorted(self.table.required - {c.name for c in columns.values()})
        if missing:
            self._problem(
                1,
                f"the {self.table.name} table needs the column(s) {', '.join(missing)} in "
                "row 1; no row of it was loaded",
            )
            return None
        return columns

    def _row(
        self, number: int, columns: dict[int, Column], cells: Sequence[Any] | _BrokenRow
    ) -> None:
        if isinstance(cells, _BrokenRow):
            self._problem(number, cells.why)
            return
        values: dict[str, Any] = {}
        wrong: dict[str, str] = {}  # column name -> what was expected and what was found
        formulas = []
        for index, column in columns.items():
            cell = cells[index] if index < len(cells) else None
            text = _cell_text(cell)
            if isinstance(cell, _Formula):
                formulas.append(column.name)
            try:
                if reason := limits.too_long(text, "the cell"):
                    raise _BadCell(f"at most {limits.MAX_TEXT_CHARS:,} characters ({reason})")
                values[column.name] = column.read(text)
            except _BadCell as err:
                wrong[column.name] = f"expected {err}, got {_shown(text)!r}"
        self._unnamed_cells(number, cells)
        for name in formulas:
            self._problem(
                number,
                f"column {name!r}: a formula ({_cell_text(cells[_index_of(columns, name)])}); "
                "bscalign reads a formula's text, not its value (paste values instead)",
            )
        if not wrong and not any(values.values()):
            return  # an empty row
        for name in sorted(self.table.required - set(wrong)):
            if not values.get(name):
                wrong[name] = "expected a value, got nothing"
        plan = values.get("plan")
        unknown_plan = self.table.kind != s.PLAN and s.plan_node_id(plan) not in self.builder.graph
        if not wrong and unknown_plan:
            wrong["plan"] = f"expected a plan listed in the plans table, got {plan!r}"
        for name, message in wrong.items():
            self._problem(number, f"column {name!r}: {message}; row not loaded")
        if not wrong:
            self._add(number, values)

    def _unnamed_cells(self, number: int, cells: Sequence[Any]) -> None:
        """Report the cells of row ``number`` under no header (right of the last one, or
        under a blank one): nothing says what they are, so they are not read."""
        filled = map(operator.is_not, cells, itertools.repeat(None))  # skipped at C speed
        unnamed = [
            f"{get_column_letter(index + 1)}{number} ({_shown(text, 40)!r})"
            for index in itertools.compress(range(len(cells)), filled)
            if index not in self.named and (text := _cell_text(cells[index])).strip()
        ]
        if unnamed:
            where = "a column" if len(unnamed) == 1 else "columns"
            self._problem(
                number,
                f"{'cell' if len(unnamed) == 1 else 'cells'} {', '.join(unnamed)} in {where} "
                "with no name in row 1; not read (name the column or clear the cell)",
            )

    def _add(self, number: int, values: dict[str, Any]) -> None:
        kind = self.table.kind
        if kind == s.ORGANIZATION:
            self.builder.add_membership(
                values["organization"],
                values["plan"],
                values["theme"],
                lead=values.get("lead", False),
                source=f"{self.file}:{number}",
            )
            return
        entry = {k: v for k, v in values.items() if v and not k.startswith("declared_")}
        declared = {
            what: values[f"declared_{what}"]
            for what in DECLARED_KEYS
            if values.get(f"declared_{what}") is not None
        }
        if declared:
            entry["declared"] = declared
        entry[LINE] = number
        plan = entry.pop("plan")
        if kind == s.PLAN:
            organization, _, year = plan.rpartition("@")
            self.reader.plan({**entry, "organization": organization, "year": year})
        else:
            self.reader.entry(plan, kind, entry)


def _index_of(columns: dict[int, Column], name: str) -> int:
    return next(index for index, column in columns.items() if column.name == name)


def _reporting(rows: Iterable[Any], done: Callable[[int], float]) -> Iterator[Any]:
    """Pass ``rows`` through, reporting ``done(rows so far)`` every few thousand rows."""
    for number, row in enumerate(rows, 1):
        if number % REPORT_EVERY == 0:
            progress.report(done(number))
        yield row


def _shown(text: str, most: int = 80) -> str:
    """``text`` cut to ``most`` characters for a message."""
    return text if len(text) <= most else text[: most - 3] + "..."


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- CSV -------------------------------------------------------------------------------------


def _csv_header(text: str) -> tuple[type[csv.Dialect], list[str]]:
    """The dialect (comma or tab) and the header cells of a CSV text ([] if none)."""
    first = re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"), maxsplit=1)[0]
    dialect = csv.excel_tab if "\t" in first and "," not in first else csv.excel
    try:
        return dialect, next(csv.reader([first], dialect), [])
    except csv.Error:
        return dialect, []


def looks_like_csv_table(text: str) -> bool:
    """Tell whether ``text`` is a CSV table of the workbook (its header has ``plan``).

    >>> looks_like_csv_table("plan,code,name\\n臺北市政府@111,GC2,營造安全環境\\n")
    True
    >>> looks_like_csv_table("策略目標\\tAC1 提升市民對政府信任度\\n")
    False
    """
    header = {_header(cell) for cell in _csv_header(text)[1]}
    known = {name for table in TABLES.values() for name in table.column_names}
    return "plan" in header and len(header & known) >= 2


def csv_table(text: str, file: str) -> Table:
    """Return the table a CSV file holds, told by its header and, if need be, its name.

    Raises :class:`InputError` when neither tells.
    """
    header = _csv_header(text)[1]
    table = identify_table(header, hint=Path(file).name)
    if table is None:
        names = ", ".join(f"{name}.csv" for name in TABLES)
        raise InputError(
            file,
            f"cannot tell which table this CSV holds from its columns {header}: name the file "
            f"after its table ({names})",
            1,
        )
    return table


def csv_load_rank(text: str, file: str) -> int:
    """Where a CSV table loads among the others: plans first, organizations last."""
    return list(TABLES).index(csv_table(text, file).name)


def parse_csv_table(text: str, file: str, builder: PlanGraphBuilder) -> list[Problem]:
    """Load one CSV table (already decoded) into ``builder``; return the problems.

    Parameters
    ----------
    text : str
        The CSV text; comma- or tab-separated, header in the first row.
    file : str
        Name used in sources and problems (rows are numbered as a spreadsheet shows them:
        the header is row 1).
    builder : PlanGraphBuilder
        Receives the rows; plans a row names must be loaded already (the plans table).

    Returns
    -------
    list of Problem
        One per bad cell, naming the row and column; those rows are not loaded.

    Examples
    --------
    >>> b = PlanGraphBuilder()
    >>> parse_csv_table("plan,level\\n臺北市政府@111,city\\n", "plans.csv", b)
    []
    >>> rows = "plan,code,name,perspective\\n臺北市政府@111,GC2,營造安全環境,C\\n"
    >>> rows += "臺北市政府@111,GC3,強化食品及衛生安全,X\\n"
    >>> for problem in parse_csv_table(rows, "objectives.csv", b):
    ...     print(problem)  # doctest: +NORMALIZE_WHITESPACE
    objectives.csv:3: column 'perspective': expected one of C, P, L, F
    (顧客, 內部流程, 學習成長, 財務), got 'X'; row not loaded
    >>> b.graph.nodes["臺北市政府@111:Objective:GC2"]["name"]
    '營造安全環境'
    """
    table = csv_table(text, file)
    dialect, header = _csv_header(text)
    lines = _LINE_ENDS.split(text.lstrip("\ufeff"))
    if lines[-1] == "":
        lines.pop()  # what follows the last line end
    records = _csv_records(lines, dialect, len(header))
    return _TableLoad(table, file, builder).load(
        _reporting(records, lambda number: min(number / max(len(lines), 1), 1.0))
    )


_LINE_ENDS = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def _csv_records(
    lines: list[str], dialect: type[csv.Dialect], width: int
) -> Iterator[list[str] | _BrokenRow]:
    """The records of a CSV split into ``lines`` (each with its line end), fields unescaped.

    A quoted cell may hold line breaks. But when a cell's quote runs on over lines that
    look like rows of their own (as many fields as the header, nearly), the quote was
    never closed: that record is a :class:`_BrokenRow` and reading starts again on the
    line after the one where it began, so the rows after it still load.
    """
    start = 0
    while start < len(lines):
        reader = csv.reader(iter(lines[start:]), dialect)
        used = 0  # lines of lines[start:] read into records so far
        try:
            for row in reader:
                if reader.line_num - used > 1 and _runs_over_rows(
                    lines[start + used + 1 : start + reader.line_num], dialect, width
                ):
                    break
                used = reader.line_num
                yield [csv_unfield(cell) for cell in row]
            else:
                return
            why = "a quote opened in this row is not closed before the next row"
        except csv.Error as err:
            why = f"broken CSV ({err})"
        yield _BrokenRow(f"{why} (line {start + used + 1} of the file); row not loaded")
        start += used + 1


def _runs_over_rows(lines: list[str], dialect: type[csv.Dialect], width: int) -> bool:
    """Whether the lines inside one quoted cell look like rows of the table themselves."""
    enough = max(2, width - 1)
    for line in lines:
        try:
            fields = next(csv.reader([line.rstrip("\r\n")], dialect), [])
        except csv.Error:
            continue
        if len(fields) >= enough:
            return True
    return False


# -- XLSX ------------------------------------------------------------------------------------


def looks_like_xlsx(path: Path) -> bool:
    """Tell whether ``path`` is an XLSX workbook: a ZIP (``PK\\x03\\x04``) with ``xl/`` inside."""
    return package_holds(path, "xl/")


def read_xlsx(path: str | Path, builder: PlanGraphBuilder) -> list[Problem]:
    """Load every table sheet of an XLSX workbook into ``builder``; return the problems.

    Sheets load in table order (plans first), found by their names or, failing that, by
    their headers. The workbook is streamed (openpyxl's read-only mode), so a large one
    does not have to fit in memory as cells. Before openpyxl reads anything, the parts it
    would spend its time on are measured from their XML (the shared strings, each sheet's
    rows, cells and columns) and whatever passes a bound of :mod:`~bscalign.loaders.limits`
    is refused naming it, as is a workbook that unpacks past the input size limit.

    Examples
    --------
    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp()) / "template.xlsx"
    >>> write_template(book)
    >>> b = PlanGraphBuilder()
    >>> read_xlsx(book, b)
    []
    >>> b.graph.nodes["臺北市政府兵役局@111:Objective:CC1"]["perspective"]
    'C'
    """
    path = Path(path)
    _check_unpacked_size(path)
    try:
        # Formulas are read as formulas (their text), not as the value a spreadsheet program
        # last computed: a workbook written by a library has none, and a name read as
        # nothing would be lost unseen.
        reader = _MeasuringReader(path)
        try:
            reader.read()
            return _read_book(reader, path, builder)
        finally:
            reader.archive.close()
    except BROKEN_WORKBOOK as err:
        raise InputError(
            str(path), f"not a readable XLSX workbook ({type(err).__name__}: {err})"
        ) from None


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than the input size limit.

    A ZIP states each part's unpacked size and Python's ``zipfile`` never reads past it,
    so the sum bounds what reading can cost (a few megabytes can unpack to gigabytes).
    """
    limit = limits.current().max_input_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as err:
        raise InputError(str(path), f"not a readable XLSX workbook ({err})") from None
    if unpacked > limit:
        raise InputError(
            str(path),
            f"the workbook unpacks to {limits.size_text(unpacked)}, over the input size limit "
            f"of {limits.size_text(limit)} (raise it with --max-input-size)",
        )


# What openpyxl spends its time on, found in the XML by a byte scan: a regular expression
# runs at C speed and builds nothing, where parsing builds an object per element. Tags of
# any namespace prefix count; a document type declaration is refused outright (no
# spreadsheet program writes one, and its entities could hide what the scan must see).
# A row or cell tag, with its r attribute (a row number, a cell reference such as XFD7).
_SHEET_TAGS = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])[^>]*?(?:\sr\s*=\s*["']([^"'>]*)["'][^>]*)?>"""
    rb"|<!DOCTYPE"
)
_STRING_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(si)(?=[\s/>])|<!DOCTYPE")
#: Column letters as written in a cell reference (``b"XFD"``) -> column number.
_COLUMN_NUMBERS = {get_column_letter(n).encode(): n for n in range(1, 16_385)}
_DOCTYPE = "it declares a document type (<!DOCTYPE>), which no spreadsheet program writes"
#: Bytes of XML scanned at a time.
SCAN_CHUNK = 1024 * 1024


class _Refused(Exception):
    """A sheet over a limit; the message says which."""


@dataclass
class _SheetSize:
    """What a sheet holds as openpyxl numbers it: its last row, its cells, its last column."""

    rows: int = 0
    cells: int = 0
    columns: int = 0


def _tags(stream: IO[bytes], tags: re.Pattern[bytes]) -> Iterator[re.Match[bytes]]:
    """Every match of ``tags`` in an XML stream, read a chunk at a time (a tag cut by the
    end of a chunk is matched whole with the next one)."""
    rest = b""
    while chunk := stream.read(SCAN_CHUNK):
        text = rest + chunk
        end = text.rfind(b"<")
        if end < 0 or b">" in text[end:]:
            end = len(text)
        yield from tags.finditer(text, 0, end)
        rest = text[end:]
    yield from tags.finditer(rest)


def _row_of(reference: bytes) -> int:
    """A row's ``r`` as openpyxl reads it: a whole number, possibly written ``7.0``."""
    if reference.isdigit():
        return int(reference)
    text = _text_of(reference)
    number = float(text)
    if not number.is_integer():
        raise ValueError(f"{text} is not a valid row number")
    return int(number)


def _column_of(reference: bytes) -> int:
    """The column of a cell reference as openpyxl reads it (``XFD7``, ``$b$2``, ``&#65;1``)."""
    number = _COLUMN_NUMBERS.get(reference.rstrip(b"0123456789"))
    return number if number is not None else coordinate_to_tuple(_text_of(reference))[1]


def _text_of(value: bytes) -> str:
    text = value.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def _sheet_size(stream: IO[bytes]) -> _SheetSize:
    """Measure a sheet from its XML, numbering rows and columns as openpyxl does.

    The scan stops at the first limit passed, so a hostile sheet costs what the limit
    allows, not what the sheet holds. Raises :class:`_Refused` naming the limit.
    """
    bounds = limits.current()
    most_rows, most_cells = bounds.max_sheet_rows, bounds.max_sheet_cells
    rows = cells = columns = row = column = 0
    for tag in _tags(stream, _SHEET_TAGS):
        name, reference = tag[1], tag[2]
        if name is None:
            raise _Refused(_DOCTYPE)
        if name == b"row":
            row, column = (_row_of(reference) if reference else row + 1), 0
            if row > rows:
                rows = row
                if rows > most_rows:
                    raise _Refused(
                        f"the sheet has a row {row:,}, over the limit of {most_rows:,} rows a "
                        "sheet (raise it with --max-sheet-rows)"
                    )
            continue
        column = _column_of(reference) if reference else column + 1
        cells += 1
        if column > columns:
            columns = column
            if columns > limits.MAX_COLUMNS:
                raise _Refused(
                    f"the sheet has a cell in column {get_column_letter(column)} (column "
                    f"{column:,}), over the limit of {limits.MAX_COLUMNS:,} columns"
                )
        if cells > most_cells:
            raise _Refused(
                f"the sheet holds more than {most_cells:,} cells, over the limit of "
                f"{most_cells:,} cells a sheet (raise it with --max-sheet-cells)"
            )
    return _SheetSize(rows, cells, columns)


def _values(rows: Iterable[Sequence[Any]], width: int) -> Iterator[list[Any]]:
    """Cell values of read-only rows (a formula's text marked as :class:`_Formula`): the
    header's ``width`` of them, and right of it only the cells that exist (to report them).

    openpyxl pads every row to the sheet's widest; a stray cell far right must not cost a
    Python step per empty cell of every row, so those are skipped at C speed.
    """
    for row in rows:
        values = [_value(cell) for cell in row[:width]]
        present = map(operator.is_not, row[width:], itertools.repeat(EMPTY_CELL))
        if beyond := list(itertools.compress(range(width, len(row)), present)):
            values += [None] * (beyond[-1] + 1 - width)
            for index in beyond:
                values[index] = _value(row[index])
        yield values


def _value(cell: Any) -> Any:
    if cell.data_type != "f":
        return cell.value
    # An array formula is an object holding its text.
    text = cell.value if isinstance(cell.value, str) else getattr(cell.value, "text", "")
    return _Formula(text or "")


class _MeasuredSheet(ReadOnlyWorksheet):
    """A read-only sheet whose size is the one measured (openpyxl would walk a sheet that
    declares none through to find it, and trust one that lies)."""

    def __init__(self, book: Any, title: str, part: str, strings: list[str], size: _SheetSize):
        self.size = size
        super().__init__(book, title, part, strings)

    def _get_size(self) -> None:
        self._max_row, self._max_column = self.size.rows, self.size.columns


class _MeasuringReader(ExcelReader):
    """openpyxl's workbook reader (read-only, formulas as text) that measures the shared
    strings and each sheet from their XML before openpyxl reads them.

    A part past a limit is never handed to openpyxl: shared strings are refused with the
    workbook (:class:`InputError`), a sheet alone (listed in :attr:`refused`). Chart
    sheets, which hold no cells, are not read.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, read_only=True, data_only=False)
        self.path = path
        self.refused: list[tuple[str, str]] = []  # sheet title, why

    def read_manifest(self) -> None:
        # Every XML part but the sheets and shared strings (measured as they are read) is
        # parsed whole by openpyxl, into a tree: a part of a few kilobytes could hold a
        # million styles. The manifest, which says which parts are sheets, comes first.
        self._check_elements(ARC_CONTENT_TYPES)
        super().read_manifest()
        measured = {
            part.PartName.lstrip("/")
            for kind in (WORKSHEET_TYPE, SHARED_STRINGS)
            for part in self.package.findall(kind)
        }
        for name in self.valid_files:
            if name.endswith((".xml", ".rels")) and name not in measured | {ARC_CONTENT_TYPES}:
                self._check_elements(name)

    def _check_elements(self, part: str) -> None:
        limit, elements = limits.MAX_PART_ELEMENTS, 0
        with self.archive.open(part) as stream:
            while elements <= limit and (chunk := stream.read(SCAN_CHUNK)):
                # Start tags: every "<" but those of end tags, declarations and comments.
                ends = chunk.count(b"</") + chunk.count(b"<?") + chunk.count(b"<!")
                elements += chunk.count(b"<") - ends
        if elements > limit:
            raise InputError(
                str(self.path),
                f"its part {part} holds more than {limit:,} XML elements, over the limit of "
                f"{limit:,} for a part other than a sheet or the shared strings",
            )

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            limit = limits.current().max_sheet_cells
            with self.archive.open(part.PartName.lstrip("/")) as stream:
                for count, tag in enumerate(_tags(stream, _STRING_TAGS), 1):
                    if tag[1] is None:
                        raise InputError(str(self.path), f"shared strings not read: {_DOCTYPE}")
                    if count > limit:
                        raise InputError(
                            str(self.path),
                            f"the workbook's shared-string table holds more than {limit:,} "
                            f"strings, over the limit of {limit:,} cells a sheet (raise it with "
                            "--max-sheet-cells)",
                        )
        super().read_strings()

    def read_worksheets(self) -> None:
        for sheet, relation in self.parser.find_sheets():
            if relation.target not in self.valid_files or "chartsheet" in relation.Type:
                continue
            try:
                with self.archive.open(relation.target) as stream:
                    size = _sheet_size(stream)
            except _Refused as err:
                self.refused.append((sheet.name, str(err)))
                continue
            measured = _MeasuredSheet(
                self.wb, sheet.name, relation.target, self.shared_strings, size
            )
            measured.sheet_state = sheet.state
            self.wb._sheets.append(measured)


def _read_book(reader: _MeasuringReader, path: Path, builder: PlanGraphBuilder) -> list[Problem]:
    problems = [Problem(f"{path}[{title}]", 1, f"{why}; not read") for title, why in reader.refused]
    found = []
    for sheet in reader.wb.worksheets:
        if not sheet.size.cells or not sheet.size.rows:
            continue
        header = next(sheet.iter_rows(max_row=1), ())
        table = identify_table([_value(cell) for cell in header], hint=sheet.title)
        if table is None:
            if any(cell.value is not None for cell in header):
                problems.append(Problem(f"{path}[{sheet.title}]", 1, _unknown_sheet(sheet.title)))
            continue
        found.append((list(TABLES).index(table.name), table, sheet))
    rows_in_all = max(sum(sheet.size.rows for *_, sheet in found), 1)
    rows_before = 0
    for _, table, sheet in sorted(found, key=lambda item: item[0]):
        rows = sheet.iter_rows()
        header = next(rows)
        width = max((i + 1 for i, cell in enumerate(header) if cell.value is not None), default=1)
        values = _values(itertools.chain([header], rows), width)
        problems += _TableLoad(table, f"{path}[{sheet.title}]", builder).load(
            _reporting(values, lambda number, before=rows_before: (before + number) / rows_in_all)
        )
        rows_before += sheet.size.rows
    return problems


def _unknown_sheet(title: str) -> str:
    return (
        f"sheet {title!r} is none of the tables ({', '.join(TABLES)}) and its header does "
        "not tell which; not read"
    )


# -- writing ---------------------------------------------------------------------------------


def spreadsheet_tables(
    graph: nx.MultiDiGraph, plan_ids: Iterable[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Return the workbook of ``graph``'s plans: table name -> rows (column name -> cell).

    Cells are what a spreadsheet holds: text (lists one item per line), whole numbers,
    ``yes`` for a set flag and None for an empty cell. Loading these rows gives the same
    graph (only sources differ).

    Examples
    --------
    >>> tables = spreadsheet_tables(example_graph())
    >>> tables["objectives"][0]["code"], tables["objectives"][0]["perspective"]
    ('GP6', 'P')
    >>> tables["kpis"][0]["city_kpi_refs"]
    'GP6.2'
    """
    wanted = set(plan_ids) if plan_ids is not None else None
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    index = PlanIndex(graph)
    for plan in plans(graph):
        pid = plan["id"]
        if wanted is not None and pid not in wanted:
            continue
        document = plan_document(graph, plan, index)
        rows["plans"].append({"plan": pid, **document, **_declared_cells(document)})
        for section, kind in SECTIONS.items():
            for entry in document.get(section, []):
                row = {"plan": pid, **entry, **_declared_cells(entry)}
                if kind == s.OBJECTIVE:
                    node = graph.nodes[s.node_id(kind, pid, entry["code"])]
                    row.setdefault("theme", node["theme"])
                    row.setdefault("perspective", node["perspective"])
                rows[section].append(row)
                if kind == s.THEME:
                    rows["organizations"] += _membership_rows(pid, entry)
    return {
        name: [{c: _cell_value(row.get(c)) for c in TABLES[name].column_names} for row in table]
        for name, table in rows.items()
    }


def _declared_cells(entry: dict[str, Any]) -> dict[str, int]:
    return {f"declared_{what}": total for what, total in entry.get("declared", {}).items()}


def _membership_rows(plan: str, theme: dict[str, Any]) -> list[dict[str, Any]]:
    leads = theme.get("lead", [])
    groups = [
        ([leads] if isinstance(leads, str) else leads, True),
        (theme.get("members", []), False),
    ]
    return [
        {"plan": plan, "theme": theme["code"], "organization": name, "lead": lead}
        for names, lead in groups
        for name in names
    ]


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return YES if value else None
    if isinstance(value, list):
        return "\n".join(_cell_item(item) for item in value) or None
    return value if value != "" else None


def _cell_item(item: Any) -> str:
    if isinstance(item, dict) and "rule" in item:
        return f"{item['rule']}: {item.get('reason', '')}".strip()
    if isinstance(item, dict):
        return f"{item['code']} {item.get('name', '')}".strip()
    return str(item)


def write_xlsx(
    graph: nx.MultiDiGraph, path: str | Path, plan_ids: Iterable[str] | None = None
) -> None:
    """Write ``graph``'s plans as an XLSX workbook in the layout :func:`read_xlsx` reads.

    Headers carry a note saying what goes in the column; flag, perspective and level
    columns get drop-down lists. The workbook is written in openpyxl's write-only mode.

    Examples
    --------
    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp()) / "plans.xlsx"
    >>> write_xlsx(example_graph(), book)
    >>> openpyxl.load_workbook(book).sheetnames
    ['plans', 'themes', 'objectives', 'kpis', 'action_plans', 'organizations']
    """
    tables = spreadsheet_tables(graph, plan_ids)

    def save(temporary: Path) -> None:
        # Built inside the write: a write-only workbook streams its rows to files already.
        book = openpyxl.Workbook(write_only=True)
        for name, rows in tables.items():
            table = TABLES[name]
            sheet = book.create_sheet(name)
            sheet.freeze_panes = "A2"
            for index, column in enumerate(table.columns, 1):
                letter = get_column_letter(index)
                sheet.column_dimensions[letter].width = 12 if column.choices else 28
                if column.choices:
                    validation = _drop_down(column, f"{letter}2:{letter}1048576")
                    sheet.data_validations.append(validation)
            sheet.append([_header_cell(sheet, column) for column in table.columns])
            for row in rows:
                sheet.append(text_cells(sheet, (row[column] for column in table.column_names)))
        book.save(temporary)

    write_file(path, save)


def _header_cell(sheet: Any, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=column.name)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(vertical="top")
    cell.comment = Comment(column.help, "bscalign")
    return cell


def _drop_down(column: Column, cells: str) -> DataValidation:
    choices = ", ".join(column.choices)
    validation = DataValidation(
        type="list",
        formula1='"{}"'.format(",".join(column.choices)),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=column.name,
        error=f"{column.name}: one of {choices}",
    )
    validation.add(cells)
    return validation


def write_csv(
    graph: nx.MultiDiGraph, folder: str | Path, plan_ids: Iterable[str] | None = None
) -> list[Path]:
    """Write ``graph``'s plans as one CSV file per table into ``folder``; return the files.

    Files are UTF-8 with a byte-order mark, which Excel needs to show Chinese correctly.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_csv(example_graph(), tempfile.mkdtemp())][:3]
    ['plans.csv', 'themes.csv', 'objectives.csv']
    """
    folder = Path(folder)
    tables = spreadsheet_tables(graph, plan_ids)

    def write_tables(into: Path) -> None:
        for name, rows in tables.items():
            columns = TABLES[name].column_names
            with (into / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as stream:
                writer = csv.writer(stream)
                writer.writerow(columns)
                writer.writerows([_csv_cell(row[column]) for column in columns] for row in rows)

    write_folder(folder, write_tables)
    return [folder / f"{name}.csv" for name in tables]


def _csv_cell(value: Any) -> Any:
    return csv_field(value) if isinstance(value, str) else value


def text_cells(sheet: Any, values: Iterable[Any]) -> list[WriteOnlyCell]:
    """Cells of a write-only ``sheet`` for ``values``: text always as a string cell.

    openpyxl stores a text starting with ``=`` as a formula; a name is never one.
    """
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells


def example_graph() -> nx.MultiDiGraph:
    """A city plan and an agency plan with one filled row per table (the template's).

    The rows are real: the Department of Compulsory Military Service's 111 objective
    ``CC1`` and its upward link to the city's ``GP6``.
    """
    b = PlanGraphBuilder()
    where = {"source": "template", "place": "sheet"}
    city = b.add_plan("臺北市政府", "111", s.CITY, source="template")
    b.add_theme(city, "G", "精進健康安全", **where)
    b.add_objective(city, "GP6", "優化緊急救護及防災應變機制", **where)
    b.add_membership("衛生局", city, "G", lead=True, source="template")
    b.add_membership("兵役局", city, "G", lead=False, source="template")
    agency = b.add_plan("臺北市政府兵役局", "111", s.AGENCY, city=city.split("@")[0])
    b.add_theme(agency, "C", "協調國軍支援", **where)
    b.add_objective(agency, "CC1", "優化防災應變機制", **where)
    b.add_upward_link(agency, "CC1", "GP6", "優化緊急救護及防災應變機制", source="template")
    b.add_kpi(agency, "CC1.1", "國軍與替代役支援災防演訓及救災達成率", objective="CC1", **where)
    b.add_city_kpi_reference(agency, "CC1.1", "GP6.2", source="template")
    b.add_action_plan(
        agency, "CC1.1.1", "臺北市政府兵役局協調國軍支援災害防救作業計畫", kpis=["CC1.1"], **where
    )
    return b.graph


def write_template(path: str | Path) -> None:
    """Write an empty workbook for planners: headers with notes, drop-downs, an example row.

    Examples
    --------
    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp()) / "template.xlsx"
    >>> write_template(book)
    >>> sheet = openpyxl.load_workbook(book)["objectives"]
    >>> [cell.value for cell in sheet[1]][:6]
    ['plan', 'code', 'name', 'also_named', 'theme', 'perspective']
    >>> len(sheet.data_validations.dataValidation) > 0
    True
    """
    write_xlsx(example_graph(), path)
