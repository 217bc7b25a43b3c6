"""``zonegen verify``: ask the world, judge, and put it all in one :class:`Report`.

1. Find each zone's servers (``--nameserver``, else its NS through the resolver).
2. Ask (``gather.py``) and judge (``judge.py``) every zone: per authoritative server (asked
   with DO: records, signed or not, serial, signatures, denial of existence), across servers
   (disagreement), against the DS (``--ds``, or the parent's), and through the resolver (the
   AD bit, bogus answers with their Extended DNS Errors).
3. The mail checks of Mox's own "Check DNS" (``maildns.py``, ``sts.py``), from what the
   resolver said in step 2 and what they ask it beyond that; with ``--https`` the MTA-STS
   policy, with ``--tls`` the certificate of each MX.
4. DANE, only when asked (``--dane``/``--smtp``): the chain served after STARTTLS against the
   TLSA records (``dane.py``, one conversation per server for ``--tls`` and DANE).

Everything runs within limits: each query its own timeout, the whole run one deadline
(``--timeout``); a server that gives no answer is one finding, not one per record. Many zones
are split over forked processes (``parallel.fork_map``): asking is bound by Python's time per
query more than by the servers, and threads share one interpreter lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import dns.rdata
import dns.resolver

from ..errors import InputError
from ..model import Zone
from ..parallel import MAX_WORKERS, cpus, fork_map
from ..pipeline import Result
from . import maildns, sts
from .checkids import MAIL_DNS_CHECKS
from .dane import Chains, dane_check, tls_check
from .dnsquery import DEADLINE, NETWORK, SKIPPED, TIMEOUT, Answer, Asker, ServerStats, answer_rrset
from .findings import (
    ERROR,
    FATAL,
    OK,
    WARNING,
    Finding,
    Report,
    Where,
    finding,
    order,
)
from .gather import gather
from .https import Web
from .judge import Settings, Unanswered, judge_zone
from .lookup import Entry, Key, LiveLookup, seed_from
from .mailsite import MailSite, mail_site
from .servers import Server
from .webpki import CERT_WINDOW_DAYS, Trust

__all__ = ["ERROR", "FATAL", "OK", "WARNING", "Finding", "Options", "Report", "verify"]

TOTAL_TIMEOUT = 120.0  # seconds for a whole run (--timeout)
EXPIRY_WINDOW_DAYS = 7.0  # warn about signatures expiring sooner (--expiry-window)
WORKERS = 32  # queries in flight per process
MAX_LISTED = 20  # unanswered queries listed in a server's finding


@dataclass(frozen=True)
class Options:
    query_timeout: float = TIMEOUT
    timeout: float = TOTAL_TIMEOUT
    expiry_window_days: float = EXPIRY_WINDOW_DAYS
    ds: Mapping[str, tuple[dns.rdata.Rdata, ...]] = field(default_factory=dict)
    workers: int = WORKERS
    # The mail checks: those left out (--skip), and, per mail domain, the
    # MTA-STS id and policy digest of the previous run (--since).
    skip: frozenset[str] = frozenset()
    previous_policies: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # Connections out, only when asked: the MTA-STS policy over HTTPS (--https), STARTTLS
    # and the certificate of each MX (--tls); the CAs both trust (--ca-bundle, else the
    # system's), --https-resolve, and the certificate warning window (--cert-window).
    https: bool = False
    tls: bool = False
    trust: Trust | None = None
    https_resolve: Mapping[str, Server] = field(default_factory=dict)
    cert_window_days: float = CERT_WINDOW_DAYS


# From this many zones on, the zones are split over forked processes (parallel.fork_map);
# below, one process asks everything. Asking is bound by dnspython's parsing (0.3 to 0.6 ms
# of CPU an answer), so processes pay once there are a few hundred queries: measured on 2
# cores, signed zones on a local named and unbound, median of 5 turns, one process against
# forked: 10 zones 0.91 s / 0.77 s, 20 zones 1.09 s / 0.94 s, 100 zones 3.59 s / 2.87 s;
# at 5 zones no difference (0.41 s / 0.38 s, within the noise).
PARALLEL_FROM = 10


@dataclass
class _Part:
    """What one process found for its share of the zones."""

    zones: list[dict[str, Any]]
    findings: list[Finding]
    unanswered: list[Unanswered]
    stats: dict[Server, ServerStats]
    # What the resolver said about every built RRset: the mail checks start from it.
    seed: dict[Key, Entry] = field(default_factory=dict)


def verify(
    build: Result,
    *,
    nameservers: list[Server],
    resolver: Server | None,
    smtp: Server | None = None,
    dane: bool = False,
    options: Options | None = None,
) -> Report:
    """Check every zone of ``build`` against the live DNS, within ``options``' limits."""
    options = options or Options()
    started = time.monotonic()
    deadline = started + options.timeout
    now = time.time()
    for zone in options.ds:
        if zone not in {z.name for z in build.zones}:
            raise InputError(f"--ds for {zone}: not a zone of the site file")
    if resolver is None:
        resolver = system_resolver()
    mail = not set(MAIL_DNS_CHECKS) <= options.skip or options.tls
    if (options.https or options.tls) and options.trust is None:
        raise InputError("--https and --tls need the CAs to trust (--ca-bundle)")
    # Before any query: a DKIM key file that cannot be read is bad input (exit 2).
    site = mail_site(build) if mail else None
    asker = Asker(timeout=options.query_timeout, deadline=deadline)
    located = _locate(build.zones, nameservers, resolver, asker, options.workers)
    expect = {z.name: z.dnssec for z in build.site.zones}

    def check(part: Sequence[tuple[Zone, list[Server], Answer | None]]) -> _Part:
        local = asker.child()
        answers = gather(
            part,
            asker=local,
            resolver=resolver,
            parent_ds=not nameservers,
            workers=options.workers,
        )
        out = _Part([], [], [], local.stats)
        for za in answers:
            if mail:
                out.seed.update(seed_from(za.resolved.items()))
            settings = Settings(
                now=now,
                window=options.expiry_window_days * 86400,
                expect_signed=expect.get(za.zone.name, False),
                ds=options.ds.get(za.zone.name),
            )
            judged = judge_zone(za, settings)
            out.zones.append(judged.info)
            out.findings.extend(judged.findings)
            out.unanswered.extend(judged.unanswered)
        return out

    with fork_map(check, _split(located), parallel_from=2) as p:
        results = p.get()
    report = Report()
    unanswered: list[Unanswered] = []
    seed: dict[Key, Entry] = {}
    for part in results:
        report.zones.extend(part.zones)
        report.findings.extend(part.findings)
        unanswered.extend(part.unanswered)
        seed.update(part.seed)
    chains = Chains(deadline)
    if site is not None:
        lookup = LiveLookup(asker, resolver, seed)
        fetch, tls443 = None, None
        if options.https and options.trust is not None:
            web = Web(
                lookup, options.https_resolve, options.trust, deadline, options.cert_window_days
            )
            fetch, tls443 = web.fetch_policy, web.tls443
        report.findings.extend(
            _mail_checks(
                site,
                lookup,
                skip=options.skip,
                fetch=fetch,
                tls443=tls443,
                previous_policies=options.previous_policies,
            )
        )
        if options.tls and options.trust is not None:
            report.findings.extend(
                tls_check(
                    site,
                    lookup,
                    chains,
                    smtp=smtp,
                    trust=options.trust,
                    window_days=options.cert_window_days,
                )
            )
    stats = dict(asker.stats)
    for part in results:
        for server, s in part.stats.items():
            stats.setdefault(server, ServerStats()).merge(s)
    rank = {z.name: i for i, z in enumerate(build.zones)}
    report.zones.sort(key=lambda z: rank[z["zone"]])
    roles = _roles(located, resolver)
    if smtp or dane:
        report.findings.extend(dane_check(build, smtp, chains))
    for server, s in chains.stats.items():
        stats[server] = s
        roles[server] = "smtp"
    report.findings.extend(_per_server(unanswered, stats, options))
    report.findings.sort(key=order)
    report.servers = _server_rows(stats, roles)
    report.seconds = time.monotonic() - started
    return report


