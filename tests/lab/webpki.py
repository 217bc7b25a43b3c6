"""A test CA that issues certificates as the Web PKI does (RFC 5280 profile: key identifiers,
key usage, extended key usage, SANs), made with the ``cryptography`` package, and an HTTPS
server on 127.0.0.1 (Python's http.server behind ssl) that serves MTA-STS policies, honestly
or not.

| mode | GET /.well-known/mta-sts.txt gives |
|---|---|
| policy | 200, text/plain, ``server.policy`` |
| redirect | 301 to another URL (which would serve a policy) |
| huge | 200 and 1 MiB of body |
| missing | 404 |
| odd-status | a status code of Latin-1 superscript digits (``\xb2\xb20``) |
| odd-length | 200 with ``Content-Length: \xb2`` |
"""

from __future__ import annotations

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class LabCA:
    """A root CA in ``directory``; ``bundle`` is its certificate as a PEM file."""

    def __init__(self, directory: Path, name: str = "zonegen test root") -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.UTC)
        self.key = ec.generate_private_key(ec.SECP256R1())
        ski = x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.bundle = directory / "ca.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(
        self, host: str, *, days: float = 60, tag: str = "", also: tuple[str, ...] = ()
    ) -> tuple[Path, Path]:
        """A leaf for ``host`` (and the names ``also``) valid ``days`` from now: (chain file
        leaf+root, key file)."""
        now = datetime.datetime.now(datetime.UTC)
        # An expired one (days < 0) was valid for a while before it expired.
        start = now - datetime.timedelta(days=1 if days > 0 else 30 - days)
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in (host, *also)]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        stem = f"{host}{tag}"
        chain, key_path = self.directory / f"{stem}.pem", self.directory / f"{stem}.key"
        chain.write_bytes(
            leaf.public_bytes(serialization.Encoding.PEM)
            + self.cert.public_bytes(serialization.Encoding.PEM)
        )
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return chain, key_path


# Status lines and headers with digits that are no ASCII digits ('\xb2' is '²' in Latin-1).
ODD_HEADS = {
    "odd-status": b"HTTP/1.0 \xb2\xb20 OK\r\nContent-Type: text/plain\r\n\r\n",
    "odd-length": b"HTTP/1.0 200 OK\r\nContent-Length: \xb2\r\n\r\n",
}


class PolicyServer:
    """``with PolicyServer(chain, key) as s:`` serves HTTPS on 127.0.0.1:``s.port``."""

    def __init__(self, chain: Path, key: Path, *, mode: str = "policy", policy: str = "") -> None:
        self.mode = mode
        self.policy = policy
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if server.mode == "redirect":
                    self.send_response(301)
                    self.send_header("Location", "https://elsewhere.example/policy.txt")
                    self.end_headers()
                    return
                if server.mode in ODD_HEADS:  # bytes no library would send: written raw
                    self.wfile.write(ODD_HEADS[server.mode] + server.policy.encode())
                    self.close_connection = True
                    return
                if server.mode in ("drip", "endless-header"):
                    self._drip()
                    return
                if server.mode == "missing" or self.path != "/.well-known/mta-sts.txt":
                    self.send_error(404)
                    return
                body = b"x" * (1 << 20) if server.mode == "huge" else server.policy.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _drip(self) -> None:
                """A server that never stops sending: the policy's bytes one at a time
                ("drip"), or a header line that never ends ("endless-header"), a byte every
                0.1 s, until the client leaves (each read returns in time; only a deadline
                on the whole fetch ends it)."""
                body = server.policy.encode()
                if server.mode == "drip":
                    head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(body) * 1000}\r\n\r\n"
                else:
                    head = "HTTP/1.0 200 OK\r\nX-Slow: "
                self.wfile.write(head.encode())
                self.close_connection = True
                try:
                    while not server.closing.wait(0.1):
                        self.wfile.write(body[:1] if server.mode == "drip" else b"x")
                        self.wfile.flush()
                        server.dripped += 1
                except OSError:  # the client closed: what a fetch with a deadline does
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.closing = threading.Event()
        self.dripped = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(chain, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> PolicyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
