"""One zone in every export format zonegen import reads: each gives the same kept file.

The texts follow what the tools print: ``gcloud dns record-sets export`` (YAML documents of
``dns#resourceRecordSet``, and ``--zone-file-format``), ``gcloud dns record-sets list
--format=json``, the Cloud DNS API's list response, ``dig AXFR`` and ``kdig`` output (with
the transfer's TSIG line), ``octodns-dump`` (``\\;`` escaped) and a plain-``;`` octoDNS zone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import run

MOX = """\
; Mox's MX alone, written by hand (without Mox's header: not its whole output).
; Once your setup is working, you may want to increase the TTL.
$TTL 300

example.org.                    MX 10 mail.example.org.
"""
DKIM = "v=DKIM1; k=rsa; p=" + "A" * 300
# (name, type, ttl, rrdatas) as Cloud DNS has them.
RRSETS = [
    (
        "example.org.",
        "SOA",
        21600,
        ["ns-cloud-a1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"],
    ),
    (
        "example.org.",
        "NS",
        21600,
        ["ns-cloud-a1.googledomains.com.", "ns-cloud-a2.googledomains.com."],
    ),
    ("example.org.", "A", 300, ["192.0.2.80"]),
    (
        "example.org.",
        "TXT",
        300,
        ['"v=spf1 include:_spf.example.net ~all"', '"site-verification=abc"'],
    ),
    ("example.org.", "CAA", 3600, ['0 issue "pki.goog"']),
    ("google._domainkey.example.org.", "TXT", 3600, [f'"{DKIM[:255]}" "{DKIM[255:]}"']),
    ("_25._tcp.mail.example.org.", "TLSA", 3600, ["3 1 1 " + "ab" * 32]),
    ("_sip._tcp.example.org.", "SRV", 600, ["10 5 5060 sip.example.net."]),
    ("www.example.org.", "CNAME", 300, ["example.org."]),
]


def _zone_lines() -> list[str]:
    return [f"{n} {ttl} IN {t} {v}" for n, t, ttl, vs in RRSETS for v in vs]


def _gcloud_sets() -> list[dict[str, object]]:
    return [
        {"kind": "dns#resourceRecordSet", "name": n, "rrdatas": vs, "ttl": ttl, "type": t}
        for n, t, ttl, vs in RRSETS
    ]


def _octodns(escaped: bool) -> str:
    semi = "\\;" if escaped else ";"
    data = {
        "": [
            {"type": "A", "ttl": 300, "value": "192.0.2.80"},
            {"type": "CAA", "value": {"flags": 0, "tag": "issue", "value": "pki.goog"}},
            {
                "type": "NS",
                "ttl": 21600,
                "values": ["ns-cloud-a1.googledomains.com.", "ns-cloud-a2.googledomains.com."],
            },
            {
                "type": "TXT",
                "ttl": 300,
                "values": ["site-verification=abc", "v=spf1 include:_spf.example.net ~all"],
            },
        ],
        "_25._tcp.mail": {
            "type": "TLSA",
            "value": {
                "certificate_usage": 3,
                "selector": 1,
                "matching_type": 1,
                "certificate_association_data": "ab" * 32,
            },
        },
        "_sip._tcp": {
            "type": "SRV",
            "ttl": 600,
            "value": {"priority": 10, "weight": 5, "port": 5060, "target": "sip.example.net."},
        },
        "google._domainkey": {"type": "TXT", "value": DKIM.replace(";", semi)},
        "www": {"type": "CNAME", "ttl": 300, "value": "example.org."},
    }
    return "---\n" + yaml.safe_dump(data, sort_keys=True)


def _dig(kdig: bool) -> str:
    head = (
        ";; AXFR for example.org.\n"
        if kdig
        else "\n; <<>> DiG 9.18.49 <<>> @192.0.2.53 -y hmac-sha256:octodns:<secret> "
        "example.org AXFR\n"
        "; (1 server found)\n;; global options: +cmd\n"
    )
    lines = _zone_lines()
    soa = lines[0]
    tsig = "octodns.\t\t0\tANY\tTSIG\thmac-sha256. 1700000000 300 32 abcd 1 NOERROR 0"
    return (
        head
        + "\n".join([*lines, soa, tsig])
        + "\n;; Query time: 1 msec\n;; XFR size: 14 records (messages 1, bytes 1234)\n"
    )


EXPORTS = {
    "cloud.zone": lambda: "\n".join(_zone_lines()) + "\n",
    "cloud.yaml": lambda: "".join(
        "---\n" + yaml.safe_dump(s, sort_keys=True) for s in _gcloud_sets()
    ),
    "list.json": lambda: json.dumps(_gcloud_sets(), indent=2),
    "listed.yaml": lambda: (
        "# A .YAML file is used to export DNS records\n---\n"
        + yaml.safe_dump(_gcloud_sets(), sort_keys=True)
    ),
    "api.json": lambda: json.dumps(
        {"kind": "dns#resourceRecordSetsListResponse", "rrsets": _gcloud_sets()}
    ),
    "axfr.txt": lambda: _dig(kdig=False),
    "kdig.txt": lambda: _dig(kdig=True),
    "dump.yaml": lambda: _octodns(escaped=True),
    "plain.yaml": lambda: _octodns(escaped=False),
}
FORMATS = {
    "cloud.zone": "a zone file",
    "cloud.yaml": "a Cloud DNS export (YAML)",
    "list.json": "a Cloud DNS record-set list (JSON)",
    "listed.yaml": "a Cloud DNS export (YAML)",
    "api.json": "a Cloud DNS record-set list (JSON)",
    "axfr.txt": "dig AXFR output",
    "kdig.txt": "dig AXFR output",
    "dump.yaml": "octoDNS YAML",
    "plain.yaml": "octoDNS YAML",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "mox.txt").write_text(MOX)
    path = tmp_path / "site.yaml"
    path.write_text(
        "mox:\n  records: [mox.txt]\nhost:\n  ipv4: [192.0.2.1]\n"
        "bind:\n  ns: [ns-cloud-a1.googledomains.com., ns-cloud-a2.googledomains.com.]\n"
        "zones:\n  example.org: {}\n"
    )
    return path


def _import(site: Path, name: str, *extra: str) -> tuple[str, str]:
    export = site.parent / name
    export.write_text(EXPORTS[name]())
    result = run("import", export, "--zone", "example.org", "--site", site, *extra)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout, (site.parent / "kept" / "example.org.yaml").read_text()


def test_every_format_gives_the_same_kept_file(site: Path) -> None:
    texts = {}
    for name in EXPORTS:
        out, kept = _import(site, name)
        assert f"from {FORMATS[name]}" in out, (name, out)
        texts[name] = kept
    reference = texts["cloud.zone"]
    for name, text in texts.items():
        assert text == reference, name
    for needle in (
        "192.0.2.80",
        "pki.goog",
        "_25._tcp.mail:",
        "sip.example.net.",
        "site-verification=abc",
    ):
        assert needle in reference
    # the DKIM value is one text with plain ';', as zonegen writes it (escaped_semicolons false)
    assert yaml.safe_load(reference)["google._domainkey"]["value"] == DKIM


def test_format_option_overrides_detection(site: Path) -> None:
    export = site.parent / "cloud.yaml"
    export.write_text(EXPORTS["cloud.yaml"]())
    result = run("import", export, "--zone", "example.org", "--site", site, "--format", "zone")
    assert result.exit_code == 2 and "not a zone file zonegen can read" in result.stderr
    result = run(
        "import", export, "--zone", "example.org", "--site", site, "--format", "gcloud-yaml"
    )
    assert result.exit_code == 0, result.stderr


def test_cloud_dns_routing_policies_and_signatures(site: Path) -> None:
    sets = _gcloud_sets()
    sets[2]["signatureRrdatas"] = ["A 8 2 300 20261218110640 20261118110640 1 example.org. abcd"]
    sets.append(
        {
            "kind": "dns#resourceRecordSet",
            "name": "geo.example.org.",
            "type": "A",
            "ttl": 300,
            "routingPolicy": {
                "geo": {"items": [{"location": "us-east1", "rrdatas": ["192.0.2.1"]}]}
            },
        }
    )
    export = site.parent / "list.json"
    export.write_text(json.dumps(sets))
    result = run("import", export, "--zone", "example.org", "--site", site)
    assert result.exit_code == 1
    assert "geo.example.org A: a Cloud DNS routing policy" in result.stdout
    assert "note: left out 1 DNSSEC records (1 RRSIG)" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("; <<>> DiG 9.18 <<>> example.org AXFR\n; Transfer failed.\n", "dig did not get the zone"),
        (
            "; <<>> DiG 9.18 <<>> example.org AXFR\n"
            ";; communications error to 192.0.2.53#53: connection refused\n",
            "dig did not get the zone",
        ),
        (None, "not a complete zone transfer"),  # cut short: no closing SOA
    ],
)
def test_failed_transfers_are_not_empty_zones(site: Path, text: str | None, message: str) -> None:
    export = site.parent / "axfr.txt"
    export.write_text(
        text
        if text is not None
        else _dig(kdig=False).split(";; Query time")[0].rsplit("\n", 3)[0] + "\n"
    )
    result = run("import", export, "--zone", "example.org", "--site", site)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (site.parent / "kept").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "record set 1 is not a mapping"),
        (
            '[{"name": "a.example.org.", "type": "A", "ttl": 300, "rrdatas": ["x"]}]',
            "'x' is not A data",
        ),
        (
            '[{"name": "a.example.org.", "type": "A", "ttl": "300", "rrdatas": ["192.0.2.1"]}]',
            "ttl must be",
        ),
        ('{"a": 1, "a": 2}', "appears twice"),
        ("[" * 100000, "nests too deeply"),
    ],
)
def test_bad_cloud_dns_json(site: Path, text: str, message: str) -> None:
    export = site.parent / "list.json"
    export.write_text(text)
    result = run(
        "import", export, "--zone", "example.org", "--site", site, "--format", "gcloud-json"
    )
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("zonegen: error:") == 1
