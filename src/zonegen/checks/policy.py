"""MTA-STS (RFC 8461 3.1), SMTP TLS reporting (RFC 8460 3) and CAA (RFC 8659 4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import dns.rdtypes.ANY.CAA

from .. import names
from ..mail import caa as mail_caa
from ..mail import mtasts
from ..mail.taglist import Issue
from ..model import Record
from ..problem import Problem
from .context import Context


class _PolicyTxt(NamedTuple):
    """The TXT record of MTA-STS or of TLS reporting: the two share their rules' shape."""

    kind: str  # mail.mtasts kind and rule id prefix
    owner: str  # the name's first labels
    version: str
    is_record: Callable[[str], bool]
    issues: Callable[[str], list[Issue]]
    several: str  # what more than one record costs


_MTA_STS = _PolicyTxt(
    "mta-sts",
    "_mta-sts.",
    "v=STSv1",
    mtasts.is_mta_sts,
    mtasts.sts_record,
    "senders then apply no policy (RFC 8461 3.1)",
)
_TLSRPT = _PolicyTxt(
    "tlsrpt",
    "_smtp._tls.",
    "v=TLSRPTv1",
    mtasts.is_tlsrpt,
    mtasts.tlsrpt_record,
    "senders then send no reports (RFC 8460 3)",
)


def _policy_txt(ctx: Context, policy: _PolicyTxt) -> Iterator[tuple[str, Record] | Problem]:
    """Grammar and one record at each of the policy's names; then, for the next rules,
    each name and its record (name, record)."""
    for name in ctx.txt_owners(policy.owner):
        found = []
        for record, value in ctx.txt(name):
            if policy.is_record(value):
                found.append((record, value))
                continue  # (it begins with the version: not misversioned)
            issue = mtasts.misversioned(policy.kind, value)
            if issue:
                rule, fix = f"{policy.kind}-syntax", f"start it with {policy.version};"
                yield ctx.problem(record, rule, issue.message, fix)
        if not found:
            continue
        if len(found) > 1:
            rule = f"{policy.kind}-one-record"
            several = f"{policy.version} records: {policy.several}"
            yield from ctx.one_record(found, rule, several, "keep exactly one")
        record, value = found[0]
        issues = policy.issues(value)
        if issues:
            yield from ctx.issues(record, policy.kind, issues)
        yield name, record


def mta_sts(ctx: Context) -> Iterator[Problem]:
    """``_mta-sts`` TXT: grammar, one record, and the policy host when it is ours."""
    for found in _policy_txt(ctx, _MTA_STS):
        if isinstance(found, Problem):
            yield found
            continue
        name, record = found
        host = "mta-sts." + name[len("_mta-sts.") :]
        if (
            ctx.zone_of(host)
            and not ctx.delegated(host)
            and not (ctx.get(host, "CNAME") or ctx.addresses(host))
        ):
            yield ctx.problem(
                record,
                "mta-sts-host",
                f"{names.unicode(host)} has no A, AAAA or CNAME, so the policy cannot be "
                "fetched (RFC 8461 3.3)",
                f"add {names.unicode(host)} (Mox prints a CNAME to the mail host)",
            )


def tlsrpt(ctx: Context) -> Iterator[Problem]:
    """``_smtp._tls`` TXT: grammar and one record."""
    yield from (p for p in _policy_txt(ctx, _TLSRPT) if isinstance(p, Problem))


def caa(ctx: Context) -> Iterator[Problem]:
    """Flags, tag and the issue/issuewild/iodef value grammar (RFC 8659 4), by mail.caa."""
    for record, rd in ctx.typed("CAA", dns.rdtypes.ANY.CAA.CAA):
        tag = rd.tag.decode("ascii", "replace")
        value = rd.value.decode("utf-8", "replace")
        yield from ctx.issues(record, "caa", mail_caa.issues(rd.flags, tag, value))
