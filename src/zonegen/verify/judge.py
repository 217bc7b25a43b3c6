"""What the answers gathered for one zone mean: findings, judged per server and then across
servers. Pure: no queries here.

- authoritative, per server and RRset: ok, missing, different, ttl, extra, not-authoritative,
  or the error rcode by name (servfail, refused, notauth, formerr, ...);
- consistency, across servers: serial, records, signed, keys;
- dnssec, per server: unsigned (expected signed), no-rrsig, expired, not-yet-valid, expiring,
  bad-signature, algorithm, denial, and against the DS: ds-no-key, ds-mismatch,
  ds-key-not-signing, no-ds;
- resolver, per RRset: ok, missing, different, bogus (with the EDE and the reason found on the
  authoritative side), servfail, an error rcode; per zone: not-validating (the chain checks
  out, the resolver gives no AD), not-validated (no DS known to tell), ede.

Queries that got no answer at all are not findings here: they are returned as
:class:`Unanswered` and reported once per server by ``run.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.TXT import TXT

from ..model import RRset
from . import dnssec
from .dnsquery import Answer, answer_rrset, extended_errors, parse_name, rrsigs_for
from .findings import ERROR, FATAL, OK, WARNING, Finding, Where, finding
from .gather import EXTRA_TYPES, ZoneAnswers, any_usable, lame, served, signed_state
from .servers import Server

# Types at a managed name that are the zone's machinery, not records zonegen manages.
MACHINERY = {
    "RRSIG",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "DNSKEY",
    "CDS",
    "CDNSKEY",
    "ZONEMD",
    "TYPE65534",  # BIND's private record of its signing state
}
APEX_MACHINERY = {"SOA", "NS"}
# Statuses that, when every RRset of a zone on one server has the same one, say one thing
# about the server: reported once for the zone.
COLLAPSE = {"missing", "not-authoritative", "servfail", "refused", "notauth", "formerr", "notimp"}


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A query that got no response at all (or was not asked, see ``dnsquery``)."""

    server: str
    role: str  # authoritative | resolver
    zone: str
    query: str
    failure: str
    detail: str


@dataclass
class Judged:
    findings: list[Finding] = field(default_factory=list)
    unanswered: list[Unanswered] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Settings:
    now: float
    window: float  # seconds: warn about signatures expiring sooner
    expect_signed: bool  # signed: true in the site file
    ds: tuple[dns.rdata.Rdata, ...] | None  # --ds for this zone; None: not given


def values(rtype: str, rdatas: Iterable[dns.rdata.Rdata]) -> tuple[str, ...]:
    """Comparable values: TXT joined (what SPF/DKIM read), the rest in canonical text."""
    out = []
    for rd in rdatas:
        if isinstance(rd, TXT):
            out.append(b"".join(rd.strings).decode("utf-8", "replace"))
        else:
            out.append(rd.to_text().lower())
    return tuple(sorted(out))


def desired(rrset: RRset) -> tuple[str, ...]:
    return values(rrset.rtype, (r.rdata for r in rrset.records))


