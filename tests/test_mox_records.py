"""The reader of Mox's printed records: grammar, versions, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from zonegen.errors import InputError
from zonegen.model import txt_text
from zonegen.sources import read_mox_output
from zonegen.sources.mox_records import parse_mox_output

HEADER = "; Time To Live of 5 minutes\n; Once your setup is working\n$TTL 300\n\n"


def parse(text: str, path: str = "t.txt"):
    return parse_mox_output(text, path)


def test_quickstart_log_and_dnsrecords_give_the_same_records() -> None:
    for variant in ("v13-ipv4-basic", "v15-dualstack-dnssec", "v17-dualstack-dnssec"):
        d = FIXTURES / variant
        log = read_mox_output(d / "quickstart.log")
        (dnsrecords,) = [read_mox_output(p) for p in d.glob("dnsrecords-*.txt")]
        assert {r.key for r in log.records} == {r.key for r in dnsrecords.records}
        assert {r.key for r in log.records if r.disabled} == {
            r.key for r in dnsrecords.records if r.disabled
        }


def test_multiline_dkim_is_joined_and_resplit_at_255() -> None:
    out = read_mox_output(FIXTURES / "v17-dualstack-dnssec" / "dnsrecords-example.org.txt")
    (dkim,) = [r for r in out.records if r.name == "2026a._domainkey.example.org."]
    value = txt_text(dkim.rdata)
    assert value.startswith("v=DKIM1;h=sha256;p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsBKf")
    assert value.endswith("MNW8QIDAQAB")
    assert len(value) == 411  # RSA-2048: 5 chunks of Mox's 100 characters, joined
    assert [len(s) for s in dkim.rdata.strings] == [255, 156]
    assert dkim.origin.line == 36  # the line with the owner name


def test_ed25519_dkim_and_old_null_srv_of_v013() -> None:
    out = read_mox_output(FIXTURES / "v13-ipv4-basic" / "dnsrecords-example.com.txt")
    by_name = {(r.name, r.rtype): r for r in out.records}
    ed = by_name[("2026a._domainkey.example.com.", "TXT")]
    assert txt_text(ed.rdata) == (
        "v=DKIM1;h=sha256;k=ed25519;p=V2pH96U8gNKsRSbX/HXFxnuHidkWGY9rlrltLi7f4y0="
    )
    assert by_name[("_imap._tcp.example.com.", "SRV")].value == "0 1 143 ."
    tlsa = [r for r in out.records if r.rtype == "TLSA"]
    assert len(tlsa) == 2 and all(r.disabled for r in tlsa)
    assert all(not r.disabled for r in out.records if r.rtype != "TLSA")


def test_ttl_comments_and_the_literal_semicolon_space_line() -> None:
    text = HEADER + "; \n;\n;; not a record\nexample.com.   MX 10 mail.example.com.\n"
    (mx,) = parse(text).records
    assert (mx.name, mx.rtype, mx.ttl, mx.value) == (
        "example.com.",
        "MX",
        300,
        "10 mail.example.com.",
    )
    assert parse('$TTL 3600\nexample.com. TXT "x"\n').records[0].ttl == 3600


def test_ttl_and_class_written_by_hand_are_accepted() -> None:
    (rec,) = parse(HEADER + 'example.com. 60 IN TXT "v=spf1 -all"\n').records
    assert rec.ttl == 60 and txt_text(rec.rdata) == "v=spf1 -all"


def test_commented_caa_with_relative_client_settings_name() -> None:
    # admin/dnsrecords.go prints the client-settings CAA without a trailing dot.
    text = HEADER + ';; mail.example.com    CAA 0 issue "letsencrypt.org; accounturi=x"\n'
    (rec,) = parse(text).records
    assert rec.disabled and rec.name == "mail.example.com." and rec.rtype == "CAA"


def test_idn_names_stay_a_labels() -> None:
    text = HEADER + "xn--mnchen-3ya.example.   MX 10 mail.xn--mnchen-3ya.example.\n"
    (mx,) = parse(text).records
    assert mx.name == "xn--mnchen-3ya.example."
    assert mx.describe() == "münchen.example. MX"


def test_crlf_line_ends() -> None:
    text = (HEADER + 'a.example. TXT (\n \t\t"abc"\n \t\t"def"\n\t)\n').replace("\n", "\r\n")
    (rec,) = parse(text).records
    assert txt_text(rec.rdata) == "abcdef"


def test_long_single_spf_string_is_split_at_255() -> None:
    ips = " ".join(f"ip4:198.51.100.{i}" for i in range(1, 40))
    (rec,) = parse(HEADER + f'example.com. TXT "v=spf1 {ips} mx ~all"\n').records
    value = txt_text(rec.rdata)
    assert len(value) > 255 and value.endswith(" mx ~all")
    assert all(len(s) <= 255 for s in rec.rdata.strings)
    assert len(rec.rdata.strings[0]) == 255


def test_quickstart_block_ends_at_two_blank_lines() -> None:
    text = (
        "prose\nAdmin password: abc;def\n\n"
        + HEADER
        + "a.example. MX 10 b.example.\n\n\n\nWARNING: x\n$TTL 1\n"
    )
    out = parse(text)
    assert len(out.records) == 1 and out.default_ttl == 300


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (HEADER + "example.com. MX 10\n", 5, "malformed MX data: Mox writes PREFERENCE HOST."),
        (HEADER + "example.com. HINFO a b\n", 5, "unknown record type (the field after"),
        (HEADER + "example.com.\n", 5, "no type and data"),
        (HEADER + "example.com. TXT\n", 5, "no data"),
        (HEADER + "example.com MX 10 a.example.\n", 5, "not absolute"),
        (HEADER + 'example.com. TXT (\n \t\t"abc"\n', 5, "not closed"),
        (HEADER + 'example.com. TXT (\n \t\t"abc"\nnext.example. MX 1 a.\n', 5, "not closed"),
        (HEADER + 'example.com. TXT "unterminated\n', 5, "malformed TXT"),
        (HEADER + "$ORIGIN example.com.\n", 5, "unsupported directive"),
        (HEADER + '\t"stray"\n', 5, "indented line"),
        (HEADER + "_25._tcp.mail.example.com. TLSA 3 1 1 zz\n", 5, "malformed TLSA"),
        ("no records here\n", None, "no DNS records found"),
        (HEADER, 3, "holds no records"),
    ],
)
def test_bad_input_names_file_and_line(text: str, line: int | None, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse(text, "records.txt")
    assert info.value.path == "records.txt"
    assert info.value.line == line
    assert fragment in str(info.value)


def test_truncated_quickstart_log() -> None:
    log = (FIXTURES / "v17-dualstack-dnssec" / "quickstart.log").read_text()
    cut = log[: log.index("_dmarc.example.org.")]
    with pytest.raises(InputError, match="truncated"):
        parse(cut, "quickstart.log")


def test_failed_quickstart_has_no_records() -> None:
    with pytest.raises(InputError, match="no DNS records found") as info:
        read_mox_output(FIXTURES / "v17-fail-no-resolver" / "quickstart.log")
    assert "quickstart.log" in str(info.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_mox_output(tmp_path / "nope.txt")
    (tmp_path / "bin.txt").write_bytes(b"$TTL 300\n\xff\xfe\n")
    with pytest.raises(InputError, match="not UTF-8") as info:
        read_mox_output(tmp_path / "bin.txt")
    assert info.value.line == 2


def test_error_messages_never_quote_the_log() -> None:
    # A damaged log can put a password line inside the block; the message names the line only.
    secret = "Admin password: s3cr3t;Pw#1"
    text = "intro\n\n" + HEADER + secret + "\nexample.com. MX 10 a.example.\n"
    with pytest.raises(InputError) as info:
        parse(text, "quickstart.log")
    assert "s3cr3t" not in str(info.value)
    assert info.value.line == 7


@settings(max_examples=400, deadline=None)
@given(
    secret=st.from_regex(r"[A-Za-z]{3}[0-9][A-Za-z0-9;#.:_-]{4,16}", fullmatch=True),
    field=st.integers(0, 4),
    rtype=st.sampled_from(["MX", "TXT", "TLSA", "SRV", "CAA", "A", "AAAA", "CNAME", "HINFO"]),
    commented=st.booleans(),
)
def test_no_message_quotes_a_token_of_its_line(
    secret: str, field: int, rtype: str, commented: bool
) -> None:
    """A password can stand in any field of a record-shaped line: whatever the parser says
    about that line, the password is not in it (nor in the file's other messages)."""
    fields = ["example.com.", "300", rtype, "10", "mail.example.com."]
    fields[field] = secret
    line = ("\t;; " if commented else "") + " ".join(fields)
    text = HEADER + line.lstrip("\t") + "\n" + secret + ". MX 10 " + secret + "\n"
    try:
        parse(text, "quickstart.log")
    except InputError as e:
        assert secret.lower() not in str(e).lower()
        assert secret.rstrip(".").lower() not in str(e).lower()


_REAL = [
    (FIXTURES / v / "quickstart.log").read_text()
    for v in ("v17-dualstack-dnssec", "v13-ipv4-basic", "v17-ipv4-basic")
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(_REAL),
    cuts=st.lists(st.tuples(st.integers(0, 20000), st.integers(0, 400)), max_size=4),
    junk=st.text(max_size=60),
    at=st.integers(0, 20000),
)
def test_mangled_logs_raise_only_input_error(
    base: str, cuts: list[tuple[int, int]], junk: str, at: int
) -> None:
    text = base
    for start, length in cuts:
        start %= max(len(text), 1)
        text = text[:start] + text[start + length :]
    at %= max(len(text), 1)
    text = text[:at] + junk + text[at:]
    try:
        out = parse(text, "quickstart.log")
    except InputError as e:
        assert e.path == "quickstart.log"
    else:
        assert out.records


def test_dnsrecords_with_stderr_mixed_in() -> None:
    # `mox config dnsrecords example.org > f 2>&1` offline: the ACME error comes first.
    stdout = (FIXTURES / "v17-dualstack-dnssec" / "dnsrecords-example.org.txt").read_text()
    stderr = (FIXTURES / "v17-dualstack-dnssec" / "dnsrecords-example.org.stderr").read_text()
    mixed = parse(stderr + stdout, "f")
    assert {r.key for r in mixed.records} == {r.key for r in parse(stdout).records}


def _key(out):
    return sorted((r.name, r.rtype, r.value, r.ttl, r.disabled) for r in out.records)


def _cuts(data: str) -> list[int]:
    """Every line end (before and after its newline) and a cut inside each line."""
    offsets, pos = set(), 0
    for line in data.split("\n"):
        end = pos + len(line)
        offsets |= {end, end + 1, pos + len(line) // 2}
        pos = end + 1
    return sorted(o for o in offsets if o < len(data))


PRINTED = sorted(FIXTURES.glob("*/dnsrecords-*.txt")) + sorted(
    p for p in FIXTURES.glob("*/quickstart.log") if p.parent.name != "v17-fail-no-resolver"
)


@pytest.mark.parametrize("path", PRINTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_prefix_is_refused_or_whole(path: Path) -> None:
    """A file Mox printed, cut anywhere (a copy that stopped, a paste that missed the end),
    gives all of Mox's records or an InputError naming the file and a line: never a part
    of the records (a build would publish it, and a sync delete the rest)."""
    text = path.read_text()
    whole = _key(parse(text, "f"))
    # The one cut no reader can see: Mox prints the CAA group last and only with ACME, so a
    # cut right after the last _pop3s SRV reads as Mox's output without ACME (the build's
    # CAA check against mox.conf catches it when mox.config is given).
    no_caa = [r for r in whole if r[1] != "CAA"]
    end_of_srvs = text.rindex("SRV 0 ") + text[text.rindex("SRV 0 ") :].index("\n")
    refused = 0
    for off in _cuts(text):
        try:
            out = parse(text[:off], "f")
        except InputError as e:
            assert e.path == "f" and (e.line or "no DNS records" in str(e)), (off, str(e))
            refused += 1
            continue
        if not text[end_of_srvs:off].strip():
            assert _key(out) in (whole, no_caa), off
            continue
        assert _key(out) == whole, f"cut at {off}: {text[max(0, off - 60) : off]!r}"
    assert refused > len(_cuts(text)) // 2


@pytest.mark.parametrize(
    ("cut_after", "line_of"),
    [
        ("MX 10 mail.example.com.\n", "MX 10"),  # the MX's domain has no _pop3s SRV
        ('"v=spf1 a -all"\n', "$TTL"),  # no MX at all
        ("_pop3s._tcp.example.com.        SRV 0 0 0 .\n\n; Optional:\n", "; Optional:"),
    ],
)
def test_a_cut_dnsrecords_file_names_the_line(cut_after: str, line_of: str) -> None:
    text = (FIXTURES / "v17-ipv4-basic" / "dnsrecords-example.com.txt").read_text()
    cut = text[: text.index(cut_after) + len(cut_after)]
    with pytest.raises(InputError, match="cut off") as info:
        parse(cut, "f")
    lines = cut.split("\n")
    assert info.value.line == next(i for i, ln in enumerate(lines, 1) if line_of in ln)


def test_a_log_cut_after_a_blank_line_is_truncated() -> None:
    # "...record\n\n" once read as the block's two closing blank lines ("" after the last "\n").
    log = (FIXTURES / "v17-ipv4-basic" / "quickstart.log").read_text()
    cut = log[: log.index("; Deliver email for the domain")]
    with pytest.raises(InputError, match="truncated"):
        parse(cut, "quickstart.log")


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: "\ufeff" + t,  # saved "UTF-8 with BOM"
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.replace("\n", "  \n"),  # trailing spaces, also after "(" and "\t)"
        lambda t: t.replace("\n", "\t\n"),
        lambda t: "\ufeff" + t.replace("\n", " \r\n"),
    ],
    ids=["bom", "crlf", "spaces", "tabs", "bom-crlf-spaces"],
)
def test_editor_quirks_read_the_same_and_cuts_are_still_refused(edit) -> None:
    path = FIXTURES / "v17-dualstack-dnssec" / "dnsrecords-example.org.txt"
    text = path.read_text()
    assert _key(parse(edit(text))) == _key(parse(text))
    cut = text[: text.index("_imap._tcp.")]
    with pytest.raises(InputError, match="cut off"):
        parse(edit(cut))


def test_two_joined_outputs_cut_inside_the_second_are_refused() -> None:
    """`cat a.txt b.txt`: each '$TTL' starts a block that must hold its MX, so the second
    file cut after its '$TTL' is not read as the first file alone."""
    first = (FIXTURES / "v17-multidomain" / "dnsrecords-example.com.txt").read_text()
    second = (FIXTURES / "v17-multidomain" / "dnsrecords-example.org.txt").read_text()
    both, alone = _key(parse(first + second)), _key(parse(first))
    assert {r[0] for r in both if r[1] == "MX"} == {"example.com.", "example.org."}
    no_caa = [r for r in both if r[:2] != ("example.org.", "CAA")]
    ttl = second.index("$TTL")
    for off in _cuts(second):
        try:
            out = _key(parse(first + second[:off]))
        except InputError as e:
            assert e.line
            continue
        # Before its $TTL, the second file is only comments; after the null SRVs, only the
        # CAA group may be missing (as in test_every_prefix_is_refused_or_whole).
        assert out in (both, no_caa) or (off <= ttl and out == alone), off
