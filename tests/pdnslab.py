"""A real PowerDNS Authoritative Server for the tests: Debian's ``pdns_server`` with the sqlite3
back end and its HTTP API, on 127.0.0.1 only, on free high ports, started and stopped here.

Nothing leaves the machine: the security poll (a DNS query to secpoll.powerdns.com that
pdns_server sends at start-up by default) is switched off, there is no ``resolver`` (ALIAS
expansion) and no carbon, and DNS and the API listen on 127.0.0.1.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.dnssec
import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import dns.zone

from dnslab import LAB_NS, _stop, find_program, free_port

# Where Debian's pdns-backend-sqlite3 puts the schema (README.Debian of the package).
SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")


@dataclass
class PowerDns:
    workdir: Path
    port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    api_key: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        """What config/octodns-powerdns.yaml reads."""
        return {
            "PDNS_API_HOST": "127.0.0.1",
            "PDNS_API_PORT": str(self.api_port),
            "PDNS_API_KEY": self.api_key,
        }

    def start(self) -> PowerDns:
        d = self.workdir
        d.mkdir(parents=True, exist_ok=True)
        assert SCHEMA.is_file(), f"{SCHEMA} is missing: `make test` installs pdns-backend-sqlite3"
        with sqlite3.connect(d / "pdns.sqlite3") as db:
            db.executescript(SCHEMA.read_text())
        (d / "pdns.conf").write_text(
            "launch=gsqlite3\n"
            f"gsqlite3-database={d}/pdns.sqlite3\n"
            "gsqlite3-dnssec=yes\n"
            f"local-address=127.0.0.1\nlocal-port={self.port}\n"
            "api=yes\n"
            f"api-key={self.api_key}\n"
            "webserver=yes\nwebserver-address=127.0.0.1\n"
            f"webserver-port={self.api_port}\nwebserver-allow-from=127.0.0.1\n"
            f"socket-dir={d}\n"
            "guardian=no\ndaemon=no\ndisable-syslog=yes\nwrite-pid=no\n"
            # No traffic beyond loopback: no security poll; primary=no (the default) sends
            # no NOTIFY, so the NS names are never resolved.
            "security-poll-suffix=\nprimary=no\n"
            "allow-axfr-ips=127.0.0.1\n"
            "loglevel=5\n"
        )
        self.process = subprocess.Popen(
            [find_program("pdns_server"), f"--config-dir={d}"],
            stdout=subprocess.DEVNULL,
            stderr=(d / "pdns.stderr").open("wb"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pdns_server exited: {self.log()}")
            try:
                self.api("GET", "")
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pdns_server did not become ready: {self.log()}")

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One call of the HTTP API (``/api/v1/servers/localhost/<path>``); the JSON answer."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api_port}/api/v1/servers/localhost/{path}".rstrip("/"),
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"X-API-Key": self.api_key, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def create_zone(self, zone: str) -> None:
        """A zone as an operator creates it (``pdnsutil create-zone``): SOA and NS only."""
        self.api("POST", "zones", {"name": zone, "kind": "Master", "nameservers": [LAB_NS]})

    def sign(self, zone: str) -> str:
        """Turn DNSSEC on through the API; the DS (SHA-256) for the parent, as text."""
        self.api("PUT", f"zones/{zone}", {"dnssec": True})
        keys = self.api("GET", f"zones/{zone}/cryptokeys")
        (ds,) = [d for k in keys if k["active"] for d in k.get("ds", []) if d.split()[2] == "2"]
        return str(ds)

    def query(self, name: str, rtype: str) -> dns.message.Message:
        q = dns.message.make_query(name, rtype, want_dnssec=True)
        q.flags &= ~dns.flags.RD
        return dns.query.udp(q, "127.0.0.1", port=self.port, timeout=2)

    def axfr(self, zone: str) -> dns.zone.Zone:
        return dns.zone.from_xfr(
            dns.query.xfr("127.0.0.1", zone, port=self.port, relativize=False, lifetime=10),
            relativize=False,
            check_origin=False,  # a zone the sync created has no NS (test_sync_powerdns)
        )

    def log(self) -> str:
        p = self.workdir / "pdns.stderr"
        return p.read_text(errors="replace")[-3000:] if p.exists() else ""

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


def ds_matches(server: PowerDns, zone: str, ds: str) -> bool:
    """The DS the API gave is the digest of the KSK/CSK the server publishes over DNS."""
    r = server.query(zone, "DNSKEY")
    keys = [rr for rs in r.answer if rs.rdtype == dns.rdatatype.DNSKEY for rr in rs]
    return any(dns.dnssec.make_ds(zone, k, "SHA256").to_text() == ds for k in keys)
