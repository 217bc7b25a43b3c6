"""``zonegen build``: the rules of the product, end to end through the CLI."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import FIXTURES, REPO, Workspace, bind_records, run, yaml_records

V17 = "v17-dualstack-dnssec"
SITE = """\
mox:
  records: [mox/dnsrecords-example.org.txt]
  config: mox/config
bind:
  ns: [ns1.dns.example.]
zones:
  example.org: {}
"""


def built(ws: Workspace, site: str = SITE, variant: str = V17) -> None:
    if not (ws.root / "mox").exists():
        ws.copy_fixture(variant)
    ws.site(site)
    result = ws.build()
    assert result.exit_code == 0, result.stderr


def records(ws: Workspace, zone: str = "example.org."):
    return yaml_records(ws.root / "zones", zone)


def error_of(ws: Workspace, *extra: str) -> str:
    result = ws.build(*extra)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zonegen: error: "), result.stderr
    return lines[0]


def problems_of(ws: Workspace) -> str:
    """A build that the error-level checks refuse: exit 1, every problem on stderr, no files."""
    result = ws.build()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr
    assert "nothing written" in result.stderr
    assert not (ws.root / "zones").exists() or not any((ws.root / "zones").rglob("*.*"))
    return result.stderr


# ---------------------------------------------------------------------------- the host's IPs


def test_ip_change_moves_a_aaaa_and_spf_and_nothing_else(ws: Workspace) -> None:
    built(ws)
    before = records(ws)
    built(ws, SITE + "host:\n  ipv4: [192.0.2.99]\n")
    after = records(ws)
    assert sorted(before - after) == [
        ("example.org.", "TXT", 300, "v=spf1 ip4:203.0.113.25 ip6:2001:db8:25::25 mx ~all"),
        ("mx.example.org.", "A", 300, "203.0.113.25"),
    ]
    assert sorted(after - before) == [
        ("example.org.", "TXT", 300, "v=spf1 ip4:192.0.2.99 ip6:2001:db8:25::25 mx ~all"),
        ("mx.example.org.", "A", 300, "192.0.2.99"),
    ]


def test_site_ips_replace_both_families_when_both_are_given(ws: Workspace) -> None:
    built(ws, SITE + "host:\n  ipv4: [192.0.2.1, 192.0.2.2]\n  ipv6: []\n")
    got = records(ws)
    assert ("example.org.", "TXT", 300, "v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 mx ~all") in got
    assert {r for r in got if r[0] == "mx.example.org." and r[1] in ("A", "AAAA")} == {
        ("mx.example.org.", "A", 300, "192.0.2.1"),
        ("mx.example.org.", "A", 300, "192.0.2.2"),
    }


def test_no_ip_at_all_says_to_set_host_ipv4(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    ws.site(SITE.replace("  config: mox/config\n", ""))
    assert "set host.ipv4" in error_of(ws)


def test_v010_style_spf_without_ips_is_left_alone(ws: Workspace) -> None:
    (ws.root / "mox").mkdir()
    (ws.root / "mox" / "r.txt").write_text(
        '$TTL 300\nexample.com. MX 10 mail.example.com.\nexample.com. TXT "v=spf1 mx ~all"\n'
    )
    ws.site(
        "mox: {records: [mox/r.txt]}\nhost: {ipv4: [192.0.2.5]}\n"
        "bind: {ns: [ns1.dns.example.]}\nzones: {example.com: {}}\n"
    )
    assert ws.build().exit_code == 0
    assert records(ws, "example.com.") == {
        ("example.com.", "MX", 300, "10 mail.example.com."),
        ("example.com.", "TXT", 300, "v=spf1 mx ~all"),
        ("mail.example.com.", "A", 300, "192.0.2.5"),
    }


# ---------------------------------------------------------------------------- zones


def test_record_outside_every_zone_is_an_error_naming_it(ws: Workspace) -> None:
    ws.copy_fixture("v17-hostname-other-domain")
    ws.site(
        SITE.replace("example.org", "example.com").replace(
            "dnsrecords-example.com.txt", "dnsrecords-example.com.txt"
        )
    )
    message = problems_of(ws)
    assert "error: out-of-zone: " in message and "outside every zone" in message
    assert "mx1.mailhost.example.net. A, mx1.mailhost.example.net. AAAA" in message
    assert "zones:" in message and "mox.exclude" in message


def test_longest_suffix_wins_and_exclude_is_explicit(ws: Workspace) -> None:
    ws.copy_fixture("v17-hostname-other-domain")
    ws.site(
        "mox: {records: [mox/dnsrecords-example.com.txt, mox/quickstart.log], config: mox/config}\n"
        "bind: {ns: [ns1.dns.example.]}\n"
        "zones:\n  example.com: {}\n  example.net: {}\n  mailhost.example.net: {}\n"
    )
    assert ws.build().exit_code == 0
    assert records(ws, "example.net.") == set()
    host_zone = records(ws, "mailhost.example.net.")
    assert {r[0] for r in host_zone} == {
        "mx1.mailhost.example.net.",
        "_smtp._tls.mx1.mailhost.example.net.",
        "_25._tcp.mx1.mailhost.example.net.",
    }
    # The same records, managed elsewhere: left out on purpose, never silently.
    ws.site(
        "mox:\n  records: [mox/dnsrecords-example.com.txt]\n  config: mox/config\n"
        "  exclude: [mx1.mailhost.example.net, _smtp._tls.mx1.mailhost.example.net TXT,"
        " _25._tcp.mx1.mailhost.example.net]\n"
        "bind: {ns: [ns1.dns.example.]}\nzones: {example.com: {}}\n"
    )
    result = ws.build()
    assert result.exit_code == 0, result.stderr
    assert all("mailhost" not in r[0] for r in records(ws, "example.com."))


def test_unicode_and_a_label_zone_names_are_the_same_zone(ws: Workspace) -> None:
    (ws.root / "mox").mkdir()
    (ws.root / "mox" / "r.txt").write_text(
        "$TTL 300\nxn--mnchen-3ya.example. MX 10 mail.xn--mnchen-3ya.example.\n"
    )
    for zone in ("münchen.example", "xn--mnchen-3ya.example"):
        ws.site(
            f"mox: {{records: [mox/r.txt]}}\nhost: {{ipv4: [192.0.2.5]}}\n"
            f"bind: {{ns: [ns1.dns.example.]}}\nzones: {{{zone}: {{}}}}\n"
        )
        result = ws.build()
        assert result.exit_code == 0, result.stderr
        # octoDNS's YamlProvider writes and finds the zone under its Unicode name.
        assert (ws.root / "zones" / "münchen.example.yaml").is_file()
        assert (ws.root / "zones" / "bind" / "xn--mnchen-3ya.example.zone").is_file()
        assert ("mail.xn--mnchen-3ya.example.", "A", 300, "192.0.2.5") in records(
            ws, "xn--mnchen-3ya.example."
        )


def test_classless_reverse_zone_is_a_folder_octodns_and_named_read(ws: Workspace) -> None:
    """RFC 2317: a '/' in a zone name. octoDNS's YamlProvider reads the zone from a folder
    named by the part before it; the BIND file sits the same way and named loads it."""
    from bindcheck import checkzone

    (ws.root / "mox").mkdir()
    (ws.root / "mox" / "r.txt").write_text("$TTL 300\nexample.com. MX 10 mail.example.com.\n")
    zone = "0/25.100.51.198.in-addr.arpa"
    ws.site(
        "mox: {records: [mox/r.txt]}\nhost: {ipv4: [198.51.100.10]}\n"
        "bind: {ns: [ns1.dns.example.], soa: {rname: hostmaster@example.com}}\n"
        f"zones:\n  example.com: {{}}\n  {zone}:\n"
        "    records: {'10': {type: PTR, ttl: 300, value: mail.example.com.}}\n"
    )
    result = ws.build()
    assert result.exit_code == 0, result.stderr
    assert (ws.root / "zones" / "0" / "25.100.51.198.in-addr.arpa.yaml").is_file()
    bind = ws.root / "zones" / "bind" / "0" / "25.100.51.198.in-addr.arpa.zone"
    expected = {(f"10.{zone}.", "PTR", 300, "mail.example.com.")}
    assert records(ws, f"{zone}.") == expected
    assert bind_records(bind, f"{zone}.") == expected
    checked = checkzone(f"{zone}.", bind)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# ---------------------------------------------------------------------------- site switches


def test_groups_can_be_turned_off(ws: Workspace) -> None:
    built(ws)
    everything = records(ws)
    built(
        ws,
        SITE.replace(
            "  config: mox/config\n",
            "  config: mox/config\n  groups: {caa: false, null_srv: false, autodiscover: false}\n",
        ),
    )
    gone = everything - records(ws)
    assert {(r[0], r[1]) for r in gone} == {
        ("example.org.", "CAA"),
        ("_imap._tcp.example.org.", "SRV"),
        ("_submission._tcp.example.org.", "SRV"),
        ("_pop3._tcp.example.org.", "SRV"),
        ("_pop3s._tcp.example.org.", "SRV"),
        ("autoconfig.example.org.", "CNAME"),
        ("_autodiscover._tcp.example.org.", "SRV"),
    }


def test_ttl_default_and_overrides(ws: Workspace) -> None:
    built(
        ws,
        SITE + "ttl:\n  default: 3600\n  overrides:\n    _imap._tcp.example.org SRV: 604800\n"
        "    mx.example.org: 600\n",
    )
    got = {(r[0], r[1]): r[2] for r in records(ws)}
    assert got[("_imap._tcp.example.org.", "SRV")] == 604800
    assert got[("mx.example.org.", "A")] == got[("mx.example.org.", "TXT")] == 600
    assert got[("example.org.", "MX")] == 3600
    assert got[("_dmarc.example.org.", "TXT")] == 3600


def test_site_records_are_added_and_validated_by_octodns(ws: Workspace) -> None:
    extra = SITE.replace(
        "  example.org: {}",
        """\
  example.org:
    records:
      www: [{type: A, value: 192.0.2.80}, {type: AAAA, value: '2001:db8::80'}]
      _github-challenge: {type: TXT, ttl: 60, value: "a;b;c"}
