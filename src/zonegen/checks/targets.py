"""MX, SRV, NS and CNAME: what their targets must be (RFC 2181 10.3, RFC 2782, RFC 7505)."""

from __future__ import annotations

from collections.abc import Iterator

from .. import names
from ..model import MOX, SITE, Record
from ..problem import Problem
from .context import Context


def _target(record: Record) -> str:
    return str(record.target)


def _wildcard_address(ctx: Context, name: str) -> bool:
    """A wildcard answers ``name`` with an address (RFC 4592), as named-checkzone counts it."""
    lookup = ctx.lookup
    return any(isinstance(a := lookup.ask(name, t), tuple) and a for t in ("A", "AAAA"))


# What the built zones say of an MX or SRV target (see _target_state)
_ELSEWHERE = "elsewhere"  # outside the zones, or delegated from them: verify checks it live
_CNAME = "cname"
_NO_ADDRESS = "no address"
_ADDRESS = "address"


def _target_state(ctx: Context, target: str) -> str:
    if not ctx.zone_of(target) or ctx.delegated(target):
        # Outside the built zones, or in a zone delegated from them (its addresses are the
        # child zone's; named-checkzone takes a delegation as fine too): verify checks it live.
        return _ELSEWHERE
    if ctx.get(target, "CNAME"):
        return _CNAME
    if not ctx.addresses(target) and not _wildcard_address(ctx, target):
        return _NO_ADDRESS
    return _ADDRESS


def ns_targets(ctx: Context) -> Iterator[Problem]:
    """NS targets that are CNAMEs inside the zones (RFC 2181 10.3)."""
    for record in ctx.of_type("NS"):
        target = _target(record)
        if ctx.get(target, "CNAME"):
            shown = names.unicode(target)
            fix = "point the NS at the server's own name (RFC 2181 10.3)"
            yield ctx.problem(record, "ns-target-cname", f"the NS target {shown} is a CNAME", fix)


def mx_srv_targets(ctx: Context) -> Iterator[Problem]:
    """``null-mx``, ``null-srv``, ``mx-target-cname``, ``srv-target-cname`` (warning),
    ``target-no-address``, ``target-not-absolute``."""
    # The order of the problems does not matter: run_checks sorts them.
    # What the zones say of a target depends on the target alone, and most targets serve
    # many records (the mail host, each domain's client-settings name): worked out once.
    seen: dict[str, str] = {}
    for rtype, (_name, group) in _mx_srv(ctx):
        if len(group) > 1:
            nulls = [r for r in group if _target(r) == "."]
            if nulls:
                rule = "null-mx" if rtype == "MX" else "null-srv"
                yield ctx.problem(
                    nulls[0],
                    rule,
                    f"a '.' {rtype} ('no service') next to real ones",
                    "keep either the null record or the real ones "
                    f"({'RFC 7505 3' if rtype == 'MX' else 'RFC 2782'})",
                )
        for record in group:
            target = _target(record)
            if target == ".":
                if rtype == "MX" and record.rdata.preference != 0:  # type: ignore[attr-defined]
                    yield ctx.problem(
                        record, "null-mx", "a null MX has preference 0", "write MX 0 . (RFC 7505 3)"
                    )
                continue
            found = seen.get(target)
            if found is None:
                found = seen[target] = _target_state(ctx, target)
            if found == _CNAME:
                if rtype == "MX":
                    yield ctx.problem(
                        record,
                        "mx-target-cname",
                        f"the MX target {names.unicode(target)} is a CNAME",
                        "point the MX at the host's own name (RFC 2181 10.3)",
                    )
                elif record.kind != MOX:
                    # Mox itself points _imaps/_submissions at the client-settings CNAME on
                    # purpose (admin/dnsrecords.go, mox PR 367): not reported for its records.
                    yield ctx.problem(
                        record,
                        "srv-target-cname",
                        f"the SRV target {names.unicode(target)} is a CNAME",
                        "point it at the host's own name (RFC 2782)",
                        warning=True,
                    )
            elif found == _NO_ADDRESS:
                yield ctx.problem(
                    record,
                    "target-no-address",
                    f"{names.unicode(target)} is in these zones but has no A or AAAA record",
                    f"add its address, or fix the {rtype}",
                )
    yield from _relative_targets(ctx)


def _mx_srv(ctx: Context) -> Iterator[tuple[str, tuple[str, list[Record]]]]:
    for rtype in ("MX", "SRV"):
        for rrset in ctx.rrsets_of(rtype):
            yield rtype, rrset


def _relative_targets(ctx: Context) -> Iterator[Problem]:
    """Site records whose MX/SRV/CNAME target has no trailing dot: octoDNS accepts them and
    they become relative names in the zone, a classic mail outage."""
    for settings in ctx.build.site.zones:
        for entry in settings.records:
            values = entry.data.get("values") or [entry.data.get("value")]
            rtype = str(entry.data.get("type", "")).upper()
            for value in values:
                target = None
                if rtype == "MX" and isinstance(value, dict):
                    target = value.get("exchange")
                elif rtype == "SRV" and isinstance(value, dict):
                    target = value.get("target")
                elif rtype in ("CNAME", "NS", "PTR") and isinstance(value, str):
                    target = value
                if isinstance(target, str) and target != "." and not target.endswith("."):
                    record = next(
                        (
                            r
                            for r in ctx.records
                            if r.kind == SITE
                            and r.origin.line == entry.line
                            and ctx.zone_of(r.name) == settings.name
                        ),
                        None,
                    )
                    if record:
                        yield ctx.problem(
                            record,
                            "target-not-absolute",
                            f"{target!r} has no trailing dot, so it is read as "
                            f"{target}.{names.unicode(settings.name)}",
                            f"write {target}. if that is the host meant",
                        )


def cnames(ctx: Context) -> Iterator[Problem]:
    """``cname-coexistence`` (RFC 2181 10.1), ``cname-at-apex``, ``cname-chain``,
    ``cname-loop``."""
    for name, group in ctx.rrsets_of("CNAME"):
        if name in ctx.zones:
            yield ctx.problem(
                group[0],
                "cname-at-apex",
                "a CNAME at the zone's apex, where SOA and NS must be (RFC 1034 3.6.2, "
                "RFC 2181 10.1)",
                "use A/AAAA records at the apex (or your provider's ALIAS)",
            )
        # RFC 4035 2.5: DNSSEC's RRSIG and NSEC may sit beside a CNAME.
        others = (
            [t for t in ctx.types(name) if t not in ("CNAME", "RRSIG", "NSEC", "NSEC3")]
            if ctx.type_count(name) > 1
            else []  # the CNAME alone
        )
        if others or len(group) > 1:
            yield ctx.problem(
                group[0],
                "cname-coexistence",
                "a CNAME with other data at the same name"
                + (f" ({', '.join(sorted(others))})" if others else ""),
                "move the other records or drop the CNAME (RFC 2181 10.1)",
            )
        target = _target(group[0])
        seen = {name}
        hops = 0
        while ctx.get(target, "CNAME"):
            hops += 1
            if target in seen:
                yield ctx.problem(
                    group[0], "cname-loop", "the CNAMEs form a loop", "break the loop"
                )
                break
            seen.add(target)
            target = _target(ctx.get(target, "CNAME")[0])
        else:
            if hops:
                yield ctx.problem(
                    group[0],
                    "cname-chain",
                    f"CNAME to a CNAME ({hops + 1} hops inside these zones)",
                    "point the CNAME at the final name",
                )
