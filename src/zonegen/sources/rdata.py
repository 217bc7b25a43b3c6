"""Rdata from presentation text, quickly for the forms Mox prints.

dnspython's tokenizer is the reference and the fallback, but it costs about 200 us a
record; with a thousand domains that is most of a build. Mox's rdata come in a handful of
plain forms (``10 mx.example.com.``, ``3 1 1 <hex>``, ``"v=spf1 ..."``), which are built here
straight into dnspython's rdata classes; anything else (escapes, unusual spacing, other
types) goes through ``dns.rdata.from_text``. The tests hold both to equal rdata for every
record of the fixtures. Results are cached: a thousand domains print the same null SRVs,
CAA and host records a thousand times.
"""

from __future__ import annotations

import functools
import ipaddress
import re

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CAA
import dns.rdtypes.ANY.CNAME
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.NS
import dns.rdtypes.ANY.TLSA
import dns.rdtypes.IN.A
import dns.rdtypes.IN.AAAA
import dns.rdtypes.IN.SRV
import dns.tokenizer

from ..model import TXT_CHUNK, make_txt

IN = dns.rdataclass.IN
_NAME = r"(?:\.|(?:[A-Za-z0-9_*-]+\.)+)"  # absolute, plain labels only
_MX = re.compile(rf"(\d{{1,5}}) +({_NAME})")
_SRV = re.compile(rf"(\d{{1,5}}) +(\d{{1,5}}) +(\d{{1,5}}) +({_NAME})")
_CNAME = re.compile(_NAME)
_TLSA = re.compile(r"(\d{1,3}) +(\d{1,3}) +(\d{1,3}) +([0-9A-Fa-f]+)")
_CAA = re.compile(r'(\d{1,3}) +([A-Za-z0-9]+) +"([\x20\x21\x23-\x5b\x5d-\x7e]*)"')
_TXT = re.compile(r'(?:"[\x20\x21\x23-\x5b\x5d-\x7e]*" *)+')
_STRING = re.compile(r'"([\x20\x21\x23-\x5b\x5d-\x7e]*)"')


@functools.lru_cache(maxsize=65536)
def name(text: str) -> dns.name.Name:
    return _plain_name(text) if _CNAME.fullmatch(text) else _name_slow(text)


def _name_slow(text: str) -> dns.name.Name:
    return dns.name.from_text(text, origin=dns.name.root)


def _plain_name(text: str) -> dns.name.Name:
    """An absolute name of plain labels (``_NAME``) made from its labels: what
    ``dns.name.from_text`` gives (no escapes to undo, case kept), a third of its cost.
    ``Name`` checks the label and name lengths itself (RFC 1035 2.3.4)."""
    if text == ".":
        return dns.name.root
    return dns.name.Name(text.encode().split(b"."))


@functools.lru_cache(maxsize=65536)
def parse(rtype: str, text: str) -> dns.rdata.Rdata:
    """The rdata of ``rtype`` in ``text`` (names absolute; TXT joined and split at 255)."""
    return presented(rtype, text)[0]


def presented(rtype: str, text: str) -> tuple[dns.rdata.Rdata, str]:
    """:func:`parse`, and the rdata's presentation text (``rdata.to_text()``): the fast forms
    write it as they read it, dnspython formats the others."""
    text = text.strip()
    fast = _fast(rtype, text)
    if fast is not None:
        return fast
    rdata = slow(rtype, text)
    return rdata, str(rdata.to_text())


def slow(rtype: str, text: str) -> dns.rdata.Rdata:
    """dnspython's own parser (TXT strings joined and re-split at 255 octets)."""
    if rtype == "TXT":
        return _txt_slow(text)
    return dns.rdata.from_text(
        IN, dns.rdatatype.from_text(rtype), text, origin=dns.name.root, relativize=False
    )


def in_zone(rtype: str, text: str, zone: str) -> dns.rdata.Rdata:
    """The rdata of a presentation text whose names may be relative to ``zone`` (what octoDNS
    gives, ``Record.to_rrset().rdatas``); TXT joined and re-split at 255 octets. Raises
    dnspython's errors, of many types."""
    rdata = dns.rdata.from_text(
        IN, dns.rdatatype.from_text(rtype), text, origin=name(zone), relativize=False
    )
    return make_txt(b"".join(getattr(rdata, "strings", ()))) if rtype == "TXT" else rdata


