"""The bscalign command line: thin wrappers over the library, one function per command."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from bscalign import __version__
from bscalign.graph import schema
from bscalign.graph.access import PlanIndex, plans
from bscalign.graph.causality import chains as find_chains
from bscalign.graph.causality import ensure_inferred_causes, validate_order
from bscalign.graph.diff import diff_graphs, diff_rows
from bscalign.loaders import InputError, LoadResult, Progress, input_formats, read_plans
from bscalign.loaders.spreadsheet import write_csv, write_template, write_xlsx
from bscalign.loaders.yamlplans import dump_yaml_plans
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
from bscalign.output import render, to_json
from bscalign.queries.base import LANGUAGES, SEVERITIES, Rule, severity_rank
from bscalign.queries.coverage import coverage
from bscalign.queries.engine import AuditResult, audit
from bscalign.queries.registry import RULES, get_rule, select_rules
from bscalign.queries.retarget import retarget_links
from bscalign.queries.suggest import suggest_links
from bscalign.report import FORMATS as REPORT_FORMATS
from bscalign.report import build_report, plan_views, write_report

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


input_format_option = click.option(
    "--input-format",
    type=click.Choice(input_formats()),
    help="Read every input in this format instead of recognising it from its content.",
)


def inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared input arguments: FILE... (files or folders) and --input-format."""

    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @input_format_option
    @functools.wraps(command)
    def wrapper(files: tuple[Path, ...], input_format: str | None, **kwargs: Any) -> Any:
        return command(load(files, input_format), **kwargs)

    return wrapper