def judge_zone(za: ZoneAnswers, settings: Settings) -> Judged:
    j = Judged()
    zone = za.zone.name
    origin = parse_name(zone)
    if za.nameserver_failure is not None:
        _no_nameservers(za, settings, j)
        return j
    states = {s: signed_state(za.dnskey.get(s), zone) for s in za.servers}
    serials = {s: _serial(za.soa.get(s), zone) for s in za.servers}
    lame_servers = set()
    for server in za.servers:
        soa = za.soa.get(server)
        _note_unanswered(j, server, "authoritative", zone, f"{zone} SOA", soa)
        if lame(soa):
            lame_servers.add(server)
            j.findings.append(_lame(zone, server, soa))
            continue
        if soa is not None and soa.message is not None and soa.message.edns < 0:
            # Asked with EDNS and DO, answered without OPT: a server that does not speak
            # EDNS cannot send RRSIGs (RFC 3225 3). One finding, instead of one no-rrsig per
            # RRset; its answers are no evidence that the zone is signed or not.
            states[server] = None
            j.findings.append(_no_edns(zone, server))
        dnskey = za.dnskey.get(server)
        _note_unanswered(j, server, "authoritative", zone, f"{zone} DNSKEY", dnskey)
        where = Where(zone, zone, "DNSKEY", str(server))
        problem = _rcode_problem(dnskey.message if dnskey else None, where)
        if problem:
            j.findings.append(problem)
    tlsa = any(s.rtype == "TLSA" for s in za.sets)
    ds_known = _ds_records(za, settings, j)
    chains: dict[Server, dnssec.Chain] = {}
    for server in za.servers:
        if server in lame_servers:
            continue
        rows = _authoritative(za, server, states[server] is True, settings, j)
        j.findings.extend(_collapse(rows, za, server))
        if states[server] is False and (ds_known or settings.expect_signed or tlsa):
            j.findings.append(_unsigned(zone, server, bool(ds_known), settings.expect_signed))
        if states[server] is True:
            chain = _server_dnssec(za, server, origin, settings, ds_known, j)
            if chain is not None:
                chains[server] = chain
    j.findings.extend(_consistency(za, states, serials))
    signing = _signing(states)
    signed = {"signed": True, "unsigned": False}.get(signing)
    chain_ok = (
        bool(chains)
        and all(c.ok for c in chains.values())
        and len(chains) == sum(1 for v in states.values() if v is True)
    )
    validated = None
    if za.resolver is not None:
        validated = _resolver(za, settings, signed, chain_ok, ds_known is not None, j)
    j.info = {
        "zone": zone,
        "nameservers": [str(s) for s in za.servers],
        "resolver": str(za.resolver) if za.resolver else "",
        # "signed" is a boolean in schema 1: true only when every server that answered
        # signs; "signing" tells unsigned from unknown (no answer) and mixed.
        "signed": signed is True,
        "signing": signing,
        "dnssec_expected": settings.expect_signed,
        "chain": (
            # Served unsigned while the parent has a DS: validators find no key for it,
            # the chain is broken (RFC 4035 5.2), not merely absent.
            "broken"
            if signed is False and ds_known
            else "unsigned"
            if signed is False
            else "ok"
            if chain_ok
            else "unknown"
            if ds_known is None or not chains
            else "broken"
        ),
        "rrsets": len(za.sets),
        "servers": [
            {"server": str(s), "signed": states[s], "serial": serials[s]} for s in za.servers
        ],
    }
    if validated is not None:  # the resolver's answers as built that carried the AD bit
        j.info["validated"] = validated
    return j


# ------------------------------------------------------------------------ authoritative


def _note_unanswered(
    j: Judged, server: Server, role: str, zone: str, query: str, answer: Answer | None
) -> bool:
    """Record a query without a response; True when there was none."""
    if answer is None or answer.message is not None:
        return False
    j.unanswered.append(Unanswered(str(server), role, zone, query, answer.failure, answer.detail))
    return True


def _server_error(
    zone: str, server: Server, rtype: str, check: str, status: str, detail: str
) -> Finding:
    """An error about how one server serves the whole zone (not one of its records)."""
    return finding(Where(zone, zone, rtype, str(server)), check, status, ERROR, detail=detail)


def _no_edns(zone: str, server: Server) -> Finding:
    detail = (
        "asked with EDNS and the DO bit, it answered without EDNS (no OPT record, "
        "RFC 6891 7): it cannot serve DNSSEC records, so validating resolvers that reach it "
        "get no signatures; DNSSEC was not judged on it. Update or replace the server software"
    )
    return _server_error(zone, server, "*", "authoritative", "no-edns", detail)


def _lame(zone: str, server: Server, soa: Answer | None) -> Finding:
    """One finding for a server that does not serve the zone; nothing more was asked."""
    assert soa is not None and soa.message is not None
    rcode = dns.rcode.to_text(soa.message.rcode())
    status, said = (
        (rcode.lower(), f"answered {rcode}{_RCODE_MEANING.get(rcode, '')}")
        if rcode != "NOERROR"
        else ("not-authoritative", "answered without the AA bit: it is not authoritative")
    )
    return finding(
        Where(zone, zone, "*", str(server)),
        "authoritative",
        status,
        ERROR,
        detail=f"asked for the zone's SOA, it {said}; nothing more was asked of it",
        ede=extended_errors(soa.message),
    )


