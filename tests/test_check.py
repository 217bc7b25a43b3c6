"""zonegen check: each rule fires on a broken zone and stays quiet on real Mox output.

The broken zones are the bundled example (a real Mox v0.0.17 run) plus a zone ``lint.example``
of site records, or with one line of Mox's output changed, the way a hand-copied zone breaks.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import shutil

import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import FIXTURES, REPO, Workspace, parse_rdata, run
from test_fixtures_build import VARIANTS, record_files
from zonegen.checks import RULES, rule_of, run_checks
from zonegen.checks.issues import FIXES, RENAMED
from zonegen.checks.issues import rule as issue_rule
from zonegen.model import SITE, Origin, Record
from zonegen.pipeline import build as pipeline_build
from zonegen.sources import read_inputs

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
RSA2048 = _rsa_p(2048)


def _txt(name: str, *values: str) -> str:
    return f"{name}: {{type: TXT, values: {json.dumps(list(values))}}}"


NEW_CASES = {
    "spf-version": (_txt("news", "v=spf1mx -all"), None, "error"),
    "spf-bad-name": (_txt("news", "v=spf1 a:mail.example...com -all"), None, "error"),
    "spf-lookups-unknown": (
        _txt(
            "news", "v=spf1 a mx " + " ".join(f"include:s{i}.example" for i in range(6)) + " -all"
        ),
        None,
        "warning",
    ),
    "spf-include-loop": (
        _txt("news", "v=spf1 include:_a.lint.example -all")
        + "\n"
        + _txt("_a", "v=spf1 include:_b.lint.example")
        + "\n"
        + _txt("_b", "v=spf1 redirect=_a.lint.example"),
        None,
        "error",
    ),
    "spf-include-none": (
        _txt("news", "v=spf1 include:_x.lint.example -all") + "\n" + _txt("_x", "hello"),
        None,
        "error",
    ),
    "spf-void-lookups": (
        _txt("news", "v=spf1 a:n1.lint.example mx:n2.lint.example a:n3.lint.example -all"),
        None,
        "error",
    ),
    "spf-mx-limit": (
        _txt("news", "v=spf1 mx:many.lint.example -all")
        + "\nmany: {type: MX, values: ["
        + ", ".join(f"{{preference: {i}, exchange: host.lint.example.}}" for i in range(11))
        + f"]}}\n{HOST}",
        None,
        "error",
    ),
    "spf-after-all": (_txt("news", "v=spf1 -all mx"), None, "warning"),
    "spf-ptr": (_txt("news", "v=spf1 ptr -all"), None, "warning"),
    "spf-record-size": (
        _txt("news", "v=spf1 " + " ".join(f"ip4:192.0.2.{i}" for i in range(40)) + " -all"),
        None,
        "warning",
    ),
    "dmarc-report-scheme": (
        _txt("_dmarc", "v=DMARC1; p=none; rua=https://lint.example/dmarc"),
        None,
        "warning",
    ),
    "dmarc-no-policy": (_txt("_dmarc", "v=DMARC1; rua=mailto:d@lint.example"), None, "warning"),
    "dmarc-tag-order": (_txt("_dmarc", "v=DMARC1; sp=none; p=reject"), None, "warning"),
    "dmarc-report-size": (
        _txt("_dmarc", "v=DMARC1; p=none; rua=mailto:d@lint.example!18446744073709551616"),
        None,
        "warning",
    ),
    "dmarc-unknown-tag": (_txt("_dmarc", "v=DMARC1; p=none; adkm=s"), None, "warning"),
    "dmarc-subdomain-sp": (_txt("_dmarc.sub", "v=DMARC1; p=none; sp=reject"), None, "warning"),
    "dkim-syntax-strict": (_txt("sel._domainkey", f"v=DKIM1; p={RSA2048}; "), None, "warning"),
    "dkim-rsa-too-long": (_txt("sel._domainkey", f"v=DKIM1; p={_rsa_p(8192)}"), None, "warning"),
    "dkim-service": (_txt("sel._domainkey", f"v=DKIM1; s=web; p={RSA2048}"), None, "error"),
    "dkim-testing": (_txt("sel._domainkey", f"v=DKIM1; t=y; p={RSA2048}"), None, "warning"),
    "tlsa-data": (
        "_25._tcp.host: {type: TLSA, value: {certificate_usage: 3, selector: 1, "
        "matching_type: 0, certificate_association_data: 300302}}",
        None,
        "error",
    ),
    "tlsa-private": ("", ("TLSA 3 1 1 710b564e", "TLSA 255 1 1 710b564e"), "warning"),
    "ns-target-cname": (
        f"sub: {{type: NS, value: alias.lint.example.}}\nalias: {{type: CNAME, "
        f"value: host.lint.example.}}\n{HOST}",
        None,
        "error",
    ),
    # Site records go through octoDNS's validators first (root CNAME: exit 2); Mox's do not.
    "cname-at-apex": ("", ("mail.example.org.  ", "example.org.  "), "error"),
    "mta-sts-one-record": (
        _txt("_mta-sts", "v=STSv1; id=1", "v=STSv1; id=2")
        + "\nmta-sts: {type: CNAME, value: mx.example.org.}",
        None,
        "error",
    ),
    "tlsrpt-one-record": (
        _txt(
            "_smtp._tls",
            "v=TLSRPTv1; rua=mailto:a@lint.example",
            "v=TLSRPTv1; rua=mailto:b@lint.example",
        ),
        None,
        "error",
    ),
    "caa-critical-unknown": (
        "'': {type: CAA, value: {flags: 128, tag: future, value: x}}",
        None,
        "error",
    ),
    "caa-unknown-tag": (
        "'': {type: CAA, value: {flags: 0, tag: future, value: x}}",
        None,
        "warning",
    ),
    "rdata-too-long": (_txt("big", "a" * 70000), None, "error"),
    "rrset-too-big": (_txt("big", "a" * 40000, "b" * 40000), None, "error"),
}

# Valid records next to each rule: the rule (and every other error rule) stays quiet.
NEAR_MISSES = {
    "spf-syntax": _txt(
        "news",
        "v=spf1 a:host.lint.example//33 a:host.lint.example/24//64 mx:example.org//0 "
        "a:foo:bar/baz.example.org ip6:::1.1.1.1/0 -all",
    )
    + f"\n{HOST}",
    "spf-syntax-macros": _txt("news", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d2} ?all moo=x"),
    "spf-too-many-lookups": _txt("news", "v=spf1 " + "a:host.lint.example " * 10 + "-all")
    + f"\n{HOST}",
    "spf-void-lookups": _txt("news", "v=spf1 a:n1.lint.example a:n2.lint.example -all"),
    "dmarc-syntax": _txt(
        "_dmarc", "V = DMARC1 ; p = ReJect ; rua=mailto:d@lint.example!10M; pct=0"
    ),
    "dmarc-unknown-tag": _txt("_dmarc", "v=DMARC1; p=none; np=reject; psd=n; t=y"),
    "dmarc-report-size": _txt(
        "_dmarc", "v=DMARC1; p=none; rua=mailto:d@lint.example!18446744073709551615k"
    ),
    "dkim-syntax": _txt(
        "sel._domainkey", f"v = DKIM1 ; h=sha1:SHA256 ; s=email:tlsrpt ; p={RSA2048};"
    ),
    "dkim-key-invalid": _txt("_adsp._domainkey", "dkim=all"),
    "cname-coexistence": "a: {type: CNAME, value: lint-target.example.org.}",
    "caa-syntax": "'': {type: CAA, values: [{flags: 0, tag: issue, value: 'ca.example; a=1'}, "
    "{flags: 0, tag: issue, value: ';'}, {flags: 0, tag: iodef, value: 'mailto:s@lint.example'}]}",
    "rdata-too-long": _txt("big", "a" * 60000),
    # Names in a zone delegated from lint.example (NS at sub): their data is the child
    # zone's, not missing (named-checkzone takes a delegated MX target as fine); verify
    # checks them live. Before, both were errors and build refused a valid zone.
    "target-no-address": "sub: {type: NS, value: ns1.lint-dns.test.}\n"
    "'': {type: MX, value: {preference: 10, exchange: mail.sub.lint.example.}}\n"
    "_imap._tcp: {type: SRV, value: {priority: 0, weight: 1, port: 143, "
    "target: imap.sub.lint.example.}}",
    "spf-include-none": "sub: {type: NS, value: ns1.lint-dns.test.}\n"
    + _txt("news", "v=spf1 include:_spf.sub.lint.example -all"),
}

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
        "error",
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
        "warning",
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
    **NEW_CASES,
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
    if rule != "spf-version":
        rule = rule.removesuffix("-version")  # a second case of the same rule
    assert found.get(rule) == severity, data["problems"]
    problem = next(p for p in data["problems"] if p["rule"] == rule)
    assert problem["fix"] and problem["message"] and problem["origin"]
    assert all(rule_of(p["rule"]) for p in data["problems"]), data["problems"]
    assert code == (1 if "error" in found.values() else 0)
    if severity == "warning":
        assert check(ws, "--strict")[0] == 1


@pytest.mark.parametrize("rule", sorted(NEAR_MISSES))
def test_rule_stays_quiet_on_valid_records(ws: Workspace, rule: str) -> None:
    lint_site(ws, NEAR_MISSES[rule])
    code, data = check(ws)
    assert code == 0, data["problems"]
    assert rule.removesuffix("-macros") not in rules(data)


# Rules whose positive case lives in another test file.
ELSEWHERE = {
    "out-of-zone": "test_build.py",
    "import-conflict": "test_import.py",
    "dkim-key-mismatch": "test_build.py",
    "tlsa-host-key-mismatch": "test_build.py",
    "retired-expired": "test_lifecycle.py",
    "provider-unsupported-type": "test_provider_without_tlsa_names_zonegens_provider",
    "provider-unknown": "test_unknown_provider_is_a_warning",
    "provider-ttl": "test_check_providers.py",
    "provider-value": "test_check_providers.py",
    "provider-dnssec": "test_check_providers.py",
    "ttl-bounds": "test_ttl_bounds",
    "host-ip-private": "test_private_host_ip_is_a_warning",
    "sync-zone-unlisted": "test_check_providers.py",
    "sync-zone-missing": "test_check_providers.py",
    "octodns-*": "test_octodns_validators_are_run",
    "tlsa-without-dnssec": "test_tlsa_without_dnssec_is_a_warning_that_says_how",
    "name-too-long": "test_rules_on_records_no_reader_makes",
    "txt-string-too-long": "test_rules_on_records_no_reader_makes",
    "spf-rrtype": "test_rules_on_records_no_reader_makes",
    "ns-no-address": "test_named_agreement.py",
    "ns-glue-missing": "test_named_agreement.py",
    "glue-mismatch": "test_named_agreement.py",
    "glue-unused": "test_named_agreement.py",
    "check-names": "test_named_agreement.py",
}


def test_every_registered_rule_has_a_case() -> None:
    ids = {r.id for r in RULES}
    assert len(ids) == len(RULES)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9*]+)*", i) for i in ids)
    assert all(r.doc and r.rfc and r.severity in ("error", "warning") for r in RULES)
    covered = {c.removesuffix("-version") if c != "spf-version" else c for c in CASES}
    assert ids - covered - set(ELSEWHERE) == set()
    assert covered - ids == set()
    for rule, (_, _, severity) in CASES.items():
        entry = rule_of(rule if rule == "spf-version" else rule.removesuffix("-version"))
        assert entry is not None and entry.severity == severity, rule


def test_every_mail_library_issue_names_a_registered_rule() -> None:
    """checks/issues.py names the rule of each issue code the mail libraries report: every
    name is in the registry (so the README documents it), and every renaming is used."""
    for library, code in FIXES:
        rule_id, fix = issue_rule(library, code)
        assert rule_of(rule_id) is not None and fix, (library, code)
    assert set(RENAMED) <= set(FIXES)


def test_rules_on_records_no_reader_makes(ws: Workspace) -> None:
    """dnspython refuses long labels and strings while reading, and no reader makes SPF
    (type 99) records; the rules still guard the model, tried on records made around it."""
    lint_site(ws)
    built = pipeline_build(read_inputs(ws.root / "config" / "site.yaml"))
    zone = built.zones[0]
    long_name = "x" * 64 + "." + zone.name
    txt = dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, [b"ok"])
    object.__setattr__(txt, "strings", (b"y" * 256,))
    extra = (
        Record(long_name, "A", 300, zone.records[0].rdata, Origin("x.yaml", 1), SITE),
        Record("t." + zone.name, "TXT", 300, txt, Origin("x.yaml", 2), SITE),
        Record(
            "s." + zone.name, "SPF", 300, parse_rdata("SPF", '"v=spf1 -all"'), Origin("x"), SITE
        ),
    )
    built = dataclasses.replace(
        built, zones=(dataclasses.replace(zone, records=zone.records + extra), *built.zones[1:])
    )
    found = {(p.rule, p.severity, p.name) for p in run_checks(built, with_octodns=False)}
    assert ("name-too-long", "error", long_name) in found
    assert ("txt-string-too-long", "error", "t." + zone.name) in found
    assert ("spf-rrtype", "error", "s." + zone.name) in found


def test_a_huge_txt_no_longer_builds(ws: Workspace) -> None:
    """A TXT of 10,000 strings built with exit 0 and the BIND file failed named-checkzone."""
    lint_site(ws, _txt("big", "a" * 2_550_000))
    result = run("build", "--site", ws.root / "config" / "site.yaml", "--out", ws.root / "z")
    assert result.exit_code == 1
    assert "error: rdata-too-long: big.lint.example. TXT" in result.stderr
    assert not (ws.root / "z").exists()


KEPT_MX = "legacy:\n  type: MX\n  value: {preference: 10, exchange: nohost.example.org.}\n"


def test_problems_with_kept_records_are_warnings_that_do_not_block_build(ws: Workspace) -> None:
    lint_site(ws)
    kept = ws.root / "config" / "kept" / "example.org.yaml"
    kept.parent.mkdir()
    kept.write_text(KEPT_MX)
    code, data = check(ws)
    (problem,) = data["problems"]
    assert (problem["rule"], problem["severity"], code) == ("target-no-address", "warning", 0)
    assert "kept from an imported zone" in problem["message"] and "legacy" in problem["name"]
    code, data = check(ws, "--strict")
    assert code == 1 and rules(data) == {"target-no-address": "error"}
    result = run("build", "--site", ws.root / "config" / "site.yaml", "--out", ws.root / "z")
    assert result.exit_code == 0, result.stderr
    assert "nohost.example.org." in (ws.root / "z" / "example.org.yaml").read_text()


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
    assert "zonegen verify" in result.stdout and "signed: true" in result.stdout
    ws.site(
        "mox: {records: [mox/dnsrecords-example.com.txt], config: mox/config}\n"
        "bind: {ns: [ns1.dns.example.]}\nzones: {example.com: {signed: true}}\n"
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


@pytest.mark.parametrize(
    ("v4", "v6", "flagged"),
    [
        ("10.1.2.3", "2001:db8:25::25", {"10.1.2.3"}),
        ("100.64.0.7", "fd00::25", {"100.64.0.7", "fd00::25"}),
        ("203.0.113.25", "fe80::1", {"fe80::1"}),
        ("172.32.0.1", "2001:db8:25::25", set()),  # just past 172.16.0.0/12: public
        ("203.0.113.25", "2001:db8:25::25", set()),  # documentation ranges stay quiet
    ],
)
def test_private_host_ip_is_a_warning(ws: Workspace, v4: str, v6: str, flagged: set[str]) -> None:
    lint_site(ws, replace=None)
    site = ws.root / "config" / "site.yaml"
    text = site.read_text()
    text = text.replace("ipv4: [203.0.113.25]", f"ipv4: [{v4}]")
    text = text.replace("ipv6: [2001:db8:25::25]", f"ipv6: [{v6}]")
    site.write_text(text)
    code, data = check(ws)
    assert code == 0, data["problems"]  # a warning: the build goes on
    found = [p for p in data["problems"] if p["rule"] == "host-ip-private"]
    assert {p["message"].split()[4] for p in found} == flagged, found
    assert all(p["severity"] == "warning" and p["name"] == "mx.example.org." for p in found)
    if flagged:
        assert check(ws, "--strict")[0] == 1


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
    zone_lines = "".join(f"  {z}: {{signed: {str(signed).lower()}}}\n" for z in zones)
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


def test_problems_that_tie_print_in_one_order_whatever_the_hash_seed(ws: Workspace) -> None:
    """Problems are collected in a set; two of one rule at one name (reports sent to three
    other domains here) once came out in an order that followed Python's per-process string
    hashing. The order is part of the output a machine reads: the same in every process."""
    import os
    import subprocess
    import sys

    dmarc = "v=DMARC1; p=none; rua=mailto:a@one.example, mailto:b@two.example"
    lint_site(ws, _txt("_dmarc", dmarc + "; ruf=mailto:c@three.example"))
    site = ws.root / "config" / "site.yaml"
    outputs = []
    for seed in ("1", "2", "3", "4"):
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from zonegen.cli import run; run()",
                "check",
                "--site",
                str(site),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        outputs.append(done.stdout)
    problems = json.loads(outputs[0])["problems"]
    keys = [(p["zone"], p["name"], p["type"], p["rule"]) for p in problems]
    assert len(keys) > len(set(keys)), "the case must have problems that tie on the old key"
    assert outputs[1:] == outputs[:1] * 3
