"""The cheaper forms the checks take (issue 13's speed) give the answers of the plain ones.

Each fast path here is held to the plain form it replaced, written out in the test: over
the lint corpus (tests/data/lint, records this project did not write), over generated text,
and where the argument is about characters, over every code point.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from zonegen.checks.bindfile import _split_first
from zonegen.mail import dkim, spf

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


def _split_first_plain(name: str) -> tuple[str, str, str]:
    i = 0
    while i < len(name):
        if name[i] == "\\":
            i += 2
            continue
        if name[i] == ".":
            return name[:i].replace("\\", ""), ".", name[i + 1 :]
        i += 1
    return name, "", ""


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab.\\ é", max_size=20))
def test_soa_contact_split_without_escapes(name: str) -> None:
    assert _split_first(name) == _split_first_plain(name)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", ".", "_domainkey", "_adsp", "x", "é"]), max_size=8))
def test_key_name_prefilter_rejects_no_key_name(parts: list[str]) -> None:
    """checks/dkim.py looks at names with '._domainkey.' in them only."""
    name = "".join(parts)
    if dkim.is_key_name(name):
        assert "._domainkey." in name