def _rcode_problem(
    m: dns.message.Message | None, where: Where, check: str = "authoritative"
) -> Finding | None:
    """A finding for an answer with an error rcode (SERVFAIL, REFUSED, NOTAUTH, FORMERR...)."""
    if m is None:
        return None
    rcode = m.rcode()
    if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return None
    name = dns.rcode.to_text(rcode)
    return finding(
        where,
        check,
        name.lower(),
        ERROR,
        detail=f"answered {name}" + _RCODE_MEANING.get(name, ""),
        ede=extended_errors(m),
    )


_RCODE_MEANING = {
    "SERVFAIL": ": the server failed (a zone it cannot load, or for a resolver: it could "
    "not get a good answer)",
    "REFUSED": ": it does not serve this zone to us (a lame delegation, or an ACL)",
    "NOTAUTH": ": it is not authoritative for the zone",
    "FORMERR": ": it could not parse the question (EDNS with DO, RFC 6891)",
    "NOTIMP": ": it does not implement this kind of query",
}


def _authoritative(
    za: ZoneAnswers, server: Server, signed: bool, settings: Settings, j: Judged
) -> list[Finding]:
    zone = za.zone.name
    origin = parse_name(zone)
    keys_answer = za.dnskey.get(server)
    keys = (
        answer_rrset(keys_answer.message, zone, "DNSKEY")
        if keys_answer and keys_answer.message
        else None
    )
    rows: list[Finding] = []
    for rrset, where, m in _answered(za, server, "authoritative", j):
        want = desired(rrset)
        problem = _rcode_problem(m, where)
        if problem:
            rows.append(problem)
            continue
        if not m.flags & dns.flags.AA:
            rows.append(
                finding(
                    where,
                    "authoritative",
                    "not-authoritative",
                    ERROR,
                    expected=want,
                    detail=f"the server does not answer authoritatively for {zone} (no AA bit)",
                )
            )
            continue
        got_rrset, got, problem = _compare(where, "authoritative", rrset, m)
        if problem is not None:
            rows.append(problem)
        elif got_rrset is not None and got_rrset.ttl != rrset.ttl:
            rows.append(
                finding(
                    where,
                    "authoritative",
                    "ttl",
                    ERROR,
                    expected=want,
                    got=got,
                    detail=f"TTL {got_rrset.ttl}, built {rrset.ttl}",
                )
            )
        else:
            rows.append(finding(where, "authoritative", "ok", OK, expected=want, got=got))
        if signed and got_rrset is not None:
            sigs = rrsigs_for(m.answer, got_rrset.name, got_rrset.rdtype)
            for issue in dnssec.check_rrset(
                got_rrset, sigs, origin, keys, settings.now, settings.window
            ):
                j.findings.append(_issue(where, issue))
    for name in za.names:
        rows.extend(_extras(za, server, name))
    return rows


def _answered(
    za: ZoneAnswers, server: Server, role: str, j: Judged
) -> Iterator[tuple[RRset, Where, dns.message.Message]]:
    """Each built RRset with the response ``server`` gave about it; a query without one is
    noted in ``j`` (reported per server) and skipped."""
    zone = za.zone.name
    for rrset in za.sets:
        where = Where(zone, rrset.name, rrset.rtype, str(server))
        if role == "resolver":
            answer = za.resolved.get((rrset.name, rrset.rtype))
            query = f"{rrset.name} {rrset.rtype}"
        else:
            answer = served(za, server, rrset.name, rrset.rtype)
            typed = (server, rrset.name, rrset.rtype) in za.typed
            query = f"{rrset.name} {rrset.rtype if typed else 'ANY'}"
        if answer is None or _note_unanswered(j, server, role, zone, query, answer):
            continue
        assert answer.message is not None
        yield rrset, where, answer.message


