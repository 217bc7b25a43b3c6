"""What the checks look at: the built zones, indexed, plus the site and Mox's config."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

import dns.exception

from .. import names
from ..mail.spf import ERROR as DNS_ERROR
from ..mail.spf import NXDOMAIN, UNKNOWN, Answer
from ..mail.taglist import Issue
from ..model import MOX, Record
from ..pipeline import Result, zone_for
from ..problem import ERROR, WARNING, Problem
from .issues import rule as issue_rule

R = TypeVar("R")
T = TypeVar("T")

# Problems named refuses to load a zone file for, with its default settings: these stay
# errors for records kept from an imported zone too (a BIND file named cannot load is no
# output at all), where other problems of kept records are warnings.
NAMED_REFUSES = frozenset({"cname-coexistence", "cname-at-apex", "rdata-too-long"})

# Where the mail policy records live (RFC 7489 6.1, RFC 8461 3.1, RFC 8460 3) and what every
# DKIM key's name holds (RFC 6376 3.6.2.1): see Context.txt_owners.
MAIL_PREFIXES = ("_dmarc.", "_mta-sts.", "_smtp._tls.")
KEY_LABEL = "._domainkey."


class Context:
    """One run of the checks: the build, indexed, and what the rules share during the run.
    (A plain class: its one instance per run does not need a dataclass's generated methods,
    whose creation at import costs more than the class's whole use.)"""

    def __init__(
        self,
        build: Result,
        octodns: dict[str, Any] | None = None,
        octodns_path: str = "",
        severities: dict[str, str] | None = None,
        strict: bool = False,
    ) -> None:
        self.build = build
        self.octodns = octodns  # config/octodns.yaml, parsed
        self.octodns_path = octodns_path
        # rule id -> severity, from the registry; a rule missing here keeps the severity its
        # function asks for
        self.severities: dict[str, str] = severities if severities is not None else {}
        # --strict: problems with records kept from an imported zone stay errors
        self.strict = strict
        # the octoDNS config as its file says, also when --provider narrows ``octodns``
        self.octodns_file: dict[str, Any] | None = None
        self._records: list[Record] | None = None
        self._nodes: set[str] | None = None
        # what rules share within one run (see once()), and the one ZoneLookup of the run
        self._once: dict[Callable[[Context], Any], Any] = {}
        self._lookup: ZoneLookup | None = None
        # Record.kind of records kept from an imported zone. Read here, once per run: the
        # zone file reader that defines it (and dnspython's under it) is no part of what
        # the checks need, and those who render or import zones load it themselves.
        from ..sources.zonefile import KEPT

        self._kept = KEPT
        # One pass over the records makes every index the rules read: a name's types in the
        # order their RRsets first appear (as a second pass over by_key would list them),
        # each type's records in zone order, and the owners of NS records. A pass costs
        # about as much as the work in it (18,000 records at N = 1,000), so one, not four.
        by_key: dict[tuple[str, str], list[Record]] = {}
        by_name: dict[str, int] = {}  # name -> how many types it has (ints: no list each)
        by_type: dict[str, list[Record]] = {}
        ns_owners: list[str] = []
        signed: set[str] = set()
        for zone in build.zones:
            tlsa = len(by_type.get("TLSA", ()))
            for record in zone.records:
                rtype = record.rtype
                key = (record.name, rtype)
                found = by_key.get(key)
                if found is None:
                    by_key[key] = [record]
                    by_name[key[0]] = by_name.get(key[0], 0) + 1
                    if rtype == "NS":
                        ns_owners.append(key[0])
                else:
                    found.append(record)
                same = by_type.get(rtype)
                if same is None:
                    by_type[rtype] = [record]
                else:
                    same.append(record)
            # TLSA that Mox printed active: the zone is signed (see signed()); the zone's
            # TLSA records are the ones its pass added
            if any(r.kind == MOX and not r.disabled for r in by_type.get("TLSA", ())[tlsa:]):
                signed.add(zone.name)
        self.by_key = by_key
        self.by_name = by_name
        self._by_type = by_type
        self.zones: set[str] = {z.name for z in build.zones}
        self._cuts = {n for n in ns_owners if n not in self.zones}
        self._signed = signed | {z.name for z in build.site.zones if z.dnssec}
        self._mail_owners: dict[str, list[str]] | None = None

    @property
    def records(self) -> list[Record]:
        """Every published record (computed once)."""
        if self._records is None:
            self._records = [r for z in self.build.zones for r in z.records]
        return self._records

    def get(self, name: str, rtype: str) -> list[Record]:
        return self.by_key.get((name, rtype), [])

    def of_type(self, rtype: str) -> list[Record]:
        """Every published record of one type, in zone order."""
        return self._by_type.get(rtype, [])

    def rrsets_of(self, rtype: str) -> Iterator[tuple[str, list[Record]]]:
        """Each name with records of ``rtype``, and those records (as :meth:`get`): through
        the type's records, not every RRset of the build."""
        by_key = self.by_key
        for name in dict.fromkeys(r.name for r in self._by_type.get(rtype, ())):
            yield name, by_key[(name, rtype)]

    def typed(self, rtype: str, cls: type[R]) -> Iterator[tuple[Record, R]]:
        """Each record of ``rtype`` with its rdata as dnspython's class for the type."""
        for record in self.of_type(rtype):
            rdata = record.rdata
            assert isinstance(rdata, cls)  # the model builds each type's rdata with its class
            yield record, rdata

    def once(self, compute: Callable[[Context], T]) -> T:
        """What ``compute`` makes of this Context, computed on first use: the built zones do
        not change during a run, so rules that need the same derived data (the SPF records
        per name, say) share one computation. It lives as long as the Context, one run."""
        try:
            return cast(T, self._once[compute])
        except KeyError:
            value = self._once[compute] = compute(self)
            return value

    @property
    def lookup(self) -> ZoneLookup:
        """The DNS of the built zones (for SPF), one per run: its answers are kept."""
        if self._lookup is None:
            self._lookup = ZoneLookup(self)
        return self._lookup

    def txt(self, name: str) -> list[tuple[Record, str]]:
        """The TXT records at ``name`` with their strings joined (RFC 7208 3.3, RFC 6376
        3.6.2.2: what SPF, DKIM and DMARC read)."""
        return [(r, r.txt) for r in self.by_key.get((name, "TXT"), ()) if r.txt is not None]

    def txt_owners(self, where: str) -> list[str]:
        """The names, sorted, that hold TXT records and start with ``where``, one of
        :data:`MAIL_PREFIXES` (``_dmarc.``, ``_mta-sts.``, ``_smtp._tls.``), or, for
        :data:`KEY_LABEL`, have it inside (``<selector>._domainkey.<domain>``). The DMARC,
        MTA-STS, TLS-RPT and DKIM rules read only TXT records at their names: one pass over
        the TXT records finds the names of all four, once per run."""
        if self._mail_owners is None:
            found: dict[str, dict[str, None]] = {p: {} for p in (*MAIL_PREFIXES, KEY_LABEL)}
            for record in self.of_type("TXT"):
                name = record.name
                if name.startswith(MAIL_PREFIXES):
                    for prefix in MAIL_PREFIXES:
                        if name.startswith(prefix):
                            found[prefix][name] = None
                            break
                if KEY_LABEL in name:
                    found[KEY_LABEL][name] = None
            self._mail_owners = {p: sorted(owners) for p, owners in found.items()}
        return self._mail_owners[where]

    def names(self) -> set[str]:
        return set(self.by_name)

    def types(self, name: str) -> list[str]:
        """The types of ``name``'s records, in the order each type first appears in the
        build."""
        if name not in self.by_name:
            return []
        return [t for t in self._by_type if (name, t) in self.by_key]

    def has_data(self, name: str) -> bool:
        """``name`` has records (of any type)."""
        return name in self.by_name

    def type_count(self, name: str) -> int:
        """How many types ``name``'s records have."""
        return self.by_name.get(name, 0)

    def zone_of(self, name: str) -> str | None:
        return zone_for(name, self.zones)

    def delegated(self, name: str) -> bool:
        """``name`` is at or below a delegation (an NS below the apex) in its zone: its data
        is the child zone's, which zonegen does not see (RFC 1034 4.2.1)."""
        if not self._cuts:
            return False  # most builds delegate nothing
        zone = self.zone_of(name)
        if zone is None:
            return False
        labels = name.split(".")
        for i in range(len(labels) - 1):
            node = ".".join(labels[i:])
            if node == zone:
                return False
            if node in self._cuts:
                return True
        return False

    def exists(self, name: str) -> bool:
        """``name`` has records, or names below it do (an empty non-terminal, RFC 8020)."""
        if self._nodes is None:
            nodes: set[str] = set()
            for owner in self.by_name:
                labels = owner.split(".")
                for i in range(len(labels) - 1):
                    nodes.add(".".join(labels[i:]))
            self._nodes = nodes
        return name in self._nodes

    def signed(self, zone: str) -> bool:
        """The site says the zone is signed, or Mox printed TLSA for it active, which it does
        only after its resolver validated the domain with DNSSEC (admin/dnsrecords.go)."""
        return zone in self._signed

    def addresses(self, name: str) -> list[str]:
        return [r.value for t in ("A", "AAAA") for r in self.get(name, t)]

    def lenient(self, record: Record) -> bool:
        """``record`` was kept from an imported zone and --strict is off: its problems are
        warnings (see :meth:`problem`)."""
        return record.kind == self._kept and not self.strict

    def problem(
        self, record: Record, rule: str, message: str, fix: str, *, warning: bool = False
    ) -> Problem:
        """A problem about ``record``. The registry sets the severity; a problem about a
        record kept from an imported zone is a warning (an error only with --strict): it
        was published that way before zonegen, and must not block a build."""
        severity = self.severities.get(rule, WARNING if warning else ERROR)
        if severity == ERROR and self.lenient(record) and rule not in NAMED_REFUSES:
            severity = WARNING
            message += " (a record kept from an imported zone: a warning; --strict: an error)"
        return Problem(
            self.zone_of(record.name) or "",
            _shown(record.name),
            record.rtype,
            rule,
            severity,
            message,
            fix,
            str(record.origin),
        )

    def issues(self, record: Record, library: str, issues: Iterable[Issue]) -> Iterator[Problem]:
        """The problems for what a mail library found wrong with ``record``, under the rule
        ids and fixes of :mod:`.issues`."""
        for issue in issues:
            rule, fix = issue_rule(library, issue.code)
            yield self.problem(record, rule, issue.message, fix)

    def one_record(
        self, found: Sequence[tuple[Record, str]], rule: str, what: str, fix: str
    ) -> Iterator[Problem]:
        """``rule`` about the second of ``found`` when a name has more than the one record
        receivers take; the message is the count, then ``what``."""
        if len(found) > 1:
            yield self.problem(found[1][0], rule, f"{len(found)} {what}", fix)


def _shown(name: str) -> str:
    """The name in Unicode, or as it is when it is not one dnspython takes (a problem may be
    about exactly that)."""
    try:
        return names.unicode(name)
    except (ValueError, dns.exception.DNSException):
        return name


class ZoneLookup:
    """DNS as the built zones answer it, for SPF evaluation (mail.spf.Lookup): names outside
    every zone are :data:`UNKNOWN` (cannot tell offline); CNAMEs inside are followed.

    The zones do not change while the checks run, so each answer is kept (the SPF rules
    ask the same names for every record and for each of the host's addresses); a
    ZoneLookup lives as long as its Context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._answers: dict[tuple[str, str], Answer] = {}

    def ask(self, name: str, rdtype: str) -> Answer:
        key = (name, rdtype)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._ask(name.lower().rstrip(".") + ".", rdtype, 0)
        return answer

    def _ask(self, name: str, rdtype: str, depth: int) -> Answer:
        ctx = self.ctx
        if not ctx.zone_of(name) or ctx.delegated(name):
            return UNKNOWN  # outside the zones, or in a child zone delegated from them
        if depth > 8:
            return DNS_ERROR  # a CNAME loop: resolvers answer SERVFAIL
        owner = name if ctx.has_data(name) else self._wildcard(name)
        if owner is None:
            return () if ctx.exists(name) else NXDOMAIN
        alias = ctx.get(owner, "CNAME")
        if alias and rdtype != "CNAME":
            return self._ask(str(alias[0].target), rdtype, depth + 1)
        return tuple(_text(r) for r in ctx.get(owner, rdtype))

    def _wildcard(self, name: str) -> str | None:
        """RFC 4592: the wildcard of the closest existing ancestor answers for a name that
        does not exist."""
        if self.ctx.exists(name):
            return None
        labels = name.split(".")
        for i in range(1, len(labels) - 1):
            parent = ".".join(labels[i:])
            if self.ctx.has_data(parent) or self.ctx.exists(parent):
                wild = "*." + parent
                return wild if self.ctx.has_data(wild) else None
        return None


def _text(record: Record) -> str:
    if record.txt is not None:  # TXT
        return record.txt
    if record.rtype == "MX":
        return f"{record.rdata.preference} {record.target}"  # type: ignore[attr-defined]
    if record.rtype in ("PTR", "CNAME", "NS"):
        return str(record.target or record.value)
    return record.value
