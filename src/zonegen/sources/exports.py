"""Existing zones in, in whatever form the export came: every record, with where it was.

Formats (``FORMATS``; :func:`detect` picks one from the text, ``--format`` overrides):

- ``zone``: a BIND master file, ``gcloud dns record-sets export --zone-file-format``,
  ``dig``/``kdig`` AXFR output (:mod:`.zonefile`);
- ``octodns``: octoDNS YAML (``octodns-dump``, a YamlProvider zone, zonegen's kept files);
- ``gcloud-yaml``: ``gcloud dns record-sets export`` without ``--zone-file-format`` (YAML
  documents of Cloud DNS resource record sets);
- ``gcloud-json``: ``gcloud dns record-sets list --format=json`` (a JSON list of them).

Nothing is judged here beyond reading: the importer decides what to keep. What a reader
cannot turn into records at all (a Cloud DNS routing policy, an octoDNS dynamic record, a
type octoDNS lacks in a YAML zone) comes back as a :class:`Refused` entry naming the record.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import yaml

from .. import names
from ..errors import InputError
from ..model import Origin, Record
from .files import show
from .site import plain
from .zonefile import KEPT, MAX_RECORDS, Budget, is_dig_output, read_limited, read_zone_file

# What to do with a record zonegen cannot keep: it stays on the server, unmanaged.
UNMANAGED = "leave it unmanaged (the delete guard keeps it on the server) or delete it"

FORMATS = ("zone", "octodns", "gcloud-yaml", "gcloud-json")
DESCRIBED = {
    "zone": "a zone file",
    "dig": "dig AXFR output",
    "octodns": "octoDNS YAML",
    "gcloud-yaml": "a Cloud DNS export (YAML)",
    "gcloud-json": "a Cloud DNS record-set list (JSON)",
}


@dataclass(frozen=True, slots=True)
class Refused:
    """A record the reader could not turn into DNS records: its name, type and why."""

    name: str  # absolute A-label, or the text as the export has it
    rtype: str
    reason: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class Export:
    fmt: str  # a key of DESCRIBED
    records: tuple[Record, ...]  # every record read, in the export's order
    refused: tuple[Refused, ...] = ()
    # (name, type) of RRsets whose octoDNS YAML entry asked for the lenient flag itself.
    lenient: frozenset[tuple[str, str]] = frozenset()
    notes: tuple[str, ...] = ()
    signatures: int = 0  # Cloud DNS signatureRrdatas: RRSIGs the signer makes


def read_export(path: Path, zone: str, fmt: str | None = None) -> Export:
    """Read the export ``path`` of ``zone`` (absolute A-label) in format ``fmt`` (detected
    when None)."""
    budget = Budget()
    text = read_limited(path, budget, what="zone export")
    return parse_export(text, zone, shown=show(path), folder=path.parent, fmt=fmt, budget=budget)


def parse_export(
    text: str,
    zone: str,
    *,
    shown: str,
    folder: Path,
    fmt: str | None = None,
    budget: Budget | None = None,
    kept: bool = False,
) -> Export:
    """:func:`read_export` for a text already read. ``kept``: zonegen's own kept file, whose
    TXT values have plain ``;``."""
    budget = budget or Budget()
    text = text.removeprefix("\ufeff")
    if _QUICKSTART.search(text):
        # It holds passwords: say what it is, and quote nothing of it.
        raise InputError(
            "this is a Mox quickstart log, not an export of an existing zone",
            path=shown,
            hint="Mox's records come in through mox.records in the site file; import the "
            "zone as it is live today (a zone file, dig AXFR, Cloud DNS or octoDNS export)",
        )
    if fmt == "zone" or (fmt is None and syntax(text) == "zone"):
        records, unread = read_zone_file(text, zone, shown=shown, folder=folder, budget=budget)
        refused = tuple(Refused(n, t, f"{why}: {UNMANAGED}", o) for n, t, why, o in unread)
        return Export("dig" if is_dig_output(text) else "zone", tuple(records), refused)
    if fmt == "gcloud-json" or (fmt is None and syntax(text) == "json"):
        data = _load_json(text, shown)
        if fmt is None and not _is_gcloud(data):
            return _octodns(data, zone, shown, kept=kept)  # an octoDNS zone written as JSON
        return _gcloud("gcloud-json", data, zone, shown)
    docs = _load_yaml(text, shown, documents=True)
    if fmt == "gcloud-yaml" or (fmt is None and any(_is_gcloud(d) for d in docs)):
        return _gcloud("gcloud-yaml", docs, zone, shown)
    if fmt not in (None, "octodns"):
        raise InputError(f"unknown export format {fmt!r}", hint=f"one of {', '.join(FORMATS)}")
    if len(docs) > 1:
        raise InputError(
            f"{len(docs)} YAML documents: an octoDNS zone is one mapping of names to records",
            path=shown,
        )
    return _octodns(docs[0] if docs else None, zone, shown, kept=kept)


def read_kept(path: Path, zone: str) -> tuple[Record, ...]:
    """The records of a zone's kept file (the I/O edge of :func:`parse_kept`)."""
    return parse_kept(read_limited(path, Budget(), what="kept file"), show(path), zone, path.parent)


