"""Port 25: the certificate chain a mail server presents after STARTTLS (RFC 3207), read once
per server and name for the whole run (:class:`Chains`), and the two checks made of it:

- ``dane`` (``--dane``/``--smtp``, RFC 7672): every TLSA record of the mail host against the
  chain (RFC 6698 2.1: usage, selector, matching type). One matching record is enough: that
  is how a key rollover publishes two.
- ``tls`` (``--tls``): STARTTLS on each MX, and its certificate valid for the MX name by the
  Web PKI (``webpki.py``), not expiring within ``--cert-window`` days (Mox's "TLS" section
  of ``checkDomain``: a STARTTLS handshake with the system roots and the MX name). The MX
  hosts are those of the mail domains as the resolver gives them (a null MX names none);
  each of their addresses is asked on port 25, or ``--smtp HOST[:PORT]`` instead.

The SMTP conversation is bounded, whatever the server does: one deadline for all of it
(connection, replies, TLS handshake), reply lines of at most 512 octets (RFC 5321 4.5.3.1.5),
at most ``MAX_REPLY_LINES`` lines in one reply. TLS runs over memory BIOs so that the
handshake, too, reads the socket only within the deadline.
"""

from __future__ import annotations

import _ssl
import contextlib
import datetime
import hashlib
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from .. import names
from ..pipeline import Result
from . import webpki
from .dnsquery import ServerStats
from .findings import ERROR, FATAL, OK, Finding, Where, finding
from .lookup import LiveLookup
from .maildns import fault, first
from .mailsite import MailSite
from .servers import Server

SMTP_TIMEOUT = 30.0  # seconds for the whole conversation with one server
MAX_LINE = 512  # octets in a reply line, CRLF included (RFC 5321 4.5.3.1.5)
MAX_REPLY_LINES = 100  # lines in one (multi-line) reply: EHLO lists a few dozen at most
# Certificates of a presented chain that are read: real chains have 2 to 4; a hostile server
# may send hundreds (up to OpenSSL's 100 KiB), each parsed and hashed per TLSA record, and
# each listed in the finding.
MAX_CHAIN = 10

# What became of a conversation (the dane finding's status).
REFUSED = "refused"  # nothing listens on the port (fatal: DANE could not be checked)
UNREACHABLE = "unreachable"  # no connection or no reply in time (fatal)
SMTP_FAILED = "smtp-failed"  # the server broke the protocol (error)
NO_STARTTLS = "no-starttls"  # EHLO did not offer STARTTLS (error)
HANDSHAKE_FAILED = "handshake-failed"  # the TLS handshake failed (error)


class SmtpFailure(Exception):
    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Served:
    """The certificates the server presented, leaf first, as DER."""

    chain: tuple[bytes, ...]
    whole_chain: bool  # False when this Python could only give the leaf


class _Conversation:
    def __init__(self, sock: socket.socket, server: Server, deadline: float) -> None:
        self.sock = sock
        self.server = server
        self.deadline = deadline
        self.buffer = b""

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise SmtpFailure(UNREACHABLE, f"{self.server} did not finish in time")
        return left

    def recv(self) -> bytes:
        self.sock.settimeout(self.remaining())
        try:
            data = self.sock.recv(4096)
        except TimeoutError:
            raise SmtpFailure(UNREACHABLE, f"{self.server} stopped replying") from None
        except OSError as e:
            raise SmtpFailure(SMTP_FAILED, f"{self.server}: {e.strerror or e}") from None
        return data

    def send(self, data: bytes) -> None:
        self.sock.settimeout(self.remaining())
        try:
            self.sock.sendall(data)
        except TimeoutError:
            raise SmtpFailure(UNREACHABLE, f"{self.server} does not take data") from None
        except OSError as e:
            raise SmtpFailure(SMTP_FAILED, f"{self.server}: {e.strerror or e}") from None

    def line(self, what: str) -> str:
        while b"\r\n" not in self.buffer[:MAX_LINE]:
            if len(self.buffer) >= MAX_LINE:
                raise SmtpFailure(
                    SMTP_FAILED,
                    f"{self.server} sent a {what} reply line longer than {MAX_LINE} octets "
                    "(RFC 5321 4.5.3.1.5)",
                )
            chunk = self.recv()
            if not chunk:
                raise SmtpFailure(SMTP_FAILED, f"{self.server} closed the connection ({what})")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self, code: str, what: str) -> list[str]:
        """One reply (RFC 5321 4.2: ``250-`` lines, then ``250 ``), expecting ``code``."""
        lines: list[str] = []
        while True:
            text = self.line(what)
            lines.append(text)
            if len(text) < 4 or text[3] != "-":
                break
            if len(lines) >= MAX_REPLY_LINES:
                raise SmtpFailure(
                    SMTP_FAILED,
                    f"{self.server} sent more than {MAX_REPLY_LINES} lines in its {what} reply",
                )
        if not lines[-1].startswith(code):
            raise SmtpFailure(SMTP_FAILED, f"{what}: expected {code}, got {_shown(lines[-1])}")
        return lines


