"""Text from the DNS (or from a file someone edited), made safe to show.

A TXT record can hold anything: terminal escape sequences, a right-to-left override that
makes ``moc.elpmaxe`` read as ``example.com``, a NUL, a line break that forges a report line,
a lone surrogate that cannot be encoded. Every such character is shown as an escape
(``\\u202e``), so what a person reads is what the server holds.
"""

from __future__ import annotations

import unicodedata

# Cc: controls (C0, C1, DEL); Cf: format (bidi overrides and isolates, zero-width
# characters); Cs: lone surrogates (from JSON ``\\ud800``); Zl/Zp: line/paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def visible(text: object) -> str:
    """``text`` with every control, format and surrogate character escaped."""
    s = text if isinstance(text, str) else str(text)
    if s.isprintable():  # False for every category below (and for other spaces): cheap
        return s
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in s)


def _escape(c: str) -> str:
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"
