"""Read Mox's config directory: mox.conf (static) and domains.conf (dynamic), both sconf.

Only what DNS needs is taken: the hostname, the IPs the host is reached on, the domains, their
DKIM selectors and key files, and the host keys behind the DANE TLSA records. The IP rule is
Mox's ``mox-.DomainSPFIPs``: listeners with SMTP enabled and without ``IPsNATed``, their
``NATIPs`` when set, else their ``IPs``, with 0.0.0.0 and :: skipped.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from .. import names
from ..errors import InputError
from .files import show
from .sconf import SList, SMap, SValue, parse_sconf


@dataclass(frozen=True, slots=True)
class DkimSelector:
    domain: str  # absolute A-label
    selector: str
    key_file: Path
    where: str  # domains.conf:line, for messages


@dataclass(frozen=True, slots=True)
class Listener:
    name: str
    ips: tuple[str, ...]
    natips: tuple[str, ...]
    smtp: bool
    ips_nated: bool


@dataclass(frozen=True, slots=True)
class MoxConfig:
    directory: Path
    hostname: str  # absolute A-label
    ips: tuple[str, ...]  # public IPs of the host, config order, unspecified skipped
    domains: tuple[str, ...]  # absolute A-labels, disabled ones included
    dkim: tuple[DkimSelector, ...]
    host_keys: tuple[Path, ...]
    listeners: tuple[Listener, ...] = ()
    shown: str = ""  # mox.conf, as messages show it
    # The CA Mox names in its CAA record ("" when it prints none): the IssuerDomainName of
    # the ACME config the "public" listener's TLS uses (main.go cmdConfigDNSRecords).
    caa_issuer: str = ""


def parse_mox_config(directory: Path, static_text: str, domains_text: str) -> MoxConfig:
    """Mox's config from the texts of ``directory``/mox.conf and ``directory``/domains.conf."""
    static_shown = show(directory / "mox.conf")
    static = parse_sconf(static_text, static_shown)
    domains_shown = show(directory / "domains.conf")
    dynamic = parse_sconf(domains_text, domains_shown)

    hostname_text = _str(static, "Hostname", static_shown, required=True)
    assert hostname_text is not None
    hostname = names.absolute_or_error(
        hostname_text, path=static_shown, line=static.lines["Hostname"], what="Hostname"
    )

    ips: list[str] = []
    host_keys: list[Path] = []
    found: list[Listener] = []
    caa_issuer = ""
    listeners = _map(static, "Listeners", static_shown)
    for lname, listener in (listeners or {}).items():
        if not isinstance(listener, SMap):
            continue
        smtp = listener.get("SMTP")
        smtp_on = isinstance(smtp, SMap) and smtp.get("Enabled") == "true"
        nated = listener.get("IPsNATed") == "true"
        listed = _ips(_list(listener, "IPs", static_shown), static_shown)
        natips = _ips(_list(listener, "NATIPs", static_shown), static_shown)
        found.append(Listener(lname, tuple(listed), tuple(natips), smtp_on, nated))
        if smtp_on and not nated:
            for ip in natips or listed:
                if ip not in ips:
                    ips.append(ip)
        # admin/dnsrecords.go takes the DANE keys from the listener named "public" only.
        tls = listener.get("TLS")
        if lname == "public" and isinstance(tls, SMap):
            files = _list(tls, "HostPrivateKeyFiles", static_shown) or SList(0)
            host_keys.extend(directory / str(f) for f in files)
            caa_issuer = _caa_issuer(static, tls.get("ACME"))

    domains: list[str] = []
    dkim: list[DkimSelector] = []
    for dname, dconf in (_map(dynamic, "Domains", domains_shown) or {}).items():
        line = dynamic["Domains"].lines[dname] if isinstance(dynamic["Domains"], SMap) else 0
        domain = names.absolute_or_error(dname, path=domains_shown, line=line, what="domain")
        domains.append(domain)
        if not isinstance(dconf, SMap):
            continue
        dkim_conf = dconf.get("DKIM")
        selectors = dkim_conf.get("Selectors") if isinstance(dkim_conf, SMap) else None
        if not isinstance(selectors, SMap):
            continue
        for sel, sconf in selectors.items():
            sel_line = selectors.lines[sel]
            keyfile = sconf.get("PrivateKeyFile") if isinstance(sconf, SMap) else None
            if not isinstance(keyfile, str):
                raise InputError(
                    f"DKIM selector {sel} of {dname} has no PrivateKeyFile",
                    path=domains_shown,
                    line=sel_line,
                )
            dkim.append(
                DkimSelector(domain, sel, directory / keyfile, f"{domains_shown}:{sel_line}")
            )
    return MoxConfig(
        directory,
        hostname,
        tuple(ips),
        tuple(domains),
        tuple(dkim),
        tuple(host_keys),
        tuple(found),
        static_shown,
        caa_issuer,
    )


def _caa_issuer(static: SMap, acme_name: SValue) -> str:
    """The IssuerDomainName of the ACME config named ``acme_name`` ("" when there is none)."""
    acme = static.get("ACME")
    if not isinstance(acme_name, str) or not isinstance(acme, SMap):
        return ""
    conf = acme.get(acme_name)
    issuer = conf.get("IssuerDomainName") if isinstance(conf, SMap) else None
    return issuer if isinstance(issuer, str) else ""


def _str(m: SMap, key: str, path: str, *, required: bool = False) -> str | None:
    value = m.get(key)
    if value is None:
        if required:
            raise InputError(f"mox.conf has no {key}", path=path, line=m.line)
        return None
    if not isinstance(value, str):
        raise InputError(f"{key} must be a single value", path=path, line=m.lines[key])
    return value


def _map(m: SMap, key: str, path: str) -> SMap | None:
    value = m.get(key)
    if value is None:
        return None
    if not isinstance(value, SMap):
        raise InputError(
            f"{key} must be a block of 'Key: value' lines", path=path, line=m.lines[key]
        )
    return value


def _list(m: SMap, key: str, path: str) -> SList | None:
    value: SValue = m.get(key)
    if value is None:
        return None
    if not isinstance(value, SList):
        raise InputError(f"{key} must be a list of '- item' lines", path=path, line=m.lines[key])
    return value


def _ips(items: SList | None, path: str) -> list[str]:
    result: list[str] = []
    for item, line in zip(items or [], (items.lines if items else []), strict=True):
        if not isinstance(item, str):
            raise InputError("an IP address must be a single value", path=path, line=line)
        try:
            ip = ipaddress.ip_address(item)
        except ValueError:
            raise InputError(f"{item!r} is not an IP address", path=path, line=line) from None
        if ip.is_unspecified:  # 0.0.0.0 and :: mean "all addresses": nothing to publish
            continue
        result.append(str(ip))
    return result
