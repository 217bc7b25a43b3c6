"""DMARC policy records (RFC 7489 6.3/6.4, and RFC 9989, which obsoletes it in 2026).

:func:`parse` never raises: it returns the tags and the :class:`Issue` list. What both RFCs
agree is malformed is an error (receivers drop the tag, or the record: 7489 6.3, 9989 4.8);
what RFC 9989 allows but RFC 7489 receivers refuse (``p=`` not second, no ``p=``) is a
warning, because receivers of both generations are on the Internet. Unknown tags are
ignored by receivers (7489 6.3, 9989 4.7): a warning, as a typo there silently drops what
the owner meant.

checkdmarc parses DMARC too, but checks report-address authorization over the network while
parsing, and follows its own opinions on what to warn about; this module is offline and
ties each finding to its RFC section.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .taglist import ERROR, WARNING, Issue, Tag, mailto_problem, split, uri_problem

# RFC 7489 6.3 plus RFC 9989 4.7 (np, psd, t); RFC 9989 drops pct, rf and ri, which RFC 7489
# receivers still read.
KNOWN = ("v", "p", "sp", "np", "adkim", "aspf", "fo", "rf", "ri", "pct", "rua", "ruf", "psd", "t")
_KNOWN = frozenset(KNOWN)
_REPORTS = ("rua", "ruf")
POLICIES = ("none", "quarantine", "reject")
_VERSION = re.compile(r"[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|\Z)")
_SIZE = re.compile(r"!([0-9]+)([kmgtKMGT]?)\Z")
_DIGITS = re.compile(r"[0-9]+\Z")
_PERCENT = re.compile(r"[0-9]{1,3}\Z")
_KEYWORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\Z")  # RFC 5321 Keyword


def is_dmarc(text: str) -> bool:
    """Receivers keep only TXT records that start with ``v=DMARC1`` (7489 6.6.3, 9989 4.7:
    ``DMARC1`` is case-sensitive; whitespace may surround the '=')."""
    return _VERSION.match(text) is not None


class ReportUri(NamedTuple):
    uri: str  # without the size suffix
    size: str  # '!10m' or ''
    domain: str  # the mailto: address's domain ('' for other schemes)


class Record(NamedTuple):
    tags: tuple[Tag, ...]
    issues: tuple[Issue, ...]
    # (name, URIs that parse) of the first rua= and ruf= tag with a value: parse reads each
    # URI once, for its issues and for reports(); None in a Record made by hand (reports()
    # then reads the tags)
    reported: tuple[tuple[str, tuple[ReportUri, ...]], ...] | None = None

    def get(self, name: str) -> str | None:
        return next((t.value for t in self.tags if t.name.lower() == name), None)

    @property
    def policy(self) -> str | None:
        value = self.get("p")
        return value.lower() if value and value.lower() in POLICIES else None

    def reports(self, name: str) -> tuple[ReportUri, ...]:
        """The rua= or ruf= URIs that parse."""
        if self.reported is not None and name in _REPORTS:
            return next((uris for key, uris in self.reported if key == name), ())
        value = self.get(name)
        if not value:
            return ()
        return tuple(u for u in (_report_uri(part) for part in value.split(",")) if u)


def parse(text: str) -> Record:
    if not is_dmarc(text):
        issue = Issue(
            "syntax",
            ERROR,
            f"{_cut(text)!r} does not start with 'v=DMARC1', so receivers ignore it "
            "(RFC 7489 6.6.3; 'DMARC1' is case-sensitive)",
        )
        return Record((), (issue,), ())
    tags, shape = split(text)
    issues = [Issue("syntax", ERROR, f"{p} (RFC 7489 6.4)") for p in shape]
    seen: set[str] = set()
    reported: list[tuple[str, tuple[ReportUri, ...]]] = []
    for tag in tags:
        name = tag.name.lower()
        first = name not in seen
        if not first:
            issues.append(
                Issue(
                    "syntax",
                    ERROR,
                    f"{name}= appears twice: receivers drop the record (RFC 6376 3.2)",
                )
            )
        seen.add(name)
        if name not in _KNOWN:
            issues.append(
                Issue(
                    "unknown-tag",
                    WARNING,
                    f"unknown tag {tag.name}=: receivers ignore it (RFC 7489 6.3, RFC 9989 4.7)",
                )
            )
            continue
        if not tag.value:
            issues.append(
                Issue("syntax", ERROR, f"{name}= has no value (RFC 9989 4.8: 1*dmarc-value)")
            )
            continue
        if name in _REPORTS:
            uris = _report_issues(name, tag.value, issues)
            if first:
                reported.append((name, uris))
            continue
        problem = _value_problem(name, tag.value)
        if problem:
            issues.append(Issue("syntax", ERROR, problem))
    names = [t.name.lower() for t in tags]
    if "p" not in names:
        issues.append(
            Issue(
                "no-policy",
                WARNING,
                "no p= tag: RFC 9989 reads it as p=none, RFC 7489 receivers apply no DMARC "
                "at all without a valid rua= (RFC 7489 6.6.3)",
            )
        )
    elif names[1:2] != ["p"]:
        issues.append(
            Issue(
                "tag-order",
                WARNING,
                "p= is not the second tag: RFC 9989 allows any order, but RFC 7489 6.4 (still "
                "what many receivers implement) wants it right after v=DMARC1",
            )
        )
    return Record(tuple(tags), tuple(issues), tuple(reported))


def _value_problem(name: str, value: str) -> str | None:
    """What is wrong with a known tag's value, per RFC 7489 6.4 and RFC 9989 4.8."""
    lowered = value.lower()
    if name == "v":
        return None if value == "DMARC1" else "v= must be DMARC1 (RFC 7489 6.3)"
    if name in ("p", "sp", "np"):
        if lowered not in POLICIES:
            return f"{name}={_cut(value)} is not none, quarantine or reject (RFC 7489 6.3)"
    elif name in ("adkim", "aspf"):
        if lowered not in ("r", "s"):
            return f"{name}={_cut(value)} is not r or s (RFC 7489 6.3)"
    elif name == "fo":
        options = [o.strip(" \t") for o in value.split(":")]
        if not all(o.lower() in ("0", "1", "d", "s") for o in options):
            return f"fo={_cut(value)}: options are 0, 1, d and s, separated by ':' (RFC 7489 6.3)"
    elif name == "rf":
        if not all(_KEYWORD.match(f.strip(" \t")) for f in value.split(":")):
            return f"rf={_cut(value)} is not a ':'-separated list of format names (RFC 7489 6.4)"
    elif name == "ri":
        if not _DIGITS.match(value) or int(value) > 0xFFFFFFFF:
            return f"ri={_cut(value)} is not a number of seconds (32-bit, RFC 7489 6.3)"
    elif name == "pct":
        if not _PERCENT.match(value) or int(value) > 100:
            return f"pct={_cut(value)} is not a whole number from 0 to 100 (RFC 7489 6.3)"
    elif name == "psd":
        if lowered not in ("y", "n", "u"):
            return f"psd={_cut(value)} is not y, n or u (RFC 9989 4.7)"
    elif name == "t" and lowered not in ("y", "n"):
        return f"t={_cut(value)} is not y or n (RFC 9989 4.7)"
    return None


