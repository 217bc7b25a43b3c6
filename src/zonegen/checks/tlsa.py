"""TLSA rules (RFC 6698, RFC 7671, RFC 7672), through zonegen.mail.tlsa."""

from __future__ import annotations

from collections.abc import Iterator

import dns.rdtypes.ANY.TLSA

from .. import names
from ..mail import tlsa
from ..problem import Problem
from .context import Context

_RULES = {
    "values": ("tlsa-values", "use 3 1 1 (DANE-EE, SPKI, SHA-256)"),
    "private": ("tlsa-private", "use 3 1 1 (DANE-EE, SPKI, SHA-256)"),
    "data": ("tlsa-data", "compute the association data again (e.g. with 'mox config dnsrecords')"),
    "owner": ("tlsa-owner", "name it like _25._tcp.mail.example.com"),
    "pkix-smtp": ("tlsa-pkix-smtp", "use DANE-EE (3) or DANE-TA (2)"),
}


def tlsa_records(ctx: Context) -> Iterator[Problem]:
    """Each TLSA record's parameters, data and owner."""
    for record in ctx.records:
        if record.rtype != "TLSA":
            continue
        rd = record.rdata
        assert isinstance(rd, dns.rdtypes.ANY.TLSA.TLSA)
        for issue in tlsa.issues(rd.usage, rd.selector, rd.mtype, rd.cert, record.name):
            rule, fix = _RULES[issue.code]
            yield ctx.problem(record, rule, issue.message, fix)


def tlsa_dnssec(ctx: Context) -> Iterator[Problem]:
    """TLSA in a zone not known to be signed: without DNSSEC senders ignore DANE."""
    warned: set[str] = set()
    for record in ctx.records:
        if record.rtype != "TLSA":
            continue
        zone = ctx.zone_of(record.name) or ""
        if zone and not ctx.signed(zone) and zone not in warned:
            warned.add(zone)
            yield ctx.problem(
                record,
                "tlsa-without-dnssec",
                f"TLSA in {names.unicode(zone)}, which the site file does not mark as "
                "DNSSEC-signed; without DNSSEC senders ignore DANE (RFC 7672 2.2)",
                "sign the zone at your DNS provider, publish its DS at the registrar, set "
                f"zones.{names.unicode(zone).rstrip('.')}.signed: true; `zonegen verify` "
                "then confirms the validation",
            )
