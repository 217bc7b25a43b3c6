"""PowerDNS end to end: the shipped config/octodns-powerdns.yaml, the real ``octodns-sync``
command and octodns-powerdns against a real ``pdns_server`` (sqlite3 back end, HTTP API) on
127.0.0.1. Read back over DNS with dnspython (AXFR), signed through the API, verified by
``zonegen verify`` with unbound validating against the DS the API hands out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dns.rdatatype
import pytest
import yaml

from conftest import REPO, RR, normalise, run, yaml_records
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


def served(server: PowerDns) -> set[RR]:
    """The zone by AXFR, without SOA, apex NS and DNSSEC records."""
    found: set[RR] = set()
    for name, ttl, rdata in server.axfr(ZONE).iterate_rdatas():
        rtype = dns.rdatatype.to_text(rdata.rdtype)
        owner = name.to_text().lower()
        if rtype in DNSSEC_TYPES or rtype == "SOA" or (rtype == "NS" and owner == ZONE):
            continue
        found.add((owner, rtype, ttl, normalise(rtype, rdata)))
    return found


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
