"""SPF test suites this project did not write (tests/data/lint/spf) as offline SPF lookups.

The openspf format (the RFC 7208 and RFC 4408 suites, pyspf's and blitiri spf's own suites):
each scenario's ``zonedata`` becomes a :class:`SuiteLookup`, answering as the suite's own
driver (pyspf's test/testspf.py) does: ``SPF`` entries also serve as TXT when a name has no
TXT entry, ``TXT: NONE`` means no TXT, a bare ``TIMEOUT`` makes every query of a type the name
has no records of time out, CNAMEs are followed, and names under ``error.`` time out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zonegen.mail.spf import ERROR, NXDOMAIN, Answer, is_spf

DIR = Path(__file__).parent / "data" / "lint" / "spf"
SUITE = DIR / "rfc7208-tests.yml"
# every suite in the openspf format; rfc7208 first (its labels win for records in several)
SUITES = (
    SUITE,
    DIR / "rfc4408-tests.yml",
    DIR / "pyspf-tests.yml",
    DIR / "blitirispf-tests.yml",
)
MAIL_AUTH = DIR / "mail-auth"


@dataclass
class SuiteLookup:
    zone: dict[str, list[Any]]

    def ask(self, name: str, rdtype: str, depth: int = 0) -> Answer:
        key = ".".join(label for label in name.split(".") if label).lower()
        if any(len(label) > 63 for label in key.split(".")):
            return ERROR  # the suite's driver: pydns refuses long labels
        entries = self.zone.get(key)
        if entries is None:
            # the openspf suites' driver: names under error. time out; mail-auth's: names
            # starting _dns_error fail
            return ERROR if key.startswith(("error.", "_dns_error")) else NXDOMAIN
        found: list[str] = []
        for entry in entries:
            if entry == "TIMEOUT":
                return ERROR if not found else tuple(found)
            kind, value = entry
            if kind == "SERVFAIL":  # blitiri spf's suite: every query of the name fails
                return ERROR
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


def _scenarios(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for scenario in yaml.safe_load_all(f):
            if scenario and "tests" in scenario:  # pyspf's suite opens with a comment document
                scenario.setdefault("zonedata", {})
                scenario.setdefault("description", scenario.get("comment", path.stem))
                yield scenario


def _lookup(scenario: dict[str, Any]) -> SuiteLookup:
    return SuiteLookup(
        {
            name.lower().rstrip("."): _entries(name, data or [])
            for name, data in scenario["zonedata"].items()
        }
    )


def cases(path: Path = SUITE) -> Iterator[Case]:
    for scenario in _scenarios(path):
        lookup = _lookup(scenario)
        for name, test in scenario["tests"].items():
            result = test["result"]
            yield Case(
                scenario["description"],
                name,
                str(test["host"]),
                str(test.get("mailfrom", "")),
                str(test.get("helo", "")),
                tuple(result) if isinstance(result, list) else (result,),
                test.get("explanation"),
                lookup,
            )


def records(path: Path = SUITE) -> Iterator[tuple[str, str, str, SuiteLookup]]:
    """(scenario, owner, SPF text, the scenario's lookup) for every record the suite
    publishes that receivers take as SPF (RFC 7208 4.5)."""
    for scenario in _scenarios(path):
        lookup = _lookup(scenario)
        for name, entries in lookup.zone.items():
            for entry in entries:
                if isinstance(entry, tuple) and entry[0] == "TXT":
                    text = _text("TXT", entry[1])
                    if is_spf(text):
                        yield scenario["description"], name, text, lookup


# ------------------------------------------------------------------ mail-auth's own format


@dataclass(frozen=True)
class Published:
    """An SPF record of mail-auth's suite as published, with the DNS as it was when the
    tests after it ran and the results those tests expect of it (tests whose identity is its
    owner while it is the owner's record)."""

    scenario: str
    owner: str
    text: str
    lookup: SuiteLookup
    results: tuple[tuple[str, ...], ...]


def mail_auth() -> Iterator[tuple[list[Case], list[Published]]]:
    """stalwartlabs/mail-auth resources/spf/*.yml, read as its own driver (src/spf/verify.rs
    tests) does: ``---`` documents of ``records:`` lines ``kind: name value`` (keys repeat,
    so not YAML) and ``tests:``, in file order; a later line for a name replaces the earlier
    one (its caches are maps); ``a``/``aaaa`` give comma-separated addresses, ``mx: name ip,
    ip`` one MX per address to a host ``mx.<ip>.<position>`` with that address, ``ptr: ip
    name, name``; names starting ``_dns_error`` fail with a DNS error. The identity a test
    evaluates is the sender's domain, or the HELO (``domain``) without a sender."""
    for path in sorted(MAIL_AUTH.glob("*.yml")):
        for doc in path.read_text(encoding="utf-8").split("---\n"):
            tests: list[Case] = []
            published: list[tuple[str, str, dict[str, list[Any]], list[tuple[str, ...]]]] = []
            zone: dict[str, list[Any]] = {}
            current: dict[str, int] = {}  # owner -> index in published of its SPF record
            name, test = path.stem, {}
            for raw in doc.split("\n"):
                line = raw.strip()
                line = line[1:].strip() if line.startswith("-") else line
                key, _, value = line.partition(":")
                value = value.strip()
                if key == "name":
                    name = value
                elif key in ("spf", "exp", "a", "aaaa", "ptr", "mx") and " " in value:
                    owner, rest = value.split(" ", 1)
                    owner = owner.lower().rstrip(".")
                    _mail_auth_record(zone, key, owner, rest.strip())
                    if key == "spf":
                        current[owner] = len(published)
                        published.append((owner, rest.strip(), zone, []))
                elif key in ("domain", "sender", "ip"):
                    test[key] = value
                elif key == "expect":
                    snapshot = SuiteLookup({k: list(v) for k, v in zone.items()})
                    result = value.split(" ", 1)[0]
                    sender = test.get("sender", "")
                    identity = sender.rpartition("@")[2] if sender else test.get("domain", "")
                    tests.append(
                        Case(
                            name,
                            f"{path.stem}-{len(tests) + 1}",
                            test.get("ip", "127.0.0.1"),
                            sender,
                            test.get("domain", ""),
                            (result,),
                            None,
                            snapshot,
                        )
                    )
                    for owner, index in current.items():
                        o, text, _, results = published[index]
                        published[index] = (o, text, snapshot.zone, results)
                        if owner == identity.lower().rstrip("."):
                            results.append((result,))
            yield (
                tests,
                [Published(name, o, text, SuiteLookup(z), tuple(r)) for o, text, z, r in published],
            )


def _mail_auth_record(zone: dict[str, list[Any]], key: str, owner: str, rest: str) -> None:
    items = [i.strip() for i in rest.split(",")]
    if key in ("spf", "exp"):
        zone[owner] = [e for e in zone.get(owner, []) if e[0] != "TXT"] + [("TXT", rest)]
    elif key in ("a", "aaaa"):
        kind = key.upper()
        zone[owner] = [e for e in zone.get(owner, []) if e[0] != kind] + [(kind, i) for i in items]
    elif key == "ptr":
        reverse = ipaddress.ip_address(owner).reverse_pointer
        zone[reverse] = [("PTR", i.rstrip(".")) for i in items]
    else:  # mx
        mxs = []
        for position, address in enumerate(items):
            host = f"mx.{address}.{position}".lower()
            zone[host] = [("AAAA" if ":" in address else "A", address)]
            mxs.append(("MX", (position + 1, host)))
        zone[owner] = [e for e in zone.get(owner, []) if e[0] != "MX"] + mxs