def parse_kept(text: str, shown: str, zone: str, folder: Path = Path()) -> tuple[Record, ...]:
    """The records of a zone's kept file (zonegen import writes it, octoDNS YAML with plain
    ``;``); anything in it octoDNS cannot hold is an error naming the record. ``folder``
    is where a kept zone file's $INCLUDE may read from."""
    export = parse_export(text, zone, shown=shown, folder=folder, kept=True)
    if export.refused:
        first = export.refused[0]
        raise InputError(
            f"{_label(first.name)} {first.rtype}: {first.reason}",
            path=first.origin.path,
            line=first.origin.line or None,
            hint="fix the kept file, or run zonegen import again",
        )
    return export.records


# ---------------------------------------------------------------------------- detection

# Lines only a `mox quickstart` log has (quickstart.go): the record block's heading and the
# passwords it prints.
_QUICKSTART = re.compile(
    r"^(The DNS records to add:|Admin password:|IMAP, SMTP submission and HTTP account password)",
    re.MULTILINE,
)

_YAML_LINE = re.compile(
    r"""(---|\.\.\.|%|\?\s|- |'[^']*'\s*:|"[^"]*"\s*:|[^\s;$#"'][^\s]*:(\s|$))"""
)


def syntax(text: str) -> str:
    """Whether an export is a zone file, JSON or YAML, from its first line that is no
    comment; which YAML or JSON (Cloud DNS record sets or an octoDNS zone) is decided on
    the loaded data."""
    first = next(
        (
            line.strip()
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith((";", "#"))
        ),
        "",
    )
    if first.startswith(("[", "{")):
        return "json"
    if _YAML_LINE.match(first):
        return "yaml"
    return "zone"


def _is_gcloud(data: Any) -> bool:
    """Cloud DNS resource record sets: mappings with a name and a type (an octoDNS zone
    maps names to records instead), a list of them, or the API's list response."""
    if isinstance(data, list):
        return any(_is_gcloud(d) for d in data)
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("rrsets"), list):
        return True
    return isinstance(data.get("name"), str) and isinstance(data.get("type"), str)


# ---------------------------------------------------------------------------- YAML and JSON


