"""CAA records (RFC 8659): flags, tag and the issue/issuewild/iodef value grammar.

:func:`issues` says what is wrong with one CAA record, by :mod:`zonegen.mail.taglist` Issue
codes: ``syntax`` (outside the RFC 8659 4 grammar: CAs treat the value as unusable, which for
issue/issuewild means no issuance, RFC 8659 4.2), ``critical-unknown`` (a tag the CA does not
know with the critical flag: no issuance, 4.1), ``unknown-tag`` (ignored, 4.1).
"""

from __future__ import annotations

import re

from .taglist import ERROR, WARNING, Issue, host_ok, mailto_problem, uri_problem

# RFC 8659 7.2 and the IANA registry: issue, issuewild, iodef (RFC 8659), contactemail,
# contactphone (CA/B Forum), issuemail (RFC 9495), issuevmc (BIMI)
TAGS = ("issue", "issuewild", "iodef", "contactemail", "contactphone", "issuemail", "issuevmc")
CRITICAL = 0x80  # RFC 8659 4.1: bit 0, the high-order bit of the flags octet
_TAG = re.compile(r"[A-Za-z0-9]+\Z")  # RFC 8659 4.1
_LABEL = r"[A-Za-z0-9](?:-*[A-Za-z0-9])*"  # RFC 8659 4.2 label
_ISSUER = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\Z")
_PARAM = re.compile(rf"({_LABEL})[ \t]*=[ \t]*([\x21-\x3a\x3c-\x7e]*)\Z")


def issues(flags: int, tag: str, value: str) -> list[Issue]:
    out: list[Issue] = []
    if flags & ~CRITICAL & 0xFF:
        out.append(
            Issue(
                "syntax",
                ERROR,
                f"flags {flags}: only the critical bit (128) is defined, publishers MUST clear "
                "the others (RFC 8659 4.1)",
            )
        )
    if not _TAG.match(tag):
        out.append(
            Issue(
                "syntax", ERROR, f"tag {_cut(tag)!r} is not ASCII letters and digits (RFC 8659 4.1)"
            )
        )
        return out
    lowered = tag.lower()  # RFC 8659 4.1: tags match case-insensitively
    if lowered not in TAGS:
        if flags & CRITICAL:
            out.append(
                Issue(
                    "critical-unknown",
                    ERROR,
                    f"unknown tag {tag!r} with the critical flag: CAs must then issue no "
                    "certificate (RFC 8659 4.1)",
                )
            )
        else:
            out.append(
                Issue("unknown-tag", WARNING, f"unknown tag {tag!r}: CAs ignore it (RFC 8659 4.1)")
            )
    problem = value_problem(lowered, value)
    if problem:
        out.append(Issue("syntax", ERROR, problem))
    return out


def value_problem(tag: str, value: str) -> str | None:
    """What is wrong with the value of a known tag, or None."""
    if tag in ("issue", "issuewild"):
        # issue-value = *WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]
        domain, _, rest = value.partition(";")
        domain = domain.strip(" \t")
        if domain and not _ISSUER.match(domain):
            return f"{_cut(domain)!r} is not a CA domain name like letsencrypt.org (RFC 8659 4.2)"
        params = rest.strip(" \t")
        for param in [p.strip(" \t") for p in params.split(";")] if params else []:
            if not _PARAM.match(param):
                return (
                    f"bad parameter {_cut(param)!r}: write tag=value pairs after ';' (RFC 8659 4.2)"
                )
        return None
    if tag == "iodef":
        problem = uri_problem(value)
        if problem:
            return f"iodef: {problem} (RFC 8659 4.4)"
        scheme = value.split(":", 1)[0].lower()
        if scheme == "mailto":
            problem = mailto_problem(value)
            return f"iodef: {problem} (RFC 8659 4.4)" if problem else None
        if scheme not in ("http", "https"):
            return f"iodef {_cut(value)!r}: the URL is mailto:, http: or https: (RFC 8659 4.4)"
        host = value.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return None if host_ok(host) else f"iodef {_cut(value)!r}: no host name (RFC 8659 4.4)"
    return None


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
