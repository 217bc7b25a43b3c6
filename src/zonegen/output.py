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

from .errors import InputError, ZonegenError
from .sources.files import show


@dataclass(frozen=True, slots=True)
class FileChange:
    path: Path
    status: str  # "created", "changed" or "unchanged"
    tmp: Path | None = None  # where its new text is staged, until commit() renames it


def read_existing(path: Path) -> str | None:
    """The current text of an output file, or None when there is none."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read the existing output file: {e}", path=show(path)) from None


def status(old: str | None, new: str) -> str:
    return "created" if old is None else "unchanged" if old == new else "changed"


def plan(files: dict[Path, str]) -> list[FileChange]:
    """Compare the wanted contents with what is on disk."""
    return [
        FileChange(path, status(read_existing(path), text)) for path, text in sorted(files.items())
    ]


def staging_path(target: Path, token: str) -> Path:
    """The temporary name a new text of ``target`` is written under: hidden, in the same
    folder (a rename within one file system is atomic), and known from ``token`` alone so
    whoever started a build can remove what its workers staged."""
    return target.parent / f".{target.name}.{token}.tmp"


def stage(path: Path, text: str, old: str | None, token: str | None) -> FileChange:
    """``text`` against ``old`` (the current text); when they differ and a ``token`` is
    given, ``text`` is written under its staging name, not yet flushed nor renamed:
    :func:`commit` or :func:`discard` follows. Without a token nothing is written."""
    change = status(old, text)
    if change == "unchanged" or token is None:
        return FileChange(path, change)
    return FileChange(path, change, _stage_text(path, text, token))


def _stage_text(path: Path, text: str, token: str) -> Path:
    tmp = staging_path(path, token)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileNotFoundError:  # the first file of its folder
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, flags, 0o644)
        try:
            data = memoryview(text.encode("utf-8"))
            while data:  # a write may be short (a signal, a full disk): finish it
                data = data[os.write(fd, data) :]
        finally:
            os.close(fd)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _write_error(e) from None
    return tmp


def commit(changes: list[FileChange]) -> None:
    """Put every staged file in place: one ``sync`` puts all of them on disk before any is
    renamed, so a rename never lands before the data it points to, and a thousand zones
    cost one flush, not a thousand fsyncs. On an error nothing more is renamed and what is
    still staged is removed."""
    staged = [c for c in changes if c.tmp is not None]
    try:
        if staged:
            os.sync()
        for c in staged:
            assert c.tmp is not None
            c.tmp.replace(c.path)
    except OSError as e:
        discard(changes)
        raise _write_error(e) from None


def discard(changes: list[FileChange]) -> None:
    """Remove whatever is still staged (a build that failed or found errors)."""
    for c in changes:
        if c.tmp is not None:
            with contextlib.suppress(OSError):
                c.tmp.unlink()


def write(files: dict[Path, str], changes: list[FileChange]) -> None:
    """Write the changed files atomically; nothing is renamed unless every write worked."""
    token = str(os.getpid())
    staged: list[FileChange] = []
    try:
        for c in changes:
            if c.status != "unchanged":
                staged.append(
                    FileChange(c.path, c.status, _stage_text(c.path, files[c.path], token))
                )
    except ZonegenError:
        discard(staged)
        raise
    commit(staged)


def _write_error(e: OSError) -> InputError:
    where = show(Path(e.filename)) if e.filename else None
    return InputError(f"cannot write output: {e.strerror}", path=where)
