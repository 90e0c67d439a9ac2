"""Loaders: turn the documents planners have into one plan graph.

``read_plans`` is the front door: it takes files and folders, picks each file's format from
its content (``--input-format`` overrides), loads everything into one graph, joins upward
links to the city plans loaded in the same run, and returns every problem found.

Text formats (:data:`FORMATS`) are decoded first (UTF-8, UTF-16 or Big5, see
:func:`~bscalign.loaders.textnorm.decode`) and recognised from their text; binary formats
(:data:`BINARY_FORMATS`) are recognised from their bytes and read from the file. A text
format may split its parsing in two (:class:`TextFormat`): the pure first half then runs in
worker processes (:mod:`~bscalign.loaders.workers`) while this one builds the graph.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

import networkx as nx

from bscalign.graph.build import PlanGraphBuilder, resolve_links
from bscalign.graph.gcpause import paused_gc, settle
from bscalign.graph.schema import plan_node_id
from bscalign.loaders import limits, progress
from bscalign.loaders.pdf import looks_like_pdf, read_pdf
from bscalign.loaders.pptx import looks_like_pptx, read_pptx
from bscalign.loaders.problems import InputError, Problem
from bscalign.loaders.seedtext import (
    build_seed_text,
    looks_like_seed_text,
    parse_seed_text,
    prepare_seed_text,
)
from bscalign.loaders.spreadsheet import (
    csv_load_rank,
    looks_like_csv_table,
    looks_like_xlsx,
    parse_csv_table,
    read_xlsx,
)
from bscalign.loaders.textnorm import decode
from bscalign.loaders.workers import mapped_in_order, worker_count, worth_starting
from bscalign.loaders.yamlplans import (
    build_yaml_plans,
    looks_like_yaml_plans,
    parse_yaml_plans,
    prepare_yaml_plans,
)

__all__ = [
    "BINARY_FORMATS",
    "FORMATS",
    "InputError",
    "LoadResult",
    "Problem",
    "TextFormat",
    "input_formats",
    "limits",
    "read_plans",
]

Parser = Callable[[str, str, PlanGraphBuilder], list[Problem]]
Reader = Callable[[Path, PlanGraphBuilder], list[Problem]]
#: ``progress(bytes_done, bytes_in_all)`` as :func:`read_plans` goes.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TextFormat:
    """A text format: the test that recognises it from the content, and how it loads.

    ``parse(text, file, builder)`` loads a file in the main process. A format may also
    offer the same work in two halves: ``prepare(text, file)``, pure (no builder, no global
    state) and returning plain picklable data, runs in a worker process; ``build(prepared,
    file, builder)`` adds that to the graph in the main process. Errors either half raises
    (:class:`InputError`, :class:`OSError`) are treated as ``parse``'s would be.
    """

    recognise: Callable[[str], bool]
    parse: Parser
    prepare: Callable[[str, str], Any] | None = None
    build: Callable[[Any, str, PlanGraphBuilder], list[Problem]] | None = None


#: Text formats by name, each recognised from the content (tested in this order).
FORMATS: dict[str, TextFormat] = {
    "yaml": TextFormat(
        looks_like_yaml_plans, parse_yaml_plans, prepare_yaml_plans, build_yaml_plans
    ),
    "csv": TextFormat(looks_like_csv_table, parse_csv_table),
    "text": TextFormat(looks_like_seed_text, parse_seed_text, prepare_seed_text, build_seed_text),
}
#: Binary formats by name, each with the test that recognises a file from its bytes.
BINARY_FORMATS: dict[str, tuple[Callable[[Path], bool], Reader]] = {
    "xlsx": (looks_like_xlsx, read_xlsx),
    "pdf": (looks_like_pdf, read_pdf),
    "pptx": (looks_like_pptx, read_pptx),
}
#: Text formats whose files depend on each other: the rank each file loads at (lower
#: first, after every other file). CSV tables load plans first, whatever the files' names.
LOAD_ORDER: dict[str, Callable[[str, str], int]] = {"csv": csv_load_rank}
SUFFIXES = {".txt", ".text", ".yaml", ".yml", ".csv", ".tsv", ".xlsx", ".pdf", ".pptx"}


def input_formats() -> list[str]:
    """Names of every input format, text and binary, sorted."""
    return sorted([*FORMATS, *BINARY_FORMATS])


@dataclass
class LoadResult:
    """A loaded graph, the files it came from and every problem met on the way."""

    graph: nx.MultiDiGraph
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problems_of(self, plan: str) -> list[Problem]:
        """Problems found in the files that hold ``plan``."""
        node = self.graph.nodes.get(plan_node_id(plan))
        sources = node["sources"] if node else []
        # a source is file:line, or file:slide 3:row 4 (decks): match the files loaded
        files = {f for f in self.files if any(src.startswith(f"{f}:") for src in sources)}
        return [p for p in self.problems if p.plan == plan or (p.plan is None and p.file in files)]


def expand_paths(
    paths: Iterable[str | Path], problems: list[Problem] | None = None
) -> list[tuple[Path, bool]]:
    """Return the files named and, for folders, the supported files below them.

    Each file comes with whether it was named itself (True) or found in a folder (False).
    A folder below that cannot be read, or a supported name that leads nowhere (a broken
    link), is added to ``problems``; a path named that does not exist raises
    :class:`InputError`.
    """
    problems = problems if problems is not None else []
    files: list[tuple[Path, bool]] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend((file, False) for file in _files_below(path, problems))
        elif path.exists():
            files.append((path, True))
        else:
            raise InputError(str(path), "no such file or folder")
    return files


def _files_below(folder: Path, problems: list[Problem]) -> list[Path]:
    def unreadable(err: OSError) -> None:
        reason = err.strerror or str(err)
        problems.append(
            Problem(str(err.filename), 1, f"folder cannot be read ({reason}); nothing in it loaded")
        )

    if not os.access(folder, os.R_OK | os.X_OK):
        raise InputError(str(folder), "folder cannot be read (permission denied)")
    found = []
    for root, _, names in os.walk(folder, onerror=unreadable):
        for name in names:
            file = Path(root, name)
            if file.suffix.lower() not in SUFFIXES:
                continue
            if file.is_file():
                found.append(file)
            else:
                nowhere = file.is_symlink() and not file.exists()
                why = "a link to nothing" if nowhere else "not a regular file"
                problems.append(Problem(str(file), 1, f"{why}; not loaded"))
    return sorted(found)


def read_plans(
    paths: Iterable[str | Path],
    input_format: str | None = None,
    progress_to: Progress | None = None,
    *,
    bounds: limits.Limits = limits.DEFAULT,
    workers: int | None = None,
) -> LoadResult:
    """Load every plan in ``paths`` (files or folders) into one graph.

    Parameters
    ----------
    paths : iterable of str or Path
        Files, or folders whose supported files (``.txt``, ``.yaml``, ``.yml``, ``.csv``,
        ``.tsv``, ``.xlsx``, ``.pdf``, ``.pptx``) are loaded.
    input_format : {"csv", "pdf", "pptx", "text", "xlsx", "yaml"}, optional
        Force one format instead of recognising each file's content.
    progress_to : callable, optional
        Called as ``progress_to(bytes_done, bytes_in_all)`` while files load, often enough
        for a progress bar on large inputs.
    bounds : Limits, optional
        Limits that can be raised (the input size); see :mod:`bscalign.loaders.limits`.
    workers : int, optional
        Worker processes that parse while the graph is built (default: the environment
        variable ``BSCALIGN_WORKERS``, else the CPUs available; 1: none). The graph and the
        problems are the same whatever the number.

    Returns
    -------
    LoadResult
        The graph (upward links joined to the city plans of the same year; cause-effect
        edges as written: :func:`~bscalign.graph.causality.infer_causes` adds the inferred
        ones, as the audit does) and every problem found.

    Raises
    ------
    InputError
        A file named in ``paths`` that cannot be read at all (missing, unreadable,
        undecodable, not a plan, over a limit). The same trouble with a file found in a
        folder is one of the problems instead: the other files still load.

    Examples
    --------
    >>> from pathlib import Path
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "p.yaml").write_text(
    ...     "bscalign: 1\\nplans:\\n- organization: 臺北市政府\\n  year: '111'\\n"
    ...     "  level: city\\n  objectives:\\n  - {code: GC2, name: 營造安全環境}\\n",
    ...     encoding="utf-8")
    >>> result = read_plans([folder])
    >>> sorted(n for n, d in result.graph.nodes(data=True) if d["kind"] == "Objective")
    ['臺北市政府@111:Objective:GC2']
    """
    builder = PlanGraphBuilder()
    result = LoadResult(builder.graph)
    with paused_gc(), limits.applied(bounds):
        opened = []
        for file, named in expand_paths(paths, result.problems):
            try:
                opened.append(_open(file, input_format, named))
            except (InputError, OSError) as err:
                if named:
                    raise _input_error(file, err) from None
                result.problems.append(_not_loaded(file, err))
        inputs = sorted(opened, key=attrgetter("rank"))
        bytes_in_all = sum(item.size for item in inputs)
        bytes_done = 0
        with closing(_prepared(inputs, bounds, worker_count(workers))) as prepared:
            for item, outcome in prepared:
                listener = _within(progress_to, bytes_done, item.size, bytes_in_all)
                with progress.listening(listener):
                    try:
                        result.problems.extend(_load(item, outcome, builder))
                    except (InputError, OSError) as err:
                        if item.named:
                            raise _input_error(Path(item.name), err) from None
                        result.problems.append(_not_loaded(Path(item.name), err))
                if outcome is None:
                    # a parser's objects may refer to each other; what was prepared apart
                    # is built without any (none of it is garbage: nothing to look for)
                    settle()
                bytes_done += item.size
                if progress_to is not None:
                    progress_to(bytes_done, bytes_in_all)
                result.files.append(item.name)
        resolve_links(builder.graph)
    result.problems.sort()
    return result


@dataclass
class _Input:
    """One file, recognised: what loads it, and when."""

    name: str
    size: int
    format: str
    rank: int = 0
    named: bool = True

    @property
    def preparable(self) -> bool:
        """Whether its format prepares files apart from the graph (in a worker)."""
        text_format = FORMATS.get(self.format)
        return text_format is not None and text_format.prepare is not None


#: What preparing one file came to: (True, the prepared data) or (False, the error).
_Outcome = tuple[bool, Any]


def _prepared(
    inputs: list[_Input], bounds: limits.Limits, workers: int
) -> Iterator[tuple[_Input, _Outcome | None]]:
    """Each input with what preparing it came to (None: its format's ``parse`` loads it).

    The prepare stages run in worker processes, in order, a few files ahead of the
    builder; the others wait for the main process. Where workers do not repay starting
    them, nothing is prepared: in one process, ``parse`` does both halves' work at once.
    """
    preparable = [item for item in inputs if item.preparable]
    sizes = [item.size for item in preparable]
    if not worth_starting(sizes, workers):
        for item in inputs:
            yield item, None
        return
    outcomes = mapped_in_order(
        partial(_prepare_batch, bounds=bounds),
        [(item.name, item.format) for item in preparable],
        sizes,
        workers,
    )
    with closing(outcomes):
        for item in inputs:
            yield item, next(outcomes) if item.preparable else None


def _prepare_batch(batch: list[tuple[str, str]], bounds: limits.Limits) -> list[_Outcome]:
    """Read, decode and prepare files (in a worker process, or in this one)."""
    outcomes: list[_Outcome] = []
    with limits.applied(bounds), progress.listening(None):
        for name, format_name in batch:
            prepare = FORMATS[format_name].prepare
            assert prepare is not None
            try:
                outcomes.append((True, prepare(_text_of(name), name)))
            except (InputError, OSError) as err:
                outcomes.append((False, err))
            settle()
    return outcomes


def _load(item: _Input, outcome: _Outcome | None, builder: PlanGraphBuilder) -> list[Problem]:
    """Load one input into ``builder``: its prepared data, or the file itself."""
    if item.format in BINARY_FORMATS:
        return BINARY_FORMATS[item.format][1](Path(item.name), builder)
    text_format = FORMATS[item.format]
    if outcome is None:
        return text_format.parse(_text_of(item.name), item.name, builder)
    prepared_fine, prepared = outcome
    if not prepared_fine:
        raise prepared
    assert text_format.build is not None
    return text_format.build(prepared, item.name, builder)


def _text_of(name: str) -> str:
    # read again where it loads, rather than kept from recognising it: a country's files
    # are hundreds of megabytes of text, and recognising them takes a fraction of a second
    return decode(Path(name).read_bytes(), name)


def _within(
    progress_to: Progress | None, before: int, size: int, in_all: int
) -> progress.Listener | None:
    """Turn one file's progress (a fraction of it) into bytes of the whole load."""
    if progress_to is None:
        return None
    return lambda fraction: progress_to(before + int(size * fraction), in_all)


def _input_error(file: Path, err: InputError | OSError) -> InputError:
    if isinstance(err, InputError):
        return err
    return InputError(str(file), f"cannot be read ({err.strerror or err})")


def _not_loaded(file: Path, err: InputError | OSError) -> Problem:
    """A file of a folder that could not be loaded, as a problem (the others still load)."""
    error = _input_error(file, err)
    where = f"{error.file}:{error.line}: " if error.line is not None else f"{error.file}: "
    return Problem(str(file), error.line or 1, f"{str(error).removeprefix(where)}; file not loaded")


def _open(file: Path, input_format: str | None, named: bool = True) -> _Input:
    name, size = str(file), file.stat().st_size
    if input_format is not None and input_format not in FORMATS | BINARY_FORMATS:
        raise InputError(name, f"unknown input format {input_format!r}")
    limit = limits.current().max_input_bytes
    if size > limit:
        raise InputError(
            name,
            f"{limits.size_text(size)}, over the input size limit of {limits.size_text(limit)} "
            "(raise it with --max-input-size)",
        )
    for format_name, (recognise, _) in BINARY_FORMATS.items():
        if input_format == format_name or (input_format is None and recognise(file)):
            return _Input(name, size, format_name, named=named)
    text = _text_of(name)
    format_name = input_format or _recognise(text, name)
    rank = LOAD_ORDER[format_name](text, name) + 1 if format_name in LOAD_ORDER else 0
    return _Input(name, size, format_name, rank, named)


def _recognise(text: str, file: str) -> str:
    for format_name, text_format in FORMATS.items():
        if text_format.recognise(text):
            return format_name
    raise InputError(
        file,
        "not a plan: expected bscalign YAML (a top-level 'bscalign:' key), a table of the "
        "bscalign workbook (CSV with a 'plan' column), an XLSX workbook, a PDF, or the text "
        "of a strategy map / balanced scorecard (codes like AC1, AC1.1)",
    )
