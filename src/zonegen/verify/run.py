"""The checks of ``zonegen verify``, run in parallel with a bound, into one :class:`Report`.

1. Authoritative: every desired RRset, asked of every authoritative server without
   recursion: match, missing, different (both values), TTL differs; and records of other
   types at the names zonegen manages (extra).
2. Resolver: the same RRsets through a validating resolver: the answer matches and carries
   the AD bit (RFC 4035 3.2.3); a SERVFAIL that goes away with CD is DNSSEC bogus
   (RFC 4035 5.5); TLSA in a zone that is not signed is an error (RFC 7672 2.2: DANE needs
   DNSSEC); with the real hierarchy, the parent's DS must match a DNSKEY (RFC 4034 5).
3. DANE, only when asked: the certificate served after STARTTLS against the TLSA records.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import dns.dnssec
import dns.flags
import dns.name
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.resolver
import dns.rrset

from .. import names
from ..errors import InputError
from ..model import RRset, Zone, rrsets
from ..pipeline import Build
from .dane import SmtpError, fetch_certificate, tlsa_matches
from .dnsquery import Unreachable, answer_rrset, ask, forget_dead, has_rrsig, rcode_text
from .schema import VERSION as SCHEMA_VERSION
from .servers import Server

OK, WARNING, ERROR, FATAL = "ok", "warning", "error", "fatal"
# Types probed for records zonegen does not expect at the names it manages.
EXTRA_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "SRV", "TLSA", "CAA")


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # authoritative | resolver | dnssec | dane
    status: str  # ok, missing, different, ttl, extra, insecure, bogus, unsigned, ...
    severity: str  # ok | warning | error | fatal (could not check)
    zone: str
    name: str
    rtype: str
    server: str
    expected: tuple[str, ...] = ()
    got: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Where:
    zone: str
    name: str
    rtype: str
    server: str


def _f(
    where: Where,
    check: str,
    status: str,
    severity: str,
    *,
    expected: tuple[str, ...] = (),
    got: tuple[str, ...] = (),
    detail: str = "",
) -> Finding:
    return Finding(
        check,
        status,
        severity,
        where.zone,
        where.name,
        where.rtype,
        where.server,
        expected,
        got,
        detail,
    )


@dataclass
class Report:
    zones: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def exit_code(self) -> int:
        if self.count(FATAL):
            return 2
        return 1 if self.count(ERROR) else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,  # verify-report.schema.json; see schema.py
            "ok": self.exit_code == 0,
            "summary": {s: self.count(s) for s in (OK, WARNING, ERROR, FATAL)},
            "zones": self.zones,
            "findings": [
                {**asdict(f), "expected": list(f.expected), "got": list(f.got)}
                for f in self.findings
            ],
        }


def _values(rtype: str, rdatas: Iterable[dns.rdata.Rdata]) -> tuple[str, ...]:
    """Comparable values: TXT joined (what SPF/DKIM read), the rest in canonical text."""
    out = []
    for rd in rdatas:
        if rtype == "TXT":
            out.append(b"".join(rd.strings).decode("utf-8", "replace"))  # type: ignore[attr-defined]
        else:
            out.append(rd.to_text().lower())
    return tuple(sorted(out))


def _desired(rrset: RRset) -> tuple[str, ...]:
    return _values(rrset.rtype, (r.rdata for r in rrset.records))


# Many zones are split over processes (forked: they share the build): the checks are bound by
# Python's time per query more than by the servers, and threads share one interpreter lock.
PARALLEL_FROM = 20


def verify(
    build: Build,
    *,
    nameservers: list[Server],
    resolver: Server | None,
    smtp: Server | None = None,
    dane: bool = False,
    workers: int = 32,
) -> Report:
    """Check every zone of ``build`` against the live DNS."""
    procs = min(os.cpu_count() or 1, 4)
    if len(build.zones) < PARALLEL_FROM or procs < 2 or "fork" not in mp.get_all_start_methods():
        return _verify(build, nameservers, resolver, smtp, dane, workers)
    global _shared
    _shared = (build, nameservers, resolver, workers)
    try:
        with mp.get_context("fork").Pool(procs) as pool:
            reports = pool.map(_verify_part, range(procs))
    finally:
        _shared = None
    merged = Report()
    order = {z.name: i for i, z in enumerate(build.zones)}
    for part in reports:
        merged.zones.extend(part.zones)
        merged.findings.extend(part.findings)
    merged.zones.sort(key=lambda z: order[z["zone"]])
    merged.findings.sort(key=_finding_order)
    if smtp or dane:  # once, not per process
        merged.findings.extend(f for task in _dane_tasks(build, smtp, dane) for f in task())
        merged.findings.sort(key=_finding_order)
    return merged


_shared: tuple[Build, list[Server], Server | None, int] | None = None


def _verify_part(index: int) -> Report:
    assert _shared is not None
    build, nameservers, resolver, workers = _shared
    procs = min(os.cpu_count() or 1, 4)
    part = replace(build, zones=build.zones[index::procs])
    return _verify(part, nameservers, resolver, None, False, workers)


def _finding_order(f: Finding) -> tuple[str, str, str, str, int]:
    order = {FATAL: 0, ERROR: 1, WARNING: 2, OK: 3}
    return (f.zone, f.name, f.rtype, f.check, order[f.severity])


def _verify(
    build: Build,
    nameservers: list[Server],
    resolver: Server | None,
    smtp: Server | None,
    dane: bool,
    workers: int,
) -> Report:
    report = Report()
    forget_dead()
    sys_resolver = _stub(resolver)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        tasks: list[Callable[[], list[Finding]]] = []
        zone_servers: dict[str, list[Server]] = {}
        for zone in build.zones:
            servers = nameservers or _zone_servers(zone.name, sys_resolver)
            zone_servers[zone.name] = servers
        signed = dict(
            zip(
                [z.name for z in build.zones],
                pool.map(lambda z: _is_signed(z.name, zone_servers[z.name]), build.zones),
                strict=True,
            )
        )
        for zone in build.zones:
            servers = zone_servers[zone.name]
            sets = rrsets(list(zone.records))
            report.zones.append(
                {
                    "zone": zone.name,
                    "nameservers": [str(s) for s in servers],
                    "resolver": str(resolver) if resolver else "system",
                    "signed": signed[zone.name],
                    "rrsets": len(sets),
                }
            )
            by_name: dict[str, list[RRset]] = {}
            for rrset in sets:
                by_name.setdefault(rrset.name, []).append(rrset)
            for server in servers:
                for name, here in sorted(by_name.items()):
                    tasks.append(_bind(_at_name, zone, name, here, server))
            for rrset in sets:
                tasks.append(_bind(_resolved, zone, rrset, sys_resolver, signed[zone.name]))
            report.findings.extend(_zone_dnssec(zone, sets, signed[zone.name]))
            if not nameservers and signed[zone.name]:
                tasks.append(_bind(_parent_ds, zone, servers, sys_resolver))
        if smtp or dane:
            tasks.extend(_dane_tasks(build, smtp, dane))
        for findings in pool.map(_run, tasks):
            report.findings.extend(findings)
    report.findings.sort(key=_finding_order)
    return report


def _bind(fn: Callable[..., list[Finding]], *args: Any) -> Callable[[], list[Finding]]:
    return lambda: fn(*args)


def _run(task: Callable[[], list[Finding]]) -> list[Finding]:
    return task()


# ---------------------------------------------------------------------------- servers


class _Resolver:
    """Either a given validating resolver or the system's (``/etc/resolv.conf``)."""

    def __init__(self, server: Server | None) -> None:
        self.server = server
        if server is None:
            system = dns.resolver.Resolver()
            self.servers = [Server(str(ns), system.port) for ns in system.nameservers]
        else:
            self.servers = [server]

    def ask(self, name: str, rtype: str, *, cd: bool = False) -> dns.message.Message:
        last: Unreachable | None = None
        for server in self.servers:
            try:
                return ask(server, name, rtype, recursion=True, checking_disabled=cd)
            except Unreachable as e:
                last = e
        raise last or Unreachable("no resolver configured")

    def __str__(self) -> str:
        return ", ".join(str(s) for s in self.servers)


