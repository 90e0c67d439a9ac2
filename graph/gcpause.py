"""Keep Python's cyclic garbage collector off a large graph while it is built and read.

A loaded corpus is millions of small dicts and lists, none in a reference cycle. While they
accumulate, every full collection walks all of them again, so with the collector running,
loading a country's plans costs several times the work itself; and once they are built,
the first collection after it walks them all once more (seconds for a country). So the
collector is paused while the graph is built or audited, and what is alive at the end is
moved to the permanent generation (:func:`gc.freeze`), which collections never walk.
Reference counting still frees everything that is dropped; only a reference cycle alive at
that moment (the graph has none) is left to :func:`gc.unfreeze` to be collected again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle() -> None:
    """Collect the reference cycles made since the last freeze; freeze what is left alive.

    Inside :func:`paused_gc`, after each piece of work (a file loaded): a parser whose
    objects refer to each other would otherwise stay alive, with everything it read, until
    the end of the load and, frozen then, for good. Only the objects made since the last
    freeze are walked, so the whole load walks each object it keeps once.

    >>> with paused_gc():
    ...     loop = []
    ...     loop.append(loop)
    ...     del loop
    ...     settle()
    """
    gc.collect(0)
    gc.freeze()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the ``with`` block; freeze what it leaves alive.

    The collector is re-enabled after the block if it was on.

    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
