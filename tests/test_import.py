"""zonegen import: existing zones in (Cloud DNS export, dig AXFR, octodns-dump), nothing lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, Workspace, run, yaml_records
from dnslab import Named

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
CLOUD = EXPORTS / "cloud-dns-export.zone"
DECISIONS = """\
    conflicts:
      example.org MX: secondary
      example.org SPF: merge
      _dmarc.example.org TXT: mox
      mail.example.org CNAME: mox
      example.org CAA: merge
"""

# What the old zone had that must survive (not in conflict with Mox).
SURVIVORS = {
    ("example.org.", "A", 300, "203.0.113.80"),
    ("example.org.", "AAAA", 300, "2001:db8:80::80"),
    (
        "example.org.",
        "TXT",
        300,
        "google-site-verification=Zq3k9vB1xWmT0pLr7yH2cN5dF8gJ4sA6eU1iO0qKzXc",
    ),
    ("www.example.org.", "CNAME", 300, "example.org."),
    ("shop.example.org.", "CNAME", 300, "shops.myshopify.com."),
    ("_acme-challenge.shop.example.org.", "TXT", 120, "xVq7cR2m4pT9wZ1bN6yH3kD8fJ5sL0aG"),
    ("lab.example.org.", "NS", 3600, "ns1.lab.example.org."),
    ("ns1.lab.example.org.", "A", 3600, "192.0.2.53"),
}


def site(ws: Workspace, decisions: str = "") -> Path:
    shutil.copytree(REPO / "config", ws.root / "config")
    path = ws.root / "config" / "site.yaml"
    text = path.read_text()
    # The example's own www record would clash with the old zone's www CNAME.
    text = text.replace(
        "    records:                           # records of your own, in "
        "octoDNS YAML syntax\n      www:\n        type: A\n"
        "        value: 203.0.113.80\n",
        decisions,
    )
    assert "www:" not in text
    path.write_text(text)
    return path


def do_import(site_path: Path, export: Path, *extra: str) -> str:
    result = run("import", export, "--zone", "example.org", "--site", site_path, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def build(ws: Workspace, site_path: Path) -> tuple[int, str]:
    result = run("build", "--site", site_path, "--out", ws.root / "zones")
    return result.exit_code, result.stdout + result.stderr


def test_cloud_export_conflicts_are_reported_and_build_refuses(ws: Workspace) -> None:
    site_path = site(ws)
    out = do_import(site_path, CLOUD)
    kept = ws.root / "config" / "kept" / "example.org.yaml"
    assert kept.is_file()
    assert "note: left out 5 DNSSEC records (1 DNSKEY, 1 DS, 1 NSEC, 2 RRSIG)" in out
    assert "note: left out the SOA" in out
    assert "note: left out the apex NS (ns-cloud-a1.googledomains.com., " in out
    for line in (
        "example.org MX: existing 1 aspmx.l.google.com.",
        "choose secondary or drop",
        "example.org SPF: existing v=spf1 include:_spf.google.com ~all",
        "choose merge or mox",
        "_dmarc.example.org TXT: existing v=DMARC1; p=none;",
        "mail.example.org CNAME: existing CNAME ghs.googlehosted.com.",
        "choose mox or keep",
        'example.org CAA: existing 0 issue "pki.goog"',
    ):
        assert line in out, out
    assert "      example.org MX: secondary   # or: drop" in out
    code, text = build(ws, site_path)
    assert code == 1 and "error: import-conflict: example.org. MX" in text
    assert not (ws.root / "zones").exists()


def test_decided_build_has_both_and_nothing_twice(ws: Workspace) -> None:
    site_path = site(ws, DECISIONS)
    do_import(site_path, CLOUD)
    code, text = build(ws, site_path)
    assert code == 0, text
    got = yaml_records(ws.root / "zones", "example.org.")
    assert got >= SURVIVORS
    spf = [r for r in got if r[0] == "example.org." and r[3].startswith("v=spf1")]
    assert spf == [
        (
            "example.org.",
            "TXT",
            300,
            "v=spf1 ip4:203.0.113.25 ip6:2001:db8:25::25 mx include:_spf.google.com ~all",
        )
    ]
    mx = sorted(r[3] for r in got if r[0] == "example.org." and r[1] == "MX")
    assert mx == [
        "10 mx.example.org.",
        "21 aspmx.l.google.com.",
        "25 alt1.aspmx.l.google.com.",
        "25 alt2.aspmx.l.google.com.",
        "30 alt3.aspmx.l.google.com.",
        "30 alt4.aspmx.l.google.com.",
    ]
    assert [r[3] for r in got if r[0] == "_dmarc.example.org."] == [
        "v=DMARC1;p=reject;rua=mailto:dmarcreports@example.org!10m"
    ]
    assert [r[3] for r in got if r[0] == "mail.example.org."] == ["mx.example.org."]
    assert {r[3] for r in got if r[1] == "CAA"} == {
        '0 issue "letsencrypt.org"',
        '0 issue "pki.goog"',
    }
    # nothing twice: one record per (name, type, value)
    assert len(got) == len({(n, t, v) for n, t, _, v in got})
    assert not any(
        r[1] in ("SOA", "DNSKEY", "RRSIG", "NSEC", "DS") and r[0] == "example.org." for r in got
    )
    check = run("check", "--site", site_path)
    assert check.exit_code == 0, check.stdout


def test_keep_choices(ws: Workspace) -> None:
    site_path = site(
        ws,
        DECISIONS.replace("_dmarc.example.org TXT: mox", "_dmarc.example.org TXT: keep")
        .replace("mail.example.org CNAME: mox", "mail.example.org CNAME: keep")
        .replace("example.org MX: secondary", "example.org MX: drop")
        .replace("example.org SPF: merge", "example.org SPF: mox"),
    )
    do_import(site_path, CLOUD)
    code, text = build(ws, site_path)
    assert code == 0, text
    got = yaml_records(ws.root / "zones", "example.org.")
    assert [r[3] for r in got if r[0] == "_dmarc.example.org."] == [
        "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.org"
    ]
    assert [r[3] for r in got if r[0] == "mail.example.org."] == ["ghs.googlehosted.com."]
    assert [r[3] for r in got if r[0] == "example.org." and r[1] == "MX"] == ["10 mx.example.org."]
    assert [r[3] for r in got if r[3].startswith("v=spf1") and r[0] == "example.org."] == [
        "v=spf1 ip4:203.0.113.25 ip6:2001:db8:25::25 mx ~all"
    ]


@pytest.mark.parametrize("export", ["axfr-dig.txt", "octodns-dump.yaml"])
def test_axfr_and_octodns_dump_keep_the_same(ws: Workspace, export: str) -> None:
    site_path = site(ws, DECISIONS)
    do_import(site_path, EXPORTS / export)
    code, text = build(ws, site_path)
    assert code == 0, text
    assert yaml_records(ws.root / "zones", "example.org.") >= SURVIVORS


def test_reimport_says_what_changed(ws: Workspace) -> None:
    site_path = site(ws, DECISIONS)
    do_import(site_path, CLOUD)
    assert "nothing changed since the last import" in do_import(site_path, CLOUD)
    newer = ws.root / "newer.zone"
    newer.write_text(
        CLOUD.read_text().replace(
            "shop.example.org. 300 IN CNAME shops.myshopify.com.\n",
            "blog.example.org. 300 IN CNAME example.org.\n",
        )
    )
    out = do_import(site_path, newer, "--dry-run")
    assert "  + blog.example.org 300 CNAME example.org." in out
    assert "  - shop.example.org 300 CNAME shops.myshopify.com." in out
    kept = (ws.root / "config" / "kept" / "example.org.yaml").read_text()
    assert "shop:" in kept and "blog:" not in kept  # --dry-run wrote nothing
    do_import(site_path, newer)
    assert "blog:" in (ws.root / "config" / "kept" / "example.org.yaml").read_text()


def test_import_errors(ws: Workspace) -> None:
    site_path = site(ws)
    result = run("import", CLOUD, "--zone", "example.net", "--site", site_path)
    assert result.exit_code == 2 and "not in the site file" in result.stderr
    bad = ws.root / "bad.zone"
    bad.write_text("example.org. 300 IN A 203.0.113.80\nexample.org. 300 IN MX ten\n")
    result = run("import", bad, "--zone", "example.org", "--site", site_path)
    assert result.exit_code == 1 and "bad.zone:2: example.org MX: its data cannot be read" in (
        result.stdout
    )
    bad.write_text('example.org. 300 IN A 203.0.113.80\nexample.org. 300 IN TXT "a\n')
    result = run("import", bad, "--zone", "example.org", "--site", site_path)
    assert result.exit_code == 2 and "bad.zone:2:" in result.stderr


def test_end_to_end_nothing_lost_on_the_first_sync(ws: Workspace) -> None:
    """The old zone on a real named; dig AXFR; import; build; octodns-sync: every original
    record that does not conflict with Mox is still there, byte for byte."""
    lines = [
        line
        for line in CLOUD.read_text().splitlines()
        if not any(f" IN {t} " in line for t in ("SOA", "NS", "DNSKEY", "RRSIG", "NSEC", "DS"))
        or "lab.example.org." in line
    ]
    named = Named(ws.root / "named", ["example.org"], seed="\n".join(lines) + "\n").start()
    try:
        before = _axfr_set(named)
        dump = named.dig_axfr("example.org")
        (ws.root / "axfr.txt").write_text(dump)
        site_path = site(ws, DECISIONS)
        do_import(site_path, ws.root / "axfr.txt")
        code, text = build(ws, site_path)
        assert code == 0, text
        config = yaml.safe_load((REPO / "config" / "octodns-bind.yaml").read_text())
        config["providers"]["zones"]["directory"] = str(ws.root / "zones")
        (ws.root / "octodns.yaml").write_text(yaml.safe_dump(config))
        command = [
            str(Path(sys.executable).parent / "octodns-sync"),
            "--config-file",
            str(ws.root / "octodns.yaml"),
            "--doit",
        ]
        env = {**os.environ, **named.env}
        # Adoption changes MX, SPF, DMARC and CAA at once: octoDNS's update threshold stops
        # the first sync until the reviewed plan is forced.
        first = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert first.returncode != 0 and "Too many updates" in first.stderr
        assert "unescaped ;" not in first.stderr
        sync = subprocess.run(
            [*command, "--force"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert sync.returncode == 0, sync.stderr
        after = _axfr_set(named)
    finally:
        named.stop()
    conflicting = {
        r
        for r in before
        # the decided conflicts: MX (secondary), CAA (merged: one TTL), mail CNAME, SPF, DMARC
        if (r[0] in ("example.org.", "mail.example.org.") and r[1] in ("MX", "CNAME", "CAA"))
        or r[3].startswith(("v=spf1", "v=DMARC1"))
    }
    lost = (before - conflicting) - after
    assert not lost, sorted(lost)
    assert yaml_records(ws.root / "zones", "example.org.") <= after


def _axfr_set(named: Named) -> set[tuple[str, str, int, str]]:
    import dns.rdatatype

    from conftest import normalise

    out = set()
    for name, ttl, rdata in named.axfr("example.org.").iterate_rdatas():
        rtype = dns.rdatatype.to_text(rdata.rdtype)
        if rtype == "SOA" or (rtype == "NS" and name.to_text() == "example.org."):
            continue
        out.add((name.to_text().lower(), rtype, ttl, normalise(rtype, rdata)))
    return out
