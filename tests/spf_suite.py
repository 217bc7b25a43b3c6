"""The openspf RFC 7208 test suite (tests/data/lint/spf) as offline SPF lookups.

Each scenario's ``zonedata`` becomes a :class:`SuiteLookup`, answering as the suite's own
driver (pyspf's test/testspf.py) does: ``SPF`` entries also serve as TXT when a name has no
TXT entry, ``TXT: NONE`` means no TXT, a bare ``TIMEOUT`` makes every query of a type the name
has no records of time out, CNAMEs are followed, and names under ``error.`` time out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zonegen.mail.spf import ERROR, NXDOMAIN, Answer, is_spf

SUITE = Path(__file__).parent / "data" / "lint" / "spf" / "rfc7208-tests.yml"


@dataclass
class SuiteLookup:
    zone: dict[str, list[Any]]

    def ask(self, name: str, rdtype: str, depth: int = 0) -> Answer:
        key = ".".join(label for label in name.split(".") if label).lower()
        if any(len(label) > 63 for label in key.split(".")):
            return ERROR  # the suite's driver: pydns refuses long labels
        entries = self.zone.get(key)
        if entries is None:
            return ERROR if key.startswith("error.") else NXDOMAIN
        found: list[str] = []
        for entry in entries:
            if entry == "TIMEOUT":
                return ERROR if not found else tuple(found)
            kind, value = entry
            if kind == "CNAME" and rdtype != "CNAME" and depth < 8:
                return self.ask(str(value).rstrip("."), rdtype, depth + 1)
            if kind != rdtype:
                continue
            if value == "TIMEOUT":
                return ERROR
            found.append(_text(kind, value))
        return tuple(found)


def _text(kind: str, value: Any) -> str:
    if kind == "TXT":
        return "".join(value) if isinstance(value, list) else str(value)
    if kind == "MX":
        pref, exchange = value
        return f"{pref} {exchange or '.'}"
    return str(value)


def _entries(name: str, data: list[Any]) -> list[Any]:
    """The driver's getrdata(): SPF entries also serve as TXT unless the name has TXT."""
    out: list[Any] = []
    spf_as_txt: list[Any] = []
    has_txt = False
    for item in data:
        if not isinstance(item, dict):
            out.append(item)
            continue
        for kind, value in item.items():
            if kind == "TXT":
                has_txt = True
                if value == "NONE":
                    continue
            if kind == "SPF":
                spf_as_txt.append(("TXT", value))
                continue
            out.append((kind, value))
    if not has_txt:
        out.extend(spf_as_txt)
    return out


@dataclass(frozen=True)
class Case:
    scenario: str
    name: str
    ip: str
    sender: str
    helo: str
    results: tuple[str, ...]
    explanation: str | None
    lookup: SuiteLookup


def cases() -> Iterator[Case]:
    with SUITE.open(encoding="utf-8") as f:
        for scenario in yaml.safe_load_all(f):
            zone = {
                name.lower().rstrip("."): _entries(name, data or [])
                for name, data in scenario["zonedata"].items()
            }
            lookup = SuiteLookup(zone)
            for name, test in scenario["tests"].items():
                result = test["result"]
                yield Case(
                    scenario["description"],
                    name,
                    str(test["host"]),
                    str(test["mailfrom"]),
                    str(test["helo"]),
                    tuple(result) if isinstance(result, list) else (result,),
                    test.get("explanation"),
                    lookup,
                )


def records() -> Iterator[tuple[str, str, str, SuiteLookup]]:
    """(scenario, owner, SPF text, the scenario's lookup) for every record the suite
    publishes that receivers take as SPF (RFC 7208 4.5)."""
    with SUITE.open(encoding="utf-8") as f:
        for scenario in yaml.safe_load_all(f):
            zone = {
                name.lower().rstrip("."): _entries(name, data or [])
                for name, data in scenario["zonedata"].items()
            }
            lookup = SuiteLookup(zone)
            for name, entries in zone.items():
                for entry in entries:
                    if isinstance(entry, tuple) and entry[0] == "TXT":
                        text = _text("TXT", entry[1])
                        if is_spf(text):
                            yield scenario["description"], name, text, lookup
