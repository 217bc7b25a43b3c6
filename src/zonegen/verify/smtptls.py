"""``tls`` (with ``--tls``): STARTTLS on each MX, and its certificate valid for the MX name by
the Web PKI, not expiring within ``--cert-window`` days (Mox's "TLS" section of
``checkDomain``: a STARTTLS handshake with the system roots and the MX name). DANE stays
its own finding (``dane``); both read the chain of one conversation per address and name
(:class:`Chains`), so asking for both costs one connection.

The MX hosts are those of the mail domains as the resolver gives them (a null MX names
none); each of their addresses is asked on port 25, or ``--smtp HOST[:PORT]`` instead.
"""

from __future__ import annotations

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import dane, webpki
from .dnsquery import ServerStats
from .findings import ERROR, FATAL, Finding, finding
from .lookup import LiveLookup
from .maildns import fault
from .mailsite import MailSite
from .servers import Server

MAX_TARGETS = 16  # MX addresses asked at most (a domain with more is checked on the first)


class Chains:
    """One SMTP conversation per (server, name) for the whole run, with its statistics."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.stats: dict[Server, ServerStats] = {}
        self._done: dict[tuple[Server, str], dane.Served | dane.SmtpFailure] = {}
        self._lock = threading.Lock()

    def get(self, target: Server, name: str) -> dane.Served | dane.SmtpFailure:
        key = (target, name)
        with self._lock:
            if key in self._done:
                return self._done[key]
        start = time.monotonic()
        result: dane.Served | dane.SmtpFailure
        try:
            result = dane.fetch_chain(
                target,
                server_name=name,
                deadline=min(self.deadline, start + dane.SMTP_TIMEOUT),
            )
        except dane.SmtpFailure as e:
            result = e
        end = time.monotonic()
        with self._lock:
            s = self.stats.setdefault(target, ServerStats())
            s.timed(start, end)
            s.queries += 1
            s.seconds += end - start
            if end - start > s.slowest:
                s.slowest, s.slowest_query = end - start, f"SMTP STARTTLS ({name})"
            if isinstance(result, dane.SmtpFailure):
                s.failures[result.status] = s.failures.get(result.status, 0) + 1
                s.first_failure = s.first_failure or result.detail
            else:
                s.answered += 1
            self._done.setdefault(key, result)
            return self._done[key]


def smtp_failure(e: dane.SmtpFailure) -> str:
    """Nothing listening, or no reply in time, is "could not check" (port 25 is often
    blocked on the way out); the rest is the server's doing."""
    return FATAL if e.status in (dane.REFUSED, dane.UNREACHABLE) else ERROR


def tls_check(
    site: MailSite,
    lookup: LiveLookup,
    chains: Chains,
    *,
    smtp: Server | None,
    trust: webpki.Trust,
    window_days: float,
) -> list[Finding]:
    out: list[Finding] = []
    server = str(lookup.resolver)
    hosts: set[str] = set()
    for domain in site.domains:
        e = lookup.entry(domain, "MX")
        problem = fault(site.where(domain, "MX", server), "tls", e, f"{domain} MX")
        if problem:
            out.append(problem)
            continue
        for text in e.records:
            parts = text.split()
            if len(parts) == 2 and parts[1] != ".":
                hosts.add(parts[1].lower())
    jobs: list[tuple[str, Server]] = []
    for host in sorted(hosts):
        if smtp is not None:
            jobs.append((host, smtp))
            continue
        addresses, failed = lookup.addresses(host)
        if not addresses:
            where = site.where(host, "starttls", server)
            detail = f"the MX {host} has no address: senders cannot deliver to it"
            if failed is not None:
                out.append(
                    fault(where, "tls", failed, f"{host} A/AAAA")
                    or finding(where, "tls", "dns-error", ERROR)
                )
            else:
                out.append(finding(where, "tls", "no-address", ERROR, detail=detail))
            continue
        jobs.extend((host, Server(a, 25)) for a in addresses[:MAX_TARGETS])

    def one(job: tuple[str, Server]) -> Finding:
        host, target = job
        where = site.where(host, "starttls", str(target))
        got = chains.get(target, host)
        if isinstance(got, dane.SmtpFailure):
            return finding(where, "tls", got.status, smtp_failure(got), detail=got.detail)
        now = datetime.datetime.now(datetime.UTC)
        verdict = webpki.check_chain(got.chain, host, trust, now=now, window_days=window_days)
        return finding(
            where,
            "tls",
            verdict.status,
            verdict.severity,
            got=dane.presented(got)[:1],
            detail=f"STARTTLS: {verdict.detail}",
        )

    if jobs:
        with ThreadPoolExecutor(max_workers=min(8, len(jobs))) as pool:
            out.extend(pool.map(one, jobs))
    return out
