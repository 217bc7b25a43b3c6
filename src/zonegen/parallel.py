"""Parallel work in one place: forked workers that share the parent's memory.

``build`` renders zones and ``verify`` asks servers zone by zone; both hand a function and a
list to :func:`fork_map`, which runs it in forked workers only when the list is long enough
for that to pay (each caller measured its own threshold, see ``make bench``) and otherwise
in the calling process. Workers are forked, so they read the caller's data without pickling
it; only results travel back.

Workers die with their parent: each asks the kernel for SIGKILL when the parent goes
(Linux ``PR_SET_PDEATHSIG``), so a build killed with ``kill -9`` leaves no worker behind
that keeps writing.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 8
_PR_SET_PDEATHSIG = 1  # linux/prctl.h

# The task of the pool being run: set in the parent before the fork, read by the workers.
_task: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def cpus() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


class Pending(Generic[R]):
    """The results of a :func:`fork_map`, in the order of its items."""

    def __init__(self, get: Callable[[], list[R]]) -> None:
        self._get = get

    def get(self) -> list[R]:
        return self._get()


@contextlib.contextmanager
def fork_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    parallel_from: int,
    max_workers: int = MAX_WORKERS,
) -> Iterator[Pending[R]]:
    """``fn`` over ``items``, started on entry; ``.get()`` on what it yields waits for the
    results. The caller may do other work in between, or leave the block without asking:
    the workers are stopped either way.

    Serial (in this process, when ``.get()`` is called) below ``parallel_from`` items, with
    fewer than two CPUs, or where ``fork`` is not available.
    """
    global _task
    workers = min(cpus(), max_workers)
    n = len(items)
    if n < parallel_from or workers < 2 or not _can_fork():
        yield Pending(lambda: [fn(item) for item in items])
        return
    import multiprocessing as mp  # loaded by _can_fork

    if _task is not None:
        raise RuntimeError("fork_map does not nest")
    chunks = _chunks(n, workers)
    _task = (fn, items)
    # What exists now is shared with the workers page by page until written: frozen, the
    # workers' collector never walks it, so it stays shared (the gc.freeze documentation).
    gc.freeze()
    pool = mp.get_context("fork").Pool(
        workers, initializer=_worker_start, initargs=(os.getpid(), _prctl())
    )
    finished = False

    def results() -> list[R]:
        nonlocal finished
        out = [r for part in running.get() for r in part]
        finished = True
        return out

    try:
        # One chunk per task (map_async would otherwise batch the small last ones together).
        running = pool.map_async(_run_chunk, chunks, chunksize=1)
        yield Pending(results)
    finally:
        # Workers whose results are in end their loop as usual (so they finish what they
        # began, a coverage measurement for one); any other way out stops them at once.
        if finished:
            pool.close()
        else:
            pool.terminate()
        pool.join()
        _task = None
        gc.unfreeze()


def _can_fork() -> bool:
    # multiprocessing is imported only when there is enough work to fork for: a small build
    # never forks, and the module takes ~2 ms to load.
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def _chunks(n: int, workers: int) -> list[tuple[int, int]]:
    """``range(n)`` cut into chunks for ``workers`` that take the next one when done:
    each is the rest over twice the workers (guided self-scheduling, Polychronopoulos and
    Kuck 1987), so the chunks start large (few round trips) and end with single items, and
    the workers finish within one small item of each other. Equal chunks of an eighth left
    one worker idle for most of a chunk at the end (measured: 10 to 90 ms of 500 at 1,000
    zones)."""
    chunks = []
    start = 0
    while start < n:
        size = -(-(n - start) // (2 * workers))
        chunks.append((start, start + size))
        start += size
    return chunks


def _worker_start(parent: int, prctl: Callable[..., int] | None) -> None:
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    gc.enable()  # the parent may build with the collector off; a worker's garbage is its own


def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, looked up in the parent: the symbols of the running process hold
    libc's (``dlopen(NULL)``), where ``ctypes.util.find_library`` would run ``ldconfig -p``
    in a subprocess of every worker."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes  # here: a build below the forking size needs none of it

        return cast(Callable[..., int], ctypes.CDLL(None, use_errno=True).prctl)
    return None


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None
    fn, items = _task
    return [fn(items[i]) for i in range(*bounds)]
