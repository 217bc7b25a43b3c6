"""One finding of ``zonegen verify``: what was checked, where, against which server, and what
came of it. The field names are part of the JSON contract (README, "Verifying the live DNS")."""

from __future__ import annotations

from dataclasses import dataclass

OK, WARNING, ERROR, FATAL = "ok", "warning", "error", "fatal"
RANK = {FATAL: 0, ERROR: 1, WARNING: 2, OK: 3}

# The mail checks, one finding kind each, in the order of Mox's own "Check DNS" page
# (``checkDomain`` in Mox's webadmin/admin.go). The DNS ones run by default (``--skip CHECK``
# leaves one out, ``--skip mail`` all of them); "tls" needs ``--tls``. The command line reads
# this table at import time, so this module imports nothing heavy.
MAIL_DNS_CHECKS = (
    "iprev",
    "spf-eval",
    "dkim-key",
    "dmarc-external",
    "tlsrpt",
    "mta-sts",
    "srv-clients",
    "autoconfig",
    "autodiscover",
)
MAIL_CHECKS = (*MAIL_DNS_CHECKS, "tls")
MAIL_GROUP = "mail"  # --skip mail: every check of MAIL_DNS_CHECKS


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # authoritative | resolver | dnssec | consistency | dane
    status: str  # ok, missing, different, ttl, extra, bogus, expired, no-answer, ... (README)
    severity: str  # ok | warning | error | fatal (could not check)
    zone: str  # "" for a finding about a server as a whole
    name: str
    rtype: str
    server: str
    expected: tuple[str, ...] = ()
    got: tuple[str, ...] = ()
    detail: str = ""
    # Extended DNS Errors (RFC 8914) the resolver attached: (code, text).
    ede: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Where:
    zone: str
    name: str
    rtype: str
    server: str


def finding(
    where: Where,
    check: str,
    status: str,
    severity: str,
    *,
    expected: tuple[str, ...] = (),
    got: tuple[str, ...] = (),
    detail: str = "",
    ede: tuple[tuple[int, str], ...] = (),
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
        ede,
    )


def order(f: Finding) -> tuple[str, str, str, str, int, str, str]:
    return (f.zone, f.name, f.rtype, f.check, RANK[f.severity], f.server, f.status)
