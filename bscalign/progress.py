"""Progress of long work, shown on a terminal: one self-updating line on stderr.

Shown only when the stream is a terminal (never in pipes, logs or CI) and not asked to be
quiet, so callers can use it unconditionally.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

#: Redraw at most this often (seconds): a progress line must not cost time itself.
REDRAW_INTERVAL = 0.1


class Progress:
    """A counter of done items out of ``total``, redrawn in place on ``stream``.

    Examples
    --------
    >>> import io
    >>> with Progress("loading", 3, stream=io.StringIO()) as progress:
    ...     progress.advance(3)
    >>> progress.done
    3
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.shown = not quiet and self.stream.isatty()
        self._started = time.monotonic()
        self._drawn = 0.0

    def advance(self, count: int = 1, *, note: str = "") -> None:
        """Count ``count`` more items done; redraw if the last redraw is old enough."""
        self.done += count
        now = time.monotonic()
        if self.shown and now - self._drawn >= REDRAW_INTERVAL:
            self._drawn = now
            self._draw(now, note)

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self.shown:
            self._draw(time.monotonic(), "")
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, now: float, note: str) -> None:
        elapsed = now - self._started
        of = f"/{self.total}" if self.total is not None else ""
        percent = f" {100 * self.done / self.total:3.0f}%" if self.total else ""
        line = f"{self.label}: {self.done}{of}{percent} {elapsed:5.1f}s {note}".rstrip()
        self.stream.write(f"\r{line}\x1b[K")
        self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
