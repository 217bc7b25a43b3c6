"""Small text tests shared by the readers and the checks."""

from __future__ import annotations


def digits(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits: what ``int()`` takes as a plain
    number. ``str.isdigit`` also accepts '²' and other digits ``int()`` refuses."""
    return text.isascii() and text.isdigit()
