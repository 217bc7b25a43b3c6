"""MTA-STS (RFC 8461 3.1), SMTP TLS reporting (RFC 8460 3) and CAA (RFC 8659 4)."""

from __future__ import annotations

from collections.abc import Iterator

import dns.rdtypes.ANY.CAA

from .. import names
from ..mail import caa as mail_caa
from ..mail import mtasts
from ..model import txt_text
from ..problem import Problem
from .context import Context


def mta_sts(ctx: Context) -> Iterator[Problem]:
    """``_mta-sts`` TXT: grammar, one record, and the policy host when it is ours."""
    for name in sorted(n for n in ctx.names() if n.startswith("_mta-sts.")):
        texts = [(r, txt_text(r.rdata)) for r in ctx.get(name, "TXT")]
        for record, value in texts:
            issue = mtasts.misversioned_sts(value)
            if issue:
                yield ctx.problem(record, "mta-sts-syntax", issue.message, "start it with v=STSv1;")
        found = [(r, v) for r, v in texts if mtasts.is_mta_sts(v)]
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
        texts = [(r, txt_text(r.rdata)) for r in ctx.get(name, "TXT")]
        for record, value in texts:
            issue = mtasts.misversioned_tlsrpt(value)
            if issue:
                yield ctx.problem(
                    record, "tlsrpt-syntax", issue.message, "start it with v=TLSRPTv1;"
                )
        found = [(r, v) for r, v in texts if mtasts.is_tlsrpt(v)]
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


_CAA_RULES = {
    "syntax": ("caa-syntax", "see RFC 8659 4.1 to 4.4"),
    "critical-unknown": ("caa-critical-unknown", "use issue, issuewild or iodef"),
    "unknown-tag": ("caa-unknown-tag", "use issue, issuewild or iodef"),
}


def caa(ctx: Context) -> Iterator[Problem]:
    """Flags, tag and the issue/issuewild/iodef value grammar (RFC 8659 4), by mail.caa."""
    for record in ctx.records:
        if record.rtype != "CAA":
            continue
        rd = record.rdata
        assert isinstance(rd, dns.rdtypes.ANY.CAA.CAA)
        tag = rd.tag.decode("ascii", "replace")
        value = rd.value.decode("utf-8", "replace")
        for issue in mail_caa.issues(rd.flags, tag, value):
            rule, fix = _CAA_RULES[issue.code]
            yield ctx.problem(record, rule, issue.message, fix)