def _shown(text: str) -> str:
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def fetch_chain(
    server: Server, *, server_name: str, deadline: float, helo: str | None = None
) -> Served:
    """Connect, EHLO, STARTTLS, TLS handshake; the certificates presented. ``deadline`` is a
    ``time.monotonic()`` value for the whole conversation. Raises :class:`SmtpFailure`.

    Without ``helo`` the EHLO carries this end's address as a literal (RFC 5321 4.1.3), so
    no name lookup is made for it."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise SmtpFailure(UNREACHABLE, f"not asked: verify's time ran out before {server}")
    try:
        sock = socket.create_connection((server.host, server.port), timeout=left)
    except ConnectionRefusedError:
        raise SmtpFailure(
            REFUSED, f"connection refused by {server}: no SMTP server there"
        ) from None
    except TimeoutError:
        raise SmtpFailure(
            UNREACHABLE, f"no connection to {server} in time (port 25 blocked on the way?)"
        ) from None
    except OSError as e:
        raise SmtpFailure(UNREACHABLE, f"no connection to {server}: {e.strerror or e}") from None
    with sock:
        talk = _Conversation(sock, server, deadline)
        talk.reply("220", "greeting")
        talk.send(f"EHLO {helo or _literal(sock)}\r\n".encode())
        lines = talk.reply("250", "EHLO")
        if not any(line[4:].strip().upper().split(" ")[0] == "STARTTLS" for line in lines[1:]):
            raise SmtpFailure(
                NO_STARTTLS,
                f"{server} does not offer STARTTLS: senders that use DANE will not deliver "
                "mail to it (RFC 7672 2.2)",
            )
        talk.send(b"STARTTLS\r\n")
        talk.reply("220", "STARTTLS")
        if talk.buffer:
            # RFC 3207 5: nothing may come before the handshake (command injection).
            raise SmtpFailure(SMTP_FAILED, f"{server} sent data after its reply to STARTTLS")
        return _handshake(talk, server_name)


def _literal(sock: socket.socket) -> str:
    address = str(sock.getsockname()[0])
    return f"[IPv6:{address}]" if ":" in address else f"[{address}]"


def _handshake(talk: _Conversation, server_name: str) -> Served:
    # DANE-EE authenticates the key, not a CA chain or the name (RFC 7672 3.1.1); DANE-TA's
    # chain and name are checked against the TLSA record below, not against a trust store.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=server_name.rstrip(".") or None)
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            if outgoing.pending:
                talk.send(outgoing.read())
            data = talk.recv()
            if not data:
                raise SmtpFailure(
                    HANDSHAKE_FAILED,
                    f"{talk.server} closed the connection during the TLS handshake",
                ) from None
            incoming.write(data)
        except ssl.SSLError as e:
            raise SmtpFailure(
                HANDSHAKE_FAILED, f"TLS handshake with {talk.server} failed: {e.reason or e}"
            ) from None
    with contextlib.suppress(ssl.SSLError, SmtpFailure):
        tls.write(b"QUIT\r\n")
        talk.send(outgoing.read())
    chain = presented_chain(tls)
    if chain:
        return Served(chain, True)
    leaf = tls.getpeercert(binary_form=True)
    if not leaf:
        raise SmtpFailure(HANDSHAKE_FAILED, f"{talk.server} presented no certificate")
    return Served((leaf,), False)


def presented_chain(tls: ssl.SSLObject) -> tuple[bytes, ...]:
    """The chain as the server sent it, its first ``MAX_CHAIN`` certificates. Python 3.13 has
    ``get_unverified_chain`` (DER bytes); 3.10 to 3.12 have the same call on the underlying
    ``_ssl`` object, returning certificate objects. Older ones: nothing, and the caller falls
    back to the leaf."""
    public = getattr(tls, "get_unverified_chain", None)
    if public is not None:
        return tuple(bytes(c) for c in (public() or [])[:MAX_CHAIN])
    inner = getattr(getattr(tls, "_sslobj", None), "get_unverified_chain", None)
    if inner is None:
        return ()
    return tuple(c.public_bytes(_ssl.ENCODING_DER) for c in (inner() or [])[:MAX_CHAIN])


# ------------------------------------------------------------------------ matching


@dataclass(frozen=True, slots=True)
class Match:
    ok: bool
    detail: str


def spki(cert: x509.Certificate) -> bytes:
    """The SubjectPublicKeyInfo as the certificate holds it (RFC 6698 2.1.3, selector 1): its
    DER bytes, cut out of the TBSCertificate (RFC 5280 4.1) rather than rebuilt from the key,
    so that a key type or encoding cryptography does not load (an intermediate a hostile
    server sends, a compressed EC point) is hashed as it stands instead of raising."""
    tbs = cert.tbs_certificate_bytes
    _, at, _ = _tlv(tbs, 0)  # TBSCertificate ::= SEQUENCE {
    tag, _, after = _tlv(tbs, at)
    if tag == 0xA0:  # [0] EXPLICIT version
        at = after
    for _ in range(5):  # serialNumber, signature, issuer, validity, subject
        _, _, at = _tlv(tbs, at)
    tag, _, end = _tlv(tbs, at)
    if tag != 0x30:
        raise ValueError("no SubjectPublicKeyInfo where RFC 5280 4.1 puts it")
    return tbs[at:end]


def _tlv(der: bytes, at: int) -> tuple[int, int, int]:
    """(tag, where the value starts, where it ends) of the DER element at ``at`` (X.690 8.1)."""
    if at + 2 > len(der):
        raise ValueError("DER cut short")
    tag, length, at = der[at], der[at + 1], at + 2
    if length & 0x80:
        n = length & 0x7F
        if not 0 < n <= 4 or at + n > len(der):
            raise ValueError("DER length out of range")
        length, at = int.from_bytes(der[at : at + n], "big"), at + n
    if at + length > len(der):
        raise ValueError("DER cut short")
    return tag, at, at + length


def _digest(mtype: int, content: bytes) -> bytes | None:
    if mtype == 0:
        return content
    if mtype == 1:
        return hashlib.sha256(content).digest()
    if mtype == 2:
        return hashlib.sha512(content).digest()
    return None


def _association(cert: x509.Certificate, der: bytes, selector: int, mtype: int) -> bytes | None:
    try:
        content = der if selector == 0 else spki(cert) if selector == 1 else None
    except ValueError:
        return None
    return None if content is None else _digest(mtype, content)


def match_tlsa(
    usage: int, selector: int, mtype: int, data: bytes, served: Served, server_name: str
) -> Match:
    """One TLSA record against the presented chain (RFC 7672 3.1, RFC 7671 5)."""
    if usage in (0, 1):
        return Match(False, "PKIX usages (0, 1) are not used by SMTP (RFC 7672 3.1.3)")
    if usage not in (2, 3) or selector not in (0, 1) or mtype not in (0, 1, 2):
        return Match(False, "unknown usage, selector or matching type: unusable")
    try:
        certs = [x509.load_der_x509_certificate(der) for der in served.chain]
    except ValueError as e:
        return Match(False, f"a presented certificate does not parse: {e}")
    if usage == 3:  # DANE-EE: the leaf itself, nothing else (RFC 7672 3.1.1)
        ok = _association(certs[0], served.chain[0], selector, mtype) == data
        return Match(ok, "matches the server's own certificate" if ok else "")
    # DANE-TA: a certificate above the leaf that the chain leads up to (RFC 7671 5.2.2).
    for i in range(1, len(certs)):
        if _association(certs[i], served.chain[i], selector, mtype) != data:
            continue
        for k in range(i):
            try:
                certs[k].verify_directly_issued_by(certs[k + 1])
            except Exception as e:  # InvalidSignature, ValueError (issuer), TypeError (key)
                return Match(
                    False,
                    f"matches certificate {i + 1} of the chain, but certificate {k + 1} is not "
                    f"signed by certificate {k + 2} ({type(e).__name__})",
                )
        if not _name_matches(certs[0], server_name):
            return Match(
                False,
                f"matches certificate {i + 1} of the chain (a trust anchor), but the server's "
                f"certificate is not for {server_name} (RFC 7672 3.2.3)",
            )
        return Match(True, f"matches certificate {i + 1} of the chain (trust anchor)")
    return Match(False, "")


def _name_matches(cert: x509.Certificate, name: str) -> bool:
    """RFC 6125 6.4 for DNS names: SAN dNSName entries (a leftmost ``*`` matches one label),
    the subject CN only when there is no SAN."""
    want = name.rstrip(".").lower()
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = [
            str(a.value) for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        ]
    for pattern in (n.rstrip(".").lower() for n in names):
        if pattern == want:
            return True
        if pattern.startswith("*.") and "." in want and want.split(".", 1)[1] == pattern[2:]:
            return True
    return False


def presented(served: Served) -> tuple[str, ...]:
    """The TLSA records that would match each presented certificate (3 1 1 for the leaf,
    2 1 1 above it): what to publish, shown next to a mismatch."""
    out = []
    for i, der in enumerate(served.chain):
        try:
            key = spki(x509.load_der_x509_certificate(der))
        except ValueError:
            continue
        usage = 3 if i == 0 else 2
        out.append(f"{usage} 1 1 {hashlib.sha256(key).hexdigest()}")
    return tuple(out)


# ------------------------------------------------------------------------ the chains

MAX_TARGETS = 16  # MX addresses asked at most (a domain with more is checked on the first)


class Chains:
    """One SMTP conversation per (server, name) for the whole run, with its statistics."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.stats: dict[Server, ServerStats] = {}
        self._done: dict[tuple[Server, str], Served | SmtpFailure] = {}
        self._lock = threading.Lock()

    def get(self, target: Server, name: str) -> Served | SmtpFailure:
        key = (target, name)
        with self._lock:
            if key in self._done:
                return self._done[key]
        start = time.monotonic()
        result: Served | SmtpFailure
        try:
            result = fetch_chain(
                target,
                server_name=name,
                deadline=min(self.deadline, start + SMTP_TIMEOUT),
            )
        except SmtpFailure as e:
            result = e
        end = time.monotonic()
        with self._lock:
            s = self.stats.setdefault(target, ServerStats())
            s.timed(start, end)
            s.queries += 1
            s.seconds += end - start
            if end - start > s.slowest:
                s.slowest, s.slowest_query = end - start, f"SMTP STARTTLS ({name})"
            if isinstance(result, SmtpFailure):
                s.failures[result.status] = s.failures.get(result.status, 0) + 1
                s.first_failure = s.first_failure or result.detail
            else:
                s.answered += 1
            self._done.setdefault(key, result)
            return self._done[key]


