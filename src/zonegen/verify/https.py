"""``--https``: a bounded HTTPS GET for the MTA-STS policy (RFC 8461 3.3), whatever the server
does, and a TLS handshake with autoconfig and autodiscover on port 443 (Mox's ``checkTLS``).

- One deadline for everything (connection, TLS handshake, request, response): the socket is
  read only within it, through memory BIOs, so a server that drips bytes cannot stretch it.
- The certificate is checked (``webpki.py``) before the request is sent; a policy from a
  host whose certificate senders would refuse is no policy (RFC 8461 3.3).
- HTTP/1.0, so the answer comes whole, never chunked; at most ``MAX_HEAD`` octets of status
  line and headers and ``MAX_BODY`` of body. A redirect is reported, never followed (RFC
  8461 3.3: "HTTP 3xx redirects MUST NOT be followed").
- Where to connect (:class:`Web`): ``--https-resolve NAME:ADDR:PORT`` (as curl's
  ``--resolve``), else the name's A/AAAA through the resolver, port 443.
"""

from __future__ import annotations

import contextlib
import datetime
import socket
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..text import digits
from . import dane, sts, webpki
from .findings import ERROR, FATAL, OK
from .lookup import Entry, LiveLookup
from .servers import Server

HTTPS_TIMEOUT = 20.0  # seconds for one whole fetch (within --timeout)
MAX_HEAD = 16 * 1024  # octets of status line and headers
MAX_BODY = 64 * 1024  # octets of policy: RFC 8461 3.2 policies are a few lines
USER_AGENT = "zonegen-verify"


