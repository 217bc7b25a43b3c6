"""MTA-STS (RFC 8461 3.1), SMTP TLS reporting (RFC 8460 3) and CAA (RFC 8659 4)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import dns.rdtypes.ANY.CAA

from .. import names
from ..mail import mtasts
from ..mail.taglist import host_ok, mailto_problem, uri_problem
from ..model import txt_text
from ..problem import Problem
from .context import Context

# RFC 8659 7.2 and the IANA registry: issue, issuewild, iodef (RFC 8659), contactemail,
# contactphone (CA/B Forum), issuemail (RFC 9495), issuevmc (BIMI)
CAA_TAGS = ("issue", "issuewild", "iodef", "contactemail", "contactphone", "issuemail", "issuevmc")
_CAA_TAG = re.compile(r"[A-Za-z0-9]+\Z")  # RFC 8659 4.1
_LABEL = r"[A-Za-z0-9](?:-*[A-Za-z0-9])*"  # RFC 8659 4.2 label
_ISSUER = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\Z")
_PARAM = re.compile(rf"({_LABEL})[ \t]*=[ \t]*([\x21-\x3a\x3c-\x7e]*)\Z")


def mta_sts(ctx: Context) -> Iterator[Problem]:
    """``_mta-sts`` TXT: grammar, one record, and the policy host when it is ours."""
    for name in sorted(n for n in ctx.names() if n.startswith("_mta-sts.")):
        found = [
            (r, v) for r in ctx.get(name, "TXT") if (v := txt_text(r.rdata)).startswith("v=STS")
        ]
        if len(found) > 1:
            yield ctx.problem(
                found[1][0],
                "mta-sts-one-record",
                f"{len(found)} v=STSv1 records: senders then apply no policy (RFC 8461 3.1)",
                "keep exactly one",
            )
        for record, value in found[:1]:
            for issue in mtasts.sts_record(value):
                yield ctx.problem(
                    record, "mta-sts-syntax", issue.message, "copy the record again from Mox"
                )
            host = "mta-sts." + name[len("_mta-sts.") :]
            if ctx.zone_of(host) and not (ctx.addresses(host) or ctx.get(host, "CNAME")):
                yield ctx.problem(
                    record,
                    "mta-sts-host",
                    f"{names.unicode(host)} has no A, AAAA or CNAME, so the policy cannot be "
                    "fetched (RFC 8461 3.3)",
                    f"add {names.unicode(host)} (Mox prints a CNAME to the mail host)",
                )


def tlsrpt(ctx: Context) -> Iterator[Problem]:
    """``_smtp._tls`` TXT: grammar and one record."""
    for name in sorted(n for n in ctx.names() if n.startswith("_smtp._tls.")):
        found = [
            (r, v) for r in ctx.get(name, "TXT") if (v := txt_text(r.rdata)).startswith("v=TLSRPT")
        ]
        if len(found) > 1:
            yield ctx.problem(
                found[1][0],
                "tlsrpt-one-record",
                f"{len(found)} v=TLSRPTv1 records: senders then send no reports (RFC 8460 3)",
                "keep exactly one",
            )
        for record, value in found[:1]:
            for issue in mtasts.tlsrpt_record(value):
                yield ctx.problem(record, "tlsrpt-syntax", issue.message, "see RFC 8460 3")


def caa(ctx: Context) -> Iterator[Problem]:
    """Flags, tag and the issue/issuewild/iodef value grammar (RFC 8659 4)."""
    for record in ctx.records:
        if record.rtype != "CAA":
            continue
        rd = record.rdata
        assert isinstance(rd, dns.rdtypes.ANY.CAA.CAA)
        tag = rd.tag.decode("ascii", "replace")
        value = rd.value.decode("utf-8", "replace")
        if rd.flags & 0x7F:
            yield ctx.problem(
                record,
                "caa-syntax",
                f"flags {rd.flags}: only the critical bit (128) is defined, the others must "
                "be 0 (RFC 8659 4.1)",
                "use 0 (or 128)",
            )
        if not _CAA_TAG.match(tag):
            yield ctx.problem(
                record,
                "caa-syntax",
                f"tag {tag!r} is not ASCII letters and digits (RFC 8659 4.1)",
                "use issue, issuewild or iodef",
            )
            continue
        lowered = tag.lower()
        if lowered not in CAA_TAGS:
            critical = bool(rd.flags & 0x80)
            yield ctx.problem(
                record,
                "caa-critical-unknown" if critical else "caa-unknown-tag",
                f"unknown tag {tag!r}"
                + (
                    " with the critical flag: CAs must then issue no certificate (RFC 8659 4.1)"
                    if critical
                    else ": CAs ignore it (RFC 8659 4.1)"
                ),
                "use issue, issuewild or iodef",
            )
        problem = _caa_value(lowered, value)
        if problem:
            yield ctx.problem(record, "caa-syntax", problem, "see RFC 8659 4.2 to 4.4")


def _caa_value(tag: str, value: str) -> str | None:
    if tag in ("issue", "issuewild"):
        # issue-value = *WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]
        domain, _, rest = value.partition(";")
        domain = domain.strip(" \t")
        if domain and not _ISSUER.match(domain):
            return f"{domain!r} is not a CA domain name like letsencrypt.org (RFC 8659 4.2)"
        params = rest.strip(" \t")
        for param in [p.strip(" \t") for p in params.split(";")] if params else []:
            if not _PARAM.match(param):
                return (
                    f"bad parameter {param[:40]!r}: write tag=value pairs after ';' (RFC 8659 4.2)"
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
            return f"iodef {value[:40]!r}: the URL is mailto:, http: or https: (RFC 8659 4.4)"
        host = value.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return None if host_ok(host) else f"iodef {value[:40]!r}: no host name (RFC 8659 4.4)"
    return None
