"""TLSA for SMTP (RFC 6698 2.1, RFC 7671, RFC 7672).

The data length for SHA-256/SHA-512 (64/128 hex digits) is enforced where the records are
read: dnspython refuses a TLSA whose data does not fit its matching type, and octoDNS's strict
tlsa-value-rfc validator does the same for site records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import dns.rdtypes.ANY.TLSA

from .. import names
from ..problem import Problem
from .context import Context

_OWNER_RE = re.compile(r"^_\d{1,5}\._(tcp|udp|sctp)\.")


def tlsa_records(ctx: Context) -> Iterator[Problem]:
    """``tlsa-values``, ``tlsa-owner``, ``tlsa-pkix-smtp`` (warning),
    ``tlsa-without-dnssec`` (warning)."""
    warned: set[str] = set()
    for record in ctx.records:
        if record.rtype != "TLSA":
            continue
        rd = record.rdata
        assert isinstance(rd, dns.rdtypes.ANY.TLSA.TLSA)
        if rd.usage > 3 or rd.selector > 1 or rd.mtype > 2:
            yield ctx.problem(
                record,
                "tlsa-values",
                f"{rd.usage} {rd.selector} {rd.mtype}: usage is 0-3, selector "
                "0-1, matching type 0-2",
                "use 3 1 1 (DANE-EE, SPKI, SHA-256)",
            )
        if not _OWNER_RE.match(record.name):
            yield ctx.problem(
                record,
                "tlsa-owner",
                "owner is not _<port>._<protocol>.<host> (RFC 6698 3)",
                "name it like _25._tcp.mail.example.com",
            )
        elif record.name.startswith("_25._tcp.") and rd.usage in (0, 1):
            yield ctx.problem(
                record,
                "tlsa-pkix-smtp",
                "PKIX usages (0, 1) are not used for SMTP (RFC 7672 3.1.3)",
                "use DANE-EE (3) or DANE-TA (2)",
                warning=True,
            )
        zone = ctx.zone_of(record.name) or ""
        if zone and not ctx.signed(zone) and zone not in warned:
            warned.add(zone)
            yield ctx.problem(
                record,
                "tlsa-without-dnssec",
                f"TLSA in {names.unicode(zone)}, which the site file does not mark as "
                "DNSSEC-signed; without DNSSEC senders ignore DANE (RFC 7672 2.2)",
                "sign the zone at your DNS provider, publish its DS at the registrar, set "
                f"zones.{names.unicode(zone).rstrip('.')}.dnssec: true; `zonegen verify` "
                "then confirms the validation",
                warning=True,
            )
