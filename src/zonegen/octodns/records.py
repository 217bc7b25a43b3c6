"""The one door to octoDNS's record model: validation, records and YAML, as YamlProvider writes.

zonegen's choice of validators (octoDNS's ``strict`` record set, its ``legacy`` zone set, and
the legacy SRV value check) lives in registries of its own, built from octoDNS's registered
validators: octoDNS's global ones (``Record.validators``, ``Zone.validators``), which
octoDNS's Manager configures from ``manager.validators`` for ``octodns-sync`` (possibly in
the same process), are only read, never changed. So records are made here the way
``Record.new`` makes them (same name handling, same reasons, same ``ValidationError``), with
these registries asked instead of the global ones; ``tests/test_octodns_adapter.py`` holds
both to the same answers on every record of the test corpus.

The YAML is what ``octodns.provider.yaml.YamlProvider`` would write as a target (same data
per record, same natural key order, apex written as ``''``), for a provider configured with
``escaped_semicolons: false`` (plain ``;`` in TXT, readable in review), with every TTL spelled
out, so the file means the same whatever ``default_ttl`` the reader uses.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache, cached_property, lru_cache
from typing import Any

import yaml
from octodns.idna import IdnaError, idna_decode, idna_encode
from octodns.record import Record as OctoRecord
from octodns.record.exception import RecordException, ValidationError
from octodns.record.rr import RdataParseError, Rrset
from octodns.record.validator import RecordValidator, ValidatorRegistry
from octodns.yaml import NaturalSortingDumper, safe_dump, safe_load
from octodns.zone import Zone as OctoZone
from octodns.zone.base import DuplicateRecordException, SubzoneRecordException
from octodns.zone.exception import ValidationError as ZoneValidationError
from octodns.zone.validator import ZoneValidatorRegistry
from yaml.representer import SafeRepresenter

from .. import names
from ..errors import InputError, ZonegenError
from ..model import Origin, Record, RRset, Zone, last_name
from ..problem import ERROR, Problem
from ..sources.zonefile import KEPT

DEFAULT_TTL = 3600  # octoDNS's own default for a record without ttl

# ---------------------------------------------------------------------------- validators


class _Values(RecordValidator):  # type: ignore[misc]
    """octoDNS's ``_value-type``/``_values-type`` bridges (record/base.py), asking zonegen's
    registry: octoDNS's own bridges ask the global one."""

    def __init__(self, id: str, registry: _Registry) -> None:
        super().__init__(id)
        self.registry = registry

    def validate(
        self, record_cls: Any, name: str, fqdn: str, data: Any, disabled: Any = None
    ) -> list[Any]:
        if self.id == "_value-type":  # ValueTypeValidator: the value as it is
            values = data.get("value", None)
        else:  # ValuesTypeValidator: values, else value, as a list
            values = data.get("values", data.get("value", []))
            if not isinstance(values, list | tuple):
                values = [] if values is None else [values]
        return self.registry.process_values(
            record_cls._value_type, values, record_cls._type, disabled=disabled
        )


