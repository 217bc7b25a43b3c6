"""Mox's reader with its fast paths gives what the plain one gives, record for record.

The fast paths: rdata of Mox's plain forms built straight into dnspython's classes with their
presentation text written alongside (sources/rdata.py ``_fast``, ``_plain_name``), records made
from that text without dnspython formatting the rdata again (``Record.presented``), copies of
a template per distinct rdata text (``Record.placed``, ``origin_at``), and lines without
quotes, parentheses or comments stripped without the quote walk. The plain reader here is
the same parser with dnspython's own rdata parser and formatter and the character-at-a-time
comment stripper; every field of every record (and every error: message, line, hint) must
agree, over every Mox file in tests/, every cut of them, hand edits, and fuzzed damage.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.name
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from zonegen import names
from zonegen.errors import InputError
from zonegen.model import MOX, Origin, Record
from zonegen.sources import mox_records, rdata
from zonegen.sources.mox_records import parse_mox_output

MOX_FILES = sorted(FIXTURES.glob("*/dnsrecords-*.txt")) + sorted(FIXTURES.glob("*/quickstart.log"))
TEXTS = [p.read_text() for p in MOX_FILES]


def _plain_template(rtype: str, text: str) -> Record:
    """What the reader's template was before its fast paths: dnspython's parser, and the
    record's texts derived by formatting the rdata."""
    return Record("", rtype, 0, rdata.slow(rtype, text.strip()), Origin(""), MOX)


def _fields(record: Record) -> tuple[Any, ...]:
    return (
        record.name,
        record.rtype,
        record.ttl,
        type(record.rdata),
        record.rdata,
        record.rdata.to_text(),
        record.origin,
        record.kind,
        record.disabled,
        record.value,
        record.target,
        record.txt,
    )


def _outcome(text: str) -> tuple[Any, ...]:
    try:
        out = parse_mox_output(text, "f")
    except InputError as e:
        return ("error", str(e), e.path, e.line, e.hint)
    for record in out.records:
        # Each record is the record the dataclass makes from its fields (texts derived anew).
        fresh = Record(*_fields(record)[:3], record.rdata, record.origin, MOX, record.disabled)
        assert _fields(fresh) == _fields(record)
        assert type(record.origin) is Origin and record.origin == Origin("f", record.origin.line)
    return ("ok", out.path, out.default_ttl, [_fields(r) for r in out.records])


