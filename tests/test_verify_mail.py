"""The mail checks of ``zonegen verify`` (what Mox's own "Check DNS" covers) against a real
``named`` on 127.0.0.1: the bundled example's zone as ``zonegen build`` writes it, the
reverse zones of the host's documentation IPs (203.0.113.25, 2001:db8:25::25), and a zone
of another organization for DMARC reports. named answers the resolver's questions too (it
follows CNAMEs inside its zones and has no cache, so each change is seen at once; the
unbound path is in test_verify.py). Each test breaks one thing, checks that its finding
fires with the domain and the IP, selector or destination, and puts it back."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.update
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dns.rdtypes.ANY.TXT import TXT as TXTRdata
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, run
from dnslab import LAB_NS, Named, free_port
from lab.smtp import SmtpLab
from lab.webpki import LabCA, PolicyServer
from zonegen import pipeline
from zonegen.sources import read_inputs
from zonegen.verify import dnsquery, maildns, sts
from zonegen.verify.checkids import MAIL_DNS_CHECKS as DNS_CHECKS
from zonegen.verify.dnsquery import Answer, Asker
from zonegen.verify.findings import SEVERITIES, Report, document
from zonegen.verify.html import render_html
from zonegen.verify.lookup import Entry, LiveLookup, key
from zonegen.verify.maildns import MAX_NAMES
from zonegen.verify.mailsite import MailSite, mail_site
from zonegen.verify.report import render_text
from zonegen.verify.servers import Server

SITE = REPO / "config" / "site.yaml"
ZONE = "example.org."
HOST = "mx.example.org."
REV4_ZONE = "113.0.203.in-addr.arpa."
REV4 = "25.113.0.203.in-addr.arpa."
REV6_ZONE = "5.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
REV6 = "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0." + REV6_ZONE
OTHER = "reports.test."  # another organization, for DMARC reports
NOW = datetime.datetime(2026, 11, 29, tzinfo=datetime.UTC)


def _loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    try:
        return ipaddress.ip_address(str(host).strip("[]")).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every test here: a connection or name lookup beyond 127.0.0.1 (a documentation IP of
    the example, the system's resolver) fails the test, whatever verify is asked to do."""
    attempts: list[Any] = []
    connect, connect_ex, getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def guard(address: Any) -> None:
        if not _loopback(address):
            attempts.append(address)
            raise OSError(f"test: no traffic beyond loopback ({address})")

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(address)
        return connect_ex(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None:
            guard(host)
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts
    assert attempts == [], f"traffic beyond loopback: {attempts}"


def _zone_text(zone: str, body: str) -> str:
    soa = f"@ IN SOA {LAB_NS} hostmaster.{zone} 1 7200 3600 1209600 300"
    return f"$TTL 300\n{soa}\n@ IN NS {LAB_NS}\n{body}"


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Named]:
    tmp = tmp_path_factory.mktemp("mail")
    assert run("build", "--site", SITE, "--out", tmp / "zones").exit_code == 0
    texts = {
        ZONE.rstrip("."): (tmp / "zones" / "bind" / "example.org.zone").read_text(),
        REV4_ZONE.rstrip("."): _zone_text(REV4_ZONE, f"{REV4} IN PTR {HOST}\n"),
        REV6_ZONE.rstrip("."): _zone_text(REV6_ZONE, f"{REV6} IN PTR {HOST}\n"),
        OTHER.rstrip("."): _zone_text(OTHER, f"elsewhere.{OTHER} IN A 192.0.2.99\n"),
    }
    server = Named(tmp / "named", sorted(texts), texts=texts).start()
    yield server
    server.stop()


def verify(named: Named, *args: str) -> tuple[int, dict[str, Any]]:
    result = run(
        "verify",
        "--site",
        SITE,
        "--nameserver",
        f"127.0.0.1:{named.port}",
        "--resolver",
        f"127.0.0.1:{named.port}",
        "--query-timeout",
        "2",
        "--format",
        "json",
        *args,
    )
    assert result.exit_code in (0, 1, 2), result.output
    return result.exit_code, json.loads(result.stdout)


def found(doc: dict[str, Any], check: str, **match: str) -> list[dict[str, Any]]:
    return [
        f
        for f in doc["findings"]
        if f["check"] == check and all(f[k] == v for k, v in match.items())
    ]


def zone_of(name: str) -> str:
    for zone in (REV4_ZONE, REV6_ZONE, OTHER, ZONE):
        if name == zone or name.endswith("." + zone):
            return zone
    raise AssertionError(name)


@contextmanager
def changed(named: Named, name: str, rtype: str, *values: str) -> Iterator[None]:
    """Replace ``name``/``rtype`` by ``values`` (none: delete it) for the ``with`` block."""
    zone = zone_of(name)
    before = named.query(name, rtype)
    old = [
        rd.to_text() for rrset in before.answer if rrset.rdtype == _rdtype(rtype) for rd in rrset
    ]
    _set(named, zone, name, rtype, values)
    try:
        yield
    finally:
        _set(named, zone, name, rtype, tuple(old))


def _rdtype(rtype: str) -> int:
    import dns.rdatatype

    return dns.rdatatype.from_text(rtype)


def _set(named: Named, zone: str, name: str, rtype: str, values: tuple[str, ...]) -> None:
    upd = dns.update.UpdateMessage(zone, keyring=named.keyring, keyalgorithm="hmac-sha256")
    upd.delete(name, rtype)
    for value in values:
        upd.add(name, 300, rtype, value)
    r = dns.query.tcp(upd, "127.0.0.1", port=named.port, timeout=5)
    assert r.rcode() == 0, r


# ---------------------------------------------------------------------------- all good


