"""Reading input files with errors a user can act on, and showing paths short."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError


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


def read_text(path: Path, *, what: str, hint: str | None = None) -> str:
    """The UTF-8 text of ``path``; a missing, unreadable or binary file is an InputError."""
    shown = show(path)
    try:
        data = path.read_bytes()
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
