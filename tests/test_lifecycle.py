"""Living with it: IP changes, TTL promotion, DKIM and DANE rollover."""

from __future__ import annotations

import datetime
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import REPO, Workspace, run, yaml_records
from moxlike import MoxSetup
from zonegen.checks import run_checks
from zonegen.pipeline import build
from zonegen.sources import read_inputs


def example(ws: Workspace) -> Path:
    shutil.copytree(REPO / "config", ws.root / "config")
    return ws.root / "config" / "site.yaml"


def built(ws: Workspace, site: Path) -> set[tuple[str, str, int, str]]:
    result = run("build", "--site", site, "--out", ws.root / "zones")
    assert result.exit_code == 0, result.stderr
    return yaml_records(ws.root / "zones", "example.org.")


# ---------------------------------------------------------------------------- ip


def test_ip_set_then_build_changes_exactly_a_and_spf(ws: Workspace) -> None:
    site = example(ws)
    before_text = site.read_text()
    before = built(ws, site)
    result = run("ip", "set", "192.0.2.77", "--site", site)
    assert result.exit_code == 0, result.stderr
    assert "-  ipv4: [203.0.113.25]" in result.stdout and "+  ipv4: [192.0.2.77]" in result.stdout
    after_text = site.read_text()
    changed = [
        (a, b)
        for a, b in zip(before_text.splitlines(), after_text.splitlines(), strict=True)
        if a != b
    ]
    assert len(changed) == 1 and "ipv4: [192.0.2.77]" in changed[0][1]
    assert "# default: mox.conf (NATIPs, else public listener IPs)" in changed[0][1]
    after = built(ws, site)
    assert sorted(before - after) == [
        ("example.org.", "TXT", 300, "v=spf1 ip4:203.0.113.25 ip6:2001:db8:25::25 mx ~all"),
        ("mx.example.org.", "A", 300, "203.0.113.25"),
    ]
    assert sorted(after - before) == [
        ("example.org.", "TXT", 300, "v=spf1 ip4:192.0.2.77 ip6:2001:db8:25::25 mx ~all"),
        ("mx.example.org.", "A", 300, "192.0.2.77"),
    ]


def test_ip_set_names_the_next_commands_of_a_dns_repo(ws: Workspace) -> None:
    """The repository `zonegen init` writes has no Makefile: the next step names the octoDNS
    command itself (it said `make sync`, which only zonegen's own folder has)."""
    site = example(ws)
    result = run("ip", "set", "192.0.2.77", "--site", site)
    assert result.exit_code == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("next: ")]
    assert line == (
        "next: zonegen build, review git diff zones/, then the plan and the sync: "
        "octodns-sync --config-file config/octodns.yaml [--doit]"
    )
    assert "make" not in line


def test_ip_set_dry_run_and_ipv6(ws: Workspace) -> None:
    site = example(ws)
    text = site.read_text()
    result = run("ip", "set", "2001:db8::99", "--site", site, "--dry-run")
    assert result.exit_code == 0 and "+  ipv6: [2001:db8::99]" in result.stdout
    assert site.read_text() == text
    assert run("ip", "set", "not-an-ip", "--site", site).exit_code == 2
    assert run("ip", "set", "127.0.0.1", "--site", site).exit_code == 2


def test_ip_set_rewrites_mox_conf_after_a_backup(ws: Workspace) -> None:
    site = example(ws)
    conf = ws.root / "config" / "mox" / "config" / "mox.conf"
    original = conf.read_text()
    result = run("ip", "set", "192.0.2.77", "--site", site, "--mox-config", conf.parent)
    assert result.exit_code == 0, result.stderr
    assert "restart Mox" in result.stdout
    (saved,) = conf.parent.glob("mox.conf.*.bak")
    assert saved.read_text() == original
    old_lines, new_lines = original.split("\n"), conf.read_text().split("\n")
    assert len(old_lines) == len(new_lines)
    assert [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b] == [
        ("\t\t\t- 203.0.113.25", "\t\t\t- 192.0.2.77")
    ]


