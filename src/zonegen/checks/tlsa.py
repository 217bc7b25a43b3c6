"""TLSA rules (RFC 6698, RFC 7671, RFC 7672), through zonegen.mail.tlsa."""

from __future__ import annotations

from collections.abc import Iterator

import dns.rdtypes.ANY.TLSA

from .. import names
from ..mail import tlsa
from ..problem import Problem
from .context import Context


def tlsa_records(ctx: Context) -> Iterator[Problem]:
    """Each TLSA record's parameters, data and owner."""
    for record, rd in ctx.typed("TLSA", dns.rdtypes.ANY.TLSA.TLSA):
        issues = tlsa.issues(rd.usage, rd.selector, rd.mtype, rd.cert, record.name)
        yield from ctx.issues(record, "tlsa", issues)


def tlsa_dnssec(ctx: Context) -> Iterator[Problem]:
    """TLSA in a zone not known to be signed: without DNSSEC senders ignore DANE."""
    warned: set[str] = set()
    for record in ctx.of_type("TLSA"):
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
