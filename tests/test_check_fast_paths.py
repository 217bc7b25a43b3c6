"""The cheaper forms the checks take (issue 13's speed) give the answers of the plain ones.

Each fast path here is held to the plain form it replaced, written out in the test: over
the lint corpus (tests/data/lint, records this project did not write), over generated text,
and where the argument is about characters, over every code point.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, Workspace
from zonegen.checks.bindfile import _split_escaped, _split_first
from zonegen.mail import dkim, dmarc, spf

LINT = Path(__file__).parent / "data" / "lint" / "records.yaml"


def _corpus_texts() -> list[str]:
    data = yaml.safe_load(LINT.read_text())
    return [str(r["text"]) for r in data["records"]]


def _looks_like_spf_plain(text: str) -> bool:
    """mail.spf.looks_like_spf as it was: the lowercase pattern on the lowercased text."""
    head = text.lstrip().lower()
    return not spf.is_spf(text) and re.match(r"v\s*=\s*spf\s*1(?![0-9])", head) is not None


def test_spf_like_text_without_lowercasing_equals_the_plain_form() -> None:
    texts = _corpus_texts()
    texts += [
        "v=spf1mx",
        " V = SPF 1",
        "v=ſpf1",
        "\u212a=spf1",
        "v=spf1İ",
        "v=spf12",
        "v=spf1\u0661",
        "\u2003v\u00a0=\u3000Spf\u20091x",
        "v=DKIM1; p=abc",
        "",
        " ",
        "v",
        "v=",
        "v=spf",
    ]
    mismatched = [t for t in texts if spf.looks_like_spf(t) != _looks_like_spf_plain(t)]
    assert not mismatched
    # it does fire on the corpus: the comparison is not between two functions that say no
    assert any(spf.looks_like_spf(t) for t in texts)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["v", "V", "=", "s", "S", "p", "P", "f", "F", "1", "2", " "]),
            st.sampled_from(["\t", "\u00a0", "\u2003", "ſ", "\u212a", "İ", "\u0661", ";"]),
            st.characters(),
        ),
        max_size=14,
    )
)
def test_spf_like_text_on_generated_text(parts: list[str]) -> None:
    text = "".join(parts)
    assert spf.looks_like_spf(text) == _looks_like_spf_plain(text)


def test_only_the_spelt_out_letters_lowercase_to_them() -> None:
    """The argument of _LIKE_SPF's comment, over every code point: a character lowercases to
    text starting with v, s, p or f only when it is that letter in either case; whitespace
    stays whitespace and nothing else becomes a digit, '=' or whitespace."""
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        low = c.lower()
        first = low[:1]
        if first in "vspf" and first:
            assert c in (first, first.upper()), hex(code)
        if first in "0123456789=" and first:
            assert c == first, hex(code)
        assert low[:1].isspace() == c.isspace() or not low, hex(code)


def _valid_domain_plain(name: str) -> bool:
    name = name[:-1] if name.endswith(".") else name
    labels = name.split(".")
    octets = [len(label.encode("utf-8", "surrogatepass")) for label in labels]
    return (
        len(labels) > 1
        and all(0 < n <= 63 for n in octets)
        and len(name.encode("utf-8", "surrogatepass")) <= 253
        and not name.startswith("[")
    )


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(st.one_of(st.text(alphabet="ab-[", max_size=70), st.text(max_size=30)), max_size=6),
    st.booleans(),
)
def test_valid_domain_counts_ascii_by_length(labels: list[str], dot: bool) -> None:
    name = ".".join(labels) + ("." if dot else "")
    assert spf.valid_domain(name) == _valid_domain_plain(name)


def test_valid_domain_at_the_limits() -> None:
    for name in (
        "a" * 63 + ".b",
        "a" * 64 + ".b",
        ("a" * 62 + ".") * 4 + "b",
        "é" * 32 + ".b",
        "\ud800.example",
        "[1.2.3.4]",
        "example",
        "a..b",
        "x." * 126 + "y",
    ):
        assert spf.valid_domain(name) == _valid_domain_plain(name), name


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab.\\ é", max_size=20))
def test_soa_contact_split_without_escapes(name: str) -> None:
    assert _split_first(name) == _split_escaped(name)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", ".", "_domainkey", "_adsp", "x", "é"]), max_size=8))
def test_key_name_prefilter_rejects_no_key_name(parts: list[str]) -> None:
    """checks/dkim.py looks at names with '._domainkey.' in them only."""
    name = "".join(parts)
    if dkim.is_key_name(name):
        assert "._domainkey." in name


# ---------------------------------------------------------------- round 2 (task s6)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="v=DKIM1;p ab\t\r\n", max_size=16))
def test_dkim_space_after_the_final_semicolon_equals_the_regex(text: str) -> None:
    plain = re.search(r";[ \t]+\Z", text) is not None
    assert dkim._space_after_end(text, text.rstrip(" \t")) == plain


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="AB+/=\t\r\n \x0b\x0c\u00a0", max_size=16))
def test_dkim_unfolding_equals_the_substitution(p: str) -> None:
    assert dkim._unfolded(p) == re.sub(r"[ \t\r\n]", "", p)


def test_dkim_h_sha256_shortcut_gives_the_general_answer() -> None:
    """h=sha256 skips the list reading; the same list spelt so that it takes the general
    path (case, spaces) gives the same verdict, and h=sha1 still gives the error."""
    key = f"v=DKIM1; h={{}}; p={_corpus_key()}"
    assert dkim.parse(key.format("sha256")).issues == dkim.parse(key.format(" SHA256 ")).issues
    assert [i.code for i in dkim.parse(key.format("sha1")).issues] == ["sha1"]


def _corpus_key() -> str:
    """A 2048-bit RSA p= of the lint corpus."""
    data = yaml.safe_load(LINT.read_text())
    for r in data["records"]:
        parsed = dkim.parse(str(r["text"]))
        if r["kind"] == "dkim" and parsed.bits == 2048 and not parsed.issues:
            p = parsed.get("p")
            assert p is not None
            return p
    raise AssertionError("no 2048-bit key in the corpus")


def _dmarc_reports_plain(record: dmarc.Record, name: str) -> tuple[dmarc.ReportUri, ...]:
    """Record.reports read from the tags, as before parse kept the URIs it read."""
    return record._replace(reported=None).reports(name)


_URIS = st.sampled_from(
    [
        "mailto:a@example.org",
        "MAILTO:B@Example.ORG!10m",
        "mailto:c@sub.example.org!18446744073709551616",
        "https://example.org/r",
        "mailto:bad",
        "mailto:x@-bad-.example",
        "not a uri",
        "",
        " mailto:d@example.net ",
        "mailto:e@example.com!1x",
        "mailto:%zz@example.org",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["rua", "ruf", "RUA", "Ruf", "p", "sp"]), st.lists(_URIS)),
        max_size=4,
    )
)
def test_dmarc_reports_kept_from_parse_equal_a_second_reading(
    tags: list[tuple[str, list[str]]],
) -> None:
    text = "v=DMARC1; p=none" + "".join(f"; {n}={','.join(uris)}" for n, uris in tags)
    record = dmarc.parse(text)
    for name in ("rua", "ruf", "RUA", "p"):
        assert record.reports(name) == _dmarc_reports_plain(record, name), (text, name)


def test_dmarc_reports_kept_from_parse_over_the_corpus() -> None:
    texts = _corpus_texts()
    found = 0
    for text in texts:
        record = dmarc.parse(text)
        for name in ("rua", "ruf"):
            assert record.reports(name) == _dmarc_reports_plain(record, name), text
            found += len(record.reports(name))
    assert found  # the corpus has report URIs: the comparison is not of two empty answers


def test_only_txtbase_rdata_have_character_strings() -> None:
    """wire.fits reads ``strings`` of TXTBase rdata only (it used getattr on every rdata):
    no other rdata class of dnspython has the attribute."""
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype
    from dns.rdtypes.txtbase import TXTBase

    seen = 0
    for rdtype in dns.rdatatype.RdataType:
        try:
            cls = dns.rdata.get_rdata_class(dns.rdataclass.IN, rdtype)
        except Exception:  # a meta type (ANY, AXFR...): no rdata class to look at
            continue
        seen += 1
        assert hasattr(cls, "strings") == issubclass(cls, TXTBase), cls
    assert seen > 50


def test_context_indexes_made_in_one_pass_equal_their_plain_forms(ws: Workspace) -> None:
    """Context's single pass over the records makes the by-type lists, the delegations, the
    signed zones and the owners the mail rules read: each equals its plain form."""
    from zonegen.checks.context import KEY_LABEL, MAIL_PREFIXES, Context
    from zonegen.model import MOX
    from zonegen.pipeline import build
    from zonegen.sources import read_inputs

    shutil.copytree(REPO / "config", ws.root / "config")
    site = ws.root / "config" / "site.yaml"
    site.write_text(
        site.read_text()
        + "  lint.example:\n    records:\n"
        + "".join(
            f"      {line}\n"
            for line in (
                "sub: {type: NS, values: [ns1.lint-dns.test., ns2.lint-dns.test.]}",
                "'': {type: NS, value: ns1.lint-dns.test.}",
                "_dmarc: {type: TXT, values: ['v=DMARC1; p=none', 'x']}",
                "_dmarc.a: {type: A, value: 192.0.2.1}",
                "_mta-sts: {type: TXT, value: 'v=STSv1; id=1'}",
                "_smtp._tls.x: {type: TXT, value: 'v=TLSRPTv1; rua=mailto:a@lint.example'}",
                "s1._domainkey: {type: TXT, value: 'v=DKIM1; p='}",
                "_adsp._domainkey: {type: TXT, value: 'dkim=all'}",
                "_dmarc.s2._domainkey: {type: TXT, value: 'v=DKIM1; p='}",
            )
        )
    )
    result = build(read_inputs(site))
    ctx = Context(result)
    records = [r for z in result.zones for r in z.records]
    for rtype in {r.rtype for r in records} | {"SPF"}:
        assert ctx.of_type(rtype) == [r for r in records if r.rtype == rtype]
        plain_sets = {r.name: ctx.get(r.name, rtype) for r in records if r.rtype == rtype}
        assert dict(ctx.rrsets_of(rtype)) == plain_sets
    assert ctx._cuts == {n for n, t in ctx.by_key if t == "NS" and n not in ctx.zones}
    assert ctx._cuts == {"sub.lint.example."}
    signed = {z.name for z in result.site.zones if z.dnssec} | {
        z.name
        for z in result.zones
        for r in z.records
        if r.rtype == "TLSA" and r.kind == MOX and not r.disabled
    }
    assert ctx._signed == signed and signed
    for prefix in MAIL_PREFIXES:
        plain = sorted(n for n in ctx.by_name if n.startswith(prefix) and ctx.txt(n))
        assert ctx.txt_owners(prefix) == plain and plain
    plain = sorted(n for n in ctx.by_name if KEY_LABEL in n and ctx.txt(n))
    assert ctx.txt_owners(KEY_LABEL) == plain and len(plain) >= 4
    by_name: dict[str, list[str]] = {}
    for name, rtype in ctx.by_key:
        by_name.setdefault(name, []).append(rtype)
    for name, types in by_name.items():
        assert sorted(ctx.types(name)) == sorted(types), name
        assert ctx.type_count(name) == len(types) and ctx.has_data(name)
    assert max(map(len, by_name.values())) > 1
    assert not ctx.types("nowhere.lint.example.") and not ctx.has_data("nowhere.lint.example.")


def _spki(n: int, e: int = 65537) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    return (
        rsa.RSAPublicNumbers(e, n)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _odd_modulus(bits: int, seed: int) -> int:
    import random

    return random.Random(seed).getrandbits(bits) | 1 << (bits - 1) | 1


def test_common_rsa_keys_are_sized_without_cryptography_as_by_it() -> None:
    """dkim._common_rsa_bits reads the modulus size of the common key shape off its lengths;
    cryptography's reader (the one for every other input) gives the same size, and the other
    shapes are left to it."""
    for bits in (1024, 1032, 1536, 2048, 3072, 4096, 8192):
        for seed in range(3):
            der = _spki(_odd_modulus(bits, seed))
            assert dkim._common_rsa_bits(der) == dkim._rsa_bits_read(der) == bits
    # not the common shape: a size that is no whole number of octets, another exponent, an
    # even or a short modulus, PKCS#1 without the SPKI around it
    for der in (
        _spki(_odd_modulus(2047, 1)),
        _spki(_odd_modulus(1025, 1)),
        _spki(_odd_modulus(2048, 1), e=3),
        _spki(_odd_modulus(2048, 1) - 1),
        _spki(_odd_modulus(1016, 1)),
        _spki(_odd_modulus(2048, 1))[24:],
    ):
        assert dkim._common_rsa_bits(der) is None
        assert dkim._rsa_bits(der) == dkim._rsa_bits_read(der)


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 255)), max_size=3),
    st.integers(0, 300),
    st.binary(max_size=3),
    st.sampled_from([1024, 2048]),
)
def test_common_rsa_shape_on_damaged_keys(
    edits: list[tuple[int, int]], cut: int, tail: bytes, bits: int
) -> None:
    """Whatever the damage (octets changed, cut short, more after), the shortcut either
    declines or gives cryptography's answer."""
    der = bytearray(_spki(_odd_modulus(bits, 7)))
    for at, value in edits:
        der[at % len(der)] = value
    if cut:
        del der[-cut:]
    damaged = bytes(der) + tail
    fast = dkim._common_rsa_bits(damaged)
    assert fast is None or fast == dkim._rsa_bits_read(damaged)


