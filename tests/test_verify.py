"""zonegen verify against a real signed named and a validating unbound on 127.0.0.1, loaded
by the real octoDNS (Manager + Rfc2136Provider), and a STARTTLS server for DANE."""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.update
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from octodns.manager import Manager

from conftest import REPO, run
from dnslab import LAB_NS, Named, Unbound, free_port
from smtp_server import StartTlsServer

SITE = REPO / "config" / "site.yaml"


@dataclass
class Lab:
    named: Named
    unbound: Unbound | None

    def verify(self, *args: str) -> tuple[int, str]:
        resolver = ["--resolver", f"127.0.0.1:{self.unbound.port}"] if self.unbound else []
        result = run(
            "verify",
            "--site",
            SITE,
            "--nameserver",
            f"127.0.0.1:{self.named.port}",
            *resolver,
            *args,
        )
        return result.exit_code, result.stdout + result.stderr


def load_zones(named: Named, tmp: Path) -> None:
    """Build the bundled example and sync it into named with octoDNS."""
    zones = tmp / "zones"
    assert run("build", "--site", SITE, "--out", zones).exit_code == 0
    config = yaml.safe_load((REPO / "config" / "octodns-bind.yaml").read_text())
    config["providers"]["zones"]["directory"] = str(zones)
    path = tmp / "octodns.yaml"
    path.write_text(yaml.safe_dump(config))
    old = dict(os.environ)
    os.environ.update(named.env)
    try:
        Manager(str(path)).sync(dry_run=False, plan_output_fh=io.StringIO())
    finally:
        os.environ.clear()
        os.environ.update(old)


# The reverse zones of the example's host IPs (203.0.113.25, 2001:db8:25::25), with the PTR
# records the host's provider would publish: the iprev check reads them through unbound.
REVERSE = {
    "113.0.203.in-addr.arpa": "25.113.0.203.in-addr.arpa.",
    "5.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa": "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
    "5.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
}


