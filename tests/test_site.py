"""The site file: every key checked, with its line, and relative paths resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonegen.errors import InputError
from zonegen.sources.site import load_site

MINIMAL = """\
mox:
  records: [quickstart.log]
zones:
  example.com: {}
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "config" / "site.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return load_site(path)


def test_minimal_site_and_defaults(tmp_path: Path) -> None:
    site = load(tmp_path, MINIMAL)
    assert site.mox_records == (tmp_path / "config" / "quickstart.log",)
    assert site.mox_config is None
    assert site.ipv4 is None and site.ipv6 is None
    assert site.groups.caa and site.groups.null_srv and site.groups.autodiscover
    (zone,) = site.zones
    assert zone.name == "example.com." and not zone.dnssec and zone.records == ()


def test_full_site(tmp_path: Path) -> None:
    site = load(
        tmp_path,
        """\
mox:
  records: [a.log, ../b.txt]
  config: /srv/mox/config
  publish_commented: [tlsa]
  groups: {caa: false, null_srv: true, autodiscover: false}
  exclude: ["_smtp._tls.mail.example.com TXT", autoconfig.example.com]
host:
  name: mail.example.com
  ipv4: [203.0.113.10]
  ipv6: []
ttl:
  default: 3600
  overrides:
    _imap._tcp.example.com SRV: 604800
    münchen.example: 600
bind:
  ns: [ns1.example.net, ns2.example.net.]
  soa: {rname: hostmaster@example.com, refresh: 600}
zones:
  münchen.example: {}
  xn--bcher-kva.example:
    signed: true
    bind: {ns: [ns.other.example.]}
    records:
      www: {type: A, value: 192.0.2.1}
      '': [{type: TXT, value: "a;b"}]
""",
    )
    assert site.mox_records == (tmp_path / "config" / "a.log", tmp_path / "b.txt")
    assert site.mox_config == Path("/srv/mox/config")
    assert site.publish_commented == {"TLSA"}
    assert not site.groups.caa and not site.groups.autodiscover and site.groups.null_srv
    assert [(e.name, e.rtype) for e in site.exclude] == [
        ("_smtp._tls.mail.example.com.", "TXT"),
        ("autoconfig.example.com.", None),
    ]
    assert site.host_name == "mail.example.com."
    assert site.ipv4 == ("203.0.113.10",) and site.ipv6 == ()
    assert site.ttl_default == 3600
    assert [(o.name, o.rtype, o.ttl) for o in site.ttl_overrides] == [
        ("_imap._tcp.example.com.", "SRV", 604800),
        ("xn--mnchen-3ya.example.", None, 600),
    ]
    z1, z2 = site.zones
    assert z1.name == "xn--mnchen-3ya.example." and z2.name == "xn--bcher-kva.example."
    assert z1.bind.ns == ("ns1.example.net.", "ns2.example.net.")
    assert z1.bind.soa.rname == "hostmaster.example.com." and z1.bind.soa.refresh == 600
    assert z2.bind.ns == ("ns.other.example.",) and z2.bind.soa.refresh == 600
    assert z2.dnssec
    assert [(r.name, r.data) for r in z2.records] == [
        ("www", {"type": "A", "value": "192.0.2.1"}),
        ("", {"type": "TXT", "value": "a;b"}),
    ]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (MINIMAL + "extra: 1\n", 5, "unknown key 'extra' in the site file"),
        (MINIMAL.replace("records:", "record:"), 2, "did you mean 'records'"),
        (MINIMAL + "host:\n  ipv4: [203.0.113.300]\n", 6, "not an IP address"),
        (MINIMAL + "host:\n  ipv4: ['2001:db8::1']\n", 6, "is an IPv6 address"),
        (MINIMAL + "host:\n  ipv6: 5\n", 6, "must be a list"),
        (MINIMAL + "ttl:\n  default: -1\n", 6, "must be a TTL"),
        (MINIMAL + "ttl:\n  default: true\n", 6, "must be a TTL"),
        (MINIMAL + "mox2: {}\n", 5, "did you mean 'mox'"),
        (
            MINIMAL.replace("example.com: {}", "example.com: {dnssec: yes please}"),
            4,
            "true or false",
        ),
        (MINIMAL.replace("example.com: {}", "example.com: [1]"), 4, "must be a mapping"),
        (MINIMAL.replace("example.com: {}", "'exa mple.com': {}"), 4, "zone name"),
        (MINIMAL + "  example.com.: {}\n", 5, "listed twice"),
        (MINIMAL.replace("zones:\n  example.com: {}\n", ""), None, "needs 'zones:'"),
        ("zones: {a.example: {}}\n", 1, "needs a 'mox:' section"),
        ("mox:\n  records: []\nzones: {a.example: {}}\n", 2, "at least one file"),
        ("mox: [1\n", 2, "not valid YAML"),
        ("mox:\n  records: [a]\n  records: [b]\nzones: {a.example: {}}\n", 3, "appears twice"),
        ("- 1\n", 1, "must be a mapping"),
        (MINIMAL + "bind:\n  soa: {serial: 5}\n", 6, "unknown key 'serial' in bind.soa"),
        (MINIMAL + "  b.example:\n    records:\n      www: 5\n", 7, "must be a record mapping"),
    ],
)
def test_bad_site_files(tmp_path: Path, text: str, line: int | None, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        load(tmp_path, text)
    assert fragment in str(info.value)
    assert info.value.path is not None and info.value.path.endswith("site.yaml")
    if line is not None:
        assert info.value.line == line


def test_missing_site_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="site file not found"):
        load_site(tmp_path / "nope.yaml")


def test_signed_is_the_key_and_dnssec_still_works_with_a_note(tmp_path: Path) -> None:
    """`dnssec: true` read as if zonegen would sign the zone: the key is `signed:` now (the
    zone is signed by its provider or server); the old key keeps working, with a note."""
    new = load(tmp_path, MINIMAL.replace("example.com: {}", "example.com: {signed: true}"))
    assert new.zones[0].dnssec and new.notes == ()
    old = load(tmp_path, MINIMAL.replace("example.com: {}", "example.com: {dnssec: true}"))
    assert old.zones[0].dnssec
    (note,) = old.notes
    assert note.endswith(
        "site.yaml:4: zones.example.com.dnssec is deprecated, write signed: true (the zone is "
        "signed by its DNS provider or server; zonegen signs nothing)"
    )
    off = load(tmp_path, MINIMAL.replace("example.com: {}", "example.com: {dnssec: false}"))
    assert not off.zones[0].dnssec and "write signed: false" in off.notes[0]
    with pytest.raises(InputError, match="both signed: and dnssec:") as info:
        load(
            tmp_path,
            MINIMAL.replace("example.com: {}", "example.com: {signed: true, dnssec: true}"),
        )
    assert info.value.line == 4
