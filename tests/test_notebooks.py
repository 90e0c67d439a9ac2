"""The notebooks in notebooks/ are stored without outputs and run top to bottom on the seeds."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import FIRE, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: How a view shows inline: its whole page in a frame.
VIEW = '<iframe srcdoc="'
#: What each notebook must show when run on the seeds (a few facts found by hand).
SHOWN = {
    "alignment-audit.ipynb": [
        "'dangling-upward-link': 13",
        "應為 GC2 營造安全環境",
        "共 126 項稽核發現",
        VIEW,
    ],
    "year-to-year-diff.ipynb": ["19 of 30 links break", "GP6 優化緊急救護及防災應變機制", VIEW],
    "neo4j-push-and-cypher.ipynb": ["應為 GC2 營造安全環境", "same findings: True"],
}
#: Notebooks that start a Bolt server: marked neo4j, skipped or failed like the Neo4j tests.
NEEDS_BOLT = {"neo4j-push-and-cypher.ipynb"}


def test_every_notebook_is_checked() -> None:
    assert sorted(n.name for n in NOTEBOOKS) == sorted(SHOWN)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: clear the outputs before committing "
                "(Jupyter: Edit > Clear All Outputs)"
            )


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.neo4j) if p.name in NEEDS_BOLT else p for p in NOTEBOOKS],
    ids=lambda p: p.name,
)
def test_runs_top_to_bottom(path: Path, request: pytest.FixtureRequest) -> None:
    assert FIRE.exists(), "the notebooks run on the seed documents"
    if path.name in NEEDS_BOLT:
        request.getfixturevalue("bolt_server")  # skips (fails in CI) without ArcadeDB
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        kernel_name="python3",  # ipykernel of the running interpreter (the venv's)
        timeout=300,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    shown = "\n".join(_texts(notebook))
    for expected in SHOWN[path.name]:
        assert expected in shown, f"{path.name} does not show {expected!r}"


def _texts(notebook: nbformat.NotebookNode) -> list[str]:
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", ()):
            assert output.output_type != "error", "".join(output.get("traceback", ()))
            texts.append(output.get("text", ""))
            for value in output.get("data", {}).values():
                texts.append(value if isinstance(value, str) else "")
    return texts
