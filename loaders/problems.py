"""What a load can go wrong with: problems that let loading go on, and errors that stop it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A piece of input that could not be placed; loading went on without it.

    ``line`` is a line number for text inputs, or a row number for spreadsheets (with the
    sheet in ``file`` as ``book.xlsx[Sheet]``).
    """

    file: str
    line: int
    message: str
    plan: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InputError(Exception):
    """Input that cannot be read at all (not a plan, bad encoding, broken YAML).

    The message always names the file and, where known, the line.
    """

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.message = message
        self.line = line
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, int | None]]:
        # pickled whole (not as its formatted text) to come back from a worker process
        return InputError, (self.file, self.message, self.line)
