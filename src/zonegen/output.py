"""The one writer: files are replaced all or nothing, atomically, and only when they change.

Every new text is first written next to its target under a hidden staging name that carries
the writing process's id (``.<name>.<pid>.tmp``); only when all of them are written are they
flushed to disk (one ``sync``) and renamed into place (rename is atomic on POSIX). So a failed
build never leaves a half-written file, unchanged files keep their mtime, and what a build
that was killed (``kill -9``) had staged is recognised by its dead pid and swept by the next
build (:func:`sweep`). The existing output files are read here too: they are outputs, not
inputs.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import takewhile
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


def digest(path: Path) -> str | None:
    """The SHA-256 of an output file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def status(old: str | None, new: str) -> str:
    return "created" if old is None else "unchanged" if old == new else "changed"


def plan(files: dict[Path, str]) -> list[FileChange]:
    """Compare the wanted contents with what is on disk."""
    return [
        FileChange(path, status(read_existing(path), text)) for path, text in sorted(files.items())
    ]


def token() -> str:
    """The staging token of this process: its pid, which tells a later build whether the
    process that staged a file is still running."""
    return str(os.getpid())


def staging_path(target: Path, token: str) -> Path:
    """The temporary name a new text of ``target`` is written under: hidden, in the same
    folder (a rename within one file system is atomic), and known from ``token`` alone so
    whoever started a build can remove what its workers staged."""
    return target.parent / f".{target.name}.{token}.tmp"


_STAGED = re.compile(r"\..+\.(\d+)\.tmp")


def stage(path: Path, text: str, old: str | None, token: str | None) -> FileChange:
    """``text`` against ``old`` (the current text); when they differ and a ``token`` is
    given, ``text`` is written under its staging name, not yet flushed nor renamed:
    :func:`commit` or :func:`discard` follows. Without a token nothing is written."""
    change = status(old, text)
    if change == "unchanged" or token is None:
        return FileChange(path, change)
    return FileChange(path, change, _stage_text(path, text, token))


def _stage_text(path: Path, text: str, token: str, *, like: Path | None = None) -> Path:
    tmp = staging_path(path, token)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileNotFoundError:  # the first file of its folder
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, flags, 0o644)
        try:
            with contextlib.suppress(FileNotFoundError):
                # A replaced file keeps its permissions (mox.conf, a site file kept private).
                os.fchmod(fd, (like or path).stat().st_mode & 0o7777)
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


def commit(changes: Iterable[FileChange]) -> None:
    """Put every staged file in place: one ``sync`` puts all of them on disk before any is
    renamed, so a rename never lands before the data it points to, and a thousand zones
    cost one flush, not a thousand fsyncs. On an error nothing more is renamed and what is
    still staged is removed."""
    changes = list(changes)
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


def discard(changes: Iterable[FileChange]) -> None:
    """Remove whatever is still staged (a build that failed or found errors)."""
    for c in changes:
        if c.tmp is not None:
            with contextlib.suppress(OSError):
                c.tmp.unlink()


def unstage(targets: Iterable[Path], token: str, new_folders: Iterable[Path] = ()) -> None:
    """Remove what was staged for ``targets`` under ``token`` (the names follow from the
    token alone, so this finds what workers staged before one of them failed), and the
    folders the staging made (``new_folders``, deepest first)."""
    for target in targets:
        with contextlib.suppress(OSError):
            staging_path(target, token).unlink()
    for folder in new_folders:  # rmdir only removes an empty one
        with contextlib.suppress(OSError):
            folder.rmdir()


def missing_folders(folder: Path) -> list[Path]:
    """``folder`` and its parents that do not exist yet, deepest first: what a build that
    writes into ``folder`` makes, and removes again when it fails."""
    return list(takewhile(lambda d: not d.is_dir(), [folder, *folder.parents]))


def sweep(folders: Iterable[Path]) -> list[Path]:
    """Remove the files staged in ``folders`` by processes that are gone (a build killed
    before it could commit or clean up); a running build's files stay. Returns what went."""
    gone = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            m = _STAGED.fullmatch(entry.name)
            if m and not _running(int(m[1])) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    Path(entry.path).unlink()
                    gone.append(Path(entry.path))
    return gone


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OverflowError:
        return False
    try:  # a zombie (killed, not yet reaped) stages nothing any more
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def stale(out_dir: Path, known: Iterable[Path]) -> list[Path]:
    """Zone files in ``out_dir`` that the build did not make (a zone left the site file)."""
    if not out_dir.is_dir():
        return []
    wanted = set(known)
    return sorted(
        p for p in [*out_dir.glob("*.yaml"), *out_dir.glob("bind/*.zone")] if p not in wanted
    )


def write(files: dict[Path, str], changes: list[FileChange]) -> None:
    """Write the changed files atomically; nothing is renamed unless every write worked."""
    mine = token()
    staged: list[FileChange] = []
    try:
        for c in changes:
            if c.status != "unchanged":
                staged.append(
                    FileChange(c.path, c.status, _stage_text(c.path, files[c.path], mine))
                )
    except ZonegenError:
        discard(staged)
        raise
    commit(staged)


def refuse_taken(paths: Iterable[Path]) -> None:
    """An InputError naming the first of ``paths`` that exists (anything at that name, a
    dangling symlink included), and how many more do."""
    taken = [p for p in sorted(paths) if os.path.lexists(p)]
    if taken:
        more = f" (and {len(taken) - 1} more)" if len(taken) > 1 else ""
        raise InputError(
            f"exists already{more}: zonegen init never replaces a file",
            path=show(taken[0]),
            hint="move it away, or start the repository in another folder",
        )


def create(files: dict[Path, str]) -> None:
    """Write new files, all or none, never replacing one (``zonegen init``).

    A file that exists already (or a name taken by anything, a dangling symlink included)
    is refused before anything is written. Every text is staged, flushed (one ``sync``),
    then hard-linked to its name, which fails rather than replace a file made meanwhile;
    on any failure the files linked so far, the staged ones and the folders made for them
    are removed again."""
    refuse_taken(files)
    folders = sorted(
        {d for p in files for d in missing_folders(p.parent)}, key=lambda d: len(d.parts)
    )
    mine = token()
    staged: list[FileChange] = []
    linked: list[Path] = []
    try:
        for path, text in sorted(files.items()):
            staged.append(FileChange(path, "created", _stage_text(path, text, mine)))
        os.sync()
        for c in staged:
            assert c.tmp is not None
            os.link(c.tmp, c.path)
            linked.append(c.path)
    except (OSError, ZonegenError) as e:
        for path in linked:
            with contextlib.suppress(OSError):
                path.unlink()
        discard(staged)
        for folder in reversed(folders):  # deepest first; rmdir only removes an empty one
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(e, FileExistsError):
            raise InputError(
                "was created while zonegen init wrote: nothing written",
                path=show(Path(e.filename2 or e.filename or "")),
            ) from None
        raise _write_error(e) if isinstance(e, OSError) else e from None
    discard(staged)


def backup(path: Path, text: str) -> Path:
    """Keep ``text`` (the content of ``path`` before an edit) next to it as
    ``<name>.<time>.bak``, with ``path``'s permissions."""
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    commit([FileChange(target, "created", _stage_text(target, text, token(), like=path))])
    return target


def _write_error(e: OSError) -> InputError:
    where = show(Path(e.filename)) if e.filename else None
    return InputError(f"cannot write output: {e.strerror}", path=where)
