"""The record model in the middle of the pipeline: readers produce it, renderers consume it.

A :class:`Record` is one resource record (one rdata) with the place it came from, so any
later message can name the file and line. Records are immutable and hashable; RRsets are
formed once per zone (:class:`Zone`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT

from . import names


@dataclass(frozen=True, slots=True, order=True)
class Origin:
    """Where a record came from: a file and a 1-based line (0 when there is no line)."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


# How a record entered the build; renderers don't care, checks and messages do.
MOX = "mox"  # printed by Mox
HOST = "host"  # the mail host's A/AAAA, which Mox never prints
SITE = "site"  # zones.<zone>.records in the site file
RETIRED = "retired"  # no longer printed by Mox, published until a date (site file retired:)
GLUE = "glue"  # a name server's address from bind.glue: in the BIND file only, like the apex NS


@dataclass(frozen=True, slots=True)
class Record:
    """One resource record. ``name`` is absolute, lowercase, A-labels, with the trailing dot.

    ``value`` and ``target`` are derived from ``rdata`` once, when the record is made: dnspython
    formats rdata anew on every ``to_text()`` (escaping TXT byte by byte) and a build sorts,
    de-duplicates and writes each record several times.
    """

    name: str
    rtype: str
    ttl: int
    rdata: dns.rdata.Rdata
    origin: Origin = field(compare=False)
    kind: str = field(default=MOX, compare=False)
    # Printed commented out (";; "), e.g. TLSA without DNSSEC: kept, published only on request
    # (and still marked, once published, as not printed active by Mox).
    disabled: bool = field(default=False, compare=False)
    # The rdata in presentation format (names absolute).
    value: str = field(init=False, compare=False, repr=False)
    # The name an MX (exchange), SRV, CNAME, NS or PTR (target) points at, lowercase; None for
    # types without one.
    target: str | None = field(init=False, compare=False, repr=False)
    # A TXT's character-strings joined (txt_text), what SPF, DKIM and DMARC read; None for
    # other types.
    txt: str | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._derive(str(self.rdata.to_text()))

    def _derive(self, value: str) -> None:
        """Set the texts derived from the rdata, ``value`` being its presentation text."""
        rdata = self.rdata
        _set_value(self, value)
        _set_target(self, _target_text(rdata, value))
        joined = txt_text(rdata) if isinstance(rdata, dns.rdtypes.ANY.TXT.TXT) else None
        _set_txt(self, joined)

    @classmethod
    def presented(
        cls, name: str, rtype: str, ttl: int, rdata: dns.rdata.Rdata, value: str, origin: Origin
    ) -> Record:
        """A record Mox printed (kind MOX, not disabled) whose rdata's presentation text is
        already known: ``value`` must be ``rdata.to_text()``, which the fast rdata reader
        writes as it builds the rdata (sources/rdata.py; the tests hold the two equal), so
        the record skips dnspython formatting the rdata again."""
        record = _new(cls)
        _set_name(record, name)
        _set_rtype(record, rtype)
        _set_ttl(record, ttl)
        _set_rdata(record, rdata)
        _set_origin(record, origin)
        _set_kind(record, MOX)
        _set_disabled(record, False)
        record._derive(value)
        return record

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity for de-duplication: the same data printed twice is one record. The
        presentation text stands for the rdata: equal rdata print alike and different rdata
        do not, and the text is computed once, where hashing an rdata renders its wire form."""
        return (self.name, self.rtype, self.value)

    def with_ttl(self, ttl: int) -> Record:
        """This record with another TTL (itself when the TTL is the same)."""
        return self if ttl == self.ttl else self.copy(ttl=ttl)

    def copy(
        self,
        *,
        name: str | None = None,
        rtype: str | None = None,
        ttl: int | None = None,
        rdata: dns.rdata.Rdata | None = None,
        origin: Origin | None = None,
        kind: str | None = None,
        disabled: bool | None = None,
    ) -> Record:
        """This record with the fields given changed (None: kept). The texts derived from the
        rdata are carried over when the rdata stays the same, and derived anew when it
        changes."""
        if rdata is not None:
            return Record(
                self.name if name is None else name,
                self.rtype if rtype is None else rtype,
                self.ttl if ttl is None else ttl,
                rdata,
                self.origin if origin is None else origin,
                self.kind if kind is None else kind,
                self.disabled if disabled is None else disabled,
            )
        # The slots are set one by one, without dataclass's __init__ and its __post_init__,
        # which would derive the texts again.
        copy = self.placed(
            self.name if name is None else name,
            self.ttl if ttl is None else ttl,
            self.origin if origin is None else origin,
            self.disabled if disabled is None else disabled,
        )
        if rtype is not None:
            _set_rtype(copy, rtype)
        if kind is not None:
            _set_kind(copy, kind)
        return copy

    def placed(self, name: str, ttl: int, origin: Origin, disabled: bool) -> Record:
        """This record's rdata (and the texts derived from it) at another owner, TTL and
        place: :meth:`copy` without its keywords, for Mox's reader, which makes every record
        as a copy of a template (one per distinct rdata text)."""
        copy = _new(Record)
        _set_name(copy, name)
        _set_rtype(copy, self.rtype)
        _set_ttl(copy, ttl)
        _set_rdata(copy, self.rdata)
        _set_origin(copy, origin)
        _set_kind(copy, self.kind)
        _set_disabled(copy, disabled)
        _set_value(copy, self.value)
        _set_target(copy, self.target)
        _set_txt(copy, self.txt)
        return copy

    def describe(self) -> str:
        """A short human label: owner and type, in Unicode when the name is an IDN."""
        return f"{names.unicode(self.name)} {self.rtype}"


# Each slot's own setter: a frozen dataclass refuses setattr, and object.__setattr__ looks
# the slot up anew on each call; the reader sets ten slots of each of 22,000 records at
# 1,000 domains (Record.placed).
_SLOTS = ("name", "rtype", "ttl", "rdata", "origin", "kind", "disabled", "value", "target", "txt")
(
    _set_name,
    _set_rtype,
    _set_ttl,
    _set_rdata,
    _set_origin,
    _set_kind,
    _set_disabled,
    _set_value,
    _set_target,
    _set_txt,
) = (getattr(Record, slot).__set__ for slot in _SLOTS)
assert set(_SLOTS) == set(Record.__slots__)
_new = object.__new__
_SET_PATH = Origin.__dict__["path"].__set__
_SET_LINE = Origin.__dict__["line"].__set__


def origin_at(path: str, line: int) -> Origin:
    """``Origin(path, line)`` without the frozen dataclass's ``__init__`` (one per record
    Mox's reader makes)."""
    origin = _new(Origin)
    _SET_PATH(origin, path)
    _SET_LINE(origin, line)
    return origin