def test_every_mail_check_runs_and_holds(named: Named) -> None:
    _, doc = verify(named)
    for check in DNS_CHECKS:
        mine = found(doc, check)
        assert mine, f"no {check} finding"
        bad = [f for f in mine if f["severity"] != "ok"]
        assert not bad, bad
    # Each host IP, from the domain and as the host's HELO name.
    spf = {(f["name"], f["got"][0]) for f in found(doc, "spf-eval")}
    assert spf == {
        (n, f"{ip}: pass") for n in (ZONE, HOST) for ip in ("203.0.113.25", "2001:db8:25::25")
    }
    assert {f["name"] for f in found(doc, "iprev")} == {REV4, REV6}
    assert {f["name"] for f in found(doc, "dkim-key")} == {
        f"2026a._domainkey.{ZONE}",
        f"2026b._domainkey.{ZONE}",
    }
    assert len(found(doc, "srv-clients")) == 6
    nulls = [f for f in found(doc, "srv-clients") if "null SRV" in f["detail"]]
    assert len(nulls) == 4  # _imap, _submission, _pop3, _pop3s: "not offered" is fine
    assert found(doc, "dmarc-external")[0]["detail"] == "no external report destinations"


def test_skip_leaves_checks_out(named: Named) -> None:
    _, doc = verify(named, "--skip", "iprev", "--skip", "spf-eval")
    assert not found(doc, "iprev") and not found(doc, "spf-eval") and found(doc, "tlsrpt")
    _, doc = verify(named, "--skip", "mail")
    assert not [f for f in doc["findings"] if f["check"] in DNS_CHECKS]


# ---------------------------------------------------------------------------- iprev


def test_iprev_without_ptr(named: Named) -> None:
    with changed(named, REV4, "PTR"):
        code, doc = verify(named)
    (f,) = found(doc, "iprev", name=REV4)
    assert (f["status"], f["severity"]) == ("no-ptr", "error") and code == 1
    assert "203.0.113.25 has no reverse name" in f["detail"] and f["zone"] == ZONE
    assert found(doc, "iprev", name=REV6)[0]["status"] == "ok"


def test_iprev_not_forward_confirmed(named: Named) -> None:
    with changed(named, REV6, "PTR", f"nowhere.{ZONE}"):
        _, doc = verify(named)
    (f,) = found(doc, "iprev", name=REV6)
    assert (f["status"], f["severity"]) == ("not-confirmed", "error")
    assert f["got"] == [f"nowhere.{ZONE}"] and "2001:db8:25::25" in f["detail"]


def test_iprev_other_confirmed_name_is_a_warning(named: Named) -> None:
    with (
        changed(named, f"alias.{ZONE}", "A", "203.0.113.25"),
        changed(named, REV4, "PTR", f"alias.{ZONE}"),
    ):
        _, doc = verify(named)
    (f,) = found(doc, "iprev", name=REV4)
    assert (f["status"], f["severity"]) == ("other-name", "warning")


def test_iprev_host_resolving_elsewhere(named: Named) -> None:
    with changed(named, HOST, "A", "192.0.2.1"):
        _, doc = verify(named)
    (f,) = found(doc, "iprev", name=REV4)
    assert f["status"] == "not-confirmed" and "does not resolve to 203.0.113.25" in f["detail"]


def test_names_one_answer_leads_to_are_followed_to_a_limit(named: Named) -> None:
    """A PTR with 40 names and an SRV set with 40 targets: each name followed costs queries
    of its own, so ten are followed, as RFC 7208 4.6.4 does for SPF."""
    imaps = f"_imaps._tcp.{ZONE}"
    with (
        changed(named, REV4, "PTR", f"nowhere.{ZONE}"),
        changed(named, imaps, "SRV", f"0 1 993 nowhere.{ZONE}"),
    ):
        _, one = verify(named)
    many = [f"nowhere{i}.{ZONE}" for i in range(40)]
    with (
        changed(named, REV4, "PTR", *many),
        changed(named, imaps, "SRV", *(f"0 1 993 {n}" for n in many)),
    ):
        _, doc = verify(named)
    (f,) = found(doc, "iprev", name=REV4)
    assert f["status"] == "not-confirmed" and "30 more not followed" in f["detail"]
    (g,) = found(doc, "srv-clients", name=imaps)
    assert g["status"] == "no-address" and "30 more not followed" in g["detail"]

    def queries(d: dict[str, Any]) -> int:
        return sum(int(s["queries"]) for s in d["servers"])

    # One name: its A and AAAA; forty: those of ten, twice (PTR and SRV).
    assert queries(doc) - queries(one) <= 2 * 2 * MAX_NAMES


@pytest.mark.parametrize(("rtype", "address"), [("A", "127.0.1.1"), ("AAAA", "::ffff:127.0.0.1")])
def test_host_resolving_to_loopback(named: Named, rtype: str, address: str) -> None:
    """An /etc/hosts leftover published: Mox's check says so (IP.IsLoopback, IPv4-mapped
    included)."""
    with changed(named, HOST, rtype, address):
        _, doc = verify(named)
    (f,) = found(doc, "iprev", status="loopback")
    assert f["severity"] == "error" and f["got"] == [address] and f["name"] == HOST


# ---------------------------------------------------------------------------- spf-eval


def test_spf_not_passing_names_the_ip_and_the_result(named: Named) -> None:
    with changed(named, ZONE, "TXT", '"v=spf1 ip4:192.0.2.1 ~all"'):
        code, doc = verify(named)
    bad = found(doc, "spf-eval", name=ZONE)
    assert {(f["status"], f["got"][0]) for f in bad} == {
        ("softfail", "203.0.113.25: softfail"),
        ("softfail", "2001:db8:25::25: softfail"),
    }
    assert all(f["severity"] == "error" for f in bad) and code == 1
    assert "mechanism ~all" in bad[0]["detail"]
    assert all(f["status"] == "ok" for f in found(doc, "spf-eval", name=HOST))


