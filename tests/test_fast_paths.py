"""The fast paths give the same bytes as the slow ones they replace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CASES, FIXTURES, REPO
from zonegen.octodns.records import OctoZone, dump, zone_yaml
from zonegen.pipeline import build
from zonegen.sources import read_inputs

SITES = [REPO / "config" / "site.yaml", *sorted(CASES.glob("*/site.yaml"))]


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.parent.name)
def test_libyaml_output_is_octodns_safe_dump_output(site: Path) -> None:
    from octodns.record.rr import Rrset

    from zonegen.model import rrsets
    from zonegen.octodns.records import from_rrset

    for zone in build(read_inputs(site)).zones:
        octo = OctoZone(zone.name, [])
        for s in rrsets(zone.records):
            octo.add_record(
                from_rrset(octo, Rrset(s.name, s.rtype, s.ttl, [r.value for r in s.records]))
            )
        fast, slow = dump(octo), dump(octo, slow=True)
        assert fast == slow
        assert zone_yaml(zone) == zone_yaml(zone, slow=True) == fast


def _record_texts() -> list[tuple[str, str]]:
    """(type, rdata text) of every record line in the fixtures' Mox output."""
    from zonegen.sources.mox_records import SUPPORTED_TYPES

    found = set()
    for path in FIXTURES.glob("*/dnsrecords-*.txt"):
        for line in path.read_text().splitlines():
            body = line[3:] if line.startswith(";; ") else line
            parts = body.split(None, 2)
            if len(parts) == 3 and parts[1] in SUPPORTED_TYPES and not parts[2].endswith("("):
                found.add((parts[1], parts[2]))
    return sorted(found)


MORE = [
    ("MX", "0 ."),
    ("SRV", "0 0 0 ."),
    ("A", "192.0.2.1"),
    ("AAAA", "2001:db8::1"),
    ("AAAA", "2001:0db8:0000::1"),
    ("TXT", '"a" "b"'),
    ("TXT", '"with \\"quote\\""'),
    ("CAA", '0 issue "letsencrypt.org; accounturi=https://x/1"'),
    ("CAA", '128 iodef "mailto:a@b"'),
    ("TLSA", "3 1 1 " + "AB" * 32),
    ("CNAME", "mx.example.org."),
    ("MX", "10  mail.example.com."),
]


@pytest.mark.parametrize(("rtype", "text"), _record_texts() + MORE)
def test_fast_rdata_equals_dnspythons(rtype: str, text: str) -> None:
    from zonegen.sources import rdata

    fast = rdata.parse(rtype, text)
    assert fast == rdata.slow(rtype, text)
    assert fast.to_text() == rdata.slow(rtype, text).to_text()


def test_fast_path_is_taken_for_mox_forms() -> None:
    from zonegen.sources import rdata

    taken = [t for t in _record_texts() if rdata._fast(*t) is not None]
    assert len(taken) == len(_record_texts())


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.parent.name)
def test_bind_writer_equals_dnspythons_zone_text(site: Path) -> None:
    from zonegen.bind import render_bind

    result = build(read_inputs(site))
    for zone, settings in zip(result.zones, result.site.zones, strict=True):
        fast = render_bind(zone, settings.bind, previous=None)
        assert fast == render_bind(zone, settings.bind, previous=None, slow=True)


@pytest.mark.parametrize(
    "data",
    [
        {"": {"type": "TXT", "ttl": 300, "value": "v=spf1 -all"}},
        {
            "": {"type": "MX", "ttl": 300, "value": {"preference": 10, "exchange": "a.example."}},
            "www": {"type": "A", "ttl": 60, "values": ["192.0.2.1", "192.0.2.2"]},
        },
        {
            "a10": {"type": "A", "ttl": 1, "value": "192.0.2.1"},
            "a9": {"type": "A", "ttl": 1, "value": "192.0.2.2"},
        },
    ],
)
def test_single_record_apex_and_natural_order(data: dict) -> None:
    from zonegen.octodns.records import new_record

    octo = OctoZone("lint.example.", [])
    for name, value in data.items():
        octo.add_record(new_record(octo, name, value))
    assert dump(octo) == dump(octo, slow=True)


HOSTILE_ENTRIES: list[dict[str, Any]] = [
    {"x" * 130: {"ttl": 1, "type": "TXT", "value": "a key too long for a simple key"}},
    {"a": {"ttl": 1, "type": "TXT", "value": "line one\nline two\n"}},
    {"b": {"ttl": 1, "type": "TXT", "value": "..."}},
    {"c": {"ttl": 1, "type": "TXT", "value": "--- not a document start"}},
    {"d": {"ttl": 1, "type": "TXT", "value": " leading and trailing space "}},
    {"e": {"ttl": 1, "type": "TXT", "values": ["", "#", "- x", "? y", ": z", "'q'", '"dq"']}},
    {"f": {"ttl": 1, "type": "TXT", "value": "word " * 400}},  # folded over many lines
    {"g": {"ttl": 1, "type": "TXT", "values": [f"v{i:05}" for i in range(3000)]}},  # > 16 KiB
    {"bücher": {"ttl": 1, "type": "TXT", "value": "ünïcödé \u2028 \x85 \ufeff"}},
    {"h": {"ttl": 1, "type": "TXT", "value": "ends open |"}},
    {"i": [{"ttl": 1, "type": "A", "value": "192.0.2.1"}, {"ttl": 1, "type": "TXT", "value": "1"}]},
    {"j": {"ttl": 1, "type": "TXT", "value": "yes"}},
    {"k": {"ttl": 1, "type": "TXT", "value": "0x1F"}},
    {"null": {"ttl": 1, "type": "TXT", "value": "~"}},
]