# Types whose presentation text ends with the one name they point at (RFC 1035 3.3, RFC 2782,
# RFC 6672): dnspython writes a space inside a name as \032, so the last field of the text
# is the name's text, as ``to_text()`` of the name would give it again.
_TARGET_LAST = frozenset(
    {
        dns.rdatatype.CNAME,
        dns.rdatatype.DNAME,
        dns.rdatatype.MX,
        dns.rdatatype.NS,
        dns.rdatatype.PTR,
        dns.rdatatype.SRV,
    }
)


def _target_text(rdata: dns.rdata.Rdata, value: str) -> str | None:
    """The name ``rdata`` points at, lowercase (``value`` is its presentation text)."""
    if rdata.rdtype in _TARGET_LAST:
        return last_name(value).lower()
    return target_of(rdata)


def last_name(value: str) -> str:
    """The name at the end of a CNAME, DNAME, MX, NS, PTR or SRV presentation text, as
    ``Name.to_text()`` writes it (case kept): see :data:`_TARGET_LAST`."""
    return value.rsplit(" ", 1)[-1]


def target_of(rdata: dns.rdata.Rdata) -> str | None:
    """The name an rdata's ``exchange`` or ``target`` field holds, lowercase; None when it has
    none (the slow path of :func:`_target_text`; the tests hold the two to the same answer)."""
    for attr in ("exchange", "target"):
        name = getattr(rdata, attr, None)
        # URI's target is a byte string (RFC 7553), not a name nothing resolves.
        if isinstance(name, dns.name.Name):
            return str(name.to_text()).lower()
    return None


@dataclass(frozen=True, slots=True)
class RRset:
    """Records of one owner and type, as DNS serves them: one TTL, values sorted."""

    name: str  # absolute A-label
    rtype: str
    ttl: int  # RFC 2181 5.2: one TTL for the set
    records: tuple[Record, ...]  # sorted by value


def rrsets(records: Iterable[Record]) -> list[RRset]:
    """Group records into RRsets sorted by name and type; values sorted by their text.

    RFC 2181 5.2: the records of an RRset share one TTL; where inputs disagree the lowest wins.
    """
    groups: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        groups.setdefault((record.name, record.rtype), []).append(record)
    result = []
    for (name, rtype), group in sorted(groups.items()):
        group.sort(key=lambda r: r.value)
        result.append(RRset(name, rtype, min(r.ttl for r in group), tuple(group)))
    return result


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone zonegen writes: its name and its published records, sorted."""

    name: str
    records: tuple[Record, ...]
    _rrsets: tuple[RRset, ...] | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def rrsets(self) -> tuple[RRset, ...]:
        """The records grouped into RRsets (:func:`rrsets`), formed once, on first use: every
        writer and check reads the same sets, and a build forms them in its render workers."""
        if self._rrsets is None:
            object.__setattr__(self, "_rrsets", tuple(rrsets(self.records)))
        assert self._rrsets is not None
        return self._rrsets


TXT_CHUNK = 255  # RFC 1035 3.3: a <character-string> holds at most 255 octets.


def txt_text(rdata: dns.rdata.Rdata) -> str:
    """The joined value of a TXT rdata.

    SPF (RFC 7208 3.3) and DKIM (RFC 6376 3.6.2.2) join the strings without spaces.
    """
    assert isinstance(rdata, dns.rdtypes.ANY.TXT.TXT)
    return b"".join(rdata.strings).decode("utf-8", "surrogateescape")


def make_txt(value: bytes) -> dns.rdata.Rdata:
    """A TXT rdata holding ``value`` in 255-octet strings (an empty value: one empty string)."""
    chunks = [value[i : i + TXT_CHUNK] for i in range(0, len(value), TXT_CHUNK)] or [b""]
    return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, chunks)
