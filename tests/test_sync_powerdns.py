"""PowerDNS end to end: the shipped config/octodns-powerdns.yaml, the real ``octodns-sync``
command and octodns-powerdns against a real ``pdns_server`` (sqlite3 back end, HTTP API) on
127.0.0.1. Read back over DNS with dnspython (AXFR), signed through the API, verified by
``zonegen verify`` with unbound validating against the DS the API hands out."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import REPO, RR, run, transferred_records, yaml_records
from dnslab import Unbound
from pdnslab import PowerDns, ds_matches
from test_sync_bind import build_zones  # the bundled example, null SRVs at one week

ZONE = "example.org."
DNSSEC_TYPES = {"RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY", "CDS", "CDNSKEY"}


@pytest.fixture
def pdns(tmp_path: Path) -> Iterator[PowerDns]:
    server = PowerDns(tmp_path / "pdns").start()
    try:
        yield server
    finally:
        server.stop()


def pdns_config(tmp: Path, zones: Path, name: str = "octodns.yaml", **guard: object) -> Path:
    config = yaml.safe_load((REPO / "config" / "octodns-powerdns.yaml").read_text())
    config["providers"]["zones"]["directory"] = str(zones)
    config["processors"]["delete-guard"].update(guard)
    path = tmp / name
    path.write_text(yaml.safe_dump(config))
    return path


def octodns_sync(server: PowerDns, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "octodns-sync"
    return subprocess.run(
        [str(exe), "--config-file", str(config), *args],
        env={**os.environ, **server.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def served(server: PowerDns, zone: str = ZONE) -> set[RR]:
    """The zone by AXFR, without SOA, apex NS and DNSSEC records."""
    return transferred_records(server.axfr(zone), zone, DNSSEC_TYPES)


def test_sync_exact_idempotent_signed_and_verified(pdns: PowerDns, tmp_path: Path) -> None:
    pdns.create_zone(ZONE)
    zones = build_zones(tmp_path)
    config = pdns_config(tmp_path, zones)
    wanted = yaml_records(zones, ZONE)
    assert len(wanted) > 20  # the whole Mox example, TLSA and null SRVs included

    plan = octodns_sync(pdns, config)
    assert plan.returncode == 0, plan.stderr
    assert served(pdns) == set()  # a plan changes nothing
    # The reviewable plan: Markdown on stdout, one row per record.
    assert plan.stdout.startswith("## example.org.\n\n### powerdns\n\n| Operation | Name |")
    assert "| Create | _25._tcp.mx | TLSA | 300 |" in plan.stdout
    assert "| Create | _imap._tcp | SRV | 604800 | '0 0 0 .' | zones |" in plan.stdout

    first = octodns_sync(pdns, config, "--doit")
    assert first.returncode == 0, first.stderr
    got = served(pdns)
    assert got == wanted, (sorted(wanted - got), sorted(got - wanted))
    assert ("_imap._tcp.example.org.", "SRV", 604800, "0 0 0 .") in got

    # DNSSEC through the API, as an operator turns it on; the records stay as they were.
    ds = pdns.sign(ZONE)
    assert ds_matches(pdns, ZONE, ds)
    assert served(pdns) == wanted

    second = octodns_sync(pdns, config, "--doit")
    assert second.returncode == 0, second.stderr
    assert second.stdout == "## No changes were planned\n"
    assert "No changes were planned" in second.stderr

    unbound = Unbound(tmp_path / "unbound", pdns.port, ["example.org"], {"example.org": ds})
    unbound.start()
    try:
        verify = run(
            "verify",
            "--site",
            tmp_path / "config" / "site.yaml",
            "--skip",
            "iprev",
            "--nameserver",
            f"127.0.0.1:{pdns.port}",
            "--resolver",
            f"127.0.0.1:{unbound.port}",
            "--format",
            "json",
        )
    finally:
        unbound.stop()
    assert verify.exit_code == 0, verify.stdout + verify.stderr
    report = json.loads(verify.stdout)
    assert report["ok"] is True
    resolver = [f for f in report["findings"] if f["check"] == "resolver"]
    assert resolver and all(f["detail"] == "validated (AD)" for f in resolver)


def test_missing_zone_is_created_by_the_sync_without_ns(pdns: PowerDns, tmp_path: Path) -> None:
    """octodns-powerdns creates a missing zone with the records of zones/ and nothing else:
    no NS (zones/ has none: the apex NS are the operator's), which is why the README says to
    create the zone with its name servers first."""
    zones = build_zones(tmp_path)
    config = pdns_config(tmp_path, zones)
    first = octodns_sync(pdns, config, "--doit")
    assert first.returncode == 0, first.stderr
    assert "| Create | Zone<example.org.> |" in first.stdout
    assert served(pdns) == yaml_records(zones, ZONE)
    assert not pdns.axfr(ZONE).get_rdataset(ZONE, "NS")
    again = octodns_sync(pdns, config)
    assert again.stdout == "## No changes were planned\n", again.stdout


def test_delete_guard_holds(pdns: PowerDns, tmp_path: Path) -> None:
    pdns.create_zone(ZONE)
    zones = build_zones(tmp_path)
    config = pdns_config(tmp_path, zones)
    assert octodns_sync(pdns, config, "--doit").returncode == 0
    # A record made outside zonegen, through the API (a web admin, certbot's hook).
    shop = {"name": "shop.example.org.", "type": "A", "ttl": 300, "changetype": "REPLACE"}
    shop["records"] = [{"content": "192.0.2.7", "disabled": False}]
    pdns.api("PATCH", f"zones/{ZONE}", {"rrsets": [shop]})
    foreign = ("shop.example.org.", "A", 300, "192.0.2.7")

    refused = octodns_sync(pdns, config, "--doit")
    assert refused.returncode != 0
    assert "would delete 1 record (shop.example.org. A)" in refused.stderr
    assert "| Delete | shop | A | 300 | 192.0.2.7 |" in refused.stdout  # the plan still shows it
    assert foreign in served(pdns)

    keep = pdns_config(tmp_path, zones, "keep.yaml", keep_unmanaged=True)
    kept = octodns_sync(pdns, keep, "--doit")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout == "## No changes were planned\n"
    assert served(pdns) == yaml_records(zones, ZONE) | {foreign}

    forced = octodns_sync(pdns, config, "--doit", "--force")
    assert forced.returncode == 0, forced.stderr
    assert served(pdns) == yaml_records(zones, ZONE)


HARD = """
      big._domainkey: {{type: TXT, value: 'v=DKIM1; k=rsa; p={key}'}}
      '*': {{type: A, value: 203.0.113.99}}
      '*.wild': {{type: MX, value: {{preference: 10, exchange: mx.example.org.}}}}
      nomail: {{type: MX, value: {{preference: 0, exchange: .}}}}
      _xmpp._tcp: {{type: SRV, value: {{priority: 0, weight: 0, port: 0, target: .}}}}
      caa:
        type: CAA
        values:
          - {{flags: 128, tag: issue, value: 'letsencrypt.org; validationmethods=dns-01'}}
          - {{flags: 0, tag: iodef, value: 'mailto:security@example.org'}}
      _443._tcp.www:
        type: TLSA
        values:
          - {{certificate_usage: 3, selector: 0, matching_type: 1,
              certificate_association_data: {h0}}}
          - {{certificate_usage: 3, selector: 1, matching_type: 1,
              certificate_association_data: {h1}}}
      short: {{type: A, ttl: 1, value: 192.0.2.1}}
      long: {{type: A, ttl: 2147483647, value: 192.0.2.2}}
      many: {{type: A, values: [{many}]}}
      semi: {{type: TXT, value: 'a;b; c'}}
  bücher.example:
    records:
      münchen: {{type: CNAME, value: www.bücher.example.}}
      www: {{type: A, value: 192.0.2.80}}
  0-25.2.0.192.in-addr.arpa:
    records:
      '1': {{type: PTR, value: mx.example.org.}}
ttl: {{min: 1, max: 2147483647}}
"""
HARD_ZONES = ("example.org.", "xn--bcher-kva.example.", "0-25.2.0.192.in-addr.arpa.")


def test_hard_records_idn_and_classless_zones_exact(pdns: PowerDns, tmp_path: Path) -> None:
    """A 4096-bit DKIM key (three strings), CAA flags 128 with ';', TLSA 3 0 1 and 3 1 1,
    null MX and SRV, wildcards, TTLs 1 and 2^31-1, 100 values in one RRset, an IDN zone and a
    classless reverse zone: served record for record as built, then a plan changes nothing.
    A TXT with a '"' (octodns-powerdns sends it unescaped) is named by `check` and refused by
    PowerDNS as a whole: the zone keeps what it had, the sync exits non-zero."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    public = rsa.generate_private_key(public_exponent=65537, key_size=4096).public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    shutil.copytree(REPO / "config", tmp_path / "config")
    site = tmp_path / "config" / "site.yaml"
    many = ", ".join(f"192.0.2.{i}" for i in range(1, 101))
    hard = HARD.format(key=base64.b64encode(der).decode(), h0="ab" * 32, h1="cd" * 32, many=many)
    site.write_text(site.read_text() + hard)
    zones = tmp_path / "zones"
    built = run("build", "--site", site, "--out", zones)
    assert built.exit_code == 0, built.stderr
    for zone in HARD_ZONES:
        pdns.create_zone(zone)
    config = pdns_config(tmp_path, zones)
    first = octodns_sync(pdns, config, "--doit")
    assert first.returncode == 0, first.stderr
    for zone in HARD_ZONES:
        wanted = yaml_records(zones, "bücher.example." if zone.startswith("xn--") else zone)
        assert served(pdns, zone) == wanted, zone
    got = served(pdns, ZONE)
    assert ("short.example.org.", "A", 1, "192.0.2.1") in got
    assert ("long.example.org.", "A", 2147483647, "192.0.2.2") in got
    assert len([r for r in got if r[0] == "many.example.org."]) == 100
    (dkim,) = [r for r in got if r[0] == "big._domainkey.example.org."]
    assert len(dkim[3]) > 700
    again = octodns_sync(pdns, config)
    assert again.stdout == "## No changes were planned\n", again.stdout

    path = zones / "example.org.yaml"
    path.write_text(path.read_text().replace("a;b; c", 'say "hi"'))
    site.write_text(site.read_text().replace("a;b; c", 'say "hi"'))
    check = run("check", "--site", site, "--provider", "powerdns", "--format", "json")
    assert check.exit_code == 1
    (problem,) = json.loads(check.stdout)["problems"]
    assert (problem["rule"], problem["name"]) == ("provider-value", "semi.example.org.")
    refused = octodns_sync(pdns, config, "--doit")
    assert refused.returncode != 0
    assert "422" in refused.stderr and "semi.example.org" in refused.stderr
    # The API's refusal is one line (the config's DeleteGuard installs the hook), not a
    # traceback of the HTTP client's internals above it.
    assert "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.rstrip().splitlines()[-1].startswith("octodns-sync: error: 422 ")
    assert served(pdns, ZONE) == got
