"""Existing zones in: a BIND zone file (``gcloud dns record-sets export --zone-file-format``,
``dig AXFR`` output) or octoDNS YAML (``octodns-dump``).

What a zone's operator or its signer owns is not data to keep: the SOA, the apex NS and the
DNSSEC records (DNSKEY, RRSIG, NSEC, NSEC3, NSEC3PARAM, CDS, CDNSKEY, BIND's private signing
state, and the DS at the apex). Glue and delegations below the apex (NS, DS, their A/AAAA)
are kept.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

from .. import names
from ..errors import InputError
from ..model import Origin, Record, make_txt
from ..text import digits
from .files import read_text, show
from .rdata import in_zone

KEPT = "kept"  # Record.kind of records kept from an imported zone

_DNSSEC = {"DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "CDS", "CDNSKEY", "TYPE65534"}


@dataclass(frozen=True, slots=True)
class Imported:
    records: tuple[Record, ...]
    skipped: Counter[str]  # why records were left out -> count


def read_export(path: Path, zone: str) -> Imported:
    """Read an export of ``zone`` (absolute A-label): YAML by extension, else zone-file text."""
    return parse_export(read_text(path, what="zone export"), show(path), zone, yaml=is_yaml(path))


def is_yaml(path: Path) -> bool:
    return path.suffix in (".yaml", ".yml")


def parse_export(text: str, shown: str, zone: str, *, yaml: bool) -> Imported:
    """An export's records from its ``text``: octoDNS YAML, or zone-file text."""
    raw = _from_octodns(text, zone, shown) if yaml else _from_zone_file(text, zone, shown)
    return _filter(raw, zone)


# dig prints the transfer's TSIG signature as a record line (class ANY); it is not zone data.
_TSIG_LINE = re.compile(r"^\S+\s+\d+\s+ANY\s+TSIG\s", re.MULTILINE)


def _from_zone_file(text: str, zone: str, shown: str) -> list[Record]:
    # Blank the lines instead of removing them, so dnspython's line numbers stay right.
    text = _TSIG_LINE.sub("; ", text)
    try:
        z = dns.zone.from_text(
            text, origin=zone, relativize=False, check_origin=False, allow_include=False
        )
    except dns.exception.SyntaxError as e:
        line, msg = _where(str(e))
        if line and line > 1 and _fails(text, line - 1, zone, msg):
            # dnspython counts the line after it has read a record's end of line.
            line -= 1
        raise InputError(
            f"not a zone file dnspython can read: {msg}", path=shown, line=line
        ) from None
    except dns.exception.DNSException as e:
        raise InputError(f"not a zone file dnspython can read: {e}", path=shown) from None
    out = []
    for name, ttl, rdata in z.iterate_rdatas():
        rtype = dns.rdatatype.to_text(rdata.rdtype)
        if rtype == "TXT":
            rdata = make_txt(b"".join(rdata.strings))  # type: ignore[attr-defined]
        out.append(Record(name.to_text().lower(), rtype, ttl, rdata, Origin(shown), KEPT))
    return out


def _where(message: str) -> tuple[int | None, str]:
    if message.startswith("<string>:"):
        head, _, rest = message[len("<string>:") :].partition(": ")
        if digits(head):
            return int(head), rest
    return None, message


def _fails(text: str, lines: int, zone: str, message: str) -> bool:
    """Does the zone text cut after ``lines`` lines fail with the same message?"""
    try:
        dns.zone.from_text(
            "\n".join(text.split("\n")[:lines]) + "\n",
            origin=zone,
            relativize=False,
            check_origin=False,
            allow_include=False,
        )
    except dns.exception.DNSException as e:
        return _where(str(e))[1] == message
    return False


def _from_octodns(text: str, zone: str, shown: str) -> list[Record]:
    from ..octodns.records import export_rrset, load_yaml

    try:
        data = load_yaml(text)
    except Exception as e:  # PyYAML's errors carry the line
        mark = getattr(e, "problem_mark", None)
        raise InputError(
            f"not valid YAML: {getattr(e, 'problem', e)}",
            path=shown,
            line=mark.line + 1 if mark else None,
        ) from None
    if not isinstance(data, dict):
        raise InputError("expected an octoDNS zone (a mapping of names to records)", path=shown)
    out = []
    for name, entries in data.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict):
                raise InputError(f"record {name!r} is not a mapping", path=shown)
            entry = dict(entry)
            entry.setdefault("ttl", 3600)
            if str(entry.get("type", "")).upper() in ("TXT", "SPF"):
                # octodns-dump writes '\;' (escaped_semicolons: true), zonegen's files a
                # plain ';' (false): accept both, as octoDNS wants them escaped.
                for key in ("value", "values"):
                    if key in entry:
                        entry[key] = _escape(entry[key])
            try:
                owner, rtype, ttl, values = export_rrset(zone, str(name), entry)
            except Exception as e:  # ValidationError, and plain exceptions for unknown types
                raise InputError(f"record {name!r}: {e}", path=shown) from None
            for value in values:
                try:
                    rdata = in_zone(rtype, value, zone)
                except Exception as e:  # dnspython raises many types
                    raise InputError(f"record {name!r} {rtype}: {e}", path=shown) from None
                out.append(Record(owner.lower(), rtype, ttl, rdata, Origin(shown), KEPT))
    return out


_UNESCAPED = re.compile(r"(?<!\\);")


def _escape(value: object) -> object:
    if isinstance(value, str):
        return _UNESCAPED.sub("\\;", value)
    if isinstance(value, list):
        return [_escape(v) for v in value]
    return value


def _filter(raw: list[Record], zone: str) -> Imported:
    kept: list[Record] = []
    skipped: Counter[str] = Counter()
    seen: set[tuple[str, str, str]] = set()
    for record in raw:
        if record.key in seen:
            continue  # dig AXFR output repeats the SOA at the end
        seen.add(record.key)
        if not names.in_zone(record.name, zone):
            skipped["outside the zone"] += 1
        elif record.rtype == "SOA":
            skipped["SOA"] += 1
        elif record.rtype == "NS" and record.name == zone:
            skipped["apex NS"] += 1
        elif record.rtype in _DNSSEC or (record.rtype == "DS" and record.name == zone):
            skipped["DNSSEC"] += 1
        else:
            kept.append(record)
    return Imported(tuple(kept), skipped)