def system_resolver() -> Server:
    """The first name server of /etc/resolv.conf."""
    try:
        system = dns.resolver.Resolver()
    except dns.resolver.NoResolverConfiguration:
        raise InputError("no resolver configured on this machine: give --resolver") from None
    if not system.nameservers:
        raise InputError("no resolver configured on this machine: give --resolver")
    return Server(str(system.nameservers[0]), system.port)


def _split(
    located: list[tuple[Zone, list[Server], Answer | None]],
) -> list[list[tuple[Zone, list[Server], Answer | None]]]:
    """One share of the zones per process (one share below ``PARALLEL_FROM`` zones: then
    ``fork_map`` runs it here, without forking)."""
    n = min(cpus(), MAX_WORKERS) if len(located) >= PARALLEL_FROM else 1
    return [located[i::n] for i in range(n) if located[i::n]]


def _roles(
    located: list[tuple[Zone, list[Server], Answer | None]], resolver: Server
) -> dict[Server, str]:
    roles = {s: "authoritative" for _, servers, _ in located for s in servers}
    roles[resolver] = "resolver"
    return roles


def _mail_checks(
    site: MailSite,
    lookup: LiveLookup,
    *,
    skip: frozenset[str],
    fetch: sts.Fetch | None,
    tls443: maildns.Tls443 | None,
    previous_policies: Mapping[str, tuple[str, str]],
) -> list[Finding]:
    """Every DNS mail check not in ``skip``, each in a thread of its own (each asks its
    names one after the other; most answers come from what the zone checks asked); with
    ``--https`` the MTA-STS policy (``fetch``) and the TLS of autoconfig and autodiscover
    (``tls443``)."""
    jobs: dict[str, Callable[[], list[Finding]]] = {
        "iprev": lambda: maildns.iprev(site, lookup),
        "spf-eval": lambda: maildns.spf_eval(site, lookup),
        "dkim-key": lambda: maildns.dkim_key(site, lookup),
        "dmarc-external": lambda: maildns.dmarc_external(site, lookup),
        "tlsrpt": lambda: maildns.tlsrpt(site, lookup),
        "mta-sts": lambda: sts.mta_sts(site, lookup, fetch, previous_policies),
        "srv-clients": lambda: maildns.srv_clients(site, lookup),
        "autoconfig": lambda: maildns.autoconfig(site, lookup, tls443),
        "autodiscover": lambda: maildns.autodiscover(site, lookup, tls443),
    }
    chosen = [jobs[check] for check in MAIL_DNS_CHECKS if check not in skip]
    if not chosen:
        return []
    with ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        return [f for fs in pool.map(lambda job: job(), chosen) for f in fs]


