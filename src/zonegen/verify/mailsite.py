"""What the mail checks expect, taken from the build once per run (pure: no queries, no files).

Mox checks one domain at a time against its own config (``checkDomain`` in Mox's
webadmin/admin.go); zonegen checks every mail domain of the site the same way, against what
the build holds: the host name and IPs, the mail domains (every owner of a built MX record,
and the domains of Mox's config that fall in a zone), the records built for each name (a
record the site publishes is expected live; one it does not publish is only a warning when
absent, as in Mox's "missing optional"), and, with ``mox.config``, the DKIM public keys of the
private keys Mox signs with.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..pipeline import Result, zone_for
from ..sources.keys import dkim_public, load_private_key
from .findings import Where

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class DkimKey:
    domain: str
    selector: str
    kind: str  # rsa | ed25519
    public: bytes  # what p= must decode to (RFC 6376 3.6.1, RFC 8463 4)
    where: str  # domains.conf:line and the key file, for messages


@dataclass(frozen=True)
class MailSite:
    hostname: str  # absolute, lowercase A-labels
    ips: tuple[str, ...]  # the host's public IPs: what SPF must pass, PTR must confirm
    domains: tuple[str, ...]
    zones: frozenset[str]
    built: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    dkim: tuple[DkimKey, ...] = ()

    def zone(self, name: str) -> str:
        return zone_for(name, self.zones) or ""

    def where(self, name: str, rtype: str, server: str) -> Where:
        return Where(self.zone(name), name, rtype, server)

    def has(self, name: str, rtype: str) -> bool:
        """Does the build publish ``rtype`` at ``name``?"""
        return (name, rtype) in self.built

    def ours(self, addresses: list[str]) -> tuple[list[str], list[str]]:
        """``addresses`` split into the host's and the others (Mox's ourIPs/notOurIPs)."""
        mine = {_address(ip) for ip in self.ips}
        yes: list[str] = []
        no: list[str] = []
        for text in addresses:
            a = _address(text)
            (yes if a is not None and a in mine else no).append(text)
        return yes, no


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def mail_site(build: Result) -> MailSite:
    """The expectations of the mail checks. Reads the DKIM private keys (through
    ``sources``) when the site has ``mox.config``: a key that cannot be read is bad input,
    reported before anything is asked."""
    zones = frozenset(z.name for z in build.zones)
    built: dict[tuple[str, str], list[str]] = {}
    for z in build.zones:
        for r in z.records:
            built.setdefault((r.name, r.rtype), []).append(r.value)
    domains = {name for name, rtype in built if rtype == "MX"}
    config = build.config
    keys: list[DkimKey] = []
    if config is not None:
        domains |= {d for d in config.domains if zone_for(d, zones)}
        for sel in config.dkim:
            if not zone_for(sel.domain, zones):
                continue
            blob = build.inputs.blob(sel.key_file)
            kind, p = dkim_public(load_private_key(blob.bytes(what="key file"), display=blob.shown))
            keys.append(
                DkimKey(
                    sel.domain,
                    sel.selector,
                    kind,
                    base64.b64decode(p),
                    f"{sel.where}, {blob.shown}",
                )
            )
    return MailSite(
        hostname=build.hostname,
        ips=build.ips,
        domains=tuple(sorted(domains)),
        zones=zones,
        built={k: tuple(sorted(v)) for k, v in built.items()},
        dkim=tuple(keys),
    )
