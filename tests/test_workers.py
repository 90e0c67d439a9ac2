"""Loading with worker processes gives what loading in one process gives, errors included."""

from __future__ import annotations

import gc
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT, SEEDS
from test_generate import corpus

from bscalign import loaders
from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders import InputError, LoadResult, _recognise, read_plans, seedtext, workers


def _prepared_noting_where(text: str, file: str) -> tuple[int, Any]:
    """The format's own prepare stage, and the process it ran in. A format without one is
    parsed into a graph of its own (raising what parsing raises, in the worker), and its
    text handed on to be parsed again."""
    text_format = _ORIGINAL[_FORMAT_OF[file]]
    if text_format.prepare is not None:
        return os.getpid(), text_format.prepare(text, file)
    text_format.parse(text, file, PlanGraphBuilder())
    return os.getpid(), text


def _built_noting_where(
    prepared: tuple[int, Any], file: str, builder: PlanGraphBuilder
) -> list[loaders.Problem]:
    process, data = prepared
    _PREPARED_IN.add(process)
    text_format = _ORIGINAL[_FORMAT_OF[file]]
    if text_format.build is not None:
        return text_format.build(data, file, builder)
    return text_format.parse(data, file, builder)


_ORIGINAL = dict(loaders.FORMATS)
_FORMAT_OF: dict[str, str] = {}
_PREPARED_IN: set[int] = set()


@pytest.fixture
def in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers for any amount of input, in batches of a file or two, noting where each
    file was prepared; a format without a prepare stage gets one, so that every format goes
    through the worker processes, its errors included."""
    monkeypatch.setattr(workers, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(workers, "BATCH_BYTES", 1)
    for name, text_format in _ORIGINAL.items():
        noting = replace(text_format, prepare=_prepared_noting_where, build=_built_noting_where)
        monkeypatch.setitem(loaders.FORMATS, name, noting)

    def recognised(text: str, file: str) -> str:
        _FORMAT_OF[file] = _recognise(text, file)
        return _FORMAT_OF[file]

    monkeypatch.setattr(loaders, "_recognise", recognised)


def _facts(result: LoadResult) -> tuple[Any, ...]:
    graph = result.graph
    return (
        list(graph.nodes(data=True)),
        list(graph.edges(keys=True, data=True)),
        result.problems,
        result.files,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    corpus(out, 40, 3, "--quiet")
    return out


@pytest.mark.usefixtures("in_workers")
@pytest.mark.parametrize("where", ["seeds", "corpus", "examples", "generated"])
def test_one_and_two_workers_load_the_same(where: str, request: pytest.FixtureRequest) -> None:
    paths = {
        "seeds": [SEEDS],
        "corpus": [ROOT / "tests" / "corpus"],
        "examples": [EXAMPLES],
        "generated": [request.getfixturevalue("generated")],
    }[where]
    _PREPARED_IN.clear()
    alone = read_plans(paths, workers=1)
    assert not _PREPARED_IN  # in one process each format parses its files whole
    assert alone.graph.number_of_nodes() > 100
    assert _facts(read_plans(paths, workers=2)) == _facts(alone)
    assert _PREPARED_IN - {os.getpid()}  # prepared in worker processes (either may take all)


@pytest.mark.usefixtures("in_workers")
def test_workers_report_the_problems_and_errors_of_one_process(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(
        "bscalign: 1\nplans:\n- organization: 臺北市政府\n  year: '111'\n  level: city\n"
        "  objectives:\n  - {code: GC2, name: 營造安全環境}\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.yaml").write_text("bscalign: 1\nplans: [\n", encoding="utf-8")
    (tmp_path / "big5.txt").write_bytes("不是計畫".encode("big5"))
    alone = read_plans([tmp_path], workers=1)
    assert {problem.file for problem in alone.problems} == {
        str(tmp_path / "broken.yaml"),
        str(tmp_path / "big5.txt"),
    }
    assert _facts(read_plans([tmp_path], workers=2)) == _facts(alone)
    with pytest.raises(InputError) as one:
        read_plans([tmp_path / "good.yaml", tmp_path / "broken.yaml"], workers=1)
    with pytest.raises(InputError) as two:
        read_plans([tmp_path / "good.yaml", tmp_path / "broken.yaml"], workers=2)
    assert (str(two.value), two.value.line) == (str(one.value), one.value.line)
    assert one.value.file == str(tmp_path / "broken.yaml")


def test_the_number_of_workers_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "3")
    assert workers.worker_count() == 3
    assert workers.worker_count(1) == 1
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "many")
    with pytest.raises(ValueError, match="BSCALIGN_WORKERS must be a whole number"):
        workers.worker_count()
    monkeypatch.delenv(workers.WORKERS_VARIABLE)
    assert workers.worker_count() == workers.available_cpus() >= 1


@pytest.mark.usefixtures("in_workers")
def test_loading_leaves_no_parser_behind() -> None:
    # the text build stage runs the parser in this process with the collector paused: its
    # objects must go when it ends, not be frozen with the graph for good
    gc.unfreeze()
    gc.collect()  # (what earlier tests left)
    result = read_plans([SEEDS, ROOT / "tests" / "corpus"], workers=2)
    assert result.graph.number_of_nodes() > 100
    gc.unfreeze()
    assert not [o for o in gc.get_objects() if isinstance(o, seedtext._SeedParser)]