# ------------------------------------------------------------------------ name servers


def _locate(
    zones: Sequence[Zone],
    nameservers: list[Server],
    resolver: Server,
    asker: Asker,
    workers: int,
) -> list[tuple[Zone, list[Server], Answer | None]]:
    """Each zone with the servers to ask: ``--nameserver``, or its NS and their addresses
    through the resolver; or with the answer that told no servers."""
    if nameservers:
        return [(z, nameservers, None) for z in zones]

    def ask(name: str, rtype: str) -> Answer:
        return asker.ask(resolver, name, rtype, recursion=True)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        ns_answers = list(pool.map(lambda z: ask(z.name, "NS"), zones))
        targets: dict[str, list[str]] = {}
        for zone, answer in zip(zones, ns_answers, strict=True):
            ns = answer_rrset(answer.message, zone.name, "NS") if answer.message else None
            targets[zone.name] = sorted(rd.target.to_text() for rd in ns or [])
        hosts = sorted({t for ts in targets.values() for t in ts})
        queries = [(h, t) for h in hosts for t in ("A", "AAAA")]
        addresses: dict[str, list[Server]] = {h: [] for h in hosts}
        for (host, rtype), answer in zip(
            queries, pool.map(lambda q: ask(*q), queries), strict=True
        ):
            rrset = answer_rrset(answer.message, host, rtype) if answer.message else None
            addresses[host].extend(Server(rd.to_text(), 53) for rd in rrset or [])
    out: list[tuple[Zone, list[Server], Answer | None]] = []
    for zone, answer in zip(zones, ns_answers, strict=True):
        servers = [s for t in targets[zone.name] for s in addresses[t]]
        out.append((zone, servers, None if servers else answer))
    return out


