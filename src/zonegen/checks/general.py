"""Checks on every record: TTL bounds, octoDNS's own validators, names outside every zone."""

from __future__ import annotations

from collections.abc import Iterator

from .. import names
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