def test_spf_lookup_limit_is_permerror(named: Named) -> None:
    many = " ".join(f"a:h{i}.{OTHER.rstrip('.')}" for i in range(11))
    with changed(named, HOST, "TXT", f'"v=spf1 {many} -all"'):
        _, doc = verify(named)
    bad = found(doc, "spf-eval", name=HOST)
    assert {f["status"] for f in bad} == {"permerror"}
    assert "RFC 7208 4.6.4" in bad[0]["detail"]


def test_spf_missing_record_is_none(named: Named) -> None:
    with changed(named, HOST, "TXT"):
        _, doc = verify(named)
    assert {f["status"] for f in found(doc, "spf-eval", name=HOST)} == {"none"}


# ---------------------------------------------------------------------------- dkim-key


def _other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import base64

    p = base64.b64encode(der).decode()
    return " ".join(f'"{c}"' for c in ["v=DKIM1;h=sha256;p=" + p[:180], p[180:]])


def test_dkim_published_key_of_another_private_key(named: Named) -> None:
    owner = f"2026a._domainkey.{ZONE}"
    with changed(named, owner, "TXT", _other_key()):
        _, doc = verify(named)
    (f,) = found(doc, "dkim-key", name=owner)
    assert (f["status"], f["severity"]) == ("mismatch", "error")
    assert "selector 2026a of example.org" in f["detail"] and "domains.conf" in f["detail"]
    assert found(doc, "dkim-key", name=f"2026b._domainkey.{ZONE}")[0]["status"] == "ok"


def test_dkim_selector_not_published(named: Named) -> None:
    owner = f"2026b._domainkey.{ZONE}"
    with changed(named, owner, "TXT"):
        _, doc = verify(named)
    (f,) = found(doc, "dkim-key", name=owner)
    assert (f["status"], f["severity"]) == ("missing", "error")


# ---------------------------------------------------------------------------- dmarc-external


def test_dmarc_external_destination_must_authorize(named: Named) -> None:
    owner = f"_dmarc.{ZONE}"
    record = f'"v=DMARC1;p=reject;rua=mailto:dmarc@{OTHER.rstrip(".")}"'
    auth = f"example.org._report._dmarc.{OTHER}"
    with changed(named, owner, "TXT", record):
        code, doc = verify(named)
        (f,) = found(doc, "dmarc-external")
        assert (f["status"], f["severity"]) == ("unauthorized", "error") and code == 1
        assert f["expected"] == [f'{auth} TXT "v=DMARC1;"']
        assert "rua=mailto:dmarc@reports.test" in f["detail"]
        assert (f["name"], f["zone"]) == (auth, ZONE)
        with changed(named, auth, "TXT", '"v=DMARC1;"'):
            _, doc = verify(named)
        (f,) = found(doc, "dmarc-external")
        assert f["status"] == "ok" and "reports.test accepts reports" in f["detail"]


def test_dmarc_each_external_destination_is_its_own_finding(named: Named) -> None:
    """Two destinations, one authorized: two findings, each named by its authorization
    record, so that --since and the page tell them apart."""
    record = '"v=DMARC1;p=reject;rua=mailto:a@reports.test;ruf=mailto:b@other.reports.test"'
    auth = f"example.org._report._dmarc.{OTHER}"
    with (
        changed(named, f"_dmarc.{ZONE}", "TXT", record),
        changed(named, auth, "TXT", '"v=DMARC1;"'),
    ):
        _, doc = verify(named)
    got = {(f["name"], f["status"]) for f in found(doc, "dmarc-external")}
    assert got == {(auth, "ok"), (f"example.org._report._dmarc.other.{OTHER}", "unauthorized")}


def test_dmarc_destination_inside_the_domain_is_not_external(named: Named) -> None:
    owner = f"_dmarc.{ZONE}"
    with changed(named, owner, "TXT", '"v=DMARC1;p=reject;rua=mailto:r@reports.example.org"'):
        _, doc = verify(named)
    (f,) = found(doc, "dmarc-external")
    assert f["status"] == "ok" and f["detail"] == "no external report destinations"


# ---------------------------------------------------------------------------- tlsrpt, mta-sts


def test_a_destination_whose_authorization_name_is_too_long_is_a_finding(named: Named) -> None:
    """Found by the wire-level property test below: a rua destination of 230 octets is a
    name, but ``example.org._report._dmarc.`` before it makes one over 255 (RFC 1035 2.3.4);
    building the query raised and verify ended in a traceback. Now nothing is sent for it,
    and the finding says no one can look the authorization up."""
    dest = ".".join(["a" * 63] * 3 + ["b" * 36, "test"])
    auth = f"example.org._report._dmarc.{dest}."
    record = f'"v=DMARC1;p=reject;" "rua=mailto:r@{dest}"'  # two strings: 255 octets each
    with changed(named, f"_dmarc.{ZONE}", "TXT", record):
        code, doc = verify(named)
    (f,) = found(doc, "dmarc-external")
    assert (f["status"], f["severity"], f["name"]) == ("bad-name", "error", auth), f
    assert "cannot be looked up" in f["detail"] and "> 255 octets" in f["detail"]
    assert code == 1


