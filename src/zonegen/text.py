"""Small text helpers shared by the readers, the checks and what prints to a person."""

from __future__ import annotations

import unicodedata

# Cc: controls (C0, C1, DEL); Cf: format (bidi overrides and isolates, zero-width
# characters); Cs: lone surrogates (from JSON ``\\ud800``); Zl/Zp: line/paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def visible(text: object) -> str:
    """``text`` with every control, format and surrogate character escaped (``\\x0a``,
    ``\\u202e``): a value echoed in a message (a file name, a record type from the site
    file, a TXT from a server) can hold a line break that forges a line, a terminal escape,
    or a right-to-left override; what a person reads is then what the input holds, on one
    line."""
    s = text if isinstance(text, str) else str(text)
    if s.isprintable():  # False for every category above (and for other spaces): cheap
        return s
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in s)


def _escape(c: str) -> str:
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def cut(text: str, limit: int = 60) -> str:
    """``text`` for a message: at most ``limit`` characters, the rest replaced by '...'.
    A value echoed back must not turn one line of output into pages."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def digits(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits: what ``int()`` takes as a plain
    number. ``str.isdigit`` also accepts '²' and other digits ``int()`` refuses."""
    return text.isascii() and text.isdigit()