def test_documents_of_one_open_stream_are_one_off_dumps() -> None:
    """Each entry emitted as a document of the one stream the adapter keeps open is the text
    a one-off ``yaml.dump`` gives: every entry of the corpus and hostile ones, one after the
    other through the same stream (what one document leaves must not change the next), and
    after a document that failed half way."""
    from zonegen.octodns.records import _document, _Documents, _fast, load_yaml

    entries = list(HOSTILE_ENTRIES)
    for site in SITES:
        for zone in build(read_inputs(site)).zones:
            entries += [{k: v} for k, v in load_yaml(zone_yaml(zone)).items()]
    assert len(entries) > 100
    stream = _Documents()
    for data in entries + entries[::-1]:
        assert stream.emit(data) == _fast(data, explicit_start=True), data
        assert _document(data)[4:] == _fast(data, explicit_start=False), data
    with pytest.raises(yaml.representer.RepresenterError):
        _document({"x": {"ttl": object()}})
    for data in entries:
        assert _document(data) == _fast(data, explicit_start=True), data


def test_a_document_not_as_expected_is_dumped_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from zonegen.octodns import records

    class Odd:
        def emit(self, data: dict[str, Any]) -> str:
            return "not a document"

    data = HOSTILE_ENTRIES[0]
    monkeypatch.setattr(records, "_DOCUMENTS", [Odd()])
    assert records._document(data) == records._fast(data, explicit_start=True)


@pytest.mark.parametrize(
    "text",
    [
        "Example.COM",
        "a.b.",
        "_25._tcp.mx.example.org.",
        "xn--mnchen-3ya.example",
        "-a.com",
        "x" * 63 + ".com",
        "a1-b.c_d.e",
    ],
)
def test_plain_names_skip_dnspython_alike(text: str) -> None:
    import dns.name

    from zonegen import names

    assert names.absolute(text) == dns.name.from_text(text).to_text().lower()


@pytest.mark.parametrize(
    "name",
    [
        "example.org.",
        "_25._tcp.mx.example.org.",
        "xn--mnchen-3ya.example.",
        "XN--MNCHEN-3YA.de.",
        "a-b.xn--p1ai.",
        "a_b.example.",
        "x" * 63 + ".com.",
    ],
)
def test_plain_names_are_their_own_unicode_form(name: str) -> None:
    import dns.name

    from zonegen import names

    expected = dns.name.from_text(name).to_unicode(idna_codec=names.codec())
    assert names.unicode(name) == expected


def test_comment_and_paren_stripping_equals_the_character_loop() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from zonegen.sources.mox_records import _strip_comment_and_parens, _strip_slow

    @settings(max_examples=3000, deadline=None)
    @given(st.text(alphabet='ab ;()"\\\t', max_size=40))
    def same(line: str) -> None:
        assert _strip_comment_and_parens(line) == _strip_slow(line)

    same()
    for path in FIXTURES.glob("*/*.txt"):
        for line in path.read_text().splitlines():
            assert _strip_comment_and_parens(line) == _strip_slow(line), (path, line)


def test_shown_paths_are_relpaths_below_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from zonegen.sources.files import show

    monkeypatch.chdir(tmp_path)
    for path in [
        tmp_path / "config" / "site.yaml",
        tmp_path / "a" / ".." / "b",
        Path("/etc/hosts"),
        Path(str(tmp_path) + "x") / "y",
        Path("relative/file"),
    ]:
        expected = (
            os.path.relpath(path)
            if path.is_absolute() and str(path).startswith(str(tmp_path) + "/")
            else str(path)
        )
        assert show(path) == expected


def test_wire_name_check_fast_path_equals_the_label_count() -> None:
    """checks/wire.py answers for short ASCII names without splitting them into labels."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from zonegen.checks.wire import _name_problem, _name_problem_slow

    label = st.one_of(
        st.text(alphabet="ab-", min_size=0, max_size=70),
        st.text(min_size=1, max_size=40),  # any character, so multi-octet ones too
    )

    @settings(max_examples=3000, deadline=None)
    @given(st.lists(label, max_size=8), st.booleans())
    def same(labels: list[str], absolute: bool) -> None:
        name = ".".join(labels) + ("." if absolute else "")
        assert _name_problem(name) == _name_problem_slow(name)

    same()
    for name in (".", "a" * 63 + ".", "a" * 64 + ".", "é" * 32 + ".", ("a" * 63 + ".") * 4):
        assert _name_problem(name) == _name_problem_slow(name), name


def test_target_from_the_text_equals_the_rdatas_name() -> None:
    """model._target_text reads the target of CNAME, DNAME, MX, NS, PTR and SRV off the end
    of the presentation text; over every RRset of the octoDNS adapter's corpus (fixtures,
    exports, built cases, the external zone files) and names with odd characters, it gives
    what the rdata's own name field gives."""
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    from test_octodns_adapter import corpus
    from zonegen.model import _TARGET_LAST, _target_text, target_of

    odd = [
        ("MX", "10 a\\032b.example."),
        ("CNAME", "A\\.B.Example."),
        ("SRV", "0 0 443 \\\\.x."),
        ("NS", "@"),
        ("PTR", "host"),
        ("DNAME", "Target.EXAMPLE."),
        ("MX", "0 ."),
    ]
    texts = [(rrset._type, text) for _, rrset in corpus() for text in rrset.rdatas] + odd
    seen = set()
    for rtype, text in texts:
        try:
            rd = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), text)
        except Exception:
            continue  # a type or value dnspython does not read: not a record we model
        seen.add(rd.rdtype)
        assert _target_text(rd, rd.to_text()) == target_of(rd), (rtype, text)
    assert seen >= _TARGET_LAST  # every fast-path type was tried
