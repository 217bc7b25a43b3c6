"""``kill -9`` a build of a thousand domains at random moments: no worker lives on, no visible
file is half-written, and the next build sweeps every hidden file the dead build staged."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run
from zonegen import parallel

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

_SERIAL = re.compile(r"^(@ \d+ IN SOA \S+ \S+ )\d+ ", re.MULTILINE)


def _texts(folder: Path) -> dict[str, str]:
    """Visible zone files, the BIND serial blanked (it counts commits, not content)."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            out[str(path.relative_to(folder))] = _SERIAL.sub(r"\1N ", path.read_text())
    return out


def _staged(folder: Path) -> list[Path]:
    return list(folder.rglob(".*.tmp"))


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(parallel.cpus() < 2, reason="the build forks workers only with two CPUs")
def test_kill_9_during_a_build_of_a_thousand_domains(tmp_path: Path) -> None:
    site = generate(1000, tmp_path / "n1000")
    text = site.read_text()
    other = site.with_name("other.yaml")  # every zone changes: the host moves
    other.write_text(text.replace("203.0.113.25", "203.0.113.26"))
    refs = {}
    for name, s in (("a", site), ("b", other)):
        result = run("build", "--site", s, "--out", tmp_path / name)
        assert result.exit_code == 0, result.stderr
        refs[name] = _texts(tmp_path / name)
    assert len(refs["a"]) == 2002 and all(refs["a"][k] != refs["b"][k] for k in refs["a"])
    out = tmp_path / "zones"
    shutil.copytree(tmp_path / "a", out)
    rng = random.Random(os.getpid())
    saw_workers = saw_staged = 0
    for attempt in range(4):
        target = other if attempt % 2 == 0 else site
        args = ["build", "--no-cache", "--site", str(target), "--out", str(out)]
        proc = subprocess.Popen(
            [sys.executable, "-c", "from zonegen.cli import run; run()", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        children: set[int] = set()
        try:
            if attempt == 0:
                time.sleep(rng.uniform(0.1, 0.6))  # while reading, before any worker
            else:  # once the workers render and stage, at a random moment
                deadline = time.monotonic() + 60
                while not _children(proc.pid) and proc.poll() is None:
                    assert time.monotonic() < deadline
                    time.sleep(0.01)
                time.sleep(rng.uniform(0.0, 0.4))
            children = _children(proc.pid)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        saw_workers += bool(children)
        deadline = time.monotonic() + 15
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [c for c in children if _alive(c)]
        for pid in survivors:  # a failing run must not leave them behind
            os.kill(pid, signal.SIGKILL)
        assert not survivors, f"workers outlived the build: {survivors}"
        saw_staged += bool(_staged(out))
        # Every visible file is whole: the old text or the new one, nothing between.
        for name, got in _texts(out).items():
            assert got in (refs["a"][name], refs["b"][name]), name
    assert saw_workers >= 2, "the kills never caught the workers at work"
    # The next build (from the cache when the outputs are as it remembers) sweeps the rest.
    result = run("build", "--site", site, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert _staged(out) == []
    assert _texts(out) == refs["a"]
    print(f"kills with workers running: {saw_workers}/4; with files staged: {saw_staged}/4")


def test_sweep_keeps_what_running_builds_staged(tmp_path: Path) -> None:
    from zonegen import output

    (tmp_path / "bind").mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        mine = tmp_path / f".a.yaml.{os.getpid()}.tmp"
        running = tmp_path / f".b.yaml.{sleeper.pid}.tmp"
        gone = tmp_path / "bind" / f".c.zone.{dead.pid}.tmp"
        huge = tmp_path / f".d.yaml.{10**30}.tmp"
        other = tmp_path / ".not-staged.tmp"
        for p in (mine, running, gone, huge, other):
            p.write_text("x")
        assert sorted(output.sweep([tmp_path, tmp_path / "bind", tmp_path / "nope"])) == sorted(
            [gone, huge]
        )
        assert mine.exists() and running.exists() and other.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