def _compare(
    where: Where, check: str, rrset: RRset, m: dns.message.Message
) -> tuple[dns.rrset.RRset | None, tuple[str, ...], Finding | None]:
    """The RRset in the answer ``m`` against the built one: what the answer holds (None:
    nothing), its values, and the missing or different finding (None: they match)."""
    want = desired(rrset)
    ede = extended_errors(m)
    got_rrset = answer_rrset(m, rrset.name, rrset.rtype)
    if got_rrset is None:
        detail = _no_data(m) if check == "resolver" else f"not on the server ({_no_data(m)})"
        missing = finding(where, check, "missing", ERROR, expected=want, detail=detail, ede=ede)
        return None, (), missing
    got = values(rrset.rtype, got_rrset)
    if got != want:
        different = finding(where, check, "different", ERROR, expected=want, got=got, ede=ede)
        return got_rrset, got, different
    return got_rrset, got, None


def _no_data(m: dns.message.Message) -> str:
    if m.rcode() == dns.rcode.NXDOMAIN:
        return "NXDOMAIN: the name does not exist there"
    return "NOERROR, no records of this type"


def _extras(za: ZoneAnswers, server: Server, name: str) -> list[Finding]:
    """RRsets at a managed name that the built zone does not have (a warning each)."""
    wanted = za.wanted(name)
    ignore = MACHINERY | (APEX_MACHINERY if name == za.zone.name else set()) | wanted
    qname = parse_name(name)
    seen: dict[str, dns.rrset.RRset] = {}
    answer = za.any.get((server, name))
    if answer is not None and answer.message is not None and any_usable(answer):
        for rrset in answer.message.answer:
            rtype = dns.rdatatype.to_text(rrset.rdtype)
            if rtype not in ignore and rrset.name == qname:
                seen.setdefault(rtype, rrset)
    for rtype in EXTRA_TYPES:
        typed = za.typed.get((server, name, rtype))
        if typed is not None and typed.message is not None:
            found = answer_rrset(typed.message, name, rtype)
            if found is not None:
                seen.setdefault(rtype, found)
    return [
        finding(
            Where(za.zone.name, name, rtype, str(server)),
            "authoritative",
            "extra",
            WARNING,
            got=values(rtype, rrset),
            detail="on the server but not in the built zone",
        )
        for rtype, rrset in sorted(seen.items())
        if rtype not in ignore
    ]


def _collapse(rows: list[Finding], za: ZoneAnswers, server: Server) -> list[Finding]:
    """Every RRset failing the same way on one server is one finding, not one per RRset."""
    bad = [f for f in rows if f.status != "extra"]
    if len(bad) < 2 or len({(f.status, f.detail) for f in bad}) != 1:
        return rows
    first = bad[0]
    if first.status not in COLLAPSE:
        return rows
    where = Where(za.zone.name, za.zone.name, "*", str(server))
    detail = f"all {len(bad)} RRsets of the zone: {first.detail}"
    return [finding(where, first.check, first.status, first.severity, detail=detail, ede=first.ede)]


def _serial(answer: Answer | None, zone: str) -> int | None:
    if answer is None or answer.message is None:
        return None
    soa = answer_rrset(answer.message, zone, "SOA")
    return int(soa[0].serial) if soa else None


def _no_nameservers(za: ZoneAnswers, settings: Settings, j: Judged) -> None:
    failure = za.nameserver_failure
    assert failure is not None
    zone = za.zone.name
    resolver = str(za.resolver) if za.resolver else ""
    if failure.message is None:
        j.unanswered.append(
            Unanswered(resolver, "resolver", zone, f"{zone} NS", failure.failure, failure.detail)
        )
    else:
        detail = (
            f"the resolver knows no name servers for {zone} ({failure.rcode or 'no answer'}): "
            "is the zone delegated? Or give --nameserver"
        )
        j.findings.append(
            finding(
                Where(zone, zone, "NS", resolver),
                "authoritative",
                "no-nameservers",
                FATAL,
                detail=detail,
            )
        )
    j.info = {
        "zone": zone,
        "nameservers": [],
        "resolver": resolver,
        "signed": False,
        "signing": "unknown",
        "dnssec_expected": settings.expect_signed,
        "chain": "unknown",
        "rrsets": len(za.sets),
        "servers": [],
    }


