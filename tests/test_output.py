"""The output registry: one renderer per format, used by every command that prints rows."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from click.testing import CliRunner
from conftest import SEEDS

from bscalign.cli import main
from bscalign.output import FORMATS, RENDERERS, Output, Table, display_width

AWKWARD = Output(
    {"rows": [{"name": "消防 | 救護", "done": True}]},
    [
        Table(
            ["name", "done", "path", "totals", "missing"],
            [
                {
                    "name": "消防 | 救護",
                    "done": True,
                    "path": ["C1", "P1"],
                    "totals": {"kpis": 3},
                    "missing": None,
                },
                {"name": 'say "a, b"\nnext line', "done": False},
            ],
        )
    ],
    ["a note for people"],
)


def test_every_format_is_registered_once_in_order() -> None:
    assert FORMATS == tuple(RENDERERS) == ("table", "json", "csv", "markdown")
    assert [RENDERERS[f].name for f in FORMATS] == list(FORMATS)
    assert [f for f in FORMATS if RENDERERS[f].notes] == ["table", "csv", "markdown"]


def test_csv_reads_back_cell_for_cell() -> None:
    rows = list(csv.reader(io.StringIO(RENDERERS["csv"].render(AWKWARD))))
    assert rows == [
        ["name", "done", "path", "totals", "missing"],
        ["消防 | 救護", "yes", "C1 → P1", "kpis=3", ""],
        ['say "a, b"\nnext line', "", "", "", ""],
    ]


def test_csv_refuses_several_tables() -> None:
    two = Output({}, [Table(["a"], []), Table(["b"], [])])
    with pytest.raises(ValueError, match="one table, not 2"):
        RENDERERS["csv"].render(two)


def test_markdown_escapes_pipes_and_titles_tables() -> None:
    titled = Output({}, [Table(["a|b"], [{"a|b": "x|y"}], title="old | new")])
    assert RENDERERS["markdown"].render(titled) == (
        "## old \\| new\n\n| a\\|b |\n|---|\n| x\\|y |\n"
    )
    body = RENDERERS["markdown"].render(AWKWARD).splitlines()
    assert body[2] == "| 消防 \\| 救護 | yes | C1 → P1 | kpis=3 |  |"


def test_table_aligns_wide_characters() -> None:
    lines = RENDERERS["table"].render(
        Output({}, [Table(["name", "n"], [{"name": "消防", "n": 1}])])
    )
    header, rule, row = lines.splitlines()
    assert rule == "----  -"
    assert display_width(row) == display_width(header) == 7


def test_json_prints_the_document_not_the_tables() -> None:
    assert json.loads(RENDERERS["json"].render(AWKWARD)) == AWKWARD.document


def _format_choices(command: click.Command) -> list[str]:
    (option,) = [p for p in command.params if p.name == "fmt"]
    assert isinstance(option.type, click.Choice)
    return list(option.type.choices)


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["stats", SEEDS], "plans"),
        (["audit", SEEDS], "findings"),
        (["rules"], "rules"),
        (["chains", SEEDS], "chains"),
        (["coverage", SEEDS], "coverage"),
    ],
    ids=lambda x: x if isinstance(x, str) else x[0],
)
def test_each_format_shows_the_rows_of_the_json_document(args: list[object], key: str) -> None:
    """Every command offers every format, and each prints one row per item of its JSON."""
    assert _format_choices(main.commands[str(args[0])]) == list(FORMATS)

    def run(fmt: str) -> str:
        result = CliRunner().invoke(main, [*map(str, args), "--format", fmt])
        assert result.exit_code in (0, 1), result.output
        return result.stdout

    items = json.loads(run("json"))[key]
    assert items
    assert len(list(csv.reader(io.StringIO(run("csv"))))) == 1 + len(items)
    assert len(run("markdown").splitlines()) == 2 + len(items)
    assert len(run("table").splitlines()) == 2 + len(items)
