"""Progress of a long load, reported by the loaders to whoever listens (the CLI's bar).

Loaders call :func:`report` with the fraction of the current file they have read; they do
not know whether anyone listens. :func:`listening` installs a listener for the duration of
a block, so the library prints nothing and stays usable from threads and notebooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[float], None]

_listener: ContextVar[Listener | None] = ContextVar("bscalign_progress", default=None)


def report(fraction: float) -> None:
    """Tell the listener, if any, that ``fraction`` (0 to 1) of the current file is read.

    Examples
    --------
    >>> seen = []
    >>> with listening(seen.append):
    ...     report(0.5)
    >>> report(1.0)  # nobody listens: nothing happens
    >>> seen
    [0.5]
    """
    listener = _listener.get()
    if listener is not None:
        listener(min(max(fraction, 0.0), 1.0))


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send every :func:`report` made inside the block to ``listener`` (None: to nobody)."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
