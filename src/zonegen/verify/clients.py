"""The records mail clients find the server by, as Mox's check reads them (``SRVConf``,
``Autoconf`` and ``Autodiscover`` in ``checkDomain``, Mox's webadmin/admin.go):

- ``srv-clients``: ``_submissions``, ``_submission``, ``_imaps``, ``_imap``, ``_pop3`` and
  ``_pop3s`` under each mail domain (RFC 6186): a null SRV (target ".", RFC 6186 4) says the
  service is not offered and is fine; any other target must resolve to the host's IPs;
- ``autoconfig``: ``autoconfig.<domain>`` resolves to the host's IPs (Thunderbird's
  autoconfiguration, served by Mox);
- ``autodiscover``: ``_autodiscover._tcp.<domain>`` SRV names a target on port 443 that
  resolves to the host's IPs (Microsoft clients).

"The host's IPs" are the site's (``host:`` or mox.conf); a site without any skips that part,
as Mox does behind an unspecified NAT.
"""

from __future__ import annotations

from .findings import ERROR, FATAL, OK, WARNING, Finding, finding
from .lookup import LiveLookup
from .maildns import fault
from .mailsite import MailSite

# RFC 6186 3.1 and 3.2, RFC 8314 5.1 (submissions), and the ports Mox puts in its records.
SERVICES = (
    ("_submissions", 465),
    ("_submission", 587),
    ("_imaps", 993),
    ("_imap", 143),
    ("_pop3", 110),
    ("_pop3s", 995),
)


def _srv(text: str) -> tuple[int, str] | None:
    """(port, target) of an SRV in presentation form."""
    parts = text.split()
    if len(parts) != 4 or not parts[2].isdigit():
        return None
    return int(parts[2]), parts[3].lower()


def _reach(site: MailSite, lookup: LiveLookup, target: str) -> tuple[str, str, list[str]]:
    """(status, detail, addresses) of a target name that must lead to the host."""
    addresses, failed = lookup.addresses(target)
    if not addresses:
        if failed is not None:
            return failed.fault, f"{target}: no answer ({failed.detail})", []
        return "no-address", f"{target} has no A or AAAA record", []
    if not site.ips:
        return "ok", f"{target} resolves ({', '.join(addresses)})", addresses
    ours, others = site.ours(addresses)
    if not ours:
        return (
            "not-ours",
            f"{target} resolves to {', '.join(others)}, none of the host's IPs "
            f"({', '.join(site.ips)})",
            addresses,
        )
    if others:
        return (
            "not-ours",
            f"{target} resolves to {', '.join(others)} as well, which are not the host's "
            f"IPs ({', '.join(site.ips)}): clients that pick those fail",
            addresses,
        )
    return "ok", f"{target} resolves to the host ({', '.join(addresses)})", addresses


def _severity(status: str) -> str:
    return OK if status == "ok" else FATAL if status == "no-answer" else ERROR


def srv_clients(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    out: list[Finding] = []
    server = str(lookup.resolver)
    for domain in site.domains:
        for service, port in SERVICES:
            owner = f"{service}._tcp.{domain}"
            where = site.where(owner, "SRV", server)
            e = lookup.entry(owner, "SRV")
            problem = fault(where, "srv-clients", e, f"{owner} SRV")
            if problem:
                out.append(problem)
                continue
            records = [s for s in map(_srv, e.records) if s is not None]
            if not records:
                built = site.has(owner, "SRV")
                out.append(
                    finding(
                        where,
                        "srv-clients",
                        "missing" if built else "absent",
                        ERROR if built else WARNING,
                        detail=f"no SRV record: mail clients cannot find {service[1:]} for "
                        f"{domain.rstrip('.')} (RFC 6186)"
                        + ("; publish the record Mox printed" if built else "; Mox warns"),
                    )
                )
                continue
            if [t for _, t in records] == ["."]:
                out.append(
                    finding(
                        where,
                        "srv-clients",
                        "ok",
                        OK,
                        got=e.records,
                        detail=f"null SRV: {service[1:]} is not offered (RFC 6186 4)",
                    )
                )
                continue
            if any(t == "." for _, t in records):
                out.append(
                    finding(
                        where,
                        "srv-clients",
                        "mixed-null",
                        ERROR,
                        got=e.records,
                        detail='a null SRV (target ".") next to other records: RFC 2782 '
                        "allows it only alone; clients may take the service as not offered",
                    )
                )
                continue
            worst, details = "ok", []
            for p, target in records:
                status, detail, _ = _reach(site, lookup, target)
                if status != "ok":
                    worst = status
                details.append(detail)
                if p != port and status == "ok":
                    worst = "port" if worst == "ok" else worst
                    details.append(f"port {p}, not {port} as Mox serves {service[1:]}")
            severity = OK if worst == "ok" else WARNING if worst == "port" else _severity(worst)
            out.append(
                finding(
                    where, "srv-clients", worst, severity, got=e.records, detail="; ".join(details)
                )
            )
    return out


def autoconfig(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    out: list[Finding] = []
    server = str(lookup.resolver)
    for domain in site.domains:
        name = f"autoconfig.{domain}"
        built_type = "CNAME" if site.has(name, "CNAME") else "A"
        where = site.where(name, built_type, server)
        status, detail, addresses = _reach(site, lookup, name)
        if status in ("no-answer", "error"):
            e = lookup.entry(name, "A")
            out.append(
                fault(where, "autoconfig", e, f"{name} A")
                or finding(where, "autoconfig", status, ERROR, detail=detail)
            )
            continue
        if status == "no-address":
            built = site.has(name, built_type)
            out.append(
                finding(
                    where,
                    "autoconfig",
                    "missing" if built else "absent",
                    ERROR if built else WARNING,
                    detail=f"{detail}: Thunderbird and others cannot configure themselves "
                    + ("; publish the record Mox printed" if built else "; Mox warns"),
                )
            )
            continue
        out.append(
            finding(
                where,
                "autoconfig",
                status,
                _severity(status),
                got=tuple(addresses),
                detail=detail,
            )
        )
    return out


def autodiscover(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    out: list[Finding] = []
    server = str(lookup.resolver)
    for domain in site.domains:
        owner = f"_autodiscover._tcp.{domain}"
        where = site.where(owner, "SRV", server)
        e = lookup.entry(owner, "SRV")
        problem = fault(where, "autodiscover", e, f"{owner} SRV")
        if problem:
            out.append(problem)
            continue
        records = [s for s in map(_srv, e.records) if s is not None]
        if not records:
            built = site.has(owner, "SRV")
            out.append(
                finding(
                    where,
                    "autodiscover",
                    "missing" if built else "absent",
                    ERROR if built else WARNING,
                    detail="no SRV record: Microsoft clients cannot configure themselves"
                    + ("; publish the record Mox printed" if built else "; Mox warns"),
                )
            )
            continue
        https = [t for p, t in records if p == 443]
        if not https:
            out.append(
                finding(
                    where,
                    "autodiscover",
                    "port",
                    ERROR,
                    got=e.records,
                    detail="no record for port 443 (HTTPS), where Mox serves autodiscover",
                )
            )
            continue
        results = [_reach(site, lookup, t) for t in https]
        bad = [r for r in results if r[0] != "ok"]
        status = bad[0][0] if bad else "ok"
        out.append(
            finding(
                where,
                "autodiscover",
                status,
                _severity(status),
                got=e.records,
                detail="; ".join(r[1] for r in results),
            )
        )
    return out
