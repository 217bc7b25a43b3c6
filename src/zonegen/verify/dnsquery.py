"""DNS queries as verify needs them: bounded in time, never fooled by a stray answer, and never
raising for anything a server or the network does.

- Each query has its own UDP socket, connected to the one server it asks: the kernel drops
  datagrams from any other address or port (RFC 5452 9.1: match the source), and no socket is
  ever shared between servers.
- An answer whose ID or question does not match (a late copy of an earlier answer, a guess),
  or that does not parse (garbage, compression loops), is ignored: verify keeps waiting until
  the query's deadline (RFC 5452 9.1) and only then says what it saw instead.
- Within the query's time the UDP question is sent three times, with the same ID, so a slow
  answer to the first copy still counts.
- A truncated answer (TC) is asked again over TCP (RFC 7766 5), within the same deadline: a
  server that drips its answer one byte at a time, or streams answers to other questions
  without pause, cannot stretch it. A TCP answer with TC set is no answer. A server whose
  TCP failed once is not asked over TCP again in this run.
- ICMP "port unreachable" comes back on the connected socket as ECONNREFUSED: "connection
  refused" at once, instead of waiting for a timeout.
- A server that gave no answer at all is not asked again in this run (``skipped``), so one
  dead server costs one query timeout, not one per record.
"""

from __future__ import annotations

import errno
import functools
import select
import socket
import threading
import time
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.RRSIG import RRSIG

from .servers import Server

TIMEOUT = 3.0  # seconds for one query, UDP resends and TCP included (--query-timeout)
SENDS = 3  # UDP copies of one question, spread evenly over its time
PAYLOAD = 1232  # EDNS buffer: no IP fragmentation (DNS Flag Day 2020)
MAX_MESSAGE = 65535  # the most a DNS message can be (RFC 1035 4.2.2: 16-bit length)

# Why a query got no usable answer. Transport failures only: an answer with an error rcode
# (SERVFAIL, REFUSED, ...) is an answer, read by the caller.
TIMEOUT_FAILURE = "timeout"
REFUSED = "refused"  # nothing listens there (ICMP port unreachable, TCP RST)
MALFORMED = "malformed"  # only answers that did not parse or did not match the question
CLOSED = "closed"  # TCP closed or reset before the answer was complete
NETWORK = "network"  # no route, network down, ...
DEADLINE = "deadline"  # verify's total time (--timeout) ran out
SKIPPED = "skipped"  # not asked: the server had given no answer earlier in this run
BAD_NAME = "bad-name"  # not asked: the name is no DNS name (RFC 1035 2.3.4), a fact of the name


@dataclass(frozen=True, slots=True)
class Answer:
    """What became of one query: a response, or why there is none."""

    message: dns.message.Message | None
    failure: str = ""
    detail: str = ""
    seconds: float = 0.0
    tcp: bool = False

    @property
    def rcode(self) -> str:
        return dns.rcode.to_text(self.message.rcode()) if self.message is not None else ""


@dataclass
class ServerStats:
    """How one server did over a run (what the report shows per server)."""

    queries: int = 0  # sent
    answered: int = 0  # a response came back (any rcode)
    seconds: float = 0.0  # summed over its queries
    slowest: float = 0.0
    slowest_query: str = ""
    skipped: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # failure kind -> count
    first_failure: str = ""  # the detail of the first failure, for the report line
    rcodes: dict[str, int] = field(default_factory=dict)  # rcode name -> count
    first: float = 0.0  # time.monotonic() when the first query was sent (0: none yet)
    last: float = 0.0  # when the last one ended

    @property
    def span(self) -> float:
        """Wall time from its first query to its last answer (the queries overlap)."""
        return max(0.0, self.last - self.first)

    def timed(self, start: float, end: float) -> None:
        self.first = min(self.first, start) if self.first else start
        self.last = max(self.last, end)

    def merge(self, other: ServerStats) -> None:
        if other.first:
            self.timed(other.first, other.last)
        self.queries += other.queries
        self.answered += other.answered
        self.seconds += other.seconds
        if other.slowest > self.slowest:
            self.slowest, self.slowest_query = other.slowest, other.slowest_query
        self.skipped += other.skipped
        for k, n in other.failures.items():
            self.failures[k] = self.failures.get(k, 0) + n
        for k, n in other.rcodes.items():
            self.rcodes[k] = self.rcodes.get(k, 0) + n
        self.first_failure = self.first_failure or other.first_failure


