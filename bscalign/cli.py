"""The bscalign command line: the group that gathers the commands of :mod:`bscalign.commands`."""

from __future__ import annotations

import atexit
import os
import sys
from contextlib import suppress
from typing import Any

import click

from bscalign import __version__
from bscalign.atomic import OutputError
from bscalign.commands import (
    audit,
    chains,
    coverage,
    diff,
    export,
    neo4j,
    read,
    report,
    rules,
    stats,
    suggest,
    view,
)
from bscalign.commands.options import EXIT_USAGE

#: Every command of ``bscalign``, in no particular order (help lists them by name).
COMMANDS: list[click.Command] = [
    stats.stats,
    export.export,
    export.template,
    audit.audit_command,
    report.report,
    rules.rules_command,
    rules.rule_command,
    rules.cypher_command,
    chains.chains,
    coverage.coverage_command,
    suggest.suggest_command,
    view.view_command,
    neo4j.neo4j_group,
    diff.diff_command,
    read.read_command,
]


class _Main(click.Group):
    """The ``bscalign`` group: an output that cannot be written ends in a one-line error, a
    reader that stops reading (``bscalign ... | head``) ends it quietly."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        finally:
            # As Python's documentation advises (note on SIGPIPE): what is left for a
            # closed pipe goes to /dev/null, so that the flush at exit cannot fail too.
            stdout = sys.__stdout__
            try:
                if stdout is not None:
                    stdout.flush()
            except BrokenPipeError:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
                sys.exit(1)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OutputError as err:
            click.echo(f"bscalign: error: {err}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="bscalign")
def main() -> None:
    """Audit the alignment of strategy maps and balanced scorecards.

    Load strategy-map documents (extracted text, YAML) into a property graph and check
    that every KPI, objective and upward link hangs together.

    Example: bscalign stats examples/
    """


for command in COMMANDS:
    main.add_command(command)


def run() -> None:
    """Run ``bscalign`` as a program: the console script and ``python -m bscalign``.

    As :func:`main`, then the process ends without freeing the graph a command loaded
    object by object (seconds for a country's plans, memory the system takes back as the
    process ends anyway): exit functions run and the standard streams are flushed, then
    :func:`os._exit` leaves with the status :func:`main` gave.
    """
    try:
        main()
    except SystemExit as end:
        # still inside the handler: the traceback keeps click's frames, and with them the
        # run's context and the graph it holds (commands.options.load), alive to the end
        status = end.code
        if status is not None and not isinstance(status, int):
            print(status, file=sys.stderr)
            status = 1
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with suppress(BrokenPipeError, ValueError):  # (a closed reader; a closed stream)
                stream.flush()
        os._exit(status or 0)
