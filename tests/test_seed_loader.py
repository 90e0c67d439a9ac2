"""The seed-text loader on the two real documents, and on the same documents extracted
differently (encodings, line ends, full-width codes, spaces for tabs, broken names)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from conftest import FIRE, MILITARY
from facts import graph_facts

from bscalign.graph import schema as s
from bscalign.graph.access import plan_counts, plan_node
from bscalign.loaders import InputError, read_plans

FIRE_PLAN, FIRE_CITY = "臺北市政府消防局@108", "臺北市政府@108"
MILITARY_PLAN, MILITARY_CITY = "臺北市政府兵役局@111", "臺北市政府@111"


def node(graph, kind: str, plan: str, code: str) -> dict:
    return graph.nodes[s.node_id(kind, plan, code)]


@pytest.mark.parametrize(
    ("plan", "themes", "objectives", "kpis", "action_plans"),
    [
        (FIRE_CITY, 8, 109, 0, 0),
        (FIRE_PLAN, 4, 30, 36, 46),
        (MILITARY_CITY, 8, 84, 0, 0),
        (MILITARY_PLAN, 3, 16, 17, 21),
    ],
)
def test_seeds_load_whole(seeds, plan, themes, objectives, kpis, action_plans) -> None:
    assert plan_counts(seeds.graph, plan) == {
        "themes": themes,
        "objectives": objectives,
        "kpis": kpis,
        "action_plans": action_plans,
    }
    assert seeds.problems == []


def test_plans_levels_and_declared_totals(seeds) -> None:
    assert plan_node(seeds.graph, FIRE_CITY)["level"] == s.CITY
    assert plan_node(seeds.graph, FIRE_PLAN)["level"] == s.AGENCY
    assert plan_node(seeds.graph, FIRE_PLAN)["city"] == "臺北市政府"
    assert plan_node(seeds.graph, FIRE_PLAN)["declared"] == {"objectives": 30, "kpis": 36}
    assert plan_node(seeds.graph, MILITARY_PLAN)["declared"] == {
        "themes": 3,
        "objectives": 16,
        "kpis": 17,
        "action_plans": 21,
    }
    theme_b = node(seeds.graph, s.THEME, MILITARY_PLAN, "B")
    assert theme_b["name"] == "強化役政關懷"
    assert theme_b["declared"] == {"objectives": 6, "kpis": 7, "action_plans": 8}


def test_city_wide_objectives_belong_to_no_theme(seeds) -> None:
    for plan in (FIRE_CITY, MILITARY_CITY):
        for code in ("TC1", "TC2", "TC3", "TC4"):
            objective = node(seeds.graph, s.OBJECTIVE, plan, code)
            assert objective["theme"] is None and objective["perspective"] == "C"
    assert node(seeds.graph, s.OBJECTIVE, FIRE_CITY, "TC4")["name"] == "促成和諧的府際關係"


def test_fire_kpi_flags_come_from_the_overview(seeds) -> None:
    kpis = {d["code"]: d for _, d in seeds.graph.nodes(data=True) if d.get("plan") == FIRE_PLAN}
    assert {c for c, d in kpis.items() if d.get("wccd")} == {"AC1.2", "BC3.1", "BP2.1", "BL1.1"}
    assert {c for c, d in kpis.items() if d.get("city_kpi")} == {"AC1.2", "BL1.1", "CP1.1", "DC2.1"}
    new_kpis = {c for c, d in kpis.items() if d["kind"] == s.KPI and d.get("new")}
    assert new_kpis == {
        "AP3.1", "BC1.1", "BC3.1", "BC4.1", "BP1.1", "BL2.2", "CC2.1", "DC2.1", "DL1.1", "DP2.2",
    }  # fmt: skip
    assert kpis["AC1.2"]["name"] == "每十萬人火災死亡人數"


def test_upward_links_keep_what_was_written_and_carry_down_merged_cells(seeds) -> None:
    def links(code: str) -> list[tuple[str, str]]:
        objective = node(seeds.graph, s.OBJECTIVE, FIRE_PLAN, code)
        return [(link["code"], link["name"]) for link in objective["links"]]

    assert links("AC1") == [("GC2", "營造安全環境")]
    assert links("AL1") == [("GC2", "營造安全環境")]  # the merged cell of table A spans AL1
    assert links("BL3") == [("GT1", "培育優秀人力")]
    assert links("CC1") == [("G2", "營造安全環境")]
    assert links("DF1") == [("G2", "提高預算執行效能")]
    assert links("DL1") == [("G11", "優秀人力培育")]
    military = [d for _, d in seeds.graph.nodes(data=True) if d.get("plan") == MILITARY_PLAN]
    assert all(not d.get("links") for d in military)


def test_resolved_links_join_the_city_plan_of_the_same_year(seeds) -> None:
    agency = s.node_id(s.OBJECTIVE, FIRE_PLAN, "AC1")
    assert seeds.graph.has_edge(agency, s.node_id(s.OBJECTIVE, FIRE_CITY, "GC2"), key=s.ALIGNS_TO)
    dangling = s.node_id(s.OBJECTIVE, FIRE_PLAN, "CC1")
    assert not any(k == s.ALIGNS_TO for _, _, k in seeds.graph.out_edges(dangling, keys=True))


def test_action_plans_sit_under_the_kpi_their_code_or_row_names(seeds) -> None:
    def supported(plan: str, code: str) -> list[str]:
        nid = s.node_id(s.ACTION_PLAN, plan, code)
        return [seeds.graph.nodes[v]["code"] for _, v, k in seeds.graph.out_edges(nid, keys=True)]

    assert supported(FIRE_PLAN, "C1.1.1") == ["CC1.1"]  # malformed code, placed by its row
    assert supported(MILITARY_PLAN, "BC1.1.2") == ["BC1.1"]
    assert supported(MILITARY_PLAN, "BC1.2.1") == ["BC1.2"]  # two KPIs share one cell


def test_name_variants_and_city_kpi_reference(seeds) -> None:
    kpi = node(seeds.graph, s.KPI, FIRE_PLAN, "AL1.1")
    assert kpi["name"] == "電子化安管系統檢查紀錄表普及率"  # the scorecard's wording
    assert kpi["names"] == ["電子化安管系統檢查紀錄普及率", "電子化安管系統檢查紀錄表普及率"]
    reference = node(seeds.graph, s.KPI, MILITARY_PLAN, "CC1.1")
    assert reference["city_kpi_refs"] == ["GP6.2"]
    assert reference["name"] == "國軍與替代役支援災防演訓及救災達成率"


def test_theme_groups_become_memberships(seeds) -> None:
    members = {
        (seeds.graph.nodes[u]["name"], seeds.graph.nodes[v]["code"], d["lead"])
        for u, v, k, d in seeds.graph.edges(keys=True, data=True)
        if k == s.MEMBER_OF
    }
    assert ("衛生局", "G", True) in members
    assert ("兵役局", "G", False) in members
    assert ("捷運局", "A", False) in members  # "捷運 局" broken by the extraction
    assert len([m for m in members if m[2]]) == 8
    assert (
        node(seeds.graph, s.OBJECTIVE, MILITARY_CITY, "GP6")["name"] == "優化緊急救護及防災應變機制"
    )


# -- the same documents, extracted differently ------------------------------------------------


def _full_width(text: str) -> str:
    return re.sub(r"[A-Z0-9.]", lambda m: chr(ord(m.group()) + 0xFEE0), text)


def _break_names(text: str) -> str:
    """Break names across lines, as PDF extraction does inside table cells."""
    return (
        text.replace("AC1保障市民安居生活", "AC1保障市民\n安居生活")
        .replace(
            "AP1.1.1 本局年度消防安全檢查細部執行計畫", "AP1.1.1 本局年度消防安全\n檢查細部執行計畫"
        )
        .replace(
            "BP3.1 軍墓壁葬孝區第三至六排工程執行進度達成率",
            "BP3.1 軍墓壁葬孝區第三至\n六排工程執行進度達成率",
        )
    )


VARIANTS = {
    "utf-8 with BOM": lambda t: codecs.BOM_UTF8 + t.encode(),
    "crlf": lambda t: t.replace("\n", "\r\n").encode(),
    "big5": lambda t: t.encode("cp950"),
    "utf-16": lambda t: t.encode("utf-16"),
    "full-width codes": lambda t: _full_width(t).encode(),
    "spaces for tabs": lambda t: t.replace("\t", "   ").encode(),
    "names broken over lines": lambda t: _break_names(t).encode(),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("seed", [FIRE, MILITARY], ids=["fire", "military"])
def test_other_extractions_give_the_same_graph(tmp_path: Path, seed: Path, variant: str) -> None:
    original = read_plans([seed])
    copy = tmp_path / seed.name
    copy.write_bytes(VARIANTS[variant](seed.read_text(encoding="utf-8")))
    result = read_plans([copy])
    assert result.problems == []
    assert graph_facts(result.graph) == graph_facts(original.graph)


def test_lines_that_cannot_be_placed_are_all_reported(tmp_path: Path) -> None:
    doc = tmp_path / "broken.txt"
    doc.write_text(
        "臺北市政府測試局\n110年策略地圖及平衡計分卡\n"
        "AC1 寫在表格之外\n"  # line 3: before any map or table
        "測試局策略地圖\n策略目標\t顧客 C\tAC1 提升服務品質\tAC1.1 不該在地圖裡\n"  # line 5
        "平衡計分卡\n策略目標\tKPI\t行動計畫\n"
        "\t\tAC9.1 沒有策略目標的KPI\n"  # line 8: KPI before any objective
        "AC1 提升服務品質\tAC1.1 服務滿意度\tAC1.1.1 品質計畫\n",
        encoding="utf-8",
    )
    result = read_plans([doc])
    assert [(p.line, p.message.split()[0]) for p in result.problems] == [
        (3, "codes"),
        (5, "AC1.1"),
        (8, "KPI"),
    ]
    assert all(str(p).startswith(f"{doc}:") for p in result.problems)
    assert plan_counts(result.graph, "臺北市政府測試局@110") == {
        "themes": 1,
        "objectives": 1,
        "kpis": 1,
        "action_plans": 1,
    }


def test_undecodable_bytes_name_file_and_line(tmp_path: Path) -> None:
    doc = tmp_path / "bad.txt"
    doc.write_bytes("臺北市政府測試局\n".encode() + b"AC1 \xff\xfe\xfd\x80\x80\n")
    with pytest.raises(InputError, match=r"bad\.txt:2: .*neither UTF-8 nor Big5"):
        read_plans([doc])