class Asker:
    """Asks servers within one run's limits, and keeps each server's statistics."""

    def __init__(self, *, timeout: float = TIMEOUT, deadline: float | None = None) -> None:
        self.timeout = timeout
        self.deadline = deadline  # time.monotonic() value, or None for no total limit
        self.stats: dict[Server, ServerStats] = {}
        self._dead: dict[Server, str] = {}
        # Servers whose TCP failed after a truncated UDP answer: later truncated answers
        # from them end at once with that reason, instead of costing a query timeout each.
        self._tcp_dead: dict[Server, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def child(self) -> Asker:
        """The same limits and the servers known dead, with statistics of its own (for a
        forked process, whose statistics are merged back)."""
        other = Asker(timeout=self.timeout, deadline=self.deadline)
        other._dead = dict(self._dead)
        other._tcp_dead = dict(self._tcp_dead)
        return other

    def ask(
        self,
        server: Server,
        name: str,
        rtype: str,
        *,
        recursion: bool,
        checking_disabled: bool = False,
        dnssec: bool = True,
    ) -> Answer:
        """One question; with ``dnssec`` the DO bit (RFC 3225) so that RRSIGs come along.
        With ``recursion`` RD and AD (RFC 6840 5.7: ask for the AD bit), else RD clear."""
        what = f"{name} {rtype}"
        try:
            q = dns.message.make_query(name, rtype, want_dnssec=dnssec, payload=PAYLOAD)
        except (dns.exception.DNSException, ValueError) as e:  # ValueError: IDNA's
            # RFC 1035 2.3.4: labels of at most 63 octets, names of at most 255. A name built
            # from what a record says (a DMARC report destination's authorization name, RFC
            # 7489 7.1) can be longer: no one can ask it. Said as such, never sent, and no
            # mark against the server.
            return Answer(None, BAD_NAME, f"{e} (RFC 1035 2.3.4)")
        with self._lock:
            stats = self.stats.setdefault(server, ServerStats())
            if server in self._dead:
                stats.skipped += 1
                return Answer(None, SKIPPED, self._dead[server])
        start = time.monotonic()
        expiration = start + self.timeout
        if self.deadline is not None and self.deadline < expiration:
            expiration = self.deadline
            if start >= expiration:
                with self._lock:
                    stats.failures[DEADLINE] = stats.failures.get(DEADLINE, 0) + 1
                return Answer(None, DEADLINE, "not asked: verify's total time ran out")
        if recursion:
            q.flags |= dns.flags.RD | dns.flags.AD
        else:
            q.flags &= ~dns.flags.RD
        if checking_disabled:
            q.flags |= dns.flags.CD
        answer = _ask(q, server, expiration, self._tcp_dead.get(server))
        if answer.failure == TIMEOUT_FAILURE and expiration == self.deadline:
            answer = Answer(None, DEADLINE, "no answer before verify's total time ran out")
        end = time.monotonic()
        seconds = end - start
        answer = Answer(answer.message, answer.failure, answer.detail, seconds, answer.tcp)
        with self._lock:
            stats.timed(start, end)
            stats.queries += 1
            stats.seconds += seconds
            if seconds > stats.slowest:
                stats.slowest, stats.slowest_query = seconds, what
            if answer.message is not None:
                stats.answered += 1
                rcode = answer.rcode
                if rcode not in ("NOERROR", "NXDOMAIN"):
                    stats.rcodes[rcode] = stats.rcodes.get(rcode, 0) + 1
            else:
                stats.failures[answer.failure] = stats.failures.get(answer.failure, 0) + 1
                stats.first_failure = stats.first_failure or answer.detail
                # No answer over UDP at all: the server is down or hostile; asking it again
                # would only spend the run's time. TCP-only trouble leaves UDP usable.
                if answer.failure != DEADLINE and not answer.tcp:
                    self._dead.setdefault(server, answer.detail)
                elif answer.failure not in (DEADLINE, SKIPPED):
                    self._tcp_dead.setdefault(server, (answer.failure, answer.detail))
        return answer


def _ask(
    q: dns.message.Message,
    server: Server,
    expiration: float,
    tcp_failed: tuple[str, str] | None = None,
) -> Answer:
    response, failure, detail = _udp(q, server, expiration)
    if failure != "truncated":
        return Answer(response, failure, detail)
    if tcp_failed is not None:
        return Answer(None, tcp_failed[0], tcp_failed[1], tcp=True)
    response, failure, detail = _tcp(q, server, expiration)
    if failure:
        detail = f"truncated UDP answer, then over TCP: {detail}"
    return Answer(response, failure, detail, tcp=True)


def _family(server: Server) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in server.host else socket.AF_INET


def _wait(sock: socket.socket, events: int, until: float) -> bool:
    """Wait for ``events`` on ``sock`` until the monotonic time ``until``; poll, not select,
    so a run with many sockets open is not limited to descriptors below 1024."""
    remaining = until - time.monotonic()
    if remaining <= 0:
        return False
    poller = select.poll()
    poller.register(sock, events)
    return bool(poller.poll(remaining * 1000))


def _udp(
    q: dns.message.Message, server: Server, expiration: float
) -> tuple[dns.message.Message | None, str, str]:
    """The answer over UDP; failure ``truncated`` when the server set TC."""
    wire = q.to_wire()
    start = time.monotonic()
    sends = [start + i * (expiration - start) / SENDS for i in range(SENDS)]
    ignored: list[str] = []
    with socket.socket(_family(server), socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        try:
            sock.connect((server.host, server.port))
        except OSError as e:
            return None, NETWORK, f"cannot send to {server}: {e.strerror or e}"
        while True:
            now = time.monotonic()
            if now >= expiration:
                return None, *_no_answer(server, expiration - start, ignored)
            if sends and now >= sends[0]:
                sends.pop(0)
                try:
                    sock.send(wire)
                except ConnectionRefusedError:
                    return None, REFUSED, _refused(server, "UDP")
                except BlockingIOError:
                    pass
                except OSError as e:
                    return None, NETWORK, f"cannot send to {server}: {e.strerror or e}"
            if not _wait(sock, select.POLLIN, min([expiration, *sends[:1]])):
                continue
            try:
                data = sock.recv(MAX_MESSAGE)
            except BlockingIOError:
                continue
            except ConnectionRefusedError:
                return None, REFUSED, _refused(server, "UDP")
            except OSError as e:
                return None, NETWORK, f"{server}: {e.strerror or e}"
            response, why = _parse(q, data)
            if response is not None:
                return response, "", ""
            if why == "truncated":
                return None, "truncated", ""
            ignored.append(why)


def _parse(q: dns.message.Message, data: bytes) -> tuple[dns.message.Message | None, str]:
    """A response to ``q`` from ``data``, or why ``data`` is not one."""
    try:
        response = dns.message.from_wire(data, raise_on_truncation=True)
    except dns.message.Truncated as e:
        partial = e.kwargs.get("message")
        if isinstance(partial, dns.message.Message) and q.is_response(partial):
            return None, "truncated"
        return None, "a truncated answer to another question"
    except Exception as e:  # bytes from the network: whatever the parser says, not an answer
        return None, f"a malformed answer ({type(e).__name__}: {str(e)[:80]})"
    if not q.is_response(response):
        return None, "an answer with the wrong ID or question"
    return response, ""


def _no_answer(server: Server, waited: float, ignored: list[str]) -> tuple[str, str]:
    if not ignored:
        return TIMEOUT_FAILURE, f"no answer from {server} within {waited:.1f} s"
    kinds = sorted(set(ignored))
    return MALFORMED, (
        f"no usable answer from {server} within {waited:.1f} s: ignored "
        f"{len(ignored)} ({'; '.join(kinds)[:200]})"
    )


def _refused(server: Server, how: str) -> str:
    return f"connection refused by {server} ({how}): nothing answers DNS on that port"


def _tcp(
    q: dns.message.Message, server: Server, expiration: float
) -> tuple[dns.message.Message | None, str, str]:
    """The answer over TCP, within ``expiration`` (monotonic) for the whole exchange."""
    # dnspython's TCP helpers take an absolute time.time() deadline.
    wall = time.time() + (expiration - time.monotonic())
    with socket.socket(_family(server), socket.SOCK_STREAM) as sock:
        sock.setblocking(False)
        err = sock.connect_ex((server.host, server.port))
        if err in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY):
            if not _wait(sock, select.POLLOUT, expiration):
                return None, TIMEOUT_FAILURE, f"no TCP connection to {server} in time"
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err == errno.ECONNREFUSED:
            return None, REFUSED, _refused(server, "TCP")
        if err:
            return None, NETWORK, f"no TCP connection to {server}: {errno.errorcode.get(err)}"
        ignored = 0
        try:
            dns.query.send_tcp(sock, q, wall)
            while True:
                # dnspython checks the deadline only when the socket would block: a server
                # that streams messages without pause would never be cut off. At most one
                # 64 KiB message is read past the deadline.
                if time.monotonic() >= expiration:
                    raise dns.exception.Timeout
                try:
                    response, _ = dns.query.receive_tcp(sock, wall)
                except (dns.exception.Timeout, EOFError, OSError):
                    raise
                except Exception as e:  # bytes from the network, as in _parse
                    return (
                        None,
                        MALFORMED,
                        (f"malformed TCP answer from {server} ({type(e).__name__}: {str(e)[:80]})"),
                    )
                if q.is_response(response):
                    if response.flags & dns.flags.TC:
                        # TC means nothing over TCP (RFC 7766 8): no more room is to be had.
                        return (
                            None,
                            MALFORMED,
                            (
                                f"{server} set TC over TCP too: the answer is cut short even "
                                "there (RFC 1035 4.1.1)"
                            ),
                        )
                    return response, "", ""
                ignored += 1  # not ours (a wrong ID): keep reading until the deadline
        except dns.exception.Timeout:
            if ignored:
                return (
                    None,
                    MALFORMED,
                    (
                        f"no usable TCP answer from {server} in time: ignored {ignored} with the "
                        "wrong ID or question"
                    ),
                )
            return None, TIMEOUT_FAILURE, f"no complete TCP answer from {server} in time"
        except EOFError:
            return None, CLOSED, f"{server} closed the TCP connection before answering"
        except ConnectionRefusedError:
            return None, REFUSED, _refused(server, "TCP")
        except OSError as e:
            return None, CLOSED, f"TCP connection to {server} failed: {e.strerror or e}"


@functools.lru_cache(maxsize=65536)
def parse_name(text: str) -> dns.name.Name:
    """A name from the built zones (valid by construction), parsed once per run."""
    return dns.name.from_text(text)


def answer_rrset(response: dns.message.Message, owner: str, rtype: str) -> dns.rrset.RRset | None:
    """The answer RRset for owner/type (following nothing), or None."""
    qname = parse_name(owner)
    rdtype = dns.rdatatype.from_text(rtype)
    for rrset in response.answer:
        if rrset.rdtype == rdtype and rrset.name == qname:
            return rrset
    return None


def rrsigs_for(section: list[dns.rrset.RRset], owner: dns.name.Name, rdtype: int) -> list[RRSIG]:
    """The RRSIGs at ``owner`` that cover ``rdtype``."""
    return [
        sig
        for rrset in section
        if rrset.rdtype == dns.rdatatype.RRSIG and rrset.name == owner
        for sig in rrset
        if isinstance(sig, RRSIG) and sig.type_covered == rdtype
    ]


def extended_errors(response: dns.message.Message) -> tuple[tuple[int, str], ...]:
    """Extended DNS Errors (RFC 8914) in ``response``: (code, text as dnspython writes it)."""
    return tuple((int(e.code), e.to_text()[:300]) for e in response.extended_errors())