def test_common_rsa_shape_on_every_single_octet_change() -> None:
    """Each octet of a key changed (one more, one less, 0, 0x80, 0xff), one at a time, and
    each length cut: the shortcut declines or agrees."""
    for bits in (1024, 2048):
        der = _spki(_odd_modulus(bits, 3))
        damaged = [der[:cut] for cut in range(len(der))]
        for at in range(len(der)):
            for value in {(der[at] + 1) % 256, (der[at] - 1) % 256, 0, 0x80, 0xFF} - {der[at]}:
                damaged.append(der[:at] + bytes([value]) + der[at + 1 :])
        for key in damaged:
            fast = dkim._common_rsa_bits(key)
            assert fast is None or fast == dkim._rsa_bits_read(key), key.hex()


def _tlv(tag: int, body: bytes, octets: int) -> bytes:
    """A DER element with its length in ``octets`` octets (0: the short form), minimal or
    not."""
    if not octets:
        return bytes([tag, len(body)]) + body
    return bytes([tag, 0x80 | octets]) + len(body).to_bytes(octets, "big") + body


def test_common_rsa_shape_wants_lengths_in_the_fewest_octets() -> None:
    """DER writes each length in the fewest octets (X.690 10.1); cryptography refuses keys
    that do not, and so does the shortcut, element by element."""
    n = _odd_modulus(1024, 5)
    modulus = b"\0" + n.to_bytes(128, "big")
    exponent = bytes.fromhex("0203010001")
    fewest = {"modulus": 1, "key": 1, "bits": 1, "outer": 1}
    for element in [None, *fewest]:
        sizes = dict(fewest)
        if element is not None:
            sizes[element] = 2  # one octet more than needed
        key = _tlv(0x30, _tlv(0x02, modulus, sizes["modulus"]) + exponent, sizes["key"])
        bits = _tlv(0x03, b"\0" + key, sizes["bits"])
        der = _tlv(0x30, bytes.fromhex("300d06092a864886f70d0101010500") + bits, sizes["outer"])
        expected = 1024 if element is None else None
        assert dkim._rsa_bits_read(der) == expected, element
        assert dkim._common_rsa_bits(der) == expected, element
    short = _tlv(0x02, b"\x01\x00\x01", 1)  # 65537 with a long-form length
    assert dkim._common_rsa_bits(_spki(n).replace(exponent, short)) is None


