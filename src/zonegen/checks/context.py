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
    zones: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for zone in self.build.zones:
            for record in zone.records:
                index[(record.name, record.rtype)].append(record)
        self.by_key = dict(index)
        self.zones = [z.name for z in self.build.zones]

    @property
    def records(self) -> list[Record]:
        return [r for z in self.build.zones for r in z.records]

    def get(self, name: str, rtype: str) -> list[Record]:
        return self.by_key.get((name, rtype), [])

    def names(self) -> set[str]:
        return {name for name, _ in self.by_key}

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
        if any(z.name == zone and z.dnssec for z in self.build.site.zones):
            return True
        return any(
            r.rtype == "TLSA" and r.kind == MOX and not r.disabled and self.zone_of(r.name) == zone
            for r in self.records
        )

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