class _Map(dict[str, Any]):
    line: int
    lines: dict[str, int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that remembers the line of every key and refuses a key given twice
    (PyYAML would keep the last one: a record silently dropped)."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    loader.flatten_mapping(node)  # merge keys ('<<') as PyYAML's own loader takes them
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = "" if key is None else str(key)
        line = key_node.start_mark.line + 1
        if key in result:
            raise InputError(f"{key!r} appears twice in one mapping", line=line)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


def _load_yaml(text: str, shown: str, *, documents: bool = False) -> Any:
    try:
        # An alias repeats a node without repeating its text: a few lines could stand for
        # millions of records. An export has no use for them.
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise InputError(
                    "YAML aliases (*name) are not taken in an import",
                    path=shown,
                    line=event.start_mark.line + 1 if event.start_mark else None,
                    hint="write the records out in full",
                )
        if documents:
            return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
        return yaml.load(text, Loader=_Loader)
    except InputError as e:
        raise InputError(e.message, path=shown, line=e.line, hint=e.hint) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(
            f"not valid YAML: {getattr(e, 'problem', None) or e}",
            path=shown,
            line=mark.line + 1 if mark else None,
        ) from None
    except RecursionError:
        raise InputError("the YAML nests too deeply", path=shown) from None


def _load_json(text: str, shown: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise ValueError(f"{key!r} appears twice in one object")
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON: {e.msg}", path=shown, line=e.lineno) from None
    except ValueError as e:
        raise InputError(f"not valid JSON: {e}", path=shown) from None
    except RecursionError:
        raise InputError("the JSON nests too deeply", path=shown) from None


# ---------------------------------------------------------------------------- Cloud DNS


def _gcloud(fmt: str, data: Any, zone: str, shown: str) -> Export:
    if isinstance(data, dict) and isinstance(data.get("rrsets"), list):
        data = data["rrsets"]  # the API's list response
    if isinstance(data, dict):
        data = [data]
    if isinstance(data, list) and any(isinstance(d, list) for d in data):
        # YAML documents that are lists of record sets ("- kind: dns#resourceRecordSet").
        data = [item for d in data for item in (d if isinstance(d, list) else [d])]
    if not isinstance(data, list):
        raise InputError("expected a list of Cloud DNS record sets", path=shown)
    records: list[Record] = []
    refused: list[Refused] = []
    signatures = 0
    origin_name = dns.name.from_text(zone)
    for i, item in enumerate(data):
        line = getattr(item, "line", 0)
        origin = Origin(shown, line)
        where = f"record set {i + 1}" if not line else "record set"
        if not isinstance(item, dict):
            raise InputError(f"{where} is not a mapping", path=shown, line=line or None)
        name_text, rtype = item.get("name"), item.get("type")
        if not isinstance(name_text, str) or not isinstance(rtype, str):
            raise InputError(f"{where} has no name and type", path=shown, line=line or None)
        try:
            name = names.absolute(name_text)
        except ValueError as e:
            raise InputError(f"{where}: {e}", path=shown, line=line or None) from None
        rtype = rtype.upper()
        ttl = item.get("ttl")
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
            raise InputError(
                f"{name_text} {rtype}: ttl must be a number of seconds",
                path=shown,
                line=line or None,
            )
        signatures += len(item.get("signatureRrdatas") or ())
        if item.get("routingPolicy"):
            refused.append(
                Refused(
                    name,
                    rtype,
                    "a Cloud DNS routing policy (geo, weighted or failover answers) has no "
                    "zone-file form: keep it in Cloud DNS and leave it unmanaged (the delete "
                    "guard keeps it)",
                    origin,
                )
            )
            continue
        rrdatas = item.get("rrdatas")
        if not isinstance(rrdatas, list) or not all(isinstance(v, str) for v in rrdatas):
            raise InputError(
                f"{name_text} {rtype}: rrdatas must be a list of texts",
                path=shown,
                line=line or None,
            )
        if len(records) + len(rrdatas) > MAX_RECORDS:
            raise InputError(
                f"more than {MAX_RECORDS} records: more than an import takes", path=shown
            )
        try:
            rdtype = dns.rdatatype.from_text(rtype)
        except dns.exception.DNSException:
            raise InputError(
                f"{name_text}: unknown record type {rtype}", path=shown, line=line or None
            ) from None
        for value in rrdatas:
            try:
                rdata = dns.rdata.from_text(
                    dns.rdataclass.IN, rdtype, value, origin=origin_name, relativize=False
                )
            except Exception as e:  # dnspython raises many types on bad rdata
                raise InputError(
                    f"{name_text} {rtype}: {value!r} is not {rtype} data: {e}",
                    path=shown,
                    line=line or None,
                ) from None
            records.append(Record(name, rtype, ttl, rdata, origin, KEPT))
    return Export(fmt, tuple(records), tuple(refused), signatures=signatures)


# ---------------------------------------------------------------------------- octoDNS YAML


def _octodns(data: Any, zone: str, shown: str, *, kept: bool) -> Export:
    from ..octodns.exact import Unrepresentable, from_yaml

    if data is None:
        data = _Map()
    if not isinstance(data, dict):
        raise InputError("expected an octoDNS zone: a mapping of names to records", path=shown)
    lines: dict[str, int] = getattr(data, "lines", {})
    # octodns-dump escapes ';' in TXT values (escaped_semicolons: true), zonegen's own files
    # do not: an export with any '\;' in a TXT value is read the escaped way.
    escaped = not kept and _escaped(data)
    records: list[Record] = []
    refused: list[Refused] = []
    lenient: set[tuple[str, str]] = set()
    for name, entries in data.items():
        line = lines.get(name, 0)
        for entry in entries if isinstance(entries, list) else [entries]:
            # the line of its name, or of its item in a list of records
            entry_line = getattr(entry, "line", line) if isinstance(entries, list) else line
            origin = Origin(shown, entry_line)
            if not isinstance(entry, dict):
                raise InputError(
                    f"record {name!r} is not a mapping", path=shown, line=entry_line or None
                )
            rtype = entry.get("type")
            if not isinstance(rtype, str) or not rtype:
                raise InputError(
                    f"record {name!r} has no type", path=shown, line=entry_line or None
                )
            ttl = entry.get("ttl", 0)
            if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
                raise InputError(
                    f"record {name!r} {rtype}: ttl must be a number of seconds",
                    path=shown,
                    line=entry_line or None,
                )
            fqdn = f"{name}.{zone}" if name else zone
            reason = _octodns_unsupported(entry)
            if reason:
                refused.append(Refused(_absolute(fqdn), rtype, reason, origin))
                continue
            try:
                got = from_yaml(zone, str(name), plain(entry), escaped=escaped)
            except Unrepresentable as e:
                refused.append(Refused(_absolute(fqdn), rtype, f"{e}: {UNMANAGED}", origin))
                continue
            if len(records) + len(got.texts) > MAX_RECORDS:
                raise InputError(
                    f"more than {MAX_RECORDS} records: more than an import takes", path=shown
                )
            if got.lenient:
                lenient.add((got.name, got.rtype))
            elif got.reasons and kept:
                # zonegen writes such a record with the flag; without it, it is an edit
                # octoDNS would refuse at sync time.
                raise InputError(
                    f"record {name!r} {got.rtype}: octoDNS rejects it: {'; '.join(got.reasons)}",
                    path=shown,
                    line=entry_line or None,
                    hint="fix the value, or mark it octodns: {lenient: true} if it is valid DNS",
                )
            rdtype = dns.rdatatype.from_text(got.rtype)
            try:
                rdatas = [
                    dns.rdata.from_text(
                        dns.rdataclass.IN, rdtype, text, origin=dns.name.root, relativize=False
                    )
                    for text in got.texts
                ]
            except Exception as e:  # dnspython raises many types on bad rdata
                why = f"octoDNS writes it as something dnspython cannot read ({e}): {UNMANAGED}"
                refused.append(Refused(got.name, got.rtype, why, origin))
                continue
            records += [Record(got.name, got.rtype, got.ttl, rd, origin, KEPT) for rd in rdatas]
    return Export("octodns", tuple(records), tuple(refused), frozenset(lenient))


def _escaped(data: dict[str, Any]) -> bool:
    for entries in data.values():
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict) and str(entry.get("type", "")).upper() in ("TXT", "SPF"):
                values = entry.get("values")
                values = values if isinstance(values, list) else [entry.get("value")]
                if any(isinstance(v, str) and "\\;" in v for v in values):
                    return True
    return False


def _octodns_unsupported(entry: dict[str, Any]) -> str | None:
    if "dynamic" in entry or "geo" in entry:
        return (
            "an octoDNS dynamic (geo or weighted) record has no zone-file form: keep it in "
            "your octoDNS config and leave it unmanaged here (the delete guard keeps it)"
        )
    meta = entry.get("octodns")
    if isinstance(meta, dict):
        if meta.get("ignored"):
            return "octoDNS ignores it (octodns: ignored): it stays unmanaged"
        if meta.get("included") or meta.get("excluded"):
            return (
                "it is limited to some providers (octodns: included/excluded), which zonegen's "
                "zones cannot say: leave it in your octoDNS config"
            )
    return None


def _absolute(name: str) -> str:
    try:
        return names.absolute(name)
    except ValueError:
        return name


def _label(name: str) -> str:
    try:
        return names.unicode(name)
    except Exception:
        return name
