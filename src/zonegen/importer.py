"""``zonegen import``: take an existing zone into the site's kept records, exactly or not at all.

Every record of the export ends in exactly one of these places, and the report says which:

- **kept**: written to the zone's kept file, which every ``zonegen build`` adds to the zone.
  A record is kept only when what build writes carries it exactly: the kept file is rendered,
  then read back three ways (octoDNS's ``YamlProvider``, zonegen's own kept-file reader, and
  dnspython on the BIND file build would write) and each must give the export's rdata and TTL.
  Records octoDNS's validators reject but that it holds exactly are kept with its ``lenient``
  flag and named in a note.
- **already Mox's**: the same record Mox's output makes; it appears once.
- **left out, with a note**: what the zone's operator or signer makes, not data: the SOA and
  apex NS (the site file's ``bind`` settings make them; the note says when the export's
  differ), DNSSEC records (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY, the apex DS,
  ZONEMD, BIND's signing state), and the same record given twice.
- **refused**: named with its file, line, type and the reason, and what to do. One refusal
  does not stop the others; the command exits 1 (``--strict``: nothing is written).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from . import names, roundtrip
from .errors import InputError
from .kept import Conflict, resolve
from .model import Record, txt_text
from .output import FileChange, plan, read_existing
from .sources import Inputs
from .sources.exports import DESCRIBED, UNMANAGED, Export, parse_kept, read_export
from .sources.files import show
from .sources.site import Bind, Soa, ZoneSettings

# Made by the zone's signer (or, for ZONEMD, by whatever writes the zone), never by hand:
# left out with one note. BIND keeps its signing state in private type 65534.
SIGNER = frozenset(
    {"DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "CDS", "CDNSKEY", "ZONEMD", "SIG", "NXT"}
)
SIGNER_PRIVATE = 65534
MAX_TTL = 2**31 - 1  # RFC 2181 8


@dataclass(frozen=True, slots=True)
class Refusal:
    """A record not imported: where it is, what it is, why, and what to do."""

    name: str
    rtype: str
    reason: str
    origin: str  # file:line of the first record
    count: int = 1  # records of the RRset refused together
    lines: tuple[int, ...] = ()  # the lines of the others

    def as_text(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        more = ""
        if self.count > 1:
            also = f", also line {', '.join(map(str, self.lines))}" if self.lines else ""
            more = f" ({self.count} records{also})"
        return f"{where}{_label(self.name)} {self.rtype}{more}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    text: str
    change: FileChange
    fmt: str
    read: int  # records in the export
    kept: tuple[Record, ...]
    same_as_mox: tuple[Record, ...]
    notes: tuple[str, ...]  # what was left out or changed on purpose, and why
    lenient: tuple[str, ...]  # records kept with octoDNS's lenient flag, and why
    refused: tuple[Refusal, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    conflicts: tuple[Conflict, ...]  # undecided
    decided: tuple[tuple[str, str], ...]  # (key, choice)


def _label(name: str) -> str:
    try:
        text = names.unicode(name)
    except Exception:
        text = name
    return text if text == "." else text.removesuffix(".")


def _diff_label(record: Record) -> str:
    value = txt_text(record.rdata) if record.rtype == "TXT" else record.value
    return f"{_label(record.name)} {record.ttl} {record.rtype} {value}"


def import_zone(
    inputs: Inputs,
    export_path: Path,
    zone_text: str,
    *,
    fmt: str | None = None,
    join_txt: bool = False,
) -> ImportResult:
    site = inputs.site
    zone = names.absolute_or_error(zone_text, path=None, line=None, what="--zone")
    if zone == ".":
        raise InputError(
            "--zone .: zonegen does not manage the root zone", hint="give the zone the export holds"
        )
    settings = next((z for z in site.zones if z.name == zone), None)
    if settings is None:
        raise InputError(
            f"zone {names.unicode(zone)} is not in the site file",
            path=site.shown,
            hint=f"add it under zones: ({names.unicode(zone).rstrip('.')}: {{}}) first",
        )
    export = read_export(export_path, zone, fmt)
    sorting = _Sorting(zone, settings.bind, export, join_txt)
    sorting.sort()

    # Mox's records for the zone, as a build without any kept records makes them.
    from .pipeline import build

    mox = [r for z in build(inputs.without_kept()).zones if z.name == zone for r in z.records]
    mox_keys = {r.key for r in mox}
    same = tuple(r for r in sorting.kept if r.key in mox_keys)
    candidates = [r for r in sorting.kept if r.key not in mox_keys]
    text, kept = sorting.verified(candidates, settings)

    old_text = read_existing(settings.kept)
    old = (
        {_diff_label(r) for r in parse_kept(old_text, show(settings.kept), zone)}
        if old_text is not None
        else set()
    )
    new = {_diff_label(r) for r in kept}
    (change,) = plan({settings.kept: text})
    _, undecided, _ = resolve(mox, list(kept), settings.decisions)
    decided = tuple(
        (f"{names.unicode(d.name).rstrip('.')} {d.rtype}", d.choice) for d in settings.decisions
    )
    return ImportResult(
        settings.kept,
        text,
        change,
        export.fmt,
        len(export.records) + len(export.refused),
        kept,
        same,
        tuple(sorting.notes),
        tuple(sorting.lenient_notes),
        tuple(sorting.refused),
        tuple(sorted(new - old)) if old_text is not None else (),
        tuple(sorted(old - new)),
        tuple(undecided),
        decided,
    )


class _Sorting:
    """Puts each record of an export in its place: kept, left out (a note) or refused."""

    def __init__(self, zone: str, bind: Bind, export: Export, join_txt: bool) -> None:
        self.zone = zone
        self.bind = bind
        self.export = export
        self.join_txt = join_txt
        self.kept: list[Record] = []
        self.notes: list[str] = []
        self.lenient_notes: list[str] = []
        self.refused: list[Refusal] = [
            Refusal(r.name, r.rtype, r.reason, str(r.origin)) for r in export.refused
        ]

    def refuse(self, records: list[Record], reason: str) -> None:
        first = records[0]
        lines = tuple(
            sorted(
                {
                    r.origin.line
                    for r in records[1:]
                    if r.origin.line and r.origin.line != first.origin.line
                }
            )
        )
        self.refused.append(
            Refusal(first.name, first.rtype, reason, str(first.origin), len(records), lines)
        )

    def sort(self) -> None:
        signer: Counter[str] = Counter()
        soa: list[Record] = []
        apex_ns: list[Record] = []
        sets: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for record in self.export.records:
            if not names.in_zone(record.name, self.zone):
                self.refuse(
                    [record],
                    f"outside the zone {_label(self.zone)}: import it with its own zone's --zone",
                )
            elif (
                record.rtype in SIGNER
                or record.rdata.rdtype == SIGNER_PRIVATE
                or (record.rtype == "DS" and record.name == self.zone)
            ):
                signer[record.rtype] += 1
            elif record.rtype == "SOA" and record.name == self.zone:
                soa.append(record)
            elif record.rtype == "SOA":
                self.refuse(
                    [record],
                    f"an SOA below the apex starts another zone ({_label(record.name)}): "
                    "import that zone's records with its own --zone",
                )
            elif record.rtype == "NS" and record.name == self.zone:
                apex_ns.append(record)
            else:
                sets[(record.name, record.rtype)].append(record)
        if self.export.signatures:
            signer["RRSIG"] += self.export.signatures
        if signer:
            listed = ", ".join(f"{n} {t}" for t, n in sorted(signer.items()))
            self.notes.append(
                f"left out {sum(signer.values())} DNSSEC records ({listed}): the zone's signer "
                "makes them"
            )
        self._soa_and_ns(soa, apex_ns)
        self.types_at: dict[str, set[str]] = defaultdict(set)
        for name, rtype in sets:
            self.types_at[name].add(rtype)
        duplicates = 0
        for key in sorted(sets):
            group, extra = _unique(sets[key])
            duplicates += extra
            self._rrset(key, group, sets)
        if duplicates:
            self.notes.append(
                f"{duplicates} records were given twice in the export: each is kept once "
                "(DNS has sets of records, RFC 2181 5)"
            )

    def _soa_and_ns(self, soa: list[Record], ns: list[Record]) -> None:
        zone_label = names.unicode(self.zone).rstrip(".")
        if soa:
            differ = _soa_differences(soa[0], self.bind.soa, self.bind.ns, self.zone)
            self.notes.append(
                "left out the SOA: the site file's bind.soa makes it"
                + (f" (the export's differs: {'; '.join(differ)})" if differ else "")
            )
        if ns:
            theirs = sorted({str(r.value).lower() for r in ns})
            ours = sorted(self.bind.ns)
            note = (
                f"left out the apex NS ({', '.join(theirs)}): the provider serves its own "
                "and the BIND files take bind.ns"
            )
            if theirs != ours:
                note += (
                    f" ({', '.join(ours) or 'not set'} in the site file; set "
                    f"zones.{zone_label}.bind.ns to the export's if those are the servers)"
                )
            self.notes.append(note)

    def _rrset(
        self,
        key: tuple[str, str],
        group: list[Record],
        sets: dict[tuple[str, str], list[Record]],
    ) -> None:
        name, rtype = key
        others = sorted(self.types_at[name] - {rtype})
        if rtype == "CNAME":
            if name == self.zone:
                self.refuse(
                    group,
                    "a CNAME at the zone's apex, which holds the SOA and NS "
                    "(RFC 1034 3.6.2): no DNS server loads it; " + UNMANAGED,
                )
                return
            if len(group) > 1:
                self.refuse(
                    group,
                    f"{len(group)} CNAMEs at one name (RFC 2181 10.1 allows one): keep the "
                    "one you mean in the export",
                )
                return
            if others:
                self.refuse(
                    group,
                    f"a CNAME where the export also has {', '.join(others)} (RFC 2181 10.1: a "
                    "CNAME stands alone): keep one of them in the export",
                )
                return
        if rtype == "DNAME" and len(group) > 1:
            self.refuse(group, "more than one DNAME at one name (RFC 6672 2.4)")
            return
        ttls = sorted({r.ttl for r in group})
        ttl = ttls[0]
        if ttl > MAX_TTL:
            self.refuse(
                group,
                f"TTL {ttl} is above 2147483647, which RFC 2181 8 reads as 0: fix the TTL",
            )
            return
        if len(ttls) > 1:
            self.notes.append(
                f"{_label(name)} {rtype}: its records have TTLs {', '.join(map(str, ttls))}; "
                f"an RRset has one TTL and the lowest counts (RFC 2181 5.2): kept at {ttl}"
            )
        for record in group:
            try:
                size = len(record.rdata.to_wire() or b"")
            except Exception:  # dnspython cannot put it on the wire at all
                size = 65536
            if size > 65535:  # RFC 1035 3.2.1: RDLENGTH is 16 bits
                self.refuse([record], "longer than the 65535 octets a record can hold")
                return
        self._judge(name, rtype, ttl, group)

    def _judge(self, name: str, rtype: str, ttl: int, group: list[Record]) -> None:
        from .octodns.exact import Unrepresentable, judge

        original = {r.rdata for r in group}
        try:
            verdict = judge(self.zone, name, rtype, ttl, [r.value for r in group])
        except Unrepresentable as e:
            self.refuse(group, f"{e}: {UNMANAGED}")
            return
        as_read = {r.value: r.rdata for r in group}
        try:
            # Most values come back as the very text dnspython wrote: no need to parse them.
            written = [as_read.get(t) or roundtrip.parse(rtype, t) for t in verdict.written]
        except Exception as e:
            self.refuse(group, f"octoDNS writes it as something else ({e}): {UNMANAGED}")
            return
        rdatas = set(written)
        if rdatas != original:
            joined = rtype in ("TXT", "SPF") and _joined(original) == _joined(rdatas)
            if not joined:
                shown = " | ".join(sorted(verdict.written))
                had = " | ".join(sorted(r.value for r in group))
                self.refuse(group, f"octoDNS would write it as {shown}, not {had}: {UNMANAGED}")
                return
            if not self.join_txt:
                self.refuse(
                    group,
                    f"its text is split into strings of {_lengths(original)} octets, and "
                    "octoDNS writes TXT as strings of 255 octets, which changes the record "
                    "(its joined text stays the same: SPF and DKIM readers join the strings, "
                    "RFC 7208 3.3, RFC 6376 3.6.2.2): rerun with --join-txt to take it so, "
                    "or " + UNMANAGED,
                )
                return
            self.notes.append(
                f"{_label(name)} {rtype}: strings of {_lengths(original)} octets joined into "
                f"{_lengths(rdatas)} (--join-txt; the same text)"
            )
        if verdict.ttl != ttl:
            self.refuse(group, f"octoDNS would give it TTL {verdict.ttl}: {UNMANAGED}")
            return
        if verdict.reasons:
            self.lenient_notes.append(f"{_label(name)} {rtype}: {'; '.join(verdict.reasons)}")
        first = group[0]
        self.kept.extend(replace(first, rdata=rd, ttl=ttl) for rd in written)

    def verified(
        self, records: list[Record], settings: ZoneSettings
    ) -> tuple[str, tuple[Record, ...]]:
        """The kept file's text for ``records``, and the records it holds: each RRset read
        back from what build writes (octoDNS YAML and BIND) exactly as the export had it;
        any that is not is refused."""
        for _ in range(len(records) + 1):
            text, wrong = roundtrip.check(self.zone, records, settings.bind)
            if not wrong:
                return text, tuple(sorted(records, key=lambda r: r.key))
            for (name, rtype), reason in sorted(wrong.items()):
                group = [r for r in records if (r.name, r.rtype) == (name, rtype)]
                if group:
                    self.refuse(group, f"{reason}: {UNMANAGED}")
                    self.lenient_notes[:] = [
                        n
                        for n in self.lenient_notes
                        if not n.startswith(f"{_label(name)} {rtype}:")
                    ]
            records = [r for r in records if (r.name, r.rtype) not in wrong]
        raise InputError("zonegen could not write the kept records exactly")  # pragma: no cover


def _unique(group: list[Record]) -> tuple[list[Record], int]:
    seen: dict[dns.rdata.Rdata, Record] = {}
    for record in group:
        prior = seen.get(record.rdata)
        if prior is None or record.ttl < prior.ttl:
            seen[record.rdata] = record if prior is None else prior.with_ttl(record.ttl)
    return list(seen.values()), len(group) - len(seen)


def _joined(rdatas: set[dns.rdata.Rdata]) -> list[bytes]:
    return sorted(b"".join(getattr(rd, "strings", ())) for rd in rdatas)


def _lengths(rdatas: set[dns.rdata.Rdata]) -> str:
    parts = sorted("+".join(str(len(s)) for s in getattr(rd, "strings", ())) for rd in rdatas)
    return ", ".join(parts)


def _soa_differences(record: Record, soa: Soa, ns: tuple[str, ...], zone: str) -> list[str]:
    rd = record.rdata
    out = []
    mname = soa.mname or (ns[0] if ns else None)
    rname = soa.rname or f"hostmaster.{zone}"
    theirs_m = str(getattr(rd, "mname", "")).lower()
    theirs_r = str(getattr(rd, "rname", "")).lower()
    if mname and theirs_m != mname:
        out.append(f"mname {theirs_m}, site {mname}")
    if theirs_r != rname:
        out.append(f"rname {theirs_r}, site {rname}")
    for field in ("refresh", "retry", "expire", "minimum"):
        theirs = getattr(rd, field, None)
        if theirs != getattr(soa, field):
            out.append(f"{field} {theirs}, site {getattr(soa, field)}")
    return out


def report(result: ImportResult, zone: str) -> str:
    """What import did, for the terminal."""
    lines = [
        f"read {result.read} records from {DESCRIBED.get(result.fmt, result.fmt)}",
        f"{len(result.kept)} records kept in {show(result.path)} ({result.change.status})",
    ]
    if result.same_as_mox:
        same = ", ".join(f"{_label(r.name)} {r.rtype} {r.value}" for r in result.same_as_mox)
        lines.append(
            f"note: {len(result.same_as_mox)} already as Mox makes them, kept once: {same}"
        )
    lines.extend(f"note: {n}" for n in result.notes)
    if result.lenient:
        lines.append(
            f"{len(result.lenient)} kept with octoDNS's lenient flag (valid DNS that octoDNS's "
            "validators reject; `zonegen check --provider NAME` says whether your provider "
            "takes them):"
        )
        lines.extend(f"  {n}" for n in result.lenient)
    if result.added or result.removed:
        lines.append("since the last import:")
        lines.extend(f"  + {a}" for a in result.added)
        lines.extend(f"  - {r}" for r in result.removed)
    elif result.change.status == "unchanged":
        lines.append("nothing changed since the last import")
    if result.conflicts:
        lines.append(
            f"{len(result.conflicts)} conflicts with Mox's records; build refuses until the "
            "site file decides each:"
        )
        lines.extend(f"  {c.describe()}" for c in result.conflicts)
        lines.append("add to the site file (first choice shown; edit as you decide):")
        lines.append("zones:")
        lines.append(f"  {names.unicode(zone).rstrip('.')}:")
        lines.append("    conflicts:")
        lines.extend(
            f"      {c.key}: {c.choices[0]}   # or: {', '.join(c.choices[1:])}"
            for c in result.conflicts
        )
    else:
        lines.append("no undecided conflicts with Mox's records")
    if result.refused:
        lines.append(f"{len(result.refused)} records refused, not imported:")
        lines.extend(f"  {r.as_text()}" for r in result.refused)
    return "\n".join(lines) + "\n"
