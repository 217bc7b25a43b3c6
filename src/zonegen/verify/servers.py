"""The arguments of ``zonegen verify`` that name servers and keys: ``HOST[:PORT]`` (IPv6 in
brackets, ``[2001:db8::53]:5353``), ``--https-resolve NAME:ADDR:PORT`` and ``--ds`` records."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from .. import names
from ..errors import InputError
from ..text import digits


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_server(text: str, *, default_port: int, what: str) -> Server:
    """Parse ``ADDR[:PORT]``; ADDR must be an IP address (no lookups)."""
    host, port_text = text, ""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise InputError(f"{what} {text!r}: expected [IPV6]:PORT")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    port = default_port
    if port_text:
        if not digits(port_text) or not 0 < int(port_text) < 65536:
            raise InputError(f"{what} {text!r}: bad port")
        port = int(port_text)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        # A name would go to the system resolver (getaddrinfo), which verify never asks and
        # whose wait no deadline of verify's can cut short.
        raise InputError(
            f"{what} {text!r}: give an IP address (ADDR[:PORT], IPv6 as [ADDR]:PORT); verify "
            "looks no name up outside DNS it is told to ask"
        ) from None
    return Server(host, port)


def parse_resolve(text: str) -> tuple[str, Server]:
    """``NAME:ADDR:PORT`` (ADDR an IP, IPv6 in brackets) -> (absolute name, server)."""
    name, sep, rest = text.partition(":")
    if not sep or not rest:
        raise InputError(f"--https-resolve {text!r}: give NAME:ADDR:PORT")
    try:
        host = names.absolute(name)
    except ValueError as e:
        raise InputError(f"--https-resolve {text!r}: {e}") from None
    server = parse_server(rest, default_port=443, what="--https-resolve")
    return host, server


def parse_ds(text: str) -> tuple[str, dns.rdata.Rdata]:
    """``--ds 'ZONE [TTL] [IN] DS KEYTAG ALGORITHM DIGESTTYPE DIGEST'``, as ``dig DS`` prints
    it (the zone may come without its final dot)."""
    usage = "give ZONE DS KEYTAG ALGORITHM DIGESTTYPE DIGEST"
    tokens = text.split()
    if len(tokens) < 2:
        raise InputError(f"--ds {text!r}: {usage}")
    owner, rest = tokens[0], tokens[1:]
    if rest and digits(rest[0]) and len(rest) > 4:
        rest = rest[1:]  # a TTL
    if rest and rest[0].upper() == "IN":
        rest = rest[1:]
    if rest and rest[0].upper() == "DS":
        rest = rest[1:]
    try:
        zone = dns.name.from_text(owner).to_text().lower()
        rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, " ".join(rest))
    except (dns.exception.DNSException, ValueError) as e:
        raise InputError(f"--ds {text!r}: {e} ({usage})") from None
    return zone, rdata