def smtp_failure(e: SmtpFailure) -> str:
    """Nothing listening, or no reply in time, is "could not check" (port 25 is often
    blocked on the way out); the rest is the server's doing."""
    return FATAL if e.status in (REFUSED, UNREACHABLE) else ERROR


def tls_check(
    site: MailSite,
    lookup: LiveLookup,
    chains: Chains,
    *,
    smtp: Server | None,
    trust: webpki.Trust,
    window_days: float,
) -> list[Finding]:
    out: list[Finding] = []
    server = str(lookup.resolver)
    hosts: set[str] = set()
    for domain in site.domains:
        e = lookup.entry(domain, "MX")
        problem = fault(site.where(domain, "MX", server), "tls", e, f"{domain} MX")
        if problem:
            out.append(problem)
            continue
        exchanges = [t.split()[1].lower() for t in e.records if len(t.split()) == 2]
        hosts.update(first([x for x in exchanges if x != "."])[0])
    jobs: list[tuple[str, Server]] = []
    for host in sorted(hosts):
        if smtp is not None:
            jobs.append((host, smtp))
            continue
        addresses, failed = lookup.addresses(host)
        if not addresses:
            where = site.where(host, "starttls", server)
            detail = f"the MX {host} has no address: senders cannot deliver to it"
            if failed is not None:
                out.append(
                    fault(where, "tls", failed, f"{host} A/AAAA")
                    or finding(where, "tls", "dns-error", ERROR)
                )
            else:
                out.append(finding(where, "tls", "no-address", ERROR, detail=detail))
            continue
        jobs.extend((host, Server(a, 25)) for a in addresses[:MAX_TARGETS])

    def one(job: tuple[str, Server]) -> Finding:
        host, target = job
        where = site.where(host, "starttls", str(target))
        got = chains.get(target, host)
        if isinstance(got, SmtpFailure):
            return finding(where, "tls", got.status, smtp_failure(got), detail=got.detail)
        now = datetime.datetime.now(datetime.UTC)
        verdict = webpki.check_chain(got.chain, host, trust, now=now, window_days=window_days)
        return finding(
            where,
            "tls",
            verdict.status,
            verdict.severity,
            got=presented(got)[:1],
            detail=f"STARTTLS: {verdict.detail}",
        )

    if jobs:
        with ThreadPoolExecutor(max_workers=min(8, len(jobs))) as pool:
            out.extend(pool.map(one, jobs))
    return out


