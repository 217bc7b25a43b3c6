"""Domain names as zonegen keeps them: absolute, lowercase A-labels with the trailing dot.

Mox prints A-labels in records but Unicode in mox.conf, domains.conf and key file names,
and site files may use either (Mox's ``dns.Domain`` keeps both forms for this reason).
Everything is turned into one form here, once, so comparisons elsewhere are plain string
comparisons.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from .errors import InputError
from .text import cut

if TYPE_CHECKING:
    import dns.name

# dnspython is imported by the names the plain-ASCII fast paths below do not take: importing
# it costs a build that answers from its cache a fifth of its time (dns.name pulls in
# importlib.metadata), and such a build reads only names of plain labels.


def codec() -> dns.name.IDNACodec:
    """RFC 5891 (IDNA 2008) with UTS #46 mapping, as Mox does through golang.org/x/net/idna."""
    import dns.name

    return dns.name.IDNA_2008_Practical


# 1 to 63 plain characters, no hyphen first or last. Possessive: a label is the whole run
# of its characters (none of them a dot), so the pattern never backtracks into it (a
# third of the cost of the backtracking form, which tests/test_mox_reader_fast.py holds it to).
_LABEL = r"(?!-)[A-Za-z0-9_-]{1,63}+(?<!-)"
_PLAIN = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}\.?\Z")
# A name already as :func:`absolute` writes it: lowercase plain labels, the trailing dot.
_CANONICAL = re.compile(r"(?:(?!-)[a-z0-9_-]{1,63}+(?<!-)\.)++\Z")


def canonical(text: str) -> str:
    """:func:`absolute`, answering a name already in its form (every owner name Mox prints)
    with itself, before the cache: Mox's reader asks for 16 new names per domain, and the
    cache's bookkeeping of a new name costs more than this test."""
    if len(text) <= 253 and _CANONICAL.match(text):
        return text
    return absolute(text)


@functools.lru_cache(maxsize=65536)
def absolute(text: str) -> str:
    """``text`` (Unicode or A-labels, with or without the trailing dot) as an absolute A-label name.

    Raises ValueError when the text is not a valid domain name.
    """
    raw = text.strip()
    if len(raw) <= 253 and _PLAIN.match(raw):
        # Plain ASCII labels of 1 to 63 characters: dnspython would give back the same text
        # (lowercased, with the dot), so skip building a Name (the common case, by far).
        lowered = raw.lower()
        return lowered if lowered.endswith(".") else lowered + "."
    if not raw or raw in {".", "@"}:
        if raw == ".":
            return "."
        raise ValueError("empty domain name")
    if " " in raw or "\t" in raw:
        raise ValueError(f"{cut(raw)!r} contains whitespace")
    if not raw.isprintable():  # dnspython would take a NUL or a newline as label bytes
        raise ValueError(f"{cut(raw)!r} contains a control character")
    import dns.exception
    import dns.name
    import idna

    try:
        if raw.isascii():
            name = dns.name.from_text(raw, origin=dns.name.root)
        else:
            name = dns.name.from_unicode(raw, origin=dns.name.root, idna_codec=codec())
    except (dns.exception.DNSException, idna.IDNAError, UnicodeError) as e:
        raise ValueError(f"{cut(raw)!r} is not a valid domain name: {e}") from e
    return name.to_text().lower()


def absolute_or_error(text: str, *, path: str | None, line: int | None, what: str) -> str:
    """:func:`absolute`, reporting a bad name as an :class:`InputError` at ``path:line``."""
    try:
        return absolute(text)
    except ValueError as e:
        raise InputError(f"{what}: {e}", path=path, line=line) from None


@functools.lru_cache(maxsize=65536)
def unicode(name: str) -> str:
    """The Unicode form of an absolute A-label name, for messages and octoDNS file names."""
    if "xn--" not in name.lower() and _PLAIN.match(name):
        return name  # plain ASCII labels, none of them an A-label: the same text
    import dns.name

    return dns.name.from_text(name).to_unicode(idna_codec=codec())


def in_zone(name: str, zone: str) -> bool:
    """True when ``name`` is ``zone`` or below it (both absolute A-label names)."""
    return name == zone or zone == "." or name.endswith("." + zone)


def relative(name: str, zone: str) -> str:
    """``name`` relative to ``zone`` as octoDNS writes it: '' for the apex."""
    if name == zone:
        return ""
    return name[: -len(zone) - 1]
