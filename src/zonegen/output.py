"""Writing the built files: all or nothing, atomically, and only what changed.

Every file is first written next to its target under a temporary name and flushed to disk;
only when all of them are on disk are they renamed into place (rename is atomic on POSIX),
so a failed build never leaves a half-written zone and unchanged files keep their mtime.
"""

from __future__ import annotations

import contextlib
import os
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

    Each file is written under a temporary name in its own folder, then one ``sync`` puts
    all of them on disk before any is renamed into place: the rename never lands before the
    data it points to, and a thousand zones cost one flush, not a thousand fsyncs.
    """
    staged: list[tuple[Path, Path]] = []
    targets = [c.path for c in changes if c.status != "unchanged"]
    suffix = f".{os.getpid()}.tmp"
    try:
        for folder in {t.parent for t in targets}:
            folder.mkdir(parents=True, exist_ok=True)
        for target in targets:
            tmp = target.parent / f".{target.name}{suffix}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            staged.append((tmp, target))
            try:
                data = memoryview(files[target].encode("utf-8"))
                while data:  # a write may be short (a signal, a full disk): finish it
                    data = data[os.write(fd, data) :]
            finally:
                os.close(fd)
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