def test_ip_set_behind_nat_rewrites_natips(ws: Workspace) -> None:
    setup = MoxSetup("example.org", "mail.example.org", ips=["192.0.2.2"], natips=["203.0.113.77"])
    setup.write_config(ws.root / "config")
    conf = ws.root / "config" / "mox.conf"
    before = conf.read_text()
    ws.site("mox: {records: [r.txt]}\nzones: {example.org: {}}\n")
    result = run(
        "ip",
        "set",
        "203.0.113.78",
        "--site",
        ws.root / "site.yaml",
        "--mox-config",
        ws.root / "config",
    )
    assert result.exit_code == 0, result.stderr
    after = conf.read_text()
    assert "\t\t\t- 192.0.2.2" in after and "\t\t\t- 203.0.113.78" in after
    assert before.replace("203.0.113.77", "203.0.113.78") == after


def test_ip_show_says_where_they_disagree(ws: Workspace) -> None:
    site = example(ws)
    built(ws, site)
    show = run("ip", "show", "--site", site, "--out", ws.root / "zones")
    assert show.exit_code == 0, show.stdout
    assert "listener public IPs: 203.0.113.25, 2001:db8:25::25" in show.stdout
    # the SPF's host terms, as the build follows them (mail.spf.host_addresses)
    assert "example.org. SPF: 203.0.113.25, 2001:db8:25::25" in show.stdout
    run("ip", "set", "192.0.2.77", "--site", site)
    show = run("ip", "show", "--site", site, "--out", ws.root / "zones")
    assert show.exit_code == 1
    assert "disagrees: " in show.stdout and "listener public IPs has 203.0.113.25" in show.stdout
    assert "mx.example.org. A/AAAA has 203.0.113.25, 2001:db8:25::25" in show.stdout
    assert "example.org. SPF lacks 192.0.2.77" in show.stdout


@pytest.fixture
def echo() -> Iterator[tuple[str, list[str]]]:
    """A local IP-echo service: answers with whatever ``answer[0]`` holds."""
    answer = ["203.0.113.25\n"]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = answer[0].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", answer
    finally:
        server.shutdown()
        server.server_close()


def test_ip_check(ws: Workspace, echo: tuple[str, list[str]]) -> None:
    url, answer = echo
    site = example(ws)
    same = run("ip", "check", "--site", site, "--url", url)
    assert same.exit_code == 0 and "is the site's" in same.stdout
    answer[0] = "198.51.100.200"
    moved = run("ip", "check", "--site", site, "--url", url)
    assert moved.exit_code == 1
    assert "now 198.51.100.200, the site says 203.0.113.25: run zonegen ip set 198.51.100.200" in (
        moved.stdout
    )
    answer[0] = "<html>rate limited</html>"
    assert run("ip", "check", "--site", site, "--url", url).exit_code == 2
    dead = url.rsplit(":", 1)[0] + ":1/"
    result = run("ip", "check", "--site", site, "--url", dead, "--timeout", "2")
    assert result.exit_code == 2 and "cannot tell" in result.stderr


# ---------------------------------------------------------------------------- ttl


def test_ttl_promote_and_lower(ws: Workspace) -> None:
    site = example(ws)
    built(ws, site)
    dry = run("ttl", "promote", "--site", site, "--dry-run")
    assert dry.exit_code == 0 and "(dry run" in dry.stdout
    assert "example.org. MX: 300 -> 3600" in dry.stdout
    assert "ttl:" not in site.read_text()
    assert run("ttl", "promote", "--site", site).exit_code == 0
    text = site.read_text()
    assert (
        "  default: 3600" in text and "kinds: {dkim: 86400, tlsa: 86400, null_srv: 604800}" in text
    )
    ttls = {(n, t): ttl for n, t, ttl, _ in built(ws, site)}
    assert ttls[("example.org.", "MX")] == 3600
    assert ttls[("2026a._domainkey.example.org.", "TXT")] == 86400
    assert ttls[("_25._tcp.mx.example.org.", "TLSA")] == 86400
    assert ttls[("_imap._tcp.example.org.", "SRV")] == 604800
    assert ttls[("www.example.org.", "A")] == 3600  # the site's own record: its own TTL
    lower = run("ttl", "lower", "--site", site)
    assert lower.exit_code == 0 and "_imap._tcp.example.org. SRV: 604800 -> 300" in lower.stdout
    assert "kinds" not in site.read_text()
    assert all(
        ttl == 300
        for (n, t), ttl in {(n, t): ttl for n, t, ttl, _ in built(ws, site)}.items()
        if n != "www.example.org."
    )


