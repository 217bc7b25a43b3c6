"""octoDNS YAML, written through octoDNS's own Record model and YAML dumper.

The file is what ``octodns.provider.yaml.YamlProvider`` would write as a target (same data
per record, same natural key order, apex written as ``''``), for a provider configured with
``escaped_semicolons: false`` (plain ``;`` in TXT, readable in review) and with every TTL
spelled out, so the file means the same whatever ``default_ttl`` the reader uses. Every
RRset passes through ``Record.from_rrset``, so octoDNS's validators (the ``strict`` set)
judge it before anything is written.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from functools import cache
from typing import Any

from octodns.record import Record as OctoRecord
from octodns.record.exception import ValidationError
from octodns.record.rr import Rrset
from octodns.yaml import safe_dump
from octodns.zone import Zone as OctoZone
from octodns.zone.base import DuplicateRecordException, SubzoneRecordException
from octodns.zone.exception import ValidationError as ZoneValidationError

from ..errors import InputError
from ..model import Origin, Zone, rrsets
from ..sources.site import SiteRecord

# octoDNS warns on stderr that it picks a validator set when none is configured; choose one.
# For records, "strict" is "legacy" plus RFC value checks (64 hex digits for SHA-256 TLSA).
logging.getLogger("octodns").addHandler(logging.NullHandler())
OctoRecord.enable_validators(["strict"])
# Except for SRV values: Mox <= v0.0.13 printed its "no such service" records as `0 1 143 .`
# (RFC 2782 only asks for the target "."), which strict's srv-value-rfc rejects; the legacy
# SRV check stays on for them.
OctoRecord.disable_validator("srv-value-rfc", types=["SRV"])
OctoRecord.enable_validator("srv-value", types=["SRV"])
# Zone checks stay at "legacy" (CNAME coexistence): the "strict" set forbids SRV targets that
# are CNAMEs, and Mox points _imaps/_submissions at the client-settings CNAME on purpose
# (admin/dnsrecords.go cites mox PR 367: clients handle it; RFC 2782's MUST NOT is moot).
OctoZone.enable_zone_validators(["legacy"])

DEFAULT_TTL = 3600  # octoDNS's own default for a record without ttl


@cache
def _zone(name: str) -> OctoZone:
    return OctoZone(name, [])


def render_octodns(zone: Zone) -> str:
    """The octoDNS YAML text of ``zone``."""
    octo = OctoZone(zone.name, [])
    for rrset in rrsets(zone.records):
        first = rrset.records[0]
        try:
            record = OctoRecord.from_rrset(
                octo, Rrset(rrset.name, rrset.rtype, rrset.ttl, [r.value for r in rrset.records])
            )
            octo.add_record(record)
        except ValidationError as e:
            raise InputError(
                f"octoDNS rejects {first.describe()}: {'; '.join(map(str, e.reasons))}",
                path=first.origin.path,
                line=first.origin.line,
            ) from None
        except (DuplicateRecordException, SubzoneRecordException) as e:
            raise InputError(
                f"octoDNS rejects {first.describe()}: {e}",
                path=first.origin.path,
                line=first.origin.line,
            ) from None
    try:
        octo.validate()
    except ZoneValidationError as e:
        raise InputError(
            f"octoDNS rejects zone {octo.decoded_name}: {'; '.join(map(str, e.reasons))}"
        ) from None
    return dump(octo)


def dump(octo: OctoZone) -> str:
    """YAML for an octoDNS zone, as YamlProvider._apply builds it (escaped_semicolons=False)."""
    data: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in sorted(octo.records):
        d = record.data
        d["type"] = record._type
        if record._type in ("SPF", "TXT"):
            if "value" in d:
                d["value"] = d["value"].replace("\\;", ";")
            if "values" in d:
                d["values"] = [v.replace("\\;", ";") for v in d["values"]]
        data[record.decoded_name].append(d)
    flat = {k: v[0] if len(v) == 1 else v for k, v in data.items()}
    out = io.StringIO()
    safe_dump(flat, out, allow_unicode=True)
    return out.getvalue()


def site_record_rrset(
    zone_name: str, entry: SiteRecord, origin: Origin, ttl_default: int | None
) -> tuple[str, int, list[str]]:
    """Validate one site record with octoDNS; return its type, TTL and rdata texts."""
    data = dict(entry.data)
    rtype = str(data.get("type", "")).upper()
    # The site file is written like our output: plain ';' (YamlProvider escaped_semicolons false).
    if rtype in ("SPF", "TXT"):
        if isinstance(data.get("value"), str):
            data["value"] = data["value"].replace("\\;", ";").replace(";", "\\;")
        if isinstance(data.get("values"), list):
            data["values"] = [
                v.replace("\\;", ";").replace(";", "\\;") if isinstance(v, str) else v
                for v in data["values"]
            ]
    data.setdefault("ttl", ttl_default if ttl_default is not None else DEFAULT_TTL)
    try:
        record = OctoRecord.new(_zone(zone_name), entry.name, data)
        rr = record.to_rrset()
    except ValidationError as e:
        raise InputError(
            f"record {entry.name or '@'!r}: {'; '.join(map(str, e.reasons))}",
            path=origin.path,
            line=origin.line,
        ) from None
    except Exception as e:  # octoDNS raises plain exceptions for unknown types and bad data
        raise InputError(
            f"record {entry.name or '@'!r}: {e}", path=origin.path, line=origin.line
        ) from None
    return rr._type, rr.ttl, list(rr.rdatas)
