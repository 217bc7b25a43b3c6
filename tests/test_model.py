"""The record model: derived texts made once per record, TTL copies that keep them, RRsets
formed once per zone, and equality that still follows the rdata."""

from __future__ import annotations

import pickle

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from zonegen.model import Origin, Record, Zone, make_txt, rrsets, txt_text


def rd(rtype: str, text: str) -> dns.rdata.Rdata:
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), text)


def rec(name: str, rtype: str, text: str, ttl: int = 300) -> Record:
    return Record(name, rtype, ttl, rd(rtype, text), Origin("t", 1))


@pytest.mark.parametrize(
    ("rtype", "text", "target"),
    [
        ("MX", "10 Mail.Example.COM.", "mail.example.com."),
        ("MX", "0 .", "."),
        ("SRV", "0 1 993 imap.example.com.", "imap.example.com."),
        ("CNAME", "x.example.net.", "x.example.net."),
        ("NS", "ns1.example.net.", "ns1.example.net."),
        ("A", "192.0.2.1", None),
        ("TXT", '"v=spf1 -all"', None),
        # URI's target is a byte string, not a name (RFC 7553)
        ("URI", '10 1 "https://example.com/"', None),
    ],
)
def test_value_and_target_are_the_rdata_texts(rtype: str, text: str, target: str | None) -> None:
    r = rec("a.example.com.", rtype, text)
    assert r.value == r.rdata.to_text()
    assert r.target == target
    assert r.key == ("a.example.com.", rtype, r.rdata.to_text())


def test_with_ttl_keeps_everything_but_the_ttl() -> None:
    r = Record(
        "a.example.com.", "MX", 300, rd("MX", "10 mx.example.com."), Origin("f", 3), "site", True
    )
    copy = r.with_ttl(3600)
    assert copy.ttl == 3600 and r.ttl == 300
    for slot in Record.__slots__:
        if slot != "ttl":
            assert getattr(copy, slot) is getattr(r, slot), slot
    assert r.with_ttl(300) is r
    # the copy is the record a fresh construction makes
    fresh = Record(r.name, r.rtype, 3600, r.rdata, r.origin, r.kind, r.disabled)
    assert copy == fresh and hash(copy) == hash(fresh)
    assert (copy.value, copy.target, copy.txt) == (fresh.value, fresh.target, fresh.txt)


def test_copy_sets_every_slot_and_only_the_changed_ones() -> None:
    r = rec("a.example.com.", "TXT", '"v=spf1 " "mx -all"')
    changes = {"name": "b.example.com.", "ttl": 7, "origin": Origin("g", 2), "kind": "site"}
    moved = r.copy(**changes, disabled=True)
    for slot in Record.__slots__:
        want = changes.get(slot, True if slot == "disabled" else getattr(r, slot))
        assert getattr(moved, slot) == want, slot


def test_txt_is_the_joined_strings_of_a_txt_and_none_otherwise() -> None:
    r = rec("a.example.com.", "TXT", '"v=spf1 " "mx -all"')
    assert r.txt == txt_text(r.rdata) == "v=spf1 mx -all"
    assert rec("a.example.com.", "TXT", '"\\195\\169"').txt == txt_text(rd("TXT", '"\\195\\169"'))
    assert rec("a.example.com.", "MX", "10 mx.example.com.").txt is None
    assert r.with_ttl(5).txt is r.txt
    assert r.copy(rdata=make_txt(b"other")).txt == "other"


def test_derived_fields_cannot_be_passed_or_set() -> None:
    with pytest.raises(TypeError):
        Record("a.", "A", 1, rd("A", "192.0.2.1"), Origin("t"), value="198.51.100.1")  # type: ignore[call-arg]
    r = rec("a.", "A", "192.0.2.1")
    with pytest.raises(AttributeError):
        r.value = "x"  # type: ignore[misc]


def test_equality_follows_the_rdata_not_the_origin() -> None:
    a = rec("a.example.com.", "TXT", '"x"')
    b = Record(a.name, a.rtype, a.ttl, make_txt(b"x"), Origin("elsewhere", 9), "site")
    assert a == b and hash(a) == hash(b)
    assert a != rec("a.example.com.", "TXT", '"y"')
    assert a != a.with_ttl(1)


def test_pickle_round_trip_keeps_the_derived_fields() -> None:
    r = rec("a.example.com.", "MX", "10 mx.example.com.")
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.value == r.value and back.target == r.target


def test_zone_rrsets_are_formed_once_with_the_lowest_ttl() -> None:
    records = (
        rec("b.example.com.", "A", "192.0.2.2", 600),
        rec("a.example.com.", "A", "192.0.2.9", 300),
        rec("a.example.com.", "A", "192.0.2.1", 60),
    )
    zone = Zone("example.com.", records)
    assert [(s.name, s.rtype, s.ttl) for s in zone.rrsets] == [
        ("a.example.com.", "A", 60),  # RFC 2181 5.2: one TTL per set
        ("b.example.com.", "A", 600),
    ]
    assert [r.value for r in zone.rrsets[0].records] == ["192.0.2.1", "192.0.2.9"]
    assert zone.rrsets == tuple(rrsets(records))
    assert zone == Zone("example.com.", records)


def test_copy_carries_derived_texts_only_while_the_rdata_stays() -> None:
    r = rec("a.example.com.", "MX", "10 mx.example.com.")
    moved = r.copy(name="b.example.com.", origin=Origin("g", 2), disabled=True)
    assert (moved.name, moved.origin, moved.disabled) == ("b.example.com.", Origin("g", 2), True)
    assert moved.value is r.value and moved.target is r.target
    changed = r.copy(rdata=rd("MX", "20 other.example.net."))
    assert changed.value == "20 other.example.net." and changed.target == "other.example.net."
    with pytest.raises(TypeError, match="value"):
        r.copy(value="20 forged.example.")
    with pytest.raises(TypeError, match="nosuch"):
        r.copy(nosuch=1)


def test_parsed_mox_records_carry_the_texts_of_their_own_rdata() -> None:
    """The Mox reader makes records as copies of one template per distinct rdata text (the
    fast path); each must carry exactly what a record made from its rdata derives."""
    from conftest import FIXTURES
    from zonegen.sources.mox_records import parse_mox_output

    files = sorted(FIXTURES.glob("*/dnsrecords-*.txt"))
    assert files
    seen = 0
    for path in files:
        for r in parse_mox_output(path.read_text(), str(path)).records:
            fresh = Record(r.name, r.rtype, r.ttl, r.rdata, r.origin, r.kind, r.disabled)
            assert (r.value, r.target) == (fresh.value, fresh.target), r
            assert r == fresh and r.origin.path == str(path) and r.origin.line > 0
            seen += 1
    assert seen > 100
