"""The mail checks that need only DNS, as Mox's own "Check DNS" makes them (``checkDomain``
in Mox's webadmin/admin.go), one finding kind each, through the resolver:

- ``iprev``: the PTR of each host IP names the host, and the host's A/AAAA holds the IP
  (forward-confirmed reverse DNS, what receivers ask of a sending IP);
- ``spf-eval``: each host IP, as sender from each mail domain and for the host's own HELO
  name, evaluated by RFC 7208 ``check_host()`` over the live DNS: anything but ``pass`` fails;
- ``dkim-key``: each selector's published key is the public half of the private key Mox
  signs with (with ``mox.config``);
- ``dmarc-external``: a DMARC report address in another organization is authorized by
  ``<domain>._report._dmarc.<destination>`` (RFC 7489 7.1);
- ``tlsrpt``: the host's and each domain's ``_smtp._tls`` record, exactly one, well-formed
  (RFC 8460 3);
- ``srv-clients``: ``_submissions``, ``_submission``, ``_imaps``, ``_imap``, ``_pop3`` and
  ``_pop3s`` under each mail domain (RFC 6186, Mox's ``SRVConf``): a null SRV (target ".",
  RFC 6186 4) says the service is not offered and is fine; any other target must resolve
  to the host's IPs;
- ``autoconfig``: ``autoconfig.<domain>`` resolves to the host's IPs (Thunderbird's
  autoconfiguration, served by Mox; Mox's ``Autoconf``);
- ``autodiscover``: ``_autodiscover._tcp.<domain>`` SRV names a target on port 443 that
  resolves to the host's IPs (Microsoft clients; Mox's ``Autodiscover``).

"The host's IPs" are the site's (``host:`` or mox.conf; the build refuses a site without
any). Each check gives an ``ok`` finding when it holds, so that monitoring sees it ran. Pure
judging over a :class:`~.lookup.LiveLookup`; the lookups are the only I/O. ``mta-sts``
(``sts.py``) and ``tls`` (``dane.py``) build on the same :class:`Check`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

import dns.reversename

from .. import names
from ..mail import dkim, dmarc, mtasts, spf
from ..mail.spf_eval import check_host
from ..mail.taglist import Issue
from ..text import digits
from .dnsquery import BAD_NAME
from .findings import ERROR, FATAL, OK, WARNING, Finding, Where, finding
from .lookup import NO_ANSWER, Entry, LiveLookup
from .mailsite import MailSite

T = TypeVar("T")


# Names one answer leads to that a check follows (a PTR's names, SRV targets, MX hosts,
# DMARC report destinations), each with queries of its own: real answers hold one to a few;
# a broken or hostile one can hold hundreds. RFC 7208 4.6.4 draws the line at 10 for the
# same reason (PTR and MX names in SPF).
MAX_NAMES = 10


def first(items: list[T]) -> tuple[list[T], str]:
    """The first ``MAX_NAMES`` of ``items``, and a note for the detail when more were cut."""
    if len(items) <= MAX_NAMES:
        return items, ""
    return items[:MAX_NAMES], f" ({len(items) - MAX_NAMES} more not followed: {MAX_NAMES} at most)"


def fault(where: Where, check: str, e: Entry, query: str) -> Finding | None:
    """The finding for a lookup that failed: no answer at all is "could not check" (fatal),
    an error rcode (SERVFAIL: bogus or lame) is an error. None when the lookup worked."""
    if e.fault == NO_ANSWER:
        return finding(
            where,
            check,
            "no-answer",
            FATAL,
            detail=f"no answer from the resolver to {query} ({e.detail})",
        )
    if e.fault == BAD_NAME:
        # RFC 1035 2.3.4: built from what a record says, the name is too long (or has an
        # empty or too long label): no receiver can look it up, so what it should hold
        # counts as absent for all of them.
        return finding(
            where, check, BAD_NAME, ERROR, detail=f"{query} cannot be looked up: {e.detail}"
        )
    if e.fault and e.fault != "nxdomain":
        return finding(
            where,
            check,
            e.detail.lower() or "dns-error",
            ERROR,
            detail=f"the resolver answered {e.detail} to {query}: receivers cannot read it "
            "either (a DNSSEC failure, or the zone's servers fail; see the resolver findings)",
        )
    return None


# Mox's TLS check on port 443 of a name (``https.tls_checker``, with ``--https``):
# (status, severity, detail), or None for a name without address.
Tls443 = Callable[[str], "tuple[str, str, str] | None"]


def severity_of(status: str) -> str:
    """ok is ok, no answer is "could not check", anything else the check found is an error."""
    return OK if status == "ok" else FATAL if status == "no-answer" else ERROR


class Check:
    """One mail check's findings, and the steps every check starts with: ask for a name,
    report a failed lookup, a missing record, more than one."""

    def __init__(self, check: str, site: MailSite, lookup: LiveLookup) -> None:
        self.check = check
        self.site = site
        self.lookup = lookup
        self.server = str(lookup.resolver)
        self.out: list[Finding] = []

    def where(self, name: str, rtype: str) -> Where:
        return self.site.where(name, rtype, self.server)

    def add(self, where: Where, status: str, severity: str, **details: Any) -> None:
        """A finding of this check (``details``: ``expected``, ``got``, ``detail``)."""
        self.out.append(finding(where, self.check, status, severity, **details))

    def failed(self, where: Where, e: Entry, query: str) -> bool:
        """Report the lookup ``e`` of ``query`` when it failed; True when it did."""
        problem = fault(where, self.check, e, query)
        if problem is not None:
            self.out.append(problem)
        return problem is not None

    def records(self, where: Where) -> tuple[str, ...] | None:
        """The records at ``where``'s name and type; None (and a finding) when the lookup
        failed. NXDOMAIN is no records."""
        e = self.lookup.entry(where.name, where.rtype)
        return None if self.failed(where, e, f"{where.name} {where.rtype}") else e.records

    def missing(self, where: Where, text: str, *, required: bool | None = None) -> None:
        """No record: an error when the build publishes one there (or ``required``), else a
        warning, as Mox's "missing optional"."""
        built = self.site.has(where.name, where.rtype) if required is None else required
        self.add(
            where,
            "missing" if built else "absent",
            ERROR if built else WARNING,
            detail=text + ("; publish the record Mox printed" if built else "; Mox warns"),
        )

    def single(
        self,
        where: Where,
        keep: Callable[[str], bool],
        *,
        kind: str,
        missing: str,
        multiple: str,
        validate: Callable[[str], list[Issue]] | None = None,
        required: bool | None = None,
    ) -> str | None:
        """The one record of a ``kind`` at ``where`` (those ``keep`` says are one); None
        after a finding when there is none, more than one, or (``validate``) a bad one."""
        records = self.records(where)
        if records is None:
            return None
        texts = [t for t in records if keep(t)]
        if not texts:
            self.missing(where, missing, required=required)
            return None
        if len(texts) > 1:
            shown = tuple(_short(t) for t in texts)
            self.add(where, "multiple", ERROR, got=shown, detail=f"{len(texts)} {kind}: {multiple}")
            return None
        issues = [i for i in validate(texts[0]) if i.severity == "error"] if validate else []
        if issues:
            detail = "; ".join(i.message for i in issues[:3])
            self.add(where, "invalid", ERROR, got=(_short(texts[0]),), detail=detail)
            return None
        return texts[0]


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


