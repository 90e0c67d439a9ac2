"""Shared fixtures: the real seed documents and their loaded graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from bscalign.loaders import LoadResult, read_plans

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
FIRE = SEEDS / "taipei-fire-108-bsc.txt"
MILITARY = SEEDS / "taipei-military-service-111-bsc.txt"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def seeds() -> LoadResult:
    """Both seed documents loaded together (each carries its city map)."""
    if not FIRE.exists() or not MILITARY.exists():
        pytest.fail(f"seed documents missing under {SEEDS}")
    return read_plans([SEEDS])