def test_tlsrpt_two_records_and_a_bad_one(named: Named) -> None:
    host = f"_smtp._tls.{HOST}"
    domain = f"_smtp._tls.{ZONE}"
    with (
        changed(
            named,
            host,
            "TXT",
            '"v=TLSRPTv1; rua=mailto:a@example.org"',
            '"v=TLSRPTv1; rua=mailto:b@example.org"',
        ),
        changed(named, domain, "TXT", '"v=TLSRPTv1;"'),
    ):
        _, doc = verify(named)
    assert found(doc, "tlsrpt", name=host)[0]["status"] == "multiple"
    (bad,) = found(doc, "tlsrpt", name=domain)
    assert (bad["status"], bad["severity"]) == ("invalid", "error") and "rua" in bad["detail"]
    with changed(named, domain, "TXT"):
        _, doc = verify(named)
    assert found(doc, "tlsrpt", name=domain)[0]["status"] == "missing"


def test_mta_sts_record_malformed_or_missing(named: Named) -> None:
    owner = f"_mta-sts.{ZONE}"
    with changed(named, owner, "TXT", '"v=STSv1; id=not_an_id!"'):
        _, doc = verify(named)
    (f,) = found(doc, "mta-sts", name=owner)
    assert (f["status"], f["severity"]) == ("invalid", "error") and "id=" in f["detail"]
    with changed(named, owner, "TXT"):
        _, doc = verify(named)
    assert found(doc, "mta-sts", name=owner)[0]["status"] == "missing"


# ---------------------------------------------------------------------------- clients


def test_srv_target_elsewhere_and_null_srv(named: Named) -> None:
    imaps = f"_imaps._tcp.{ZONE}"
    with changed(named, imaps, "SRV", f"0 1 993 elsewhere.{OTHER}"):
        _, doc = verify(named)
    (f,) = found(doc, "srv-clients", name=imaps)
    assert (f["status"], f["severity"]) == ("not-ours", "error")
    assert "192.0.2.99" in f["detail"] and "203.0.113.25" in f["detail"]
    with changed(named, imaps, "SRV", "0 0 0 ."):
        _, doc = verify(named)
    (f,) = found(doc, "srv-clients", name=imaps)
    assert (f["status"], f["severity"]) == ("ok", "ok") and "null SRV" in f["detail"]
    with changed(named, imaps, "SRV", "0 0 0 .", f"0 1 993 {HOST}"):
        _, doc = verify(named)
    assert found(doc, "srv-clients", name=imaps)[0]["status"] == "mixed-null"


@pytest.mark.parametrize("service", ["_pop3", "_imap"])
def test_srv_to_a_service_mox_does_not_offer(named: Named, service: str) -> None:
    """Mox has no POP3 server, and serves IMAP on the port its listeners say (the example:
    IMAPS; it printed a null _imap SRV): a record sending clients to the host there is
    what Mox's own check calls unexpected."""
    owner = f"{service}._tcp.{ZONE}"
    port = {"_pop3": 110, "_imap": 143}[service]
    with changed(named, owner, "SRV", f"0 1 {port} {HOST}"):
        code, doc = verify(named)
    (f,) = found(doc, "srv-clients", name=owner)
    assert (f["status"], f["severity"], code) == ("not-offered", "error", 1), f
    assert f"{HOST} port {port}" in f["detail"] and f["expected"] == ["0 0 0 ."]


def test_autoconfig_and_autodiscover(named: Named) -> None:
    name = f"autoconfig.{ZONE}"
    srv = f"_autodiscover._tcp.{ZONE}"
    with (
        changed(named, name, "CNAME", f"elsewhere.{OTHER}"),
        changed(named, srv, "SRV", f"0 1 8443 {HOST}"),
    ):
        _, doc = verify(named)
    (f,) = found(doc, "autoconfig")
    assert (f["status"], f["severity"]) == ("not-ours", "error") and f["name"] == name
    (g,) = found(doc, "autodiscover")
    assert (g["status"], g["severity"]) == ("port", "error")
    with changed(named, name, "CNAME"):
        _, doc = verify(named)
    assert found(doc, "autoconfig")[0]["status"] == "missing"


# ---------------------------------------------------------------------------- no resolver


def test_dead_resolver_is_could_not_check(named: Named) -> None:
    result = run(
        "verify",
        "--site",
        SITE,
        "--nameserver",
        f"127.0.0.1:{named.port}",
        "--resolver",
        f"127.0.0.1:{free_port()}",
        "--query-timeout",
        "1",
        "--format",
        "json",
    )
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    spf = found(doc, "spf-eval")
    assert spf and all(f["severity"] == "fatal" and f["status"] == "no-answer" for f in spf)
    assert all(f["severity"] == "fatal" for f in found(doc, "iprev"))


def test_reports_validate_and_render(named: Named, tmp_path: Path) -> None:
    """Text output names the checks; JSON stays within schema 1."""
    result = run(
        "verify",
        "--site",
        SITE,
        "--nameserver",
        f"127.0.0.1:{named.port}",
        "--resolver",
        f"127.0.0.1:{named.port}",
    )
    assert "spf-eval: ok" in result.stdout and "iprev: ok" in result.stdout


# ---------------------------------------------------------------------------- MTA-STS policy

POLICY = "version: STSv1\nmode: enforce\nmx: mx.example.org\nmax_age: 604800\n"
STS_HOST = "mta-sts.example.org"
# With --https Mox's check also makes a TLS handshake with autoconfig.<domain> and the
# autodiscover SRV target on port 443: the lab's policy server holds a certificate for them
# too, and --https-resolve sends every one of them there (the example's own addresses are
# documentation IPs, never to be connected to).
WEB = ("autoconfig.example.org", "mx.example.org")


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LabCA:
    return LabCA(tmp_path_factory.mktemp("ca"))


def https(ca: LabCA, port: int, web_port: int | None = None) -> list[str]:
    resolves = [f"{STS_HOST}:127.0.0.1:{port}"]
    resolves += [f"{name}:127.0.0.1:{web_port or port}" for name in WEB]
    return [
        "--https",
        *(arg for r in resolves for arg in ("--https-resolve", r)),
        "--ca-bundle",
        str(ca.bundle),
    ]


def policy_finding(doc: dict[str, Any]) -> dict[str, Any]:
    (f,) = found(doc, "mta-sts", rtype="policy")
    return f


def test_mta_sts_policy_fetched_and_matching(named: Named, ca: LabCA) -> None:
    with PolicyServer(*ca.issue(STS_HOST, also=WEB), policy=POLICY) as server:
        _, doc = verify(named, *https(ca, server.port))
        assert server.requests == ["/.well-known/mta-sts.txt"]
    f = policy_finding(doc)
    assert (f["status"], f["severity"]) == ("ok", "ok"), f
    assert f["name"] == f"{STS_HOST}." and f["server"] == f"127.0.0.1:{server.port}"
    assert "id=20261125T083131" in f["got"] and "mode=enforce" in f["got"]


def test_no_https_connection_unless_asked(named: Named, ca: LabCA) -> None:
    with PolicyServer(*ca.issue(STS_HOST, also=WEB), policy=POLICY) as server:
        _, doc = verify(named)
        assert server.requests == []
    assert not found(doc, "mta-sts", rtype="policy")


def test_mta_sts_policy_not_naming_the_mx(named: Named, ca: LabCA) -> None:
    policy = POLICY.replace("mx: mx.example.org", "mx: *.example.net")
    with PolicyServer(*ca.issue(STS_HOST, also=WEB), policy=policy) as server:
        code, doc = verify(named, *https(ca, server.port))
    f = policy_finding(doc)
    assert (f["status"], f["severity"]) == ("mx-mismatch", "error") and code == 1
    assert "MX mx.example.org. matches no mx: line" in f["detail"]


def test_mta_sts_testing_mode_and_short_max_age_warn(named: Named, ca: LabCA) -> None:
    policy = POLICY.replace("enforce", "testing").replace("604800", "3600")
    with PolicyServer(*ca.issue(STS_HOST, also=WEB), policy=policy) as server:
        _, doc = verify(named, *https(ca, server.port))
    f = policy_finding(doc)
    assert f["severity"] == "warning" and "mode testing" in f["detail"]
    assert "max_age 3600 s" in f["detail"]


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("redirect", "redirect", "do not follow redirects"),
        ("huge", "too-large", "KiB"),
        ("missing", "http-status", "HTTP 404"),
        ("odd-status", "bad-http", "not an HTTP status line"),
        ("odd-length", "bad-http", "Content-Length '²'"),
    ],
)
def test_mta_sts_policy_server_misbehaving(
    named: Named, ca: LabCA, mode: str, status: str, words: str
) -> None:
    with PolicyServer(*ca.issue(STS_HOST, also=WEB), mode=mode, policy=POLICY) as server:
        _, doc = verify(named, *https(ca, server.port))
        assert len(server.requests) == 1  # a redirect is not followed
    f = policy_finding(doc)
    assert (f["status"], f["severity"]) == (status, "error") and words in f["detail"]


@pytest.mark.parametrize("mode", ["drip", "endless-header"])
def test_mta_sts_policy_server_that_never_stops_sending_is_cut_at_the_deadline(
    named: Named, ca: LabCA, mode: str
) -> None:
    """A server that sends a byte every 0.1 s forever (a body, or one header line) answers
    every read in time: only the one deadline on the whole run ends the fetch, and verify
    reports it and exits, instead of running as long as the server likes."""
    started = time.monotonic()
    with PolicyServer(*ca.issue(STS_HOST, also=WEB), mode=mode, policy=POLICY) as server:
        code, doc = verify(named, *https(ca, server.port), "--timeout", "4")
        dripped = server.dripped
    took = time.monotonic() - started
    assert dripped > 5, "the server was not read from"
    assert took < 20, took
    f = policy_finding(doc)
    assert f["severity"] in ("error", "fatal") and code in (1, 2), f
    assert "time" in f["detail"].lower(), f


def test_mta_sts_policy_certificate_of_another_ca(named: Named, ca: LabCA, tmp_path: Path) -> None:
    other = LabCA(tmp_path / "other", "another root")
    with PolicyServer(*other.issue(STS_HOST, also=WEB), policy=POLICY) as server:
        _, doc = verify(named, *https(ca, server.port))
        assert server.requests == []  # nothing is asked of a server senders would not trust
    f = policy_finding(doc)
    assert (f["status"], f["severity"]) == ("untrusted", "error")


def test_mta_sts_policy_changed_under_the_same_id(named: Named, ca: LabCA, tmp_path: Path) -> None:
    last = tmp_path / "last.json"
    args = ["--json", str(last), "--since", str(last)]
    with PolicyServer(*ca.issue(STS_HOST, also=WEB), policy=POLICY) as server:
        verify(named, *https(ca, server.port), *args)
        assert policy_finding(json.loads(last.read_text()))["status"] == "ok"
        server.policy = POLICY.replace("604800", "1209600")
        _, doc = verify(named, *https(ca, server.port), *args)
        f = policy_finding(doc)
        assert (f["status"], f["severity"]) == ("id-unchanged", "error"), f
        # Said again on the next run: senders still hold the old policy for that id.
        _, doc = verify(named, *https(ca, server.port), *args)
        assert policy_finding(doc)["status"] == "id-unchanged"
        with changed(named, f"_mta-sts.{ZONE}", "TXT", '"v=STSv1; id=20261201T000000"'):
            _, doc = verify(named, *https(ca, server.port), *args)
        assert policy_finding(doc)["status"] == "ok"


# ---------------------------------------------------------------------------- tls


def tls(ca: LabCA, port: int) -> list[str]:
    return ["--tls", "--smtp", f"127.0.0.1:{port}", "--ca-bundle", str(ca.bundle)]


def test_tls_certificate_valid_for_the_mx(named: Named, ca: LabCA) -> None:
    chain, key = ca.issue("mx.example.org", tag="-smtp")
    with SmtpLab("starttls", cert=chain, key=key) as smtp:
        _, doc = verify(named, *tls(ca, smtp.port))
        assert len(smtp.ehlo) == 1  # tls and dane read one conversation
    (f,) = found(doc, "tls")
    assert (f["status"], f["severity"]) == ("ok", "ok"), f
    assert f["name"] == HOST and f["server"] == f"127.0.0.1:{smtp.port}"
    assert found(doc, "dane")  # --smtp checks DANE as before


@pytest.mark.parametrize(
    ("host", "days", "status", "severity"),
    [
        ("mx.example.org", 3, "expiring", "warning"),
        ("other.example.org", 60, "untrusted", "error"),
    ],
)
def test_tls_certificate_expiring_or_for_another_name(
    named: Named, ca: LabCA, host: str, days: float, status: str, severity: str
) -> None:
    chain, key = ca.issue(host, days=days, tag=f"-{status}")
    with SmtpLab("starttls", cert=chain, key=key) as smtp:
        _, doc = verify(named, *tls(ca, smtp.port))
    (f,) = found(doc, "tls")
    assert (f["status"], f["severity"]) == (status, severity), f


def test_tls_without_starttls(named: Named, ca: LabCA) -> None:
    with SmtpLab("no-starttls") as smtp:
        _, doc = verify(named, *tls(ca, smtp.port))
    (f,) = found(doc, "tls")
    assert (f["status"], f["severity"]) == ("no-starttls", "error")


# ---------------------------------------------------------------------------- bad input


