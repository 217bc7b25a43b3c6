"""Writing the built files: all or nothing, atomically, and only what changed.

Every file is first written next to its target under a temporary name and flushed to disk;
only when all of them are on disk are they renamed into place (rename is atomic on POSIX),
so a failed build never leaves a half-written zone and unchanged files keep their mtime.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .sources.files import show


@dataclass(frozen=True, slots=True)
class FileChange:
    path: Path
    status: str  # "created", "changed" or "unchanged"


def read_existing(path: Path) -> str | None:
    """The current text of an output file, or None when there is none."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read the existing output file: {e}", path=show(path)) from None


def plan(files: dict[Path, str]) -> list[FileChange]:
    """Compare the wanted contents with what is on disk."""
    changes = []
    for path, text in sorted(files.items()):
        old = read_existing(path)
        status = "created" if old is None else "unchanged" if old == text else "changed"
        changes.append(FileChange(path, status))
    return changes


def write(files: dict[Path, str], changes: list[FileChange]) -> None:
    """Write the changed files atomically; nothing is renamed unless every write worked.

    Each file is written under a temporary name in its own folder (in parallel), then one
    ``sync`` puts all of them on disk before any is renamed into place: the rename never
    lands before the data it points to, and a thousand zones cost one flush, not a thousand
    fsyncs.
    """
    targets = [c.path for c in changes if c.status != "unchanged"]
    staged: list[tuple[Path, Path]] = []
    try:
        for target in {t.parent for t in targets}:
            target.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [(pool.submit(_stage, t, files[t]), t) for t in targets]
        failed: OSError | None = None
        for future, target in futures:  # every staged file is known, even after a failure
            try:
                staged.append((future.result(), target))
            except OSError as e:
                failed = failed or e
        if failed:
            raise failed
        if staged:
            os.sync()
        for tmp, target in staged:
            tmp.replace(target)
        staged.clear()
    except OSError as e:
        where = show(Path(e.filename)) if e.filename else None
        raise InputError(f"cannot write output: {e.strerror}", path=where) from None
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _stage(target: Path, text: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        tmp.chmod(0o644)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp
