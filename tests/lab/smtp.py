"""SMTP servers on 127.0.0.1 for the DANE checks, honest and hostile.

| mode | the server |
|---|---|
| starttls | greets, offers STARTTLS, does TLS with the given chain |
| endless-line | greets with a line that never ends (no CRLF, ever) |
| endless-continuation | greets with ``220-`` continuation lines, forever |
| no-starttls | an EHLO reply without STARTTLS |
| bad-handshake | says 220 to STARTTLS, then sends bytes that are no TLS |
| silent | accepts the connection and says nothing |
"""

from __future__ import annotations

import contextlib
import datetime
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID

HOST = "mx.example.org"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue_chain(directory: Path, host: str = HOST) -> tuple[Path, Path, list[x509.Certificate]]:
    """A CA and a leaf for ``host`` signed by it: (chain file leaf+CA, leaf key, [leaf, CA])."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("zonegen lab CA"))
        .issuer_name(_name("zonegen lab CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    chain_path, key_path = directory / "chain.pem", directory / "leaf.key"
    chain_path.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    key_path.write_bytes(_pem(key))
    return chain_path, key_path, [leaf, ca]


def self_signed(key: PrivateKeyTypes, directory: Path, host: str = HOST) -> tuple[Path, Path]:
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(_name(host))
        .public_key(key.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(_pem(key))
    return cert_path, key_path


def _pem(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class SmtpLab:
    """``with SmtpLab(mode, cert=..., key=...) as s:`` serves on 127.0.0.1:``s.port``."""

    def __init__(
        self,
        mode: str,
        *,
        cert: Path | None = None,
        key: Path | None = None,
        any_chain: bool = False,
    ) -> None:
        self.mode = mode
        self.ctx: ssl.SSLContext | None = None
        if cert and key:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            if any_chain:  # a hostile server sends what it likes: OpenSSL's checks off
                self.ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            self.ctx.load_cert_chain(cert, key)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.sent = 0  # bytes sent by the endless modes, to show they were cut off
        self.ehlo: list[bytes] = []  # the EHLO lines heard

    def __enter__(self) -> SmtpLab:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._session_guarded, args=(conn,), daemon=True).start()

    def _session_guarded(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError, ssl.SSLError):
            conn.settimeout(10)
            self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        mode = self.mode
        if mode == "silent":
            self.stopping.wait(30)
            return
        if mode == "endless-line":
            conn.sendall(b"220 ")
            while not self.stopping.is_set():
                conn.sendall(b"x" * 4096)
                self.sent += 4096
            return
        if mode == "endless-continuation":
            while not self.stopping.is_set():
                conn.sendall(b"220-still greeting you\r\n" * 50)
                self.sent += 50
            return
        f = conn.makefile("rb")
        conn.sendall(f"220 {HOST} ESMTP lab\r\n".encode())
        self.ehlo.append(f.readline().rstrip())
        if mode == "no-starttls":
            conn.sendall(f"250-{HOST}\r\n250-PIPELINING\r\n250 8BITMIME\r\n".encode())
            f.readline()
            return
        conn.sendall(f"250-{HOST}\r\n250-PIPELINING\r\n250 STARTTLS\r\n".encode())
        f.readline()  # STARTTLS
        conn.sendall(b"220 2.0.0 go ahead\r\n")
        if mode == "bad-handshake":
            conn.recv(4096)  # the ClientHello
            conn.sendall(b"this is not TLS\r\n" * 4)
            return
        assert self.ctx is not None
        with self.ctx.wrap_socket(conn, server_side=True) as tls:
            tls.recv(100)  # QUIT