class _Registry(ValidatorRegistry):  # type: ignore[misc]
    """A private ``ValidatorRegistry`` with every validator octoDNS registered, and zonegen's
    sets active. Value sets that passed are remembered: a ``ValueValidator`` sees only the
    value type, the values and the record type (no name, no zone), and a thousand domains on
    one Mox repeat most of theirs (null SRVs, MX and CNAMEs to the host, CAA, SPF). Only
    passes are remembered; values that fail are judged, and reported, every time."""

    def __init__(self, sets: frozenset[str] = frozenset({"strict"})) -> None:
        super().__init__()
        available = OctoRecord.validators.available()
        bridges = {i: _Values(i, self) for i in ("_value-type", "_values-type")}
        for kind in ("record", "value"):
            for rtype, validators in available[kind].items():
                for validator in validators:
                    self.register(bridges.get(validator.id, validator), types=[rtype])
        # "strict" is "legacy" plus RFC value checks (64 hex digits for SHA-256 TLSA); except
        # for SRV values: Mox <= v0.0.13 printed its "no such service" records as `0 1 143 .`
        # (RFC 2782 only asks for the target "."), which strict's srv-value-rfc rejects; the
        # legacy SRV check stays on for them.
        self.enable_sets(set(sets))
        if "strict" in sets:
            self.disable("srv-value-rfc", types=["SRV"])
            self.enable("srv-value", types=["SRV"])
        self.passed: set[tuple[Any, ...]] = set()

    def process_record(
        self, record_cls: Any, name: str, fqdn: str, data: Any, disabled: Any = None
    ) -> list[Any]:
        # octoDNS's loop (ValidatorRegistry.process_record) turns every answer, empty or not,
        # into reasons through a generator, which costs a third of a valid record's checks.
        # The same validators are asked in the same order; the first answer that is not an
        # empty list (a reason, a validator without `disabled`, anything odd) hands the
        # record to octoDNS's own loop, which asks again and says what it makes of it. (This
        # registry is always configured: __init__ enables its sets.)
        skips = disabled or {}
        for key in ("*", record_cls._type):
            skip = skips.get(key, ())
            for validator in self.active_record.get(key, {}).values():
                if validator.id in skip and not validator.id.startswith("_"):
                    continue
                try:
                    found = validator.validate(record_cls, name, fqdn, data, disabled=skips)
                except TypeError:
                    found = None
                if type(found) is not list or found:
                    return list(super().process_record(record_cls, name, fqdn, data, disabled))
        return []

    def process_values(
        self, value_type: type, values: Any, _type: str, disabled: Any = None
    ) -> list[Any]:
        # repr tells 1 from '1' and keeps dict order: a key never matches different values.
        key = (value_type, _type, repr(values), repr(disabled))
        if key in self.passed:
            return []
        reasons: list[Any] = super().process_values(value_type, values, _type, disabled=disabled)
        if not reasons:
            if len(self.passed) > 200_000:
                self.passed.clear()
            self.passed.add(key)
        return reasons


@cache
def _records() -> _Registry:
    return _Registry()


@cache
def _sync_records() -> _Registry:
    """octoDNS's own default: the ``legacy`` set, which octodns-sync enables when the octoDNS
    config names none (``manager.validators.enabled``)."""
    return _Registry(frozenset({"legacy"}))


@cache
def _zones() -> Any:
    # Zone checks stay at "legacy" (CNAME coexistence): the "strict" set forbids SRV targets
    # that are CNAMEs, and Mox points _imaps/_submissions at the client-settings CNAME on
    # purpose (admin/dnsrecords.go cites mox PR 367: clients handle it; RFC 2782's MUST NOT
    # is moot).
    registry = ZoneValidatorRegistry()
    for validator in OctoZone.validators.available_validators():
        registry.register(validator)
    registry.enable_sets({"legacy"})
    return registry


_log = logging.getLogger("Record")  # the logger Record.new warns on


def new_record(
    zone: Any, name: str, data: Any, *, lenient: bool = False, registry: Any = None
) -> Any:
    """``Record.new(zone, name, data, lenient=lenient)``, judged by zonegen's validators
    (or ``registry``'s).

    Raises octoDNS's ``ValidationError`` with octoDNS's reasons, and octoDNS's plain
    ``Exception`` for a missing or unknown type, as ``Record.new`` does.
    """
    reasons: list[Any] = []
    try:
        name = idna_encode(str(name))
    except IdnaError as e:
        reasons.append(str(e))
        name = str(name)
    if " " in name or "\t" in name:
        reasons.append("invalid record, whitespace is not allowed")
    fqdn = f"{name}.{zone.name}" if name else zone.name
    context = getattr(data, "context", None)
    if "type" not in data:
        raise Exception(f"Invalid record {idna_decode(fqdn)}, missing type" + _at(context))
    cls = OctoRecord.registered_types().get(data["type"])
    if cls is None:
        raise Exception(f'Unknown record type: "{data["type"]}"' + _at(context))
    reasons += (registry or _records()).process_record(
        cls, name, fqdn, data, disabled=zone.disabled_record_validators
    )
    if "octodns" in data:  # rarely: the suppress below is not free
        with contextlib.suppress(KeyError):
            lenient |= bool(data["octodns"]["lenient"])
    if reasons:
        if not lenient:
            raise ValidationError(fqdn, reasons, context)
        _log.warning(ValidationError.build_message(fqdn, reasons, context))
    return cls(zone, name, data, context=context)


