"""BIND end to end: the shipped config/octodns-bind.yaml, the real ``octodns-sync`` command and
octodns-bind's Rfc2136Provider against a real ``named`` on 127.0.0.1, unsigned and signed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import REPO, RR, run, transferred_records, yaml_records
from dnslab import Named

ZONE = "example.org."
DNSSEC_TYPES = {"RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY", "CDS", "CDNSKEY", "TYPE65534"}


@pytest.fixture(params=[False, True], ids=["unsigned", "signed"])
def named(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Named]:
    server = Named(tmp_path / "named", ["example.org"], dnssec=request.param).start()
    try:
        yield server
    finally:
        server.stop()


def build_zones(tmp: Path) -> Path:
    """The bundled example, with the null SRVs at one week (the TTL BIND must not cap)."""
    shutil.copytree(REPO / "config", tmp / "config")
    site = tmp / "config" / "site.yaml"
    site.write_text(
        site.read_text()
        + "ttl:\n  overrides:\n"
        + "".join(
            f"    _{svc}._tcp.example.org SRV: 604800\n"
            for svc in ("imap", "submission", "pop3", "pop3s")
        )
    )
    result = run("build", "--site", site, "--out", tmp / "zones")
    assert result.exit_code == 0, result.stderr
    return tmp / "zones"


def bind_config(tmp: Path, zones: Path, name: str = "octodns-bind.yaml", **guard: object) -> Path:
    config = yaml.safe_load((REPO / "config" / "octodns-bind.yaml").read_text())
    config["providers"]["zones"]["directory"] = str(zones)
    config["processors"]["delete-guard"].update(guard)
    path = tmp / name
    path.write_text(yaml.safe_dump(config))
    return path


def octodns_sync(server: Named, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "octodns-sync"
    return subprocess.run(
        [str(exe), "--config-file", str(config), *args],
        env={**os.environ, **server.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def served(server: Named) -> set[RR]:
    """The zone by AXFR, without SOA, apex NS and DNSSEC records."""
    return transferred_records(server.axfr(ZONE), ZONE, DNSSEC_TYPES)


def test_sync_reads_back_equal_and_is_idempotent(named: Named, tmp_path: Path) -> None:
    zones = build_zones(tmp_path)
    config = bind_config(tmp_path, zones)
    first = octodns_sync(named, config, "--doit")
    assert first.returncode == 0, first.stdout + first.stderr
    assert served(named) == yaml_records(zones, ZONE)
    assert ("_imap._tcp.example.org.", "SRV", 604800, "0 0 0 .") in served(named)

    second = octodns_sync(named, config, "--doit")
    assert second.returncode == 0, second.stderr
    assert "No changes were planned" in second.stdout + second.stderr


def test_foreign_record_survives(named: Named, tmp_path: Path) -> None:
    zones = build_zones(tmp_path)
    config = bind_config(tmp_path, zones)
    assert octodns_sync(named, config, "--doit").returncode == 0
    named.update(ZONE, "shop.example.org.", "A", "192.0.2.7")

    refused = octodns_sync(named, config, "--doit")
    assert refused.returncode == 1
    # One clear message, no traceback (the guard's excepthook), the plan on stdout.
    assert "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.rstrip().splitlines()[-1] == (
        "octodns-sync: error: [example.org.] would delete 1 record (shop.example.org. A), not in "
        "zones/ and so not managed by zonegen. To keep them, add them to the site file (zonegen "
        "import) or set keep_unmanaged: true on the delete-guard processor; to delete them, "
        "review the plan and run octodns-sync --doit --force."
    )
    assert refused.stderr.count("would delete") == 1
    assert "| Delete | shop | A |" in refused.stdout
    assert ("shop.example.org.", "A", 300, "192.0.2.7") in served(named)

    keep = bind_config(tmp_path, zones, "keep.yaml", keep_unmanaged=True)
    kept = octodns_sync(named, keep, "--doit")
    assert kept.returncode == 0, kept.stderr
    assert ("shop.example.org.", "A", 300, "192.0.2.7") in served(named)
    assert served(named) - {("shop.example.org.", "A", 300, "192.0.2.7")} == yaml_records(
        zones, ZONE
    )


def test_a_record_zonegen_stops_producing_goes_only_with_force(
    named: Named, tmp_path: Path
) -> None:
    zones = build_zones(tmp_path)
    config = bind_config(tmp_path, zones)
    assert octodns_sync(named, config, "--doit").returncode == 0
    path = zones / "example.org.yaml"
    text = path.read_text()
    start = text.index("www:\n")
    path.write_text(text[:start])  # www is the last name: cut it
    refused = octodns_sync(named, config, "--doit")
    assert refused.returncode != 0
    assert "would delete 1 record (www.example.org. A)" in refused.stderr
    assert ("www.example.org.", "A", 3600, "203.0.113.80") in served(named)
    forced = octodns_sync(named, config, "--doit", "--force")
    assert forced.returncode == 0, forced.stderr
    assert served(named) == yaml_records(zones, ZONE)


def test_the_servers_own_glue_is_left_alone(tmp_path: Path) -> None:
    """A zone served by an in-zone name server (NS ns1.example.org. plus its A record, as
    shared/facts' lab seeds it): the glue is the server's, not something to delete."""
    zone_text = (
        "$TTL 3600\n@ IN SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300\n"
        "@ IN NS ns1.example.org.\nns1 IN A 127.0.0.1\n"
    )
    server = Named(
        tmp_path / "named", ["example.org"], dnssec=True, texts={"example.org": zone_text}
    ).start()
    try:
        zones = build_zones(tmp_path)
        config = bind_config(tmp_path, zones)
        first = octodns_sync(server, config, "--doit")
        assert first.returncode == 0, first.stdout + first.stderr
        assert served(server) == yaml_records(zones, ZONE) | {
            ("ns1.example.org.", "A", 3600, "127.0.0.1")
        }
        second = octodns_sync(server, config, "--doit")
        assert second.returncode == 0 and "No changes were planned" in second.stdout + second.stderr
    finally:
        server.stop()
