"""SPF rules (RFC 7208) over the built zones, through zonegen.mail.spf (and spf_eval).

Lookups are counted and records evaluated offline, through the zones (ZoneLookup); what lies
outside them is named as "cannot tell offline" (``zonegen verify`` asks the live DNS).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from .. import names
from ..mail import spf
from ..model import Record
from ..problem import Problem
from .context import Context

SIZE_ADVICE = 450  # RFC 7208 3.4: keep the answer small enough for 512-octet UDP


def _spf(ctx: Context) -> dict[str, list[tuple[Record, str]]]:
    """TXT records receivers take as SPF, per name (RFC 7208 4.5). Two rules read them: made
    once per run, through ``ctx.once``."""
    out: dict[str, list[tuple[Record, str]]] = {}
    for record in ctx.of_type("TXT"):
        value = record.txt
        if value is not None and spf.is_spf(value):
            out.setdefault(record.name, []).append((record, value))
    return out


def spf_version(ctx: Context) -> Iterator[Problem]:
    """TXT that was meant as SPF but does not start with exactly ``v=spf1`` and a space."""
    for record in ctx.of_type("TXT"):
        value = record.txt
        if value is not None and spf.looks_like_spf(value):
            yield ctx.problem(
                record,
                "spf-version",
                f"{value[:20]!r}...: receivers take only TXT that starts with 'v=spf1' and a "
                "space as SPF, so this domain has no SPF record (RFC 7208 4.5)",
                "start the record with 'v=spf1 ' (strings are joined without spaces)",
            )


def spf_rrtype(ctx: Context) -> Iterator[Problem]:
    """Records of the SPF RR type (99), which RFC 7208 3.1 and 14.1 retired."""
    for record in ctx.of_type("SPF"):
        yield ctx.problem(
            record,
            "spf-rrtype",
            "the SPF record type is obsolete: receivers read only TXT (RFC 7208 3.1)",
            "publish the same text as TXT and drop this record",
        )


def spf_records(ctx: Context) -> Iterator[Problem]:
    """The record rules of mail.spf.lint, through the zones; one record per name; size."""
    records = ctx.once(_spf)
    lookup = ctx.lookup
    for name in sorted(records):
        found = records[name]
        if len(found) > 1:
            yield from ctx.one_record(
                found,
                "spf-one-record",
                "SPF records at one name: receivers return permerror (RFC 7208 4.5)",
                "merge them into one record",
            )
        record, value = found[0]
        issues = spf.lint(name.rstrip("."), value, lookup)
        if issues:
            yield from ctx.issues(record, "spf", issues)
        size = sum(len(s) + 1 for r, _ in found for s in getattr(r.rdata, "strings", ()))
        if size > SIZE_ADVICE:
            yield ctx.problem(
                record,
                "spf-record-size",
                f"{size} octets of TXT data: an answer over 512 octets needs TCP or EDNS, "
                f"RFC 7208 3.4 advises at most {SIZE_ADVICE}",
                "replace a/mx terms with ip4:/ip6: ranges, or move senders to an include",
            )


def spf_host_allowed(ctx: Context) -> Iterator[Problem]:
    """For each name whose MX is the mail host (and the host itself), the host's IPs must
    pass the name's SPF, evaluated over the built zones (check_host, RFC 7208 4). Where
    evaluation needs DNS outside them it gives no verdict."""
    # The evaluator is imported once per run, here: the rules that only read records (and
    # the build's import of mail.spf) do without it.
    from ..mail.spf_eval import check_host

    records = ctx.once(_spf)
    host = ctx.build.hostname
    senders = {r.name for r in ctx.of_type("MX") if r.target == host}
    senders.add(host)
    lookup = ctx.lookup
    checked = sorted(senders & set(records))
    # parsed once for all the names (check_host takes them parsed, and would raise here
    # as it does for the first name)
    ips = [(ip, ipaddress.ip_address(ip)) for ip in ctx.build.ips] if checked else []
    for name in checked:
        record, _ = records[name][0]
        domain = name.rstrip(".")
        for ip, address in ips:
            got = check_host(address, domain, f"postmaster@{domain}", lookup, now=0)
            if got.result in ("fail", "softfail", "neutral", "none"):
                yield ctx.problem(
                    record,
                    "spf-host-not-allowed",
                    f"the mail host's address {ip} gets '{got.result}' for {names.unicode(name)}",
                    f"add {spf.ip_mechanism(ip)} or mx to the record",
                )