# ------------------------------------------------------------------------ dane


def dane_check(build: Result, smtp: Server | None, chains: Chains) -> list[Finding]:
    """The mail host's TLSA records against the chain of ``smtp``, else of each of the
    host's addresses on port 25."""
    host = build.hostname
    owner = f"_25._tcp.{host}"
    tlsa = [r for z in build.zones for r in z.records if r.name == owner and r.rtype == "TLSA"]
    zone = next((z.name for z in build.zones if names.in_zone(owner, z.name)), "")
    if not tlsa:
        where = Where(zone, owner, "TLSA", "")
        detail = "no TLSA records for the mail host in the built zones"
        return [finding(where, "dane", "no-tlsa", ERROR, detail=detail)]
    targets = [smtp] if smtp else [Server(ip, 25) for ip in build.ips]
    with ThreadPoolExecutor(max_workers=max(1, len(targets))) as pool:
        return list(pool.map(lambda t: _dane_one(zone, owner, host, tlsa, t, chains), targets))


def _dane_one(
    zone: str,
    owner: str,
    host: str,
    tlsa: list[Any],
    target: Server,
    chains: Chains,
) -> Finding:
    where = Where(zone, owner, "TLSA", str(target))
    expected = tuple(sorted(r.value for r in tlsa))
    served = chains.get(target, host)
    if isinstance(served, SmtpFailure):
        return finding(
            where,
            "dane",
            served.status,
            smtp_failure(served),
            expected=expected,
            detail=served.detail,
        )
    got = presented(served)
    notes = []
    for record in tlsa:
        rd = record.rdata
        m = match_tlsa(rd.usage, rd.selector, rd.mtype, rd.cert, served, host)
        if m.ok:
            return finding(
                where,
                "dane",
                "ok",
                OK,
                expected=expected,
                got=got,
                detail=f"{record.value} {m.detail}",
            )
        if m.detail:
            notes.append(f"{record.value}: {m.detail}")
    chain = (
        f"the {len(served.chain)} certificates presented"
        if served.whole_chain
        else "the server's certificate (this Python gives no chain)"
    )
    detail = f"no TLSA record matches {chain} after STARTTLS"
    if notes:
        detail += "; " + "; ".join(notes)
    return finding(where, "dane", "mismatch", ERROR, expected=expected, got=got, detail=detail)
