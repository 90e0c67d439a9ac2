"""Generate a realistic corpus of strategy maps and balanced scorecards with known flaws.

    python benchmarks/generate.py --scorecards 8800 --seed 1 --out /tmp/country

writes one agency scorecard per file, in the two input formats bscalign reads, and
``DIR/injected.json`` naming every finding the flaws it injected must produce. The corpus
loads with ``bscalign audit DIR``.

What a corpus holds
-------------------
A country: 22 cities × ROC years from 105 on × 40 agencies per city and year (8,800
scorecards is ten years of every agency of every city, about a million graph nodes). Size
``N`` fills city-years one after the other (city first, then year): 100 scorecards are 40
agencies of 臺北市 and of 新北市 and 20 of 桃園市, all of year 105.

* Each city and year has a city strategy map (``<city>/<year>/city.yaml``): themes A–H, each
  with 1–4 customer, 2–7 internal-process, 1–3 learning and 1–3 financial objectives, the
  city-wide TC1–TC4, and each theme's working group (主政 first) drawn from the 40 agencies.
* Each agency plan (``<city>/<year>/<agency>.txt`` or ``.yaml``) has 3–5 themes and 20–40
  objectives (every theme has all four perspectives), 1–2 KPIs per objective and 1–3 action
  plans per KPI, like the seed documents (30 objectives, 36 KPIs, 46 action plans). Each
  (theme, perspective) block names one city objective of the same perspective in the city
  theme of the agency's working group (a merged cell in the text). A few KPIs carry flags
  (WCCD, 府, 新增) or a city-KPI reference (``府級KPI : GP3.2``).
* Half of the organizations (``--format mixed``, chosen per organization) are written as
  extracted text in the style of the seed documents, the other half as bscalign YAML with
  explicit cause-effect arrows (``causes``). Text documents carry their city's strategy map
  as the real ones do, in one of the two seed styles: the 108 Fire Department's (city map
  without groups, KPI overview with WCCD/府 flags, declared ``共N項``) or the 111 Department of
  Compulsory Military Service's (city map with 分組成員, vertical agency themes, a declared
  sentence and per-theme totals); both with the 府級策略目標 column in merged cells.

Flaws
-----
A share of the agency plans (``FLAW_RATES``, at least one plan per kind) get one flaw each,
every flaw in a plan of its own so that flaws never interact:

=====================  ===========================================================  =======
kind                   what is written                                              formats
=====================  ===========================================================  =======
orphan-kpi             a KPI in the overview (text) or without ``objective`` (YAML)  both
kpi-without-action     a KPI whose action-plan cell is empty                        both
dangling-link          a block's link code is not in the city map (``G2``, ``GT1``,  both
                       or a number the map does not have)
renamed-link           a block's link has the right code but another wording         both
name-drift             an item worded differently in two places (overview or agency  both
                       map vs scorecard; YAML ``also_named``)
missing-perspective    a theme without any objective of one perspective             both
stray-objective        an objective no cause-effect arrow reaches or leaves          YAML
cause-effect-cycle     two objectives of one perspective drive each other           YAML
duplicate-code         one KPI code given to the KPIs of two objectives (copy-paste)  both
=====================  ===========================================================  =======

``injected.json`` lists, for the rules in ``CHECKED_RULES``, exactly the findings the audit
must report: each flaw's own finding and its consequences in those rules (a dangling link
also leaves its objectives and their KPIs ``unlinked-to-city``; an orphan KPI has no action
plan and no route to the city; a duplicate code is ``duplicate-code`` only, not
``name-drift``). The clean parts of the corpus produce none of them. Of the other rules, a
clean corpus produces only ``objective-without-kpi`` once per city plan (city maps come
without city KPIs, as in the seeds) and ``uncovered-city-objective`` (information; which
city objectives stay uncovered depends on the random links, so it is not predicted).

The corpus depends only on ``--scorecards``, ``--seed`` and ``--format``: the same arguments
write the same bytes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import click

CITIES: tuple[tuple[str, str], ...] = (
    ("臺北市", "taipei"),
    ("新北市", "new-taipei"),
    ("桃園市", "taoyuan"),
    ("臺中市", "taichung"),
    ("臺南市", "tainan"),
    ("高雄市", "kaohsiung"),
    ("基隆市", "keelung"),
    ("新竹市", "hsinchu-city"),
    ("嘉義市", "chiayi-city"),
    ("新竹縣", "hsinchu-county"),
    ("苗栗縣", "miaoli"),
    ("彰化縣", "changhua"),
    ("南投縣", "nantou"),
    ("雲林縣", "yunlin"),
    ("嘉義縣", "chiayi-county"),
    ("屏東縣", "pingtung"),
    ("宜蘭縣", "yilan"),
    ("花蓮縣", "hualien"),
    ("臺東縣", "taitung"),
    ("澎湖縣", "penghu"),
    ("金門縣", "kinmen"),
    ("連江縣", "lienchiang"),
)
FIRST_YEAR = 105

#: The 40 agencies of every city: name, file name, and the city theme of its working group.
AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("環境保護局", "environmental-protection", "A"),
    ("工務局", "public-works", "A"),
    ("水利工程處", "hydraulic-engineering", "A"),
    ("公園路燈工程管理處", "parks-and-street-lights", "A"),
    ("翡翠水庫管理局", "reservoir-administration", "A"),
    ("都市發展局", "urban-development", "B"),
    ("交通局", "transportation", "B"),
    ("捷運工程局", "metro-engineering", "B"),
    ("地政局", "land-administration", "B"),
    ("資訊局", "information-technology", "B"),
    ("文化局", "cultural-affairs", "C"),
    ("觀光傳播局", "tourism-and-information", "C"),
    ("體育局", "sports", "C"),
    ("客家事務委員會", "hakka-affairs", "C"),
    ("原住民族事務委員會", "indigenous-peoples", "C"),
    ("產業發展局", "economic-development", "D"),
    ("勞動局", "labor", "D"),
    ("市場處", "markets", "D"),
    ("商業處", "commerce", "D"),
    ("動物保護處", "animal-protection", "D"),
    ("社會局", "social-welfare", "E"),
    ("民政局", "civil-affairs", "E"),
    ("殯葬管理處", "funeral-services", "E"),
    ("家庭暴力暨性侵害防治中心", "domestic-violence-prevention", "E"),
    ("住宅處", "housing", "E"),
    ("教育局", "education", "F"),
    ("青年局", "youth", "F"),
    ("教師研習中心", "teacher-training", "F"),
    ("兒童育樂中心", "children-recreation", "F"),
    ("家庭教育中心", "family-education", "F"),
    ("衛生局", "health", "G"),
    ("消防局", "fire", "G"),
    ("警察局", "police", "G"),
    ("兵役局", "military-service", "G"),
    ("聯合醫院", "united-hospital", "G"),
    ("財政局", "finance", "H"),
    ("主計處", "budget-and-accounting", "H"),
    ("人事處", "personnel", "H"),
    ("政風處", "civil-service-ethics", "H"),
    ("法務局", "legal-affairs", "H"),
)
AGENCIES_PER_CITY_YEAR = len(AGENCIES)

PERSPECTIVES = ("C", "P", "L", "F")
CAUSAL_ORDER = ("F", "L", "P", "C")
#: How the two seed styles label the perspectives in their tables.
PERSPECTIVE_LABELS = {
    "fire": {"C": "顧客", "P": "內部流程", "L": "學習成長", "F": "財務"},
    "military": {"C": "顧客構面", "P": "內部流程構面", "L": "學習成長構面", "F": "財務構面"},
}
MAP_LABELS = {"C": "顧客 C", "P": "內部 流程 P", "L": "學習 成長 L", "F": "財務 F"}

#: City themes and the objectives a city map draws from, per perspective (the 108 map).
CITY_THEMES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "A": (
        "營造永續環境",
        {
            "C": ("提升環境品質", "建構低碳城市", "減少資源耗用", "打造宜居環境"),
            "P": (
                "加強公害防治",
                "建構綠色基礎建設",
                "建構友善生態",
                "強化治山防洪",
                "打造海綿城市",
                "推動資源循環",
            ),
            "L": ("培育優秀人力", "提升環境教育知能"),
            "F": ("覈實編列年度預算", "提高預算執行效能"),
        },
    ),
    "B": (
        "健全都市發展",
        {
            "C": ("推動宜居城市", "建構智慧生活", "加速都市更新", "提升綠色運輸使用"),
            "P": (
                "打造智慧政府",
                "營造優質環境",
                "創造城市新象",
                "優化綠色運輸",
                "完善供水品質",
                "打造安全舒適的基礎建設",
            ),
            "L": ("培育優秀人力", "強化專業技術能力"),
            "F": ("覈實編列年度預算", "提高預算執行效能"),
        },
    ),
    "C": (
        "發展多元文化",
        {
            "C": (
                "鼓勵參與多元藝文活動",
                "成為亞洲必遊城市",
                "提升休閒旅遊風氣",
                "推廣國際運動賽事",
            ),
            "P": (
                "友善宗教文化",
                "提升創造力",
                "保存文化資產",
                "塑造城市國際品牌",
                "推動智慧觀光城市",
                "強化競技運動實力",
            ),
            "L": ("培育優秀人力", "提升創新學習效能"),
            "F": ("致力開闢財源", "提高預算執行效能"),
        },
    ),
    "D": (
        "優化產業勞動",
        {
            "C": ("促進充分就業", "穩健產業發展", "完善創業服務及投資環境"),
            "P": (
                "健全商貿環境",
                "打造創業搖籃",
                "發展重點產業",
                "友善勞動環境",
                "建構職場安全體系",
            ),
            "L": ("培育優秀人力", "強化產業人才培訓"),
            "F": ("覈實編列年度預算", "提高預算執行效能"),
        },
    ),
    "E": (
        "強化社會支持",
        {
            "C": ("強化弱勢關懷", "提升福利服務滿意度", "強化新移民社會支持"),
            "P": (
                "打造友善生養城市",
                "推動長青樂齡環境",
                "深化社福力",
                "提供適量公共住宅",
                "完善無障礙交通環境",
                "強化家暴及性侵害防治",
            ),
            "L": ("培育優秀人力", "強化社工專業知能"),
            "F": ("覈實編列年度預算", "提高預算執行效能"),
        },
    ),
    "F": (
        "打造優質教育",
        {
            "C": (
                "減輕幼兒園家長之學費負擔",
                "提升畢業生素質",
                "提升終身學習品質",
                "提高規律運動人口",
            ),
            "P": (
                "提供優質平價近便的學前教育",
                "升級優化中小學教育",
                "推展創新教學",
                "提升多元文化及國際學習環境",
                "推動全民運動",
                "建構安全友善的永續校園",
                "推廣終身教育",
            ),
            "L": ("培育優秀人力", "提升主管政策溝通及危機管理素養", "提升主管人員創新學習能力"),
            "F": ("覈實編列年度預算", "提高預算執行效能"),
        },
    ),
    "G": (
        "精進健康安全",
        {
            "C": ("促進市民健康", "營造安全環境", "提升醫療服務品質"),
            "P": (
                "精進疫病防治",
                "防治毒品危害",
                "強化食品及衛生安全",
                "優化醫療救護",
                "完善長照安寧",
                "強化社會與交通安全機制",
                "強化防災及應變機制",
            ),
            "L": ("培育優秀人力", "型塑當責文化"),
            "F": ("覈實編列年度預算", "提高預算執行效能"),
        },
    ),
    "H": (
        "精實良善治理",
        {
            "C": (
                "提高公民參與度",
                "提升市民對政府信任度",
                "強化市民對政策認知度",
                "提升行政透明度",
            ),
            "P": ("擴大開放資料", "確保依法行政", "推動全面數位化", "提升財政自主"),
            "L": ("強化公民參與訓練", "強化專案管理能力", "精實管理訓練"),
            "F": ("致力開闢財源", "促進資產有效運用", "覈實編列年度預算"),
        },
    ),
}
#: Objectives of one agency plan (the seeds: 30 and 16), and where the extra ones go.
AGENCY_OBJECTIVES_PER_PLAN = (20, 40)
PERSPECTIVE_WEIGHTS = {"C": 3, "P": 3, "L": 2, "F": 1}
CITY_WIDE = ("提升滿意的住民", "增加快樂的員工", "發展協力的企業", "促成和諧的府際關係")
CITY_OBJECTIVES_PER_THEME = {"C": (1, 4), "P": (2, 7), "L": (1, 3), "F": (1, 3)}

AGENCY_THEMES = (
    "加強火災預防",
    "精進災害搶救",
    "優化緊急救護",
    "整合災害防救",
    "綜合兵役公平",
    "強化役政服務",
    "協調國軍支援",
    "提升服務品質",
    "深化數位治理",
    "強化跨域合作",
    "營造友善環境",
    "推動永續發展",
    "精進專業效能",
    "落實安全管理",
    "擴大公民參與",
    "促進資源整合",
    "優化行政流程",
    "強化風險管理",
    "推廣教育宣導",
    "建構韌性城市",
)
AGENCY_OBJECTIVES = {
    "C": (
        "保障市民安居生活",
        "提升民眾防火意識",
        "提升社區救災應變能力",
        "提升志工協勤效益",
        "提升救災反應效率",
        "提高救護服務滿意度",
        "促進區域防災合作",
        "強化多元防災資訊",
        "普及市民防災意識",
        "提升市民對政府信任度",
        "提供市民有感服務",
        "優化防災應變機制",
        "提升市民滿意度",
        "擴大服務對象參與",
        "提升資訊公開透明",
        "強化弱勢照顧成效",
        "提升民眾使用便利性",
        "建立友善服務環境",
    ),
    "P": (
        "加強公共場所消防管理",
        "營造住宅防火安全空間",
        "推動防災教育向下扎根",
        "改善災害搶救作業規範",
        "擴大民力運用",
        "緊扣生命之鏈",
        "精進急重症處置送醫",
        "精進應變預警機制",
        "強化防災教育宣導",
        "精確掌握兵源",
        "精進役男體檢",
        "落實兵員徵補",
        "推動役男就業輔導服務",
        "強化替代役公益服務",
        "提供優質葬厝服務",
        "打造穩健政軍平臺",
        "簡化行政作業流程",
        "強化跨機關協調",
        "推動數位化服務",
        "落實稽查管理",
    ),
    "L": (
        "強化資訊運用",
        "充實人力資源",
        "培育優秀人力",
        "改善廳舍環境",
        "促進組織學習發展能力",
        "培育卓越役政團隊",
        "提升同仁專業知能",
        "建立知識管理機制",
        "強化數位能力",
    ),
    "F": ("提高預算執行效能", "覈實編列年度預算", "開拓多元財源", "撙節行政經費"),
}
#: KPI wordings per perspective: a subject and the measures that fit it.
KPI_SUBJECTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "C": (
        ("市民服務", ("滿意度", "回應率")),
        ("防災宣導參與", ("人次", "成長率")),
        ("線上申辦案件", ("件數", "占比")),
        ("陳情案件", ("結案率", "回覆時效達成率")),
        ("弱勢家庭訪視", ("次數", "涵蓋率")),
        ("社區活動參與", ("人次", "成長率")),
        ("志工協勤及訓練", ("人次", "時數")),
    ),
    "P": (
        ("公共場所安全檢查", ("合格率", "完成率")),
        ("案件處理", ("時效達成率", "正確率")),
        ("跨機關協調會議", ("召開次數", "決議執行率")),
        ("標準作業程序", ("檢討率", "完成率")),
        ("資訊系統", ("可用率", "上線率")),
        ("開放資料集", ("更新率", "上架數")),
        ("稽查作業", ("完成率", "改善率")),
    ),
    "L": (
        ("同仁教育訓練", ("完訓率", "參訓人次")),
        ("專業證照", ("取得率", "合格達成率")),
        ("創意提案", ("件數", "採行率")),
        ("數位學習", ("時數達成率", "完成率")),
    ),
    "F": (
        ("預算", ("執行率", "達成率")),
        ("資本門預算", ("執行率",)),
        ("自籌財源", ("成長率",)),
    ),
}
ACTION_PLAN_FORMS = (
    "本{unit}{subject}執行計畫",
    "{city}{subject}實施計畫",
    "本{unit}年度{subject}工作計畫",
    "提升{subject}方案",
    "{subject}推廣計畫",
    "{subject}中程計畫",
)
#: Characters a careless edit inserts into a name (name drift, reworded links).
INSERTED = "之及等各表"
MISSIONS = ("為市民服務·替城市創新", "保障市民生命財產安全", "提供優質便民服務", "打造安全宜居城市")

#: Share of the agency plans that get each flaw (every kind at least once).
FLAW_RATES = {
    "orphan-kpi": 0.03,
    "kpi-without-action": 0.03,
    "dangling-link": 0.05,
    "renamed-link": 0.03,
    "name-drift": 0.05,
    "missing-perspective": 0.02,
    "stray-objective": 0.02,
    "cause-effect-cycle": 0.02,
    "duplicate-code": 0.02,
}
#: The rules whose findings ``injected.json`` predicts exactly.
CHECKED_RULES = (
    "orphan-kpi",
    "kpi-without-action-plan",
    "dangling-upward-link",
    "unlinked-to-city",
    "upward-name-mismatch",
    "broken-cause-effect-chain",
    "duplicate-code",
    "name-drift",
)
TEXT, YAML = "text", "yaml"


# -- the model ------------------------------------------------------------------------------


@dataclass
class ActionPlan:
    code: str
    name: str


@dataclass
class Kpi:
    code: str
    name: str
    objective: str | None
    action_plans: list[ActionPlan]
    wccd: bool = False
    city_kpi: bool = False
    new: bool = False
    city_kpi_ref: str | None = None
    #: The wording of the KPI overview (text) or ``also_named`` (YAML), when it drifted.
    other_name: str | None = None


@dataclass
class Link:
    code: str
    name: str


@dataclass
class Objective:
    code: str
    name: str
    perspective: str
    link: Link
    kpis: list[Kpi]
    new: bool = False
    #: The wording of the agency map (text) or ``also_named`` (YAML), when it drifted.
    other_name: str | None = None


@dataclass
class Theme:
    code: str
    name: str
    objectives: list[Objective]

    def block(self, perspective: str) -> list[Objective]:
        return [o for o in self.objectives if o.perspective == perspective]


@dataclass
class CityPlan:
    city: str
    slug: str
    year: int
    themes: dict[str, str]
    objectives: dict[str, list[tuple[str, str]]]  # theme -> [(code, name)], C P L F order
    perspectives: dict[str, str] = field(default_factory=dict)  # code -> perspective

    @property
    def organization(self) -> str:
        return f"{self.city}政府"

    @property
    def plan_id(self) -> str:
        return f"{self.organization}@{self.year}"

    def names(self) -> dict[str, str]:
        return {code: name for entries in self.objectives.values() for code, name in entries}

    def of(self, theme: str, perspective: str) -> list[tuple[str, str]]:
        return [e for e in self.objectives[theme] if self.perspectives[e[0]] == perspective]


@dataclass
class AgencyPlan:
    city: CityPlan
    agency: str
    slug: str
    group: str
    fmt: str
    style: str
    themes: list[Theme]
    orphans: list[Kpi] = field(default_factory=list)
    #: Objectives left off every cause-effect arrow, and arrows added on top (YAML).
    stray: set[str] = field(default_factory=set)
    extra_causes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def organization(self) -> str:
        return f"{self.city.organization}{self.agency}"

    @property
    def plan_id(self) -> str:
        return f"{self.organization}@{self.city.year}"

    @property
    def unit(self) -> str:
        """How the agency calls itself in its action plans (本局, 本處, 本會, 本中心)."""
        return "中心" if self.agency.endswith("中心") else self.agency[-1]

    def objectives(self) -> Iterator[Objective]:
        for theme in self.themes:
            yield from theme.objectives

    def kpis(self) -> Iterator[Kpi]:
        for objective in self.objectives():
            yield from objective.kpis
        yield from self.orphans


@dataclass(frozen=True, order=True)
class Expected:
    """A finding the audit must report: rule name, plan id, subject code."""

    name: str
    plan: str
    subject: str


@dataclass(frozen=True)
class Flaw:
    kind: str
    plan: str
    subject: str
    detail: str


@dataclass
class Injected:
    flaws: list[Flaw] = field(default_factory=list)
    findings: set[Expected] = field(default_factory=set)

    def add(self, kind: str, plan: AgencyPlan, subject: str, detail: str) -> None:
        self.flaws.append(Flaw(kind, plan.plan_id, subject, detail))

    def expect(self, name: str, plan: AgencyPlan, subject: str) -> None:
        self.findings.add(Expected(name, plan.plan_id, subject))


# -- building plans -------------------------------------------------------------------------


def city_years(scorecards: int) -> list[tuple[int, int, int]]:
    """``(city index, year, agencies)`` for each city-year a corpus of this size fills."""
    found = []
    left = scorecards
    index = 0
    while left > 0:
        count = min(AGENCIES_PER_CITY_YEAR, left)
        found.append((index % len(CITIES), FIRST_YEAR + index // len(CITIES), count))
        left -= count
        index += 1
    return found


def make_city_plan(seed: int, city_index: int, year: int) -> CityPlan:
    city, slug = CITIES[city_index]
    rng = random.Random(f"{seed}/city/{city}/{year}")
    plan = CityPlan(city, slug, year, {t: name for t, (name, _) in CITY_THEMES.items()}, {})
    for theme, (_, pools) in CITY_THEMES.items():
        entries = []
        for perspective in PERSPECTIVES:
            low, high = CITY_OBJECTIVES_PER_THEME[perspective]
            pool = pools[perspective]
            count = rng.randint(min(low, len(pool)), min(high, len(pool)))
            for number, name in enumerate(sorted(rng.sample(pool, count), key=pool.index), 1):
                code = f"{theme}{perspective}{number}"
                entries.append((code, name))
                plan.perspectives[code] = perspective
        plan.objectives[theme] = entries
    return plan


def make_agency_plan(seed: int, city: CityPlan, agency_index: int, fmt_choice: str) -> AgencyPlan:
    agency, slug, group = AGENCIES[agency_index]
    organization_rng = random.Random(f"{seed}/organization/{city.city}/{agency}")
    fmt = fmt_choice if fmt_choice != "mixed" else organization_rng.choice((TEXT, YAML))
    style = organization_rng.choice(("fire", "military"))
    rng = random.Random(f"{seed}/plan/{city.city}/{agency}/{city.year}")
    plan = AgencyPlan(city, agency, slug, group, fmt, style, [])
    theme_names = rng.sample(AGENCY_THEMES, rng.randint(3, 5))
    letters = "ABCDE"[: len(theme_names)]
    counts = objective_counts(rng, letters, rng.randint(*AGENCY_OBJECTIVES_PER_PLAN))
    for letter, theme_name in zip(letters, theme_names, strict=True):
        theme = Theme(letter, theme_name, [])
        for perspective in PERSPECTIVES:
            targets = city.of(group, perspective)
            target_code, target_name = rng.choice(targets)
            link = Link(target_code, target_name)
            for number in range(1, counts[letter, perspective] + 1):
                code = f"{letter}{perspective}{number}"
                name = rng.choice(AGENCY_OBJECTIVES[perspective])
                objective = Objective(code, name, perspective, link, [], new=rng.random() < 0.05)
                objective.kpis = [
                    make_kpi(rng, plan, f"{code}.{k}", code, target_code)
                    for k in range(1, 1 + (2 if rng.random() < 0.2 else 1))
                ]
                theme.objectives.append(objective)
        plan.themes.append(theme)
    return plan


def kpi_name(rng: random.Random, perspective: str) -> str:
    subject, measures = rng.choice(KPI_SUBJECTS[perspective])
    return subject + rng.choice(measures)


def objective_counts(rng: random.Random, letters: str, total: int) -> dict[tuple[str, str], int]:
    """Objectives per (theme, perspective): one each, the rest spread mostly to C and P."""
    counts = {(letter, p): 1 for letter in letters for p in PERSPECTIVES}
    slots = list(counts)
    weights = [PERSPECTIVE_WEIGHTS[p] for _, p in slots]
    for slot in rng.choices(slots, weights=weights, k=max(0, total - len(slots))):
        counts[slot] += 1
    return counts


def make_kpi(rng: random.Random, plan: AgencyPlan, code: str, objective: str, link: str) -> Kpi:
    kpi = Kpi(code, kpi_name(rng, objective[1]), objective, [])
    count = rng.choices((1, 2, 3), weights=(8, 2, 1))[0]
    kpi.action_plans = [make_action_plan(rng, plan, f"{code}.{n}") for n in range(1, count + 1)]
    kpi.wccd = rng.random() < 0.05
    kpi.city_kpi = rng.random() < 0.05
    kpi.new = rng.random() < 0.05
    if rng.random() < 0.03:
        kpi.city_kpi_ref = f"{link}.{rng.randint(1, 3)}"
    return kpi


def make_action_plan(rng: random.Random, plan: AgencyPlan, code: str) -> ActionPlan:
    form = rng.choice(ACTION_PLAN_FORMS)
    subject = rng.choice(KPI_SUBJECTS[code[1]])[0]
    return ActionPlan(code, form.format(unit=plan.unit, city=plan.city.city, subject=subject))


# -- injecting flaws --------------------------------------------------------------------------


def reworded(rng: random.Random, name: str) -> str:
    """The name with one character inserted inside it: a careless second wording."""
    position = rng.randint(1, max(1, len(name) - 1))
    return name[:position] + rng.choice(INSERTED) + name[position:]


def route_of(objective: Objective) -> bool:
    """Whether one of the objective's KPIs reaches the city by a city-KPI reference."""
    return any(k.city_kpi_ref for k in objective.kpis)


