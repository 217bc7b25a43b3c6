"""Checks on every record: TTL bounds, octoDNS's own validators, names outside every zone."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from .. import names
from ..model import HOST
from ..problem import WARNING, Problem
from .context import Context


def ttl_bounds(ctx: Context) -> Iterator[Problem]:
    """``ttl-bounds``: every TTL within the site's ``ttl.min`` and ``ttl.max``."""
    site = ctx.build.site
    for record in ctx.records:
        if not site.ttl_min <= record.ttl <= site.ttl_max:
            yield ctx.problem(
                record,
                "ttl-bounds",
                f"TTL {record.ttl} outside {site.ttl_min} to {site.ttl_max}",
                "set ttl.overrides (or ttl.min/ttl.max) in the site file",
            )


# Addresses no one on the Internet reaches: RFC 1918 and RFC 6598 (shared, carrier-grade
# NAT) space, link-local (RFC 3927, RFC 4291 2.5.6), unique local (RFC 4193), loopback.
# Documentation ranges (RFC 5737, RFC 3849) are left alone: examples use them.
_UNREACHABLE = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "127.0.0.0/8",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def host_ip_private(ctx: Context) -> Iterator[Problem]:
    """``host-ip-private``: the mail host's published address is one the Internet cannot
    reach (behind NAT, Mox's listener has the private address; NATIPs hold the public one)."""
    for record in (*ctx.of_type("A"), *ctx.of_type("AAAA")):
        if record.kind != HOST:
            continue
        ip = ipaddress.ip_address(record.value)
        if any(ip in net for net in _UNREACHABLE if net.version == ip.version):
            yield ctx.problem(
                record,
                "host-ip-private",
                f"the mail host's address {record.value} is private: other mail servers "
                "cannot reach it, and SPF and iprev follow it",
                "give the public address: host.ipv4/host.ipv6 in the site file, `zonegen ip "
                "set`, or NATIPs in mox.conf's public listener",
                warning=True,
            )


def octodns_validators(ctx: Context) -> Iterator[Problem]:
    """``octodns-<validator>``: what octoDNS's own record validators (the strict set) say.

    The data reaches octoDNS as the build gives it (octodns.records.octo_data, else octoDNS
    parsing the presentation text), so check and build judge the same thing: octoDNS's own
    text parser splits TLSA on single spaces and cannot read dnspython's text of a long
    association (a full certificate, 3 0 0, is written in 128-digit chunks), and raised
    RdataParseError out of ``zonegen check``. What octoDNS cannot parse at all is reported.
    """
    from ..octodns.records import reasons

    for zone in ctx.build.zones:
        for rrset, rule, text, fix in reasons(zone):
            yield ctx.problem(rrset.records[0], f"octodns-{rule}", text, fix)


def build_problems(ctx: Context) -> Iterator[Problem]:
    """``out-of-zone`` and the other problems the build itself found."""
    yield from ctx.build.problems


def retired_expired(ctx: Context) -> Iterator[Problem]:
    """``retired-expired`` (warning): a retired record past its date, no longer published."""
    site = ctx.build.site
    for entry in site.retired:
        if entry.until < ctx.build.today:
            yield Problem(
                ctx.zone_of(entry.name) or "",
                names.unicode(entry.name),
                entry.rtype,
                "retired-expired",
                WARNING,
                f"its grace period ended on {entry.until.isoformat()}; it is no longer published",
                "remove the entry from retired: in the site file",
                f"{site.shown}:{entry.line}",
            )
