"""The live DNS as the mail checks see it: answers through the resolver, each asked once per run.

:class:`LiveLookup` is a :class:`zonegen.mail.spf.Lookup` (so ``check_host`` evaluates SPF
over the live DNS) and the one way the mail checks ask anything. It answers

1. from what the zone checks already asked the resolver (every built RRset: ``seed``), so the
   mail checks of a domain whose records are all built cost no query of their own;
2. by following a CNAME found there (RFC 1034 3.6.2: a name with a CNAME has no other data,
   so ``autoconfig.example.org A`` is the A of its target), still without a query;
3. else by asking the resolver through the run's :class:`~.dnsquery.Asker` (bounded, within
   ``--timeout``), once per name and type for the whole run.

An answer that never came (timeout, refused, the deadline) is not a DNS fact: it is kept as
a ``no-answer`` :class:`Entry`, and the checks report "could not check" instead of a result.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
from dns.rdtypes.ANY.TXT import TXT

from ..mail import spf
from .dnsquery import BAD_NAME, Answer, Asker
from .servers import Server

NXDOMAIN = "nxdomain"
SERVFAIL = "error"  # an error rcode: SERVFAIL (bogus, lame), REFUSED, ...
NO_ANSWER = "no-answer"  # no response at all: nothing is known
# BAD_NAME (from dnsquery): not asked, the name is no DNS name (longer than 255 octets, a
# label over 63, an empty label: RFC 1035 2.3.4), so no receiver can look it up either.
MAX_CNAMES = 8  # a longer chain is a loop, as resolvers treat it

Key = tuple[str, str]  # (absolute lowercase name, type)


@dataclass(frozen=True, slots=True)
class Entry:
    """What the resolver said about one name and type."""

    records: tuple[str, ...] = ()  # presentation texts (TXT joined), after CNAMEs
    fault: str = ""  # "", NXDOMAIN, SERVFAIL, NO_ANSWER or BAD_NAME
    detail: str = ""  # the rcode, or why no answer came
    ad: bool = False  # validated by the resolver (AD bit)

    @property
    def spf(self) -> spf.Answer:
        if self.fault in (NXDOMAIN, BAD_NAME):
            # RFC 7208 4.3: a malformed domain is treated as one that does not exist
            return spf.NXDOMAIN
        if self.fault:
            return spf.ERROR
        return self.records


def key(name: str, rtype: str) -> Key:
    return (name.lower().rstrip(".") + ".", rtype.upper())


def record_text(rd: object) -> str:
    """An rdata as the checks read it: TXT strings joined (RFC 7208 3.3, RFC 6376 3.6.2.2),
    names absolute with their dot, the rest dnspython's presentation text."""
    if isinstance(rd, TXT):
        return b"".join(rd.strings).decode("utf-8", "replace")
    return str(rd.to_text())  # type: ignore[attr-defined]


def entry_of(answer: Answer, name: str, rtype: str) -> Entry:
    """The :class:`Entry` for ``name``/``rtype`` in a resolver's answer, CNAMEs followed."""
    m = answer.message
    if m is None:
        fault = BAD_NAME if answer.failure == BAD_NAME else NO_ANSWER
        return Entry(fault=fault, detail=answer.detail or answer.failure)
    ad = bool(m.flags & dns.flags.AD)
    rcode = m.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return Entry(fault=SERVFAIL, detail=dns.rcode.to_text(rcode), ad=ad)
    records = _follow(m, name, rtype)
    if records is None:
        if rcode == dns.rcode.NXDOMAIN:
            return Entry(fault=NXDOMAIN, detail="NXDOMAIN", ad=ad)
        records = ()
    return Entry(records=records, ad=ad)


def _follow(m: dns.message.Message, name: str, rtype: str) -> tuple[str, ...] | None:
    """The records of ``rtype`` at ``name`` or at the end of its CNAME chain in the answer
    section; () when the chain ends without them, None when it ends in nothing at all."""
    rdtype = dns.rdatatype.from_text(rtype)
    qname = dns.name.from_text(name)
    for _ in range(MAX_CNAMES + 1):
        here = [r for r in m.answer if r.name == qname]
        found = next((r for r in here if r.rdtype == rdtype), None)
        if found is not None:
            return tuple(sorted(record_text(rd) for rd in found))
        alias = next((r for r in here if r.rdtype == dns.rdatatype.CNAME), None)
        if alias is None:
            return None if not here and qname == dns.name.from_text(name) else ()
        qname = alias[0].target
    return ()


class LiveLookup:
    """The resolver, asked once per name and type per run (thread-safe)."""

    def __init__(self, asker: Asker, resolver: Server, seed: Mapping[Key, Entry] = {}) -> None:
        self.asker = asker
        self.resolver = resolver
        self._cache: dict[Key, Entry] = dict(seed)
        self._lock = threading.Lock()
        self.asked = 0  # queries this lookup sent (the rest came from the seed)

    def ask(self, name: str, rdtype: str) -> spf.Answer:
        """:class:`zonegen.mail.spf.Lookup`."""
        return self.entry(name, rdtype).spf

    def entry(self, name: str, rtype: str) -> Entry:
        k = key(name, rtype)
        with self._lock:
            hit = self._cache.get(k)
        if hit is not None:
            return hit
        known = self._from_cname(k)
        if known is not None:
            return known
        answer = self.asker.ask(self.resolver, k[0], k[1], recursion=True, dnssec=False)
        found = entry_of(answer, k[0], k[1])
        with self._lock:
            if answer.message is not None or answer.failure not in ("", BAD_NAME):
                self.asked += 1
            self._cache.setdefault(k, found)
            return self._cache[k]

    def _from_cname(self, k: Key) -> Entry | None:
        """The answer at a CNAME's target, when the seed holds the CNAME (no query)."""
        name, rtype = k
        if rtype == "CNAME":
            return None
        for _ in range(MAX_CNAMES):
            with self._lock:
                alias = self._cache.get((name, "CNAME"))
            if alias is None or alias.fault or len(alias.records) != 1:
                return None
            name = key(alias.records[0], rtype)[0]
            with self._lock:
                there = self._cache.get((name, rtype))
            if there is not None:
                return there
            if self._cache.get((name, "CNAME")) is None:
                return self.entry(name, rtype)
        return None

    def addresses(self, name: str) -> tuple[list[str], Entry | None]:
        """The A and AAAA addresses of ``name``; with the first failed lookup, if any."""
        out: list[str] = []
        failed = None
        for rtype in ("A", "AAAA"):
            e = self.entry(name, rtype)
            if e.fault in (SERVFAIL, NO_ANSWER, BAD_NAME) and failed is None:
                failed = e
            out.extend(e.records)
        return out, failed


def seed_from(answers: Iterable[tuple[Key, Answer]]) -> dict[Key, Entry]:
    """Entries from answers the zone checks got from the resolver (what a forked process
    sends back: small, picklable, no DNS messages)."""
    out = {}
    for (name, rtype), answer in answers:
        if answer.message is None:
            continue  # not a fact: the mail checks ask again (or find the server dead)
        k = key(name, rtype)
        out[k] = entry_of(answer, k[0], k[1])
    return out
