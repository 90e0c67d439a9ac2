"""Pause Python's cyclic garbage collector while building or reading a large graph.

A loaded corpus is millions of small dicts and lists, none in a reference cycle. While they
accumulate, every full collection walks all of them again, so with the collector running,
loading a country's plans costs several times the work itself. Reference counting still
frees everything that is dropped; only cycles wait until the collector runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the ``with`` block (re-enabled after, if it was on).

    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
