"""Loaders: turn the documents planners have into one plan graph.

``read_plans`` is the front door: it takes files and folders, picks each file's format from
its content (``--input-format`` overrides), loads everything into one graph, joins upward
links to the city plans loaded in the same run, and returns every problem found.

Text formats (:data:`FORMATS`) are decoded first (UTF-8, UTF-16 or Big5, see
:func:`~bscalign.loaders.textnorm.decode`) and recognised from their text; binary formats
(:data:`BINARY_FORMATS`) are recognised from their bytes and read from the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

import networkx as nx

from bscalign.graph.build import PlanGraphBuilder, resolve_links
from bscalign.graph.causality import infer_causes
from bscalign.graph.gcpause import paused_gc
from bscalign.graph.schema import plan_node_id
from bscalign.loaders import progress
from bscalign.loaders.pdf import looks_like_pdf, read_pdf
from bscalign.loaders.pptx import looks_like_pptx, read_pptx
from bscalign.loaders.problems import InputError, Problem
from bscalign.loaders.seedtext import looks_like_seed_text, parse_seed_text
from bscalign.loaders.spreadsheet import (
    csv_load_rank,
    looks_like_csv_table,
    looks_like_xlsx,
    parse_csv_table,
    read_xlsx,
)
from bscalign.loaders.textnorm import decode
from bscalign.loaders.yamlplans import looks_like_yaml_plans, parse_yaml_plans

__all__ = [
    "BINARY_FORMATS",
    "FORMATS",
    "InputError",
    "LoadResult",
    "Problem",
    "input_formats",
    "read_plans",
]

Parser = Callable[[str, str, PlanGraphBuilder], list[Problem]]
Reader = Callable[[Path, PlanGraphBuilder], list[Problem]]
#: ``progress(bytes_done, bytes_in_all)`` as :func:`read_plans` goes.
Progress = Callable[[int, int], None]

#: Text formats by name, each with the test that recognises it from the content (in order).
FORMATS: dict[str, tuple[Callable[[str], bool], Parser]] = {
    "yaml": (looks_like_yaml_plans, parse_yaml_plans),
    "csv": (looks_like_csv_table, parse_csv_table),
    "text": (looks_like_seed_text, parse_seed_text),
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


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Return the files named, with folders expanded to the supported files below them."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        elif path.exists():
            files.append(path)
        else:
            raise InputError(str(path), "no such file or folder")
    return files


def read_plans(
    paths: Iterable[str | Path],
    input_format: str | None = None,
    progress_to: Progress | None = None,
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

    Returns
    -------
    LoadResult
        The graph (upward links joined to the city plans of the same year, cause-effect
        edges inferred along the default perspective order for plans without explicit ones)
        and every problem found.

    Raises
    ------
    InputError
        A file that cannot be read at all (missing, undecodable, not a plan).

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
    with paused_gc():
        inputs = sorted(
            (_open(file, input_format) for file in expand_paths(paths)), key=attrgetter("rank")
        )
        bytes_in_all = sum(item.size for item in inputs)
        bytes_done = 0
        for item in inputs:
            with progress.listening(_within(progress_to, bytes_done, item.size, bytes_in_all)):
                result.problems.extend(item.load(builder))
            bytes_done += item.size
            if progress_to is not None:
                progress_to(bytes_done, bytes_in_all)
            result.files.append(item.name)
        resolve_links(builder.graph)
        infer_causes(builder.graph)
    result.problems.sort()
    return result


@dataclass
class _Input:
    """One file, recognised and ready to load into a builder."""

    name: str
    size: int
    load: Callable[[PlanGraphBuilder], list[Problem]]
    rank: int = 0


def _within(
    progress_to: Progress | None, before: int, size: int, in_all: int
) -> progress.Listener | None:
    """Turn one file's progress (a fraction of it) into bytes of the whole load."""
    if progress_to is None:
        return None
    return lambda fraction: progress_to(before + int(size * fraction), in_all)


def _open(file: Path, input_format: str | None) -> _Input:
    name, size = str(file), file.stat().st_size
    if input_format is not None and input_format not in FORMATS | BINARY_FORMATS:
        raise InputError(name, f"unknown input format {input_format!r}")
    for format_name, (recognise, read) in BINARY_FORMATS.items():
        if input_format == format_name or (input_format is None and recognise(file)):
            return _Input(name, size, lambda builder, read=read: read(file, builder))
    text = decode(file.read_bytes(), name)
    format_name = input_format or _recognise(text, name)
    parse = FORMATS[format_name][1]
    rank = LOAD_ORDER[format_name](text, name) + 1 if format_name in LOAD_ORDER else 0
    return _Input(name, size, lambda builder: parse(text, name, builder), rank)


def _recognise(text: str, file: str) -> str:
    for format_name, (recognise, _) in FORMATS.items():
        if recognise(text):
            return format_name
    raise InputError(
        file,
        "not a plan: expected bscalign YAML (a top-level 'bscalign:' key), a table of the "
        "bscalign workbook (CSV with a 'plan' column), an XLSX workbook, a PDF, or the text "
        "of a strategy map / balanced scorecard (codes like AC1, AC1.1)",
    )
