"""The one pool helper: the same answers as a plain loop, and workers that die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from zonegen import parallel


def _square(x: int) -> int:
    return x * x


def _pid(_: int) -> int:
    return os.getpid()


def test_parallel_and_serial_give_the_same_list() -> None:
    items = list(range(500))
    with parallel.fork_map(_square, items, parallel_from=10**9) as serial:
        expected = serial.get()
    with parallel.fork_map(_square, items, parallel_from=1) as forked:
        got = forked.get()
    assert got == expected == [x * x for x in items]


@pytest.mark.skipif(parallel.cpus() < 2, reason="needs two CPUs")
def test_above_the_threshold_the_work_runs_in_other_processes() -> None:
    with parallel.fork_map(_pid, list(range(64)), parallel_from=1) as pending:
        pids = set(pending.get())
    assert os.getpid() not in pids
    with parallel.fork_map(_pid, list(range(64)), parallel_from=65) as pending:
        assert set(pending.get()) == {os.getpid()}


def test_an_exception_in_a_worker_reaches_the_caller() -> None:
    def boom(x: int) -> int:
        if x == 37:
            raise ValueError("item 37")
        return x

    with (
        pytest.raises(ValueError, match="item 37"),
        parallel.fork_map(boom, list(range(100)), parallel_from=1) as pending,
    ):
        pending.get()


def test_leaving_without_asking_stops_the_workers() -> None:
    with parallel.fork_map(_square, list(range(100)), parallel_from=1):
        pass
    with parallel.fork_map(_square, [1, 2, 3], parallel_from=1) as again:
        assert again.get() == [1, 4, 9]


@pytest.mark.skipif(parallel.cpus() < 2, reason="needs two CPUs")
def test_workers_die_when_the_parent_is_killed(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = textwrap.dedent(
        f"""
        import os, time
        from zonegen import parallel
        def work(_):
            with open({str(pids)!r}, "a") as f:
                f.write(f"{{os.getpid()}}\\n")
            time.sleep(60)
        with parallel.fork_map(work, list(range(64)), parallel_from=1) as p:
            p.get()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if pids.exists() and len(pids.read_text().split()) >= 2:
                break
            time.sleep(0.05)
        workers = {int(p) for p in pids.read_text().split()}
        assert len(workers) >= 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    alive = set(workers)
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if _alive(pid)}
        time.sleep(0.05)
    for pid in alive:  # a failing run must not leave them behind
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"workers outlived their parent: {alive}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by init) is dead for our purpose.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 1000, 4099])
@pytest.mark.parametrize("workers", [2, 3, 8])
def test_chunks_cover_every_item_once_and_shrink_to_single_items(n: int, workers: int) -> None:
    from zonegen.parallel import _chunks

    chunks = _chunks(n, workers)
    assert [i for start, end in chunks for i in range(start, end)] == list(range(n))
    sizes = [end - start for start, end in chunks]
    assert all(size >= 1 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)  # large first, small last
    assert sizes[-1] == 1  # the last chunks are one item: the workers end together
    assert sizes[0] <= -(-n // (2 * workers))  # no chunk over a half share
    assert len(chunks) <= 2 * workers * (1 + max(n, 1).bit_length())  # few round trips
