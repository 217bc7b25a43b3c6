"""Variants the captured fixtures do not hold, written in Mox's own format by tests/moxlike.py:
IDN names, a hostname equal to the domain, IPv6-only and NAT hosts, Ed25519 DKIM, the old
null-SRV form, and an SPF longer than one TXT string."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import RR, Workspace, bind_records, oracle, yaml_records
from moxlike import MoxSetup, alabel
from test_fixtures_build import named_checkzone


def build_setup(ws: Workspace, setup: MoxSetup, zones: list[str], extra: str = "") -> Path:
    mox = ws.root / "mox"
    setup.write_config(mox / "config")
    records = mox / f"dnsrecords-{setup.d}.txt"
    records.write_text(setup.records())
    zone_lines = "".join(f"  {z}: {{}}\n" for z in zones)
    ws.site(
        f"mox:\n  records: [mox/{records.name}]\n  config: mox/config\n{extra}"
        f"bind: {{ns: [ns1.dns.example.]}}\nzones:\n{zone_lines}"
    )
    result = ws.build()
    assert result.exit_code == 0, result.stderr
    return records


def check_zone(ws: Workspace, zone: str, expected: set[RR]) -> None:
    z = alabel(zone) + "."
    assert yaml_records(ws.root / "zones", z) == expected
    bind_file = ws.root / "zones" / "bind" / f"{alabel(zone)}.zone"
    assert bind_records(bind_file, z) == expected
    proc = subprocess.run(
        [named_checkzone(), "-i", "local", alabel(zone), str(bind_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def host(name: str, *ips: str) -> set[RR]:
    return {(alabel(name) + ".", "AAAA" if ":" in ip else "A", 300, ip) for ip in ips}


def test_idn_domain_and_hostname_with_config(ws: Workspace) -> None:
    setup = MoxSetup("münchen.example", "mail.münchen.example", ips=["198.51.100.7"], dnssec=True)
    records = build_setup(ws, setup, ["münchen.example"])
    assert "xn--mnchen-3ya" in records.read_text()
    check_zone(
        ws, "münchen.example", oracle([records]) | host("mail.münchen.example", "198.51.100.7")
    )
    text = (ws.root / "zones" / "münchen.example.yaml").read_text()
    assert "_25._tcp.mail:" in text and "2026a._domainkey:" in text


def test_hostname_equal_to_domain(ws: Workspace) -> None:
    setup = MoxSetup("example.com", "example.com", ips=["198.51.100.8"])
    records = build_setup(ws, setup, ["example.com"])
    text = records.read_text()
    assert "v=spf1 a -all" not in text  # Mox leaves out the host SPF and TLSRPT groups
    got = yaml_records(ws.root / "zones", "example.com.")
    assert ("example.com.", "MX", 300, "10 example.com.") in got
    assert ("example.com.", "A", 300, "198.51.100.8") in got
    check_zone(ws, "example.com", oracle([records]) | host("example.com", "198.51.100.8"))


def test_ipv6_only_host(ws: Workspace) -> None:
    setup = MoxSetup("example.net", "mail.example.net", ips=["2001:db8:66::6"], dnssec=True)
    records = build_setup(ws, setup, ["example.net"])
    expected = oracle([records]) | host("mail.example.net", "2001:db8:66::6")
    assert ("example.net.", "TXT", 300, "v=spf1 ip6:2001:db8:66::6 mx ~all") in expected
    check_zone(ws, "example.net", expected)


def test_nat_host_publishes_the_natips(ws: Workspace) -> None:
    setup = MoxSetup(
        "example.org",
        "mail.example.org",
        ips=["192.0.2.2", "fd00::2"],
        natips=["203.0.113.77", "2001:db8:77::77"],
    )
    records = build_setup(ws, setup, ["example.org"])
    expected = oracle([records]) | host("mail.example.org", "203.0.113.77", "2001:db8:77::77")
    check_zone(ws, "example.org", expected)
    assert not any("192.0.2.2" in rr[3] for rr in expected)


def test_ips_nated_host_needs_the_site_file(ws: Workspace) -> None:
    setup = MoxSetup("example.org", "mail.example.org", ips=["192.0.2.2"])
    mox = ws.root / "mox"
    setup.write_config(mox / "config")
    conf = mox / "config" / "mox.conf"
    conf.write_text(conf.read_text().replace("\t\tSMTP:\n", "\t\tIPsNATed: true\n\t\tSMTP:\n"))
    (mox / "r.txt").write_text(setup.records().replace("ip4:192.0.2.2 ", ""))
    site = (
        "mox: {records: [mox/r.txt], config: mox/config}\nbind: {ns: [ns1.dns.example.]}\n"
        "zones: {example.org: {}}\n"
    )
    ws.site(site)
    result = ws.build()
    assert result.exit_code == 2 and "set host.ipv4" in result.stderr
    ws.site(site + "host: {ipv4: [203.0.113.9]}\n")
    assert ws.build().exit_code == 0
    assert ("mail.example.org.", "A", 300, "203.0.113.9") in yaml_records(
        ws.root / "zones", "example.org."
    )


def test_ed25519_dkim_and_old_null_srvs(ws: Workspace) -> None:
    setup = MoxSetup(
        "example.com",
        "mail.example.com",
        dkim={"2026a": "ed25519", "2026b": "rsa"},
        old_null_srv=True,
    )
    records = build_setup(ws, setup, ["example.com"])
    expected = oracle([records]) | host("mail.example.com", "198.51.100.10")
    assert ("_pop3s._tcp.example.com.", "SRV", 300, "0 1 995 .") in expected
    check_zone(ws, "example.com", expected)


def test_spf_longer_than_255_octets(ws: Workspace) -> None:
    ips = [f"198.51.100.{i}" for i in range(1, 25)] + [f"2001:db8:1::{i:x}" for i in range(1, 9)]
    setup = MoxSetup("example.com", "mail.example.com", ips=ips)
    records = build_setup(ws, setup, ["example.com"])
    (spf,) = [
        rr
        for rr in yaml_records(ws.root / "zones", "example.com.")
        if rr[0] == "example.com." and rr[3].startswith("v=spf1")
    ]
    assert len(spf[3]) > 255 and spf[3].endswith(" mx ~all")
    zone_text = (ws.root / "zones" / "bind" / "example.com.zone").read_text()
    spf_line = next(line for line in zone_text.splitlines() if "v=spf1 ip4" in line)
    # Split into 255-octet strings (RFC 1035 3.3; joined again by receivers, RFC 7208 3.3).
    assert spf_line.count('" "') == (len(spf[3]) - 1) // 255 >= 1
    check_zone(ws, "example.com", oracle_long(records) | host("mail.example.com", *ips))


def oracle_long(records: Path) -> set[RR]:
    """dnspython refuses a string over 255 octets, so split the SPF line before it reads it."""
    lines = []
    for line in records.read_text().splitlines():
        if 'TXT "v=spf1 ip4' in line:
            head, _, value = line.partition('TXT "')
            value = value.rstrip('"')
            line = (
                head
                + "TXT "
                + " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))
            )
        lines.append(line)
    fixed = records.with_suffix(".split")
    fixed.write_text("\n".join(lines) + "\n")
    return oracle([fixed])


@pytest.mark.parametrize("dnssec", [False, True])
def test_tlsa_follows_dnssec(ws: Workspace, dnssec: bool) -> None:
    setup = MoxSetup("example.com", "mail.example.com", dnssec=dnssec)
    build_setup(ws, setup, ["example.com"])
    tlsa = [rr for rr in yaml_records(ws.root / "zones", "example.com.") if rr[1] == "TLSA"]
    assert len(tlsa) == (2 if dnssec else 0)


@pytest.mark.parametrize("acme", [True, False])
def test_dnsrecords_cut_before_the_caa_group(ws: Workspace, acme: bool) -> None:
    """A dnsrecords file cut right after the null SRVs reads like Mox's output without ACME:
    with mox.config, ACME on the public listener says the CAA record is missing."""
    mox = ws.copy_fixture("v17-ipv4-basic")
    records = mox / "dnsrecords-example.com.txt"
    text = records.read_text()
    records.write_text(text[: text.index("\n; Optional:")])
    if not acme:  # as with -existing-webserver: no ACME, so Mox prints no CAA
        conf = mox / "config" / "mox.conf"
        conf.write_text(conf.read_text().replace("\t\t\tACME: letsencrypt\n", ""))
    ws.site(
        "mox:\n  records: [mox/dnsrecords-example.com.txt]\n  config: mox/config\n"
        "bind: {ns: [ns1.dns.example.]}\nzones:\n  example.com: {}\n"
    )
    result = ws.build()
    if acme:
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
        mx_line = text[: text.index(" MX 10 ")].count("\n") + 1
        assert f"dnsrecords-example.com.txt:{mx_line}: mox.conf" in result.stderr
        assert "have none: the file looks cut off" in result.stderr
        assert not (ws.root / "zones").exists()
    else:
        assert result.exit_code == 0, result.stderr
        assert "CAA" not in (ws.root / "zones" / "example.com.yaml").read_text()
