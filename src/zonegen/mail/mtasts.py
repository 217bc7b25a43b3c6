"""MTA-STS (RFC 8461) and SMTP TLS reporting (RFC 8460): the ``_mta-sts`` and
``_smtp._tls`` TXT records, and the MTA-STS policy file.

Each parser returns the :class:`Issue` list of what the RFC's ABNF refuses. Senders treat a
record that fails it as absent (RFC 8461 3.1, RFC 8460 3): MTA-STS or TLS reporting is then
off for the domain, silently.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .taglist import ERROR, Issue, host_ok, mailto_problem, uri_problem

_SEP = re.compile(r"[ \t]*;[ \t]*")
_EXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.]{0,31}\Z")  # RFC 8461 3.1, RFC 8460 3
_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+\Z")
_STS_ID = re.compile(r"[A-Za-z0-9]{1,32}\Z")


def is_mta_sts(text: str) -> bool:
    return text.startswith("v=STSv1")  # RFC 8461 3.1: case-sensitive


def is_tlsrpt(text: str) -> bool:
    return text.startswith("v=TLSRPTv1")  # RFC 8460 3


# A TXT meant as one of these records that senders will not take as one, because it does not
# begin with the exact version (RFC 8461 3.1: "v=STSv1", case-sensitive; RFC 8460 3:
# "v=TLSRPTv1"): a version misspelt (v-STSv1, V=stsv1, v=STSv2) or missing while the record's
# own field is there. Other TXT at these names is allowed and ignored.
_LIKE_STS = re.compile(r"\A[ \t]*v[ \t]*[=:\-]?[ \t]*sts|(?:\A|;)[ \t]*id[ \t]*=", re.I)
_LIKE_TLSRPT = re.compile(r"\A[ \t]*v[ \t]*[=:\-]?[ \t]*tlsrpt|(?:\A|;)[ \t]*rua[ \t]*=", re.I)


class _Version(NamedTuple):
    exact: str  # what the record begins with (case-sensitive)
    shown: str  # how a message names it
    like: re.Pattern[str]  # text meant as the record
    lost: str  # what senders ignoring the record costs


_VERSIONS = {
    "mta-sts": _Version(
        "v=STSv1",
        "'v=STSv1' (case-sensitive)",
        _LIKE_STS,
        "the domain has no MTA-STS policy (RFC 8461 3.1)",
    ),
    "tlsrpt": _Version(
        "v=TLSRPTv1", "'v=TLSRPTv1'", _LIKE_TLSRPT, "no TLS reports are sent (RFC 8460 3)"
    ),
}


def misversioned(kind: str, text: str) -> Issue | None:
    """An issue when ``text`` was meant as the ``_mta-sts`` (``kind`` ``mta-sts``) or the
    ``_smtp._tls`` record (``tlsrpt``) but senders ignore it."""
    version = _VERSIONS[kind]
    if text.startswith(version.exact) or not version.like.search(text):
        return None
    return Issue(
        "syntax",
        ERROR,
        f"{_cut(text)!r} does not begin with {version.shown}: senders ignore it, so {version.lost}",
    )


def _fields(text: str, version: str, rfc: str) -> tuple[list[tuple[str, str]], list[Issue]]:
    """version 1*(sep field) [sep]: the fields after the version, and shape problems."""
    if not ((text.startswith(version) and _SEP.match(text, len(version))) or text == version):
        return [], [Issue("syntax", ERROR, f"does not start with {version!r} and ';' ({rfc})")]
    parts = _SEP.split(text[len(version) :])[1:]
    if parts and parts[-1] == "":
        parts.pop()  # the optional final ';'
    issues: list[Issue] = []
    fields: list[tuple[str, str]] = []
    for part in parts:
        name, eq, value = part.partition("=")
        if not eq or not part:
            issues.append(Issue("syntax", ERROR, f"{_cut(part)!r} is not name=value ({rfc})"))
            continue
        fields.append((name, value))
    return fields, issues


def sts_record(text: str) -> list[Issue]:
    """The ``_mta-sts`` TXT (RFC 8461 3.1): ``v=STSv1; id=<1 to 32 letters and digits>``."""
    fields, issues = _fields(text, "v=STSv1", "RFC 8461 3.1")
    ids = [v for n, v in fields if n == "id"]
    if not issues and len(ids) != 1:
        issues.append(Issue("syntax", ERROR, "exactly one id= is required (RFC 8461 3.1)"))
    for value in ids:
        if not _STS_ID.match(value):
            issues.append(
                Issue(
                    "syntax",
                    ERROR,
                    f"id={_cut(value)} is not 1 to 32 letters and digits (RFC 8461 3.1)",
                )
            )
    issues += _extensions([(n, v) for n, v in fields if n != "id"], "RFC 8461 3.1")
    return issues


def tlsrpt_record(text: str) -> list[Issue]:
    """The ``_smtp._tls`` TXT (RFC 8460 3): ``v=TLSRPTv1; rua=<mailto: or https: URIs>``."""
    fields, issues = _fields(text, "v=TLSRPTv1", "RFC 8460 3")
    ruas = [v for n, v in fields if n == "rua"]
    if not issues and not ruas:
        issues.append(Issue("syntax", ERROR, "no rua= (RFC 8460 3)"))
    for value in ruas:
        uris = [u.strip(" \t") for u in value.split(",")]
        for uri in uris:
            problem = uri_problem(uri) if uri else "an empty URI in rua="
            if problem is None and uri.lower().startswith("mailto:"):
                problem = mailto_problem(uri)
            elif problem is None and not uri.lower().startswith("https:"):
                problem = f"{_cut(uri)!r}: rua= URIs are mailto: or https: (RFC 8460 3)"
            if problem:
                issues.append(Issue("syntax", ERROR, f"rua: {problem} (RFC 8460 3)"))
    issues += _extensions([(n, v) for n, v in fields if n != "rua"], "RFC 8460 3")
    return issues


def _extensions(fields: list[tuple[str, str]], rfc: str) -> list[Issue]:
    issues = []
    for name, value in fields:
        if not _EXT_NAME.match(name):
            issues.append(Issue("syntax", ERROR, f"{_cut(name)!r} is not a field name ({rfc})"))
        elif not _EXT_VALUE.match(value):
            issues.append(
                Issue("syntax", ERROR, f"{name}= needs a value without spaces, '=' or ';' ({rfc})")
            )
    return issues


class Policy(NamedTuple):
    """An MTA-STS policy file (RFC 8461 3.2)."""

    version: str
    mode: str  # enforce, testing or none
    mx: tuple[str, ...]  # patterns: host names, or "*." and a host name
    max_age: int  # seconds


class PolicyError(ValueError):
    pass


MAX_AGE_LIMIT = 31557600  # RFC 8461 3.2: at most a year


def parse_policy(text: str) -> Policy:
    """Read a policy file; raises :class:`PolicyError` naming the first problem."""
    found: dict[str, list[str]] = {}
    lines = re.split(r"\r?\n", text)
    if lines and lines[-1] == "":
        lines.pop()  # the optional final line ending
    for number, line in enumerate(lines, 1):
        m = re.fullmatch(
            r"[ \t]*([A-Za-z0-9][A-Za-z0-9_\-.]{0,31}):[ \t]*(\S(?:.*\S)?)[ \t]*", line
        )
        if not m:
            raise PolicyError(f"line {number}: not 'key: value' (RFC 8461 3.2)")
        found.setdefault(m.group(1), []).append(m.group(2))
    for key in ("version", "mode", "max_age"):
        if len(found.get(key, [])) != 1:
            raise PolicyError(f"exactly one '{key}:' line is required (RFC 8461 3.2)")
    version, mode, age = found["version"][0], found["mode"][0], found["max_age"][0]
    if version != "STSv1":
        raise PolicyError(f"version: {_cut(version)} is not STSv1 (RFC 8461 3.2)")
    if mode not in ("enforce", "testing", "none"):
        raise PolicyError(f"mode: {_cut(mode)} is not enforce, testing or none (RFC 8461 3.2)")
    if not re.fullmatch(r"[0-9]{1,10}", age) or int(age) > MAX_AGE_LIMIT:
        raise PolicyError(
            f"max_age: {_cut(age)} is not 0 to {MAX_AGE_LIMIT} seconds (RFC 8461 3.2)"
        )
    mx = found.get("mx", [])
    if mode != "none" and not mx:
        raise PolicyError("a policy in mode enforce or testing needs mx: lines (RFC 8461 3.2)")
    for pattern in mx:
        host = pattern[2:] if pattern.startswith("*.") else pattern
        if not host_ok(host):
            raise PolicyError(f"mx: {_cut(pattern)} is not a host name or *.name (RFC 8461 3.2)")
    return Policy(version, mode, tuple(mx), int(age))


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
