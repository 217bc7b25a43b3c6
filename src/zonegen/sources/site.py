"""The site file (config/site.yaml): what zonegen reads and how it shapes the zones.

Every key is checked here, with its line: unknown keys, wrong types and bad names are
rejected before anything is read or written. The result is a plain immutable :class:`Site`.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .. import names
from ..errors import InputError
from ..text import cut
from .files import read_text, show

T = TypeVar("T")

# RFC 2181 8: a TTL is an unsigned 31-bit number.
MAX_TTL = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Groups:
    """Mox's optional record groups; each is published unless turned off."""

    caa: bool = True
    null_srv: bool = True
    autodiscover: bool = True


@dataclass(frozen=True, slots=True)
class Soa:
    mname: str | None  # None: the first name server
    rname: str | None  # None: hostmaster.<zone>
    refresh: int = 7200
    retry: int = 3600
    expire: int = 1209600
    minimum: int = 300  # RFC 2308 negative-caching TTL; Mox's set-up TTL
    ttl: int = 3600  # TTL of the SOA and NS records


@dataclass(frozen=True, slots=True)
class Glue:
    """The addresses of a name server inside a zone, for the BIND file (``bind.glue``)."""

    name: str  # absolute A-label
    addresses: tuple[str, ...]  # IPv4 and IPv6, as ipaddress writes them
    line: int


@dataclass(frozen=True, slots=True)
class Bind:
    ns: tuple[str, ...]
    soa: Soa
    # A/AAAA for name servers inside the zone: a BIND file whose apex NS is in the zone must
    # carry its address (named refuses the zone otherwise). Per zone: only the names inside it.
    glue: tuple[Glue, ...] = ()
    line: int = 0  # where ns: was given (0: not given), for messages


@dataclass(frozen=True, slots=True)
class SiteRecord:
    """An extra record from ``zones.<zone>.records``, in octoDNS YAML syntax."""

    name: str  # relative to the zone, '' for the apex, as octoDNS writes it
    data: dict[str, Any]
    line: int


@dataclass(frozen=True, slots=True)
class Retired:
    """A record Mox no longer prints, kept published until a date (``zonegen retire``)."""

    name: str  # absolute A-label
    rtype: str
    value: str  # rdata in presentation format (TXT: the joined text, unquoted)
    until: datetime.date
    line: int


@dataclass(frozen=True, slots=True)
class TtlOverride:
    name: str  # absolute A-label
    rtype: str | None  # None: every type at that name
    ttl: int
    line: int


@dataclass(frozen=True, slots=True)
class ZoneSettings:
    name: str  # absolute A-label
    line: int
    # ``signed:`` in the site file (``dnssec:`` before): the zone is signed by whoever serves
    # it (its provider, BIND's dnssec-policy). zonegen signs nothing; this says what to expect
    # (publish Mox's commented-out TLSA, verify the signatures). The attribute keeps its name:
    # checks and verify read it.
    dnssec: bool
    records: tuple[SiteRecord, ...]
    bind: Bind
    kept: Path  # records kept from an imported zone (zonegen import); read when it exists
    kept_set: bool  # kept: given in the site file (then the file must exist)
    decisions: tuple[Decision, ...]  # how each conflict between kept and Mox is resolved


CHOICES = ("secondary", "drop", "merge", "mox", "keep")


@dataclass(frozen=True, slots=True)
class Decision:
    name: str  # absolute A-label
    rtype: str  # MX, SPF, TXT, CNAME, ...
    choice: str
    line: int


@dataclass(frozen=True, slots=True)
class Site:
    path: Path
    shown: str
    mox_records: tuple[Path, ...]
    mox_config: Path | None
    publish_commented: frozenset[str]
    groups: Groups
    exclude: tuple[TtlOverride, ...]  # name (+ type) of Mox records left out on purpose
    host_name: str | None
    ipv4: tuple[str, ...] | None  # None: not set in the site, take mox.conf's
    ipv6: tuple[str, ...] | None
    ttl_default: int | None
    ttl_overrides: tuple[TtlOverride, ...]
    ttl_min: int
    ttl_max: int
    ttl_kinds: tuple[tuple[str, int], ...]  # (kind, ttl): DKIM, TLSA, null SRV records
    zones: tuple[ZoneSettings, ...]
    octodns: Path | None  # the octoDNS config the provider checks read
    retired: tuple[Retired, ...] = ()
    # What the user should know about the site file itself (a deprecated key): every command
    # prints these on stderr; ``build`` carries them among its notes.
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------- YAML with lines