def output_format(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Shared --format option limited to ``choices`` (the first is the default)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def load(files: tuple[Path, ...], input_format: str | None) -> LoadResult:
    """Load inputs or exit 2 with a one-line error naming the file."""
    try:
        with progress_bar() as progress_to:
            result = read_plans(files, input_format, progress_to)
    except (InputError, OSError) as err:
        click.echo(f"bscalign: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    for problem in result.problems:
        click.echo(f"bscalign: problem: {problem}", err=True)
    return result


@contextmanager
def progress_bar() -> Iterator[Progress | None]:
    """A loading bar on stderr when it is a terminal; None (no bar) otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label="loading", file=sys.stderr) as bar:

        def update(done: int, in_all: int) -> None:
            bar.length = max(in_all, 1)
            bar.update(done - bar.pos)

        yield update


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bscalign")
def main() -> None:
    """Audit the alignment of strategy maps and balanced scorecards.

    Load strategy-map documents (extracted text, YAML) into a property graph and check
    that every KPI, objective and upward link hangs together.

    Example: bscalign stats examples/
    """


@main.command()
@inputs
@output_format("table", "json", "csv", "markdown")
def stats(result: LoadResult, fmt: str) -> None:
    """Count each plan's themes, objectives, KPIs and action plans.

    Declared totals (what the document itself says it holds) are shown beside the counts.
    Exit code 1 when the input loaded with problems.

    Example: bscalign stats ../shared/seeds --format json
    """
    rows = []
    index = PlanIndex(result.graph)
    for plan in plans(result.graph):
        row: dict[str, Any] = {"id": plan["id"], "level": plan["level"]}
        row.update(index.counts(plan["id"]))
        row["declared"] = dict(plan["declared"])
        row["problems"] = len(result.problems_of(plan["id"]))
        rows.append(row)
    if fmt == "json":
        problems = [{"file": p.file, "line": p.line, "message": p.message} for p in result.problems]
        click.echo(to_json({"plans": rows, "load_problems": problems}))
    else:
        columns = ["id", "level", "themes", "objectives", "kpis", "action_plans", "declared"]
        click.echo(render(rows, [*columns, "problems"], fmt), nl=False)
    sys.exit(EXIT_PROBLEMS if result.problems else EXIT_OK)


#: Export formats: how each writes the loaded plans (-o: a file, or a folder for CSV).
EXPORTERS: dict[str, Callable[..., Any]] = {
    "yaml": lambda graph, output, plan_ids: output.write_text(
        dump_yaml_plans(graph, plan_ids), encoding="utf-8"
    ),
    "xlsx": write_xlsx,
    "csv": write_csv,
}


@main.command()
@inputs
@output_format(*EXPORTERS)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here (a folder for csv; required for xlsx and csv), not stdout.",
)
@click.option("--plan", "plan_ids", multiple=True, help="Export only this plan id (repeatable).")
def export(result: LoadResult, fmt: str, output: Path | None, plan_ids: tuple[str, ...]) -> None:
    """Write loaded plans in another format: YAML (the canonical hand-written format), an
    XLSX workbook, or one CSV file per workbook table in a folder.

    Loading the export gives the same graph as the original input.

    Example: bscalign export ../shared/seeds/taipei-fire-108-bsc.txt --format xlsx -o fire.xlsx
    """
    wanted = list(plan_ids) or None
    if output is None:
        if fmt != "yaml":
            raise click.UsageError(f"--format {fmt} needs -o/--output")
        click.echo(dump_yaml_plans(result.graph, wanted), nl=False)
        return
    EXPORTERS[fmt](result.graph, output, wanted)
    click.echo(f"wrote {output}", err=True)


def _split(values: tuple[str, ...]) -> list[str]:
    """Accept both repeated options and comma-separated lists."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def causal_order_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared --causal-order option (perspective order of inferred cause-effect edges)."""
    return click.option(
        "--causal-order",
        default=schema.DEFAULT_CAUSAL_ORDER,
        show_default=True,
        callback=lambda _ctx, _param, value: _checked_order(value),
        help="Perspectives from foundation to result, for inferred cause-effect edges.",
    )(command)


def _checked_order(value: str) -> str:
    try:
        return validate_order(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


def lang_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared --lang option: the language of the findings' messages (and a report's labels)."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default="en",
        show_default=True,
        help="Language of the findings' messages (and of a report's headings and labels).",
    )(command)


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared options of both audits: --format, --select, --ignore, --min-severity, --fail-on,
    --lang."""
    for option in reversed(
        (
            output_format("table", "json", "csv", "markdown"),
            click.option(
                "--select", multiple=True, help="Run only these rules (names, codes or prefixes)."
            ),
            click.option(
                "--ignore", multiple=True, help="Skip these rules (names, codes or prefixes)."
            ),
            click.option(
                "--min-severity",
                type=click.Choice(SEVERITIES),
                default="info",
                show_default=True,
                help="Report findings at least this severe.",
            ),
            click.option(
                "--fail-on",
                type=click.Choice([*SEVERITIES, "never"]),
                default="error",
                show_default=True,
                help="Exit 1 when a finding at least this severe is reported.",
            ),
            lang_option,
        )
    ):
        command = option(command)
    return command


@main.command(name="audit")
@inputs
@audit_options
@causal_order_option
def audit_command(
    result: LoadResult,
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    min_severity: str,
    fail_on: str,
    lang: str,
    causal_order: str,
) -> None:
    """Run the alignment audit and report every finding.

    Findings are sorted (plan, rule, subject) so two runs give identical output. An
    agency plan is checked against the city plan of its year loaded in the same run.
    Findings suppressed in YAML input are counted and listed separately.

    Example: bscalign audit ../shared/seeds --format json --min-severity warning
    """
    rules = select_rules(_split(select), _split(ignore))
    report = audit(result.graph, rules, causal_order=causal_order, min_severity=min_severity)
    report_audit(report, fmt, fail_on, lang)


def report_audit(report: AuditResult, fmt: str, fail_on: str, lang: str) -> None:
    """Print an audit's findings in ``fmt`` (messages in ``lang``); exit 1 if one is at least
    ``fail_on``."""
    if fmt == "json":
        click.echo(
            to_json(
                {
                    "findings": [f.as_dict(lang) for f in report.findings],
                    "suppressed": [x.as_dict(lang) for x in report.suppressed],
                    "summary": report.summary(),
                }
            )
        )
    else:
        rows = [f.as_dict(lang) for f in report.findings]
        columns = ["severity", "rule", "name", "plan", "subject", "message", "suggestion", "source"]
        click.echo(render(rows, columns, fmt), nl=False)
        if fmt == "table":
            summary = report.summary()
            severities = ", ".join(f"{n} {sev}" for sev, n in summary["by_severity"].items())
            click.echo(
                f"{summary['total']} findings ({severities}); "
                f"{summary['suppressed']} suppressed; "
                f"{summary['inferred_cause_effect_edges']} cause-effect edges inferred",
                err=True,
            )
    worst = report.worst()
    failed = (
        fail_on != "never" and worst is not None and severity_rank(worst) <= severity_rank(fail_on)
    )
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)


@main.command()
@inputs
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    callback=lambda _ctx, _param, value: _checked_report_path(value),
    help="Where to write; the suffix picks the format: .md, .html or .xlsx.",
)
@lang_option
@causal_order_option
def report(result: LoadResult, output: Path, lang: str, causal_order: str) -> None:
    """Write the audit report a planner circulates to the agencies.

    Per plan: counts beside declared totals, findings grouped by severity and rule with
    their suggestions and source lines, cause-effect chains and the city-coverage matrix.
    The HTML report is one self-contained page that opens offline, each plan's interactive
    view in its section. Exit code 1 when an input loaded with problems (they are listed in
    the report too).

    Example: bscalign report ../shared/seeds -o audit.html --lang zh-TW
    """
    document = build_report(result, lang, causal_order=causal_order)
    views = (
        plan_views(result.graph, document)
        if REPORT_FORMATS[output.suffix.lower()] == "html"
        else None
    )
    fmt = write_report(document, output, views)
    click.echo(f"wrote {output} ({fmt})", err=True)
    sys.exit(EXIT_PROBLEMS if result.problems else EXIT_OK)


def _checked_report_path(path: Path) -> Path:
    if path.suffix.lower() not in REPORT_FORMATS:
        raise click.BadParameter(f"write .md, .html or .xlsx, not {path.name!r}")
    return path


@main.command(name="rules")
@output_format("table", "json", "csv", "markdown")
def rules_command(fmt: str) -> None:
    """List every audit rule: code, name, severity and summary.

    Example: bscalign rules --format markdown
    """
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "severity": r.severity,
            "cypher": r.cypher_path.exists(),
            "summary": r.summary,
        }
        for r in RULES
    ]
    if fmt == "json":
        click.echo(to_json({"rules": rows}))
    else:
        click.echo(render(rows, ["code", "name", "severity", "cypher", "summary"], fmt), nl=False)


def _rule_or_exit(name_or_code: str) -> Rule:
    """The rule with this name or code, or exit 2 with a one-line error."""
    try:
        return get_rule(name_or_code)
    except KeyError as err:
        click.echo(f"bscalign: error: {err.args[0]}", err=True)
        sys.exit(EXIT_USAGE)


@main.command(name="rule")
@click.argument("name_or_code")
def rule_command(name_or_code: str) -> None:
    """Print one rule's documentation (what it checks, why, an example, how to fix).

    Example: bscalign rule dangling-upward-link
    """
    rule = _rule_or_exit(name_or_code)
    click.echo(f"{rule.name} ({rule.code}, default severity {rule.severity})\n")
    click.echo(rule.doc)
    if rule.cypher_path.exists():
        click.echo(f"\nIn Neo4j: `bscalign cypher {rule.name}` prints its Cypher twin.")


@main.command(name="cypher")
@click.argument("name_or_code")
def cypher_command(name_or_code: str) -> None:
    """Print a rule's Cypher twin: the query that finds the same in Neo4j.

    Paste it into Neo4j Browser after `bscalign neo4j push` (its header says which
    parameters to set with :param). Exit code 1 for a rule that has no Cypher twin.

    Example: bscalign cypher dangling-upward-link
    """
    rule = _rule_or_exit(name_or_code)
    if not rule.cypher_path.exists():
        click.echo(
            f"bscalign: {rule.name} has no Cypher twin (`bscalign rule {rule.name}` says why)",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    click.echo(rule.cypher_path.read_text(encoding="utf-8"), nl=False)


@main.command()
@inputs
@output_format("table", "json")
@click.option("--plan", "plan_id", help="Only this plan id.")
@causal_order_option
def chains(result: LoadResult, fmt: str, plan_id: str | None, causal_order: str) -> None:
    """List the cause-effect chains of each plan and theme, lowest perspective to customer.

    Plans without explicit cause-effect edges (extracted text never has them) get edges
    inferred along the causal order; such chains are marked inferred.

    Example: bscalign chains ../shared/seeds --plan 臺北市政府兵役局@111
    """
    ensure_inferred_causes(result.graph, causal_order)
    wanted = [p for p in plans(result.graph) if plan_id in (None, p["id"])]
    if plan_id and not wanted:
        click.echo(f"bscalign: error: no plan {plan_id!r} loaded", err=True)
        sys.exit(EXIT_USAGE)
    found = [c for p in wanted for c in find_chains(result.graph, p["id"], causal_order)]
    if fmt == "json":
        click.echo(to_json({"chains": found}))
    else:
        click.echo(render(found, ["plan", "theme", "inferred", "path"], fmt), nl=False)


@main.command(name="coverage")
@inputs
@output_format("table", "json", "csv", "markdown")
def coverage_command(result: LoadResult, fmt: str) -> None:
    """Show which agency objectives support each city objective, and which nobody supports.

    Example: bscalign coverage ../shared/seeds --format markdown
    """
    rows = list(coverage(result.graph))
    uncovered = [
        {"city_plan": r["city_plan"], "objective": r["objective"], "name": r["name"]}
        for r in rows
        if not r["supported_by"]
    ]
    if fmt == "json":
        click.echo(to_json({"coverage": rows, "uncovered": uncovered}))
        return
    agencies = sorted({a for r in rows for a in r["supported_by"]})
    table = [{**r, **{a: ", ".join(r["supported_by"].get(a, [])) for a in agencies}} for r in rows]
    click.echo(render(table, ["city_plan", "objective", "name", *agencies], fmt), nl=False)
    click.echo(
        f"{len(uncovered)} of {len(rows)} city objectives supported by no loaded agency", err=True
    )


@main.command(name="suggest")
@inputs
@output_format("table", "json")
@click.option("--limit", default=3, show_default=True, help="Candidates per objective.")
def suggest_command(result: LoadResult, fmt: str, limit: int) -> None:
    """Propose upward links for agency objectives that have none (or only dangling ones).

    Candidates are ranked by name similarity (character n-grams, so Chinese works without
    word splitting), the objective's perspective, a dangling code's theme letter and the
    themes whose working group the agency belongs to; each shows its score and why.

    Example: bscalign suggest ../shared/seeds/taipei-military-service-111-bsc.txt
    """
    found = list(suggest_links(result.graph, limit=limit))
    if fmt == "json":
        click.echo(to_json({"suggestions": found}))
        return
    rows = [
        {
            "plan": item["plan"],
            "subject": f"{item['subject']} {item['name']}",
            "written": ", ".join(item["written"]),
            "rank": rank,
            "candidate": f"{c['code']} {c['name']}",
            "score": f"{c['score']:.2f}",
            "why": c["why"],
        }
        for item in found
        for rank, c in enumerate(item["candidates"], 1)
    ]
    columns = ["plan", "subject", "written", "rank", "candidate", "score", "why"]
    click.echo(render(rows, columns, fmt), nl=False)


@main.command(name="view")
@inputs
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write.",
)
@click.option(
    "--plan",
    "plan_ids",
    multiple=True,
    help="Show only this plan (repeatable); an agency plan brings its city plan along.",
)
@click.option("--focus", help="Show only this objective or KPI code and its neighbourhood.")
@click.option(
    "--depth", default=2, show_default=True, type=click.IntRange(0), help="Reach of --focus."
)
@click.option("--no-findings", is_flag=True, help="Do not run the audit; draw the plans only.")
@lang_option
@causal_order_option
def view_command(
    result: LoadResult,
    output: Path,
    plan_ids: tuple[str, ...],
    focus: str | None,
    depth: int,
    no_findings: bool,
    lang: str,
    causal_order: str,
) -> None:
    """Write an interactive strategy map (one offline HTML file) with the findings on it.

    Perspectives are bands (customer on top), themes are columns, KPIs and action plans
    stand beneath their objective, and the city map sits above the agency plans with the
    upward links between them. Nodes and links with findings are colored by severity; a
    dangling upward link points at a dashed placeholder. The page loads nothing from the
    network and opens from disk.

    Example: bscalign view ../shared/seeds -o map.html --plan 臺北市政府消防局@108
    """
    from bscalign.views import view_graph
    from bscalign.views.html import write_view

    if no_findings:
        ensure_inferred_causes(result.graph, causal_order)
        findings = []
    else:
        findings = audit(result.graph, causal_order=causal_order).findings
    try:
        shown = view_graph(
            result.graph,
            findings,
            plans=list(plan_ids) or None,
            focus=focus,
            depth=depth,
            lang=lang,
        )
    except ValueError as err:
        click.echo(f"bscalign: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    title = f"bscalign: {', '.join(plan_ids) if plan_ids else 'all plans'}"
    if focus:
        title += f", around {focus}"
    write_view(shown, output, title=title, findings_shown=not no_findings)
    click.echo(
        f"wrote {output}: {shown.number_of_nodes()} nodes, {shown.number_of_edges()} edges",
        err=True,
    )


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def template(output: Path, force: bool) -> None:
    """Write an empty XLSX workbook for planners to fill in by hand.

    One sheet per table (plans, themes, objectives, kpis, action_plans, organizations),
    headers with notes, drop-down lists for perspectives, flags and levels, and one filled
    example row per sheet to overwrite.

    Example: bscalign template plans.xlsx
    """
    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; use --force to overwrite it")
    write_template(output)
    click.echo(f"wrote {output}", err=True)


# -- Neo4j -------------------------------------------------------------------------------


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


@main.group(name="neo4j")
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
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    min_severity: str,
    fail_on: str,
    lang: str,
) -> None:
    """Run the audit's Cypher twins on the Neo4j server; report as `bscalign audit` does.

    The graph is what `bscalign neo4j push` stored there (its cause-effect edges were
    inferred at push time, in the push's causal order).

    Example: bscalign neo4j audit --plan 臺北市政府消防局@108 --format json
    """
    if plan_id is not None and plan_id not in stored_plans(driver, database):
        click.echo(f"bscalign: error: no plan {plan_id!r} in the database", err=True)
        sys.exit(EXIT_USAGE)
    rules = select_rules(_split(select), _split(ignore))
    skipped = [rule.name for rule in rules if not rule.cypher_path.exists()]
    if skipped:
        click.echo(f"bscalign: no Cypher twin, not run: {', '.join(skipped)}", err=True)
    report = audit_on_server(
        driver, rules, database=database, plan=plan_id, min_severity=min_severity
    )
    report_audit(report, fmt, fail_on, lang)


@main.command(name="diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@output_format("table", "json", "markdown")
@click.option(
    "--retarget",
    "agency_file",
    type=click.Path(path_type=Path),
    help="Re-check this agency plan's upward links against NEW's city map.",
)
@input_format_option
def diff_command(
    old: Path, new: Path, fmt: str, agency_file: Path | None, input_format: str | None
) -> None:
    """Compare the plans of each organization found in OLD and in NEW (files or folders).

    Lists entries added, removed, renamed (same code, new name) and re-coded (same name,
    new code), codes that now name something else, and links added and removed. With
    --retarget, each upward link of the agency plan is checked against NEW's city map:
    does it still hold, and which newer city objective does it most likely map to. Exit
    code 1 when an input loaded with problems or a retargeted link breaks.

    \b
    Example: bscalign diff ../shared/seeds/taipei-fire-108-bsc.txt ../shared/seeds/taipei-military-service-111-bsc.txt --retarget ../shared/seeds/taipei-fire-108-bsc.txt
    """  # noqa: E501
    old_result, new_result = load((old,), input_format), load((new,), input_format)
    diffs = diff_graphs(old_result.graph, new_result.graph)
    links: list[dict[str, Any]] = []
    problems = bool(old_result.problems or new_result.problems)
    if agency_file is not None:
        agency = load((agency_file,), input_format)
        try:
            links = list(retarget_links(agency.graph, new_result.graph, old_graph=old_result.graph))
        except ValueError as err:
            click.echo(f"bscalign: error: {err}", err=True)
            sys.exit(EXIT_USAGE)
        problems = problems or bool(agency.problems)
    if fmt == "json":
        document: dict[str, Any] = {"diffs": diffs}
        if agency_file is not None:
            document["retarget"] = links
        click.echo(to_json(document))
    else:
        for found in diffs:
            click.echo(f"{found['old']} → {found['new']}: {found['unchanged']} unchanged")
            click.echo(render(diff_rows(found), ["change", "kind", "old", "new"], fmt))
        if not diffs:
            click.echo("no organization has a plan in both OLD and NEW", err=True)
        if agency_file is not None:
            click.echo(render(retarget_rows(links), RETARGET_COLUMNS, fmt), nl=False)
    breaks = [link for link in links if not link["holds"]]
    if agency_file is not None:
        click.echo(f"{len(breaks)} of {len(links)} upward links break in the newer map", err=True)
    sys.exit(EXIT_PROBLEMS if problems or breaks else EXIT_OK)


RETARGET_COLUMNS = ["plan", "subject", "written", "status", "newer map", "holds", "proposal", "why"]


def retarget_rows(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows of :func:`retarget_links` results."""
    return [
        {
            "plan": link["plan"],
            "subject": f"{link['subject']} {link['subject_name']}",
            "written": f"{link['code']} {link['name']}",
            "status": link["status"],
            "newer map": f"{link['code']} {link['new_name']}" if link["new_name"] else "",
            "holds": link["holds"],
            "proposal": f"{p['code']} {p['name']}" if (p := link["proposal"]) else "",
            "why": p["why"] if p else "",
        }
        for link in links
    ]
