"""Digits that are not ASCII ('²', '٣') are text, never numbers: str.isdigit() accepts
'²' where int() refuses it, which once made a mangled log crash the reader (found by the
property test in test_mox_records.py)."""

from __future__ import annotations

import pytest

from zonegen.errors import InputError
from zonegen.text import digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [("300", True), ("²", False), ("٣", False), ("", False), ("3²", False), ("1e3", False)],
)
def test_digits_are_ascii_digits(text: str, expected: bool) -> None:
    assert digits(text) is expected


def test_a_superscript_ttl_in_mox_output_is_an_input_error() -> None:
    from zonegen.sources.mox_records import parse_mox_output

    text = "$TTL 300\nautoconfig.example.com. ² CNAME mail.example.com.\n"
    with pytest.raises(InputError) as e:
        parse_mox_output(text, "dnsrecords.txt")
    assert e.value.line == 2
    assert "unknown record type" in str(e.value)


@pytest.mark.parametrize("value", ["v=spf1 ip4:192.0.2.1/² -all", "v=spf1 a/² -all"])
def test_a_superscript_spf_cidr_is_a_syntax_error(value: str) -> None:
    from zonegen.mail.spf import SpfSyntaxError, parse

    with pytest.raises(SpfSyntaxError):
        parse(value)


def test_a_superscript_port_is_refused() -> None:
    from zonegen.verify.servers import parse_server

    with pytest.raises(InputError, match="bad port"):
        parse_server("127.0.0.1:5²", default_port=53, what="--nameserver")


def test_spf_host_ips_skip_a_prefix_that_is_no_number() -> None:
    from zonegen.mail.spf import host_addresses

    value = "v=spf1 ip4:192.0.2.1/² ip4:192.0.2.9/x ip4:192.0.2.2/32 ip6:2001:db8::1 -all"
    assert host_addresses(value) == ((3, "192.0.2.2"), (4, "2001:db8::1"))
