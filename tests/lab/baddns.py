"""A misbehaving DNS server on 127.0.0.1 (UDP and TCP on one free high port): it gets its
answers from a real upstream (named) and then spoils them as its ``mode`` says.

Modes (one per server; each test starts what it needs through the module fixture):

| mode | UDP | TCP |
|---|---|---|
| good | the upstream's answer | the same |
| silent | nothing | nothing (connection accepted, never answered) |
| garbage | random bytes | random bytes |
| loop | a header and a question whose name is a compression pointer to itself | the same |
| truncated | TC set, no records | the upstream's answer |
| tc-close | TC set | connection closed after the question |
| drip | TC set | the answer, one byte every ``DRIP`` seconds |
| oversized | the answer padded past 4000 octets (more than the 1232 asked for) | the answer |
| wrong-id | first a copy with another ID, then the answer | the answer |
| wrong-source | the answer from another port and from 127.0.0.2, then from the right one | answer |
| spoof-only | the answer, but only from another port and from 127.0.0.2 | nothing |
| late-dup | first the previous question's answer again (late), then the answer | the answer |
| slow | the answer after ``SLOW`` seconds | the same |
| mangle | the answer with a few bytes after the ID changed | the same |
| servfail, refused, formerr, notauth, badvers | that rcode | the same |
| tc-forever | TC set, no records | TC set, no records |
| tcp-reset | TC set | connection reset (RST) after the question |
| prefix-only | TC set | the two-octet length (64 KiB), then nothing |
| tcp-flood | TC set | answers with another ID, without end, then never the answer |
| wrong-question | the answer with another name in its question section | the same |
| case | the answer with the question name in mIxEd case (a 0x20 echo) | the same |
| no-aa | the answer without the AA bit (a lame server) | the same |
| cname-mx | MX and ANY questions: a CNAME instead; the rest as upstream | the same |
| no-edns | the answer stripped of EDNS and DNSSEC records (an old server) | the same |
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import struct
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnslab import free_port

SLOW = 0.8
DRIP = 0.2
RCODES = {
    "servfail": dns.rcode.SERVFAIL,
    "refused": dns.rcode.REFUSED,
    "formerr": dns.rcode.FORMERR,
    "notauth": dns.rcode.NOTAUTH,
    "badvers": dns.rcode.BADVERS,
}
# The modes added after the first lab (each has its test in test_verify_lab.py).
MORE_MODES = [
    "tc-forever",
    "tcp-reset",
    "prefix-only",
    "tcp-flood",
    "wrong-question",
    "case",
    "no-aa",
    "cname-mx",
    "no-edns",
]
TC_MODES = ("truncated", "tc-close", "drip", "tc-forever", "tcp-reset", "prefix-only", "tcp-flood")


class BadDns:
    def __init__(self, mode: str, upstream_port: int) -> None:
        self.mode = mode
        self.upstream = upstream_port
        self.port = free_port()
        self.stopping = threading.Event()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.udp.settimeout(0.1)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(64)
        self.tcp.settimeout(0.1)
        self.last_answer = b""
        self.threads = [
            threading.Thread(target=self._serve_udp, daemon=True),
            threading.Thread(target=self._serve_tcp, daemon=True),
        ]
        self.queries = 0

    def __enter__(self) -> BadDns:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(5)
        self.udp.close()
        self.tcp.close()

    # ------------------------------------------------------------------ answers

    def _upstream(self, wire: bytes, *, tcp: bool) -> bytes:
        q = dns.message.from_wire(wire)
        try:
            if tcp:
                r = dns.query.tcp(q, "127.0.0.1", port=self.upstream, timeout=3)
            else:
                r = dns.query.udp(q, "127.0.0.1", port=self.upstream, timeout=3)
        except (dns.exception.DNSException, OSError):
            r = dns.message.make_response(q)
            r.set_rcode(dns.rcode.SERVFAIL)
        return r.to_wire()

    def _answer(self, wire: bytes, *, tcp: bool) -> bytes | None:
        mode = self.mode
        q = dns.message.from_wire(wire)
        if mode in RCODES:
            r = dns.message.make_response(q)
            r.set_rcode(RCODES[mode])
            return r.to_wire()
        if mode == "garbage":
            return os.urandom(40 + wire[1] % 200)
        if mode == "loop":
            # Header (id, QR, QDCOUNT 1), then a name that points at itself (offset 12).
            return (
                wire[:2] + b"\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00" + b"\xc0\x0c\x00\x01\x00\x01"
            )
        if mode == "slow":
            time.sleep(SLOW)
        if (not tcp and mode in TC_MODES) or mode == "tc-forever":
            r = dns.message.make_response(q)
            r.flags |= dns.flags.TC
            return r.to_wire()
        if mode == "cname-mx" and q.question[0].rdtype in (dns.rdatatype.MX, dns.rdatatype.ANY):
            r = dns.message.make_response(q)
            r.flags |= dns.flags.AA
            r.answer.append(
                dns.rrset.from_text(q.question[0].name, 300, "IN", "CNAME", "mx.example.org.")
            )
            return r.to_wire()
        answer = self._upstream(wire, tcp=tcp)
        if mode in ("wrong-question", "case", "no-aa", "no-edns"):
            r = dns.message.from_wire(answer)
            if mode == "wrong-question":
                r.question[0].name = dns.name.from_text("other.invalid.")
            elif mode == "case":
                text = r.question[0].name.to_text()
                mixed = "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))
                r.question[0].name = dns.name.from_text(mixed)
            elif mode == "no-aa":
                r.flags &= ~dns.flags.AA
            else:
                r.use_edns(False)
                for section in (r.answer, r.authority, r.additional):
                    section[:] = [
                        rs
                        for rs in section
                        if rs.rdtype
                        not in (dns.rdatatype.RRSIG, dns.rdatatype.NSEC, dns.rdatatype.NSEC3)
                    ]
            return r.to_wire()
        if mode == "mangle":
            spoiled = bytearray(answer)
            rng = random.Random(wire[2:])  # the same question is spoiled the same way
            for _ in range(rng.randint(1, 3)):
                spoiled[rng.randrange(2, len(spoiled))] ^= rng.randint(1, 255)
            return bytes(spoiled)
        if mode == "oversized" and not tcp:
            r = dns.message.from_wire(answer)
            pad = dns.rrset.from_text_list(
                "padding.invalid.", 0, "IN", "TXT", [f'"{"x" * 250}"' for _ in range(16)]
            )
            r.additional.append(pad)
            return r.to_wire()
        return answer

    # ------------------------------------------------------------------ UDP

    def _serve_udp(self) -> None:
        while not self.stopping.is_set():
            try:
                wire, client = self.udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.queries += 1
            threading.Thread(target=self._udp_one, args=(wire, client), daemon=True).start()

    def _udp_one(self, wire: bytes, client: tuple[str, int]) -> None:
        with contextlib.suppress(OSError, dns.exception.DNSException):
            if self.mode == "silent":
                return
            answer = self._answer(wire, tcp=False)
            if answer is None:
                return
            if self.mode == "wrong-id":
                other = struct.pack("!H", struct.unpack("!H", answer[:2])[0] ^ 0xFFFF)
                self.udp.sendto(other + answer[2:], client)
                time.sleep(0.05)
            elif self.mode in ("wrong-source", "spoof-only"):
                for source in ("127.0.0.1", "127.0.0.2"):
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                        s.bind((source, 0))
                        s.sendto(answer, client)
                if self.mode == "spoof-only":
                    return
                time.sleep(0.05)
            elif self.mode == "late-dup":
                previous, self.last_answer = self.last_answer, answer
                if previous:
                    self.udp.sendto(previous, client)
                    time.sleep(0.02)
            self.udp.sendto(answer, client)

    # ------------------------------------------------------------------ TCP

    def _serve_tcp(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._tcp_one, args=(conn,), daemon=True).start()

    def _tcp_one(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError, dns.exception.DNSException, struct.error):
            conn.settimeout(10)
            length = struct.unpack("!H", _read(conn, 2))[0]
            wire = _read(conn, length)
            if self.mode == "tc-close":
                return
            if self.mode == "tcp-reset":
                # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if self.mode == "prefix-only":
                conn.sendall(b"\xff\xff")
                self.stopping.wait(10)
                return
            if self.mode == "tcp-flood":
                answer = self._upstream(wire, tcp=True)
                other = struct.pack("!H", struct.unpack("!H", answer[:2])[0] ^ 0xFFFF)
                framed = struct.pack("!H", len(answer)) + other + answer[2:]
                deadline = time.monotonic() + 15
                while not self.stopping.is_set() and time.monotonic() < deadline:
                    conn.sendall(framed * 64)
                return
            if self.mode in ("silent", "spoof-only"):
                self.stopping.wait(10)
                return
            answer = self._answer(wire, tcp=True)
            if answer is None:
                return
            framed = struct.pack("!H", len(answer)) + answer
            if self.mode == "drip":
                for i in range(len(framed)):
                    if self.stopping.wait(DRIP):
                        return
                    conn.sendall(framed[i : i + 1])
                return
            conn.sendall(framed)


def _read(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data