def _stub(server: Server | None) -> _Resolver:
    return _Resolver(server)


def _zone_servers(zone: str, resolver: _Resolver) -> list[Server]:
    """The zone's NS and their addresses, through the resolver."""
    try:
        response = resolver.ask(zone, "NS")
    except Unreachable as e:
        raise InputError(f"cannot find the name servers of {zone}: {e}") from None
    ns = answer_rrset(response, zone, "NS")
    if ns is None:
        raise InputError(f"{zone} has no NS records ({rcode_text(response)}); use --nameserver")
    servers: list[Server] = []
    for target in sorted(rd.target.to_text() for rd in ns):
        for rtype in ("A", "AAAA"):
            addr = answer_rrset(resolver.ask(target, rtype), target, rtype)
            servers.extend(Server(rd.to_text(), 53) for rd in addr or [])
    if not servers:
        raise InputError(f"no address for the name servers of {zone}; use --nameserver")
    return servers


def _is_signed(zone: str, servers: list[Server]) -> bool:
    """A zone is signed when its authoritative servers hold a DNSKEY with an RRSIG."""
    for server in servers:
        try:
            response = ask(server, zone, "DNSKEY", recursion=False)
        except Unreachable:
            continue
        return answer_rrset(response, zone, "DNSKEY") is not None and has_rrsig(
            response, zone, "DNSKEY"
        )
    return False


