"""A generated agency plan of any size, shaped like the genre, under the real 108 city map.

Objectives are spread over five themes, one per perspective first and the rest mostly
customer and internal process (as the benchmark's generator and the seeds do); each links
to a city objective of its perspective, a few with a code the city map lacks (a dangling
link, as the Fire Department writes ``G2``). Names are drawn from planners' phrases, so
their lengths are the documents' lengths.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EXAMPLES

AGENCY = "臺北市政府產業發展局"
VERBS = ["提升", "強化", "精進", "推動", "優化", "落實", "建構", "擴大", "深化", "營造"]
THINGS = [
    "市民服務滿意度", "產業創新能量", "數位治理效能", "防災應變機制", "公共設施品質",
    "人才培育制度", "預算執行效能", "跨局處協調", "資訊安全防護", "青年創業環境",
    "在地商圈活力", "智慧城市應用",
]  # fmt: skip
CITY_TARGETS = {"C": ["GC2", "EC1", "BC3", "FC2"], "P": ["GP7", "EP2", "BP4", "FP3"]}
CITY_TARGETS |= {"L": ["GL1", "EL1"], "F": ["GF2", "EF1"]}


def generated_plan(
    objectives: int = 40, seed: int = 16, city_names: dict[str, str] | None = None
) -> dict[str, Any]:
    """An agency plan (YAML mapping) of ``objectives`` objectives with KPIs and action plans;
    links carry the city objective's name from ``city_names`` (code -> name)."""
    rng = random.Random(seed)
    city_names = city_names or {}
    themes = "ABCDE"
    slots = [(t, p) for t in themes for p in "CPLF"]
    slots += [(rng.choice(themes), rng.choice("CCCPPPL")) for _ in range(objectives - len(slots))]
    numbers: dict[tuple[str, str], int] = {}
    plan: dict[str, Any] = {
        "organization": AGENCY,
        "year": "108",
        "level": "agency",
        "city": "臺北市政府",
        "themes": [{"code": t, "name": rng.choice(VERBS) + rng.choice(THINGS)} for t in themes],
        "objectives": [],
        "kpis": [],
        "action_plans": [],
    }
    for index, (theme, perspective) in enumerate(sorted(slots, key=lambda x: "CPLF".index(x[1]))):
        numbers[theme, perspective] = numbers.get((theme, perspective), 0) + 1
        code = f"{theme}{perspective}{numbers[theme, perspective]}"
        meant = rng.choice(CITY_TARGETS[perspective])
        # every ninth link leaves the perspective letter out (G2 for GC2): it dangles
        target = meant[0] + meant[2:] if index % 9 == 4 else meant
        plan["objectives"].append(
            {
                "code": code,
                "name": rng.choice(VERBS) + rng.choice(THINGS),
                "aligns_to": [{"code": target, "name": city_names.get(meant, "")}],
            }
        )
        for k in range(1, rng.choice([2, 2, 3])):
            kpi = f"{code}.{k}"
            plan["kpis"].append(
                {"code": kpi, "name": rng.choice(THINGS) + "達成率", "objective": code}
            )
            for a in range(1, rng.choice([2, 2, 3])):
                plan["action_plans"].append(
                    {"code": f"{kpi}.{a}", "name": rng.choice(VERBS) + "計畫", "supports": [kpi]}
                )
    return plan


def write_generated(folder: Path, objectives: int = 40) -> Path:
    """Write the 108 city map and a generated agency plan to ``folder``; return the file."""
    city, _ = yaml.safe_load((EXAMPLES / "taipei-fire-108.yaml").read_text(encoding="utf-8"))[
        "plans"
    ]
    path = folder / f"generated-{objectives}.yaml"
    names = {o["code"]: o["name"] for o in city["objectives"]}
    document = {"bscalign": 1, "plans": [city, generated_plan(objectives, city_names=names)]}
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path
