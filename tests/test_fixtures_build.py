"""Every real Mox run in tests/fixtures/mox, built, then read back by octoDNS and dnspython.

Done-when of the build issue: the records in the YAML (as octoDNS's YamlProvider loads it)
and in the BIND files (as dnspython loads them) are exactly the active records Mox printed
plus the mail host's A/AAAA: names, types, TTLs and values.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bindcheck import checkzone
from conftest import FIXTURES, RR, Workspace, bind_records, oracle, run, yaml_records

# variant -> (zones, host name, host IPs from mox.conf)
VARIANTS: dict[str, tuple[list[str], str, list[str]]] = {
    "v13-ipv4-basic": (["example.com"], "mail.example.com.", ["198.51.100.10"]),
    "v15-dualstack-dnssec": (
        ["example.org"],
        "mx.example.org.",
        ["203.0.113.25", "2001:db8:25::25"],
    ),
    "v17-dualstack-dnssec": (
        ["example.org"],
        "mx.example.org.",
        ["203.0.113.25", "2001:db8:25::25"],
    ),
    "v17-existing-webserver": (
        ["example.org"],
        "mail.example.org.",
        ["2001:db8:30::30", "203.0.113.30"],
    ),
    "v17-hostname-other-domain": (
        ["example.com", "example.net"],
        "mx1.mailhost.example.net.",
        ["2001:db8:40::40", "198.51.100.40"],
    ),
    "v17-ipv4-basic": (["example.com"], "mail.example.com.", ["198.51.100.10"]),
    "v17-multidomain": (
        ["example.com", "example.org", "example.net", "disabled.example"],
        "mail.example.com.",
        ["2001:db8:110::110", "198.51.100.110"],
    ),
}


def record_files(variant: str) -> list[Path]:
    d = FIXTURES / variant
    return sorted([d / "quickstart.log", *d.glob("dnsrecords-*.txt")])


def named_checkzone() -> str:
    found = shutil.which("named-checkzone") or shutil.which("named-checkzone", path="/usr/sbin")
    assert found, "named-checkzone is missing: `make test` installs bind9-utils"
    return found


def site_text(variant: str, zones: list[str], *, config: bool = True) -> str:
    files = ", ".join(f"mox/{p.name}" for p in record_files(variant))
    zone_lines = "\n".join(f"  {z}: {{}}" for z in zones)
    cfg = "  config: mox/config\n" if config else ""
    return (
        f"mox:\n  records: [{files}]\n{cfg}"
        "bind:\n  ns: [ns1.dns.example., ns2.dns.example.]\n"
        f"zones:\n{zone_lines}\n"
    )


def host_rrs(host: str, ips: list[str]) -> set[RR]:
    return {(host, "AAAA" if ":" in ip else "A", 300, ip) for ip in ips}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_fixture_builds_exactly_what_mox_printed(ws: Workspace, variant: str) -> None:
    zones, host, ips = VARIANTS[variant]
    ws.copy_fixture(variant)
    ws.site(site_text(variant, zones))
    result = ws.build()
    assert result.exit_code == 0, result.stderr

    expected = oracle(record_files(variant)) | host_rrs(host, ips)
    from_yaml: set[RR] = set()
    from_bind: set[RR] = set()
    for zone in zones:
        from_yaml |= yaml_records(ws.root / "zones", zone + ".")
        from_bind |= bind_records(ws.root / "zones" / "bind" / f"{zone}.zone", zone + ".")
    assert from_yaml == expected, (sorted(from_yaml - expected), sorted(expected - from_yaml))
    assert from_bind == expected, (sorted(from_bind - expected), sorted(expected - from_bind))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_fixture_bind_files_pass_named_checkzone(ws: Workspace, variant: str) -> None:
    zones, _, _ = VARIANTS[variant]
    ws.copy_fixture(variant)
    ws.site(site_text(variant, zones))
    assert ws.build().exit_code == 0
    for zone in zones:
        # bindcheck.STRICT: -i local (in-zone integrity only: never the network), and what
        # named only warns about where zonegen's rules are errors.
        proc = checkzone(zone, ws.root / "zones" / "bind" / f"{zone}.zone")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.rstrip().endswith("OK")


def test_without_config_the_host_comes_from_the_mx_and_ips_from_the_site(ws: Workspace) -> None:
    variant = "v17-dualstack-dnssec"
    ws.copy_fixture(variant)
    ws.site(
        site_text(variant, ["example.org"], config=False)
        + "host:\n  ipv4: [203.0.113.25]\n  ipv6: ['2001:db8:25::25']\n"
    )
    result = ws.build()
    assert result.exit_code == 0, result.stderr
    expected = oracle(record_files(variant)) | host_rrs(
        "mx.example.org.", ["203.0.113.25", "2001:db8:25::25"]
    )
    assert yaml_records(ws.root / "zones", "example.org.") == expected


def test_disabled_tlsa_is_published_once_the_zone_is_signed(ws: Workspace) -> None:
    variant = "v17-ipv4-basic"
    ws.copy_fixture(variant)
    base = site_text(variant, ["example.com"])
    ws.site(base)
    assert ws.build().exit_code == 0
    before = yaml_records(ws.root / "zones", "example.com.")
    assert not any(rr[1] == "TLSA" for rr in before)

    ws.site(base.replace("  example.com: {}", "  example.com: {signed: true}"))
    result = ws.build()
    assert result.exit_code == 0, result.stderr
    tlsa = {rr for rr in yaml_records(ws.root / "zones", "example.com.") if rr[1] == "TLSA"}
    commented = [
        line.split()
        for line in (FIXTURES / variant / "dnsrecords-example.com.txt").read_text().splitlines()
        if line.startswith(";; _25._tcp.")
    ]
    assert len(commented) == 2
    assert tlsa == {(c[1], "TLSA", 300, " ".join(c[3:])) for c in commented}


def test_the_old_dnssec_key_builds_the_same_with_a_note_on_stderr(ws: Workspace) -> None:
    """Every command that reads the site file says the key is deprecated, on stderr; the
    zones are the same as with `signed: true`."""
    variant = "v17-ipv4-basic"
    ws.copy_fixture(variant)
    base = site_text(variant, ["example.com"])
    ws.site(base.replace("  example.com: {}", "  example.com: {signed: true}"))
    assert ws.build("--no-cache").exit_code == 0
    signed = ws.files()
    ws.site(base.replace("  example.com: {}", "  example.com: {dnssec: true}"))
    note = (
        f"zonegen: note: {ws.root / 'site.yaml'}:7: zones.example.com.dnssec is deprecated, "
        "write signed: true"
    )
    result = ws.build("--no-cache")
    assert result.exit_code == 0 and note in result.stderr and note not in result.stdout
    assert ws.files() == signed
    assert note in ws.build().stderr  # a cache hit says it too
    check = run("check", "--site", ws.root / "site.yaml")
    assert note in check.stderr and "tlsa-without-dnssec" not in check.stdout