def _at(context: Any) -> str:
    return f", {context}" if context else ""


def from_rrset(zone: Any, rrset: Any) -> Any:
    """``Record.from_rrset(zone, rrset)``: octoDNS parses the presentation texts."""
    cls = OctoRecord.registered_types().get(rrset._type)
    if cls is None:
        raise RecordException(f'Unknown record type: "{rrset._type}"')
    return new_record(zone, zone.hostname_from_fqdn(rrset.name), cls.data_from_rrset(rrset))


def validate_zone(octo: Any) -> None:
    """``Zone.validate()`` with zonegen's zone validators: octoDNS's zone ValidationError."""
    reasons = [r for r in _zones().process_zone(octo) if not r.lenient]
    if reasons:
        raise ZoneValidationError(octo.decoded_name, reasons, context=octo.context)


def _rrset(rrset: RRset) -> Rrset:
    return Rrset(rrset.name, rrset.rtype, rrset.ttl, [_octo_text(r) for r in rrset.records])


def _octo_text(record: Record) -> str:
    """The presentation text as octoDNS's parser reads it. dnspython leaves out a LOC's size
    and precisions where they are RFC 1876's defaults (1m 10000m 10m); octoDNS's parser
    wants all twelve fields."""
    text = record.value
    if record.rtype == "LOC" and len(text.split()) < 12:
        rd: Any = record.rdata
        sizes = (rd.size, rd.horizontal_precision, rd.vertical_precision)  # centimetres
        text += "".join(f" {cm / 100.0:0.2f}m" for cm in sizes)
    return text


# ---------------------------------------------------------------------------- zones

_TEMPLATE = "zonegen.invalid."  # RFC 6761 6.4: a name that is never anyone's zone


class _Zone(OctoZone):  # type: ignore[misc]
    """octoDNS's ``Zone(name, [])``, made without compiling its two name patterns.

    ``Zone.__init__`` compiles two regular expressions from the zone's name, which only
    ``hostname_from_fqdn`` reads; ``re`` keeps 512 compiled patterns, so a build of a
    thousand zones compiles both for every zone (about 40 us, as much as rendering two
    records). Here octoDNS's own ``__init__`` makes the zone under one fixed name (its
    patterns come from ``re``'s cache), the name's attributes are then set as ``__init__``
    sets them, and the patterns are compiled on first use, from the same expressions.
    ``tests/test_octodns_adapter.py`` holds every attribute to a real Zone's."""

    def __init__(self, name: str) -> None:
        if not name.endswith(".") or ".." in name or " " in name or "\t" in name:
            OctoZone(name, [])  # octoDNS's own InvalidNameError (or IndexError, for "")
        super().__init__(_TEMPLATE, [])
        self._given = name
        self.name = idna_encode(str(name))
        self.decoded_name = idna_decode(self.name)
        del self._utf8_name_re, self._idna_name_re  # the template's: compiled below on use

    @cached_property
    def _utf8_name_re(self) -> re.Pattern[str]:
        return re.compile(rf"\.?{idna_decode(self._given)}?$")

    @cached_property
    def _idna_name_re(self) -> re.Pattern[str]:
        return re.compile(rf"\.?{self.name}?$")


