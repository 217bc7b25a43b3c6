"""zonegen check: each rule fires on a broken zone and stays quiet on real Mox output.

The broken zones are the bundled example (a real Mox v0.0.17 run) plus a zone ``lint.example``
of site records, or with one line of Mox's output changed, the way a hand-copied zone breaks.
"""

from __future__ import annotations

import base64
import json
import shutil

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import FIXTURES, REPO, Workspace, run
from test_fixtures_build import VARIANTS, record_files

MOX_SPF = "v=spf1 ip4:203.0.113.25 ip6:2001:db8:25::25 mx ~all"


def _rsa_p(bits: int) -> str:
    if bits < 1024:  # cryptography will not generate these; a public key is enough here
        key = rsa.RSAPublicNumbers(65537, (1 << (bits - 1)) | 0x10001).public_key()
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def lint_site(
    ws: Workspace, records: str = "", *, replace: tuple[str, str] | None = None, extra: str = ""
) -> None:
    shutil.copytree(REPO / "config", ws.root / "config")
    site = ws.root / "config" / "site.yaml"
    if replace:
        mox = ws.root / "config" / "mox" / "dnsrecords-example.org.txt"
        text = mox.read_text()
        assert replace[0] in text
        mox.write_text(text.replace(replace[0], replace[1]))
    body = site.read_text() + extra
    if records:
        body += "  lint.example:\n    records:\n" + "".join(
            f"      {line}\n" for line in records.strip().splitlines()
        )
    site.write_text(body)