def _report_issues(name: str, value: str, issues: list[Issue]) -> tuple[ReportUri, ...]:
    """rua= or ruf=: the first URI outside the grammar (an error), then for each URI a size
    over 64 bits and a scheme other than mailto: (warnings), added to ``issues``; returns
    the URIs that parse (:meth:`Record.reports`). Each URI is read once."""
    parts = [part.strip(" \t") for part in value.split(",")]
    problems = [_uri_problem(part) for part in parts]
    first = next((problem for problem in problems if problem), None)
    if first:
        issues.append(Issue("report-uri", ERROR, f"{name}: {first}"))
    uris = []
    for part, problem in zip(parts, problems, strict=True):
        if "!" in part:
            size = _SIZE.search(part)
            if size and int(size.group(1)) >= 1 << 64:
                # RFC 7489 6.4: "the numeric portion MUST fit within an unsigned 64-bit
                # integer"; RFC 9989 4.8 keeps !size as obsolete syntax, unbounded, for
                # reporters to ignore: a warning, as p= not second is
                issues.append(
                    Issue(
                        "report-size",
                        WARNING,
                        f"{name}: the size {_cut(size.group(1))} does not fit in 64 bits: "
                        "RFC 7489 6.4 receivers drop the URI (RFC 9989 ignores sizes)",
                    )
                )
        if problem:
            continue
        uri = _valid_report_uri(part)
        uris.append(uri)
        if not uri.domain and not uri.uri.lower().startswith("mailto:"):
            issues.append(
                Issue(
                    "report-scheme",
                    WARNING,
                    f"{name}: receivers need only support mailto: URIs (RFC 7489 6.2), "
                    f"so reports to {_cut(uri.uri)!r} may never come",
                )
            )
    return tuple(uris)


def _uri_problem(text: str) -> str | None:
    """RFC 7489 6.4 dmarc-uri: a URI ('!' and ',' escaped) with an optional '!size'."""
    if not text:
        return "an empty URI in the list (RFC 7489 6.4)"
    uri, bang, size = text.partition("!")
    if bang and not _SIZE.match("!" + size):
        return f"{_cut(text)!r}: after '!' comes a size like 10m (RFC 7489 6.4)"
    problem = uri_problem(uri)
    if problem:
        return problem + " (RFC 7489 6.4)"
    if uri.lower().startswith("mailto:"):
        problem = mailto_problem(uri)
        if problem:
            return problem + " (RFC 7489 6.2)"
    return None


def _report_uri(text: str) -> ReportUri | None:
    text = text.strip(" \t")
    if _uri_problem(text):
        return None
    return _valid_report_uri(text)


def _valid_report_uri(text: str) -> ReportUri:
    """A URI of the list (stripped) that :func:`_uri_problem` passes. (That took a mailto:
    only with a host name after its '@', and only ASCII: the domain needs no second look.)"""
    uri, bang, size = text.partition("!")
    domain = ""
    if uri.lower().startswith("mailto:"):
        domain = uri[len("mailto:") :].split("?", 1)[0].rpartition("@")[2].lower()
    return ReportUri(uri, bang + size, domain)


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
