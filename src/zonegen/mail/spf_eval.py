"""SPF (RFC 7208) ``check_host()``: a record evaluated as a receiver does.

Sections 4 and 5: include, redirect, a, mx, ptr, exists, ip4/ip6, exp, macro expansion, the
10-lookup and 2-void-lookup limits of 4.6.4, the 10-name limits of MX and PTR, over a
:class:`~zonegen.mail.spf.Lookup`: any object with ``ask(name, rdtype)``. ``zonegen check``
answers from the built zones and says "cannot tell offline" (:data:`~zonegen.mail.spf.UNKNOWN`)
for names outside them; ``verify`` and ``ip`` answer from live DNS.

Records are read by the one parser and model of :mod:`zonegen.mail.spf`. The evaluator lives
apart from it so that what only reads records (the build, its error-level checks) does not
import it: it is imported where a record is evaluated.
"""

from __future__ import annotations

import ipaddress
import re
import time
from typing import NamedTuple

from .spf import (
    ERROR,
    LOOKUP_LIMIT,
    MX_LIMIT,
    NXDOMAIN,
    PTR_LIMIT,
    UNKNOWN,
    UNKNOWN_RESULT,
    VOID_LIMIT,
    Answer,
    Fault,
    Lookup,
    MacroString,
    Mechanism,
    Modifier,
    SpfSyntaxError,
    is_spf,
    macro_string,
    parse,
    valid_domain,
)

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_ADDRESS_TYPES = (ipaddress.IPv4Address, ipaddress.IPv6Address)


class Result(NamedTuple):
    """What :func:`check_host` answers."""

    result: str  # one of RESULTS, or UNKNOWN_RESULT
    reason: str = ""  # for permerror/temperror/unknown: why
    mechanism: str = ""  # the term that matched
    explanation: str | None = None  # exp= text on fail, when there is one
    lookups: int = 0  # DNS-querying terms evaluated (RFC 7208 4.6.4)
    voids: int = 0


class _PermError(Exception):
    pass


class _TempError(Exception):
    pass


class _Unknown(Exception):
    pass


def check_host(
    ip: str | _Address,
    domain: str,
    sender: str,
    lookup: Lookup,
    *,
    helo: str = "",
    receiver: str = "unknown",
    now: int | None = None,
) -> Result:
    """RFC 7208 4: the SPF result for ``ip`` sending as ``sender`` (``local@domain``; the
    HELO identity is ``postmaster@helo``) for ``domain``. ``ip`` may be given parsed (a
    caller that asks for many domains parses its addresses once)."""
    address = ip if isinstance(ip, _ADDRESS_TYPES) else ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # RFC 7208 5: an IPv4-mapped address is IPv4
    local, _, sender_domain = sender.rpartition("@")
    if not local:
        local = "postmaster"  # RFC 7208 4.3
    state = _Evaluation(
        lookup, address, local, sender_domain or domain, helo, receiver, now or int(time.time())
    )
    try:
        result, mechanism, explanation = state.check(domain, explain=True)
    except _PermError as e:
        return Result("permerror", str(e), lookups=state.lookups, voids=state.voids)
    except _TempError as e:
        return Result("temperror", str(e), lookups=state.lookups, voids=state.voids)
    except _Unknown as e:
        return Result(UNKNOWN_RESULT, str(e), lookups=state.lookups, voids=state.voids)
    return Result(result, "", mechanism, explanation, state.lookups, state.voids)