def _fast(rtype: str, text: str) -> tuple[dns.rdata.Rdata, str] | None:
    """The rdata of the plain forms Mox prints and its presentation text, or None. The text
    of a plain name is its own text (dnspython escapes none of ``_NAME``'s characters), and a
    TXT of ``_STRING``'s characters is its 255-octet chunks quoted (RFC 1035 5.1: nothing in
    them needs an escape)."""
    m: re.Match[str] | None
    rdata: dns.rdata.Rdata
    if rtype == "TXT":
        if _TXT.fullmatch(text):
            value = "".join(_STRING.findall(text))
            # ASCII only (the pattern), so characters are octets and chunks are strings.
            chunks = [value[i : i + TXT_CHUNK] for i in range(0, len(value), TXT_CHUNK)] or [""]
            return make_txt(value.encode()), " ".join(f'"{chunk}"' for chunk in chunks)
    elif rtype == "MX" and (m := _MX.fullmatch(text)) and int(m[1]) < 65536:
        rdata = dns.rdtypes.ANY.MX.MX(IN, dns.rdatatype.MX, int(m[1]), name(m[2]))
        return rdata, f"{int(m[1])} {m[2]}"
    elif rtype == "SRV" and (m := _SRV.fullmatch(text)) and max(map(int, m.groups()[:3])) < 65536:
        priority, weight, port = int(m[1]), int(m[2]), int(m[3])
        rdata = dns.rdtypes.IN.SRV.SRV(IN, dns.rdatatype.SRV, priority, weight, port, name(m[4]))
        return rdata, f"{priority} {weight} {port} {m[4]}"
    elif rtype == "CNAME" and _CNAME.fullmatch(text):
        return dns.rdtypes.ANY.CNAME.CNAME(IN, dns.rdatatype.CNAME, name(text)), text
    elif rtype == "NS" and _CNAME.fullmatch(text):
        return dns.rdtypes.ANY.NS.NS(IN, dns.rdatatype.NS, name(text)), text
    elif rtype == "TLSA" and (m := _TLSA.fullmatch(text)) and len(m[4]) % 2 == 0:
        if max(int(m[1]), int(m[2]), int(m[3])) < 256:
            rdata = dns.rdtypes.ANY.TLSA.TLSA(
                IN, dns.rdatatype.TLSA, int(m[1]), int(m[2]), int(m[3]), bytes.fromhex(m[4])
            )
            return rdata, str(rdata.to_text())
    elif rtype == "CAA" and (m := _CAA.fullmatch(text)) and int(m[1]) < 256:
        rdata = dns.rdtypes.ANY.CAA.CAA(
            IN, dns.rdatatype.CAA, int(m[1]), m[2].encode(), m[3].encode()
        )
        return rdata, str(rdata.to_text())
    elif rtype in ("A", "AAAA"):
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return None
        if rtype == "A" and ip.version == 4:
            rdata = dns.rdtypes.IN.A.A(IN, dns.rdatatype.A, str(ip))
            return rdata, str(rdata.to_text())
        if rtype == "AAAA" and ip.version == 6:
            rdata = dns.rdtypes.IN.AAAA.AAAA(IN, dns.rdatatype.AAAA, str(ip))
            return rdata, str(rdata.to_text())
    return None


def _txt_slow(text: str) -> dns.rdata.Rdata:
    """A TXT rdata from one or more strings, joined and re-split at 255 octets.

    Mox splits DKIM keys into 100-character strings and leaves a long SPF (many listener IPs)
    as one string over 255 octets, which no zone file can hold. Both mean one value (RFC 7208
    3.3, RFC 6376 3.6.2.2), so the strings are joined and split again at the RFC 1035 limit.
    """
    tok = dns.tokenizer.Tokenizer(text)
    parts: list[bytes] = []
    while True:
        token = tok.get()
        if token.is_eol_or_eof():
            break
        if not (token.is_quoted_string() or token.is_identifier()):
            raise ValueError("expected a quoted string")
        value = token.unescape_to_bytes().value
        parts.append(value if isinstance(value, bytes) else value.encode())
    if not parts:
        raise ValueError("no string")
    return make_txt(b"".join(parts))