def test_bad_connection_options_are_one_line_and_exit_2(
    named: Named, ca: LabCA, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    for args, words in [
        (["--https", "--ca-bundle", str(empty)], "no PEM certificate in the CA bundle"),
        (["--https", "--ca-bundle", str(tmp_path / "nope.pem")], "CA bundle not found"),
        (["--https", "--https-resolve", "mta-sts.example.org"], "NAME:ADDR:PORT"),
        (["--https", "--https-resolve", "mta-sts.example.org:host.example:443"], "IP address"),
    ]:
        if "--ca-bundle" not in args:  # not the system's: its bundle is no test material
            args = [*args, "--ca-bundle", str(ca.bundle)]
        result = run("verify", "--site", SITE, "--nameserver", "127.0.0.1:1", *args)
        assert result.exit_code == 2, result.output
        assert words in result.stderr and "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1
    result = run("verify", "--site", SITE, "--https-resolve", "a.example:127.0.0.1:443")
    assert result.exit_code == 2 and "--https-resolve is for --https" in result.output


def test_expired_policy_certificate(named: Named, ca: LabCA) -> None:
    with PolicyServer(
        *ca.issue(STS_HOST, also=WEB, days=-2, tag="-expired"), policy=POLICY
    ) as server:
        _, doc = verify(named, *https(ca, server.port))
        assert server.requests == []
    f = policy_finding(doc)
    assert (f["status"], f["severity"]) == ("expired", "error") and "expired 20" in f["detail"]


def test_policy_host_without_address(named: Named, ca: LabCA) -> None:
    """Without --https-resolve the policy host's address comes from the resolver: the
    example's mta-sts CNAME leads to the host's documentation IP, where nothing listens on
    loopback; so here the CNAME is pointed at a name without address."""
    web = [arg for name in WEB for arg in ("--https-resolve", f"{name}:127.0.0.1:{free_port()}")]
    with changed(named, f"{STS_HOST}.", "CNAME", f"nowhere.{OTHER}"):
        _, doc = verify(named, "--https", "--ca-bundle", str(ca.bundle), *web)
    f = policy_finding(doc)
    assert (f["status"], f["severity"]) == ("no-address", "error")
    # Nothing listens where autoconfig's TLS is looked for: said as what it is.
    assert found(doc, "autoconfig")[0]["status"] == "refused"


def test_autoconfig_and_autodiscover_tls_with_https(named: Named, ca: LabCA) -> None:
    """Mox's check dials autoconfig.<domain> and the autodiscover target on port 443 and
    checks the certificate for the name; so does --https (a handshake, nothing asked)."""
    with PolicyServer(*ca.issue(STS_HOST, also=WEB, tag="-web"), policy=POLICY) as server:
        _, doc = verify(named, *https(ca, server.port))
        assert server.requests == ["/.well-known/mta-sts.txt"]
    (a,) = found(doc, "autoconfig")
    assert a["status"] == "ok", a
    assert f"https://autoconfig.example.org at 127.0.0.1:{server.port}: valid" in a["detail"]
    assert found(doc, "autodiscover")[0]["status"] == "ok"
    # A certificate for the policy host only: autoconfig and autodiscover are untrusted.
    with (
        PolicyServer(*ca.issue(STS_HOST, tag="-sts-only"), policy=POLICY) as server,
        PolicyServer(*ca.issue("other.example.org"), policy=POLICY) as web,
    ):
        _, doc = verify(named, *https(ca, server.port, web.port))
    (a,) = found(doc, "autoconfig")
    assert (a["status"], a["severity"]) == ("untrusted", "error"), a
    assert "not valid for autoconfig.example.org" in a["detail"]
    (d,) = found(doc, "autodiscover")
    assert d["status"] == "untrusted" and "not valid for mx.example.org" in d["detail"]
    assert policy_finding(doc)["status"] == "ok"


# ---------------------------------------------------------------------------- any answer

NAMES = st.sampled_from(
    [HOST, ZONE, f"nowhere.{ZONE}", ".", "a..b.", "*.example.org.", "xn--.example.", "-x-.test."]
) | st.text(max_size=30)
TEXTS = st.sampled_from(
    [
        "v=spf1 ip4:203.0.113.25 -all",
        "v=spf1 include:example.org. redirect=x.test",
        "v=spf1 mx a:%{i}.x.test exists:%{l}.%{d} ptr -all",
        "v=DKIM1; k=rsa; p=",
        "v=DKIM1; k=ed25519; p=AAAA",
        "v=DMARC1; p=reject; rua=mailto:a@reports.test,mailto:b@x.test!10m; ruf=https://x",
        "v=STSv1; id=20260101",
        "v=STSv1; id=a; id=b",
        "v=TLSRPTv1; rua=mailto:a@example.org",
    ]
) | st.text(max_size=120)


def _records(rtype: str) -> st.SearchStrategy[str]:
    numbers = st.integers(-1, 70000).map(str) | st.text("0123456789²", max_size=6)
    if rtype == "A":
        return st.ip_addresses(v=4).map(str) | st.text(max_size=20)
    if rtype == "AAAA":
        return st.ip_addresses(v=6).map(str) | st.sampled_from(["::1", "127.0.0.1"])
    if rtype in ("PTR", "CNAME"):
        return NAMES
    if rtype == "MX":
        return st.builds(lambda p, n: f"{p} {n}", numbers, NAMES) | st.text(max_size=20)
    if rtype == "SRV":
        return st.builds(
            lambda p, w, port, n: f"{p} {w} {port} {n}", numbers, numbers, numbers, NAMES
        ) | st.text(max_size=20)
    return TEXTS


def _entry(rtype: str) -> st.SearchStrategy[Entry]:
    return st.builds(
        Entry,
        records=st.lists(_records(rtype), max_size=6).map(tuple),
        fault=st.sampled_from(["", "", "", "nxdomain", "error", "no-answer"]),
        detail=st.sampled_from(["", "SERVFAIL", "REFUSED", "timeout"]) | st.text(max_size=10),
        ad=st.booleans(),
    )


class DrawnLookup(LiveLookup):
    """Every name the checks ask about answers with what hypothesis draws; nothing is sent
    (the Asker's deadline is past and ``entry`` never calls it)."""

    def __init__(self, data: st.DataObject) -> None:
        super().__init__(Asker(timeout=0.1, deadline=time.monotonic() - 1), Server("127.0.0.1", 9))
        self.data = data

    def entry(self, name: str, rtype: str) -> Entry:
        k = key(name, rtype)
        if k not in self._cache:
            self._cache[k] = self.data.draw(_entry(k[1]), label=f"{k[0]} {k[1]}")
        return self._cache[k]


@pytest.fixture(scope="module")
def site() -> MailSite:
    return mail_site(pipeline.build(read_inputs(SITE)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_answers_end_in_findings(site: MailSite, data: st.DataObject) -> None:
    """Whatever the resolver says to whichever name, and whatever the policy server sends,
    every mail check ends in findings of known severities, and the reports render them."""
    lookup = DrawnLookup(data)
    body = data.draw(
        st.sampled_from([POLICY, POLICY.replace("enforce", "none"), "version: STSv1\n"])
        | st.text(max_size=200),
        label="policy",
    )

    def fetch(host: str) -> sts.Fetched:
        return sts.Fetched("127.0.0.1:443", body=body, content_type="text/plain")

    found_ = [
        *maildns.iprev(site, lookup),
        *maildns.spf_eval(site, lookup),
        *maildns.dkim_key(site, lookup),
        *maildns.dmarc_external(site, lookup),
        *maildns.tlsrpt(site, lookup),
        *sts.mta_sts(site, lookup, fetch, {ZONE: ("20261125T083131", "0" * 64)}),
        *maildns.srv_clients(site, lookup),
        *maildns.autoconfig(site, lookup),
        *maildns.autodiscover(site, lookup),
    ]
    assert found_ and all(f.severity in SEVERITIES for f in found_)
    report = Report(findings=found_)
    render_text(report)
    doc = document(report.as_json(), started=NOW, finished=NOW, version="0")
    render_html(doc)


# ------------------------------------------------------------------- any answer on the wire

# Names as a record may hold them: the site's, another's, and long ones (a 230-octet name is
# a name, but the DMARC authorization name built from it is not: see the test above).
WIRE_NAMES = st.sampled_from(
    [HOST, ZONE, f"mx.{OTHER}", OTHER, ".", "a.b.", ".".join(["a" * 63] * 3 + ["b" * 36, "t."])]
) | st.lists(st.text("ab-_0", min_size=1, max_size=63), min_size=1, max_size=4).map(
    lambda labels: ".".join(labels) + "."
)
WIRE_TEXTS = st.one_of(
    st.builds(lambda n: f"v=DMARC1; p=reject; rua=mailto:r@{n.rstrip('.')}", WIRE_NAMES),
    st.builds(lambda n: f"v=spf1 include:{n} mx:{n} a:{n} exists:{n} -all", WIRE_NAMES),
    st.builds(lambda n: f"v=TLSRPTv1; rua=mailto:t@{n}", WIRE_NAMES),
    TEXTS,
)


def _rdata(rtype: str) -> st.SearchStrategy[str | bytes]:
    """Rdata in presentation form (TXT: its bytes, cut in strings of 255 when sent)."""
    port = st.integers(0, 65535).map(str)
    return {
        "A": st.ip_addresses(v=4).map(str),
        "AAAA": st.ip_addresses(v=6).map(str) | st.just("::ffff:127.0.0.1"),
        "PTR": WIRE_NAMES,
        "CNAME": WIRE_NAMES,
        "MX": st.builds(lambda p, n: f"{p} {n}", port, WIRE_NAMES),
        "SRV": st.builds(lambda a, b, c, n: f"{a} {b} {c} {n}", port, port, port, WIRE_NAMES),
    }.get(rtype, WIRE_TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass")))


def _rrset(owner: dns.name.Name, rtype: str, values: list[str | bytes]) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(owner, dns.rdataclass.IN, dns.rdatatype.from_text(rtype))
    for value in values:
        if isinstance(value, bytes):
            chunks = [value[i : i + 255] for i in range(0, len(value), 255)] or [b""]
            rrset.add(TXTRdata(dns.rdataclass.IN, dns.rdatatype.TXT, chunks), 300)
        else:
            rrset.add(dns.rdata.from_text("IN", rtype, value), 300)
    return rrset


def _drawn_response(data: st.DataObject, q: dns.message.Message) -> Answer:
    """A response to ``q`` as a resolver might send it (CNAMEs, NXDOMAIN, SERVFAIL, nothing),
    then mangled on the wire: question swapped, sections dropped, owners moved, bytes
    changed, the message cut short; read back as :mod:`dnsquery` reads what arrives."""
    label = f"{q.question[0].name} {dns.rdatatype.to_text(q.question[0].rdtype)}"
    # Rarely none at all: the Asker then skips the server for the rest of the run.
    kinds = ["answer"] * 6 + ["cname", "cname", "nx", "fail", "none"]
    kind = data.draw(st.sampled_from(kinds), label)
    if kind == "none":
        return Answer(None, "timeout", "drawn: no answer")
    r = dns.message.make_response(q)
    qname, rtype = q.question[0].name, dns.rdatatype.to_text(q.question[0].rdtype)
    if kind in ("answer", "cname"):
        owner = qname
        if kind == "cname":
            target = dns.name.from_text(data.draw(WIRE_NAMES))
            r.answer.append(_rrset(qname, "CNAME", [target.to_text()]))
            owner = target
        if rtype != "CNAME":
            values = data.draw(st.lists(_rdata(rtype), max_size=4))
            if values:
                r.answer.append(_rrset(owner, rtype, values))
    r.set_rcode({"nx": dns.rcode.NXDOMAIN, "fail": dns.rcode.SERVFAIL}.get(kind, 0))
    if data.draw(st.booleans()):
        r.flags |= dns.flags.AD
    # Rarely mangled: an answer that does not parse or match leaves the server counted dead
    # (dnsquery waits out the query for a good one), and the rest of the run is skipped.
    if not data.draw(st.sampled_from([True] + [False] * 5)):
        message, why = dnsquery._parse(q, r.to_wire(max_size=65535))
        return Answer(message, "" if message is not None else dnsquery.MALFORMED, why)
    for how in data.draw(st.lists(st.sampled_from(MANGLES), max_size=3)):
        if how == "question":
            r.question[0].name = dns.name.from_text(data.draw(WIRE_NAMES))  # type: ignore[misc]
        elif how == "drop":
            r.answer.clear()
        elif how == "owner" and r.answer:
            moved, owner = r.answer.pop(), dns.name.from_text(data.draw(WIRE_NAMES))
            r.answer.append(dns.rrset.from_rdata_list(owner, 300, list(moved)))
        elif how == "rcode":
            r.set_rcode(data.draw(st.integers(0, 15)))
    wire = bytearray(r.to_wire(max_size=65535))
    for how in data.draw(st.lists(st.sampled_from(["flip", "cut"]), max_size=2)):
        if how == "flip" and len(wire) > 12:
            wire[data.draw(st.integers(12, len(wire) - 1))] ^= data.draw(st.integers(1, 255))
        elif how == "cut":
            del wire[data.draw(st.integers(0, len(wire))) :]
    message, why = dnsquery._parse(q, bytes(wire))
    return Answer(message, "" if message is not None else dnsquery.MALFORMED, why)


MANGLES = ("question", "drop", "owner", "rcode")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_answer_on_the_wire_ends_in_findings(site: MailSite, data: st.DataObject) -> None:
    """The real lookup (query built, answer read, CNAMEs followed), with what arrives for
    each question drawn and mangled on the wire instead of sent: every mail check still
    ends in findings of known severities, none an exception."""

    def drawn(q: dns.message.Message, *_: Any) -> Answer:
        return _drawn_response(data, q)

    def fetch(host: str) -> sts.Fetched:
        return sts.Fetched("127.0.0.1:443", body=POLICY, content_type="text/plain")

    lookup = LiveLookup(Asker(timeout=1, deadline=time.monotonic() + 60), Server("127.0.0.1", 9))
    with mock.patch.object(dnsquery, "_ask", drawn):
        found_ = [
            *maildns.iprev(site, lookup),
            *maildns.spf_eval(site, lookup),
            *maildns.dkim_key(site, lookup),
            *maildns.dmarc_external(site, lookup),
            *maildns.tlsrpt(site, lookup),
            *sts.mta_sts(site, lookup, fetch, {}),
            *maildns.srv_clients(site, lookup),
            *maildns.autoconfig(site, lookup),
            *maildns.autodiscover(site, lookup),
        ]
    assert found_ and all(f.severity in SEVERITIES for f in found_)
    render_text(Report(findings=found_))