class Rejected(ZonegenError):
    """octoDNS's validators reject a record: a problem of the zones, not bad input."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.as_text())
        self.problem = problem

    def __reduce__(self) -> tuple[type[Rejected], tuple[Problem]]:
        return (Rejected, (self.problem,))  # it crosses from the render workers


def zone_yaml(zone: Zone, *, slow: bool = False) -> str:
    """The octoDNS YAML text of ``zone``.

    Each RRset becomes an octoDNS record through :func:`new_record` (which runs the
    validators); its data comes straight from the parsed rdata (:func:`octo_data`), or, with
    ``slow=True`` and for types without a fast path, from octoDNS's own ``data_from_rrset``
    parsing the presentation text. The tests hold both to the same bytes.
    """
    octo = _Zone(zone.name)
    for rrset in zone.rrsets:
        first = rrset.records[0]
        kept = all(r.kind == KEPT for r in rrset.records)
        try:
            data = None if slow else octo_data(rrset)
            if data is None:
                record = from_rrset(octo, _rrset(rrset))
            else:
                record = new_record(octo, names.relative(rrset.name, zone.name), data)
            if kept and sync_reasons(
                octo, names.relative(rrset.name, zone.name), _data(rrset, data)
            ):
                record = _lenient(octo, zone.name, rrset, data)
            octo.add_record(record, lenient=kept)
        except ValidationError as e:
            if kept:
                octo.add_record(_lenient(octo, zone.name, rrset, data), lenient=True)
                continue
            raise Rejected(
                Problem(
                    zone.name,
                    names.unicode(rrset.name),
                    rrset.rtype,
                    "octodns-" + _validator_id(e.reasons),
                    ERROR,
                    f"octoDNS rejects it: {'; '.join(map(str, e.reasons))}",
                    "fix the value octoDNS names",
                    str(first.origin),
                )
            ) from None
        except (DuplicateRecordException, SubzoneRecordException) as e:
            raise InputError(
                f"octoDNS rejects {first.describe()}: {e}",
                path=first.origin.path,
                line=first.origin.line,
            ) from None
        except (RdataParseError, RecordException, ValueError, TypeError, KeyError, IndexError):
            # octoDNS's own parser cannot read the value as dnspython writes it: the YAML
            # would not say what the BIND file says, so the zone is not written.
            raise Rejected(
                Problem(
                    zone.name,
                    names.unicode(rrset.name),
                    rrset.rtype,
                    "octodns-parse",
                    ERROR,
                    "octoDNS cannot read this value as written in zone-file syntax: "
                    + " | ".join(r.value[:80] for r in rrset.records[:3]),
                    "write the record in another form, or leave it out of the zones",
                    str(first.origin),
                )
            ) from None
    try:
        validate_zone(octo)
    except ZoneValidationError as e:
        raise InputError(
            f"octoDNS rejects zone {octo.decoded_name}: {'; '.join(map(str, e.reasons))}"
        ) from None
    return dump(octo, slow=slow)


def _lenient(octo: Any, zone: str, rrset: RRset, data: dict[str, Any] | None) -> Any:
    """A record kept from an imported zone that octoDNS's validators reject, with octoDNS's
    own per-record ``lenient`` flag (``octodns: {lenient: true}`` in the YAML, which
    YamlProvider honours): zonegen import keeps such a record only when octoDNS carries it
    exactly (valid DNS the validators refuse: a wildcard CNAME target, an SRV without
    ``_service._proto`` labels) and names it; the kept file's reader refuses one without the
    flag, so build is lenient only where import was."""
    data = {**_data(rrset, data), "octodns": {"lenient": True}}
    with quiet():
        return new_record(octo, names.relative(rrset.name, zone), data, lenient=True)


def _data(rrset: RRset, data: dict[str, Any] | None) -> dict[str, Any]:
    """An RRset's octoDNS data: the fast path's, else octoDNS's own parse of the texts."""
    if data is not None:
        return data
    parsed: dict[str, Any] = OctoRecord.registered_types()[rrset.rtype].data_from_rrset(
        _rrset(rrset)
    )
    return parsed