# ---------------------------------------------------------------------------- checks


def _at_name(zone: Zone, name: str, sets: list[RRset], server: Server) -> list[Finding]:
    """Everything zonegen manages at one name, from one authoritative server.

    One ANY query gets every RRset at the name from an authoritative BIND (TCP when it is
    too large for UDP): the desired RRsets are compared from it and any other type is an
    extra. A server that answers ANY minimally (RFC 8482: a lone HINFO) or refuses it is
    asked type by type instead.
    """
    try:
        # Without the DO bit: the comparison needs the data, not the RRSIGs, and the
        # answer then fits in UDP.
        response = ask(server, name, "ANY", recursion=False, dnssec=False)
    except Unreachable as e:
        where = Where(zone.name, name, "ANY", str(server))
        return [_f(where, "authoritative", "unreachable", FATAL, detail=str(e))]
    qname = dns.name.from_text(name)
    present = {dns.rdatatype.to_text(rs.rdtype) for rs in response.answer if rs.name == qname}
    full = (
        response.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)
        and bool(response.flags & dns.flags.AA)
        and not present <= {"HINFO", "RRSIG"}
    )
    findings: list[Finding] = []
    for rrset in sets:
        findings.extend(_authoritative(zone, rrset, server, response if full else None))
    wanted = {s.rtype for s in sets}
    if not full:
        return findings + _extra(zone, name, wanted, server)
    for rtype in EXTRA_TYPES:
        if rtype not in wanted:
            findings.extend(_extra_found(zone, name, rtype, server, response))
    return findings


def _extra_found(
    zone: Zone, name: str, rtype: str, server: Server, response: dns.message.Message
) -> list[Finding]:
    """An ``extra`` warning when ``response`` holds ``rtype`` at ``name``."""
    got_rrset = answer_rrset(response, name, rtype)
    if got_rrset is None:
        return []
    where = Where(zone.name, name, rtype, str(server))
    return [
        _f(
            where,
            "authoritative",
            "extra",
            WARNING,
            got=_values(rtype, got_rrset),
            detail="on the server but not in the built zone",
        )
    ]


