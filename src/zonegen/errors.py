"""zonegen's one error type for bad input.

Everything a user can get wrong (a missing file, a truncated Mox log, a wrong key in the
site file) becomes an :class:`InputError` that names the file, the line and what to do.
The CLI turns it into one line on stderr and exit code 2; nothing else is ever printed.
"""

from __future__ import annotations

from .text import visible


class ZonegenError(Exception):
    """Base class of every error zonegen raises on purpose."""


class InputError(ZonegenError):
    """Bad input: one message with the file, the line and the fix."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        # One line whatever the input held: a path or value echoed here may carry a line
        # break or a terminal escape (text.visible).
        return visible(text)