def sync_reasons(octo: Any, name: str, data: dict[str, Any]) -> list[str]:
    """What octoDNS's own validators, as ``octodns-sync`` runs them (``legacy`` unless the
    octoDNS config says otherwise; a private registry, octoDNS's global one is only read),
    reject in a record that zonegen's validators may have let pass: ``strict`` replaces
    some ``legacy`` checks (NAPTR flags, for one), so a value can pass one set and fail the
    other. YamlProvider honours a
    record's lenient flag whatever the set."""
    strict = {k: v for k, v in data.items() if k != "octodns"}
    try:
        new_record(octo, name, strict, registry=_sync_records())
    except ValidationError as e:
        return [str(r) for r in e.reasons]
    return []


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """``new_record(..., lenient=True)`` logs the reasons it lets pass on octoDNS's
    ``Record`` logger, as Record.new does; zonegen reports them itself. The logger is
    silenced for the call only."""
    log = _log
    was, log.disabled = log.disabled, True
    try:
        yield
    finally:
        log.disabled = was


def reasons(zone: Zone) -> Iterable[tuple[RRset, str, str, str]]:
    """(RRset, validator id, reason, fix) for every reason octoDNS's validators give on
    ``zone``, each RRset's data made as the build makes it (for ``zonegen check``); an RRset
    octoDNS cannot parse at all is one reason of its own."""
    octo = _Zone(zone.name)
    for rrset in zone.rrsets:
        try:
            data = octo_data(rrset)
            if data is None:
                from_rrset(octo, _rrset(rrset))
            else:
                new_record(octo, names.relative(rrset.name, zone.name), data)
        except ValidationError as e:
            for reason in e.reasons:
                text = str(reason)
                rule = text.rsplit("via: ", 1)[1] if "via: " in text else "record"
                yield rrset, rule, text.split(", via:")[0], "fix the value octoDNS names"
        except (RdataParseError, ValueError) as e:
            yield rrset, "record", f"octoDNS cannot read the value: {e}", "fix the value"


def _validator_id(reasons: list[Any]) -> str:
    text = str(reasons[0]) if reasons else ""
    return text.rsplit("via: ", 1)[1].strip() if "via: " in text else "record"


def octo_data(rrset: RRset) -> dict[str, Any] | None:
    """octoDNS record data for an RRset of the common types, built from the parsed rdata
    (what ``data_from_rrset`` would get by tokenizing the text again); None for others."""
    values: list[Any] = []
    for record in rrset.records:
        rd: Any = record.rdata
        rtype = rrset.rtype
        if rtype in ("A", "AAAA"):
            values.append(rd.address)
        elif rtype == "CNAME":
            values.append(last_name(record.value))
        elif rtype == "MX":
            values.append({"preference": rd.preference, "exchange": last_name(record.value)})
        elif rtype == "SRV":
            values.append(
                {
                    "priority": rd.priority,
                    "weight": rd.weight,
                    "port": rd.port,
                    "target": last_name(record.value),
                }
            )
        elif rtype == "TLSA":
            values.append(
                {
                    "certificate_usage": rd.usage,
                    "selector": rd.selector,
                    "matching_type": rd.mtype,
                    "certificate_association_data": rd.cert.hex(),
                }
            )
        elif rtype in ("TXT", "CAA"):
            raw = b"".join(rd.strings) if rtype == "TXT" else rd.value
            text = raw.decode("ascii", "replace")
            if not raw.isascii() or '"' in text or "\\" in text or not text.isprintable():
                return None  # escapes: leave them to octoDNS's parser
            if rtype == "TXT":
                values.append(text.replace(";", "\\;"))  # octoDNS keeps TXT ';' escaped
            else:
                values.append({"flags": rd.flags, "tag": rd.tag.decode(), "value": text})
        else:
            return None
    if rrset.rtype == "CNAME":
        return {"type": "CNAME", "ttl": rrset.ttl, "value": values[0]}
    return {"type": rrset.rtype, "ttl": rrset.ttl, "values": values}


