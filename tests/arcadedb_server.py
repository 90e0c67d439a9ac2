"""Start a throw-away ArcadeDB server that speaks Bolt, for tests that need a graph database.

Neo4j cannot be installed here, but ArcadeDB can: the PyPI wheel ``arcadedb-embedded``
bundles a JRE (``arcadedb_embedded/jre``) and the server jars (``arcadedb_embedded/jars``),
including the Bolt plugin, so the official ``neo4j`` Python driver talks to it unchanged.
``arcadedb_server()`` runs that JRE as a separate process (class
``com.arcadedb.server.ArcadeDBServer``) on free 127.0.0.1 ports, with a fresh temporary root
directory and its log in a second temporary directory, waits until the driver can
``verify_connectivity()`` and run ``RETURN 1``, yields a ``BoltServer`` and finally stops the
process by its pid (SIGTERM, then SIGKILL after a bounded wait) and deletes both directories.
The server log (stdout and ``arcadedb.log.0``) is in the log directory; ArcadeDB still writes a
tiny JSONL event log under ``ROOT/log``. On Linux the server also gets SIGTERM if the test
process dies without cleaning up (``PR_SET_PDEATHSIG``).
Run ``python tests/arcadedb_server.py`` to start one by hand and see its start-up time.

Cypher over Bolt, as checked against ArcadeDB 26.10.2 (arcadedb-embedded 26.10.2.post1,
neo4j driver 6.4.1; Bolt protocol v4, user ``root``) -- all of these WORK:

* ``UNWIND $rows AS row MERGE (n:Objective {id: row.key}) SET n += row.props`` -- works,
  idempotent on re-run; ``UNWIND []`` is a no-op; a ``null`` in ``props`` removes that
  property (as in Neo4j); ``SET n = map`` replaces all properties; ``MERGE ... ON CREATE SET
  ... ON MATCH SET`` works. 5,000 rows merge in ~1.5 s without a constraint, ~0.5 s with one.
* ``CREATE CONSTRAINT name IF NOT EXISTS FOR (n:Objective) REQUIRE n.id IS UNIQUE`` -- works
  (with or without a name; re-running is a no-op; works before any node of that label
  exists), ``SHOW CONSTRAINTS`` lists it, ``DROP CONSTRAINT name IF EXISTS`` and
  ``CREATE INDEX name IF NOT EXISTS FOR (n:KPI) ON (n.name)`` work. A violating ``CREATE``
  raises ``neo4j.exceptions.ConstraintError``
  (``Neo.ClientError.Schema.ConstraintValidationFailed``).
* Transactions: ``session.execute_write(fn)`` / ``execute_read`` work; an exception raised
  inside ``fn`` rolls everything back; ``session.begin_transaction()`` sees its own writes
  and ``tx.rollback()`` discards them; auto-commit ``session.run`` and
  ``driver.execute_query(..., database_=...)`` work; write counters (``nodes_created``...)
  are reported. A session without ``database=`` uses the server's default database.
* Property types: strings (Chinese, quotes, backticks, braces round-trip unchanged), int,
  float, bool, ``datetime()``/``date()``, lists of strings (also ``[]``) and lists of ints.
  A map, or a list of maps, as a property value FAILS with ``CypherTypeError``
  (``InvalidPropertyType``) -- the same as Neo4j: flatten or JSON-encode such values.
* ``EXISTS { MATCH (o)-[:IN_THEME]->(:Theme) }``, ``EXISTS { (o)-[:R]->() }``, ``NOT EXISTS
  {...}``, ``EXISTS { MATCH ... WHERE ... }`` and ``COUNT { (o)-[:R]->() }`` -- work.
* Pattern predicates ``WHERE NOT (o)-[:IN_THEME]->()`` and ``WHERE (o)-[:R]->(:Label)`` -- work.
* ``OPTIONAL MATCH`` (yields nulls), ``collect`` (``[]`` on no rows), ``size`` of lists and
  strings, ``count(*)`` (0 on no rows), ``coalesce``, generic and simple ``CASE``,
  ``WITH ... WHERE`` after aggregation, ``ORDER BY ... DESC``, ``SKIP/LIMIT``, ``DISTINCT``,
  ``UNION``, ``CALL { WITH t ... }``, ``$plan``-style parameters (also list params with
  ``IN``), ``IS NULL`` / ``IS NOT NULL``, list comprehensions, ``any/all/none``, ``reduce``,
  map projections ``n {.id}``, ``keys``, ``properties``, ``labels``, ``type``, ``toLower``,
  ``trim``, ``split``, ``STARTS WITH``, ``=~``, ``toString``.
* Variable-length paths ``-[:CAUSES*]->``, ``*1..5``, type alternation ``[:SUPPORTS|ALIGNS_TO*]``,
  undirected ``-[:R*]-``, cycles ``p=(a)-[:R*]->(a)`` with ``nodes(p)``/``length(p)``, and
  ``shortestPath`` -- work.
* Labels/relationship types never created before: ``MATCH (n:Nope)`` returns no rows (no error).
  Multiple labels ``(:Objective:KPI)`` and ``SET n:Flagged`` work; ``labels(n)`` comes back
  sorted alphabetically, not in creation order.

Differences to keep in mind:

* ``collect()`` order is not insertion order: ``ORDER BY`` in a ``WITH`` before it when the
  order matters (that works).
* ``elementId(n)`` looks like ``'#11:0'`` and ``id(n)`` is a large int: never persist them.
* Errors: syntax errors -> ``CypherSyntaxError``; an unknown plain function -> ``CypherSyntaxError``
  ("Unknown function 'x'") but an unknown namespaced one (``foo.bar()``) -> ``DatabaseError``
  (``Neo.DatabaseError.General.UnknownError``); a missing parameter -> ``ClientError``
  ``Neo.ClientError.Statement.ParameterMissing``; an undefined variable -> ``ClientError``
  ``SemanticError``. Catch ``neo4j.exceptions.Neo4jError`` to cover all of them.
* ``1 + 'a'`` gives ``'1a'`` and ``toInteger('x')`` gives ``null`` (as in Neo4j).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import neo4j

__all__ = ["ArcadeDBStartError", "BoltServer", "arcadedb_server", "find_arcadedb_runtime"]

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
_MAIN_CLASS = "com.arcadedb.server.ArcadeDBServer"
_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ArcadeDBStartError(RuntimeError):
    """The server could not be found, did not start, or did not answer in time."""


@dataclass(frozen=True)
class BoltServer:
    """Where a running test server listens and how to log in."""

    uri: str
    user: str
    password: str
    database: str
    startup_seconds: float = 0.0

    def driver(self) -> neo4j.Driver:
        """A new ``neo4j`` driver for this server (the caller closes it)."""
        import neo4j

        return neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password))


def find_arcadedb_runtime() -> tuple[Path, Path]:
    """Return ``(java, jars_dir)`` of the installed ``arcadedb_embedded`` wheel.

    The package is located without importing it (importing it would pull in JPype).
    """
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or not spec.submodule_search_locations:
        raise ArcadeDBStartError(
            "the Python package 'arcadedb-embedded' is not installed "
            "(pip install arcadedb-embedded); it bundles the ArcadeDB server and a JRE"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    java = package_dir / "jre" / "bin" / ("java.exe" if os.name == "nt" else "java")
    jars = package_dir / "jars"
    if not java.is_file() or not any(jars.glob("arcadedb-server-*.jar")):
        raise ArcadeDBStartError(f"no bundled JRE or server jars under {package_dir}")
    if not any(jars.glob("arcadedb-bolt-*.jar")):
        raise ArcadeDBStartError(f"no Bolt plugin jar under {jars}")
    return java, jars


def _free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on 127.0.0.1 (all sockets held open until all are chosen)."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _log_tail(log_file: Path, lines: int = 40) -> str:
    try:
        text = log_file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no server log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux only: have the kernel SIGTERM the server if the test process dies first."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server by its pid: SIGTERM (clean shutdown), then SIGKILL if it hangs."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT_S)


def _wait_ready(
    server: BoltServer, proc: subprocess.Popen[bytes], log_file: Path, timeout: float
) -> None:
    import neo4j
    from neo4j.exceptions import DriverError, Neo4jError

    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        code = proc.poll()
        if code is not None:
            raise ArcadeDBStartError(
                f"ArcadeDB server exited with code {code} before it was ready; "
                f"log tail ({log_file}):\n{_log_tail(log_file)}"
            )
        try:
            with neo4j.GraphDatabase.driver(
                server.uri,
                auth=(server.user, server.password),
                connection_timeout=2.0,
                connection_acquisition_timeout=2.0,
            ) as drv:
                drv.verify_connectivity()
                with drv.session(database=server.database) as session:
                    record = session.run("RETURN 1 AS ok").single()
                    if record is not None and record["ok"] == 1:
                        return
        except (DriverError, Neo4jError, OSError) as exc:
            last_error = exc
        if time.monotonic() >= deadline:
            raise ArcadeDBStartError(
                f"ArcadeDB Bolt server at {server.uri} not ready after {timeout:.0f} s "
                f"(last error: {last_error!r}); log tail ({log_file}):\n{_log_tail(log_file)}"
            )
        time.sleep(0.1)


@contextlib.contextmanager
def arcadedb_server(
    database: str = "bscalign",
    *,
    timeout: float = STARTUP_TIMEOUT_S,
    max_heap: str = "1g",
) -> Iterator[BoltServer]:
    """Run an ArcadeDB server with the Bolt plugin for the duration of the ``with`` block.

    ``database`` is created empty at start-up. The login is ``root`` with a random password.
    Raises ``ArcadeDBStartError`` (with the tail of the server log) if the server does not
    answer ``RETURN 1`` over Bolt within ``timeout`` seconds.
    """
    if not _DB_NAME.match(database):
        raise ValueError(f"database name must match {_DB_NAME.pattern}: {database!r}")
    java, jars = find_arcadedb_runtime()
    root_dir = Path(tempfile.mkdtemp(prefix="bscalign-arcadedb-root-"))
    log_dir = Path(tempfile.mkdtemp(prefix="bscalign-arcadedb-log-"))
    log_file = log_dir / "server.log"
    proc: subprocess.Popen[bytes] | None = None
    try:
        http_port, https_port, bolt_port = _free_ports(3)
        user, password = "root", secrets.token_urlsafe(18)
        command = [
            str(java),
            f"-Xmx{max_heap}",
            f"-Darcadedb.server.rootPath={root_dir}",
            f"-Darcadedb.server.logsDirectory={log_dir}",
            f"-Darcadedb.server.rootPassword={password}",
            "-Darcadedb.server.httpIncomingHost=127.0.0.1",
            f"-Darcadedb.server.httpIncomingPort={http_port}",
            f"-Darcadedb.server.httpsIncomingPort={https_port}",
            "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "-Darcadedb.bolt.host=127.0.0.1",
            f"-Darcadedb.bolt.port={bolt_port}",
            f"-Darcadedb.server.defaultDatabases={database}[{user}]",
            "-cp",
            str(jars / "*"),
            _MAIN_CLASS,
        ]
        started = time.monotonic()
        with log_file.open("wb") as log:
            proc = subprocess.Popen(
                command,
                cwd=log_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        server = BoltServer(f"bolt://127.0.0.1:{bolt_port}", user, password, database)
        _wait_ready(server, proc, log_file, timeout)
        server = BoltServer(
            server.uri, user, password, database, startup_seconds=time.monotonic() - started
        )
        yield server
    finally:
        try:
            if proc is not None:
                _stop(proc)
        finally:
            shutil.rmtree(root_dir, ignore_errors=True)
            shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    with arcadedb_server() as srv:
        print(f"{srv.uri} database={srv.database} ready in {srv.startup_seconds:.2f} s")
