"""TTL lifecycle: Mox prints 300 s for setting up; once mail works, longer TTLs spare
resolvers and survive outages of the authoritative servers; before a planned change, short
ones again, so the change spreads quickly."""

from __future__ import annotations

from dataclasses import dataclass

from . import siteedit
from .pipeline import Result

# Stable TTLs by kind (README, "TTL lifecycle"): an hour for most records; a day for keys that
# change only by rollover (DKIM, TLSA: a rollover waits 2 x TTL, RFC 7671 8.1); a week for
# the null SRVs that say "this service is not offered" (RFC 6186 4), which never change.
STABLE_DEFAULT = 3600
STABLE_KINDS = {"dkim": 86400, "tlsa": 86400, "null_srv": 604800}
SETUP_TTL = 300  # what Mox prints ($TTL 300 in admin/dnsrecords.go)


def promote(text: str, shown: str) -> str:
    text = siteedit.set_value(text, ("ttl", "default"), str(STABLE_DEFAULT), shown=shown)
    kinds = ", ".join(f"{k}: {v}" for k, v in STABLE_KINDS.items())
    return siteedit.set_value(text, ("ttl", "kinds"), f"{{{kinds}}}", shown=shown)


def lower(text: str, shown: str) -> str:
    text = siteedit.delete_key(text, ("ttl", "kinds"), shown=shown)
    return siteedit.set_value(text, ("ttl", "default"), str(SETUP_TTL), shown=shown)


@dataclass(frozen=True, slots=True)
class TtlChange:
    name: str
    rtype: str
    old: int
    new: int


def changes(before: Result, after: Result) -> list[TtlChange]:
    old = {(s.name, s.rtype): s.ttl for z in before.zones for s in z.rrsets}
    out = []
    for zone in after.zones:
        for s in zone.rrsets:
            if (s.name, s.rtype) in old and old[(s.name, s.rtype)] != s.ttl:
                out.append(TtlChange(s.name, s.rtype, old[(s.name, s.rtype)], s.ttl))
    return out