class _Evaluation:
    """The state of one check_host() run: the client, the counters of RFC 7208 4.6.4 and
    the names the client's PTR validated (5.5), asked once per run."""

    def __init__(
        self,
        lookup: Lookup,
        ip: _Address,
        local: str,
        sender_domain: str,
        helo: str,
        receiver: str,
        now: int,
    ) -> None:
        self.lookup = lookup
        self.ip = ip
        self.local = local
        self.sender_domain = sender_domain
        self.helo = helo
        self.receiver = receiver
        self.now = now
        self.lookups = 0
        self.voids = 0
        self._validated: dict[str, list[str]] = {}

    # -- DNS

    def ask(self, name: str, rdtype: str) -> Answer:
        answer = self.lookup.ask(name, rdtype)
        if answer is UNKNOWN:
            raise _Unknown(f"cannot tell offline: {name} {rdtype}")
        return answer

    def count(self) -> None:
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            raise _PermError(f"more than {LOOKUP_LIMIT} DNS-querying terms (RFC 7208 4.6.4)")

    def void(self, answer: Answer) -> None:
        if answer is NXDOMAIN or answer == ():
            self.voids += 1
            if self.voids > VOID_LIMIT:
                raise _PermError(f"more than {VOID_LIMIT} void lookups (RFC 7208 4.6.4)")

    def addresses(self, name: str, *, strict: bool) -> list[_Address]:
        """A or AAAA (as the client's family) of ``name``; a DNS error is temperror when
        ``strict``, else the name is skipped (PTR validation, RFC 7208 5.5)."""
        answer = self.ask(name, "A" if self.ip.version == 4 else "AAAA")
        if answer is ERROR:
            if strict:
                raise _TempError(f"DNS error looking up {name}")
            return []
        if isinstance(answer, Fault):
            return []
        out = []
        for text in answer:
            try:
                out.append(ipaddress.ip_address(text))
            except ValueError:
                continue
        return out

    # -- 4.3 to 4.7

    def check(self, domain: str, *, explain: bool) -> tuple[str, str, str | None]:
        domain = domain[:-1] if domain.endswith(".") else domain
        if not valid_domain(domain):
            return "none", "", None
        answer = self.ask(domain, "TXT")
        if answer is ERROR:
            raise _TempError(f"DNS error looking up {domain} TXT")
        if isinstance(answer, Fault):
            return "none", "", None
        found = [t for t in answer if is_spf(t)]
        if not found:
            return "none", "", None
        if len(found) > 1:
            raise _PermError(f"{domain} has {len(found)} SPF records (RFC 7208 4.5)")
        try:
            record = parse(found[0])
        except SpfSyntaxError as e:
            raise _PermError(f"{domain}: {e}") from None
        for mechanism in record.mechanisms:
            if self.matches(mechanism, domain):
                result = mechanism.result
                text = None
                if result == "fail" and explain and record.exp:
                    text = self.explanation(record.exp, domain)
                return result, mechanism.text, text
        redirect = record.redirect
        if redirect is not None and not record.has_all:
            self.count()
            target = self.expand_domain(redirect.value, domain)
            if target is None:
                raise _PermError(f"redirect={redirect.value.text} is not a domain (RFC 7208 6.1)")
            result, mechanism_text, text = self.check(target, explain=explain)
            if result == "none":
                raise _PermError(f"redirect={target} has no SPF record (RFC 7208 6.1)")
            return result, mechanism_text, text
        return "neutral", "", None

    def matches(self, m: Mechanism, domain: str) -> bool:
        if m.name == "all":
            return True
        if m.name in ("ip4", "ip6"):
            assert m.network is not None
            return self.ip.version == m.network.version and self.ip in m.network
        self.count()
        target = self.expand_domain(m.domain, domain) if m.domain else domain
        if target is None or not valid_domain(target):
            return False  # RFC 7208 4.3/4.8: a name that cannot be queried does not match
        if m.name == "include":
            result, _, _ = self.check(target, explain=False)
            if result == "none":
                raise _PermError(f"include:{target} has no SPF record (RFC 7208 5.2)")
            return result == "pass"
        if m.name == "exists":
            answer = self.ask(target, "A")  # always A, even for IPv6 (RFC 7208 5.7)
            if answer is ERROR:
                raise _TempError(f"DNS error looking up {target} A")
            self.void(answer)
            return not isinstance(answer, Fault) and len(answer) > 0
        if m.name == "ptr":
            return any(
                n.lower() == target.lower() or n.lower().endswith("." + target.lower())
                for n in self.validated_names()
            )
        if m.name == "a":
            rdtype = "A" if self.ip.version == 4 else "AAAA"
            answer = self.ask(target, rdtype)
            if answer is ERROR:
                raise _TempError(f"DNS error looking up {target} {rdtype}")
            self.void(answer)
            return self.in_any(answer, m)
        # mx (RFC 7208 5.4)
        answer = self.ask(target, "MX")
        if answer is ERROR:
            raise _TempError(f"DNS error looking up {target} MX")
        self.void(answer)
        if isinstance(answer, Fault):
            return False
        # RFC 7208 4.6.4: "the evaluation of each MX record MUST NOT result in querying more
        # than 10 address records": the limit is on the lookups made, so a match among the
        # first ten ends the evaluation before it (mail-auth's suite, 'DNS Lookup Limits');
        # the eleventh lookup is the permerror (the RFC 7208 suite's mx-limit).
        queried = 0
        for mx in answer:
            exchange = mx.split()[-1] if mx.split() else "."
            if exchange in (".", ""):
                continue  # a null MX (RFC 7505) names no host
            queried += 1
            if queried > MX_LIMIT:
                raise _PermError(f"{target} has more than {MX_LIMIT} MX records (RFC 7208 4.6.4)")
            rdtype = "A" if self.ip.version == 4 else "AAAA"
            addresses = self.ask(exchange.rstrip("."), rdtype)
            if addresses is ERROR:
                raise _TempError(f"DNS error looking up {exchange} {rdtype}")
            if self.in_any(addresses, m):
                return True
        return False

    def in_any(self, answer: Answer, m: Mechanism) -> bool:
        if isinstance(answer, Fault):
            return False
        prefix = m.cidr4 if self.ip.version == 4 else m.cidr6
        for text in answer:
            try:
                net = ipaddress.ip_network(
                    text if prefix is None else f"{text}/{prefix}", strict=False
                )
            except ValueError:
                continue
            if net.version == self.ip.version and self.ip in net:
                return True
        return False

    def validated_names(self) -> list[str]:
        """RFC 7208 5.5: names the PTR of the client's address gives whose own addresses
        include it (the first 10 PTR names only)."""
        key = str(self.ip)
        if key in self._validated:
            return self._validated[key]
        answer = self.ask(self.ip.reverse_pointer, "PTR")
        self.void(answer)
        names: list[str] = []
        if not isinstance(answer, Fault):  # a DNS error: no match (RFC 7208 5.5)
            for name in answer[:PTR_LIMIT]:
                name = name.rstrip(".")
                if self.ip in self.addresses(name, strict=False):
                    names.append(name)
        self._validated[key] = names
        return names

    # -- 6.2 exp

    def explanation(self, exp: Modifier, domain: str) -> str | None:
        """The exp= text; any problem in fetching or expanding it means no explanation."""
        try:
            target = self.expand_domain(exp.value, domain)
            if target is None or not valid_domain(target):
                return None
            answer = self.lookup.ask(target, "TXT")
            if isinstance(answer, Fault) or len(answer) != 1:
                return None
            text = answer[0]
            if not text.isascii():
                return None  # RFC 7208 6.2: explanation text is US-ASCII
            return self.expand(macro_string(text, text, explain=True), domain)
        except (SpfSyntaxError, _PermError, _TempError, _Unknown):
            return None

    # -- 7 macros

    def expand_domain(self, spec: MacroString | None, domain: str) -> str | None:
        if spec is None:
            return domain
        text = self.expand(spec, domain)
        text = text[:-1] if text.endswith(".") else text
        # RFC 7208 7.3: over 253 characters, labels are dropped from the left.
        while len(text) > 253 and "." in text:
            text = text.split(".", 1)[1]
        return text or None

    def expand(self, spec: MacroString, domain: str) -> str:
        out = []
        for part in spec.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.macro_value(part.letter, domain)
            pieces = re.split("[" + re.escape(part.delimiters or ".") + "]", value)
            if part.reverse:
                pieces.reverse()
            if part.digits is not None:
                pieces = pieces[-part.digits :]
            value = ".".join(pieces)
            if part.escape:
                value = "".join(
                    c if c.isascii() and (c.isalnum() or c in "-._~") else _pct(c) for c in value
                )
            out.append(value)
        return "".join(out)

    def macro_value(self, letter: str, domain: str) -> str:
        if letter == "s":
            return f"{self.local}@{self.sender_domain}"
        if letter == "l":
            return self.local
        if letter == "o":
            return self.sender_domain
        if letter == "d":
            return domain
        if letter == "i":
            if self.ip.version == 4:
                return str(self.ip)
            return ".".join(self.ip.exploded.replace(":", ""))
        if letter == "v":
            return "in-addr" if self.ip.version == 4 else "ip6"
        if letter == "h":
            return self.helo
        if letter == "c":
            return str(self.ip)
        if letter == "r":
            return self.receiver
        if letter == "t":
            return str(self.now)
        # p: a validated name, preferring the domain itself, then its subdomains (RFC 7208 7.3)
        names = self.validated_names()
        for name in names:
            if name.lower() == domain.lower():
                return name
        for name in names:
            if name.lower().endswith("." + domain.lower()):
                return name
        return names[0] if names else "unknown"


def _pct(c: str) -> str:
    return "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
