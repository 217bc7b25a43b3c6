"""The questions verify asks about a set of zones; the answers are kept as they came
(:class:`ZoneAnswers`) for the pure judging in ``judge.py``.

Each authoritative server is asked in three rounds (of parallel queries) per zone:

1. the SOA (serial), the DNSKEY RRset (signed or not, its keys) and a name that does not
   exist (the denial of existence);
2. one ANY per managed name: every RRset there, with RRSIGs (DO is always set);
3. type by type where ANY said too little: a server that refuses ANY or answers it minimally
   (RFC 8482), an RRset missing from the ANY answer or without its RRSIG in a signed zone.

The resolver, in two: every managed RRset (and the parent's DS, when the zone's servers come
from the real hierarchy and no ``--ds`` was given); then again with CD where it said
SERVFAIL.

Every query goes through the :class:`~.dnsquery.Asker`, so each is bounded and none raises.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype

from ..model import RRset, Zone
from .dnsquery import Answer, Asker, answer_rrset, parse_name, rrsigs_for
from .servers import Server

K = TypeVar("K")

# Types probed one by one at a managed name when ANY cannot be used.
EXTRA_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "SRV", "TLSA", "CAA")


@dataclass
class ZoneAnswers:
    zone: Zone
    sets: list[RRset]
    servers: list[Server]
    nx_name: str
    resolver: Server | None
    soa: dict[Server, Answer] = field(default_factory=dict)
    dnskey: dict[Server, Answer] = field(default_factory=dict)
    nx: dict[Server, Answer] = field(default_factory=dict)
    any: dict[tuple[Server, str], Answer] = field(default_factory=dict)
    typed: dict[tuple[Server, str, str], Answer] = field(default_factory=dict)
    resolved: dict[tuple[str, str], Answer] = field(default_factory=dict)
    resolved_cd: dict[tuple[str, str], Answer] = field(default_factory=dict)
    parent_ds: Answer | None = None
    nameserver_failure: Answer | None = None  # the resolver could not tell the zone's NS

    @property
    def names(self) -> list[str]:
        return sorted({s.name for s in self.sets})

    def wanted(self, name: str) -> set[str]:
        return {s.rtype for s in self.sets if s.name == name}


def any_usable(answer: Answer) -> bool:
    """Can this ANY answer stand for every RRset at the name? Authoritative, NOERROR or
    NXDOMAIN, and not the RFC 8482 minimal answer (a lone HINFO)."""
    m = answer.message
    if m is None or m.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return False
    if not m.flags & dns.flags.AA:
        return False
    types = {dns.rdatatype.to_text(r.rdtype) for r in m.answer}
    return not (types and types <= {"HINFO", "RRSIG"})


def lame(soa: Answer | None) -> bool:
    """Does the answer to the zone's SOA show a server that does not serve the zone (an
    error rcode, NXDOMAIN, or no AA bit)? Nothing more is asked of such a server."""
    m = soa.message if soa else None
    return m is not None and (m.rcode() != dns.rcode.NOERROR or not m.flags & dns.flags.AA)


def signed_state(answer: Answer | None, zone: str) -> bool | None:
    """Does this answer to ``zone`` DNSKEY show a signed zone? None when it cannot tell (no
    answer, an error rcode, not authoritative): a server that said nothing is no evidence
    either way. Signed means a DNSKEY RRset at the zone's own name, the one the DNSSEC
    checks then read (an answer's question section is the server's word, not the zone)."""
    if answer is None or answer.message is None:
        return None
    m = answer.message
    if m.rcode() != dns.rcode.NOERROR or not m.flags & dns.flags.AA:
        return None
    return answer_rrset(m, zone, "DNSKEY") is not None


Task = Callable[[], None]
Stage = Callable[[], list[Task]]  # the tasks of one round, made when the round starts


def gather(
    zones: Sequence[tuple[Zone, list[Server], Answer | None]],
    *,
    asker: Asker,
    resolver: Server | None,
    parent_ds: bool,
    workers: int,
) -> list[ZoneAnswers]:
    """Ask everything about ``zones`` (each with its servers, or the failed NS lookup).

    Each server's rounds for a zone follow each other, independent of the other servers': a
    dead server holds up only its own questions, never the rounds of the live ones."""
    out = []
    pipelines: list[list[Stage]] = []
    for zone, servers, failure in zones:
        nx = f"_zonegen-nx-{secrets.token_hex(4)}.{zone.name}"
        za = ZoneAnswers(zone, list(zone.rrsets), servers, nx, resolver)
        za.nameserver_failure = failure
        out.append(za)
        if failure is not None:
            continue
        for server in servers:
            pipelines.append(_server_rounds(za, server, asker))
        if resolver is not None:
            pipelines.append(_resolver_rounds(za, resolver, asker, parent_ds))
    with (
        ThreadPoolExecutor(max_workers=workers) as queries,
        ThreadPoolExecutor(max_workers=max(1, min(len(pipelines), workers // 2))) as lines,
    ):

        def follow(stages: list[Stage]) -> None:
            for stage in stages:
                for _ in queries.map(lambda task: task(), stage()):
                    pass

        for _ in lines.map(follow, pipelines):
            pass
    return out


def _store(into: dict[K, Answer], key: K, ask: Callable[[], Answer]) -> Task:
    """A task that asks and keeps the answer under ``key``."""

    def task() -> None:
        into[key] = ask()

    return task


def _server_rounds(za: ZoneAnswers, server: Server, asker: Asker) -> list[Stage]:
    auth = partial(asker.ask, server, recursion=False)
    name = za.zone.name

    def first() -> list[Task]:
        return [
            _store(za.soa, server, partial(auth, name, "SOA")),
            _store(za.dnskey, server, partial(auth, name, "DNSKEY")),
            _store(za.nx, server, partial(auth, za.nx_name, "A")),
        ]

    def second() -> list[Task]:
        if lame(za.soa.get(server)):
            return []
        return [_store(za.any, (server, n), partial(auth, n, "ANY")) for n in za.names]

    def third() -> list[Task]:
        if lame(za.soa.get(server)):
            return []
        signed = signed_state(za.dnskey.get(server), za.zone.name) is True
        return [
            _store(za.typed, (server, n, rtype), partial(auth, n, rtype))
            for n in za.names
            for rtype in typed_follow_ups(za, server, n, signed)
        ]

    return [first, second, third]


def _resolver_rounds(
    za: ZoneAnswers, resolver: Server, asker: Asker, parent_ds: bool
) -> list[Stage]:
    def first() -> list[Task]:
        tasks = [
            # Without DO: the AD bit comes all the same (RFC 6840 5.7), the RRSIGs are not
            # needed on this side (they are checked on the authoritative answers) and the
            # answers stay small.
            _store(
                za.resolved,
                (rrset.name, rrset.rtype),
                partial(asker.ask, resolver, rrset.name, rrset.rtype, recursion=True, dnssec=False),
            )
            for rrset in za.sets
        ]
        if parent_ds:
            # CD: the DS as the parent publishes it, even when the chain below is broken.
            ask = partial(
                asker.ask, resolver, za.zone.name, "DS", recursion=True, checking_disabled=True
            )

            def ds() -> None:
                za.parent_ds = ask()

            tasks.append(ds)
        return tasks

    def second() -> list[Task]:
        # RFC 4035 3.2.2: a SERVFAIL that CD makes go away is a DNSSEC failure.
        return [
            _store(
                za.resolved_cd,
                key,
                partial(asker.ask, resolver, *key, recursion=True, checking_disabled=True),
            )
            for key, answer in za.resolved.items()
            if answer.message is not None and answer.message.rcode() == dns.rcode.SERVFAIL
        ]

    return [first, second]


def typed_follow_ups(za: ZoneAnswers, server: Server, name: str, signed: bool) -> list[str]:
    """The types to ask one by one at ``name`` after its ANY answer."""
    answer = za.any.get((server, name))
    if answer is None or answer.message is None:
        return []  # no answer at all: the server is not asked again
    wanted = za.wanted(name)
    if not any_usable(answer):
        return sorted(wanted) + [t for t in EXTRA_TYPES if t not in wanted]
    m = answer.message
    if m.rcode() == dns.rcode.NXDOMAIN:
        return []
    qname = parse_name(name)
    follow = []
    for rtype in sorted(wanted):
        rrset = answer_rrset(m, name, rtype)
        if rrset is None:
            follow.append(rtype)  # RFC 8482 lets ANY return a subset
        elif signed and not rrsigs_for(m.answer, qname, rrset.rdtype):
            follow.append(rtype)
    return follow


def served(za: ZoneAnswers, server: Server, name: str, rtype: str) -> Answer | None:
    """The answer that says what ``server`` holds for ``name``/``rtype``: the typed one
    where it was asked, else the ANY answer."""
    return za.typed.get((server, name, rtype)) or za.any.get((server, name))
