"""What octoDNS makes of a record: for ``zonegen import``, which keeps a record only when
octoDNS carries it exactly.

octoDNS holds each record as its own value model (TXT as one text, MX as preference and
exchange, ...) and writes it back as presentation text (``Record.to_rrset``). Whether that
text is the record the export had is not argued type by type here: it is tried. The RRset
goes through octoDNS's ``data_from_rrset`` (what its own zone-file and AXFR sources do) and
:func:`~zonegen.octodns.records.new_record` (zonegen's validators), comes back through
``to_rrset``, and dnspython compares the two.

- :data:`SUPPORTED`: the DNS types an octoDNS record can hold (not ALIAS and URLFWD, which
  are provider features with no DNS wire form).
- :func:`judge`: octoDNS's text for an RRset, and the reasons its validators give (a record
  they reject may still be exact: octoDNS's ``lenient`` flag keeps it).
- :func:`from_yaml`: one record of an octoDNS YAML zone (an ``octodns-dump``, or zonegen's
  kept file) as presentation texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from octodns.record import Record as OctoRecord
from octodns.record.exception import ValidationError
from octodns.record.rr import Rrset
from octodns.zone import Zone as OctoZone

from .records import new_record, quiet, sync_reasons

# Provider features without a DNS form: a zone file or a DNS server cannot hold them.
NOT_DNS = frozenset({"ALIAS", "URLFWD"})
# The DNS types, known when this module is imported. A provider package registers its own
# types as "Provider/TYPE" (octodns-powerdns's PowerDnsProvider/LUA), whenever it happens to
# be imported: those are never DNS (see _provider_feature), whatever the import order.
SUPPORTED = frozenset(t for t in OctoRecord.registered_types() if "/" not in t) - NOT_DNS
TXT_TYPES = frozenset({"TXT", "SPF"})
DEFAULT_TTL = 3600  # YamlProvider's default_ttl, which octodns-dump leaves out of its files


class Unrepresentable(Exception):
    """octoDNS cannot hold the record at all (a parse error, a type it lacks, ...)."""


@dataclass(frozen=True, slots=True)
class Judgement:
    written: tuple[str, ...]  # octoDNS's presentation text of each value (to_rrset)
    ttl: int
    reasons: tuple[str, ...]  # what the validators reject; empty when they accept it


@cache
def _zone(zone: str) -> OctoZone:
    return OctoZone(zone, [])


def judge(zone: str, name: str, rtype: str, ttl: int, texts: list[str]) -> Judgement:
    """octoDNS's record for the RRset ``name`` ``rtype`` of ``zone``, written back.

    ``texts`` are the values in presentation format with absolute names."""
    _provider_feature(rtype)
    if rtype not in SUPPORTED:
        raise Unrepresentable(f"octoDNS has no {rtype} type")
    rrset = Rrset(name, rtype, ttl, texts)
    octo = _zone(zone)
    try:
        # What octoDNS's own zone-file and AXFR sources do (Record.from_rrset), judged by
        # zonegen's validators; leniently when they reject it.
        data = OctoRecord.registered_types()[rtype].data_from_rrset(rrset)
        owner = octo.hostname_from_fqdn(name)
        record, reasons = _judged(octo, owner, data)
        out = record.to_rrset()
    except Exception as e:  # octoDNS raises plain exceptions on values it cannot parse
        raise Unrepresentable(f"octoDNS cannot read it: {_why(e)}") from None
    return Judgement(tuple(out.rdatas), int(out.ttl), reasons)


@dataclass(frozen=True, slots=True)
class YamlRecord:
    name: str  # absolute, as octoDNS encodes it (A-labels)
    rtype: str
    ttl: int
    texts: tuple[str, ...]
    reasons: tuple[str, ...]  # what the validators reject (the record is lenient)
    lenient: bool  # the entry asks for octoDNS's lenient flag itself


def from_yaml(zone: str, name: str, data: dict[str, Any], *, escaped: bool) -> YamlRecord:
    """One octoDNS YAML record entry as presentation texts.

    ``escaped``: TXT values escape ``;`` as ``\\;`` (``escaped_semicolons: true``, what
    ``octodns-dump`` writes); otherwise they are plain (zonegen's files)."""
    data = dict(data)
    data.setdefault("ttl", DEFAULT_TTL)  # as YamlProvider reads an entry without one
    rtype = str(data.get("type", ""))
    _provider_feature(rtype)
    if rtype and rtype not in SUPPORTED:
        raise Unrepresentable(f"octoDNS has no {rtype} type")
    if not escaped and rtype in TXT_TYPES:
        # As YamlProvider reads a file written with escaped_semicolons: false.
        if isinstance(data.get("value"), str):
            data["value"] = data["value"].replace(";", "\\;")
        if isinstance(data.get("values"), list):
            data["values"] = [
                v.replace(";", "\\;") if isinstance(v, str) else v for v in data["values"]
            ]
    meta = data.get("octodns")
    asked = isinstance(meta, dict) and meta.get("lenient") is True
    try:
        record, reasons = _judged(_zone(zone), name, data)
        out = record.to_rrset()
    except Unrepresentable:
        raise
    except Exception as e:  # octoDNS raises plain exceptions for bad data
        raise Unrepresentable(_why(e)) from None
    return YamlRecord(out.name, out._type, int(out.ttl), tuple(out.rdatas), reasons, asked)


def _provider_feature(rtype: str) -> None:
    """ALIAS, URLFWD and provider-specific types ("Provider/TYPE") have no DNS form. Before,
    an installed octodns-powerdns made PowerDnsProvider/LUA a type octoDNS "has", and its
    refusal quoted a Python error ('_PowerDnsLuaValue' object has no attribute ...)."""
    if rtype in NOT_DNS or "/" in rtype:
        raise Unrepresentable(f"{rtype} is a provider feature, not a DNS record type")


def _judged(octo: OctoZone, name: str, data: dict[str, Any]) -> tuple[Any, tuple[str, ...]]:
    """The octoDNS record for ``data``, and what zonegen's validators and octoDNS's own (as
    a sync runs them) reject in it: a kept record either touches is written with octoDNS's
    lenient flag."""
    reasons: list[str] = []
    strict = {k: v for k, v in data.items() if k != "octodns"}  # judged without the flag
    record = None
    try:
        record = new_record(octo, name, strict)
    except ValidationError as e:
        reasons += [str(r) for r in e.reasons]
    reasons += [r for r in sync_reasons(octo, name, strict) if r not in reasons]
    if record is None or reasons:
        with quiet():
            record = new_record(octo, name, data, lenient=True)
    return record, tuple(reasons)


def _why(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(str(r) for r in e.reasons)
    if isinstance(e, KeyError):  # octoDNS's value models look their fields up by name
        return f"it has no field {e.args[0]!r}" if e.args else "a field it needs is missing"
    return str(e).strip() or type(e).__name__