class HttpsFailure(Exception):
    def __init__(self, status: str, severity: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.severity = severity
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    reason: str
    headers: dict[str, str]  # lowercase names, the first of each
    body: bytes


@contextlib.contextmanager
def _tls(
    server: Server, host: str, *, trust: webpki.Trust, deadline: float, window_days: float
) -> Iterator[tuple[_Io, ssl.SSLObject, webpki.Verdict]]:
    """A TLS connection to ``server`` for ``host``, its handshake done and the chain it
    presented judged. Raises :class:`HttpsFailure` when there is no handshake."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise HttpsFailure("unreachable", FATAL, f"not asked: the time ran out before {server}")
    try:
        sock = socket.create_connection((server.host, server.port), timeout=left)
    except ConnectionRefusedError:
        raise HttpsFailure(
            "refused", ERROR, f"connection refused by {server}: no HTTPS server there"
        ) from None
    except TimeoutError:
        raise HttpsFailure("unreachable", ERROR, f"no connection to {server} in time") from None
    except OSError as e:
        raise HttpsFailure("unreachable", ERROR, f"no connection to {server}: {e}") from None
    with sock:
        io = _Io(sock, server, deadline)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False  # checked below, with webpki, on the presented chain
        ctx.verify_mode = ssl.CERT_NONE
        tls = ctx.wrap_bio(io.incoming, io.outgoing, server_hostname=host.rstrip("."))
        io.run(tls.do_handshake, "TLS handshake")
        chain = dane.presented_chain(tls) or (tls.getpeercert(binary_form=True) or b"",)
        now = datetime.datetime.now(datetime.UTC)
        yield io, tls, webpki.check_chain(chain, host, trust, now=now, window_days=window_days)


def get(
    server: Server,
    host: str,
    path: str,
    *,
    trust: webpki.Trust,
    deadline: float,
    window_days: float,
) -> tuple[Response, webpki.Verdict]:
    """GET ``https://host/path`` from ``server``. Raises :class:`HttpsFailure`."""
    with _tls(server, host, trust=trust, deadline=deadline, window_days=window_days) as (
        io,
        tls,
        verdict,
    ):
        if verdict.severity == ERROR:
            raise HttpsFailure(verdict.status, ERROR, verdict.detail)
        request = (
            f"GET {path} HTTP/1.0\r\nHost: {host.rstrip('.')}\r\nUser-Agent: {USER_AGENT}\r\n"
            "Accept: text/plain\r\nConnection: close\r\n\r\n"
        ).encode()
        io.run(lambda: tls.write(request), "request")
        return _response(io.read_all(tls), server), verdict


class _Io:
    """A socket read and written only within the deadline, behind an SSL object's BIOs."""

    def __init__(self, sock: socket.socket, server: Server, deadline: float) -> None:
        self.sock = sock
        self.server = server
        self.deadline = deadline
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.received = 0  # octets read so far
        self.last = time.monotonic()  # when the server last sent something

    def _left(self, what: str) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise HttpsFailure(
                "unreachable",
                ERROR,
                f"{self.server} did not finish {what} in time ({self.received} octets came)",
            )
        return left

    def flush(self, what: str) -> None:
        data = self.outgoing.read()
        if data:
            self.sock.settimeout(self._left(what))
            try:
                self.sock.sendall(data)
            except OSError as e:
                raise HttpsFailure("unreachable", ERROR, f"{self.server}: {what}: {e}") from None

    def fill(self, what: str) -> bool:
        """Read what the server sent into the BIO; False at the end of the stream."""
        self.sock.settimeout(self._left(what))
        try:
            data = self.sock.recv(16384)
        except TimeoutError:
            # The socket's timeout is what is left of the deadline: the time ran out. Say
            # whether the server had gone quiet or was still sending (a byte at a time can
            # go on for ever, each read in time).
            quiet = time.monotonic() - self.last
            if quiet < 1:
                detail = (
                    f"{self.server} was still sending ({what}) when the time ran out: "
                    f"{self.received} octets so far, too slow to finish"
                )
            else:
                detail = (
                    f"{self.server} stopped sending ({what}): nothing for {quiet:.1f} s, "
                    "until the time ran out"
                )
            raise HttpsFailure("unreachable", ERROR, detail) from None
        except OSError as e:
            raise HttpsFailure("unreachable", ERROR, f"{self.server}: {what}: {e}") from None
        if not data:
            self.incoming.write_eof()
            return False
        self.received += len(data)
        self.last = time.monotonic()
        self.incoming.write(data)
        return True

    def run(self, step: object, what: str) -> None:
        """Call ``step`` until it no longer wants to read, sending what it writes."""
        while True:
            try:
                step()  # type: ignore[operator]
                self.flush(what)
                return
            except ssl.SSLWantReadError:
                self.flush(what)
                if not self.fill(what):
                    raise HttpsFailure(
                        "tls-failed", ERROR, f"{self.server} closed the connection ({what})"
                    ) from None
            except ssl.SSLError as e:
                raise HttpsFailure(
                    "tls-failed", ERROR, f"{what} with {self.server} failed: {e.reason or e}"
                ) from None

    def read_all(self, tls: ssl.SSLObject) -> bytes:
        """The whole response, at most ``MAX_HEAD + MAX_BODY`` octets."""
        data = b""
        limit = MAX_HEAD + MAX_BODY
        while True:
            try:
                chunk = tls.read(16384)
            except ssl.SSLWantReadError:
                if not self.fill("the response"):
                    return data  # closed without close_notify: what came is the answer
                continue
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return data
            except ssl.SSLError as e:
                raise HttpsFailure(
                    "tls-failed", ERROR, f"reading from {self.server}: {e.reason or e}"
                ) from None
            if not chunk:
                return data
            data += chunk
            if len(data) > limit:
                raise HttpsFailure(
                    "too-large",
                    ERROR,
                    f"{self.server} sent more than {limit // 1024} KiB: no policy is that "
                    "long; not read further",
                )


def _response(data: bytes, server: Server) -> Response:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        if len(data) > MAX_HEAD:
            raise HttpsFailure(
                "bad-http", ERROR, f"{server}: headers longer than {MAX_HEAD} octets"
            )
        raise HttpsFailure("bad-http", ERROR, f"{server} sent no complete HTTP response")
    if len(head) > MAX_HEAD:
        raise HttpsFailure("bad-http", ERROR, f"{server}: headers longer than {MAX_HEAD} octets")
    if len(body) > MAX_BODY:
        raise HttpsFailure(
            "too-large", ERROR, f"{server}: a body over {MAX_BODY // 1024} KiB is no policy"
        )
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    # RFC 9112 4: status-code = 3DIGIT, ASCII digits (str.isdigit takes '²', int() refuses it).
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not _digits(parts[1], 3):
        raise HttpsFailure(
            "bad-http", ERROR, f"{server}: not an HTTP status line: {lines[0][:60]!r}"
        )
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, colon, value = line.partition(":")
        if colon:
            headers.setdefault(key.strip().lower(), value.strip())
    length = headers.get("content-length")
    if length is not None and not (_digits(length) and int(length) == len(body)):
        raise HttpsFailure(
            "bad-http",
            ERROR,
            f"{server}: Content-Length {length[:20]!r}, but {len(body)} octets came",
        )
    return Response(int(parts[1]), parts[2] if len(parts) > 2 else "", headers, body)


def _digits(text: str, size: int = 0) -> bool:
    """ASCII digits only (RFC 9110 DIGIT), and exactly ``size`` of them when given."""
    return digits(text) and (not size or len(text) == size)


POLICY_PATH = "/.well-known/mta-sts.txt"  # RFC 8461 3.3
MAX_ADDRESSES = 4  # addresses of one policy host tried at most


@dataclass(frozen=True)
class Web:
    """Where and how ``--https`` connects: ``--https-resolve``, else a name's addresses through
    the resolver (``MAX_ADDRESSES`` of them), port 443; every connection within the run's
    deadline and ``HTTPS_TIMEOUT``, certificates by ``trust``."""

    lookup: LiveLookup
    resolves: Mapping[str, Server]
    trust: webpki.Trust
    deadline: float
    window_days: float

    def targets(self, host: str) -> tuple[list[Server], Entry | None]:
        """Where to connect for ``https://host`` (with the failed lookup when nowhere)."""
        if host in self.resolves:
            return [self.resolves[host]], None
        addresses, failed = self.lookup.addresses(host)
        return [Server(a, 443) for a in addresses[:MAX_ADDRESSES]], failed

    def limit(self) -> float:
        return min(self.deadline, time.monotonic() + HTTPS_TIMEOUT)

    def fetch_policy(self, host: str) -> sts.Fetched:
        """:data:`sts.Fetch`: the policy from the first of the host's addresses that gives
        one, else what went wrong with the first."""
        targets, failed = self.targets(host)
        if not targets:
            if failed is not None:
                severity = FATAL if failed.fault == "no-answer" else ERROR
                detail = failed.detail
                return sts.Fetched("", failure=failed.fault, severity=severity, detail=detail)
            return sts.Fetched(
                "",
                failure="no-address",
                severity=ERROR,
                detail=f"{host} has no address: senders cannot fetch the policy",
            )
        first: sts.Fetched | None = None
        for target in targets:
            got = self._fetch_one(target, host)
            if not got.failure:
                return got
            first = first or got
        assert first is not None
        return first

    def _fetch_one(self, target: Server, host: str) -> sts.Fetched:
        try:
            response, verdict = get(
                target,
                host,
                POLICY_PATH,
                trust=self.trust,
                deadline=self.limit(),
                window_days=self.window_days,
            )
            body = _policy_text(response)
        except HttpsFailure as e:
            return sts.Fetched(str(target), failure=e.status, severity=e.severity, detail=e.detail)
        content_type = response.headers.get("content-type", "")
        if verdict.severity == OK:
            return sts.Fetched(str(target), body=body, content_type=content_type)
        # The certificate expires soon: said next to the policy's own verdict.
        return sts.Fetched(
            str(target),
            body=body,
            content_type=content_type,
            detail=verdict.detail,
            severity=verdict.severity,
        )

    def tls443(self, host: str) -> tuple[str, str, str] | None:
        """:data:`maildns.Tls443`, Mox's ``checkTLS`` for autoconfig and autodiscover
        (``checkDomain``): a TLS handshake with each address of the name on port 443, the
        certificate valid for the name. Nothing is requested. None for a name without
        address (the DNS check says so)."""
        targets, _ = self.targets(host)
        shown = f"https://{host.rstrip('.')}"
        verdict = None
        for target in targets:
            connection = _tls(
                target,
                host,
                trust=self.trust,
                deadline=self.limit(),
                window_days=self.window_days,
            )
            try:
                with connection as (_, _, verdict):
                    pass
            except HttpsFailure as e:
                return e.status, e.severity, f"{shown} at {target}: {e.detail}"
            if verdict.severity != OK:
                return verdict.status, verdict.severity, f"{shown} at {target}: {verdict.detail}"
        if verdict is None:
            return None
        where = ", ".join(str(t) for t in targets)
        return "ok", OK, f"{shown} at {where}: {verdict.detail}"


def _policy_text(response: Response) -> str:
    """The body of a response that is a policy (RFC 8461 3.3); :class:`HttpsFailure` if not."""
    if 300 <= response.status < 400:
        where = response.headers.get("location", "")[:100]
        raise HttpsFailure(
            "redirect",
            ERROR,
            f"HTTP {response.status} to {where!r}: senders do not follow redirects "
            "(RFC 8461 3.3); serve the policy at this URL itself",
        )
    if response.status != 200:
        raise HttpsFailure(
            "http-status",
            ERROR,
            f"HTTP {response.status} {response.reason[:40]}: senders take the domain "
            "as without a policy (RFC 8461 3.3)",
        )
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpsFailure("invalid", ERROR, "the policy is not UTF-8 text") from None
