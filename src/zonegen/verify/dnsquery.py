"""DNS queries as verify needs them: bounded time, retries, TCP when the answer is truncated."""

from __future__ import annotations

import socket
import threading

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from .servers import Server

TIMEOUT = 2.0
TRIES = 3


class Unreachable(Exception):
    """The server did not answer (after retries)."""


_LOCAL = threading.local()


def _socket(server: Server) -> socket.socket:
    """One UDP socket per thread and address family, reused for every query (dnspython
    matches answers to questions by id and source, so reuse is safe)."""
    family = socket.AF_INET6 if ":" in server.host else socket.AF_INET
    sockets: dict[int, socket.socket] = getattr(_LOCAL, "sockets", None) or {}
    _LOCAL.sockets = sockets
    if family not in sockets:
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sockets[family] = sock
    return sockets[family]


class _Dead:
    """Servers that gave no answer after all retries: later questions to them fail at once,
    so one unreachable server costs one timeout cycle, not one per record."""

    def __init__(self) -> None:
        self.servers: dict[Server, str] = {}
        self.lock = threading.Lock()


DEAD = _Dead()


def forget_dead() -> None:
    """Start a run afresh (a server that was down may be back)."""
    with DEAD.lock:
        DEAD.servers.clear()


def ask(
    server: Server,
    name: str,
    rtype: str,
    *,
    recursion: bool,
    checking_disabled: bool = False,
    dnssec: bool = True,
    timeout: float = TIMEOUT,
) -> dns.message.Message:
    """One question; with ``dnssec`` the DO bit (RFC 3225) so RRSIGs come along. UDP with a
    1232-byte EDNS buffer (no fragmentation), TCP when the answer is truncated."""
    q = dns.message.make_query(name, rtype, want_dnssec=dnssec, payload=1232)
    if recursion:
        q.flags |= dns.flags.RD | dns.flags.AD  # RFC 6840 5.7: ask for the AD bit
    else:
        q.flags &= ~dns.flags.RD
    if checking_disabled:
        q.flags |= dns.flags.CD
    with DEAD.lock:
        if server in DEAD.servers:
            raise Unreachable(DEAD.servers[server])
    last: Exception | None = None
    for _ in range(TRIES):
        try:
            response, _tcp = dns.query.udp_with_fallback(
                q, server.host, timeout=timeout, port=server.port, udp_sock=_socket(server)
            )
            return response
        except (dns.exception.Timeout, OSError, dns.exception.FormError) as e:
            last = e
    message = f"{server}: no answer for {name} {rtype} after {TRIES} tries ({last})"
    with DEAD.lock:
        DEAD.servers.setdefault(server, message)
    raise Unreachable(message)


def answer_rrset(response: dns.message.Message, name: str, rtype: str) -> dns.rrset.RRset | None:
    """The answer RRset for name/type (after following nothing), or None."""
    qname = dns.name.from_text(name)
    rdtype = dns.rdatatype.from_text(rtype)
    for rrset in response.answer:
        if rrset.name == qname and rrset.rdtype == rdtype:
            return rrset
    return None


def has_rrsig(response: dns.message.Message, name: str, rtype: str) -> bool:
    qname = dns.name.from_text(name)
    rdtype = dns.rdatatype.from_text(rtype)
    return any(
        rrset.name == qname
        and rrset.rdtype == dns.rdatatype.RRSIG
        and any(sig.type_covered == rdtype for sig in rrset)
        for rrset in response.answer
    )


def rcode_text(response: dns.message.Message) -> str:
    return dns.rcode.to_text(response.rcode())
