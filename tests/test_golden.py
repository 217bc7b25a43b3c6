"""Golden cases: tests/cases/<case>/site.yaml builds exactly tests/cases/<case>/expected/.

A difference fails with a unified diff. To accept a change on purpose, rebuild the expected
files with ``ZONEGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review them in git.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from conftest import CASES, run

UPDATE = os.environ.get("ZONEGEN_UPDATE_GOLDEN") == "1"


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden(case: str, tmp_path: Path) -> None:
    out = tmp_path / "zones"
    result = run("build", "--site", CASES / case / "site.yaml", "--out", out)
    assert result.exit_code == 0, result.stderr
    expected_dir = CASES / case / "expected"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)
    got, want = tree(out), tree(expected_dir)
    assert sorted(got) == sorted(want), "a different set of files was built"
    diffs = [
        "".join(
            difflib.unified_diff(
                want[name].splitlines(True),
                got[name].splitlines(True),
                f"expected/{name}",
                f"built/{name}",
            )
        )
        for name in sorted(want)
        if got[name] != want[name]
    ]
    assert not diffs, "\n" + "\n".join(diffs)