# ------------------------------------------------------------------------ consistency


def _signing(states: Mapping[Server, bool | None]) -> str:
    """signed, unsigned, mixed (the servers disagree: a consistency finding) or unknown (no
    server answered: never taken as unsigned)."""
    known = {v for v in states.values() if v is not None}
    if not known:
        return "unknown"
    if len(known) > 1:
        return "mixed"
    return "signed" if True in known else "unsigned"


def _consistency(
    za: ZoneAnswers, states: Mapping[Server, bool | None], serials: Mapping[Server, int | None]
) -> list[Finding]:
    zone = za.zone.name
    out: list[Finding] = []
    everyone = ", ".join(str(s) for s in za.servers)

    def disagree(rtype: str, status: str, severity: str, **details: Any) -> None:
        where = Where(zone, zone, rtype, everyone)
        out.append(finding(where, "consistency", status, severity, **details))

    known = {s: v for s, v in serials.items() if v is not None}
    if len(set(known.values())) > 1:
        shown = ", ".join(f"{s}: {v}" for s, v in known.items())
        disagree(
            "SOA",
            "serial",
            WARNING,
            got=tuple(f"{s} {v}" for s, v in known.items()),
            detail=f"the servers serve different serials ({shown}): one has not caught "
            "up (zone transfer, NOTIFY), or they are fed separately",
        )
    signed = [str(s) for s, v in states.items() if v is True]
    unsigned = [str(s) for s, v in states.items() if v is False]
    if signed and unsigned:
        disagree(
            "DNSKEY",
            "signed",
            ERROR,
            detail=f"signed on {', '.join(signed)} but not on {', '.join(unsigned)}: "
            "validating resolvers that reach the unsigned ones reject their answers",
        )
    keysets = {}
    for s, v in states.items():
        answer = za.dnskey.get(s)
        if v and answer and answer.message:
            keys = dnssec.dnskeys(answer_rrset(answer.message, zone, "DNSKEY"))
            keysets[s] = tuple(sorted(dnssec.key_summary(k) for k in keys))
    if len(set(keysets.values())) > 1:
        disagree(
            "DNSKEY",
            "keys",
            ERROR,
            got=tuple(f"{s} {', '.join(k)}" for s, k in keysets.items()),
            detail="the servers publish different DNSKEY sets: signatures made by one "
            "server's keys do not validate against another's",
        )
    for rrset in za.sets:
        seen: dict[tuple[str, ...], list[str]] = {}
        for server in za.servers:
            answer = served(za, server, rrset.name, rrset.rtype)
            if answer is None or answer.message is None:
                continue
            if answer.message.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                continue
            got = answer_rrset(answer.message, rrset.name, rrset.rtype)
            seen.setdefault(values(rrset.rtype, got or []), []).append(str(server))
        if len(seen) > 1:
            out.append(
                finding(
                    Where(zone, rrset.name, rrset.rtype, everyone),
                    "consistency",
                    "records",
                    ERROR,
                    expected=desired(rrset),
                    got=tuple(
                        f"{', '.join(who)}: {' | '.join(v) or '(none)'}" for v, who in seen.items()
                    ),
                    detail="the servers disagree on this RRset",
                )
            )
    return out


# ------------------------------------------------------------------------ dnssec


def _issue(where: Where, issue: dnssec.Issue) -> Finding:
    return finding(where, "dnssec", issue.status, issue.severity, detail=issue.detail)