# ---------------------------------------------------------------------------- YAML out


def dump(octo: Any, *, slow: bool = False) -> str:
    """YAML for an octoDNS zone, as YamlProvider._apply builds it (escaped_semicolons=False).

    The text is emitted by libyaml through :class:`_FastDumper`, which keeps octoDNS's
    dumper settings and key order; ``slow=True`` uses octoDNS's own ``safe_dump`` (pure
    Python, about ten times slower). The tests hold both to the same bytes.
    """
    data: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in sorted(octo.records, key=_order):
        d = record.data
        d["type"] = record._type
        if record._type in ("SPF", "TXT"):
            if "value" in d:
                d["value"] = d["value"].replace("\\;", ";")
            if "values" in d:
                d["values"] = [v.replace("\\;", ";") for v in d["values"]]
        data[record.decoded_name].append(d)
    flat = {k: v[0] if len(v) == 1 else v for k, v in data.items()}
    if slow:
        return _slow(flat)
    head = _entry("", flat.pop("")) if "" in flat else "---\n"
    if not flat:
        return head if head != "---\n" else _slow({})
    # The entries of a block mapping are emitted one after the other, each on its own:
    # emitting each name alone and joining the texts gives the same bytes, and a name that
    # looks the same in many zones (the null SRVs, CAA, autoconfig) is emitted once.
    return head + "".join(_entry(name, flat[name]) for name in sorted(flat, key=_natural))


def _order(record: Any) -> tuple[str, str]:
    # octoDNS orders records by (name, type) (Record._equality_tuple, EqualityTupleMixin):
    # the same order, without a Python __lt__ call per comparison. A zone holds one record
    # per name and type (add_record refuses a second), so no two keys tie.
    return record.name, record._type


_ENTRIES: dict[tuple[str, str], str] = {}


def _entry(name: str, value: Any) -> str:
    key = (name, repr(value))
    text = _ENTRIES.get(key)
    if text is None:
        if len(_ENTRIES) > 200_000:
            _ENTRIES.clear()
        text = _apex(value) if name == "" else _document({name: value})[4:]
        _ENTRIES[key] = text
    return text


def _fast(data: dict[str, Any], *, explicit_start: bool) -> str:
    """``yaml.dump`` with :class:`_FastDumper` and octoDNS's settings: one stream, one
    document (what :func:`_document` gives without its dumper kept open)."""
    return str(yaml.dump(data, Dumper=_FastDumper, explicit_start=explicit_start, **_SETTINGS))


_SETTINGS: dict[str, Any] = {
    "canonical": False,
    "indent": 2,
    "default_style": "",
    "default_flow_style": False,
    "allow_unicode": True,
}


class _Documents:
    """One libyaml stream, kept open, that each entry is emitted into as a document of its
    own: ``yaml.dump`` makes a dumper, opens and closes a stream for every entry, which is a
    fifth of an entry's time. libyaml writes each document out whole when it ends (its
    emitter flushes at DOCUMENT-END), and every document starts from the same state (the
    representer forgets its objects, the serializer its anchors, after each): a document
    is the text ``yaml.dump(..., explicit_start=True)`` gives for the same data.
    ``tests/test_fast_paths.py`` compares the two on every entry of the test corpus."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.dumper = _FastDumper(self.out, explicit_start=True, **_SETTINGS)
        self.dumper.open()

    def emit(self, data: dict[str, Any]) -> str:
        self.dumper.represent(data)
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return text


_DOCUMENTS: list[_Documents] = []  # this process's open stream, made on first use


def _document(data: dict[str, Any]) -> str:
    """``yaml.dump(data, explicit_start=True)`` with :class:`_FastDumper` and octoDNS's
    settings; a mapping's document starts ``---`` and a line break."""
    if not _DOCUMENTS:
        _DOCUMENTS.append(_Documents())
    try:
        text = _DOCUMENTS[0].emit(data)
    except BaseException:
        _DOCUMENTS.clear()  # the stream may be left inside a document: start a new one
        raise
    if not text.startswith("---\n"):  # not a document as expected: the one-off dump's
        return _fast(data, explicit_start=True)
    return text


