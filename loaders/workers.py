"""Run the pure part of loading in worker processes and hand the results back in order.

Files parse independently. A format that splits its parsing into a pure ``prepare`` stage
(text in, plain picklable data out) and a ``build`` stage (that data into the graph) has
the first run here, in worker processes, while the main process builds the graph from what
they hand back, file after file in the order of a sequential load: the graph and the
problems are the same whatever the number of workers.

Workers are forked (Linux): they start in milliseconds with every module already imported.
Where fork is unavailable, with one worker, or with too little to prepare to repay the
processes, everything runs in the calling process instead.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Environment variable naming the number of worker processes (1: load in this process).
WORKERS_VARIABLE = "BSCALIGN_WORKERS"
#: Below this many bytes to prepare, starting workers costs more than it saves.
PARALLEL_BYTES = 512 * 1024
#: About this many bytes of input go to a worker at once: fewer, larger messages.
BATCH_BYTES = 256 * 1024
#: Batches handed out ahead of the one the main process waits for, per worker: enough to
#: keep every worker busy, few enough that prepared data does not pile up in memory.
AHEAD = 2


def available_cpus() -> int:
    """The number of CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(workers: int | None = None) -> int:
    """The number of worker processes to load with.

    ``workers`` if given, else the environment variable ``BSCALIGN_WORKERS``, else the CPUs
    available; at least 1 (1: no worker process, everything in this one).

    >>> worker_count(3), worker_count(0)
    (3, 1)
    """
    if workers is None:
        value = os.environ.get(WORKERS_VARIABLE, "").strip()
        if not value:
            return available_cpus()
        try:
            workers = int(value)
        except ValueError:
            raise ValueError(f"{WORKERS_VARIABLE} must be a whole number, not {value!r}") from None
    return max(workers, 1)


def worth_starting(sizes: Sequence[int], workers: int) -> bool:
    """Whether preparing items of these ``sizes`` (bytes) in ``workers`` processes repays
    starting them: several workers and items, enough bytes, and processes that fork.

    >>> worth_starting([400_000, 400_000], 2), worth_starting([400_000, 400_000], 1)
    (True, False)
    """
    return (
        workers >= 2
        and len(sizes) >= 2
        and sum(sizes) >= PARALLEL_BYTES
        and "fork" in multiprocessing.get_all_start_methods()
    )


def mapped_in_order(
    prepare: Callable[[list[Item]], list[Result]],
    items: Sequence[Item],
    sizes: Sequence[int],
    workers: int,
) -> Iterator[Result]:
    """Yield what ``prepare`` makes of each item, in the items' order.

    ``prepare`` takes a batch of items and returns one result per item; it runs in up to
    ``workers`` forked processes, so it must be picklable (a module-level function, or a
    :func:`functools.partial` of one) and so must the items and results. ``sizes`` (bytes
    per item) batch the items and tell whether workers are worth starting.

    Close the generator (``contextlib.closing``) to stop the workers early.

    >>> list(mapped_in_order(lambda batch: [x * 2 for x in batch], [1, 2, 3], [1, 1, 1], 2))
    [2, 4, 6]
    """
    if not worth_starting(sizes, workers):
        for item in items:
            yield from prepare([item])
        return
    batches = _batches(items, sizes)
    # frozen, the objects a worker inherits are never walked by its collector, so their
    # memory stays shared with this process instead of being copied page by page
    gc.freeze()
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(batches)), mp_context=multiprocessing.get_context("fork")
    )
    try:
        waiting = iter(batches)
        running: deque[Future[list[Result]]] = deque(
            pool.submit(prepare, batch) for batch in islice(waiting, workers * AHEAD)
        )
        while running:
            done = running.popleft().result()
            for batch in islice(waiting, 1):
                running.append(pool.submit(prepare, batch))
            yield from done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _batches(items: Sequence[Item], sizes: Sequence[int]) -> list[list[Item]]:
    """Consecutive items in batches of about :data:`BATCH_BYTES` (one item at least)."""
    batches: list[list[Item]] = [[]]
    size = 0
    for item, item_size in zip(items, sizes, strict=True):
        if batches[-1] and size + item_size > BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += item_size
    return batches