def _unsigned(zone: str, server: Server, ds_known: bool, expected: bool) -> Finding:
    """A server serving the zone unsigned where it should be signed: a DS exists (every
    answer from there is bogus), the site says so, or its TLSA records need it."""
    if ds_known:
        why = "a DS for it exists: validating resolvers reject every answer from there (bogus)"
        fix = "sign the zone there, or remove the DS at the parent first"
    else:
        why = (
            "the site file says signed: true"
            if expected
            else "its TLSA records need DNSSEC: senders ignore DANE without it (RFC 7672 2.2)"
        )
        fix = "sign the zone there (and publish its DS at the parent)"
    detail = f"the server serves the zone unsigned (no DNSKEY), but {why}: {fix}"
    return _server_error(zone, server, "DNSKEY", "dnssec", "unsigned", detail)


def _ds_records(
    za: ZoneAnswers, settings: Settings, j: Judged
) -> tuple[dns.rdata.Rdata, ...] | None:
    """The DS records the chain of trust starts from: --ds, else the parent's through the
    resolver; None when neither is known."""
    if settings.ds is not None:
        return settings.ds
    answer = za.parent_ds
    if answer is None:
        return None
    zone = za.zone.name
    resolver = str(za.resolver)
    if _note_unanswered(j, za.resolver or Server("", 0), "resolver", zone, f"{zone} DS", answer):
        return None
    assert answer.message is not None
    if answer.message.rcode() != dns.rcode.NOERROR:
        problem = _rcode_problem(answer.message, Where(zone, zone, "DS", resolver), "resolver")
        if problem:
            j.findings.append(problem)
        return None
    ds = answer_rrset(answer.message, zone, "DS")
    return tuple(ds) if ds else ()


def _server_dnssec(
    za: ZoneAnswers,
    server: Server,
    origin: dns.name.Name,
    settings: Settings,
    ds: tuple[dns.rdata.Rdata, ...] | None,
    j: Judged,
) -> dnssec.Chain | None:
    zone = za.zone.name
    answer = za.dnskey[server]
    assert answer.message is not None
    keys = answer_rrset(answer.message, zone, "DNSKEY")
    assert keys is not None
    key_sigs = rrsigs_for(answer.message.answer, origin, dns.rdatatype.DNSKEY)
    where = Where(zone, zone, "DNSKEY", str(server))
    for issue in dnssec.check_rrset(keys, key_sigs, origin, keys, settings.now, settings.window):
        j.findings.append(_issue(where, issue))
    for issue in dnssec.check_algorithms(keys):
        j.findings.append(_issue(where, issue))
    nx = za.nx.get(server)
    if nx is not None and not _note_unanswered(
        j, server, "authoritative", zone, f"{za.nx_name} A", nx
    ):
        assert nx.message is not None
        nx_where = Where(zone, za.nx_name, "A", str(server))
        for issue in dnssec.check_denial(
            nx.message, dns.name.from_text(za.nx_name), origin, keys, settings.now
        ):
            j.findings.append(_issue(nx_where, issue))
    if ds is None:
        return None
    ds_where = Where(zone, zone, "DS", str(server))
    if not ds:
        j.findings.append(
            finding(
                ds_where,
                "dnssec",
                "no-ds",
                ERROR,
                detail="the zone is signed but its parent publishes no DS: resolvers treat "
                "it as unsigned (and ignore its TLSA); publish the DS at the registrar",
            )
        )
        return dnssec.Chain(False, (), ())
    chain = dnssec.check_ds(origin, ds, keys, key_sigs, settings.now)
    for issue in chain.issues:
        j.findings.append(_issue(ds_where, issue))
    if chain.ok:
        j.findings.append(
            finding(
                ds_where,
                "dnssec",
                "ok",
                OK,
                got=chain.matched,
                detail="a DS matches a DNSKEY that signs the DNSKEY RRset",
            )
        )
    return chain


# ------------------------------------------------------------------------ resolver


