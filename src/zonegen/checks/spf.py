"""SPF (RFC 7208): syntax, one record per name, the 10-lookup limit, a terminal ``all``,
and the mail host's own IPs allowed for the domains it sends for.

checkdmarc and pyspf parse SPF too, but both resolve includes over the network while parsing;
these checks must stay offline and resolve includes inside the built zones only.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .. import names
from ..model import Record
from ..model import target as target_of
from ..problem import Problem
from ..text import digits
from .context import Context

LOOKUP_LIMIT = 10  # RFC 7208 4.6.4
_MECHANISMS = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
_LOOKUPS = {"include", "a", "mx", "ptr", "exists"}  # and the redirect modifier
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")  # RFC 7208 12: name of a modifier


@dataclass(frozen=True, slots=True)
class Term:
    qualifier: str
    kind: str  # mechanism name, or "redirect", "exp", or another modifier's name
    arg: str  # after ':' or '=' ('' when absent)
    cidr: str  # '/n' or '/n//m' part of a, mx, ip4, ip6
    modifier: bool


class SpfSyntax(ValueError):
    pass


@functools.lru_cache(maxsize=4096)
def parse(value: str) -> tuple[Term, ...]:
    """Terms of an SPF record; raises SpfSyntax naming the first bad term."""
    parts = value.split(" ")
    if parts[0].lower() != "v=spf1":
        raise SpfSyntax("does not start with v=spf1")
    terms = []
    for raw in parts[1:]:
        if not raw:
            continue  # RFC 7208 12 allows runs of spaces
        m = re.match(r"^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$", raw)
        if m:
            if not _NAME_RE.match(m.group(1)):
                raise SpfSyntax(f"bad modifier {raw!r}")
            terms.append(Term("", m.group(1).lower(), m.group(2), "", True))
            continue
        qualifier = raw[0] if raw[0] in "+-~?" else ""
        body = raw[len(qualifier) :]
        kind, sep, arg = body.partition(":")
        kind = kind.lower()
        cidr = ""
        if kind not in _MECHANISMS:
            # a/mx may carry a CIDR with no domain: "a/24", "mx//64"
            head, slash, tail = kind.partition("/")
            if head in ("a", "mx") and slash:
                kind, cidr = head, "/" + tail
            else:
                raise SpfSyntax(f"unknown mechanism {raw!r}")
        if kind in ("a", "mx", "ip4", "ip6") and "/" in arg:
            arg, _, rest = arg.partition("/")
            cidr = "/" + rest
        _check_term(raw, kind, sep, arg, cidr)
        terms.append(Term(qualifier or "+", kind, arg, cidr, False))
    redirects = [t for t in terms if t.kind == "redirect"]
    exps = [t for t in terms if t.kind == "exp"]
    if len(redirects) > 1 or len(exps) > 1:
        raise SpfSyntax("redirect= and exp= may appear once each (RFC 7208 6)")
    return tuple(terms)


def _check_term(raw: str, kind: str, sep: str, arg: str, cidr: str) -> None:
    if kind == "all" and (sep or cidr):
        raise SpfSyntax(f"{raw!r}: all takes no argument")
    if kind in ("include", "exists") and not arg:
        raise SpfSyntax(f"{raw!r}: {kind} needs a domain")
    if kind in ("ip4", "ip6"):
        try:
            net = ipaddress.ip_network(arg + (cidr.split("//")[0] if cidr else ""), strict=False)
        except ValueError:
            raise SpfSyntax(f"{raw!r}: not an IP network") from None
        if (kind == "ip4") != (net.version == 4):
            raise SpfSyntax(f"{raw!r}: an IPv{net.version} address in {kind}")
    if cidr:
        v4, _, v6 = cidr[1:].partition("//")
        if (v4 and (not digits(v4) or int(v4) > 32 + (96 if kind == "ip6" else 0))) or (
            v6 and (not digits(v6) or int(v6) > 128)
        ):
            raise SpfSyntax(f"{raw!r}: bad CIDR length")


def _spf_records(ctx: Context) -> dict[str, list[tuple[Record, str]]]:
    out: dict[str, list[tuple[Record, str]]] = {}
    for name in ctx.names():
        found = [(r, v) for r, v in ctx.txt(name, "v=spf1") if v[6:7] in ("", " ")]
        if found:
            out[name] = found
    return out


def spf_records(ctx: Context) -> Iterator[Problem]:
    """``spf-syntax``, ``spf-one-record``, ``spf-too-many-lookups``, ``spf-no-all``,
    ``spf-host-not-allowed``."""
    spf = _spf_records(ctx)
    for name in sorted(spf):
        records = spf[name]
        if len(records) > 1:
            yield ctx.problem(
                records[1][0],
                "spf-one-record",
                f"{len(records)} SPF records at one name: receivers return "
                "permerror (RFC 7208 4.5)",
                "merge them into one record",
            )
        record, value = records[0]
        try:
            terms = parse(value)
        except SpfSyntax as e:
            yield ctx.problem(record, "spf-syntax", str(e), "see RFC 7208 5 and 6")
            continue
        count, external = _lookups(ctx, spf, name, set())
        if count > LOOKUP_LIMIT:
            yield ctx.problem(
                record,
                "spf-too-many-lookups",
                f"{count} DNS lookups counting includes in these zones"
                + (f", plus {', '.join(sorted(external))}" if external else "")
                + f"; more than {LOOKUP_LIMIT} is a permerror (RFC 7208 4.6.4)",
                "replace includes and a/mx with ip4:/ip6: where you can",
            )
        if not any(t.kind == "all" for t in terms) and not any(t.kind == "redirect" for t in terms):
            yield ctx.problem(
                record,
                "spf-no-all",
                "no terminal 'all' or redirect=: the result for other senders is neutral",
                "end the record with ~all or -all",
                warning=True,
            )
        else:
            alls = [i for i, t in enumerate(terms) if t.kind == "all"]
            if alls and any(not t.modifier for t in terms[alls[0] + 1 :]):
                yield ctx.problem(
                    record,
                    "spf-no-all",
                    "mechanisms after 'all' are never evaluated",
                    "put all last",
                    warning=True,
                )
    yield from _host_allowed(ctx, spf)


def _lookups(
    ctx: Context, spf: dict[str, list[tuple[Record, str]]], name: str, seen: set[str]
) -> tuple[int, set[str]]:
    """DNS-querying terms of the record at ``name``, following includes and redirect into
    the built zones; names outside them are returned to be listed."""
    if name in seen or name not in spf:
        return 0, set()
    seen.add(name)
    try:
        terms = parse(spf[name][0][1])
    except SpfSyntax:
        return 0, set()
    count = 0
    external: set[str] = set()
    for t in terms:
        if t.kind in _LOOKUPS or t.kind == "redirect":
            count += 1
            if t.kind in ("include", "redirect"):
                target = _target(t.arg)
                if target and ctx.zone_of(target):
                    sub, ext = _lookups(ctx, spf, target, seen)
                    count += sub
                    external |= ext
                elif target:
                    external.add(names.unicode(target).rstrip("."))
    return count, external


def _target(arg: str) -> str | None:
    if "%" in arg:  # a macro: only known at evaluation time
        return None
    try:
        return names.absolute(arg)
    except ValueError:
        return None


def _host_allowed(ctx: Context, spf: dict[str, list[tuple[Record, str]]]) -> Iterator[Problem]:
    """For each name whose MX is the mail host (and the host itself), the host's IPs must
    pass the name's SPF, evaluated over the built zones. Where evaluation would need DNS
    outside them (include of another domain, exists, ptr, macros), it gives no verdict."""
    host = ctx.build.hostname
    senders = {r.name for r in ctx.records if r.rtype == "MX" and target_of(r) == host}
    senders.add(host)
    addresses = [(ip, ipaddress.ip_address(ip)) for ip in ctx.build.ips]
    for name in sorted(senders & set(spf)):
        record, _ = spf[name][0]
        for ip, address in addresses:
            verdict = _evaluate(ctx, spf, name, address, set())
            if verdict is not None and verdict != "+":
                yield ctx.problem(
                    record,
                    "spf-host-not-allowed",
                    f"the mail host's address {ip} gets "
                    f"'{ {'-': 'fail', '~': 'softfail', '?': 'neutral'}[verdict] }'"
                    f" for {names.unicode(name)}",
                    f"add ip{'6' if ':' in ip else '4'}:{ip} or mx to the record",
                )


@functools.lru_cache(maxsize=4096)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An ip4:/ip6: term's network (parse() has checked it); domains share their SPF."""
    return ipaddress.ip_network(text, strict=False)


