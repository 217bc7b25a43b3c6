"""``HOST[:PORT]`` arguments, IPv6 in brackets (``[2001:db8::53]:5353``)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

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
    """Parse ``HOST[:PORT]``; HOST must be an IP address for DNS servers (no lookups)."""
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
        if what != "--smtp":
            raise InputError(f"{what} {text!r}: give an IP address (HOST[:PORT])") from None
    return Server(host, port)