def _plain_outcome(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    with monkeypatch.context() as m:
        m.setattr(mox_records, "_template", _plain_template)
        m.setattr(mox_records, "_strip_comment_and_parens", mox_records._strip_slow)
        return _outcome(text)


def _same(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    fast = _outcome(text)
    assert fast == _plain_outcome(text, monkeypatch)
    return fast


def _cuts(text: str) -> Iterator[str]:
    """The text cut at every line end (before and after its newline) and inside each line."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        for off in (pos + len(line) // 2, end, end + 1):
            yield text[:off]
        pos = end + 1


@pytest.mark.parametrize("path", MOX_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_mox_file_and_every_cut_reads_alike(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text()
    kinds = {_same(cut, monkeypatch)[0] for cut in _cuts(text)}
    if path.parent.name != "v17-fail-no-resolver":
        assert _same(text, monkeypatch)[0] == "ok"
        assert kinds == {"ok", "error"}  # both kinds of outcome were compared


# Hand edits a copy of Mox's output may carry: each takes another branch of the reader
# (TTL and class columns, lowercase types, escapes, comments after data, tabs, CRLF).
EDITS = [
    lambda t: t.replace(" MX ", " 3600 IN MX "),
    lambda t: t.replace(" TXT ", " IN txt "),
    lambda t: t.replace(" SRV ", " 60 srv "),
    lambda t: t.replace(" CNAME ", " Cname "),
    lambda t: t.replace("v=spf1", "v=spf1\\032x"),
    lambda t: t.replace('"v=DMARC1', '"v=DMARC1" "'),
    lambda t: t.replace('"\n', '" ; note\n'),
    lambda t: t.replace(" mx.", " MX.").replace(" mail.", " Mail."),
    lambda t: t.replace("\n\t)", "\n\t) ; closed"),
    lambda t: t.replace(" 0 0 0 .", " 0 0 0 x.").replace("TLSA 3 1 1 ", "TLSA 3 1 1 0"),
    lambda t: t.replace(" ", "\t"),
    lambda t: t.replace("\n", "\r\n"),
    lambda t: t.replace("CAA 0 issue", "CAA 0 iSSue"),
    lambda t: t.replace(" 10 ", " 010 ").replace(" 993 ", " 0993 "),
    lambda t: t.replace(" 993 ", " 65536 "),
    lambda t: t.replace(".example.org.", ".example.org").replace(".example.com.", ".Example.COM."),
]


@pytest.mark.parametrize("edit", range(len(EDITS)))
def test_hand_edited_copies_read_alike(edit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    for text in TEXTS:
        _same(EDITS[edit](text), monkeypatch)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    base=st.sampled_from(TEXTS),
    cuts=st.lists(st.tuples(st.integers(0, 20000), st.integers(0, 400)), max_size=4),
    junk=st.lists(st.tuples(st.integers(0, 20000), st.text(max_size=40)), max_size=3),
)
def test_fuzzed_mox_output_reads_alike(
    base: str, cuts: list[tuple[int, int]], junk: list[tuple[int, str]]
) -> None:
    text = base
    for start, length in cuts:
        start %= max(len(text), 1)
        text = text[:start] + text[start + length :]
    for at, piece in junk:
        at %= max(len(text), 1)
        text = text[:at] + piece + text[at:]
    # hypothesis and function-scoped fixtures do not mix: one context per example instead
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same(text, monkeypatch)


_LABEL = st.text(alphabet="aZ09_-*", min_size=1, max_size=70)
# What a fast TXT string may hold, and the characters just outside it (quote, backslash, DEL).
_PRINTABLE_AND_NEAR = st.characters(min_codepoint=0x1F, max_codepoint=0x7F)


@settings(max_examples=600, deadline=None)
@given(
    rtype=st.sampled_from(["MX", "SRV", "CNAME", "NS", "TXT", "TLSA", "CAA", "A", "AAAA"]),
    numbers=st.lists(st.integers(0, 70000) | st.sampled_from([0, 65535, 255, 256]), min_size=3),
    labels=st.lists(_LABEL, max_size=6),
    strings=st.lists(st.text(alphabet=_PRINTABLE_AND_NEAR, max_size=300), max_size=3),
    spaces=st.sampled_from([" ", "  ", "\t", ""]),
    width=st.sampled_from([1, 1, 3]),  # 3: leading zeros, which the text must not keep
)
def test_fast_rdata_and_its_text_are_dnspythons(
    rtype: str, numbers: list[int], labels: list[str], strings: list[str], spaces: str, width: int
) -> None:
    """Texts in and near each fast form: the fast reader gives dnspython's rdata and
    ``to_text()``, or, where dnspython refuses the text, refuses it too."""
    name = ".".join(labels) + "." if labels else "."
    n = [f"{x:0{width}}" for x in numbers]
    quoted = spaces.join(f'"{s}"' for s in strings)
    texts = {
        "MX": f"{n[0]}{spaces}{name}",
        "SRV": f"{n[0]} {n[1]}{spaces}{n[2]} {name}",
        "CNAME": name,
        "NS": name,
        "TXT": quoted,
        "TLSA": f"{n[0]} {n[1]} {n[2]} {''.join(labels).encode().hex()}",
        "CAA": f"{n[0]} {labels[0] if labels else 'issue'} {quoted.split(' ')[0] or chr(34) * 2}",
        "A": ".".join(n[:4]),
        "AAAA": f"2001:db8::{numbers[0] % 65536:x}",
    }
    text = texts[rtype]
    try:
        want = rdata.slow(rtype, text.strip())
    except mox_records._RDATA_ERRORS:
        with pytest.raises(mox_records._RDATA_ERRORS):
            rdata.presented(rtype, text)
        return
    got, value = rdata.presented(rtype, text)
    assert type(got) is type(want) and got == want
    assert value == want.to_text() == got.to_text()


@settings(max_examples=600, deadline=None)
@given(labels=st.lists(_LABEL, max_size=8), dot=st.booleans())
def test_plain_names_are_dnspythons(labels: list[str], dot: bool) -> None:
    text = ".".join(labels) + ("." if dot or not labels else "")
    try:
        want = dns.name.from_text(text, origin=dns.name.root)
    except (dns.name.NameTooLong, dns.name.LabelTooLong, dns.name.EmptyLabel):
        with pytest.raises((dns.name.NameTooLong, dns.name.LabelTooLong, dns.name.EmptyLabel)):
            rdata.name.__wrapped__(text)
        return
    got = rdata.name.__wrapped__(text)
    assert got.labels == want.labels and got.to_text() == want.to_text()


# names._PLAIN as it was spelled before its labels became possessive: the reference.
_REFERENCE_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_REFERENCE_PLAIN = re.compile(rf"(?:{_REFERENCE_LABEL}\.)*{_REFERENCE_LABEL}\.?\Z")
_NAME_LABEL = st.text(alphabet="aZ09_-.é ", max_size=70) | st.sampled_from(["a" * 63, "-", ""])


@settings(max_examples=2000, deadline=None)
@given(labels=st.lists(_NAME_LABEL, max_size=8), dot=st.booleans())
def test_owner_names_read_as_the_cached_reader_reads_them(labels: list[str], dot: bool) -> None:
    """``names.canonical`` (the reader's owner names) answers what ``names.absolute`` does,
    and the possessive ``_PLAIN`` matches what its backtracking form matched."""
    text = ".".join(labels) + ("." if dot else "")
    for t in (text, text.lower(), text.lower()[:253]):
        assert bool(names._PLAIN.match(t)) == bool(_REFERENCE_PLAIN.match(t)), t
        try:
            want = names.absolute(t)
        except ValueError:
            with pytest.raises(ValueError):
                names.canonical(t)
            continue
        assert names.canonical(t) == want
        if names._CANONICAL.match(t):
            assert want == t