def _evaluate(
    ctx: Context,
    spf: dict[str, list[tuple[Record, str]]],
    name: str,
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
    seen: set[str],
) -> str | None:
    """The qualifier of the first matching term, '?' for no match, None when unknowable."""
    if name in seen or name not in spf:
        return None
    seen = seen | {name}
    try:
        terms = parse(spf[name][0][1])
    except SpfSyntax:
        return None
    for t in terms:
        if t.modifier:
            continue
        if t.kind == "all":
            return t.qualifier
        if t.kind in ("ip4", "ip6"):
            net = _network(t.arg + (t.cidr.split("//")[0] if t.cidr else ""))
            if ip.version == net.version and ip in net:
                return t.qualifier
            continue
        dom = _target(t.arg) if t.arg else name
        if dom is None or not ctx.zone_of(dom):
            return None
        if t.kind == "include":
            inner = _evaluate(ctx, spf, dom, ip, seen)
            if inner is None:
                return None
            if inner == "+":
                return t.qualifier
            continue
        if t.kind in ("a", "mx"):
            hosts = [dom] if t.kind == "a" else [str(target_of(r)) for r in ctx.get(dom, "MX")]
            if any(not ctx.zone_of(h) for h in hosts):
                return None
            if t.cidr or any(str(ip) == a for h in hosts for a in ctx.addresses(h)):
                if t.cidr:
                    return None  # a CIDR on a/mx: leave it to real evaluators
                return t.qualifier
            continue
        return None  # ptr, exists
    redirect = next((t for t in terms if t.kind == "redirect"), None)
    if redirect:
        dom = _target(redirect.arg)
        return _evaluate(ctx, spf, dom, ip, seen) if dom else None
    return "?"
