"""Real DNS servers for the tests: BIND ``named`` (optionally signing inline) and ``unbound``
as a validating resolver, on 127.0.0.1 only, on free high ports, started and stopped here.

The configs follow the lab in shared/facts/octodns.md that worked: TSIG for updates and AXFR,
a dnssec-policy with ``max-zone-ttl 604800`` (BIND's default policy caps TTLs at one day, and
the one-week null SRVs would then never converge), and unbound with the zone's DS as its
trust anchor and a stub zone pointing at named.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype
import dns.tsigkeyring
import dns.update
import dns.zone

TSIG_NAME = "zonegen-test"
# Names of the test servers' own NS: outside every zone, so no glue is needed.
LAB_NS = "ns1.lab.invalid."


def find_program(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    assert found, f"{name} is missing: `make test` installs bind9 and unbound with apt"
    return found


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            if port > 1024:
                return port
    raise RuntimeError("no free port")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, then SIGKILL if the server has not gone within 10 s."""
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@dataclass
class Named:
    """One ``named`` serving ``zones`` as primaries, with dynamic updates and AXFR over TSIG."""

    workdir: Path
    zones: list[str]
    dnssec: bool = False
    seed: str = ""  # extra zone-file lines for every zone, absolute names
    texts: dict[str, str] = field(default_factory=dict)  # zone -> whole zone file, instead
    port: int = field(default_factory=free_port)
    secret: str = field(default_factory=lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    process: subprocess.Popen[bytes] | None = None

    @property
    def keyring(self) -> dict[dns.name.Name, dns.tsig.Key]:
        return dns.tsigkeyring.from_text({TSIG_NAME: ("hmac-sha256", self.secret)})

    @property
    def env(self) -> dict[str, str]:
        """What config/octodns-bind.yaml reads."""
        return {
            "BIND_HOST": "127.0.0.1",
            "BIND_PORT": str(self.port),
            "TSIG_NAME": TSIG_NAME,
            "TSIG_SECRET": self.secret,
        }

    def start(self) -> Named:
        d = self.workdir
        (d / "keys").mkdir(parents=True, exist_ok=True)
        zone_conf = []
        for zone in self.zones:
            (d / f"{zone}.db").write_text(
                self.texts.get(zone)
                or f"$TTL 3600\n@ IN SOA {LAB_NS} hostmaster.{zone}. 1 7200 3600 1209600 300\n"
                f"@ IN NS {LAB_NS}\n"
                + self.seed
            )
            signing = (
                f'dnssec-policy "zonegen-lab"; inline-signing yes; key-directory "{d}/keys";'
                if self.dnssec
                else ""
            )
            zone_conf.append(
                f'zone "{zone}" {{ type primary; file "{d}/{zone}.db"; '
                f'allow-update {{ key "{TSIG_NAME}"; }}; allow-transfer {{ key "{TSIG_NAME}"; }}; '
                f"{signing} }};"
            )
        (d / "named.conf").write_text(
            f'key "{TSIG_NAME}" {{ algorithm hmac-sha256; secret "{self.secret}"; }};\n'
            'dnssec-policy "zonegen-lab" { keys { csk lifetime unlimited algorithm '
            "ecdsap256sha256; }; max-zone-ttl 604800; };\n"
            "controls { };\n"
            f'options {{ directory "{d}"; pid-file "{d}/named.pid"; '
            f'session-keyfile "{d}/session.key"; managed-keys-directory "{d}"; '
            f"listen-on port {self.port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }}; "
            "recursion no; allow-query { 127.0.0.1; }; notify no; dnssec-validation no; };\n"
            f'logging {{ channel lab {{ file "{d}/named.log"; severity info; print-time yes; '
            "print-category yes; }; category default { lab; }; };\n" + "\n".join(zone_conf) + "\n"
        )
        self.process = subprocess.Popen(
            [find_program("named"), "-c", str(d / "named.conf"), "-f"],
            stdout=subprocess.DEVNULL,
            stderr=(d / "named.stderr").open("wb"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"named exited: {self.log()}")
            if all(self._ready(z) for z in self.zones):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"named did not become ready: {self.log()}")

    def _ready(self, zone: str) -> bool:
        try:
            if not self.dnssec:
                r = self.query(zone, "SOA")
                return bool(r.answer)
            r = self.query(zone, "DNSKEY")
            keys = [
                rr for rrset in r.answer for rr in rrset if rrset.rdtype == dns.rdatatype.DNSKEY
            ]
            return any(k.flags == 257 for k in keys) and self._soa_signed(zone)
        except (OSError, dns.exception.DNSException):
            return False

    def _soa_signed(self, zone: str) -> bool:
        r = self.query(zone, "SOA")
        return any(rrset.rdtype == dns.rdatatype.RRSIG for rrset in r.answer)

    def query(self, name: str, rtype: str, *, tcp: bool = False) -> dns.message.Message:
        q = dns.message.make_query(name, rtype, want_dnssec=True)
        q.flags &= ~dns.flags.RD
        if tcp:
            return dns.query.tcp(q, "127.0.0.1", port=self.port, timeout=2)
        return dns.query.udp(q, "127.0.0.1", port=self.port, timeout=2)

    def ds(self, zone: str) -> str:
        """The DS (SHA-256) of the zone's KSK/CSK, as text for a trust anchor."""
        r = self.query(zone, "DNSKEY")
        (rrset,) = [rs for rs in r.answer if rs.rdtype == dns.rdatatype.DNSKEY]
        ksk = next(k for k in rrset if k.flags == 257)
        return dns.dnssec.make_ds(zone, ksk, "SHA256").to_text()

    def dig_axfr(self, zone: str) -> str:
        """``dig AXFR`` of ``zone`` with the server's TSIG key: the text a user saves as an
        export (dig's own format, its TSIG line included)."""
        return subprocess.run(
            [
                find_program("dig"),
                "@127.0.0.1",
                "-p",
                str(self.port),
                "-y",
                f"hmac-sha256:{TSIG_NAME}:{self.secret}",
                zone,
                "AXFR",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout

    def axfr(self, zone: str) -> dns.zone.Zone:
        return dns.zone.from_xfr(
            dns.query.xfr(
                "127.0.0.1",
                zone,
                port=self.port,
                keyring=self.keyring,
                keyalgorithm="hmac-sha256",
                relativize=False,
            ),
            relativize=False,
        )

    def update(self, zone: str, name: str, rtype: str, value: str, ttl: int = 300) -> None:
        upd = dns.update.UpdateMessage(zone, keyring=self.keyring, keyalgorithm="hmac-sha256")
        upd.add(name, ttl, rtype, value)
        r = dns.query.tcp(upd, "127.0.0.1", port=self.port, timeout=5)
        assert r.rcode() == 0, r

    def replace(self, zone: str, name: str, rtype: str, value: str, ttl: int = 300) -> None:
        upd = dns.update.UpdateMessage(zone, keyring=self.keyring, keyalgorithm="hmac-sha256")
        upd.replace(name, ttl, rtype, value)
        r = dns.query.tcp(upd, "127.0.0.1", port=self.port, timeout=5)
        assert r.rcode() == 0, r

    def log(self) -> str:
        text = ""
        for name in ("named.stderr", "named.log"):
            p = self.workdir / name
            if p.exists():
                text += p.read_text(errors="replace")[-3000:]
        return text

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


@dataclass
class Unbound:
    """unbound validating answers for ``zones`` with the given DS records as trust anchors."""

    workdir: Path
    named_port: int
    zones: list[str]
    anchors: dict[str, str]  # zone -> DS text ("key_tag alg digest_type digest")
    cache_ttl: int = 1  # the tests change records behind unbound's back: keep its cache short
    validate: bool = True  # False: a resolver that does not validate (no validator module)
    extra: str = ""  # more "server:" lines, e.g. "  ede: yes\n"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Unbound:
        d = self.workdir
        d.mkdir(parents=True, exist_ok=True)
        anchor_file = d / "anchors.ds"
        anchor_file.write_text("".join(f"{z}. IN DS {ds}\n" for z, ds in self.anchors.items()))
        anchor = f'  trust-anchor-file: "{anchor_file}"\n' if self.anchors else ""
        # Root hints on loopback: should unbound ever look beyond the stub zones, its
        # queries stay on this machine.
        hints = d / "root.hints"
        hints.write_text(". 3600000 NS lab-root.invalid.\nlab-root.invalid. 3600000 A 127.0.0.1\n")
        stubs = "".join(
            f'stub-zone:\n  name: "{z}"\n  stub-addr: 127.0.0.1@{self.named_port}\n'
            for z in self.zones
        )
        (d / "unbound.conf").write_text(
            "server:\n"
            "  interface: 127.0.0.1\n"
            f"  port: {self.port}\n"
            "  do-ip6: no\n"
            "  access-control: 127.0.0.0/8 allow\n"
            "  do-not-query-localhost: no\n"
            '  username: ""\n  chroot: ""\n'
            f'  directory: "{d}"\n  pidfile: "{d}/unbound.pid"\n'
            f'  use-syslog: no\n  logfile: "{d}/unbound.log"\n'
            "  verbosity: 1\n  val-log-level: 2\n"
            f'  module-config: "{"validator iterator" if self.validate else "iterator"}"\n'
            + anchor
            + f'  root-hints: "{hints}"\n'
            + self.extra
            + f"  cache-max-ttl: {self.cache_ttl}\n  cache-max-negative-ttl: {self.cache_ttl}\n"
            "  harden-referral-path: no\n"
            "remote-control:\n  control-enable: no\n" + stubs
        )
        self.process = subprocess.Popen(
            [find_program("unbound"), "-d", "-c", str(d / "unbound.conf")],
            stdout=subprocess.DEVNULL,
            stderr=(d / "unbound.stderr").open("wb"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("unbound exited: " + (d / "unbound.stderr").read_text())
            try:
                q = dns.message.make_query(self.zones[0], "SOA")
                dns.query.udp(q, "127.0.0.1", port=self.port, timeout=1)
                return self
            except (OSError, dns.exception.DNSException):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("unbound did not become ready")

    def stop(self) -> None:
        _stop(self.process)
        self.process = None
