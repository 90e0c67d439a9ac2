"""`bscalign neo4j push` and `bscalign neo4j audit`: the audit on a Neo4j server."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from bscalign.commands.audit import report_audit
from bscalign.commands.options import (
    EXIT_USAGE,
    AuditChoices,
    audit_options,
    causal_order_option,
    inputs,
)
from bscalign.loaders import LoadResult
from bscalign.neo4j_store import (
    DEFAULT_BATCH_NODES,
    DEFAULT_TIMEOUT,
    PushedPlan,
    PushError,
    audit_on_server,
    check_uri,
    open_driver,
    push,
    stored_plans,
)


def _neo4j_uri(ctx: click.Context, param: click.Parameter, uri: str) -> str:
    try:
        return check_uri(uri)
    except ValueError as err:
        raise click.BadParameter(str(err), ctx, param) from None


def neo4j_connection(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared Neo4j options, each defaulting from the environment variable Neo4j's tools use;
    the command gets an open ``driver`` and the ``database`` name.

    Connecting gives up after the command's ``--timeout`` if it has one. Connection and
    server errors end the command with a one-line error and exit code 2.
    """

    @click.option(
        "--uri",
        envvar="NEO4J_URI",
        default="neo4j://localhost:7687",
        show_default=True,
        show_envvar=True,
        callback=_neo4j_uri,
        help="Server address (neo4j://, neo4j+s:// for Aura, bolt://).",
    )
    @click.option(
        "--user",
        envvar="NEO4J_USERNAME",
        default="neo4j",
        show_default=True,
        show_envvar=True,
        help="User name.",
    )
    @click.option(
        "--password",
        envvar="NEO4J_PASSWORD",
        show_envvar=True,
        help="Better set in the environment than typed here.",
    )
    @click.option(
        "--database",
        envvar="NEO4J_DATABASE",
        show_envvar=True,
        help="Database name (default: the server's default database).",
    )
    @functools.wraps(command)
    def wrapper(
        *args: Any, uri: str, user: str, password: str | None, database: str | None, **kwargs: Any
    ) -> Any:
        try:
            import neo4j
        except ImportError:
            click.echo(
                "bscalign: error: the Neo4j driver is not installed "
                "(pip install 'bscalign[neo4j]')",
                err=True,
            )
            sys.exit(EXIT_USAGE)
        # the driver logs each retry and lost connection; the one-line error below says it all
        logging.getLogger("neo4j").setLevel(logging.CRITICAL)
        auth = (user, password) if password is not None else None
        timeout = kwargs.get("timeout", DEFAULT_TIMEOUT)
        try:
            with open_driver(uri, auth, timeout=timeout) as driver:
                driver.verify_connectivity()
                return command(*args, driver=driver, database=database, **kwargs)
        except (
            neo4j.exceptions.Neo4jError,
            neo4j.exceptions.DriverError,
            PushError,
            OSError,
        ) as err:
            message = " ".join(str(err).split()) or type(err).__name__
            click.echo(f"bscalign: error: Neo4j at {uri}: {message}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


@click.group(name="neo4j")
def neo4j_group() -> None:
    """Put plans in a Neo4j database and run the audit there, as Cypher.

    Connection options default from NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD and
    NEO4J_DATABASE. `bscalign cypher RULE` prints the query each rule runs.

    Example: bscalign neo4j push ../shared/seeds && bscalign neo4j audit
    """


@neo4j_group.command(name="push")
@inputs
@neo4j_connection
@click.option(
    "--replace",
    is_flag=True,
    help="Replace each pushed plan wholly (items no longer in the input go); other plans "
    "are never touched.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH_NODES,
    show_default=True,
    help="Nodes per transaction: whole plans are grouped up to this many (a larger plan "
    "goes alone).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to connect, and for each transaction, before giving up.",
)
@causal_order_option
def neo4j_push(
    result: LoadResult,
    driver: Any,
    database: str | None,
    replace: bool,
    batch_size: int,
    timeout: float,
    causal_order: str,
) -> None:
    """Write the plans in FILE... to Neo4j, several whole plans per transaction.

    Creates the uniqueness constraints it needs, infers cause-effect edges like the audit
    does, and joins upward links to the city plans stored on the server. Pushing twice
    leaves the same graph; a push cut at any point leaves each plan wholly written or not
    at all, and running it again completes it. With --replace, what a plan no longer holds
    is deleted only after its replacement is written, in the same transaction.

    Example: bscalign neo4j push ../shared/seeds --replace
    """

    def report(done: PushedPlan) -> None:
        click.echo(
            f"pushed {done.plan}: {done.nodes} nodes, {done.relationships} relationships", err=True
        )

    push(
        driver,
        result.graph,
        database=database,
        replace=replace,
        batch_size=batch_size,
        causal_order=causal_order,
        on_plan=report,
        timeout=timeout,
    )


@neo4j_group.command(name="audit")
@neo4j_connection
@click.option("--plan", "plan_id", help="Only the findings of this plan id.")
@audit_options
def neo4j_audit(
    driver: Any,
    database: str | None,
    plan_id: str | None,
    choices: AuditChoices,
) -> None:
    """Run the audit's Cypher twins on the Neo4j server; report as `bscalign audit` does.

    The graph is what `bscalign neo4j push` stored there (its cause-effect edges were
    inferred at push time, in the push's causal order).

    Example: bscalign neo4j audit --plan 臺北市政府消防局@108 --format json
    """
    if plan_id is not None and plan_id not in stored_plans(driver, database):
        click.echo(f"bscalign: error: no plan {plan_id!r} in the database", err=True)
        sys.exit(EXIT_USAGE)
    rules = choices.rules()
    skipped = [rule.name for rule in rules if not rule.cypher_path.exists()]
    if skipped:
        click.echo(f"bscalign: no Cypher twin, not run: {', '.join(skipped)}", err=True)
    report = audit_on_server(
        driver, rules, database=database, plan=plan_id, min_severity=choices.min_severity
    )
    report_audit(report, choices)


@neo4j_group.command(name="style")
def neo4j_style() -> None:
    """Print a Graph Stylesheet (GraSS) that draws the stored graph in Neo4j Browser like
    bscalign's views: captions code + name, colours by kind and, once objectives carry
    their perspective's label (the stylesheet's header gives the four Cypher lines that add
    them), by perspective. Save it and load it with :style in the Browser.

    Example: bscalign neo4j style > bscalign.grass
    """
    from bscalign.neo4j_style import grass_stylesheet

    click.echo(grass_stylesheet(), nl=False)