""",
    )
    built(ws, extra)
    got = records(ws)
    assert ("www.example.org.", "A", 3600, "192.0.2.80") in got
    assert ("_github-challenge.example.org.", "TXT", 60, "a;b;c") in got
    assert ("www.example.org.", "A", 3600, "192.0.2.80") in bind_records(
        ws.root / "zones" / "bind" / "example.org.zone", "example.org."
    )
    ws.site(extra.replace("value: 192.0.2.80", "value: 192.0.2.800"))
    message = error_of(ws)
    assert "site.yaml:" in message and "192.0.2.800" in message


def test_site_record_clashing_with_mox_is_refused(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    ws.site(
        SITE.replace(
            "  example.org: {}",
            "  example.org:\n    records:\n      _dmarc: {type: TXT, value: v=DMARC1;p=none}",
        )
    )
    message = error_of(ws)
    assert "_dmarc.example.org. TXT" in message and "dnsrecords-example.org.txt" in message


def test_bad_site_record_type(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    ws.site(
        SITE.replace(
            "  example.org: {}", "  example.org:\n    records:\n      x: {type: BOGUS, value: 1}"
        )
    )
    message = error_of(ws)
    assert "site.yaml:9" in message and "BOGUS" in message


# ---------------------------------------------------------------------------- key cross-checks


def test_swapped_dkim_key_is_caught(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    dkim = ws.root / "mox" / "config" / "dkim"
    a, b = sorted(dkim.iterdir())
    tmp = a.with_suffix(".tmp")
    a.rename(tmp), b.rename(a), tmp.rename(b)
    ws.site(SITE)
    message = problems_of(ws)
    assert "error: dkim-key-mismatch: 2026a._domainkey.example.org. TXT: p= is not" in message
    assert "dnsrecords-example.org.txt:36]" in message and a.name in message


def test_foreign_host_key_is_caught(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    keys = ws.root / "mox" / "config" / "hostkeys"
    (ecdsa,) = keys.glob("*ecdsap256*")
    shutil.copy(
        next((FIXTURES / "v17-ipv4-basic" / "config" / "hostkeys").glob("*ecdsap256*")), ecdsa
    )
    ws.site(SITE)
    message = problems_of(ws)
    assert "error: tlsa-host-key-mismatch: _25._tcp.mx.example.org. TLSA: 710b564e21fb4ebd" in (
        message
    )
    assert "no host key" in message and "dnsrecords-example.org.txt:14]" in message


def test_config_dir_without_mox_conf(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    (ws.root / "mox" / "config" / "mox.conf").unlink()
    ws.site(SITE)
    assert "no mox.conf" in error_of(ws)


def test_broken_sconf_names_file_and_line(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    conf = ws.root / "mox" / "config" / "mox.conf"
    conf.write_text(conf.read_text().replace("\tpublic:", "    public:"))
    ws.site(SITE)
    message = error_of(ws)
    assert re.search(r"mox\.conf:\d+: indented with spaces", message)


# ---------------------------------------------------------------------------- files


def test_output_is_deterministic_and_independent_of_input_order(
    ws: Workspace, tmp_path_factory
) -> None:
    variant = "v17-multidomain"
    files = sorted(p.name for p in (FIXTURES / variant).glob("dnsrecords-*.txt"))
    zones = "\n".join(
        f"  {z}: {{}}" for z in ("example.com", "example.org", "example.net", "disabled.example")
    )
    outputs = []
    for order in (files, list(reversed(files)), [*files[2:], "quickstart.log", *files[:2]]):
        w = Workspace(tmp_path_factory.mktemp("det"))
        w.copy_fixture(variant)
        w.site(
            f"mox:\n  records: [{', '.join('mox/' + f for f in order)}]\n  config: mox/config\n"
            f"bind: {{ns: [ns1.dns.example.]}}\nzones:\n{zones}\n"
        )
        result = w.build()
        assert result.exit_code == 0, result.stderr
        outputs.append(w.files())
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0]) == 8


def test_check_mode_writes_nothing_and_reports(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    ws.site(SITE)
    result = ws.build("--check")
    assert result.exit_code == 1 and "would be created" in result.stdout
    assert not (ws.root / "zones").exists()
    assert ws.build().exit_code == 0
    ok = ws.build("--check")
    assert ok.exit_code == 0 and "current" in ok.stdout
    yaml_file = ws.root / "zones" / "example.org.yaml"
    yaml_file.write_text(yaml_file.read_text() + "# hand edit\n")
    stale = ws.build("--check")
    assert stale.exit_code == 1 and "would be changed: " in stale.stdout
    assert yaml_file.read_text().endswith("# hand edit\n")


def test_unchanged_files_are_not_rewritten(ws: Workspace) -> None:
    built(ws)
    paths = sorted((ws.root / "zones").rglob("*.*"))
    stats = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in paths}
    result = ws.build()
    assert result.exit_code == 0 and "0 files written, 2 unchanged" in result.stdout
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in paths} == stats
    assert not [p for p in (ws.root / "zones").rglob("*") if p.name.endswith(".tmp")]


def test_failed_build_leaves_every_old_file(ws: Workspace) -> None:
    built(ws)
    before = ws.files()
    (ws.root / "mox" / "dnsrecords-example.org.txt").write_text("$TTL 300\nexample.org. MX 10\n")
    ws.site(SITE + "host:\n  ipv4: [192.0.2.1]\n")  # would change every zone file
    assert "dnsrecords-example.org.txt:2" in error_of(ws)
    assert ws.files() == before


def test_serial_moves_only_when_the_zone_changes(ws: Workspace) -> None:
    built(ws)
    zone_file = ws.root / "zones" / "bind" / "example.org.zone"
    assert " IN SOA ns1.dns.example. hostmaster 1 7200 " in zone_file.read_text()
    built(ws)
    assert " IN SOA ns1.dns.example. hostmaster 1 7200 " in zone_file.read_text()
    built(ws, SITE + "host:\n  ipv4: [192.0.2.1]\n")
    assert " IN SOA ns1.dns.example. hostmaster 2 7200 " in zone_file.read_text()


def test_without_name_servers_the_bind_file_says_so(ws: Workspace) -> None:
    ws.copy_fixture(V17)
    ws.site(SITE.replace("bind:\n  ns: [ns1.dns.example.]\n", ""))
    result = ws.build()
    assert result.exit_code == 0, result.stderr
    assert "NS is the placeholder ns.invalid.; set bind.ns" in result.stderr
    text = (ws.root / "zones" / "bind" / "example.org.zone").read_text()
    assert "@ 3600 IN NS ns.invalid." in text
    assert "NS" not in {r[1] for r in records(ws)}  # nothing of it reaches octoDNS


def test_missing_record_file_and_missing_site(ws: Workspace) -> None:
    ws.site(SITE)
    assert "dnsrecords-example.org.txt: Mox output not found" in error_of(ws)
    result = run("build", "--site", ws.root / "nope.yaml")
    assert result.exit_code == 2 and "site file not found" in result.stderr
    # Outside a DNS repo: the message says how to start one.
    assert "zonegen init DIR --quickstart quickstart.log" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# ---------------------------------------------------------------------------- secrets


@pytest.mark.parametrize(
    "variant",
    [
        "v13-ipv4-basic",
        "v15-dualstack-dnssec",
        "v17-dualstack-dnssec",
        "v17-existing-webserver",
        "v17-hostname-other-domain",
        "v17-ipv4-basic",
        "v17-multidomain",
    ],
)
def test_nothing_but_records_leaves_the_quickstart_log(ws: Workspace, variant: str) -> None:
    ws.copy_fixture(variant)
    log = (ws.root / "mox" / "quickstart.log").read_text()
    zones = {
        "v17-hostname-other-domain": ["example.com", "example.net"],
        "v17-multidomain": ["example.com"],
    }.get(variant)
    zone = zones or [("example.org" if "example.org." in log else "example.com")]
    ws.site(
        "mox: {records: [mox/quickstart.log], config: mox/config}\n"
        "bind: {ns: [ns1.dns.example.]}\nzones:\n" + "".join(f"  {z}: {{}}\n" for z in zone)
    )
    result = ws.build()
    assert result.exit_code == 0, result.stderr
    produced = "\n".join(
        [result.stdout, result.stderr, *(p.read_text() for p in (ws.root / "zones").rglob("*.*"))]
    )
    secrets = re.findall(r"password(?: for \S+)?: (\S+)$", log, flags=re.MULTILINE)
    assert len(secrets) == 2
    for secret in secrets:
        assert secret not in produced
    # No prose line of the log (outside the record block) shows up either.
    block_start = log.index("$TTL")
    for line in log[:block_start].splitlines():
        if len(line.strip()) > 12:
            assert line.strip() not in produced


# ---------------------------------------------------------------------------- the repository


def test_committed_zones_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """zones/ in the repository is what config/site.yaml builds (zonegen build --check)."""
    monkeypatch.chdir(REPO)
    result = run("build", "--check")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_domains_without_records_are_noted(ws: Workspace) -> None:
    ws.copy_fixture("v17-multidomain")
    ws.site(
        "mox: {records: [mox/dnsrecords-example.com.txt], config: mox/config}\n"
        "bind: {ns: [ns1.dns.example.]}\nzones: {example.com: {}}\n"
    )
    result = ws.build()
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "configured in Mox" in line]
    assert len(notes) == 3
    assert "mox config dnsrecords example.net" in result.stderr


# Every record type octoDNS knows, as a site record written the octoDNS way: the build writes
# it or refuses it with one line, never a traceback (a URI once crashed the target lookup:
# its target is a byte string, not a name).
SITE_RECORDS_OF_EVERY_TYPE = {
    "A": ("www", "{type: A, value: 192.0.2.80}"),
    "AAAA": ("www", "{type: AAAA, value: '2001:db8::80'}"),
    "ALIAS": ("", "{type: ALIAS, value: www.example.net.}"),
    "CAA": ("", "{type: CAA, value: {flags: 0, tag: iodef, value: 'mailto:x@example.org'}}"),
    "CNAME": ("www", "{type: CNAME, value: web.example.net.}"),
    "DNAME": ("old", "{type: DNAME, value: example.net.}"),
    "DS": (
        "sub",
        "{type: DS, value: {key_tag: 60485, algorithm: 5, digest_type: 1, "
        "digest: 2BB183AF5F22588179A53B0A98631FAD1A292118}}",
    ),
    "HTTPS": ("www", "{type: HTTPS, value: {svcpriority: 1, targetname: ., svcparams: {}}}"),
    "LOC": (
        "www",
        "{type: LOC, value: {lat_degrees: 52, lat_minutes: 22, lat_seconds: 23.0, "
        "lat_direction: N, long_degrees: 4, long_minutes: 53, long_seconds: 32.0, "
        "long_direction: E, altitude: -2.0, size: 1.0, precision_horz: 10000.0, "
        "precision_vert: 10.0}}",
    ),
    "MX": ("lists", "{type: MX, value: {preference: 10, exchange: mx.example.net.}}"),
    "NAPTR": (
        "sip",
        "{type: NAPTR, value: {order: 100, preference: 10, flags: S, service: 'SIP+D2U', "
        "regexp: '', replacement: _sip._udp.example.org.}}",
    ),
    "NS": ("sub", "{type: NS, value: ns1.example.net.}"),
    "OPENPGPKEY": ("abc._openpgpkey", "{type: OPENPGPKEY, value: 'mQINBFitYc8BEADJ'}"),
    "PTR": ("ptr", "{type: PTR, value: www.example.net.}"),
    "SPF": ("legacy", "{type: SPF, value: 'v=spf1 -all'}"),
    "SRV": (
        "_xmpp._tcp",
        "{type: SRV, value: {priority: 5, weight: 0, port: 5222, target: xmpp.example.net.}}",
    ),
    "SSHFP": (
        "www",
        "{type: SSHFP, value: {algorithm: 4, fingerprint_type: 2, "
        "fingerprint: 123456789abcdef67890123456789abcdef67890123456789abcdef123456789}}",
    ),
    "SVCB": (
        "_dns.www",
        "{type: SVCB, value: {svcpriority: 1, targetname: www.example.net., "
        "svcparams: {alpn: [dot]}}}",
    ),
    "TLSA": (
        "_443._tcp.www",
        "{type: TLSA, value: {certificate_usage: 3, selector: 1, "
        "matching_type: 1, certificate_association_data: "
        "'8a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b'}}",
    ),
    "TXT": ("note", "{type: TXT, value: 'hello; world'}"),
    "URI": (
        "_sip._tcp",
        "{type: URI, value: {priority: 10, weight: 1, target: 'https://x.example/'}}",
    ),
    "URLFWD": (
        "fwd",
        "{type: URLFWD, value: {path: /, target: 'https://x.example/', "
        "code: 301, masking: 2, query: 0}}",
    ),
}


@pytest.mark.parametrize("rtype", sorted(SITE_RECORDS_OF_EVERY_TYPE))
def test_every_octodns_type_as_a_site_record_builds_or_is_refused_cleanly(
    ws: Workspace, rtype: str
) -> None:
    name, value = SITE_RECORDS_OF_EVERY_TYPE[rtype]
    ws.copy_fixture(V17)
    ws.site(
        SITE.replace("  example.org: {}", f"  example.org:\n    records:\n      '{name}': {value}")
    )
    result = ws.build()
    assert "Traceback" not in result.stderr + result.output
    if result.exit_code == 0:
        owner = f"{name}.example.org." if name else "example.org."
        assert any(r[0] == owner and r[1] == rtype for r in records(ws)), rtype
    else:
        assert result.exit_code in (1, 2), result.output
        assert result.stderr.startswith("zonegen: "), result.stderr