def start_lab(tmp: Path, *, dnssec: bool, anchor: str | None = "right") -> Lab:
    texts = {
        zone: f"$TTL 300\n@ IN SOA {LAB_NS} hostmaster.{zone}. 1 7200 3600 1209600 300\n"
        f"@ IN NS {LAB_NS}\n{ptr} IN PTR mx.example.org.\n"
        for zone, ptr in REVERSE.items()
    }
    named = Named(tmp / "named", ["example.org", *REVERSE], dnssec=dnssec, texts=texts).start()
    try:
        load_zones(named, tmp)
        anchors = {}
        if dnssec and anchor:
            ds = named.ds("example.org.")
            if anchor == "wrong":  # same key tag and algorithm, another digest
                parts = ds.split()
                parts[3] = ("0" if parts[3][0] != "0" else "1") + parts[3][1:]
                ds = " ".join(parts)
            anchors["example.org"] = ds
        # unbound answers NXDOMAIN itself for the documentation ranges' reverse zones
        # (RFC 6303 local zones) unless told not to.
        unblock = "".join(
            f'  local-zone: "{z}." nodefault\n'
            for z in ("113.0.203.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa")
        )
        unbound = Unbound(
            tmp / "unbound", named.port, ["example.org", *REVERSE], anchors, extra=unblock
        ).start()
    except BaseException:
        named.stop()
        raise
    return Lab(named, unbound)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One lab for the module; tests that change a record put it back (and wait out
    unbound's one-second cache)."""
    lab = start_lab(tmp_path_factory.mktemp("verify"), dnssec=True)
    yield lab
    assert lab.unbound
    lab.unbound.stop()
    lab.named.stop()


def test_everything_matches_and_validates(lab: Lab) -> None:
    code, out = lab.verify("--ds", f"example.org. DS {lab.named.ds('example.org.')}")
    assert code == 0, out
    assert "zone example.org. (signed, chain of trust checked;" in out
    assert "all good:" in out and " 0 errors" in out and "WARN" not in out
    assert re.search(r"^  _25\._tcp\.mx\.example\.org\. +TLSA +ok +ok$", out, re.MULTILINE)
    code, out = lab.verify("--format", "json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["summary"]["error"] == 0
    resolver = [f for f in data["findings"] if f["check"] == "resolver"]
    assert resolver and all(f["status"] == "ok" for f in resolver)
    assert all(f["detail"] == "validated (AD)" for f in resolver)
    assert data["zones"][0]["signed"] is True and data["zones"][0]["chain"] == "unknown"


def test_a_record_changed_behind_zonegens_back(lab: Lab) -> None:
    dmarc = '"v=DMARC1;p=reject;rua=mailto:dmarcreports@example.org!10m"'
    lab.named.replace("example.org.", "_dmarc.example.org.", "TXT", '"v=DMARC1;p=none"')
    try:
        resolved(lab, "_dmarc.example.org.", "TXT", '"v=DMARC1;p=none"')
        code, out = lab.verify()
        assert code == 1, out
        assert "FAIL authoritative different: _dmarc.example.org. TXT" in out
        assert "built: v=DMARC1;p=reject;rua=mailto:dmarcreports@example.org!10m" in out
        assert "live: v=DMARC1;p=none" in out
        data = json.loads(lab.verify("--format", "json")[1])
        bad = {(f["name"], f["check"]) for f in data["findings"] if f["severity"] == "error"}
        assert bad == {
            ("_dmarc.example.org.", "authoritative"),
            ("_dmarc.example.org.", "resolver"),
        }
    finally:
        lab.named.replace("example.org.", "_dmarc.example.org.", "TXT", dmarc)
        resolved(lab, "_dmarc.example.org.", "TXT", dmarc)


def resolved(lab: Lab, name: str, rtype: str, value: str) -> None:
    """Wait until unbound's cache (TTLs capped at a second, served at TTL 0 a little
    longer) gives the new value."""
    assert lab.unbound
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        q = dns.message.make_query(name, rtype)
        r = dns.query.udp(q, "127.0.0.1", port=lab.unbound.port, timeout=2)
        if any(rd.to_text() == value for rrset in r.answer for rd in rrset):
            return
        time.sleep(0.2)
    raise AssertionError(f"unbound still does not give {name} {rtype} {value}")


def test_extra_records_are_reported_but_not_fatal(lab: Lab) -> None:
    lab.named.update("example.org.", "example.org.", "A", "192.0.2.99")
    try:
        code, out = lab.verify()
        assert code == 0, out
        assert "WARN authoritative extra: example.org. A" in out
    finally:
        upd = dns.update.UpdateMessage(
            "example.org.", keyring=lab.named.keyring, keyalgorithm="hmac-sha256"
        )
        upd.delete("example.org.", "A")
        assert dns.query.tcp(upd, "127.0.0.1", port=lab.named.port, timeout=5).rcode() == 0


def verify_in(tmp_path: Path, *args: str, **lab_args: Any) -> tuple[int, str]:
    """Start a lab, run verify once, stop the lab."""
    lab = start_lab(tmp_path, **lab_args)
    try:
        return lab.verify(*args)
    finally:
        if lab.unbound:
            lab.unbound.stop()
        lab.named.stop()


def test_unsigned_zone_with_tlsa_is_a_dnssec_error(tmp_path: Path) -> None:
    code, out = verify_in(tmp_path, dnssec=False)
    assert code == 1, out
    assert "zone example.org. (not signed;" in out
    assert "FAIL dnssec unsigned: example.org. DNSKEY @ 127.0.0.1:" in out
    assert "the site file says signed: true" in out


def test_wrong_trust_anchor_is_bogus(tmp_path: Path) -> None:
    code, out = verify_in(tmp_path, dnssec=True, anchor="wrong")
    assert code == 1, out
    # Every RRset is bogus for one cause: said once, with the RRsets named (the MX among them).
    problems = out.split("problems:\n", 1)[1].split("\n\n", 1)[0]
    assert problems.count("FAIL resolver bogus") == 1, out
    assert re.search(r"FAIL resolver bogus: \d+ RRsets", problems), out
    assert "example.org. MX" in problems.split("FAIL resolver bogus", 1)[1]
    assert "goes away with CD" in out


def test_unreachable_server_is_exit_2(lab: Lab) -> None:
    dead = free_port()
    result = run(
        "verify",
        "--site",
        SITE,
        "--nameserver",
        f"127.0.0.1:{dead}",
        "--resolver",
        f"127.0.0.1:{lab.unbound.port if lab.unbound else 0}",
    )
    assert result.exit_code == 2, result.stdout
    assert "COULD NOT CHECK" in result.stdout


def _host_key() -> ec.EllipticCurvePrivateKey:
    (path,) = (REPO / "config" / "mox" / "config" / "hostkeys").glob("*ecdsap256*")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def test_dane_with_the_host_key_matches(lab: Lab, tmp_path: Path) -> None:
    with StartTlsServer(_host_key(), "mx.example.org", tmp_path) as smtp:
        code, out = lab.verify("--smtp", f"127.0.0.1:{smtp.port}")
    assert code == 0, out
    data = json.loads(
        run(
            "verify",
            "--site",
            SITE,
            "--nameserver",
            f"127.0.0.1:{lab.named.port}",
            "--resolver",
            f"127.0.0.1:{lab.unbound.port if lab.unbound else 0}",
            "--format",
            "json",
        ).stdout
    )
    assert not [f for f in data["findings"] if f["check"] == "dane"]  # no SMTP unless asked


def test_dane_with_another_key_fails(lab: Lab, tmp_path: Path) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    with StartTlsServer(other, "mx.example.org", tmp_path) as smtp:
        code, out = lab.verify("--smtp", f"127.0.0.1:{smtp.port}")
    assert code == 1, out
    assert "FAIL dane mismatch: _25._tcp.mx.example.org. TLSA" in out
    assert "no TLSA record matches the 1 certificates presented after STARTTLS" in out


def test_dane_and_smtp_together_is_a_usage_error() -> None:
    result = run("verify", "--site", SITE, "--dane", "--smtp", "127.0.0.1:1")
    assert result.exit_code == 2
    assert "not both" in result.stderr


@pytest.mark.parametrize("given", ["mail.example.com:25", "mail.example.com", "localhost:2525"])
def test_smtp_takes_an_address_never_a_name(given: str) -> None:
    """A name would be looked up by the system resolver (getaddrinfo), which verify never
    asks and whose wait its deadline cannot cut short: refused before anything is asked."""
    result = run("verify", "--site", SITE, "--smtp", given, "--timeout", "5")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "give an IP address" in lines[0], result.stderr
