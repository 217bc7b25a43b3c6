"""What DKIM, DMARC, MTA-STS and TLS-RPT records share: ``tag=value`` lists split on ``;``
(RFC 6376 3.2, which RFC 7489 6.3 and RFC 9989 4.7 adopt), URIs (RFC 3986), and the
:class:`Issue` each parser reports."""

from __future__ import annotations

import re
from typing import NamedTuple

ERROR = "error"
WARNING = "warning"


# The values the mail libraries return are NamedTuples: one is made per tag and per issue of
# every record read, and a NamedTuple is made (and its class created at import) several times
# faster than a frozen dataclass, with the same fields, equality, hash and repr.


class Issue(NamedTuple):
    """One thing wrong with a record: ``code`` says which rule it belongs to."""

    code: str
    severity: str  # ERROR or WARNING
    message: str


class Tag(NamedTuple):
    name: str  # as written (DKIM tag names are case-sensitive, DMARC's are not)
    value: str  # surrounding whitespace removed
    position: int  # 0-based among the tags


WSP = " \t"
_AROUND = WSP + "\r\n"  # what may surround a tag (RFC 6376 3.2 [FWS])
# RFC 6376 2.2 VALCHAR and RFC 9989 dmarc-value: printable ASCII but ';' (and space inside).
_VALUE = re.compile(r"[\x20-\x3a\x3c-\x7e\t]*\Z")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")  # RFC 6376 3.2 tag-name
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")  # RFC 3986 2.1


def split(text: str) -> tuple[list[Tag], list[str]]:
    """The tags of a ``;``-separated list and what is wrong with its shape: a part that is
    not ``name=value``, an empty part (``;;``), a value with characters outside printable
    ASCII. A single ``;`` at the end is allowed (RFC 6376 3.2 ``[";"]``)."""
    tags: list[Tag] = []
    problems: list[str] = []
    parts = text.split(";")
    if parts and not parts[-1].strip(_AROUND):
        parts.pop()  # the optional final ';'
    for part in parts:
        raw = part.strip(_AROUND)
        if not raw:
            problems.append("an empty tag between two ';'")
            continue
        name, eq, value = raw.partition("=")
        name = name.rstrip(WSP)
        value = value.strip(WSP)
        if not eq:
            problems.append(f"{_cut(raw)!r} is not tag=value")
            continue
        if not _NAME.match(name):
            problems.append(
                f"{_cut(name)!r} is not a tag name (a letter, then letters, digits, '_')"
            )
            continue
        if not _VALUE.match(value):
            problems.append(f"{name}= holds characters other than printable ASCII")
        tags.append(Tag(name, value, len(tags)))
    return tags, problems


_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+\Z")
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.?\Z"
)


def uri_problem(uri: str) -> str | None:
    """Why ``uri`` is not an RFC 3986 URI (scheme, allowed characters, %-escapes), or None."""
    if not _URI.match(uri):
        return f"{_cut(uri)!r} is not a URI (scheme:..., RFC 3986)"
    if _BAD_ESCAPE.search(uri):
        return f"{_cut(uri)!r} has a '%' that is not a %XX escape (RFC 3986 2.1)"
    return None


def mailto_problem(uri: str) -> str | None:
    """Why a ``mailto:`` URI does not name one address ``local@domain`` (RFC 6068), or None."""
    address = uri[len("mailto:") :].split("?", 1)[0]
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return f"{_cut(uri)!r} is not mailto:local@domain"
    if not host_ok(domain):
        return f"{_cut(domain)!r} is not a host name"
    return None


def host_ok(name: str) -> bool:
    """A host name of letters, digits and hyphens with a dot and a top label that is not all
    digits (RFC 1123 2.1, RFC 3696 2)."""
    return len(name) <= 254 and _HOST.match(name) is not None


def _cut(text: str) -> str:
    return text if len(text) <= 50 else text[:47] + "..."
