"""Reading input files with errors a user can act on, and showing paths short."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import InputError

# Every input is text a person keeps in git: Mox's output and the site file are kilobytes, an
# imported zone a few megabytes. The bound keeps a wrong path (/dev/zero, a FIFO nobody
# writes, a disk image) from a read that never ends or takes all memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def show(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, for messages."""
    text = str(path)
    if not path.is_absolute():
        return text
    cwd = str(Path.cwd())
    if cwd != "/" and text.startswith(cwd + "/") and "/.." not in text:
        return text[len(cwd) + 1 :]  # what relpath gives for a plain path below cwd
    try:
        path.relative_to(cwd)  # below it only lexically ("/.." inside): relpath folds it
    except ValueError:
        return text
    return os.path.relpath(path, cwd)


def read_input(path: Path) -> bytes:
    """The bytes of the regular file at ``path`` (through symlinks), at most
    :data:`MAX_INPUT_BYTES`; else the OSError that says why (FileNotFoundError,
    IsADirectoryError, or one whose strerror is the reason)."""
    _regular(path.stat().st_mode, path)  # before open(): opening a FIFO blocks
    # os-level calls, not open(): a build reads a thousand small files, and the file object
    # and its buffer cost more than the reading. O_NONBLOCK: a FIFO put in the file's place
    # after the stat opens without waiting for a writer, and fstat refuses it.
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        status = os.fstat(fd)
        _regular(status.st_mode, path)
        size = status.st_size
        # Read by the file's size: a read of n bytes sets aside n bytes first, and 64 MiB for
        # each of a thousand small files cost more than reading them. One more byte shows a
        # file that grew meanwhile, which is read on within the same limit.
        want = min(size, MAX_INPUT_BYTES) + 1
        parts: list[bytes] = []
        got = 0
        while True:
            part = os.read(fd, want - got)
            if not part:
                break
            parts.append(part)
            got += len(part)
            if got == want:
                if want > MAX_INPUT_BYTES:
                    break
                want = MAX_INPUT_BYTES + 1
    finally:
        os.close(fd)
    if got > MAX_INPUT_BYTES:
        reason = f"larger than {MAX_INPUT_BYTES:,} bytes, too large for an input"
        raise OSError(errno.EFBIG, reason, str(path))
    return b"".join(parts)


def _regular(mode: int, path: Path) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file (a device, pipe or socket)", str(path))


def read_text(path: Path, *, what: str, hint: str | None = None) -> str:
    """The UTF-8 text of ``path``; a missing, unreadable or binary file is an InputError."""
    shown = show(path)
    try:
        data = read_input(path)
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=shown, hint=hint) from None
    except IsADirectoryError:
        raise InputError(f"{what} is a directory, not a file", path=shown, hint=hint) from None
    except OSError as e:
        raise InputError(f"cannot read {what}: {e.strerror}", path=shown) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(f"{what} is not UTF-8 text", path=shown, line=line) from None