def _authoritative(
    zone: Zone, rrset: RRset, server: Server, response: dns.message.Message | None = None
) -> list[Finding]:
    want = _desired(rrset)
    base = Where(zone.name, rrset.name, rrset.rtype, str(server))
    if response is None:
        try:
            response = ask(server, rrset.name, rrset.rtype, recursion=False)
        except Unreachable as e:
            return [_f(base, "authoritative", "unreachable", FATAL, detail=str(e))]
    if not response.flags & dns.flags.AA:
        return [
            _f(
                base,
                "authoritative",
                "not-authoritative",
                ERROR,
                expected=want,
                detail=f"{server} does not answer authoritatively for {zone.name}",
            )
        ]
    got_rrset = answer_rrset(response, rrset.name, rrset.rtype)
    if got_rrset is None:
        return [
            _f(
                base,
                "authoritative",
                "missing",
                ERROR,
                expected=want,
                detail=rcode_text(response),
            )
        ]
    got = _values(rrset.rtype, got_rrset)
    if got != want:
        return [_f(base, "authoritative", "different", ERROR, expected=want, got=got)]
    if got_rrset.ttl != rrset.ttl:
        return [
            _f(
                base,
                "authoritative",
                "ttl",
                ERROR,
                expected=want,
                got=got,
                detail=f"TTL {got_rrset.ttl}, built {rrset.ttl}",
            )
        ]
    return [_f(base, "authoritative", "ok", OK, expected=want, got=got)]


def _extra(zone: Zone, name: str, wanted: set[str], server: Server) -> list[Finding]:
    """Records of other types at a managed name, type by type (when ANY says too little)."""
    findings = []
    for rtype in EXTRA_TYPES:
        if rtype in wanted:
            continue
        try:
            response = ask(server, name, rtype, recursion=False)
        except Unreachable as e:
            where = Where(zone.name, name, rtype, str(server))
            return [_f(where, "authoritative", "unreachable", FATAL, detail=str(e))]
        findings.extend(_extra_found(zone, name, rtype, server, response))
    return findings


def _resolved(zone: Zone, rrset: RRset, resolver: _Resolver, signed: bool) -> list[Finding]:
    want = _desired(rrset)
    base = Where(zone.name, rrset.name, rrset.rtype, str(resolver))
    try:
        response = resolver.ask(rrset.name, rrset.rtype)
        if response.rcode() == dns.rcode.SERVFAIL:
            checked = resolver.ask(rrset.name, rrset.rtype, cd=True)
            if checked.rcode() != dns.rcode.SERVFAIL:
                return [
                    _f(
                        base,
                        "resolver",
                        "bogus",
                        ERROR,
                        expected=want,
                        detail="SERVFAIL that goes away with CD: DNSSEC validation "
                        "fails (wrong DS or trust anchor, expired signatures)",
                    )
                ]
            return [
                _f(
                    base,
                    "resolver",
                    "servfail",
                    ERROR,
                    expected=want,
                    detail="SERVFAIL, also with CD",
                )
            ]
    except Unreachable as e:
        return [_f(base, "resolver", "unreachable", FATAL, detail=str(e))]
    got_rrset = answer_rrset(response, rrset.name, rrset.rtype)
    if got_rrset is None:
        return [_f(base, "resolver", "missing", ERROR, expected=want, detail=rcode_text(response))]
    got = _values(rrset.rtype, got_rrset)
    if got != want:
        return [_f(base, "resolver", "different", ERROR, expected=want, got=got)]
    secure = bool(response.flags & dns.flags.AD)
    if signed and not secure:
        return [
            _f(
                base,
                "resolver",
                "not-validated",
                ERROR,
                expected=want,
                got=got,
                detail="the zone is signed but the answer has no AD bit: the chain of "
                "trust to the resolver's anchor is broken (DS at the parent?)",
            )
        ]
    if signed and not has_rrsig(response, rrset.name, rrset.rtype):
        return [
            _f(
                base,
                "resolver",
                "no-rrsig",
                ERROR,
                expected=want,
                got=got,
                detail="validated answer without RRSIG under the DO bit",
            )
        ]
    if not secure:
        severity = ERROR if rrset.rtype == "TLSA" else WARNING
        return [
            _f(
                base,
                "resolver",
                "insecure",
                severity,
                expected=want,
                got=got,
                detail="answer not DNSSEC-validated (no AD bit)",
            )
        ]
    return [_f(base, "resolver", "ok", OK, expected=want, got=got, detail="validated (AD)")]


