"""Year-to-year diff and link retargeting, checked by hand on the real city maps of 108/111."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from bscalign.cli import main
from bscalign.graph.access import plan_counts
from bscalign.graph.diff import diff_graphs, diff_plans, match_codes
from bscalign.loaders import read_plans
from bscalign.queries.retarget import retarget_links
from tests.conftest import EXAMPLES, FIRE, MILITARY

CITY_108, CITY_111 = "臺北市政府@108", "臺北市政府@111"


@pytest.fixture(scope="module")
def fire() -> Any:
    return read_plans([FIRE]).graph


@pytest.fixture(scope="module")
def military() -> Any:
    return read_plans([MILITARY]).graph


@pytest.fixture(scope="module")
def city_diff(fire: Any, military: Any) -> dict[str, Any]:
    (found,) = diff_graphs(fire, military)
    return found


def _objectives(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in e.items() if k != "kind"} for e in entries if e["kind"] == "Objective"
    ]


def test_the_two_seed_files_share_only_the_city_organization(city_diff: dict[str, Any]) -> None:
    assert (city_diff["old"], city_diff["new"]) == (CITY_108, CITY_111)


def test_recoded_city_objectives_kept_their_name(city_diff: dict[str, Any]) -> None:
    recoded = {(e["old_code"], e["new_code"]): e["name"] for e in _objectives(city_diff["recoded"])}
    assert recoded[("GP6", "GP5")] == "強化社會與交通安全機制"
    assert recoded[("GF2", "GF1")] == "提高預算執行效能"
    assert recoded[("BC1", "BP1")] == "推動宜居城市"  # moved perspective too
    assert recoded[("FP6", "FP4")] == "建構安全友善的永續校園"
    # the financial objective of every theme A..G moved from F2 to F1, each in its own theme
    budget = sorted(old for (old, new), name in recoded.items() if name == "提高預算執行效能")
    assert budget == [f"{theme}F2" for theme in "ABCDEFG"]
    assert len(recoded) == 21


def test_renamed_keep_the_code(city_diff: dict[str, Any]) -> None:
    renamed = {e["code"]: (e["old_name"], e["new_name"]) for e in city_diff["renamed"]}
    assert renamed["GC1"] == ("促進市民健康", "促進市民身心健康")
    assert renamed["GP2"] == ("防治毒品危害", "杜絕毒品危害")
    assert renamed["C"] == ("發展多元文化", "發展文化多元")  # a theme
    # HF3: 覈實編列年度預算 nowhere in 111, 提高預算執行效能 nowhere else in theme H of 108
    assert renamed["HF3"] == ("覈實編列年度預算", "提高預算執行效能")
    assert len(renamed) == 16


def test_a_pair_that_is_both_counts_as_recoded(city_diff: dict[str, Any]) -> None:
    """108 AF1 覈實編列年度預算 / AF2 提高預算執行效能 -> 111 AF1 提高預算執行效能."""
    assert {"old_code": "AF2", "new_code": "AF1", "name": "提高預算執行效能"} in _objectives(
        city_diff["recoded"]
    )
    assert {"code": "AF1", "name": "覈實編列年度預算"} in _objectives(city_diff["removed"])
    assert "AF1" not in {e["code"] for e in city_diff["renamed"]}
    reused = {e["code"]: e["new_name"] for e in city_diff["code_reused"]}
    assert reused["AF1"] == "提高預算執行效能"
    assert reused["GP6"] == "優化緊急救護及防災應變機制"
    assert "GC1" not in reused and "GC2" not in reused


def test_added_and_removed(city_diff: dict[str, Any]) -> None:
    added = {e["code"]: e["name"] for e in _objectives(city_diff["added"])}
    removed = {e["code"]: e["name"] for e in _objectives(city_diff["removed"])}
    assert added["GP6"] == "優化緊急救護及防災應變機制"
    assert removed["GP7"] == "強化防災及應變機制"
    assert removed["GP8"] == "強化交通安全機制"
    assert (len(added), len(removed)) == (9, 34)


def test_every_entry_is_in_exactly_one_place(
    city_diff: dict[str, Any], fire: Any, military: Any
) -> None:
    old_total = sum(plan_counts(fire, CITY_108).values())
    new_total = sum(plan_counts(military, CITY_111).values())
    kept = city_diff["unchanged"] + len(city_diff["recoded"]) + len(city_diff["renamed"])
    assert kept + len(city_diff["removed"]) == old_total == 117
    assert kept + len(city_diff["added"]) == new_total == 92


def test_theme_groups_of_111_are_new_links(city_diff: dict[str, Any]) -> None:
    members = {(e["from"], e["to"], e["name"]) for e in city_diff["links_added"]}
    assert ("兵役局", "G", "") in members
    assert all(e["kind"] == "member" for e in city_diff["links_added"])
    assert city_diff["links_removed"] == []


def test_agency_year_diff_follows_recoded_sources(tmp_path: Path) -> None:
    """A 109 edition of the Fire plan: one objective re-coded, one renamed, one link moved."""
    document = yaml.safe_load((EXAMPLES / "taipei-fire-108.yaml").read_text(encoding="utf-8"))
    document["plans"] = [p for p in document["plans"] if p["level"] == "agency"]
    (plan,) = document["plans"]
    plan["year"] = "109"
    objectives = {o["code"]: o for o in plan["objectives"]}
    objectives["DP2"]["code"] = "DP3"  # re-coded with its link: not a link change
    objectives["AC2"]["name"] = "提升市民防火意識"
    objectives["CC1"]["aligns_to"] = [{"code": "GC2", "name": "營造安全環境"}]  # was G2
    for kpi in plan["kpis"]:
        if kpi["objective"] == "DP2":
            kpi["objective"] = "DP3"
    newer = tmp_path / "fire-109.yaml"
    newer.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    old, new = read_plans([FIRE]).graph, read_plans([newer]).graph
    found = diff_plans(old, "臺北市政府消防局@108", new, "臺北市政府消防局@109")
    assert _objectives(found["recoded"]) == [
        {"old_code": "DP2", "new_code": "DP3", "name": "強化防災教育宣導"}
    ]
    assert _objectives(found["renamed"]) == [
        {"code": "AC2", "old_name": "提升民眾防火意識", "new_name": "提升市民防火意識"}
    ]
    assert found["links_removed"] == [
        {"kind": "upward", "from": "CC1", "to": "G2", "name": "營造安全環境"}
    ]
    assert found["links_added"] == [
        {"kind": "upward", "from": "CC1", "to": "GC2", "name": "營造安全環境"}
    ]


def _retargeted(fire: Any, military: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(x["subject"], x["code"]): x for x in retarget_links(fire, military)}


def test_retarget_fire_108_links_against_the_111_map(fire: Any, military: Any) -> None:
    links = _retargeted(fire, military)
    assert len(links) == 30
    unchanged = links[("AC1", "GC2")]
    assert (unchanged["status"], unchanged["holds"]) == ("unchanged", True)
    recoded = links[("AF1", "GF2")]
    assert (recoded["status"], recoded["holds"], recoded["new_name"]) == ("recoded", False, None)
    assert recoded["proposal"]["code"] == "GF1"
    # GP4 still exists but now names 完善醫療長照安寧: the emergency-care link moves to GP6
    renamed = links[("CP1", "GP4")]
    assert (renamed["status"], renamed["new_name"]) == ("renamed", "完善醫療長照安寧")
    assert (renamed["holds"], renamed["proposal"]["code"]) == (False, "GP6")
    removed = links[("BP1", "GP7")]
    assert (removed["status"], removed["proposal"]["code"]) == ("removed", "GP6")
    dangling = links[("CC1", "G2")]
    assert (dangling["status"], dangling["proposal"]["code"]) == ("dangling", "GC2")
    assert links[("DL1", "G11")]["proposal"]["code"] == "GL1"
    assert sum(not x["holds"] for x in links.values()) == 19


def test_retarget_needs_the_city_map_of_the_agency_year(tmp_path: Path, military: Any) -> None:
    document = yaml.safe_load((EXAMPLES / "taipei-fire-108.yaml").read_text(encoding="utf-8"))
    document["plans"] = [p for p in document["plans"] if p["level"] == "agency"]
    alone = tmp_path / "fire.yaml"
    alone.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="臺北市政府@108"):
        list(retarget_links(read_plans([alone]).graph, military))
    city_map = read_plans([FIRE]).graph
    found = list(retarget_links(read_plans([alone]).graph, military, old_graph=city_map))
    assert len(found) == 30


@given(
    st.dictionaries(st.sampled_from(["AC1", "AC2", "AF1", "AF2", "BC1"]), st.sampled_from("xyz")),
    st.dictionaries(st.sampled_from(["AC1", "AC2", "AF1", "AF2", "BC1"]), st.sampled_from("xyz")),
)
def test_match_codes_partitions_both_sides(old: dict[str, str], new: dict[str, str]) -> None:
    m = match_codes(old, new)
    old_side = [*m.unchanged, *m.recoded, *m.renamed, *m.removed]
    new_side = [*m.unchanged, *m.recoded.values(), *m.renamed, *m.added]
    assert sorted(old_side) == sorted(old) and sorted(new_side) == sorted(new)
    assert all(old[o] == new[n] for o, n in m.recoded.items())
    # nothing left over could still be paired by name
    left_old = {old[c] for c in [*m.renamed, *m.removed]}
    left_new = {new[c] for c in [*m.renamed, *m.added]}
    assert not left_old & left_new


def test_cli_diff_json_and_exit_codes() -> None:
    runner = CliRunner()
    plain = runner.invoke(main, ["diff", str(FIRE), str(MILITARY), "--format", "json"])
    assert plain.exit_code == 0, plain.output
    document = json.loads(plain.stdout)
    assert [(d["old"], d["new"]) for d in document["diffs"]] == [(CITY_108, CITY_111)]
    assert set(document["diffs"][0]) >= {"added", "removed", "renamed", "recoded"}
    retarget = runner.invoke(main, ["diff", str(FIRE), str(MILITARY), "--retarget", str(FIRE)])
    assert retarget.exit_code == 1
    assert "19 of 30 upward links break" in retarget.stderr
    assert "GP6 優化緊急救護及防災應變機制" in retarget.stdout
