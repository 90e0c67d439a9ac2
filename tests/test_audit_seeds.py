"""The audit on the two real documents: their real flaws are found, by name."""

from __future__ import annotations

from collections import Counter

import pytest

from bscalign.queries.engine import audit

FIRE, MILITARY = "臺北市政府消防局@108", "臺北市政府兵役局@111"


@pytest.fixture(scope="module")
def findings(seeds):
    return audit(seeds.graph).findings


def found(findings, name: str, plan: str) -> dict[str, str | None]:
    """subject -> suggestion of one rule's findings in one plan."""
    return {f.subject: f.suggestion for f in findings if f.name == name and f.plan == plan}


def test_fire_dangling_upward_links_with_their_intended_city_objectives(findings) -> None:
    assert found(findings, "dangling-upward-link", FIRE) == {
        # G2 營造安全環境 -> GC2; G2 提高預算執行效能 -> GF2 (the name decides, not the number)
        "CC1": "GC2", "CC2": "GC2", "DC1": "GC2", "DC2": "GC2", "DC3": "GC2", "DF1": "GF2",
        # GT1 培育優秀人力 and G11 優秀人力培育 -> GL1; GT2 提高預算執行效能 -> GF2
        "BL1": "GL1", "BL2": "GL1", "BL3": "GL1", "DL1": "GL1", "BF1": "GF2",
        # G7 強化防災及應變機制 -> GP7
        "DP1": "GP7", "DP2": "GP7",
    }  # fmt: skip


def test_fire_links_whose_names_disagree_with_the_city_map(findings) -> None:
    mismatched = found(findings, "upward-name-mismatch", FIRE)
    assert set(mismatched) == {"CP1", "CP2", "CL1"}  # GP4 優化緊急救護 / GL1 優秀人力培育
    messages = [f.message for f in findings if f.name == "upward-name-mismatch"]
    assert any("'優化緊急救護', but 臺北市政府@108 calls GP4 '優化醫療救護'" in m for m in messages)


def test_fire_malformed_action_plan(findings) -> None:
    assert found(findings, "malformed-code", FIRE) == {"C1.1.1": "CC1.1.1"}


def test_fire_kpis_worded_two_ways(findings) -> None:
    assert set(found(findings, "name-drift", FIRE)) == {
        "AC2.1", "AL1.1", "AP2.2", "BL3.1", "DC2.2", "DC3.1", "DP2.2",
    }  # fmt: skip


def test_fire_merged_link_cell_spans_other_perspectives(findings) -> None:
    assert set(found(findings, "perspective-mismatch", FIRE)) == {"AP1", "AP2", "AP3", "AL1"}


def test_military_service_has_no_upward_links(findings) -> None:
    missing = found(findings, "missing-upward-link", MILITARY)
    assert len(missing) == 1 + 16  # the plan (no link column at all), then each objective
    assert MILITARY in missing
    assert missing["CC1"] == "GP6"  # reached only through KPI CC1.1's 府級KPI : GP6.2
    unlinked = found(findings, "unlinked-to-city", MILITARY)
    assert "CC1" not in unlinked and "CC1.1" not in unlinked
    assert len(unlinked) == 15 + 16


def test_one_root_cause_per_mistake(findings) -> None:
    """Every consequence names its root, and the root is itself a finding with no cause."""
    by_key = {(f.plan, f.rule, f.subject): f for f in findings}
    for f in findings:
        if f.cause is not None:
            root = by_key[(f.plan, *f.cause)]
            assert root.cause is None, f
    military = [f for f in findings if f.plan == MILITARY and f.rule in ("BSC202", "BSC203")]
    roots = [f for f in military if f.cause is None]
    assert [(f.rule, f.subject) for f in roots] == [("BSC202", MILITARY)]
    assert len(military) == 1 + 16 + 31
    fire_unlinked = [f for f in findings if f.plan == FIRE and f.name == "unlinked-to-city"]
    causes = {f.subject: f.cause for f in fire_unlinked}
    # DP1 links only to G7, which is no city objective: DP1 and its KPI follow from that link
    assert causes["DP1"] == causes["DP1.1"] == ("BSC201", "DP1")
    assert causes["BL2.2"] == ("BSC201", "BL2")
    assert all(cause is not None for cause in causes.values())
    as_json = next(f for f in fire_unlinked if f.subject == "DP1.1").as_dict()
    assert as_json["cause"] == {"rule": "BSC201", "subject": "DP1"}


def test_city_maps_without_scorecards_are_reported_once(findings) -> None:
    without_kpi = [f for f in findings if f.name == "objective-without-kpi"]
    assert [f.subject for f in without_kpi] == ["臺北市政府@108", "臺北市政府@111"]


def test_what_the_seeds_get_right_stays_quiet(findings) -> None:
    by_rule = Counter(f.name for f in findings)
    for clean in ("orphan-kpi", "kpi-without-action-plan", "duplicate-code",
                  "declared-total-mismatch", "broken-cause-effect-chain"):  # fmt: skip
        assert by_rule[clean] == 0, clean


def test_uncovered_city_objectives_of_the_theme_groups(findings) -> None:
    uncovered_111 = set(found(findings, "uncovered-city-objective", "臺北市政府@111"))
    assert uncovered_111 == {"GC1", "GC2", "GF1", "GL1", "GL2", "GP1", "GP2", "GP3", "GP4", "GP5"}
    uncovered_108 = set(found(findings, "uncovered-city-objective", "臺北市政府@108"))
    assert "GC2" not in uncovered_108 and "GP7" not in uncovered_108 and "GC1" in uncovered_108