def _zone_dnssec(zone: Zone, sets: list[RRset], signed: bool) -> list[Finding]:
    tlsa = [s for s in sets if s.rtype == "TLSA"]
    if tlsa and not signed:
        return [
            Finding(
                "dnssec",
                "unsigned",
                ERROR,
                zone.name,
                s.name,
                "TLSA",
                "",
                expected=_desired(s),
                detail="TLSA in a zone that is not DNSSEC-signed: senders ignore DANE "
                "without DNSSEC (RFC 7672 2.2); sign the zone and publish its DS",
            )
            for s in tlsa
        ]
    return []


def _parent_ds(zone: Zone, servers: list[Server], resolver: _Resolver) -> list[Finding]:
    base = Where(zone.name, zone.name, "DS", str(resolver))
    try:
        ds_response = resolver.ask(zone.name, "DS")
        key_response = ask(servers[0], zone.name, "DNSKEY", recursion=False)
    except Unreachable as e:
        return [_f(base, "dnssec", "unreachable", FATAL, detail=str(e))]
    ds_set = answer_rrset(ds_response, zone.name, "DS")
    keys = answer_rrset(key_response, zone.name, "DNSKEY")
    if ds_set is None:
        return [
            _f(
                base,
                "dnssec",
                "no-ds",
                ERROR,
                detail="the zone is signed but its parent has no DS: publish the DS "
                "at the registrar",
            )
        ]
    names_ = dns.name.from_text(zone.name)
    matched = [
        ds.to_text()
        for ds in ds_set
        for key in keys or []
        if dns.dnssec.make_ds(names_, key, ds.digest_type) == ds
    ]
    if not matched:
        return [
            _f(
                base,
                "dnssec",
                "ds-mismatch",
                ERROR,
                got=_values("DS", ds_set),
                detail="no DS at the parent matches a DNSKEY of the zone",
            )
        ]
    return [_f(base, "dnssec", "ok", OK, got=tuple(matched), detail="DS matches a DNSKEY")]


def _dane_tasks(build: Build, smtp: Server | None, dane: bool) -> list[Callable[[], list[Finding]]]:
    host = build.hostname
    owner = f"_25._tcp.{host}"
    tlsa = [r for z in build.zones for r in z.records if r.name == owner and r.rtype == "TLSA"]
    zone = next((z.name for z in build.zones if names.in_zone(owner, z.name)), "")
    if not tlsa:
        return [
            lambda: [
                Finding(
                    "dane",
                    "no-tlsa",
                    ERROR,
                    zone,
                    owner,
                    "TLSA",
                    "",
                    detail="no TLSA records for the mail host in the built zones",
                )
            ]
        ]
    targets = [smtp] if smtp else [Server(ip, 25) for ip in build.ips]
    return [_bind(_dane, zone, owner, host, tlsa, target) for target in targets]


def _dane(zone: str, owner: str, host: str, tlsa: list[Any], target: Server) -> list[Finding]:
    base = Where(zone, owner, "TLSA", str(target))
    try:
        served = fetch_certificate(target, server_name=host, helo=socket.getfqdn() or "localhost")
    except SmtpError as e:
        return [_f(base, "dane", "smtp-failed", ERROR, detail=str(e))]
    spki_hash = hashlib.sha256(served.spki_der).hexdigest()
    for record in tlsa:
        rd = record.rdata
        if tlsa_matches(rd.usage, rd.selector, rd.mtype, rd.cert, served):
            return [
                _f(
                    base,
                    "dane",
                    "ok",
                    OK,
                    got=(f"3 1 1 {spki_hash}",),
                    detail=f"certificate matches {record.value}",
                )
            ]
    return [
        _f(
            base,
            "dane",
            "mismatch",
            ERROR,
            expected=tuple(sorted(r.value for r in tlsa)),
            got=(f"3 1 1 {spki_hash}",),
            detail="the certificate served after STARTTLS matches no TLSA record",
        )
    ]