def check(ws: Workspace, *args: str) -> tuple[int, dict]:
    result = run("check", "--site", ws.root / "config" / "site.yaml", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def rules(data: dict) -> dict[str, str]:
    return {p["rule"]: p["severity"] for p in data["problems"]}


HOST = "host: {type: A, value: 192.0.2.10}"

CASES = {
    # rule: (site records of lint.example, Mox line replaced, expected severity)
    "spf-syntax": ('news: {type: TXT, value: "v=spf1 ip4:192.0.2.300 -all"}', None, "error"),
    "spf-one-record": (
        'news: {type: TXT, values: ["v=spf1 -all", "v=spf1 mx -all"]}',
        None,
        "error",
    ),
    "spf-too-many-lookups": (
        'news: {type: TXT, value: "v=spf1 include:_a.lint.example include:_b.lint.example -all"}\n'
        '_a: {type: TXT, value: "v=spf1 a:a1.example a:a2.example a:a3.example a:a4.example '
        'a:a5.example -all"}\n'
        '_b: {type: TXT, value: "v=spf1 mx:m1.example mx:m2.example mx:m3.example '
        'include:other.example -all"}',
        None,
        "error",
    ),
    "spf-no-all": ('news: {type: TXT, value: "v=spf1 ip4:192.0.2.1"}', None, "warning"),
    "spf-host-not-allowed": ("", (MOX_SPF, "v=spf1 -all"), "error"),
    "dmarc-syntax": ("", ("v=DMARC1;p=reject;rua", "v=DMARC1;p=rejet;rua"), "error"),
    "dmarc-syntax-version": ("", ("v=DMARC1;p=reject;rua", "v=DMARC;p=reject;rua"), "error"),
    "dmarc-one-record": (
        '_dmarc: {type: TXT, values: ["v=DMARC1;p=none", "v=DMARC1;p=reject"]}',
        None,
        "error",
    ),
    "dmarc-report-uri": (
        '_dmarc: {type: TXT, value: "v=DMARC1;p=none;rua=dmarc@lint.example"}',
        None,
        "error",
    ),
    "dmarc-external-report": (
        '_dmarc: {type: TXT, value: "v=DMARC1;p=none;rua=mailto:d@reports.example"}',
        None,
        "warning",
    ),
    "dkim-one-key-per-selector": (
        f'sel._domainkey: {{type: TXT, values: ["v=DKIM1;p={_rsa_p(2048)}", '
        f'"v=DKIM1;p={_rsa_p(2048)}"]}}',
        None,
        "error",
    ),
    "dkim-key-invalid": (
        'sel._domainkey: {type: TXT, value: "v=DKIM1;k=ed25519;p=AAAA"}',
        None,
        "error",
    ),
    "dkim-rsa-too-short": (
        f'sel._domainkey: {{type: TXT, value: "v=DKIM1;p={_rsa_p(512)}"}}',
        None,
        "error",
    ),
    "dkim-rsa-short": (
        f'sel._domainkey: {{type: TXT, value: "v=DKIM1;p={_rsa_p(1024)}"}}',
        None,
        "warning",
    ),
    "dkim-sha1": (
        f'sel._domainkey: {{type: TXT, value: "v=DKIM1;h=sha1;p={_rsa_p(2048)}"}}',
        None,
        "warning",
    ),
    "dkim-key-revoked": ('sel._domainkey: {type: TXT, value: "v=DKIM1;p="}', None, "warning"),
    "tlsa-pkix-smtp": (
        "_25._tcp.host: {type: TLSA, value: {certificate_usage: 1, selector: 1, "
        "matching_type: 1, certificate_association_data: "
        "710b564e21fb4ebd21d153623afae8f268371dcdf77c243d18ab74794bfff0bb}}",
        None,
        "warning",
    ),
    "dkim-syntax": ('sel._domainkey: {type: TXT, value: "k=rsa;v=DKIM1;p=AAAA"}', None, "error"),
    "tlsa-values": ("", ("TLSA 3 1 1 710b564e", "TLSA 4 1 1 710b564e"), "error"),
    "tlsa-owner": (
        "www: {type: TLSA, value: {certificate_usage: 3, selector: 1, matching_type: 1, "
        "certificate_association_data: "
        "710b564e21fb4ebd21d153623afae8f268371dcdf77c243d18ab74794bfff0bb}}",
        None,
        "error",
    ),
    "mx-target-cname": (
        f"'': {{type: MX, value: {{preference: 10, exchange: alias.lint.example.}}}}\n"
        f"alias: {{type: CNAME, value: host.lint.example.}}\n{HOST}",
        None,
        "error",
    ),
    "srv-target-cname": (
        "_imaps._tcp: {type: SRV, value: {priority: 0, weight: 1, port: 993, "
        "target: alias.lint.example.}}\n"
        f"alias: {{type: CNAME, value: host.lint.example.}}\n{HOST}",
        None,
        "warning",
    ),
    "target-no-address": (
        "'': {type: MX, value: {preference: 10, exchange: nohost.lint.example.}}",
        None,
        "error",
    ),
    "null-mx": (
        "'': {type: MX, values: [{preference: 0, exchange: .}, "
        f"{{preference: 10, exchange: host.lint.example.}}]}}\n{HOST}",
        None,
        "error",
    ),
    "null-srv": (
        "_imap._tcp: {type: SRV, values: [{priority: 0, weight: 0, port: 0, target: .}, "
        f"{{priority: 0, weight: 1, port: 143, target: host.lint.example.}}]}}\n{HOST}",
        None,
        "error",
    ),
    "target-not-absolute": (
        f"'': {{type: MX, value: {{preference: 10, exchange: host.lint.example}}}}\n{HOST}",
        None,
        "error",
    ),
    "cname-coexistence": (
        "both: [{type: CNAME, value: mx.example.org.}, {type: TXT, value: x}]",
        None,
        "error",
    ),
    "cname-chain": (
        f"a: {{type: CNAME, value: b.lint.example.}}\nb: {{type: CNAME, value: "
        f"host.lint.example.}}\n{HOST}",
        None,
        "error",
    ),
    "cname-loop": (
        "x: {type: CNAME, value: y.lint.example.}\ny: {type: CNAME, value: x.lint.example.}",
        None,
        "error",
    ),
    "mta-sts-syntax": ("", ("v=STSv1; id=20261125T083131", "v=STSv1; id=2026-11-25"), "error"),
    "mta-sts-host": ('_mta-sts: {type: TXT, value: "v=STSv1; id=1"}', None, "error"),
    "tlsrpt-syntax": (
        '_smtp._tls: {type: TXT, value: "v=TLSRPTv1; rua=tlsrpt@lint.example"}',
        None,
        "error",
    ),
    "caa-syntax": (
        "",
        ('CAA 0 issue "letsencrypt.org"', 'CAA 0 issue "letsencrypt.org; bad"'),
        "error",
    ),
}


def test_the_example_and_every_rule_pass_clean(ws: Workspace) -> None:
    lint_site(ws)
    code, data = check(ws, "--strict")
    assert code == 0 and data["problems"] == [] and data["ok"] is True


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires(ws: Workspace, rule: str) -> None:
    records, replace, severity = CASES[rule]
    lint_site(ws, records, replace=replace)
    code, data = check(ws)
    found = rules(data)
    rule = rule.removesuffix("-version")  # a second case of the same rule
    assert found.get(rule) == severity, data["problems"]
    problem = next(p for p in data["problems"] if p["rule"] == rule)
    assert problem["fix"] and problem["message"] and problem["origin"]
    assert code == (1 if severity == "error" else 0)
    if severity == "warning":
        assert check(ws, "--strict")[0] == 1


def test_spf_lookups_count_includes_inside_the_zones_and_list_external_ones(ws: Workspace) -> None:
    lint_site(ws, CASES["spf-too-many-lookups"][0])
    _, data = check(ws)
    (problem,) = [p for p in data["problems"] if p["rule"] == "spf-too-many-lookups"]
    # 2 includes + 5 a: + 3 mx: + 1 include, 11 in all; other.example is listed
    assert problem["message"].startswith("11 DNS lookups") and "other.example" in problem["message"]


def test_tlsa_without_dnssec_is_a_warning_that_says_how(ws: Workspace) -> None:
    shutil.copytree(FIXTURES / "v17-ipv4-basic", ws.root / "mox")
    ws.site(
        "mox: {records: [mox/dnsrecords-example.com.txt], config: mox/config, "
        "publish_commented: [TLSA]}\nbind: {ns: [ns1.dns.example.]}\n"
        "zones: {example.com: {}}\n"
    )
    result = run("check", "--site", ws.root / "site.yaml")
    assert result.exit_code == 0
    assert "warning: tlsa-without-dnssec: _25._tcp.mail.example.com. TLSA" in result.stdout
    assert "zonegen verify" in result.stdout and "dnssec: true" in result.stdout
    ws.site(
        "mox: {records: [mox/dnsrecords-example.com.txt], config: mox/config}\n"
        "bind: {ns: [ns1.dns.example.]}\nzones: {example.com: {dnssec: true}}\n"
    )
    result = run("check", "--site", ws.root / "site.yaml", "--strict")
    assert result.exit_code == 0, result.stdout


def test_provider_without_tlsa_names_zonegens_provider(ws: Workspace) -> None:
    lint_site(ws)
    config = ws.root / "config" / "octodns.yaml"
    config.write_text(
        config.read_text().replace(
            "class: zonegen.octodns.GoogleCloudProvider",
            "class: octodns_googlecloud.GoogleCloudProvider",
        )
    )
    code, data = check(ws)
    assert code == 1
    (problem,) = [p for p in data["problems"] if p["rule"] == "provider-unsupported-type"]
    assert problem["type"] == "TLSA"
    assert "zonegen.octodns.GoogleCloudProvider" in problem["fix"]


def test_unknown_provider_is_a_warning(ws: Workspace) -> None:
    lint_site(ws)
    config = ws.root / "config" / "octodns.yaml"
    config.write_text(
        config.read_text().replace(
            "class: zonegen.octodns.GoogleCloudProvider", "class: nowhere.Provider"
        )
    )
    code, data = check(ws)
    assert code == 0 and rules(data) == {"provider-unknown": "warning"}


def test_ttl_bounds(ws: Workspace) -> None:
    lint_site(ws, extra="ttl:\n  max: 299\n")
    code, data = check(ws)
    assert code == 1 and rules(data).get("ttl-bounds") == "error"


def test_octodns_validators_are_run(ws: Workspace) -> None:
    # An MX pointing at an IP address: only octoDNS's strict mx-value-not-ip says so.
    lint_site(ws, replace=("MX 10 mx.example.org.", "MX 10 192.0.2.1."))
    _, data = check(ws)
    assert rules(data).get("octodns-mx-value-not-ip") == "error", data["problems"]


def test_build_refuses_zones_with_errors(ws: Workspace) -> None:
    lint_site(ws, "", replace=("v=DMARC1;p=reject;rua", "v=DMARC1;p=rejet;rua"))
    result = run("build", "--site", ws.root / "config" / "site.yaml", "--out", ws.root / "z")
    assert result.exit_code == 1
    assert "error: dmarc-syntax: _dmarc.example.org. TXT: p=rejet" in result.stderr
    assert not (ws.root / "z").exists()


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_fixture_checks_clean(ws: Workspace, variant: str) -> None:
    zones, _, _ = VARIANTS[variant]
    ws.copy_fixture(variant)
    files = ", ".join(f"mox/{p.name}" for p in record_files(variant))
    signed = variant not in ("v13-ipv4-basic", "v17-ipv4-basic")
    zone_lines = "".join(f"  {z}: {{dnssec: {str(signed).lower()}}}\n" for z in zones)
    ws.site(
        f"mox: {{records: [{files}], config: mox/config}}\n"
        f"bind: {{ns: [ns1.dns.example.]}}\nzones:\n{zone_lines}"
    )
    result = run("check", "--site", ws.root / "site.yaml", "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == "0 errors, 0 warnings"


def test_json_format_is_stable(ws: Workspace) -> None:
    lint_site(ws, CASES["spf-no-all"][0])
    _, data = check(ws)
    assert set(data) == {"ok", "summary", "problems"}
    assert data["summary"] == {"errors": 0, "warnings": 1}
    (problem,) = data["problems"]
    assert set(problem) == {"rule", "severity", "zone", "name", "type", "message", "fix", "origin"}
    assert problem["zone"] == "lint.example." and problem["name"] == "news.lint.example."
    assert problem["origin"].endswith("site.yaml:" + problem["origin"].rsplit(":", 1)[1])


def test_bad_input_is_exit_2(ws: Workspace) -> None:
    ws.site("mox: {records: [nope.txt]}\nzones: {a.example: {}}\n")
    result = run("check", "--site", ws.root / "site.yaml")
    assert result.exit_code == 2 and "not found" in result.stderr