def test_common_rsa_shape_over_the_corpus_keys() -> None:
    import base64
    import binascii

    data = yaml.safe_load(LINT.read_text())
    fast = 0
    for r in data["records"]:
        p = dkim.parse(str(r["text"])).get("p") if r["kind"] == "dkim" else None
        try:
            raw = base64.b64decode(re.sub(r"\s", "", p or ""), validate=True)
        except (binascii.Error, ValueError):
            continue
        bits = dkim._common_rsa_bits(raw)
        assert bits is None or bits == dkim._rsa_bits_read(raw)
        fast += bits is not None
    assert fast >= 3  # the shape is the common one: the corpus has keys of it


def test_reading_a_common_key_does_not_import_cryptography() -> None:
    """What the shortcut is for: a build whose keys have the common shape never imports
    cryptography in the process that runs the checks."""
    import subprocess

    code = (
        "import sys\n"
        "from zonegen.mail import dkim\n"
        f"key = dkim.parse({'v=DKIM1; p=' + _corpus_key()!r})\n"
        "assert key.bits == 2048 and not key.issues, key\n"
        "print(sorted(m for m in sys.modules if m.startswith('cryptography')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def _is_hostname_plain(name: str, wildcard: bool) -> bool:
    """bindfile.is_hostname label by label, as it was."""
    labels = name.rstrip(".").split(".") if name != "." else []
    if wildcard and labels[:1] == ["*"]:
        labels = labels[1:]
    return all(re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?", label) for label in labels)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="aZ9-.*_ é\n", max_size=14), st.booleans())
def test_host_names_by_one_match_equal_the_label_wise_form(name: str, wildcard: bool) -> None:
    from zonegen.checks.bindfile import is_hostname

    is_hostname.cache_clear()
    assert is_hostname(name, wildcard=wildcard) == _is_hostname_plain(name, wildcard)


def test_host_names_at_the_edges() -> None:
    from zonegen.checks.bindfile import is_hostname

    for name in (
        ".",
        "",
        "..",
        "*",
        "*.",
        "*..",
        "*.a",
        "**.a",
        "a.*",
        "a-.b",
        "-a.b",
        "a--b.c",
        "a" * 63 + ".",
        "x." * 126 + "y.",
        "a-" * 200 + "a",
        "a-" * 200 + "-",
        "mx.example.org.",
        "_dmarc.example.org.",
        "1.2.3.4.",
    ):
        for wildcard in (False, True):
            is_hostname.cache_clear()
            assert is_hostname(name, wildcard=wildcard) == _is_hostname_plain(name, wildcard)
