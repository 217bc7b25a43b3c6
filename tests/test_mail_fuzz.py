"""Crash hunting in zonegen.mail: every parser, fed arbitrary text and mutations of valid
records, may reject but never raises anything but its documented error, and never runs long.

Valid seeds are the valid records of tests/data/lint (records.yaml and the SPF suites); the
blitiri spf fuzz corpus (tests/data/lint/spf/blitirispf-fuzz.yml) goes through the SPF
parser, lint and check_host as it is. ``zonegen check`` then reads a Mox records file made of
such values and must exit 0 or 1 with problems, never with a traceback.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import random
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import Workspace, run
from spf_suite import SuiteLookup
from zonegen.mail import caa, dkim, dmarc, mtasts, spf, taglist, tlsa
from zonegen.mail.spf import UNKNOWN, Answer, SpfSyntaxError
from zonegen.mail.spf_eval import check_host

DATA = Path(__file__).parent / "data" / "lint"
RECORDS = yaml.safe_load((DATA / "records.yaml").read_text(encoding="utf-8"))["records"]
FUZZ = yaml.safe_load((DATA / "spf" / "blitirispf-fuzz.yml").read_text(encoding="utf-8"))
SLOW = 2.0  # seconds one call may take on a loaded 2-core machine; a parse takes well under 10 ms

# Any code point, lone surrogates included: TXT bytes decode with surrogateescape, and SMTP
# senders are whatever the client sent.
ANY_CHARACTER = st.characters(exclude_categories=())
# Characters the grammars give a meaning to, plus some they must refuse.
SIGNIFICANT = "%{}:/=;.,!-+_~ \t\r\n\"\\'0123456789aAzZvV@*?[]\x00\x7f\xe9\u200b\udcff"


def seeds(kind: str) -> list[str]:
    return [r["text"] for r in RECORDS if r["kind"] == kind]


def mutated(texts: list[str]) -> st.SearchStrategy[str]:
    """A seed with a few characters inserted, deleted, replaced or a slice repeated."""

    @st.composite
    def build(draw: Any) -> str:
        text = draw(st.sampled_from(texts))
        for _ in range(draw(st.integers(1, 4))):
            op = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "swapcase"]))
            i = draw(st.integers(0, len(text)))
            c = draw(st.one_of(st.sampled_from(SIGNIFICANT), ANY_CHARACTER))
            if op == "insert":
                text = text[:i] + c + text[i:]
            elif op == "delete":
                text = text[:i] + text[i + 1 :]
            elif op == "replace":
                text = text[:i] + c + text[i + 1 :]
            elif op == "repeat":
                j = draw(st.integers(i, min(len(text), i + 20)))
                text = text[:i] + text[i:j] * draw(st.integers(2, 200)) + text[j:]
            else:
                text = text.swapcase()
        return text

    return build()


def arbitrary(prefix: str = "") -> st.SearchStrategy[str]:
    """Arbitrary text, surrogates included (TXT bytes decode with surrogateescape), often
    behind the record's version so that parsers get past their first check."""
    body = st.text(st.one_of(st.sampled_from(SIGNIFICANT), ANY_CHARACTER), max_size=300)
    return st.one_of(body, body.map(lambda t: prefix + t)) if prefix else body


def timed(call: Callable[[], Any]) -> Any:
    start = time.monotonic()
    result = call()
    assert time.monotonic() - start < SLOW, "ran too long"
    return result


FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=timedelta(seconds=SLOW * 2),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a failure here is reproducible
)


class Nowhere:
    """A lookup that knows no name."""

    def ask(self, name: str, rdtype: str) -> Answer:
        return UNKNOWN


def _spf(text: str) -> None:
    with contextlib.suppress(SpfSyntaxError):
        timed(lambda: spf.parse(text))
    issues = timed(lambda: spf.lint("example.com", text, Nowhere()))
    assert all(isinstance(i, taglist.Issue) for i in issues)
    # evaluated as a receiver: the record at example.com, the names it names answered from
    # a small zone (include/redirect back to itself, a CNAME loop, an MX, a TXT)
    zone = {
        "example.com": [("TXT", text), ("MX", (10, "mx.example.com")), ("A", "192.0.2.1")],
        "mx.example.com": [("A", "192.0.2.2"), ("AAAA", "2001:db8::2")],
        "loop.example.com": [("CNAME", "loop.example.com")],
        "x.example": [("TXT", text)],
    }
    for ip in ("192.0.2.9", "2001:db8::9"):
        got = timed(
            lambda ip=ip: check_host(
                ip, "example.com", "l.p+x@example.com", SuiteLookup(zone), helo="h.example"
            )
        )
        assert got.result in (*spf.RESULTS, spf.UNKNOWN_RESULT)
        assert got.lookups <= spf.LOOKUP_LIMIT + 1


@FUZZ_SETTINGS
@given(st.one_of(arbitrary("v=spf1 "), mutated(seeds("spf") + FUZZ["records"])))
def test_spf_parser_lint_and_check_host_never_raise(text: str) -> None:
    _spf(text)


