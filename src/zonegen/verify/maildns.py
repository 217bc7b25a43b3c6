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
  (RFC 8460 3).

Each check gives an ``ok`` finding when it holds, so that monitoring sees it ran. Pure
judging over a :class:`~.lookup.LiveLookup`; the lookups are the only I/O.
"""

from __future__ import annotations

import ipaddress

import dns.reversename

from .. import names
from ..mail import dkim, dmarc, mtasts, spf
from .findings import ERROR, FATAL, OK, WARNING, Finding, Where, finding
from .lookup import NO_ANSWER, Entry, LiveLookup
from .mailsite import MailSite


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


# ------------------------------------------------------------------------ iprev


def iprev(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    """Forward-confirmed reverse DNS of each host IP (Mox's IPRev)."""
    host = site.hostname
    server = str(lookup.resolver)
    out: list[Finding] = []
    forward, failed = lookup.addresses(host)
    loopback = [a for a in forward if a.startswith("127.") or a == "::1"]
    if loopback:
        out.append(
            finding(
                site.where(host, "A", server),
                "iprev",
                "loopback",
                ERROR,
                got=tuple(loopback),
                detail=f"{host} resolves to a loopback address: mail to it loops back to "
                "the sender (a leftover of /etc/hosts at install time?); publish the "
                "host's public addresses",
            )
        )
    for ip in site.ips:
        rev = dns.reversename.from_address(ip).to_text().lower()
        # The reverse zone is someone else's: the finding sits in the host's zone.
        where = Where(site.zone(host), rev, "PTR", server)
        e = lookup.entry(rev, "PTR")
        problem = fault(where, "iprev", e, f"{rev} PTR")
        if problem:
            out.append(problem)
            continue
        if not e.records:
            out.append(
                finding(
                    where,
                    "iprev",
                    "no-ptr",
                    ERROR,
                    expected=(host,),
                    detail=f"{ip} has no reverse name (PTR): many receivers refuse or junk "
                    f"mail from it. Ask whoever assigns the IP (the hosting provider) to set "
                    f"its PTR to {host}",
                )
            )
            continue
        ptr = tuple(names_of(e.records))
        if host in ptr:
            if failed is not None and not forward:
                out.append(
                    fault(site.where(host, "A", server), "iprev", failed, f"{host} A/AAAA")
                    or finding(where, "iprev", "dns-error", ERROR)
                )
            elif _same_ip(ip, forward):
                out.append(
                    finding(
                        where,
                        "iprev",
                        "ok",
                        OK,
                        expected=(host,),
                        got=ptr,
                        detail=f"{ip} -> {host} -> {ip} (forward-confirmed)",
                    )
                )
            else:
                out.append(
                    finding(
                        where,
                        "iprev",
                        "not-confirmed",
                        ERROR,
                        expected=(host,),
                        got=ptr,
                        detail=f"the PTR of {ip} names {host}, but {host} does not resolve "
                        f"to {ip} (it has {', '.join(forward) or 'no address'}): receivers "
                        "check the name back (forward-confirmed reverse DNS)",
                    )
                )
            continue
        confirmed = [n for n in ptr if _same_ip(ip, lookup.addresses(n)[0])]
        if confirmed:
            out.append(
                finding(
                    where,
                    "iprev",
                    "other-name",
                    WARNING,
                    expected=(host,),
                    got=ptr,
                    detail=f"the PTR of {ip} names {', '.join(confirmed)}, which resolves "
                    f"back to it, but not {host}: receivers accept it; Mox warns. Set the PTR "
                    f"to {host}",
                )
            )
        else:
            out.append(
                finding(
                    where,
                    "iprev",
                    "not-confirmed",
                    ERROR,
                    expected=(host,),
                    got=ptr,
                    detail=f"the PTR of {ip} names {', '.join(ptr)}, and no such name "
                    f"resolves back to {ip}: set the PTR to {host}",
                )
            )
    return out


def names_of(records: tuple[str, ...]) -> list[str]:
    out = []
    for text in records:
        try:
            out.append(names.absolute(text))
        except ValueError:
            out.append(text)
    return out


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


def spf_eval(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    """RFC 7208 ``check_host()`` for each host IP, sending as ``postmaster@<domain>`` from
    each mail domain (HELO the domain, as Mox's check does), and for the host's HELO name."""
    out: list[Finding] = []
    server = str(lookup.resolver)
    for domain in (*site.domains, site.hostname):
        where = site.where(domain, "TXT", server)
        helo = domain == site.hostname
        bare = domain.rstrip(".")
        for ip in site.ips:
            watch = Watch(lookup)
            r = spf.check_host(ip, bare, f"postmaster@{bare}", watch, helo=bare)
            role = f"the host's HELO name {bare}" if helo else f"mail from @{bare}"
            got = (f"{ip}: {r.result}",)
            if r.result == "pass":
                out.append(
                    finding(
                        where,
                        "spf-eval",
                        "ok",
                        OK,
                        got=got,
                        detail=f"{ip} passes for {role} ({r.mechanism}; {r.lookups} lookups)",
                    )
                )
                continue
            if r.result == "temperror" and watch.missed:
                out.append(
                    finding(
                        where,
                        "spf-eval",
                        "no-answer",
                        FATAL,
                        got=got,
                        detail=f"SPF for {ip} as {role} could not be evaluated: no answer "
                        f"to {watch.missed[0]}",
                    )
                )
                continue
            out.append(
                finding(
                    where,
                    "spf-eval",
                    r.result,
                    ERROR,
                    got=got,
                    detail=f"{ip} gets {r.result} for {role}"
                    + (f" ({r.reason})" if r.reason else "")
                    + (f" (mechanism {r.mechanism})" if r.mechanism else "")
                    + f": {_SPF_FIX.get(r.result, '')}",
                )
            )
    return out


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
    out: list[Finding] = []
    server = str(lookup.resolver)
    for key in site.dkim:
        owner = f"{key.selector}._domainkey.{key.domain}"
        where = site.where(owner, "TXT", server)
        e = lookup.entry(owner, "TXT")
        problem = fault(where, "dkim-key", e, f"{owner} TXT")
        if problem:
            out.append(problem)
            continue
        texts = [t for t in e.records if dkim.is_key_record(t)]
        label = f"selector {key.selector} of {key.domain.rstrip('.')} ({key.where})"
        if not texts:
            out.append(
                finding(
                    where,
                    "dkim-key",
                    "missing",
                    ERROR,
                    detail=f"no DKIM key record for {label}: receivers cannot verify what Mox "
                    "signs with it; publish the record Mox printed",
                )
            )
            continue
        if len(texts) > 1:
            out.append(
                finding(
                    where,
                    "dkim-key",
                    "multiple",
                    ERROR,
                    got=tuple(_short(t) for t in texts),
                    detail=f"{len(texts)} key records for {label}: verifiers take one of "
                    "them at random or none (RFC 6376 3.6.2.2); keep the one Mox printed",
                )
            )
            continue
        parsed = dkim.parse(texts[0])
        if parsed.public == key.public and parsed.key_type == key.kind:
            out.append(
                finding(
                    where,
                    "dkim-key",
                    "ok",
                    OK,
                    detail=f"the published key is the public key of {label}",
                )
            )
            continue
        why = (
            "it is revoked (empty p=)"
            if parsed.revoked
            else "p= does not parse"
            if parsed.public is None
            else f"it is another {parsed.key_type} key"
        )
        out.append(
            finding(
                where,
                "dkim-key",
                "mismatch",
                ERROR,
                got=(_short(texts[0]),),
                detail=f"the published key is not the public key of {label}: {why}. Every "
                "message Mox signs with this selector fails DKIM; publish the record Mox "
                "prints now (mox config dnsrecords)",
            )
        )
    return out


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


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
    out: list[Finding] = []
    server = str(lookup.resolver)
    for domain in site.domains:
        owner = f"_dmarc.{domain}"
        where = site.where(owner, "TXT", server)
        e = lookup.entry(owner, "TXT")
        problem = fault(where, "dmarc-external", e, f"{owner} TXT")
        if problem:
            out.append(problem)
            continue
        records = [dmarc.parse(t) for t in e.records if dmarc.is_dmarc(t)]
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
            out.append(finding(where, "dmarc-external", "ok", OK, detail=detail))
            continue
        for dest, uris in sorted(dests.items()):
            auth = f"{domain.rstrip('.')}._report._dmarc.{dest}"
            a = lookup.entry(auth, "TXT")
            problem = fault(where, "dmarc-external", a, f"{auth} TXT")
            if problem:
                out.append(problem)
                continue
            if any(dmarc.is_dmarc(t) for t in a.records):
                out.append(
                    finding(
                        where,
                        "dmarc-external",
                        "ok",
                        OK,
                        got=(auth,),
                        detail=f"{dest.rstrip('.')} accepts reports for {domain.rstrip('.')} "
                        f"({', '.join(uris)})",
                    )
                )
                continue
            out.append(
                finding(
                    where,
                    "dmarc-external",
                    "unauthorized",
                    ERROR,
                    expected=(f'{auth} TXT "v=DMARC1;"',),
                    got=tuple(_short(t) for t in a.records),
                    detail=f"{', '.join(uris)} is at another organization, which has not "
                    f"agreed to take reports for {domain.rstrip('.')}: receivers send it "
                    f'none (RFC 7489 7.1). Publish {auth} TXT "v=DMARC1;" in the '
                    f"destination's DNS",
                )
            )
    return out


# ------------------------------------------------------------------------ tlsrpt


def tlsrpt(site: MailSite, lookup: LiveLookup) -> list[Finding]:
    """The host's TLS-RPT record (about DANE) and each domain's (about MTA-STS), RFC 8460 3."""
    out: list[Finding] = []
    server = str(lookup.resolver)
    for name in (site.hostname, *site.domains):
        owner = f"_smtp._tls.{name}"
        where = site.where(owner, "TXT", server)
        e = lookup.entry(owner, "TXT")
        problem = fault(where, "tlsrpt", e, f"{owner} TXT")
        if problem:
            out.append(problem)
            continue
        texts = [t for t in e.records if mtasts.is_tlsrpt(t)]
        if not texts:
            built = site.has(owner, "TXT")
            out.append(
                finding(
                    where,
                    "tlsrpt",
                    "missing" if built else "absent",
                    ERROR if built else WARNING,
                    detail=f"no TLS-RPT record at {owner}: senders send no reports of "
                    "failed TLS to "
                    + ("the host (DANE)" if name == site.hostname else "the domain (MTA-STS)")
                    + ("; publish the record Mox printed" if built else "; Mox warns"),
                )
            )
            continue
        if len(texts) > 1:
            out.append(
                finding(
                    where,
                    "tlsrpt",
                    "multiple",
                    ERROR,
                    got=tuple(_short(t) for t in texts),
                    detail=f"{len(texts)} TLS-RPT records: senders use none (RFC 8460 3); keep one",
                )
            )
            continue
        issues = [i for i in mtasts.tlsrpt_record(texts[0]) if i.severity == "error"]
        if issues:
            out.append(
                finding(
                    where,
                    "tlsrpt",
                    "invalid",
                    ERROR,
                    got=(_short(texts[0]),),
                    detail="; ".join(i.message for i in issues[:3]),
                )
            )
            continue
        out.append(finding(where, "tlsrpt", "ok", OK, got=(_short(texts[0]),)))
    return out