def _resolver(
    za: ZoneAnswers,
    settings: Settings,
    signed: bool | None,
    chain_ok: bool,
    ds_known: bool,
    j: Judged,
) -> int:
    """The resolver's findings into ``j``; how many of its answers (as built) carried AD."""
    zone = za.zone.name
    resolver = za.resolver
    assert resolver is not None
    rows: list[Finding] = []
    matched = without_ad = 0
    dnssec_problems = {
        (f.name, f.rtype): f.status
        for f in j.findings
        if f.check == "dnssec" and f.severity == ERROR
    }
    for rrset, where, m in _answered(za, resolver, "resolver", j):
        key = (rrset.name, rrset.rtype)
        want = desired(rrset)
        ede = extended_errors(m)
        if m.rcode() == dns.rcode.SERVFAIL:
            rows.append(_servfail(za, key, where, want, ede, dnssec_problems, chain_ok))
            continue
        problem = _rcode_problem(m, where, "resolver")
        if problem:
            rows.append(problem)
            continue
        _, got, problem = _compare(where, "resolver", rrset, m)
        if problem is not None:
            rows.append(problem)
            continue
        matched += 1
        ad = bool(m.flags & dns.flags.AD)
        if not ad:
            without_ad += 1
        detail = "validated (AD)" if ad else "not validated (no AD)"
        rows.append(
            finding(where, "resolver", "ok", OK, expected=want, got=got, detail=detail, ede=ede)
        )
        if ede:
            rows.append(
                finding(
                    where,
                    "resolver",
                    "ede",
                    WARNING,
                    detail="the resolver attached Extended DNS Errors to a good answer",
                    ede=ede,
                )
            )
    j.findings.extend(_collapse(rows, za, resolver))
    if signed and without_ad:
        shown = f"{without_ad} of {matched} answers came without the AD bit"
        if chain_ok:
            status, why = (
                "not-validating",
                ", yet the zone's chain of trust checks out (from its DS to every "
                "signature, checked here): the resolver does not validate DNSSEC, or lacks "
                "the trust anchor. Not a zone problem: ask a validating resolver "
                "(--resolver) to see what senders see",
            )
        elif not ds_known:
            status, why = (
                "not-validated",
                ", and no DS is known to check the chain of trust here: give --ds, or leave "
                "out --nameserver so that verify reads the parent's DS; until then it cannot "
                "tell a resolver that does not validate from a broken chain",
            )
        else:
            status, why = (
                "not-validated",
                "; the chain of trust is broken (see the dnssec findings)",
            )
        where = Where(zone, zone, "*", str(resolver))
        j.findings.append(finding(where, "resolver", status, WARNING, detail=shown + why))
    return matched - without_ad


_WHY = {
    "expired": "its signature on the authoritative server has expired",
    "not-yet-valid": "its signature on the authoritative server is not valid yet",
    "no-rrsig": "the authoritative server sends it without RRSIG",
    "bad-signature": "its signature on the authoritative server does not verify",
}


def _servfail(
    za: ZoneAnswers,
    key: tuple[str, str],
    where: Where,
    want: tuple[str, ...],
    ede: tuple[tuple[int, str], ...],
    dnssec_problems: Mapping[tuple[str, str], str],
    chain_ok: bool,
) -> Finding:
    checked = za.resolved_cd.get(key)
    if checked is None or checked.message is None or checked.message.rcode() == dns.rcode.SERVFAIL:
        return finding(
            where,
            "resolver",
            "servfail",
            ERROR,
            expected=want,
            detail="SERVFAIL, also with CD: the resolver cannot get an answer from the "
            "zone's servers",
            ede=ede,
        )
    zone = za.zone.name
    reason = dnssec_problems.get(key)
    chain = [s for (n, t), s in dnssec_problems.items() if n == zone and t in ("DS", "DNSKEY")]
    if reason:
        why = f"{_WHY.get(reason, reason)} (see the dnssec findings)"
    elif chain:
        why = f"the chain of trust is broken at the zone ({', '.join(sorted(set(chain)))})"
    elif chain_ok:
        why = (
            "checked here from the DS, the zone validates: the resolver's trust anchor or "
            "the parent's DS is not the one given (--ds)"
        )
    else:
        why = "wrong DS or trust anchor, or signatures verify does not see"
    return finding(
        where,
        "resolver",
        "bogus",
        ERROR,
        expected=want,
        detail=f"SERVFAIL that goes away with CD: DNSSEC validation fails; {why}",
        ede=ede,
    )