def test_spf_fuzz_corpus_of_another_implementation() -> None:
    for text in FUZZ["records"]:
        _spf(text)


def test_spf_repetition_is_bounded() -> None:
    """Macro transformers with huge digit counts, long include chains and fan-out of
    includes stay within the lookup limits and finish quickly."""
    _spf("v=spf1 exists:%{l99999999999999999999r+-.}.%{d4294967296}.%{ir}.x.example -all")
    _spf("v=spf1 " + " ".join("exists:%{d}%{l}%{s}%{o}%{h}%{i}%{v}.x.example" for _ in range(40)))
    # 3000 names deep: counting recursed once per name, into Python's recursion limit
    chain = {
        f"n{i}.example": [("TXT", f"v=spf1 include:n{i + 1}.example -all")] for i in range(3000)
    }
    fan = {
        f"f{i}.example": [
            ("TXT", "v=spf1 " + " ".join(f"include:f{j}.example" for j in range(60)) + " -all")
        ]
        for i in range(60)
    }
    for zone, start in ((chain, "n0.example"), (fan, "f0.example")):
        lookup = SuiteLookup(zone)
        count = timed(lambda lookup=lookup, start=start: spf.count_lookups(start, lookup))
        assert count.count > spf.LOOKUP_LIMIT
        got = timed(
            lambda lookup=lookup, start=start: check_host("192.0.2.1", start, "a@b.example", lookup)
        )
        assert got.result == "permerror"
        text = zone[start][0][1]
        issues = timed(lambda lookup=lookup, start=start, text=text: spf.lint(start, text, lookup))
        assert {i.code for i in issues} & {"too-many-lookups", "include-loop"}


@FUZZ_SETTINGS
@given(st.one_of(arbitrary("v=DMARC1; "), mutated(seeds("dmarc"))))
def test_dmarc_parser_never_raises(text: str) -> None:
    record = timed(lambda: dmarc.parse(text))
    assert all(isinstance(i, taglist.Issue) for i in record.issues)
    for key in ("rua", "ruf"):
        record.reports(key)


@FUZZ_SETTINGS
@given(st.one_of(arbitrary("v=DKIM1; p="), mutated(seeds("dkim"))))
def test_dkim_parser_never_raises(text: str) -> None:
    key = timed(lambda: dkim.parse(text))
    assert all(isinstance(i, taglist.Issue) for i in key.issues)


@FUZZ_SETTINGS
@given(st.binary(max_size=600), st.sampled_from(["rsa", "ed25519", "x"]))
def test_dkim_key_bytes_never_raise(raw: bytes, k: str) -> None:
    """Whatever p= decodes to (DER of any shape, unknown key algorithms) is judged, never
    raised out of cryptography."""
    key = timed(lambda: dkim.parse(f"v=DKIM1; k={k}; p={base64.b64encode(raw).decode()}"))
    if raw and k == "rsa":
        assert key.bits is not None or any(i.code == "key" for i in key.issues)


@FUZZ_SETTINGS
@given(
    st.one_of(
        arbitrary("v=STSv1; id="),
        arbitrary("v=TLSRPTv1; rua="),
        mutated(seeds("mta-sts") + seeds("tlsrpt")),
    )
)
def test_mta_sts_and_tlsrpt_parsers_never_raise(text: str) -> None:
    for check in (
        mtasts.sts_record,
        mtasts.tlsrpt_record,
        functools.partial(mtasts.misversioned, "mta-sts"),
        functools.partial(mtasts.misversioned, "tlsrpt"),
    ):
        timed(lambda check=check: check(text))
    with contextlib.suppress(mtasts.PolicyError):
        timed(lambda: mtasts.parse_policy(text.replace(";", "\n")))


@FUZZ_SETTINGS
@given(
    st.integers(0, 255),
    st.integers(0, 255),
    st.integers(0, 255),
    st.one_of(
        st.binary(max_size=300),
        st.sampled_from(
            [bytes.fromhex(r["text"].split()[3]) for r in RECORDS if r["kind"] == "tlsa"]
        ),
    ),
    st.text(max_size=80),
)
def test_tlsa_never_raises(usage: int, selector: int, mtype: int, data: bytes, owner: str) -> None:
    issues = timed(lambda: tlsa.issues(usage, selector, mtype, data, owner))
    assert all(isinstance(i, taglist.Issue) for i in issues)


@FUZZ_SETTINGS
@given(
    st.integers(0, 255),
    st.text(max_size=20),
    st.one_of(
        arbitrary(),
        mutated(
            [r["text"].split('"')[1] for r in RECORDS if r["kind"] == "caa" and '"' in r["text"]]
        ),
    ),
)
def test_caa_never_raises(flags: int, tag: str, value: str) -> None:
    for t in (tag, "issue", "issuewild", "iodef"):
        timed(lambda t=t: caa.issues(flags, t, value))