def _apex(value: Any) -> str:
    """The apex entry as PyYAML's emitter writes it: libyaml writes an empty key as
    ``'':`` with the value below it, PyYAML as the complex key ``? ''`` with the value after
    ``: `` (both load alike). The value block is libyaml's, moved into PyYAML's layout."""
    lines = _document({"": value}).split("\n")
    assert lines[0] == "---" and lines[1] == "'':", lines[:2]
    body = [line for line in lines[2:] if line]
    strip = min(len(line) - len(line.lstrip(" ")) for line in body)
    body = [line[strip:] for line in body]
    return "\n".join(["---", "? ''", ": " + body[0], *("  " + line for line in body[1:])]) + "\n"


def _slow(data: dict[str, Any]) -> str:
    out = io.StringIO()
    safe_dump(data, out, allow_unicode=True)
    return out.getvalue()


class _FastDumper(yaml.CSafeDumper):
    """libyaml's emitter with octoDNS's representers: mappings in natural key order
    (octodns.yaml.SortingDumper with the natural keygen), str subclasses as plain str."""


def _sorted_mapping(dumper: _FastDumper, data: dict[Any, Any]) -> yaml.Node:
    # Keys without digits (every key inside a record) sort the same naturally and plainly;
    # plain sorting them skips natsort, which is most of the representer's time.
    # Keys are unique, so ordering items by their key's natural sort key orders them as
    # octoDNS's natsort of the whole (key, value) item does.
    if all(isinstance(k, str) and _digitless(k) for k in data):
        items = sorted(data.items(), key=_first)
    else:
        items = sorted(data.items(), key=lambda item: _natural(item[0]))
    return dumper.represent_mapping("tag:yaml.org,2002:map", items)


@lru_cache(maxsize=4096)
def _digitless(key: str) -> bool:
    # A few dozen keys (record fields, the relative names Mox prints) come back in every zone.
    return not any(c.isdigit() for c in key)


@cache
def _natural(key: str) -> Any:
    return NaturalSortingDumper.KEYGEN(key)


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def _plain_str(dumper: _FastDumper, data: str) -> yaml.Node:
    # octoDNS values are str subclasses; libyaml's emitter takes exact str only.
    return SafeRepresenter.represent_str(dumper, str(data))


_FastDumper.add_representer(dict, _sorted_mapping)
_FastDumper.add_multi_representer(dict, _sorted_mapping)
_FastDumper.add_multi_representer(str, _plain_str)


# ---------------------------------------------------------------------------- YAML in


@cache
def _zone(name: str) -> Any:
    return OctoZone(name, [])


def site_rrset(
    zone_name: str, name: str, data: dict[str, Any], origin: Origin, ttl_default: int | None
) -> tuple[str, int, list[str]]:
    """Validate one site record (octoDNS YAML syntax, plain ';'); its type, TTL and rdata."""
    data = dict(data)
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
        rr = new_record(_zone(zone_name), name, data).to_rrset()
    except ValidationError as e:
        raise InputError(
            f"record {name or '@'!r}: {'; '.join(map(str, e.reasons))}",
            path=origin.path,
            line=origin.line,
        ) from None
    except Exception as e:  # octoDNS raises plain exceptions for unknown types and bad data
        raise InputError(
            f"record {name or '@'!r}: {e}", path=origin.path, line=origin.line
        ) from None
    return rr._type, rr.ttl, list(rr.rdatas)


def load_yaml(text: str) -> Any:
    """octoDNS's YAML loader (``octodns.yaml.safe_load``), key order not enforced."""
    return safe_load(text, enforce_order=False)
