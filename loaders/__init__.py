"""Loaders: turn the documents planners have into one plan graph.

``read_plans`` is the front door: it takes files and folders, picks each file's format from
its content (``--input-format`` overrides), loads everything into one graph, joins upward
links to the city plans loaded in the same run, and returns every problem found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from bscalign.graph.build import PlanGraphBuilder, resolve_links
from bscalign.graph.causality import infer_causes
from bscalign.loaders.problems import InputError, Problem
from bscalign.loaders.seedtext import looks_like_seed_text, parse_seed_text
from bscalign.loaders.textnorm import decode
from bscalign.loaders.yamlplans import looks_like_yaml_plans, parse_yaml_plans

__all__ = ["FORMATS", "InputError", "LoadResult", "Problem", "read_plans"]

Parser = Callable[[str, str, PlanGraphBuilder], list[Problem]]

#: Text formats by name, each with the test that recognises it from the content.
FORMATS: dict[str, tuple[Callable[[str], bool], Parser]] = {
    "yaml": (looks_like_yaml_plans, parse_yaml_plans),
    "text": (looks_like_seed_text, parse_seed_text),
}
SUFFIXES = {".txt", ".text", ".yaml", ".yml"}


@dataclass
class LoadResult:
    """A loaded graph, the files it came from and every problem met on the way."""

    graph: nx.MultiDiGraph
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problems_of(self, plan: str) -> list[Problem]:
        """Problems found in the files that hold ``plan``."""
        node = self.graph.nodes.get(f"Plan:{plan}")
        files = {src.rsplit(":", 1)[0] for src in node["sources"]} if node else set()
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


def read_plans(paths: Iterable[str | Path], input_format: str | None = None) -> LoadResult:
    """Load every plan in ``paths`` (files or folders) into one graph.

    Parameters
    ----------
    paths : iterable of str or Path
        Files, or folders whose supported files (``.txt``, ``.yaml``, ``.yml``) are loaded.
    input_format : {"text", "yaml"}, optional
        Force one format instead of recognising each file's content.

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
    for file in expand_paths(paths):
        name = str(file)
        text = decode(file.read_bytes(), name)
        parse = _parser_for(text, name, input_format)
        result.problems.extend(parse(text, name, builder))
        result.files.append(name)
    resolve_links(builder.graph)
    infer_causes(builder.graph)
    result.problems.sort()
    return result


def _parser_for(text: str, file: str, input_format: str | None) -> Parser:
    if input_format is not None:
        if input_format not in FORMATS:
            raise InputError(file, f"unknown input format {input_format!r}")
        return FORMATS[input_format][1]
    for recognise, parse in FORMATS.values():
        if recognise(text):
            return parse
    raise InputError(
        file,
        "not a plan: expected bscalign YAML (a top-level 'bscalign:' key) or the text of a "
        "strategy map / balanced scorecard (codes like AC1, AC1.1)",
    )
