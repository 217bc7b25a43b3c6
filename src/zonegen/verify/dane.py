"""DANE for SMTP (RFC 7672): fetch the certificate a server shows after STARTTLS and match it
against the TLSA records (RFC 6698 2.1: usage, selector, matching type)."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import ssl
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .servers import Server

SMTP_TIMEOUT = 10.0


class SmtpError(Exception):
    """The SMTP conversation failed before a certificate was seen."""


@dataclass(frozen=True, slots=True)
class Served:
    cert_der: bytes
    spki_der: bytes


def fetch_certificate(server: Server, *, server_name: str, helo: str) -> Served:
    """Connect, EHLO, STARTTLS (RFC 3207), and return the leaf certificate shown."""
    try:
        sock = socket.create_connection((server.host, server.port), timeout=SMTP_TIMEOUT)
    except OSError as e:
        raise SmtpError(f"cannot connect to {server}: {e}") from None
    try:
        _expect(sock, "220", "greeting")
        sock.sendall(f"EHLO {helo}\r\n".encode())
        lines = _expect(sock, "250", "EHLO")
        if not any(line[4:].strip().upper().startswith("STARTTLS") for line in lines):
            raise SmtpError(f"{server} does not offer STARTTLS")
        sock.sendall(b"STARTTLS\r\n")
        _expect(sock, "220", "STARTTLS")
        # DANE-EE authenticates the key, not a CA chain or the name (RFC 7672 3.1.1): no
        # WebPKI verification here, the TLSA comparison below is the check.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with ctx.wrap_socket(sock, server_hostname=server_name.rstrip(".")) as tls:
            der = tls.getpeercert(binary_form=True)
            with contextlib.suppress(OSError):
                tls.sendall(b"QUIT\r\n")
    except (OSError, ssl.SSLError) as e:
        raise SmtpError(f"{server}: {e}") from None
    finally:
        sock.close()
    if not der:
        raise SmtpError(f"{server} showed no certificate")
    cert = x509.load_der_x509_certificate(der)
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Served(der, spki)


def _expect(sock: socket.socket, code: str, what: str) -> list[str]:
    lines: list[str] = []
    buf = b""
    while True:
        while b"\r\n" not in buf:
            chunk = sock.recv(4096)
            if not chunk:
                raise SmtpError(f"connection closed during {what}")
            buf += chunk
        line, buf = buf.split(b"\r\n", 1)
        text = line.decode("utf-8", "replace")
        lines.append(text)
        if len(text) < 4 or text[3] != "-":
            break
    if not lines[-1].startswith(code):
        raise SmtpError(f"{what}: expected {code}, got {lines[-1][:60]!r}")
    return lines


def tlsa_matches(usage: int, selector: int, mtype: int, data: bytes, served: Served) -> bool:
    """Does one TLSA record match the served leaf? Only DANE-EE (3) is judged here, as SMTP
    with DANE uses it (RFC 7672 3.1); PKIX-EE/DANE-TA need the chain and a trust store."""
    if usage != 3:
        return False
    content = served.spki_der if selector == 1 else served.cert_der
    if mtype == 0:
        return content == data
    if mtype == 1:
        return hashlib.sha256(content).digest() == data
    if mtype == 2:
        return hashlib.sha512(content).digest() == data
    return False
