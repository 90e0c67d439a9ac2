"""The reading trace: `bscalign read` says what each line of a document became."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner
from conftest import FIRE, MILITARY

from bscalign.cli import main
from bscalign.escaping import csv_unfield
from bscalign.graph.build import PlanGraphBuilder
from bscalign.loaders.seedtext import NOT_READ, Produced, parse_rows, trace_seed_text

HEAD = "臺北市政府測試局\n110年策略地圖及平衡計分卡\n"


def read_json(path: Path) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["read", str(path), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)["lines"]


def test_every_line_of_a_seed_is_traced_with_what_it_produced() -> None:
    code, lines = read_json(FIRE)
    assert code == 0
    text = FIRE.read_text(encoding="utf-8").splitlines()
    assert [line["text"] for line in lines] == text
    assert [line["source"] for line in lines] == [f"{FIRE}:{n}" for n in range(1, len(text) + 1)]
    row = next(line for line in lines if line["text"].startswith("GC2 營造安全環境\t顧客 AC1"))
    assert row["produced"] == [
        {"kind": "objective", "plan": "臺北市政府消防局@108", "code": "AC1", "field": "name"},
        {"kind": "upward link", "plan": "臺北市政府消防局@108", "code": "AC1", "field": "GC2"},
        {"kind": "KPI", "plan": "臺北市政府消防局@108", "code": "AC1.1",
         "field": "name, objective AC1"},
        {"kind": "action plan", "plan": "臺北市政府消防局@108", "code": "AC1.1.1",
         "field": "name, supports AC1.1"},
    ]  # fmt: skip
    notes = {line["text"].strip(): line["note"] for line in lines if not line["produced"]}
    assert notes["KPI項目一覽表"] == "heading: KPI overview"
    header = "header row: link, objective, kpi, action plan"
    assert notes["府級策略目標\t策略目標\tKPI\t行動方案"] == header
    assert notes["提升防救災能量、保障市民生命財產安全"] == "not modelled (mission, vision, values)"


def test_csv_and_markdown_give_a_row_per_line_with_what_it_became() -> None:
    _, lines = read_json(FIRE)
    shown = CliRunner().invoke(main, ["read", str(FIRE), "--format", "csv"]).stdout
    rows = list(csv.reader(io.StringIO(shown)))
    assert rows[0] == ["source", "text", "became"]
    texts = [[source, csv_unfield(text)] for source, text, _ in rows[1:]]
    assert texts == [[line["source"], line["text"]] for line in lines]
    row = next(row for row in rows if row[1].startswith("GC2 營造安全環境\t顧客 AC1"))
    assert row[2].startswith("objective AC1 name; upward link AC1 GC2; KPI AC1.1 name")
    markdown = CliRunner().invoke(main, ["read", str(FIRE), "--format", "markdown"]).stdout
    assert len(markdown.splitlines()) == 2 + len(lines)


def test_seeds_have_no_content_line_not_read() -> None:
    for seed, expected in ((FIRE, []), (MILITARY, ["讓市民更滿意", "是我們", "進步的動力"])):
        trace, problems = trace_seed_text(seed.read_text(encoding="utf-8"), str(seed))
        assert problems == []
        assert [line.text for line in trace if line.note == NOT_READ] == expected


def test_a_code_that_produced_nothing_is_not_read_and_a_problem(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(HEAD + "AC1 寫在表格之外\n策略主題四大構面\n", encoding="utf-8")
    code, lines = read_json(doc)
    assert code == 1
    assert [(line["note"], line["produced"]) for line in lines[2:]] == [
        (NOT_READ, []),
        (NOT_READ, []),
    ]
    result = CliRunner().invoke(main, ["read", str(doc), "--not-read"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "    3 AC1 寫在表格之外",
        "      └ not read",
        "    4 策略主題四大構面",
        "      └ not read",
    ]
    assert f"{doc}:3: codes AC1 outside any strategy map" in result.stderr


def test_other_readers_feed_rows_of_cells_with_their_sources() -> None:
    builder = PlanGraphBuilder()
    rows = [
        ("deck.pptx:slide 1:row 1", ["臺北市政府測試局"]),
        ("deck.pptx:slide 1:row 2", ["110年平衡計分卡"]),
        ("deck.pptx:slide 2:row 1", ["府級策略目標", "策略目標", "KPI", "行動方案"]),
        ("deck.pptx:slide 2:row 2", ["GC2 營造安全環境", "AC1 提升服務", "AC1.1 滿意度",
                                     "AC1.1.1 計畫"]),
        ("deck.pptx:slide 2:row 3", ["", "", "AC1.2 回應率", "AC1.1.1 計畫"]),
        ("deck.pptx:slide 2:row 4", ["", "", "AC9.9.9.9 太深"]),
    ]  # fmt: skip
    problems = parse_rows(rows, "deck.pptx", builder)
    assert [(p.line, p.message) for p in problems] == [
        (6, "AC9.9.9.9 is nested deeper than an action plan [deck.pptx:slide 2:row 4]")
    ]
    graph = builder.graph
    kpi = graph.nodes["臺北市政府測試局@110:KPI:AC1.2"]
    assert kpi["source"] == "deck.pptx:slide 2:row 3"
    assert graph.nodes["臺北市政府測試局@110:Objective:AC1"]["links"][0]["code"] == "GC2"
    supported = {v for _, v in graph.out_edges("臺北市政府測試局@110:ActionPlan:AC1.1.1")}
    assert supported == {"臺北市政府測試局@110:KPI:AC1.1", "臺北市政府測試局@110:KPI:AC1.2"}


def test_produced_items_name_kind_plan_code_and_field() -> None:
    doc = HEAD + "平衡計分卡\n策略目標\tKPI\t行動方案\nAC1 甲\tAC1.1 乙\t\n"
    trace, _ = trace_seed_text(doc, "d")
    assert trace[4].produced == [
        Produced("objective", "臺北市政府測試局@110", "AC1", "name"),
        Produced("KPI", "臺北市政府測試局@110", "AC1.1", "name, objective AC1"),
    ]
