"""MTA-STS (RFC 8461 3.1), SMTP TLS reporting (RFC 8460 3) and CAA (RFC 8659 4)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import dns.rdtypes.ANY.CAA

from .. import names
from ..problem import Problem
from .context import Context

_STS_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_MAILTO = re.compile(r"^mailto:[^@\s,!]+@[^@\s,!]+$", re.IGNORECASE)
_HTTPS = re.compile(r"^https://[^\s,]+$", re.IGNORECASE)
_CAA_TAGS = {"issue", "issuewild", "iodef", "contactemail", "contactphone", "issuemail", "issuevmc"}
_CAA_TAG_RE = re.compile(r"^[A-Za-z0-9]+$")
_CAA_PARAM_RE = re.compile(r"^[A-Za-z0-9]+=[\x21-\x3a\x3c-\x7e]*$")


def mta_sts(ctx: Context) -> Iterator[Problem]:
    """``mta-sts-syntax``, ``mta-sts-host``: the policy host must exist when it is ours."""
    for name in sorted(n for n in ctx.names() if n.startswith("_mta-sts.")):
        for record, value in ctx.txt(name, "v=STSv1"):
            fields = [f.strip() for f in value.split(";") if f.strip()]
            ids = [f[3:] for f in fields if f.startswith("id=")]
            if fields[0] != "v=STSv1" or len(ids) != 1 or not _STS_ID.match(ids[0]):
                yield ctx.problem(
                    record,
                    "mta-sts-syntax",
                    "expected 'v=STSv1; id=<1 to 32 letters and digits>'",
                    "copy the record again from Mox (RFC 8461 3.1)",
                )
            host = "mta-sts." + name[len("_mta-sts.") :]
            if ctx.zone_of(host) and not (ctx.addresses(host) or ctx.get(host, "CNAME")):
                yield ctx.problem(
                    record,
                    "mta-sts-host",
                    f"{names.unicode(host)} has no A, AAAA or CNAME, so the "
                    "policy cannot be fetched",
                    f"add {names.unicode(host)} (Mox prints a CNAME to the mail host)",
                )


def tlsrpt(ctx: Context) -> Iterator[Problem]:
    """``tlsrpt-syntax``: v=TLSRPTv1 and rua= with mailto: or https: URIs."""
    for name in sorted(n for n in ctx.names() if n.startswith("_smtp._tls.")):
        for record, value in ctx.txt(name, "v=TLSRPTv1"):
            fields = [f.strip() for f in value.split(";") if f.strip()]
            ruas = [f[4:] for f in fields if f.startswith("rua=")]
            ok = (
                fields[0] == "v=TLSRPTv1"
                and len(ruas) == 1
                and all(
                    _MAILTO.match(u.strip()) or _HTTPS.match(u.strip()) for u in ruas[0].split(",")
                )
            )
            if not ok:
                yield ctx.problem(
                    record,
                    "tlsrpt-syntax",
                    "expected 'v=TLSRPTv1; rua=mailto:...' (or https:)",
                    "see RFC 8460 3",
                )


def caa(ctx: Context) -> Iterator[Problem]:
    """``caa-syntax``: flags, tag and issue/iodef value forms."""
    for record in ctx.records:
        if record.rtype != "CAA":
            continue
        rd = record.rdata
        assert isinstance(rd, dns.rdtypes.ANY.CAA.CAA)
        tag = rd.tag.decode()
        value = rd.value.decode("utf-8", "replace")
        if rd.flags not in (0, 128):
            yield ctx.problem(
                record,
                "caa-syntax",
                f"flags {rd.flags}: only 0 and 128 (critical) are defined",
                "use 0",
            )
        if not _CAA_TAG_RE.match(tag):
            yield ctx.problem(
                record,
                "caa-syntax",
                f"tag {tag!r} is not letters and digits",
                "use issue, issuewild or iodef",
            )
        elif tag.lower() not in _CAA_TAGS:
            yield ctx.problem(
                record,
                "caa-syntax",
                f"unknown tag {tag!r}",
                "use issue, issuewild or iodef",
                warning=True,
            )
        if tag.lower() in ("issue", "issuewild"):
            domain, *params = [p.strip() for p in value.split(";")]
            bad = [p for p in params if p and not _CAA_PARAM_RE.match(p)]
            if domain and not _domain_ok(domain):
                yield ctx.problem(
                    record,
                    "caa-syntax",
                    f"{domain!r} is not a CA domain name",
                    "e.g. letsencrypt.org",
                )
            if bad:
                yield ctx.problem(
                    record,
                    "caa-syntax",
                    f"bad parameter {bad[0]!r}",
                    "write key=value pairs after ';' (RFC 8659 4.2)",
                )
        if tag.lower() == "iodef" and not (
            _MAILTO.match(value) or _HTTPS.match(value) or value.lower().startswith("http://")
        ):
            yield ctx.problem(
                record,
                "caa-syntax",
                f"iodef {value!r} is not a mailto: or http(s): URL",
                "see RFC 8659 4.4",
            )


def _domain_ok(text: str) -> bool:
    try:
        names.absolute(text)
    except ValueError:
        return False
    return "." in text.strip(".")
