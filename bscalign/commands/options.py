"""Options, arguments and helpers shared by the commands."""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import click

from bscalign.graph import schema
from bscalign.graph.causality import validate_order
from bscalign.loaders import InputError, LoadResult, Progress, input_formats, limits, read_plans
from bscalign.output import FORMATS, RENDERERS, Output
from bscalign.queries.base import LANGUAGES, SEVERITIES, Rule
from bscalign.queries.registry import select_rules

#: Exit codes: success, problems found (in the input or by the audit), usage or input error.
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

input_format_option = click.option(
    "--input-format",
    type=click.Choice(input_formats()),
    help="Read every input in this format instead of recognising it from its content.",
)


class ByteSize(click.ParamType):
    """A size in bytes, written ``200M``, ``1G``, ``512K`` or a plain number of bytes."""

    name = "size"
    _UNITS: ClassVar[dict[str, int]] = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        found = re.fullmatch(r"\s*(\d+)\s*([KMG]?)(?:i?B)?\s*", str(value), re.IGNORECASE)
        if not found or int(found[1]) == 0:
            self.fail(f"{value!r} is not a size such as 200M, 1G or 52428800", param, ctx)
        return int(found[1]) * self._UNITS[found[2].upper()]


def _remember(limit: str) -> Callable[[click.Context, click.Parameter, int], int]:
    """A callback setting the field ``limit`` of the load's :class:`limits.Limits`."""

    def remember(ctx: click.Context, _param: click.Parameter, value: int) -> int:
        bounds = ctx.meta.get("bscalign.limits", limits.DEFAULT)
        ctx.meta["bscalign.limits"] = dataclasses.replace(bounds, **{limit: value})
        return value

    return remember


def _limit_option(
    name: str, limit: str, kind: click.ParamType, default: Any, help: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An option setting the field ``limit`` of the load's limits; its environment variable
    is its name in capitals (``--max-sheet-rows``: ``BSCALIGN_MAX_SHEET_ROWS``)."""
    return click.option(
        name,
        type=kind,
        default=default,
        show_default=True,
        envvar="BSCALIGN_" + name.removeprefix("--").replace("-", "_").upper(),
        show_envvar=True,
        expose_value=False,
        callback=_remember(limit),
        help=help,
    )


def input_limit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared --max-input-size, --max-sheet-rows and --max-sheet-cells (each also read from
    an environment variable): the bounds of :mod:`bscalign.loaders.limits` that can be raised."""
    at_least_one = click.IntRange(min=1)
    for option in (
        _limit_option(
            "--max-sheet-cells",
            "max_sheet_cells",
            at_least_one,
            limits.MAX_SHEET_CELLS,
            "Refuse a workbook sheet with more cells (or shared strings) than this.",
        ),
        _limit_option(
            "--max-sheet-rows",
            "max_sheet_rows",
            at_least_one,
            limits.MAX_SHEET_ROWS,
            "Refuse a workbook sheet with more rows than this.",
        ),
        _limit_option(
            "--max-input-size",
            "max_input_bytes",
            ByteSize(),
            f"{limits.MAX_INPUT_BYTES // 1024**2}M",
            "Refuse an input file (or an XLSX unpacked) larger than this.",
        ),
    ):
        command = option(command)
    return command


def inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared input arguments: FILE... (files or folders), --input-format and the input
    limits (:func:`input_limit_options`)."""

    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @input_format_option
    @input_limit_options
    @functools.wraps(command)
    def wrapper(files: tuple[Path, ...], input_format: str | None, **kwargs: Any) -> Any:
        return command(load(files, input_format), **kwargs)

    return wrapper


def output_format(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Shared --format option limited to ``choices`` (the first is the default); by default
    every registered output format (:data:`bscalign.output.FORMATS`)."""
    choices = choices or FORMATS
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def output_file_option(description: str, **more: Any) -> Callable[[Callable[..., Any]], Any]:
    """Shared required ``-o/--output FILE`` option of the commands that write one file;
    ``more`` are further :func:`click.option` settings (a ``callback`` checking it)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        required=True,
        help=description,
        **more,
    )


def emit(output: Output, fmt: str) -> None:
    """Print ``output`` on stdout with the renderer of ``fmt``, its notes on stderr."""
    shown = RENDERERS[fmt]
    click.echo(shown.render(output), nl=False)
    if shown.notes:
        for note in output.notes:
            click.echo(note, err=True)


#: Where :func:`load` keeps what it loaded in the click context's ``meta``.
LOADED = "bscalign.loaded"


def load(files: tuple[Path, ...], input_format: str | None) -> LoadResult:
    """Load inputs or exit 2 with a one-line error naming the file."""
    try:
        with progress_bar() as progress_to:
            bounds = click.get_current_context().meta.get("bscalign.limits", limits.DEFAULT)
            result = read_plans(files, input_format, progress_to, bounds=bounds)
    except (InputError, OSError) as err:
        click.echo(f"bscalign: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    for problem in result.problems:
        click.echo(f"bscalign: problem: {problem}", err=True)
    # kept with the run's context, for bscalign.cli.run to end the process without freeing it
    click.get_current_context().meta[LOADED] = result
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


def split_values(values: tuple[str, ...]) -> list[str]:
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


@dataclass(frozen=True)
class AuditChoices:
    """What the options shared by both audits chose (:func:`audit_options`)."""

    fmt: str
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    min_severity: str
    fail_on: str
    lang: str

    def rules(self) -> list[Rule]:
        """The rules --select and --ignore leave, in registry order."""
        return select_rules(split_values(self.select), split_values(self.ignore))


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Shared options of both audits: --format, --select, --ignore, --min-severity, --fail-on,
    --lang; the command gets them as one :class:`AuditChoices`, ``choices``."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        fmt: str,
        select: tuple[str, ...],
        ignore: tuple[str, ...],
        min_severity: str,
        fail_on: str,
        lang: str,
        **kwargs: Any,
    ) -> Any:
        chosen = AuditChoices(fmt, select, ignore, min_severity, fail_on, lang)
        return command(*args, choices=chosen, **kwargs)

    for option in reversed(
        (
            output_format(),
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
        wrapper = option(wrapper)
    return wrapper
