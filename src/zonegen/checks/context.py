"""What the checks look at: the built zones, indexed, plus the site and Mox's config."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .. import names
from ..model import MOX, Record, txt_text
from ..pipeline import Build, zone_for
from ..problem import ERROR, WARNING, Problem


@dataclass
class Context:
    build: Build
    octodns: dict[str, Any] | None = None  # config/octodns.yaml, parsed
    octodns_path: str = ""
    by_key: dict[tuple[str, str], list[Record]] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)  # name -> types
    zones: set[str] = field(default_factory=set)
    _signed_cache: set[str] | None = None
    _records: list[Record] | None = None

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for zone in self.build.zones:
            for record in zone.records:
                index[(record.name, record.rtype)].append(record)
        self.by_key = dict(index)
        types: dict[str, list[str]] = defaultdict(list)
        for name, rtype in self.by_key:
            types[name].append(rtype)
        self.by_name = dict(types)
        self.zones = {z.name for z in self.build.zones}

    @property
    def records(self) -> list[Record]:
        """Every published record (computed once)."""
        if self._records is None:
            self._records = [r for z in self.build.zones for r in z.records]
        return self._records

    def get(self, name: str, rtype: str) -> list[Record]:
        return self.by_key.get((name, rtype), [])

    def names(self) -> set[str]:
        return set(self.by_name)

    def types(self, name: str) -> list[str]:
        return self.by_name.get(name, [])

    def zone_of(self, name: str) -> str | None:
        return zone_for(name, self.zones)

    def txt(self, name: str, prefix: str) -> list[tuple[Record, str]]:
        """TXT records at ``name`` whose value starts with ``prefix`` (case-insensitive)."""
        out = []
        for record in self.get(name, "TXT"):
            value = txt_text(record.rdata)
            if value.lower().startswith(prefix.lower()):
                out.append((record, value))
        return out

    def signed(self, zone: str) -> bool:
        """The site says the zone is signed, or Mox printed TLSA for it active, which it does
        only after its resolver validated the domain with DNSSEC (admin/dnsrecords.go)."""
        return zone in self._signed

    @property
    def _signed(self) -> set[str]:
        if self._signed_cache is None:
            signed = {z.name for z in self.build.site.zones if z.dnssec}
            signed |= {
                z.name
                for z in self.build.zones
                for r in z.records
                if r.rtype == "TLSA" and r.kind == MOX and not r.disabled
            }
            self._signed_cache = signed
        return self._signed_cache

    def addresses(self, name: str) -> list[str]:
        return [r.value for t in ("A", "AAAA") for r in self.get(name, t)]

    def problem(
        self, record: Record, rule: str, message: str, fix: str, *, warning: bool = False
    ) -> Problem:
        return Problem(
            self.zone_of(record.name) or "",
            names.unicode(record.name),
            record.rtype,
            rule,
            WARNING if warning else ERROR,
            message,
            fix,
            str(record.origin),
        )
