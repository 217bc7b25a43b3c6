"""The importer's parts one at a time, for the branches the end-to-end tests seldom reach."""

from __future__ import annotations

from pathlib import Path

import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import pytest

from zonegen import roundtrip
from zonegen.errors import InputError
from zonegen.importer import import_zone
from zonegen.model import Origin, Record
from zonegen.sources import read_inputs
from zonegen.sources.exports import parse_export, syntax
from zonegen.sources.site import Bind, Soa
from zonegen.sources.zonefile import KEPT

MOX = """\
; Mox's MX alone, written by hand (without Mox's header: not its whole output).
$TTL 300

zonegen-mox.zz.                    MX 10 mail.zonegen-mox.zz.
"""
HEAD = "$ORIGIN example.org.\n$TTL 300\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "mox.txt").write_text(MOX)
    path = tmp_path / "site.yaml"
    path.write_text(
        "mox:\n  records: [mox.txt]\nhost:\n  ipv4: [192.0.2.1]\n"
        "zones:\n  zonegen-mox.zz: {}\n  example.org: {}\n"
    )
    return path


def imported(site: Path, text: str, name: str = "old.zone") -> list[str]:
    export = site.parent / name
    export.write_text(text)
    result = import_zone(read_inputs(site), export, "example.org")
    return [r.as_text() for r in result.refused]


def test_a_ttl_dns_reads_as_zero_is_refused(site: Path) -> None:
    (line,) = imported(site, HEAD + "big 2147483648 A 192.0.2.1\nok 2147483647 A 192.0.2.2\n")
    assert "big.example.org A: TTL 2147483648 is above 2147483647" in line


def test_a_record_longer_than_the_wire_allows_is_refused(site: Path) -> None:
    strings = " ".join(['"' + "x" * 250 + '"'] * 270)  # 270 * 251 octets > 65535
    (line,) = imported(site, HEAD + f"huge TXT {strings}\n")
    assert "huge.example.org TXT: longer than the 65535 octets a record can hold" in line


def test_two_dnames_at_one_name_are_refused(site: Path) -> None:
    lines = imported(site, HEAD + "d DNAME a.example.net.\nd DNAME b.example.net.\n")
    assert any("more than one DNAME at one name" in line for line in lines)


def test_roundtrip_names_what_comes_back_different() -> None:
    """A record zonegen cannot write exactly (here: TXT strings not in 255-octet chunks,
    which import's octoDNS judgement would have refused first) is named with what the
    read-back gave."""
    txt = dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, [b"a", b"b"])
    record = Record("t.example.org.", "TXT", 300, txt, Origin("x", 1), KEPT)
    text, wrong = roundtrip.check(
        "example.org.", [record], Bind(("ns.example.org.",), Soa(None, None))
    )
    assert text.startswith(roundtrip.HEADER)
    assert wrong == {
        ("t.example.org.", "TXT"): "zonegen cannot write it exactly (octoDNS reads it back "
        'from the YAML as TTL 300, "ab")'
    }