def expect_unlinked(injected: Injected, plan: AgencyPlan, objectives: list[Objective]) -> None:
    """An objective whose link leads nowhere reaches the city only by a KPI reference."""
    for objective in objectives:
        if route_of(objective):
            continue
        injected.expect("unlinked-to-city", plan, objective.code)
        for kpi in objective.kpis:
            injected.expect("unlinked-to-city", plan, kpi.code)


def inject_orphan_kpi(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    objective = rng.choice(list(plan.objectives()))
    code = f"{objective.code}.{len(objective.kpis) + 1}"
    kpi = Kpi(code, kpi_name(rng, objective.perspective), None, [])
    plan.orphans.append(kpi)
    where = "in the KPI overview only" if plan.fmt == TEXT else "without objective"
    injected.add("orphan-kpi", plan, code, f"KPI {code} {where}")
    for rule in ("orphan-kpi", "kpi-without-action-plan", "unlinked-to-city"):
        injected.expect(rule, plan, code)


def inject_kpi_without_action(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    kpi = rng.choice([k for o in plan.objectives() for k in o.kpis])
    kpi.action_plans = []
    injected.add("kpi-without-action", plan, kpi.code, "empty action-plan cell")
    injected.expect("kpi-without-action-plan", plan, kpi.code)


def inject_dangling_link(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    theme = rng.choice(plan.themes)
    block = theme.block(rng.choice(PERSPECTIVES))
    link = block[0].link
    letter, perspective, number = link.code[0], link.code[1], link.code[2:]
    taken = {code for code, _ in plan.city.objectives[letter]}
    beyond = next(
        n for n in range(int(number) + 1, 100) if f"{letter}{perspective}{n}" not in taken
    )
    code = rng.choice((f"{letter}{number}", f"{letter}T{number}", f"{letter}{perspective}{beyond}"))
    dangling = Link(code, link.name)
    for objective in block:
        objective.link = dangling
        injected.expect("dangling-upward-link", plan, objective.code)
    injected.add("dangling-link", plan, block[0].code, f"{link.code} written as {code}")
    expect_unlinked(injected, plan, block)


def inject_renamed_link(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    theme = rng.choice(plan.themes)
    block = theme.block(rng.choice(PERSPECTIVES))
    link = block[0].link
    renamed = Link(link.code, reworded(rng, link.name))
    for objective in block:
        objective.link = renamed
        injected.expect("upward-name-mismatch", plan, objective.code)
    injected.add("renamed-link", plan, block[0].code, f"{link.code} named {renamed.name}")


def inject_name_drift(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    kpis_drift = plan.fmt == YAML or plan.style == "fire"  # the military style has no overview
    if kpis_drift and rng.random() < 0.7:
        item: Kpi | Objective = rng.choice([k for o in plan.objectives() for k in o.kpis])
    else:
        item = rng.choice(list(plan.objectives()))
    item.other_name = reworded(rng, item.name)
    injected.add("name-drift", plan, item.code, f"also written {item.other_name}")
    injected.expect("name-drift", plan, item.code)


def inject_missing_perspective(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    theme = rng.choice(plan.themes)
    perspective = rng.choice(PERSPECTIVES)
    theme.objectives = [o for o in theme.objectives if o.perspective != perspective]
    injected.add("missing-perspective", plan, theme.code, f"no {perspective} objective")
    injected.expect("broken-cause-effect-chain", plan, theme.code)


def inject_stray_objective(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    theme = rng.choice(plan.themes)
    perspective = rng.choice(("P", "L"))
    block = theme.block(perspective)
    code = f"{theme.code}{perspective}{len(block) + 1}"
    stray = Objective(
        code, rng.choice(AGENCY_OBJECTIVES[perspective]), perspective, block[0].link, []
    )
    stray.kpis = [make_kpi(rng, plan, f"{code}.1", code, block[0].link.code)]
    stray.kpis[0].city_kpi_ref = None
    theme.objectives.insert(theme.objectives.index(block[-1]) + 1, stray)
    plan.stray.add(code)
    injected.add("stray-objective", plan, code, "no cause-effect arrow in or out")
    injected.expect("broken-cause-effect-chain", plan, code)


def inject_cycle(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    blocks = [t.block(p) for t in plan.themes for p in PERSPECTIVES if len(t.block(p)) >= 2]
    first, second = rng.sample(rng.choice(blocks), 2)
    plan.extra_causes += [(first.code, second.code), (second.code, first.code)]
    subject = min(first.code, second.code)
    injected.add("cause-effect-cycle", plan, subject, f"{first.code} ⇄ {second.code}")
    injected.expect("broken-cause-effect-chain", plan, subject)


def inject_duplicate_code(rng: random.Random, plan: AgencyPlan, injected: Injected) -> None:
    blocks = [t.block(p) for t in plan.themes for p in PERSPECTIVES if len(t.block(p)) >= 2]
    block = rng.choice(blocks)
    index = rng.randrange(len(block) - 1)
    original, copied_into = block[index], block[index + 1]
    source = original.kpis[0]
    replaced = copied_into.kpis[0]
    names = {source.name}
    name = replaced.name if replaced.name not in names else reworded(rng, replaced.name)
    duplicate = Kpi(source.code, name, copied_into.code, [], new=replaced.new)
    start = len(source.action_plans) + 1
    duplicate.action_plans = [
        ActionPlan(f"{source.code}.{start + n}", a.name)
        for n, a in enumerate(replaced.action_plans)
    ]
    copied_into.kpis[0] = duplicate
    injected.add("duplicate-code", plan, source.code, f"also the code of {copied_into.code}'s KPI")
    injected.expect("duplicate-code", plan, source.code)


INJECTORS = {
    "orphan-kpi": inject_orphan_kpi,
    "kpi-without-action": inject_kpi_without_action,
    "dangling-link": inject_dangling_link,
    "renamed-link": inject_renamed_link,
    "name-drift": inject_name_drift,
    "missing-perspective": inject_missing_perspective,
    "stray-objective": inject_stray_objective,
    "cause-effect-cycle": inject_cycle,
    "duplicate-code": inject_duplicate_code,
}
#: Flaws only the YAML format can carry (extracted text has no cause-effect arrows).
YAML_ONLY = {"stray-objective", "cause-effect-cycle"}


def eligible(kind: str, plan: AgencyPlan) -> bool:
    """Whether ``plan`` can carry a flaw of ``kind`` in its format and shape."""
    if kind in YAML_ONLY and plan.fmt != YAML:
        return False
    if kind == "orphan-kpi" and plan.fmt == TEXT and plan.style != "fire":
        return False  # an orphan lives in the KPI overview, which the military style lacks
    if kind in ("cause-effect-cycle", "duplicate-code"):
        return any(len(t.block(p)) >= 2 for t in plan.themes for p in PERSPECTIVES)
    return True


def inject_flaws(seed: int, plans: list[AgencyPlan]) -> Injected:
    """Give ``FLAW_RATES`` of the plans one flaw each (each kind at least once if possible)."""
    rng = random.Random(f"{seed}/flaws/{len(plans)}")
    injected = Injected()
    free = set(range(len(plans)))
    for kind, rate in FLAW_RATES.items():
        candidates = sorted(i for i in free if eligible(kind, plans[i]))
        wanted = min(len(candidates), max(1, round(rate * len(plans))))
        for index in sorted(rng.sample(candidates, wanted)):
            free.discard(index)
            plan = plans[index]
            INJECTORS[kind](random.Random(f"{seed}/flaw/{plan.plan_id}"), plan, injected)
    return injected


# -- declared totals -------------------------------------------------------------------------


def declared_totals(plan: AgencyPlan) -> dict[str, int]:
    """The totals a document states: what the loader will count (distinct codes)."""
    kpis = {k.code for k in plan.kpis()}
    action_plans = {a.code for k in plan.kpis() for a in k.action_plans}
    return {
        "themes": len(plan.themes),
        "objectives": sum(1 for _ in plan.objectives()),
        "kpis": len(kpis),
        "action_plans": len(action_plans),
    }


def theme_totals(theme: Theme) -> tuple[int, int, int]:
    kpis = {k.code for o in theme.objectives for k in o.kpis}
    action_plans = {a.code for o in theme.objectives for k in o.kpis for a in k.action_plans}
    return len(theme.objectives), len(kpis), len(action_plans)


# -- writing YAML --------------------------------------------------------------------------


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def city_yaml(city: CityPlan) -> str:
    groups: dict[str, list[str]] = {theme: [] for theme in city.themes}
    for name, _, group in AGENCIES:
        groups[group].append(name)
    lines = [
        "bscalign: 1",
        "plans:",
        f"- organization: {city.organization}",
        f"  year: '{city.year}'",
        "  level: city",
        "  themes:",
    ]
    for theme, name in city.themes.items():
        lead, *members = groups[theme]
        listed = ", ".join(members)
        lines.append(
            f"  - {{code: {theme}, name: {quoted(name)}, lead: {lead}, members: [{listed}]}}"
        )
    lines.append("  objectives:")
    for number, name in enumerate(CITY_WIDE, 1):
        lines.append(f"  - {{code: TC{number}, name: {quoted(name)}}}")
    for entries in city.objectives.values():
        lines += [f"  - {{code: {code}, name: {quoted(name)}}}" for code, name in entries]
    return "\n".join(lines) + "\n"


def explicit_causes(plan: AgencyPlan) -> dict[str, list[str]]:
    """Cause-effect arrows of a YAML plan: each objective drives one of the next perspective
    present (cycling), and each is driven by one, so every objective lies on a chain."""
    causes: dict[str, list[str]] = {}
    for theme in plan.themes:
        levels = [
            [o.code for o in theme.block(p) if o.code not in plan.stray] for p in CAUSAL_ORDER
        ]
        levels = [level for level in levels if level]
        for lower, upper in pairwise(levels):
            for i, cause in enumerate(lower):
                causes.setdefault(cause, []).append(upper[i % len(upper)])
            for j, effect in enumerate(upper[len(lower) :], len(lower)):
                causes.setdefault(lower[j % len(lower)], []).append(effect)
    for cause, effect in plan.extra_causes:
        causes.setdefault(cause, []).append(effect)
    return causes


def agency_yaml(plan: AgencyPlan) -> str:
    totals = declared_totals(plan)
    lines = [
        "bscalign: 1",
        "plans:",
        f"- organization: {plan.organization}",
        f"  year: '{plan.city.year}'",
        "  level: agency",
        f"  city: {plan.city.organization}",
        "  declared: {" + ", ".join(f"{k}: {v}" for k, v in totals.items()) + "}",
        "  themes:",
    ]
    lines += [f"  - {{code: {t.code}, name: {quoted(t.name)}}}" for t in plan.themes]
    lines.append("  objectives:")
    causes = explicit_causes(plan)
    for objective in plan.objectives():
        fields = [f"code: {objective.code}", f"name: {quoted(objective.name)}"]
        if objective.other_name:
            fields.append(f"also_named: [{quoted(objective.other_name)}]")
        if objective.new:
            fields.append("new: true")
        link = objective.link
        fields.append(f"aligns_to: [{{code: {link.code}, name: {quoted(link.name)}}}]")
        if causes.get(objective.code):
            fields.append(f"causes: [{', '.join(causes[objective.code])}]")
        lines.append("  - {" + ", ".join(fields) + "}")
    lines.append("  kpis:")
    for kpi in plan.kpis():
        fields = [f"code: {kpi.code}", f"name: {quoted(kpi.name)}"]
        if kpi.other_name:
            fields.append(f"also_named: [{quoted(kpi.other_name)}]")
        if kpi.objective:
            fields.append(f"objective: {kpi.objective}")
        fields += [f"{flag}: true" for flag in ("wccd", "city_kpi", "new") if getattr(kpi, flag)]
        if kpi.city_kpi_ref:
            fields.append(f"city_kpi_refs: [{kpi.city_kpi_ref}]")
        lines.append("  - {" + ", ".join(fields) + "}")
    lines.append("  action_plans:")
    for kpi in plan.kpis():
        lines += [
            f"  - {{code: {a.code}, name: {quoted(a.name)}, supports: [{kpi.code}]}}"
            for a in kpi.action_plans
        ]
    return "\n".join(lines) + "\n"


# -- writing extracted text ----------------------------------------------------------------


def city_map_text(city: CityPlan, style: str) -> str:
    """The city strategy map as it comes out of the slides of either seed style."""
    letters = list(city.themes)
    if style == "fire":
        lines = ["對應府級策略目標", "", "【使命】", MISSIONS[0], ""]
        lines.append("策略主題\t" + "\t".join(f"{city.themes[t]} {t}" for t in letters))
    else:
        lines = [
            f"{city.year}年度府級策略地圖",
            "",
            f"\t\t【使命】 {MISSIONS[0]}\t\t【願景】 成為宜居永續城市\t\t",
        ]
        lines.append("策略 主題\t" + "\t".join(f"{t} {city.themes[t]}" for t in letters) + "\t")
    wide = "、".join(f"TC{n} {name}" for n, name in enumerate(CITY_WIDE, 1))
    lines.append(("策略 目標\t" if style == "military" else "\t") + wide + "\t" * len(letters))
    for perspective in PERSPECTIVES:
        cells = [
            " ".join(f"{code} {name}" for code, name in city.of(t, perspective)) for t in letters
        ]
        lead = "\t" if style == "military" else ""
        lines.append(lead + MAP_LABELS[perspective] + "\t" + "\t".join(cells))
    if style == "military":
        groups: dict[str, list[str]] = {theme: [] for theme in letters}
        for name, _, group in AGENCIES:
            groups[group].append(name)
        cells = [f"{groups[t][0]}(主政) " + "、".join(groups[t][1:]) for t in letters]
        lines.append("分組 成員\t" + "\t".join(cells) + "\t")
    return "\n".join(lines) + "\n"


def agency_map_text(plan: AgencyPlan) -> list[str]:
    labels = {"C": "顧客 C", "P": "內部流程 P", "L": "學習成長 L", "F": "財務 F"}
    totals = declared_totals(plan)
    short = plan.agency
    if plan.style == "fire":
        lines = [f"{short}策略地圖", "", f"共{totals['objectives']}項策略目標", ""]
        lines += ["【使命】", "", MISSIONS[1], ""]
        lines.append("策略主題\t" + "\t".join(f"{t.name} {t.code}" for t in plan.themes) + "\t")
    else:
        lines = [f"{plan.city.year}年{plan.organization}策略地圖", "", "【使命】", "", MISSIONS[2]]
        lines += ["", "策略", "主題", ""]
        for theme in plan.themes:
            lines += [theme.name, theme.code, ""]
    for index, perspective in enumerate(PERSPECTIVES):
        cells = [
            " ".join(f"{o.code} {o.other_name or o.name}" for o in t.block(perspective))
            for t in plan.themes
        ]
        lead = "策略目標" if index == 0 else ""
        lines.append(f"{lead}\t{labels[perspective]}\t" + "\t".join(cells))
    lines.append("")
    if plan.style == "military":
        lines += [
            f"訂定{totals['themes']}大策略主題，{totals['objectives']}項策略目標，"
            f"{totals['kpis']}項關鍵績效指標，{totals['action_plans']}項行動計畫。",
            "",
        ]
    return lines


def kpi_overview_text(plan: AgencyPlan) -> list[str]:
    totals = declared_totals(plan)
    lines = ["KPI項目一覽表", "", f"共{totals['kpis']}項KPI", "", "WCCD WCCD指標項目", ""]
    lines += ["府 府級平衡計分卡KPI項目", ""]
    lines.append("策略主題\t" + "\t".join(f"{t.name}{t.code}" for t in plan.themes))
    orphans = {k.objective or k.code.rsplit(".", 1)[0]: k for k in plan.orphans}
    for perspective in PERSPECTIVES:
        cells = []
        for theme in plan.themes:
            written = []
            for objective in theme.block(perspective):
                kpis = list(objective.kpis)
                if objective.code in orphans:
                    kpis.append(orphans[objective.code])
                for kpi in kpis:
                    flags = (" WCCD" if kpi.wccd else "") + (" 府" if kpi.city_kpi else "")
                    written.append(f"{kpi.code} {kpi.other_name or kpi.name}{flags}")
            cells.append(" ".join(written))
        lines.append(
            PERSPECTIVE_LABELS["fire"][perspective] + f" {perspective}\t" + "\t".join(cells)
        )
    lines.append("")
    return lines


def kpi_cell(kpi: Kpi) -> str:
    text = f"{kpi.code} {kpi.name}"
    if kpi.new:
        text += "(新增)"
    if kpi.city_kpi_ref:
        text += f" (府級KPI : {kpi.city_kpi_ref})"
    if kpi.city_kpi:
        text += " 府"
    return text


def scorecard_rows(plan: AgencyPlan, theme: Theme) -> list[str]:
    """One table: the link in a merged cell per perspective block, rows per KPI."""
    fire = plan.style == "fire"
    labels = PERSPECTIVE_LABELS[plan.style]
    lines = []
    for perspective in PERSPECTIVES:
        block = theme.block(perspective)
        if not block:
            continue
        if not fire:
            lines.append(f"{labels[perspective]} {perspective}\t\t")
        for position, objective in enumerate(block):
            link = f"{objective.link.code} {objective.link.name}" if position == 0 else ""
            label = labels[perspective] if position == 0 else ""
            name = objective.name + ("(新增)" if objective.new else "")
            head = f"{link}\t{label}\t" if fire else f"{link}\t"
            glue = "" if fire else " "
            for number, kpi in enumerate(objective.kpis):
                actions = " ".join(f"{a.code} {a.name}" for a in kpi.action_plans)
                first = f"{objective.code}{glue}{name}" if number == 0 else ""
                prefix = head if number == 0 else ("\t\t" if fire else "\t")
                lines.append(f"{prefix}{first}\t{kpi_cell(kpi)}\t{actions}")
    return lines


def agency_text(plan: AgencyPlan) -> str:
    year = plan.city.year
    lines = ["", "", plan.organization, "", f"{year}年度策略地圖與平衡計分卡", "", "目錄", ""]
    lines += ["策略地圖", "平衡計分卡", "", ""]
    lines.append(city_map_text(plan.city, plan.style))
    if plan.style == "fire":
        lines += ["承接府級策略目標", "", f"以{len(plan.themes)}大策略主題承接府級施政重點", ""]
    lines += agency_map_text(plan)
    if plan.style == "fire":
        lines += kpi_overview_text(plan)
    for theme in plan.themes:
        if plan.style == "fire":
            lines += ["KPI平衡計分卡", f"{theme.code}{theme.name}", ""]
            lines.append("府級策略目標\t策略目標\tKPI\t行動方案")
        else:
            objectives, kpis, actions = theme_totals(theme)
            lines += [f"{theme.code} {theme.name}", ""]
            lines += [
                f"本策略主題共計**{objectives}項**策略目標，**{kpis}項**關鍵績效指標，"
                f"**{actions}項**行動計畫。",
                "",
                "府級策略目標\t策略目標\tKPI (關鍵績效指標)\t行動計畫",
            ]
        lines += scorecard_rows(plan, theme)
        lines.append("")
    lines += ["", "恭請指教", ""]
    return "\n".join(lines)


# -- the corpus ------------------------------------------------------------------------------


def build_corpus(scorecards: int, seed: int, fmt: str) -> tuple[list[CityPlan], list[AgencyPlan]]:
    cities, agencies = [], []
    for city_index, year, count in city_years(scorecards):
        city = make_city_plan(seed, city_index, year)
        cities.append(city)
        agencies += [make_agency_plan(seed, city, a, fmt) for a in range(count)]
    return cities, agencies


def progress_bar(label: str, length: int, *, quiet: bool) -> Any:
    """A progress bar on stderr when it is a terminal; nothing in pipes, logs or when quiet."""
    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    return click.progressbar(length=length, label=label, file=sys.stderr)


def write_corpus(
    out: Path, scorecards: int, seed: int, fmt: str = "mixed", *, quiet: bool = False
) -> dict[str, object]:
    """Write a corpus of ``scorecards`` agency plans into ``out``; return injected.json."""
    cities, agencies = build_corpus(scorecards, seed, fmt)
    injected = inject_flaws(seed, agencies)
    with progress_bar("writing plans", len(cities) + len(agencies), quiet=quiet) as bar:
        for city in cities:
            folder = out / city.slug / str(city.year)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "city.yaml").write_text(city_yaml(city), encoding="utf-8")
            if bar is not None:
                bar.update(1)
        for plan in agencies:
            folder = out / plan.city.slug / str(plan.city.year)
            if plan.fmt == TEXT:
                (folder / f"{plan.slug}.txt").write_text(agency_text(plan), encoding="utf-8")
            else:
                (folder / f"{plan.slug}.yaml").write_text(agency_yaml(plan), encoding="utf-8")
            if bar is not None:
                bar.update(1)
    document: dict[str, object] = {
        "scorecards": scorecards,
        "seed": seed,
        "format": fmt,
        "city_plans": len(cities),
        "rules": list(CHECKED_RULES),
        "findings": [
            {"name": e.name, "plan": e.plan, "subject": e.subject}
            for e in sorted(injected.findings)
        ],
        "flaws": [flaw.__dict__ for flaw in injected.flaws],
    }
    text = json.dumps(document, ensure_ascii=False, indent=1)
    (out / "injected.json").write_text(text + "\n", encoding="utf-8")
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scorecards", type=int, required=True, help="agency plans to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (new or empty)")
    parser.add_argument(
        "--format",
        choices=("mixed", TEXT, YAML),
        default="mixed",
        help="input format of the agency plans: per organization (mixed), or all one",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on the terminal")
    args = parser.parse_args(argv)
    if args.scorecards < 1:
        parser.error("--scorecards must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    document = write_corpus(args.out, args.scorecards, args.seed, args.format, quiet=args.quiet)
    if not args.quiet:
        print(
            f"wrote {args.scorecards} scorecards and {document['city_plans']} city maps to "
            f"{args.out} ({len(document['findings'])} findings injected)",  # type: ignore[arg-type]
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