# ------------------------------------------------------------------------ iprev


def iprev(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    """Forward-confirmed reverse DNS of each host IP (Mox's IPRev)."""
    c = Check("iprev", site, lookup)
    host = site.hostname
    forward, failed = lookup.addresses(host)
    loopback = [a for a in forward if _loopback(a)]
    if loopback:
        c.add(
            c.where(host, "A"),
            "loopback",
            ERROR,
            got=tuple(loopback),
            detail=f"{host} resolves to a loopback address: mail to it loops back to "
            "the sender (a leftover of /etc/hosts at install time?); publish the "
            "host's public addresses",
        )
    for ip in site.ips:
        rev = dns.reversename.from_address(ip).to_text().lower()
        # The reverse zone is someone else's: the finding sits in the host's zone.
        where = Where(site.zone(host), rev, "PTR", c.server)
        records = c.records(where)
        if records is None:
            continue
        if not records:
            c.add(
                where,
                "no-ptr",
                ERROR,
                expected=(host,),
                detail=f"{ip} has no reverse name (PTR): many receivers refuse or junk "
                f"mail from it. Ask whoever assigns the IP (the hosting provider) to set "
                f"its PTR to {host}",
            )
            continue
        ptr = tuple(names_of(records))
        if host in ptr and failed is not None and not forward:
            if not c.failed(c.where(host, "A"), failed, f"{host} A/AAAA"):
                c.add(where, "dns-error", ERROR)
            continue
        status, severity, detail = _confirmation(ip, host, ptr, forward, lookup)
        c.add(where, status, severity, expected=(host,), got=ptr, detail=detail)
    return c.out


def _confirmation(
    ip: str, host: str, ptr: tuple[str, ...], forward: list[str], lookup: LiveLookup
) -> tuple[str, str, str]:
    """(status, severity, detail) of the names the PTR of ``ip`` gives: the host's, resolving
    back to ``ip``, is ok; another name that resolves back is a warning (as Mox says)."""
    if host in ptr:
        if _same_ip(ip, forward):
            return "ok", OK, f"{ip} -> {host} -> {ip} (forward-confirmed)"
        return (
            "not-confirmed",
            ERROR,
            f"the PTR of {ip} names {host}, but {host} does not resolve to {ip} (it has "
            f"{', '.join(forward) or 'no address'}): receivers check the name back "
            "(forward-confirmed reverse DNS)",
        )
    names, cut = first(list(ptr))
    confirmed = [n for n in names if _same_ip(ip, lookup.addresses(n)[0])]
    if confirmed:
        return (
            "other-name",
            WARNING,
            f"the PTR of {ip} names {', '.join(confirmed)}, which resolves back to it, but "
            f"not {host}: receivers accept it; Mox warns. Set the PTR to {host}",
        )
    return (
        "not-confirmed",
        ERROR,
        f"the PTR of {ip} names {', '.join(names)}{cut}, and no such name resolves back to "
        f"{ip}: set the PTR to {host}",
    )


def names_of(records: tuple[str, ...]) -> list[str]:
    out = []
    for text in records:
        try:
            out.append(names.absolute(text))
        except ValueError:
            out.append(text)
    return out


def _loopback(text: str) -> bool:
    """127/8 or ::1, and an IPv4-mapped ::ffff:127.x as well (Go's IP.IsLoopback, which
    Mox's check asks)."""
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return False
    mapped = a.ipv4_mapped if isinstance(a, ipaddress.IPv6Address) else None
    return a.is_loopback or (mapped is not None and mapped.is_loopback)


def _same_ip(ip: str, addresses: list[str]) -> bool:
    want = ipaddress.ip_address(ip)
    for a in addresses:
        try:
            if ipaddress.ip_address(a) == want:
                return True
        except ValueError:
            continue
    return False


# ------------------------------------------------------------------------ spf-eval


class Watch:
    """A :class:`zonegen.mail.spf.Lookup` that notes the queries that got no answer, so an
    evaluation that ended in ``temperror`` for want of any answer says "could not check"."""

    def __init__(self, lookup: LiveLookup) -> None:
        self.lookup = lookup
        self.missed: list[str] = []

    def ask(self, name: str, rdtype: str) -> spf.Answer:
        e = self.lookup.entry(name, rdtype)
        if e.fault == NO_ANSWER:
            self.missed.append(f"{name} {rdtype}: {e.detail}")
        return e.spf


def spf_eval(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    """RFC 7208 ``check_host()`` for each host IP, sending as ``postmaster@<domain>`` from
    each mail domain (HELO the domain, as Mox's check does), and for the host's HELO name."""
    c = Check("spf-eval", site, lookup)
    for domain in (*site.domains, site.hostname):
        where = c.where(domain, "TXT")
        helo = domain == site.hostname
        bare = domain.rstrip(".")
        for ip in site.ips:
            watch = Watch(lookup)
            r = check_host(ip, bare, f"postmaster@{bare}", watch, helo=bare)
            role = f"the host's HELO name {bare}" if helo else f"mail from @{bare}"
            got = (f"{ip}: {r.result}",)
            if r.result == "pass":
                detail = f"{ip} passes for {role} ({r.mechanism}; {r.lookups} lookups)"
                c.add(where, "ok", OK, got=got, detail=detail)
            elif r.result == "temperror" and watch.missed:
                c.add(
                    where,
                    "no-answer",
                    FATAL,
                    got=got,
                    detail=f"SPF for {ip} as {role} could not be evaluated: no answer "
                    f"to {watch.missed[0]}",
                )
            else:
                c.add(
                    where,
                    r.result,
                    ERROR,
                    got=got,
                    detail=f"{ip} gets {r.result} for {role}"
                    + (f" ({r.reason})" if r.reason else "")
                    + (f" (mechanism {r.mechanism})" if r.mechanism else "")
                    + f": {_SPF_FIX.get(r.result, '')}",
                )
    return c.out


_SPF_FIX = {
    "none": "there is no SPF record; publish the one Mox printed",
    "neutral": "the record does not vouch for this IP; add it (ip4:/ip6:, or a or mx)",
    "fail": "receivers reject this mail; add the IP to the record (ip4:/ip6:, or a or mx)",
    "softfail": "receivers mark this mail suspect; add the IP to the record (ip4:/ip6:, "
    "or a or mx)",
    "permerror": "receivers cannot use the record at all; fix it (zonegen check says how)",
    "temperror": "a DNS error while evaluating it: receivers defer or accept unchecked",
}


# ------------------------------------------------------------------------ dkim-key


def dkim_key(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    """Each selector of Mox's config: the published key equals the private key's public half
    (the comparison Mox's check makes, on the decoded p= bytes)."""
    c = Check("dkim-key", site, lookup)
    for key in site.dkim:
        where = c.where(f"{key.selector}._domainkey.{key.domain}", "TXT")
        label = f"selector {key.selector} of {key.domain.rstrip('.')} ({key.where})"
        text = c.single(
            where,
            dkim.is_key_record,
            kind="key records",
            missing=f"no DKIM key record for {label}: receivers cannot verify what Mox "
            "signs with it",
            multiple="verifiers take one of them at random or none (RFC 6376 3.6.2.2); "
            "keep the one Mox printed",
            required=True,  # Mox signs with it: the record must be there
        )
        if text is None:
            continue
        parsed = dkim.parse(text)
        if parsed.public == key.public and parsed.key_type == key.kind:
            c.add(where, "ok", OK, detail=f"the published key is the public key of {label}")
            continue
        why = (
            "it is revoked (empty p=)"
            if parsed.revoked
            else "p= does not parse"
            if parsed.public is None
            else f"it is another {parsed.key_type} key"
        )
        c.add(
            where,
            "mismatch",
            ERROR,
            got=(_short(text),),
            detail=f"the published key is not the public key of {label}: {why}. Every "
            "message Mox signs with this selector fails DKIM; publish the record Mox "
            "prints now (mox config dnsrecords)",
        )
    return c.out


# ------------------------------------------------------------------------ dmarc-external


def external(domain: str, dest: str, site: MailSite) -> bool:
    """Is ``dest`` in another organization than ``domain`` (RFC 7489 7.1)? Without the
    Public Suffix List, names in one line of descent, or in one zone of the site file, are
    one organization; everything else is external (checking too much is the safe side:
    the record asked for is cheap to publish)."""
    if domain == dest or domain.endswith("." + dest) or dest.endswith("." + domain):
        return False
    zone = site.zone(domain)
    return not (zone and zone == site.zone(dest))


def dmarc_external(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    c = Check("dmarc-external", site, lookup)
    for domain in site.domains:
        where = c.where(f"_dmarc.{domain}", "TXT")
        texts = c.records(where)
        if texts is None:
            continue
        records = [dmarc.parse(t) for t in texts if dmarc.is_dmarc(t)]
        dests: dict[str, list[str]] = {}
        for record in records[:1]:  # more than one: DMARC is off (RFC 7489 6.6.3), linted
            for tag in ("rua", "ruf"):
                for uri in record.reports(tag):
                    try:
                        dest = names.absolute(uri.domain) if uri.domain else ""
                    except ValueError:
                        continue
                    if dest and external(domain, dest, site):
                        dests.setdefault(dest, []).append(f"{tag}={uri.uri}")
        if not dests:
            detail = (
                "no external report destinations"
                if records
                else "no DMARC record, so no report destinations"
            )
            c.add(where, "ok", OK, detail=detail)
            continue
        followed, _ = first(sorted(dests.items()))
        for dest, uris in followed:
            auth = f"{domain.rstrip('.')}._report._dmarc.{dest}"
            # Each destination its own finding, named by the record that authorizes it (in
            # the destination's DNS; the finding sits in the domain's zone, as iprev's).
            where = Where(site.zone(domain), auth, "TXT", c.server)
            a = lookup.entry(auth, "TXT")
            if c.failed(where, a, f"{auth} TXT"):
                continue
            if any(dmarc.is_dmarc(t) for t in a.records):
                c.add(
                    where,
                    "ok",
                    OK,
                    got=(auth,),
                    detail=f"{dest.rstrip('.')} accepts reports for {domain.rstrip('.')} "
                    f"({', '.join(uris)})",
                )
                continue
            c.add(
                where,
                "unauthorized",
                ERROR,
                expected=(f'{auth} TXT "v=DMARC1;"',),
                got=tuple(_short(t) for t in a.records),
                detail=f"{', '.join(uris)} is at another organization, which has not "
                f"agreed to take reports for {domain.rstrip('.')}: receivers send it "
                f'none (RFC 7489 7.1). Publish {auth} TXT "v=DMARC1;" in the '
                f"destination's DNS",
            )
    return c.out


# ------------------------------------------------------------------------ tlsrpt


def tlsrpt(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    """The host's TLS-RPT record (about DANE) and each domain's (about MTA-STS), RFC 8460 3."""
    c = Check("tlsrpt", site, lookup)
    for name in (site.hostname, *site.domains):
        owner = f"_smtp._tls.{name}"
        where = c.where(owner, "TXT")
        about = "the host (DANE)" if name == site.hostname else "the domain (MTA-STS)"
        text = c.single(
            where,
            mtasts.is_tlsrpt,
            kind="TLS-RPT records",
            missing=f"no TLS-RPT record at {owner}: senders send no reports of failed TLS "
            f"to {about}",
            multiple="senders use none (RFC 8460 3); keep one",
            validate=mtasts.tlsrpt_record,
        )
        if text is not None:
            c.add(where, "ok", OK, got=(_short(text),))
    return c.out


# ------------------------------------------------------------------------ mail clients

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
    if len(parts) != 4 or not digits(parts[2]):
        return None
    return int(parts[2]), parts[3].lower()


def _reach(site: MailSite, lookup: LiveLookup, target: str) -> tuple[str, str, list[str]]:
    """(status, detail, addresses) of a target name that must lead to the host."""
    addresses, failed = lookup.addresses(target)
    if not addresses:
        if failed is not None:
            why = "cannot be looked up" if failed.fault == BAD_NAME else "no answer"
            return failed.fault, f"{target}: {why} ({failed.detail})", []
        return "no-address", f"{target} has no A or AAAA record", []
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


def _srv_records(
    c: Check, where: Where, missing: str
) -> tuple[tuple[str, ...], list[tuple[int, str]]] | None:
    """The SRV records at ``where``: as text, and as (port, target); None after a finding
    when the lookup failed or there are none."""
    texts = c.records(where)
    if texts is None:
        return None
    records = [s for s in map(_srv, texts) if s is not None]
    if not records:
        c.missing(where, missing)
        return None
    return texts, records


# Services Mox has no server for at all: its check expects a null SRV for them whatever its
# configuration ("_pop3" and "_pop3s" in SRVConf of checkDomain).
_NOT_SERVED = ("_pop3", "_pop3s")


def _null_expected(site: MailSite, owner: str, service: str) -> bool:
    """Is the service not offered by Mox: no POP3 at all, or a null SRV built at ``owner``
    (Mox prints one for the one of _submission/_submissions, _imap/_imaps its listeners do
    not serve, and its check calls any other record there unexpected)?"""
    built = [_srv(text) for text in site.built.get((owner, "SRV"), ())]
    return service in _NOT_SERVED or (bool(built) and all(b and b[1] == "." for b in built))


def srv_clients(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    c = Check("srv-clients", site, lookup)
    for domain in site.domains:
        for service, port in SERVICES:
            where = c.where(f"{service}._tcp.{domain}", "SRV")
            found = _srv_records(
                c,
                where,
                f"no SRV record: mail clients cannot find {service[1:]} for "
                f"{domain.rstrip('.')} (RFC 6186)",
            )
            if found is None:
                continue
            got, records = found
            if [t for _, t in records] == ["."]:
                detail = f"null SRV: {service[1:]} is not offered (RFC 6186 4)"
                c.add(where, "ok", OK, got=got, detail=detail)
                continue
            if _null_expected(site, where.name, service):
                offered = ", ".join(f"{t} port {p}" for p, t in records if t != ".")
                c.add(
                    where,
                    "not-offered",
                    ERROR,
                    expected=site.built.get((where.name, "SRV")) or ("0 0 0 .",),
                    got=got,
                    detail=f"Mox does not offer {service[1:]} here ("
                    + (
                        "it has no POP3 server"
                        if service in _NOT_SERVED
                        else "it printed a null SRV: its listeners serve the other port"
                    )
                    + f"), but this record sends clients to {offered}: they fail there or "
                    "use a service Mox does not set up; publish the null SRV Mox printed",
                )
                continue
            if any(t == "." for _, t in records):
                c.add(
                    where,
                    "mixed-null",
                    ERROR,
                    got=got,
                    detail='a null SRV (target ".") next to other records: RFC 2782 '
                    "allows it only alone; clients may take the service as not offered",
                )
                continue
            worst, details = "ok", []
            followed, cut = first(records)
            for p, target in followed:
                status, detail, _ = _reach(site, lookup, target)
                if status != "ok":
                    worst = status
                details.append(detail)
                if p != port and status == "ok":
                    worst = "port" if worst == "ok" else worst
                    details.append(f"port {p}, not {port} as Mox serves {service[1:]}")
            severity = WARNING if worst == "port" else severity_of(worst)
            c.add(where, worst, severity, got=got, detail="; ".join(details) + cut)
    return c.out


def _tls_on_443(tls443: Tls443 | None, names: list[str]) -> tuple[str, str, list[str]]:
    """(status, severity, details) of the TLS on port 443 of ``names``: ok, or the first
    failure (Mox's page lists an error for each)."""
    status, severity, details = "ok", OK, list[str]()
    if tls443 is None:
        return status, severity, details
    for name in names:
        tls = tls443(name)
        if tls is None:
            continue
        details.append(tls[2])
        if status == "ok" and tls[0] != "ok":
            status, severity = tls[0], tls[1]
    return status, severity, details


def autoconfig(site: MailSite, lookup: LiveLookup, tls443: Tls443 | None = None) -> list[Finding]:
    c = Check("autoconfig", site, lookup)
    for domain in site.domains:
        name = f"autoconfig.{domain}"
        where = c.where(name, "CNAME" if site.has(name, "CNAME") else "A")
        status, detail, addresses = _reach(site, lookup, name)
        if status in ("no-answer", "error"):
            if not c.failed(where, lookup.entry(name, "A"), f"{name} A"):
                c.add(where, status, ERROR, detail=detail)
        elif status == "no-address":
            c.missing(where, f"{detail}: Thunderbird and others cannot configure themselves")
        else:
            severity = severity_of(status)
            if status == "ok":
                status, severity, tls = _tls_on_443(tls443, [name])
                detail = "; ".join([detail, *tls])
            c.add(where, status, severity, got=tuple(addresses), detail=detail)
    return c.out


def autodiscover(site: MailSite, lookup: LiveLookup, tls443: Tls443 | None = None) -> list[Finding]:
    c = Check("autodiscover", site, lookup)
    for domain in site.domains:
        where = c.where(f"_autodiscover._tcp.{domain}", "SRV")
        found = _srv_records(
            c, where, "no SRV record: Microsoft clients cannot configure themselves"
        )
        if found is None:
            continue
        got, records = found
        https = [t for p, t in records if p == 443]
        if not https:
            detail = "no record for port 443 (HTTPS), where Mox serves autodiscover"
            c.add(where, "port", ERROR, got=got, detail=detail)
            continue
        followed, cut = first(https)
        results = [_reach(site, lookup, t) for t in followed]
        status = next((r[0] for r in results if r[0] != "ok"), "ok")
        severity = severity_of(status)
        details = [r[1] for r in results]
        if status == "ok":
            status, severity, tls = _tls_on_443(tls443, followed)
            details += tls
        c.add(where, status, severity, got=got, detail="; ".join(details) + cut)
    return c.out