def test_a_zone_no_bind_file_can_be_written_for_is_one_error() -> None:
    rd = roundtrip.parse("A", "192.0.2.1")
    record = Record("a.example.org.", "A", 300, rd, Origin("x", 1), KEPT)
    with pytest.raises(InputError, match=r"zonegen cannot write zone example\.org"):
        roundtrip.check(
            "example.org.", [record], Bind(("ns.example.org.",), Soa(None, "x" * 64 + "."))
        )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("; comment\n$TTL 300\n", "zone"),
        ("# comment\n---\na: {type: A, value: 192.0.2.1}\n", "yaml"),
        ("'': {type: A, value: 192.0.2.1}\n", "yaml"),
        ("  [\n", "json"),
        ("{}", "json"),
        ("www 300 IN A 192.0.2.1\n", "zone"),
        ("", "zone"),
    ],
)
def test_syntax_detection(text: str, kind: str) -> None:
    assert syntax(text) == kind


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        ("gcloud-yaml", "a: 1\n", "has no name and type"),
        ("gcloud-yaml", "name: 'bad..name.'\ntype: A\nttl: 1\nrrdatas: []\n", "record set"),
        (
            "gcloud-yaml",
            "name: a.example.org.\ntype: NOPE\nttl: 1\nrrdatas: [x]\n",
            "unknown record type",
        ),
        ("gcloud-yaml", "name: a.example.org.\ntype: A\nttl: 1\nrrdatas: x\n", "rrdatas must be"),
        ("gcloud-json", '"text"', "expected a list of Cloud DNS record sets"),
        ("octodns", "- a\n- b\n", "expected an octoDNS zone"),
        ("octodns", "a: [1]\n", "is not a mapping"),
        ("octodns", "a: {type: A, ttl: -1, value: 192.0.2.1}\n", "ttl must be"),
        ("octodns", "---\na: {type: A, value: 192.0.2.1}\n---\nb: {}\n", "2 YAML documents"),
        ("octodns", "a: {type: A, value: [\n", "not valid YAML"),
        (
            "gcloud-json",
            '[{"name": "a.example.org.", "type": "A", "ttl": 1, "rrdatas": ["x"]',
            "not valid JSON",
        ),
    ],
)
def test_bad_exports_are_one_input_error(fmt: str, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_export(text, "example.org.", shown="x", folder=Path(), fmt=fmt)


def test_octodns_records_octodns_cannot_hold_are_refused_by_name() -> None:
    export = parse_export(
        "alias: {type: ALIAS, value: www.example.org.}\n"
        "odd: {type: HINFO, value: x}\n"
        "dyn: {type: A, value: 192.0.2.1, dynamic: {pools: {}, rules: []}}\n"
        "ign: {type: A, value: 192.0.2.1, octodns: {ignored: true}}\n"
        "inc: {type: A, value: 192.0.2.1, octodns: {included: [x]}}\n"
        "bad: {type: MX, value: {preference: x, exchange: mail.example.org.}}\n"
        "ok: {type: A, value: 192.0.2.1}\n",
        "example.org.",
        shown="x",
        folder=Path(),
        fmt="octodns",
    )
    reasons = {r.name: r.reason for r in export.refused}
    assert "provider feature" in reasons["alias.example.org."]
    assert "octoDNS has no HINFO type" in reasons["odd.example.org."]
    assert "dynamic" in reasons["dyn.example.org."]
    assert "ignores it" in reasons["ign.example.org."]
    assert "limited to some providers" in reasons["inc.example.org."]
    assert "bad.example.org." in reasons
    assert [r.name for r in export.records] == ["ok.example.org."]


def test_provider_specific_types_are_provider_features_whatever_is_installed() -> None:
    """octodns-powerdns registers PowerDnsProvider/LUA when it is imported (check --provider
    imports it): the refusal then quoted "'_PowerDnsLuaValue' object has no attribute
    'rdata_text'", and otherwise said "octoDNS has no ... type". The record is the same;
    so is its reason now (octodns-powerdns's tests/config/unit.tests.yaml has one)."""
    import octodns_powerdns  # noqa: F401  (registers the type, as any run may have done)
    from octodns.record import Record as OctoRecord

    assert "PowerDnsProvider/LUA" in OctoRecord.registered_types()
    export = parse_export(
        "lua: {type: PowerDnsProvider/LUA, value: {type: A, script: 'ifportup(443, {})'}}\n"
        "ok: {type: A, value: 192.0.2.1}\n",
        "example.org.",
        shown="x",
        folder=Path(),
        fmt="octodns",
    )
    (refused,) = export.refused
    assert refused.name == "lua.example.org." and refused.rtype == "PowerDnsProvider/LUA"
    assert refused.reason.startswith(
        "PowerDnsProvider/LUA is a provider feature, not a DNS record type: leave it unmanaged"
    ), refused.reason
    assert [r.name for r in export.records] == ["ok.example.org."]
