"""A minimal SMTP server with STARTTLS on 127.0.0.1, for the DANE checks of verify."""

from __future__ import annotations

import contextlib
import datetime
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID


def self_signed(key: PrivateKeyTypes, host: str, directory: Path) -> tuple[Path, Path]:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class StartTlsServer:
    """``with StartTlsServer(key, host, tmp) as s:`` serves on 127.0.0.1:``s.port``."""

    def __init__(self, key: PrivateKeyTypes, host: str, directory: Path) -> None:
        cert, keyfile = self_signed(key, host, directory)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, keyfile)
        self.host = host
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> StartTlsServer:
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
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError, ssl.SSLError):
                    self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        f = conn.makefile("rb")
        conn.sendall(f"220 {self.host} ESMTP test\r\n".encode())
        f.readline()  # EHLO
        conn.sendall(f"250-{self.host}\r\n250-PIPELINING\r\n250 STARTTLS\r\n".encode())
        f.readline()  # STARTTLS
        conn.sendall(b"220 2.0.0 go ahead\r\n")
        with self.ctx.wrap_socket(conn, server_side=True) as tls:
            tls.recv(100)  # QUIT
