"""Small text tests shared by the readers and the checks."""

from __future__ import annotations


def cut(text: str, limit: int = 60) -> str:
    """``text`` for a message: at most ``limit`` characters, the rest replaced by '...'.
    A value echoed back must not turn one line of output into pages."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def digits(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits: what ``int()`` takes as a plain
    number. ``str.isdigit`` also accepts '²' and other digits ``int()`` refuses."""
    return text.isascii() and text.isdigit()