# ---------------------------------------------------------------------------- rollover


def test_every_configured_dkim_selector_is_published(ws: Workspace) -> None:
    site = example(ws)
    records = ws.root / "config" / "mox" / "dnsrecords-example.org.txt"
    text = records.read_text()
    start = text.index("2026b._domainkey.example.org.")
    end = text.index("\t)\n", start) + 3
    records.write_text(text[:start] + text[end:])  # printed before 2026b was configured
    got = built(ws, site)
    (dkim,) = [r for r in got if r[0] == "2026b._domainkey.example.org."]
    assert dkim[3].startswith("v=DKIM1;h=sha256;p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArDFQ")


def test_dkim_selector_removed_from_mox_stays_until_its_date(ws: Workspace) -> None:
    site = example(ws)
    before = built(ws, site)
    # The admin removes selector 2026b from domains.conf, and Mox stops printing it.
    records = ws.root / "config" / "mox" / "dnsrecords-example.org.txt"
    text = records.read_text()
    start = text.index("2026b._domainkey.example.org.")
    records.write_text(text[:start] + text[text.index("\t)\n", start) + 3 :])
    domains = ws.root / "config" / "mox" / "config" / "domains.conf"
    lines = domains.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "2026b:")
    depth = len(lines[at]) - len(lines[at].lstrip("\t"))
    end = at + 1
    while end < len(lines) and (
        not lines[end].strip()
        or lines[end].lstrip("\t").startswith("#")
        or len(lines[end]) - len(lines[end].lstrip("\t")) > depth
    ):
        end += 1
    del lines[at:end]  # the selector's block in sconf: deeper lines and comments
    domains.write_text("\n".join(lines))
    retire = run("retire", "--site", site, "--out", ws.root / "zones", "--days", "10")
    assert retire.exit_code == 0, retire.stderr
    until = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    assert f"retire 2026b._domainkey.example.org. TXT until {until}" in retire.stdout
    assert "retired:\n  - {name: 2026b._domainkey.example.org, type: TXT" in site.read_text()
    after = built(ws, site)
    assert after == before  # still published
    assert run("retire", "--site", site, "--out", ws.root / "zones").stdout.startswith("nothing")
    # After the date: no longer built, and check says to clean up.
    inputs = read_inputs(site)
    later = build(replace(inputs, today=inputs.today + datetime.timedelta(days=11)))
    names = {r.name for z in later.zones for r in z.records}
    assert "2026b._domainkey.example.org." not in names
    problems = run_checks(later)
    assert [(p.rule, p.severity, p.name) for p in problems] == [
        ("retired-expired", "warning", "2026b._domainkey.example.org.")
    ]


def test_dane_rollover_publishes_old_and_new_tlsa(ws: Workspace) -> None:
    setup = MoxSetup("example.com", "mail.example.com", dnssec=True)
    mox = ws.root / "mox"
    setup.write_config(mox / "config")
    (mox / "r.txt").write_text(setup.records())
    ws.site(
        "mox: {records: [mox/r.txt], config: mox/config}\nbind: {ns: [ns1.dns.example.]}\n"
        "zones: {example.com: {signed: true}}\n"
    )
    assert ws.build().exit_code == 0
    old = {r[3] for r in yaml_records(ws.root / "zones", "example.com.") if r[1] == "TLSA"}
    # A new RSA host key replaces the old one: Mox prints the new TLSA only.
    from cryptography.hazmat.primitives.asymmetric import rsa

    shutil.rmtree(mox / "config")
    setup.host_keys[0] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    setup.write_config(mox / "config")
    (mox / "r.txt").write_text(setup.records())
    retire = run("retire", "--site", ws.root / "site.yaml", "--out", ws.root / "zones")
    assert retire.exit_code == 0 and "retire _25._tcp.mail.example.com. TLSA" in retire.stdout
    assert ws.build().exit_code == 0
    now = {r[3] for r in yaml_records(ws.root / "zones", "example.com.") if r[1] == "TLSA"}
    assert len(old) == 2 and len(now) == 3 and old < now
