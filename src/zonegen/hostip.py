"""The mail host's public IPs: where they are written down, changing them, and noticing when
the world changed them first (a home line or a cheap VPS gets a new address)."""

from __future__ import annotations

import contextlib
import ipaddress
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import names
from .errors import InputError
from .mail import spf
from .model import txt_text
from .output import read_existing
from .pipeline import host_ips
from .sources import Inputs
from .sources.exports import parse_kept
from .sources.files import read_text, show
from .sources.sconf import SList, SMap, parse_sconf

DEFAULT_ECHO_URL = "https://api.ipify.org"  # answers with the caller's IPv4 as plain text


# ---------------------------------------------------------------------------- show


@dataclass(frozen=True, slots=True)
class Sighting:
    where: str  # "site file", "mox.conf listener public (NATIPs)", "zones/example.org.yaml A"
    ips: tuple[str, ...]


def sightings(inputs: Inputs, out_dir: Path) -> tuple[list[Sighting], tuple[str, ...]]:
    """Every place the host's IPs are written, and the IPs the next build will publish."""
    site, config = inputs.site, inputs.mox_config()
    seen: list[Sighting] = []
    if site.ipv4 is not None or site.ipv6 is not None:
        seen.append(
            Sighting(
                f"site file {site.shown} (host.ipv4/ipv6)", (site.ipv4 or ()) + (site.ipv6 or ())
            )
        )
    if config:
        for listener in config.listeners:
            if not listener.smtp:
                continue
            conf = config.shown
            seen.append(Sighting(f"{conf} listener {listener.name} IPs", listener.ips))
            if listener.natips:
                seen.append(Sighting(f"{conf} listener {listener.name} NATIPs", listener.natips))
    host = site.host_name or (config.hostname if config else None)
    for zone in site.zones:
        path = out_dir / (names.unicode(zone.name) + "yaml")
        text = read_existing(path)
        if text is None:
            continue
        records = parse_kept(text, show(path), zone.name)
        if host:
            found = tuple(r.value for r in records if r.name == host and r.rtype in ("A", "AAAA"))
            if found:
                seen.append(Sighting(f"{show(path)} {names.unicode(host)} A/AAAA", found))
        for r in records:
            # The addresses the build follows when the host moves (pipeline.follow_ips).
            terms = spf.host_addresses(txt_text(r.rdata)) if r.rtype == "TXT" else ()
            if terms:
                ips = tuple(ip for _, ip in terms)
                seen.append(Sighting(f"{show(path)} {names.unicode(r.name)} SPF", ips))
    return seen, host_ips(site, config)


def disagreements(seen: list[Sighting], wanted: tuple[str, ...]) -> list[str]:
    out = []
    for s in seen:
        if s.where.endswith(" IPs") and any(
            x.where.endswith("NATIPs") and x.where.startswith(s.where[:-4]) for x in seen
        ):
            continue  # behind NAT the listener's own IPs are private: NATIPs are what count
        if set(s.ips) != set(wanted) and not s.where.endswith(" SPF"):
            out.append(f"{s.where} has {', '.join(s.ips) or 'none'}")
        elif s.where.endswith(" SPF") and not set(wanted) <= set(s.ips):
            missing = sorted(set(wanted) - set(s.ips))
            out.append(f"{s.where} lacks {', '.join(missing)}")
    return out


# ---------------------------------------------------------------------------- set


def split_families(addresses: tuple[str, ...]) -> tuple[list[str], list[str]]:
    v4: list[str] = []
    v6: list[str] = []
    for text in addresses:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            raise InputError(f"{text!r} is not an IP address") from None
        if ip.is_unspecified or ip.is_loopback:
            raise InputError(f"{text} cannot be the mail host's public address")
        (v4 if ip.version == 4 else v6).append(str(ip))
    return v4, v6


def edit_mox_conf(directory: Path, v4: list[str], v6: list[str]) -> tuple[Path, str, str]:
    """mox.conf with the public listener's NATIPs (if it has them, else IPs) of each given
    family replaced, every other byte as it was. Returns (path, old text, new text)."""
    path = directory / "mox.conf"
    text = read_text(path, what="mox.conf")
    conf = parse_sconf(text, show(path))
    listeners = conf.get("Listeners")
    public = listeners.get("public") if isinstance(listeners, SMap) else None
    if not isinstance(public, SMap):
        raise InputError("mox.conf has no public listener", path=show(path))
    key = "NATIPs" if isinstance(public.get("NATIPs"), SList) else "IPs"
    items = public.get(key)
    if not isinstance(items, SList) or not items.lines:
        raise InputError(
            f"the public listener has no {key} list", path=show(path), line=public.line
        )
    lines = text.split("\n")
    first = lines[items.lines[0] - 1]
    indent = first[: len(first) - len(first.lstrip("\t"))]
    new_items: list[str] = []
    placed = {4: False, 6: False}
    for item in items:
        version = ipaddress.ip_address(str(item)).version
        replacement = v4 if version == 4 else v6
        if not replacement:
            new_items.append(str(item))
        elif not placed[version]:
            new_items.extend(replacement)
            placed[version] = True
    for version, replacement in ((4, v4), (6, v6)):
        if replacement and not placed[version]:
            new_items.extend(replacement)
    start, end = items.lines[0] - 1, items.lines[-1]
    lines[start:end] = [f"{indent}- {ip}" for ip in new_items]
    return path, text, "\n".join(lines)


# ---------------------------------------------------------------------------- check


class CannotTell(Exception):
    """No answer from the IP-echo service, or one that is not an address."""


def public_address(url: str, *, timeout: float = 10.0) -> str:
    """What an IP-echo service (plain text body with the caller's address) says."""
    request = urllib.request.Request(url, headers={"User-Agent": "zonegen-ip-check"})
    try:
        with contextlib.closing(urllib.request.urlopen(request, timeout=timeout)) as response:
            body = response.read(200).decode("ascii", "replace").strip()
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise CannotTell(f"{url}: {getattr(e, 'reason', e)}") from None
    try:
        return str(ipaddress.ip_address(body))
    except ValueError:
        raise CannotTell(f"{url} did not answer with an IP address") from None