class _Map(dict[str, Any]):
    line: int
    lines: dict[str, int]


class _List(list[Any]):
    line: int
    lines: list[int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader (libyaml's parser where PyYAML has it) that remembers the line of every
    key and list item."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            # YAML reads `yes:` as true, `1.50:` as 1.5, `2026-01-01:` as a date: turning them
            # back into text would not give what was written.
            raise InputError(
                f"a key that is not text ({_kind(key)})",
                line=line,
                hint="put keys in quotes, e.g. 'yes': or '1.50':",
            )
        if key in result:
            raise InputError(f"key {cut(key)!r} appears twice", line=line)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> _List:
    result = _List(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    try:
        return int(yaml.constructor.SafeConstructor.construct_yaml_int(loader, node))
    except ValueError:  # Python refuses ints of more than 4300 digits (sys.int_info)
        raise InputError("a number too long to be a value", line=node.start_mark.line + 1) from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)

# YAML aliases share one node: a few lines can name a billion values (`&a [*b, *b, ...]`).
MAX_VALUES = 100_000


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for once its aliases are expanded (memoized per node,
    so the walk itself stays linear)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes) for child in node.value)
    sizes[id(node)] = size
    return size


def _load(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in text and _expanded_size(node, {}) > MAX_VALUES:  # no '*', no alias
            raise InputError(
                f"the site file stands for more than {MAX_VALUES} values once its YAML "
                "aliases (*name) are expanded",
                line=1,
                hint="write the values out instead of aliasing aliases",
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def plain(value: Any) -> Any:
    """Marked containers (dict and list subclasses that know their lines) back to plain
    dicts and lists, as octoDNS takes them (the site file's records, an octoDNS export)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------- checked access


class _Reader:
    def __init__(self, shown: str) -> None:
        self.shown = shown

    def error(self, line: int, message: str, hint: str | None = None) -> InputError:
        return InputError(message, path=self.shown, line=line, hint=hint)

    def keys(self, m: _Map, where: str, allowed: tuple[str, ...]) -> None:
        for key in m:
            if key not in allowed:
                import difflib  # only for a key that is not one

                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(allowed)}"
                raise self.error(m.lines[key], f"unknown key {cut(key)!r} in {where}", hint)

    def get(self, m: _Map, key: str, where: str, kind: type[T], desc: str, default: T) -> T:
        if key not in m or m[key] is None:
            return default
        value = m[key]
        # bool is an int in Python; a TTL of 'true' is still a mistake.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(m.lines[key], f"{where}.{key} must be {desc}, not {_kind(value)}")
        return value

    def section(self, m: _Map, key: str, where: str) -> _Map:
        empty = _Map()
        empty.line = m.lines.get(key, getattr(m, "line", 1))
        empty.lines = {}
        return self.get(m, key, where, _Map, "a mapping", empty)

    def str_list(self, m: _Map, key: str, where: str) -> list[tuple[str, int]] | None:
        if key not in m or m[key] is None:
            return None
        value = m[key]
        if isinstance(value, str):
            return [(value, m.lines[key])]
        if not isinstance(value, _List):
            raise self.error(m.lines[key], f"{where}.{key} must be a list, not {_kind(value)}")
        out = []
        for item, line in zip(value, value.lines, strict=True):
            if not isinstance(item, str | int) or isinstance(item, bool):
                raise self.error(line, f"each item of {where}.{key} must be text")
            out.append((str(item), line))
        return out

    def ttl(self, value: Any, line: int, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_TTL:
            raise self.error(line, f"{where} must be a TTL in seconds (0 to {MAX_TTL})")
        return value

    def name(self, text: str, line: int, what: str) -> str:
        return names.absolute_or_error(text, path=self.shown, line=line, what=what)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


# ---------------------------------------------------------------------------- the site file

_TOP = ("mox", "host", "ttl", "bind", "zones", "octodns", "retired")
_RETIRED = ("name", "type", "value", "until")
_MOX = ("records", "config", "publish_commented", "groups", "exclude")
_GROUPS = ("caa", "null_srv", "autodiscover")
_HOST = ("name", "ipv4", "ipv6")
_TTL = ("default", "kinds", "overrides", "min", "max")
TTL_KINDS = ("dkim", "tlsa", "null_srv")
_BIND = ("ns", "soa", "glue")
_SOA = ("mname", "rname", "refresh", "retry", "expire", "minimum", "ttl")
_ZONE = ("signed", "records", "bind", "kept", "conflicts", "dnssec")
_RECORD = ("type", "ttl", "value", "values")


# A new user's first `zonegen build` often runs outside a DNS repo: say how to get one.
SITE_HINT = (
    "run zonegen in your DNS repo (the folder that holds config/site.yaml), start one with "
    "'zonegen init DIR --quickstart quickstart.log', or pass --site PATH"
)


def load_site(path: Path) -> Site:
    """Read and check the site file at ``path``."""
    text = read_text(path, what="site file", hint=SITE_HINT)
    return parse_site(text, path)


def parse_site(text: str, path: Path) -> Site:
    """Check the site file ``text``; ``path`` is where it lives (relative paths start there)."""
    shown = show(path)
    try:
        data = _load(text)
    except InputError as e:
        raise InputError(e.message, path=shown, line=e.line, hint=e.hint) from None
    except RecursionError:
        raise InputError("not valid YAML: nested too deeply", path=shown) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(
            f"not valid YAML: {e.problem or e.context}", path=shown, line=line
        ) from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow
        line = text[: e.position].count("\n") + 1
        raise InputError(
            f"not valid YAML: character #x{e.character:04x} is not allowed", path=shown, line=line
        ) from None
    except yaml.YAMLError as e:
        raise InputError(f"not valid YAML: {str(e).splitlines()[0]}", path=shown) from None
    if not isinstance(data, _Map):
        raise InputError("the site file must be a mapping with mox: and zones:", path=shown, line=1)
    return _parse_site(data, path.resolve(), shown)


def _parse_site(data: _Map, path: Path, shown: str) -> Site:
    r = _Reader(shown)
    folder = path.parent
    r.keys(data, "the site file", _TOP)
    notes: list[str] = []
    # Sections are read in this order (keyword arguments are evaluated left to right), so
    # the first error reported is the first in the file's usual layout.
    return Site(
        path=path,
        shown=shown,
        **_mox(r, data, folder),
        **_host(r, data),
        **_ttl(r, data),
        zones=_zones(
            r, data, folder, _bind(r, r.section(data, "bind", "site"), "bind", None), notes
        ),
        octodns=_resolve(
            folder, r.get(data, "octodns", "site", str, "a file path", "") or "octodns.yaml"
        ),
        retired=_retired(r, data),
        notes=tuple(notes),
    )


def _mox(r: _Reader, data: _Map, folder: Path) -> dict[str, Any]:
    if "mox" not in data:
        raise r.error(1, "the site file needs a 'mox:' section with 'records:'")
    mox = r.get(data, "mox", "site", _Map, "a mapping", _Map())
    r.keys(mox, "mox", _MOX)
    recs = r.str_list(mox, "records", "mox")
    if not recs:
        raise r.error(
            mox.line,
            "mox.records must list at least one file Mox printed",
            "e.g. records: [quickstart.log]",
        )
    config_text = r.get(mox, "config", "mox", str, "a folder path", "")
    commented = r.str_list(mox, "publish_commented", "mox") or []
    gmap = r.section(mox, "groups", "mox")
    r.keys(gmap, "mox.groups", _GROUPS)
    groups = {g: r.get(gmap, g, "mox.groups", bool, "true or false", True) for g in _GROUPS}
    return {
        "mox_records": tuple(_resolve(folder, p) for p, _ in recs),
        "mox_config": _resolve(folder, config_text) if config_text else None,
        "publish_commented": frozenset(t.upper() for t, _ in commented),
        "groups": Groups(**groups),
        "exclude": tuple(
            _name_type(r, text, line, 0, "mox.exclude")
            for text, line in (r.str_list(mox, "exclude", "mox") or [])
        ),
    }


def _host(r: _Reader, data: _Map) -> dict[str, Any]:
    host = r.section(data, "host", "site")
    r.keys(host, "host", _HOST)
    host_text = r.get(host, "name", "host", str, "a host name", "")
    return {
        "host_name": r.name(host_text, host.lines["name"], "host.name") if host_text else None,
        "ipv4": _ips(r, host, "ipv4", 4),
        "ipv6": _ips(r, host, "ipv6", 6),
    }


def _ttl(r: _Reader, data: _Map) -> dict[str, Any]:
    ttl = r.section(data, "ttl", "site")
    r.keys(ttl, "ttl", _TTL)
    ttl_default = (
        r.ttl(ttl["default"], ttl.lines["default"], "ttl.default")
        if ttl.get("default") is not None
        else None
    )
    bounds = {
        key: r.ttl(ttl[key], ttl.lines[key], f"ttl.{key}") if ttl.get(key) is not None else dflt
        for key, dflt in (("min", 60), ("max", 604800))
    }
    if bounds["min"] > bounds["max"]:
        raise r.error(ttl.line, "ttl.min is larger than ttl.max")
    kmap = r.section(ttl, "kinds", "ttl")
    r.keys(kmap, "ttl.kinds", TTL_KINDS)
    ttl_kinds = tuple(
        (kind, r.ttl(kmap[kind], kmap.lines[kind], f"ttl.kinds.{kind}"))
        for kind in TTL_KINDS
        if kmap.get(kind) is not None
    )
    omap = r.section(ttl, "overrides", "ttl")
    overrides = tuple(
        _name_type(
            r,
            key,
            omap.lines[key],
            r.ttl(value, omap.lines[key], f"ttl.overrides[{cut(key)}]"),
            "ttl.overrides",
        )
        for key, value in omap.items()
    )
    return {
        "ttl_default": ttl_default,
        "ttl_overrides": overrides,
        "ttl_min": bounds["min"],
        "ttl_max": bounds["max"],
        "ttl_kinds": ttl_kinds,
    }


def _zones(
    r: _Reader, data: _Map, folder: Path, default_bind: Bind, notes: list[str]
) -> tuple[ZoneSettings, ...]:
    zmap = r.get(data, "zones", "site", _Map, "a mapping of zone names", _Map())
    if not zmap:
        raise r.error(
            data.lines.get("zones", 1),
            "the site file needs 'zones:' with at least one zone",
            "e.g. zones: {example.com: {}}",
        )
    zones: list[ZoneSettings] = []
    seen: dict[str, int] = {}
    for zname, zconf in zmap.items():
        line = zmap.lines[zname]
        zone = r.name(zname, line, "zone name")
        if zone in seen:
            raise r.error(line, f"zone {cut(zname)} is listed twice (also line {seen[zone]})")
        seen[zone] = line
        if zconf is None:
            zconf = _Map()
            zconf.line, zconf.lines = line, {}
        if not isinstance(zconf, _Map):
            raise r.error(line, f"zones.{cut(zname)} must be a mapping (or {{}})")
        where = f"zones.{cut(zname)}"
        r.keys(zconf, where, _ZONE)
        dnssec = _signed(r, zconf, where, notes)
        zrecords = _site_records(r, zconf, where)
        bind = _bind(r, r.section(zconf, "bind", where), f"{where}.bind", default_bind)
        kept_text = r.get(zconf, "kept", where, str, "a file path", "")
        kept = _resolve(folder, kept_text or f"kept/{zone.rstrip('.')}.yaml")
        decisions = _decisions(r, r.section(zconf, "conflicts", where), f"{where}.conflicts")
        own = [g for g in bind.glue if g not in default_bind.glue]
        for g in own:
            if not names.in_zone(g.name, zone):
                raise r.error(
                    g.line,
                    f"{where}.bind.glue: {cut(names.unicode(g.name).rstrip('.'))} is not "
                    "inside the zone",
                    "glue gives the addresses of name servers inside their own zone; a name "
                    "server elsewhere needs none",
                )
        zones.append(
            ZoneSettings(zone, line, dnssec, zrecords, bind, kept, bool(kept_text), decisions)
        )
    return _place_glue(r, tuple(zones), default_bind)


def _place_glue(
    r: _Reader, zones: tuple[ZoneSettings, ...], default_bind: Bind
) -> tuple[ZoneSettings, ...]:
    """Each zone keeps the glue of its own names: what ``zones.<zone>.bind.glue`` gave, and of
    the top-level ``bind.glue`` the names whose zone (the longest matching suffix) it is.
    A top-level name inside no zone would be out-of-zone data, which named ignores: refused."""
    zone_names = {z.name for z in zones}

    def home(name: str) -> str | None:
        suffix = name
        while suffix not in zone_names:
            if suffix == ".":
                return None
            suffix = suffix.split(".", 1)[1] or "."
        return suffix

    for g in default_bind.glue:
        if home(g.name) is None:
            raise r.error(
                g.line,
                f"bind.glue: {cut(names.unicode(g.name).rstrip('.'))} is inside no zone of zones:",
                "glue gives the addresses of name servers inside their own zone; a name "
                "server elsewhere needs none",
            )
    out = []
    for z in zones:
        glue = tuple(g for g in z.bind.glue if g not in default_bind.glue or home(g.name) == z.name)
        out.append(z if glue == z.bind.glue else replace(z, bind=replace(z.bind, glue=glue)))
    return tuple(out)


def _signed(r: _Reader, zconf: _Map, where: str, notes: list[str]) -> bool:
    """``signed:``, or its old name ``dnssec:``, which read as if zonegen would sign the zone
    (it never does: the provider or the server signs it)."""
    if "dnssec" not in zconf:
        return r.get(zconf, "signed", where, bool, "true or false", False)
    if "signed" in zconf:
        raise r.error(
            zconf.lines["dnssec"],
            f"{where} has both signed: and dnssec: (its old name)",
            "keep signed: only",
        )
    value = r.get(zconf, "dnssec", where, bool, "true or false", False)
    notes.append(
        f"{r.shown}:{zconf.lines['dnssec']}: {where}.dnssec is deprecated, write "
        f"signed: {str(value).lower()} (the zone is signed by its DNS provider or server; "
        "zonegen signs nothing)"
    )
    return value


def _retired(r: _Reader, data: _Map) -> tuple[Retired, ...]:
    items = data.get("retired")
    if items is None:
        return ()
    if not isinstance(items, _List):
        raise r.error(data.lines["retired"], "retired must be a list of records")
    out = []
    for item, line in zip(items, items.lines, strict=True):
        if not isinstance(item, _Map):
            raise r.error(line, "each retired entry is {name, type, value, until}")
        r.keys(item, "retired[]", _RETIRED)
        missing = [k for k in _RETIRED if item.get(k) in (None, "")]
        if missing:
            raise r.error(line, f"retired entry without {', '.join(missing)}")
        for key in ("name", "type", "value"):
            if not isinstance(item[key], str):
                raise r.error(
                    item.lines[key],
                    f"retired[].{key} must be text, not {_kind(item[key])}",
                    "put it in quotes",
                )
        until = item["until"]
        if isinstance(until, datetime.datetime):
            raise r.error(line, "until must be a date (YYYY-MM-DD), without a time")
        if isinstance(until, str):
            try:
                until = datetime.date.fromisoformat(until)
            except ValueError:
                raise r.error(line, f"until: {cut(until)!r} is not a date (YYYY-MM-DD)") from None
        if not isinstance(until, datetime.date):
            raise r.error(line, "until must be a date (YYYY-MM-DD)")
        out.append(
            Retired(
                r.name(str(item["name"]), line, "retired name"),
                str(item["type"]).upper(),
                str(item["value"]),
                until,
                line,
            )
        )
    return tuple(out)


def _resolve(folder: Path, text: str) -> Path:
    """A path from the site file: ``~`` expanded, relative ones relative to the site file's
    folder. (On strings, then one Path: a site of a thousand zones resolves thousands.)"""
    return Path(os.path.normpath(os.path.join(folder, os.path.expanduser(text))))  # noqa: PTH111, PTH118


def _ips(r: _Reader, host: _Map, key: str, version: int) -> tuple[str, ...] | None:
    items = r.str_list(host, key, "host")
    if items is None:
        return None if key not in host else ()
    out: list[str] = []
    for text, line in items:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            raise r.error(line, f"host.{key}: {cut(text)!r} is not an IP address") from None
        if ip.version != version:
            raise r.error(
                line,
                f"host.{key}: {text} is an IPv{ip.version} address",
                f"put it under host.ipv{ip.version}",
            )
        if str(ip) not in out:
            out.append(str(ip))
    return tuple(out)


def _name_type(r: _Reader, text: str, line: int, ttl: int, where: str) -> TtlOverride:
    parts = text.split()
    if not 1 <= len(parts) <= 2:
        raise r.error(line, f"{where}: expected 'NAME' or 'NAME TYPE', got {cut(text)!r}")
    name = r.name(parts[0], line, where)
    rtype = parts[1].upper() if len(parts) == 2 else None
    return TtlOverride(name, rtype, ttl, line)


def _decisions(r: _Reader, m: _Map, where: str) -> tuple[Decision, ...]:
    out = []
    for key, value in m.items():
        line = m.lines[key]
        parts = key.split()
        if len(parts) != 2:
            raise r.error(line, f"{where}: expected 'NAME TYPE: choice', got {cut(key)!r}")
        if value not in CHOICES:
            raise r.error(line, f"{where}[{cut(key)}] must be one of {', '.join(CHOICES)}")
        out.append(Decision(r.name(parts[0], line, where), parts[1].upper(), value, line))
    return tuple(out)


def _bind(r: _Reader, m: _Map, where: str, parent: Bind | None) -> Bind:
    r.keys(m, where, _BIND)
    ns_items = r.str_list(m, "ns", where)
    if ns_items is not None:
        ns = tuple(r.name(t, line, f"{where}.ns") for t, line in ns_items)
        ns_line = m.lines["ns"]
    else:
        ns, ns_line = (parent.ns, parent.line) if parent else ((), 0)
    base = parent.soa if parent else Soa(None, None)
    soa_map = r.section(m, "soa", where)
    r.keys(soa_map, f"{where}.soa", _SOA)
    values: dict[str, Any] = {}
    for key in ("mname", "rname"):
        text = r.get(soa_map, key, f"{where}.soa", str, "a domain name", "")
        if key == "rname" and "@" in text:
            # An e-mail address is the usual way to think of RNAME (RFC 1035 3.3.13).
            local, _, domain = text.partition("@")
            text = local.replace(".", "\\.") + "." + domain
        values[key] = (
            r.name(text, soa_map.lines[key], f"{where}.soa.{key}") if text else getattr(base, key)
        )
    for key in ("refresh", "retry", "expire", "minimum", "ttl"):
        if soa_map.get(key) is not None:
            values[key] = r.ttl(soa_map[key], soa_map.lines[key], f"{where}.soa.{key}")
        else:
            values[key] = getattr(base, key)
    glue = {g.name: g for g in (parent.glue if parent else ())}
    gmap = r.section(m, "glue", where)
    for key, value in gmap.items():
        g = _glue(r, key, value, gmap.lines[key], f"{where}.glue")
        glue[g.name] = g  # a zone's own glue for a name replaces the top-level one
    return Bind(ns, Soa(**values), tuple(sorted(glue.values(), key=lambda g: g.name)), ns_line)


def _glue(r: _Reader, key: str, value: Any, line: int, where: str) -> Glue:
    """``NAME: [IP, ...]`` (or one IP): the name server's IPv4 and IPv6 addresses."""
    name = r.name(key, line, where)
    items = value if isinstance(value, list) else [value]
    addresses: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise r.error(line, f"{where}[{cut(key)}] must be IP addresses, not {_kind(item)}")
        try:
            ip = str(ipaddress.ip_address(item))
        except ValueError:
            raise r.error(
                line, f"{where}[{cut(key)}]: {cut(item)!r} is not an IP address"
            ) from None
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise r.error(line, f"{where}[{cut(key)}] needs at least one IP address")
    return Glue(name, tuple(addresses), line)


def _site_records(r: _Reader, zconf: _Map, where: str) -> tuple[SiteRecord, ...]:
    rmap = r.get(zconf, "records", where, _Map, "a mapping of names to records", _Map())
    out: list[SiteRecord] = []
    for name, value in rmap.items():
        line = rmap.lines[name]
        items = value if isinstance(value, list) else [value]
        for item in items:
            entry = f"{where}.records[{cut(name)!r}]"
            if not isinstance(item, _Map):
                raise r.error(
                    line,
                    f"{entry} must be a record mapping with type and value(s), as in octoDNS YAML",
                )
            # Only what a zone file can hold: octoDNS's dynamic, geo or octodns settings
            # would be dropped on the way to the files, so they are refused here.
            r.keys(item, entry, _RECORD)
            r.get(item, "type", entry, str, "a record type", "")
            if item.get("ttl") is not None:
                r.ttl(item["ttl"], item.lines["ttl"], f"{entry}.ttl")
            out.append(SiteRecord(name, plain(item), item.line))
    return tuple(out)