def test_unknown_key_algorithms_are_judged_not_raised() -> None:
    """An SPKI of an algorithm cryptography does not know (here OID 1.2.3.4) made
    load_der_public_key raise UnsupportedAlgorithm, a traceback out of zonegen check."""
    spki = bytes.fromhex("300c" + "3005" + "0603" + "2a0304" + "0303" + "000101")
    key = dkim.parse("v=DKIM1; p=" + base64.b64encode(spki).decode())
    assert [i.code for i in key.issues] == ["key"]  # not an RSA key: verifiers fail
    # for TLSA 3 1 0 the data is a well-formed SubjectPublicKeyInfo: nothing to say
    assert tlsa.issues(3, 1, 0, spki, "_25._tcp.mx.example.") == []
    assert [i.code for i in tlsa.issues(3, 1, 0, spki[:-1], "_25._tcp.mx.example.")] == ["data"]


# ------------------------------------------------------------------ zonegen check end to end


def _zone_text(value: str) -> str:
    """``value`` as TXT strings in zone-file syntax (255 octets each, escaped)."""
    data = value.encode("utf-8", "surrogateescape")
    chunks = [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
    out = []
    for chunk in chunks:
        out.append(
            '"'
            + "".join(
                chr(b) if 0x20 <= b < 0x7F and chr(b) not in '"\\' else f"\\{b:03d}" for b in chunk
            )
            + '"'
        )
    return " ".join(out)


def test_check_on_hostile_mox_output_exits_0_or_1(ws: Workspace) -> None:
    """A Mox records file whose SPF, DMARC, DKIM, MTA-STS, TLS-RPT, TLSA and CAA values are
    mutations of valid records (and the other implementation's fuzz corpus): zonegen check
    reports problems, with exit 1, and never a traceback."""
    rng = random.Random(18)

    def mutate(text: str) -> str:
        for _ in range(rng.randint(1, 4)):
            i = rng.randint(0, len(text))
            c = rng.choice(SIGNIFICANT)
            text = rng.choice(
                [text[:i] + c + text[i:], text[:i] + text[i + 1 :], text[:i] + c + text[i + 1 :]]
            )
        return text

    lines = ["$TTL 300", "example.net. MX 10 mx.example.net.", "mx.example.net. A 192.0.2.10"]
    prefixes = {
        "spf": "",
        "dmarc": "_dmarc.",
        "dkim": "s._domainkey.",
        "mta-sts": "_mta-sts.",
        "tlsrpt": "_smtp._tls.",
    }
    n = 0
    for kind, prefix in prefixes.items():
        values = seeds(kind)
        values = values + [mutate(v) for v in values] + (FUZZ["records"] if kind == "spf" else [])
        for value in values:
            n += 1
            lines.append(f"{prefix}h{n}.example.net. TXT {_zone_text(value)}")
    unknown_spki = "300c30050603" + "2a0304" + "0303000101"
    for text in [
        *seeds("tlsa"),
        f"3 1 0 {unknown_spki}",
        "3 0 0 00",
        "3 1 0 3000",
        "4 1 1 " + "ab" * 32,
    ]:
        n += 1
        lines.append(f"_25._tcp.h{n}.example.net. TLSA {text}")
    for text in seeds("caa"):
        n += 1
        lines.append(f"h{n}.example.net. CAA {text}")
    (ws.root / "mox.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ws.site("mox: {records: [mox.txt]}\nhost: {ipv4: [192.0.2.10]}\nzones: {example.net: {}}\n")
    result = run("check", "--site", ws.root / "site.yaml", "--format", "json")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.exit_code == 1, result.stderr[-3000:]
    assert '"ok": false' in result.stdout
    assert n > 1000


@pytest.mark.parametrize("text", ["v=spf1 " + "a " * 40000, "v=DMARC1; " + "p=none; " * 20000])
def test_huge_records_stay_quick(text: str) -> None:
    timed(lambda: spf.lint("example.com", text, Nowhere()))
    timed(lambda: dmarc.parse(text))
    timed(lambda: dkim.parse(text))


@FUZZ_SETTINGS
@given(
    st.one_of(arbitrary(), st.tuples(arbitrary(), arbitrary()).map("@".join)),
    arbitrary(),
    st.sampled_from(["192.0.2.9", "2001:db8::9", "::ffff:192.0.2.9"]),
)
@example("\udcff\u00e9@example.com", "h.example", "192.0.2.9")  # raised UnicodeEncodeError
@example("a@example.com", "\ud800.example", "2001:db8::9")
def test_check_host_takes_any_sender_and_helo(sender: str, helo: str, ip: str) -> None:
    """Senders and HELO names come from the SMTP session, not from the zone: whatever they
    hold, macro expansion (RFC 7208 7) ends in a result, not an exception."""
    record = (
        "v=spf1 exists:%{l}.%{o}.%{h}.%{s}.%{d2}.x.example a:%{L}.%{O}.example ~all "
        "exp=%{h}.e.example"
    )
    zone = {"example.com": [("TXT", record)], "h.e.example": [("TXT", "%{s} %{h} %{c} %{r} %{t}")]}
    got = timed(lambda: check_host(ip, "example.com", sender, SuiteLookup(zone), helo=helo))
    assert got.result in (*spf.RESULTS, spf.UNKNOWN_RESULT)
