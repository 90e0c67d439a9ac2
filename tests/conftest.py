"""Shared fixtures: the real seed documents and their loaded graph; a Bolt server."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bscalign.loaders import LoadResult, read_plans

if TYPE_CHECKING:
    import neo4j
    from arcadedb_server import BoltServer

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


@pytest.fixture(scope="session")
def bolt_server() -> Iterator[BoltServer]:
    """One ArcadeDB Bolt server for the session's Neo4j tests (see tests/arcadedb_server.py).

    Skips when ``arcadedb-embedded`` or the ``neo4j`` driver is not installed, unless
    ``BSCALIGN_REQUIRE_ARCADEDB=1`` (CI), where that fails instead.
    """
    missing = [m for m in ("arcadedb_embedded", "neo4j") if importlib.util.find_spec(m) is None]
    if missing:
        why = f"not installed: {', '.join(missing)}"
        if os.environ.get("BSCALIGN_REQUIRE_ARCADEDB") == "1":
            pytest.fail(why)
        pytest.skip(why)
    from arcadedb_server import arcadedb_server

    with arcadedb_server("bscalign") as server:
        yield server


@pytest.fixture(scope="session")
def neo4j_driver(bolt_server: BoltServer) -> Iterator[neo4j.Driver]:
    """A driver for :func:`bolt_server` (closed at the end of the session)."""
    with bolt_server.driver() as driver:
        yield driver


@pytest.fixture
def empty_database(bolt_server: BoltServer, neo4j_driver: neo4j.Driver) -> str:
    """The name of the server's database, emptied (constraints and indexes stay)."""
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=bolt_server.database)
    return bolt_server.database
