"""The ``zonegen`` console script (``zonegen.cli:run``) ends with ``os._exit``: its exit codes
and output must be those of the click command it wraps."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def _script(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from zonegen.cli import run; run()", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_success_prints_everything_and_exits_0(tmp_path: Path) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    result = _script("build", "--out", tmp_path / "zones", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("2 files written, 0 unchanged\n")
    assert (tmp_path / "zones" / "example.org.yaml").is_file()
    again = _script("build", "--check", "--out", tmp_path / "zones", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "all 2 files are current\n")


def test_stale_zones_exit_1_and_bad_input_exits_2(tmp_path: Path) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    stale = _script("build", "--check", "--out", tmp_path / "zones", cwd=tmp_path)
    assert stale.returncode == 1
    assert "would be created" in stale.stdout
    missing = _script("build", "--site", tmp_path / "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.startswith("zonegen: error: ")
    assert "Traceback" not in missing.stderr


def test_usage_errors_and_help(tmp_path: Path) -> None:
    usage = _script("build", "--no-such-option", cwd=tmp_path)
    assert usage.returncode == 2
    assert "No such option" in usage.stderr
    helped = _script("--help", cwd=tmp_path)
    assert helped.returncode == 0
    assert "zonegen build" in helped.stdout
