"""A local HTTP server that speaks the Cloud DNS v1 REST calls google-cloud-dns makes.

managedZones list and create, rrsets list, changes create and get; on 127.0.0.1 only, on a
free port. It behaves like the real API where it matters to a sync: a new zone gets Google's
SOA and NS, a deletion must match the stored RRset exactly (else 412), an addition must not
collide with a stored RRset (else 409), and every rrdata must parse as the presentation format
of its type (else 400), checked with dnspython. Lists come in pages as the real API sends
them (``maxResults``, ``pageToken``, ``nextPageToken``): ``page_size`` sets the server's own
limit, so a client that reads only the first page is caught.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

GOOGLE_NS = ["ns-cloud-a1.googledomains.com.", "ns-cloud-a2.googledomains.com."]


@dataclass
class FakeZone:
    name: str
    dns_name: str
    id: str
    rrsets: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def resource(self) -> dict[str, Any]:
        return {
            "kind": "dns#managedZone",
            "name": self.name,
            "dnsName": self.dns_name,
            "id": self.id,
            "nameServers": GOOGLE_NS,
            "visibility": "public",
            "creationTime": "2026-11-25T00:00:00.000Z",
            "description": "",
        }


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class FakeCloudDns:
    """Start with ``with FakeCloudDns() as api:``; ``api.endpoint`` is the base URL."""

    def __init__(self, page_size: int | None = None) -> None:
        self.page_size = page_size  # the most items one list reply holds (None: no limit)
        self.page_tokens = 0  # list calls that asked for a later page
        self.zones: dict[str, FakeZone] = {}
        self.requests: list[tuple[str, str]] = []
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                path, _, query = self.path.partition("?")
                fake.requests.append((method, path))
                try:
                    with fake._lock:
                        status, reply = fake.route(
                            method, path, body, dict(urllib.parse.parse_qsl(query))
                        )
                except ApiError as e:
                    status, reply = e.status, {"error": {"code": e.status, "message": str(e)}}
                self._reply(status, reply)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeCloudDns:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    # ------------------------------------------------------------------ the API

    def route(
        self, method: str, path: str, body: dict[str, Any], query: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        query = query or {}
        m = re.fullmatch(
            r"/dns/v1/projects/([^/]+)/managedZones(?:/([^/]+))?(?:/(\w+))?(?:/([^/]+))?", path
        )
        if not m:
            raise ApiError(404, f"no such path {path}")
        _, zone_name, collection, item = m.groups()
        if zone_name is None:
            if method == "GET":
                zones = [z.resource() for z in self.zones.values()]
                return 200, self.page("managedZones", zones, query)
            return 200, self.create_zone(body)
        zone = self.zones.get(zone_name)
        if zone is None:
            raise ApiError(404, f"zone {zone_name} not found")
        if collection == "rrsets" and method == "GET":
            rrsets = [
                dict(r, kind="dns#resourceRecordSet")
                for r in sorted(zone.rrsets.values(), key=lambda r: (r["name"], r["type"]))
            ]
            return 200, self.page("rrsets", rrsets, query)
        if collection == "changes" and method == "POST":
            return 200, self.apply(zone, body)
        if collection == "changes" and method == "GET" and item:
            for change in zone.changes:
                if change["id"] == item:
                    return 200, change
            raise ApiError(404, f"change {item} not found")
        raise ApiError(404, f"no such call {method} {path}")

    def page(self, key: str, items: list[Any], query: dict[str, str]) -> dict[str, Any]:
        """One page of a list: ``maxResults`` from ``pageToken`` on, within ``page_size``."""
        try:
            start = int(query.get("pageToken", "0"))
            size = int(query.get("maxResults", "0")) or len(items) or 1
        except ValueError:
            raise ApiError(400, "invalid pageToken or maxResults") from None
        if self.page_size:
            size = min(size, self.page_size)
        self.page_tokens += "pageToken" in query
        reply: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            reply["nextPageToken"] = str(start + size)
        return reply

    def create_zone(self, body: dict[str, Any]) -> dict[str, Any]:
        dns_name = body["dnsName"]
        if any(z.dns_name == dns_name for z in self.zones.values()):
            raise ApiError(409, f"zone for {dns_name} exists")
        zone = FakeZone(body["name"], dns_name, str(next(self._ids)))
        zone.rrsets[(dns_name, "SOA")] = {
            "name": dns_name,
            "type": "SOA",
            "ttl": 21600,
            "rrdatas": [f"{GOOGLE_NS[0]} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"],
        }
        zone.rrsets[(dns_name, "NS")] = {
            "name": dns_name,
            "type": "NS",
            "ttl": 21600,
            "rrdatas": list(GOOGLE_NS),
        }
        self.zones[zone.name] = zone
        return zone.resource()

    def apply(self, zone: FakeZone, body: dict[str, Any]) -> dict[str, Any]:
        rrsets = dict(zone.rrsets)
        for rr in body.get("deletions", []):
            key = (rr["name"], rr["type"])
            stored = rrsets.get(key)
            # The client sends the TTL as a JSON string; the API treats it as a number.
            if (
                stored is None
                or stored["ttl"] != int(rr["ttl"])
                or stored["rrdatas"] != rr["rrdatas"]
            ):
                raise ApiError(412, f"deletion of {key} does not match the stored rrset")
            del rrsets[key]
        for rr in body.get("additions", []):
            key = (rr["name"], rr["type"])
            if key in rrsets:
                raise ApiError(409, f"{key} already exists")
            if not rr["name"].endswith(zone.dns_name):
                raise ApiError(400, f"{rr['name']} is not in {zone.dns_name}")
            for text in rr["rrdatas"]:
                try:
                    dns.rdata.from_text(
                        dns.rdataclass.IN,
                        dns.rdatatype.from_text(rr["type"]),
                        text,
                        origin=dns.name.root,
                        relativize=False,
                    )
                except Exception as e:
                    raise ApiError(400, f"invalid rrdata {text!r} for {rr['type']}: {e}") from None
            rrsets[key] = {
                "name": rr["name"],
                "type": rr["type"],
                "ttl": int(rr["ttl"]),
                "rrdatas": list(rr["rrdatas"]),
            }
        zone.rrsets = rrsets
        change = {
            "kind": "dns#change",
            "id": str(next(self._ids)),
            "status": "done",
            "startTime": "2026-11-25T00:00:00.000Z",
            "additions": body.get("additions", []),
            "deletions": body.get("deletions", []),
        }
        zone.changes.append(change)
        return change

    # ------------------------------------------------------------------ for tests

    def zone_by_dns_name(self, dns_name: str) -> FakeZone:
        (zone,) = [z for z in self.zones.values() if z.dns_name == dns_name]
        return zone