# ------------------------------------------------------------------------ per server


def _per_server(
    unanswered: list[Unanswered], stats: Mapping[Server, ServerStats], options: Options
) -> list[Finding]:
    """One finding per server that left queries without an answer: one dead server is one
    line, not one per record."""
    by_server: dict[str, list[Unanswered]] = {}
    seen = set()
    for u in unanswered:
        if (u.server, u.zone, u.query) not in seen:  # RRsets from one ANY: one query
            seen.add((u.server, u.zone, u.query))
            by_server.setdefault(u.server, []).append(u)
    by_name = {str(k): v for k, v in stats.items()}
    return [
        _server_finding(server, missed, by_name.get(server, ServerStats()), options)
        for server, missed in sorted(by_server.items())
    ]


def _server_finding(
    server: str, missed: list[Unanswered], s: ServerStats, options: Options
) -> Finding:
    total = s.queries + s.skipped + s.failures.get(DEADLINE, 0)
    first = next((u for u in missed if u.failure not in (SKIPPED, DEADLINE)), missed[0])
    late = [u for u in missed if u.failure == DEADLINE]
    zones = sorted({u.zone for u in missed})
    status = "deadline" if first.failure == DEADLINE else "no-answer"
    parts = [
        f"verify's total time (--timeout {options.timeout:g} s) ran out"
        if status == "deadline"
        else first.detail
    ]
    if s.answered:
        shown = ", ".join(u.query for u in missed[:3]) + (", ..." if len(missed) > 3 else "")
        parts.append(f"{len(missed)} of {total} queries without an answer ({shown})")
    else:
        not_asked = f" ({s.skipped} more not asked)" if s.skipped else ""
        parts.append(f"no answer to any of its {s.queries} queries{not_asked}")
    if late and status != "deadline":
        parts.append(f"{len(late)} not answered before the deadline")
    if len(zones) > 1:
        parts.append(f"zones not fully checked: {len(zones)}")
    # No IPv6 route from here says nothing about the server: a warning, not "could not check".
    severity = WARNING if first.failure == NETWORK and ":" in server else FATAL
    # What became of each query it was asked, for tools (the text shows the line above).
    tried = [u for u in missed if u.failure != SKIPPED]
    got = tuple(f"{u.query}: {u.failure}" for u in tried[:MAX_LISTED])
    if len(tried) > MAX_LISTED:
        got += (f"... {len(tried) - MAX_LISTED} more",)
    if len(tried) < len(missed):
        got += (f"{len(missed) - len(tried)} more not asked (it had stopped answering)",)
    where = Where(zones[0] if len(zones) == 1 else "", "", "", server)
    return finding(where, first.role, status, severity, got=got, detail="; ".join(parts))


def _server_rows(
    stats: Mapping[Server, ServerStats], roles: Mapping[Server, str]
) -> list[dict[str, Any]]:
    rows = []
    for server, s in sorted(stats.items(), key=lambda kv: (roles.get(kv[0], ""), str(kv[0]))):
        if s.answered == 0 and (s.queries or s.skipped or s.failures):
            outcome = "no-answer"
        elif s.failures or s.skipped:
            outcome = "deadline" if DEADLINE in s.failures else "partial"
        elif s.rcodes:
            outcome = "error-rcodes"
        else:
            outcome = "ok"
        rows.append(
            {
                "server": str(server),
                "role": roles.get(server, "authoritative"),
                "queries": s.queries,
                "answered": s.answered,
                "skipped": s.skipped,
                "seconds": round(s.seconds, 3),
                "span": round(s.span, 3),
                "slowest": round(s.slowest, 3),
                "slowest_query": s.slowest_query,
                "rcodes": dict(sorted(s.rcodes.items())),
                "failures": dict(sorted(s.failures.items())),
                "outcome": outcome,
                "detail": s.first_failure,
            }
        )
    return rows
