"""What named refuses (or serves broken) in a zone's BIND file: the apex NS and their glue,
delegations, and BIND's host-name rules (check-names).

The BIND file is the zone's records plus what only it carries: the SOA, the apex NS
(``bind.ns``) and the addresses of name servers inside the zone (``bind.glue``). These rules
look at exactly that file, through the functions :mod:`zonegen.bind` writes it with, and
report an error exactly where ``named-checkzone -i local -k fail -m fail -M fail -n fail``
refuses to load it (``tests/test_named_agreement.py`` holds the two to each other on every
BIND file the tests build and on a corpus of broken zones). BIND's checks are in its
``lib/dns/zone.c`` (``zone_check_ns``, integrity checks) and the rdata types' ``checknames``
and ``checkowner`` (``dns_name_ishostname``, ``dns_name_ismailbox``).

The name server and glue problems stay errors for records kept from an imported zone too:
named refuses the file whatever the record's history. A kept record that breaks BIND's
host-name rules is a warning (see :func:`host_names`).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import replace

from .. import names
from ..model import Record, Zone, rrsets
from ..problem import ERROR, WARNING, Problem
from ..sources.site import Bind, Site
from .context import Context

# RFC 952 and RFC 1123 2.1 as BIND reads them (dns_name_ishostname): labels of letters,
# digits and hyphens, a letter or digit first and last (hyphens only between them), joined by
# dots; written so that the match never backtracks.
_HOST_NAME = re.compile(r"(?:[A-Za-z0-9](?:-*+[A-Za-z0-9])*+\.)*+[A-Za-z0-9](?:-*+[A-Za-z0-9])*+")
_OWNER_HOST = frozenset({"A", "AAAA", "MX"})  # checkowner: a host name (a leading * allowed)
_TARGET_HOST = frozenset({"MX", "NS", "SRV"})  # checknames: the target is a host name
_HOST_TYPES = _OWNER_HOST | _TARGET_HOST


@functools.lru_cache(maxsize=65536)
def is_hostname(name: str, *, wildcard: bool = False) -> bool:
    """BIND's dns_name_ishostname on an absolute A-label name (one match over the name;
    tests/test_check_fast_paths.py holds it to the label-by-label form)."""
    if name == ".":
        return True
    body = name.rstrip(".")
    if wildcard and (body == "*" or body.startswith("*.")):
        body = body[2:]
        if not body:
            return True  # "*" alone: no label left
    return _HOST_NAME.fullmatch(body) is not None


def is_mailbox(name: str) -> bool:
    """BIND's dns_name_ismailbox: the first label any printable text, the rest a host name."""
    first, _, rest = _split_first(name)
    return bool(first) and all(0x21 <= ord(c) <= 0x7E for c in first) and is_hostname(rest or ".")


def _split_first(name: str) -> tuple[str, str, str]:
    """The first label (escapes such as ``\\.`` kept inside it) and the rest."""
    if "\\" not in name:
        return name.partition(".")  # no escapes (nearly every name): the first dot splits
    return _split_escaped(name)


def _split_escaped(name: str) -> tuple[str, str, str]:
    """:func:`_split_first` for any name: a walk that steps over each escape (the slow path,
    which tests/test_check_fast_paths.py holds the shortcut to)."""
    i = 0
    while i < len(name):
        if name[i] == "\\":
            i += 2
            continue
        if name[i] == ".":
            return name[:i].replace("\\", ""), ".", name[i + 1 :]
        i += 1
    return name, "", ""


def looks_like_address(name: str) -> bool:
    """named-checkzone -n fail: an NS target written as an IP address."""
    try:
        ipaddress.ip_address(name.rstrip("."))
    except ValueError:
        return False
    return True


class _File:
    """One zone's BIND file: its records, the glue and the apex NS it writes. The indexes
    are made on first use: most zones have no name server inside them and need none."""

    def __init__(
        self,
        zone: Zone,
        bind: Bind,
        site: Site,
        apex: list[str],
        from_site: bool,
        hosts: list[Record],
        delegations: list[Record],
    ) -> None:
        self.zone = zone
        self.bind = bind
        self.site = site
        self.apex = apex
        self.from_site = from_site  # the apex NS are bind.ns (not the zone's own NS records)
        self.hosts = hosts  # the records check-names looks at (_HOST_TYPES), in zone order
        self.delegations = delegations  # NS records below the apex, in zone order

    @functools.cached_property
    def records(self) -> dict[tuple[str, str], tuple[Record, ...]]:
        """The zone's RRsets' records by (name, type), as in ``zone.rrsets``, formed by the
        same function without keeping them on the zone (a build forms those in its render
        workers, not in the process that runs the checks)."""
        return {(s.name, s.rtype): s.records for s in rrsets(self.zone.records)}

    @functools.cached_property
    def types(self) -> dict[str, set[str]]:
        types: dict[str, set[str]] = {}
        for name, rtype in self.records:
            types.setdefault(name, set()).add(rtype)
        for g in self.bind.glue:
            for ip in g.addresses:
                types.setdefault(g.name, set()).add("AAAA" if ":" in ip else "A")
        return types

    @functools.cached_property
    def nodes(self) -> set[str]:
        """Names with data or data below them."""
        nodes: set[str] = set()
        for owner in self.types:
            labels = owner.split(".")
            nodes.update(".".join(labels[i:]) for i in range(len(labels) - 1))
        return nodes

    def inside(self, name: str) -> bool:
        return names.in_zone(name, self.zone.name)

    def cname(self, name: str) -> bool:
        return "CNAME" in self.types.get(name, ())

    def has_address(self, name: str) -> bool:
        """An A or AAAA at ``name`` in the file, or from the wildcard that answers for it
        (RFC 4592: the closest encloser's ``*``, when ``name`` does not exist)."""
        found = self.types.get(name)
        if found is None and name not in self.nodes:
            labels = name.split(".")
            for i in range(1, len(labels) - 1):
                parent = ".".join(labels[i:])
                if parent in self.nodes or parent == self.zone.name:
                    found = self.types.get("*." + parent)
                    break
        return bool(found and found & {"A", "AAAA"})

    def problem(
        self, name: str, rtype: str, rule: str, message: str, fix: str, origin: str
    ) -> Problem:
        return Problem(
            names.unicode(self.zone.name),
            names.unicode(name),
            rtype,
            rule,
            ERROR,
            message,
            fix,
            origin,
        )

    def ns_origin(self) -> str:
        if self.from_site:
            return f"{self.site.shown}:{self.bind.line}" if self.bind.line else self.site.shown
        ns = self.records.get((self.zone.name, "NS"), ())
        return str(ns[0].origin) if ns else ""


def _shown(name: str) -> str:
    return names.unicode(name).rstrip(".")


def _files(ctx: Context) -> list[_File]:
    """Each zone's BIND file; both rules of this module read them: made once per run."""
    return ctx.once(_make_files)


def _make_files(ctx: Context) -> list[_File]:
    # zonegen.bind (and dnspython's zone module under it) once per run, here: the checks'
    # import does without it, the build's renderers import it themselves.
    from ..bind import apex_ns

    files = []
    for zone, settings in zip(ctx.build.zones, ctx.build.site.zones, strict=True):
        own = False
        hosts: list[Record] = []
        delegations: list[Record] = []
        for record in zone.records:  # one pass over the zone for both rules
            if record.rtype in _HOST_TYPES:
                hosts.append(record)
                if record.rtype == "NS":
                    if record.name == zone.name:
                        own = True
                    else:
                        delegations.append(record)
        apex = apex_ns(zone, settings.bind)
        files.append(_File(zone, settings.bind, ctx.build.site, apex, not own, hosts, delegations))
    return files


def _with_severity(ctx: Context, problem: Problem) -> Problem:
    """The registry's severity (never lowered for kept records: see the module's doc)."""
    severity = ctx.severities.get(problem.rule, problem.severity)
    return problem if severity == problem.severity else replace(problem, severity=severity)


def name_servers(ctx: Context) -> Iterator[Problem]:
    """``ns-no-address``, ``ns-glue-missing``, ``glue-mismatch``, ``glue-unused``, and
    ``ns-target-cname`` for the apex NS of ``bind.ns`` (NS records: :mod:`.targets`)."""
    for f in _files(ctx):
        for problem in _name_servers(f):
            yield _with_severity(ctx, problem)


def _name_servers(f: _File) -> Iterator[Problem]:
    zone = names.unicode(f.zone.name).rstrip(".")
    named: set[str] = set()
    for ns in f.apex:
        named.add(ns)
        if not f.inside(ns):
            continue
        if f.cname(ns):
            if f.from_site:  # an NS record's CNAME target is reported by targets.ns_targets
                yield f.problem(
                    f.zone.name,
                    "NS",
                    "ns-target-cname",
                    f"the NS target {names.unicode(ns)} (bind.ns) is a CNAME: named refuses "
                    "the zone",
                    "point the NS at the server's own name (RFC 2181 10.3)",
                    f.ns_origin(),
                )
            continue
        if not f.has_address(ns):
            yield f.problem(
                f.zone.name,
                "NS",
                "ns-no-address",
                f"the name server {names.unicode(ns)} is inside the zone but the BIND file has "
                "no A or AAAA for it: named refuses to load the zone",
                f"give its addresses in the site file: bind.glue: {{{_shown(ns)}: [IP, ...]}} "
                f"(or zones.{zone}.bind.glue), or add its A/AAAA to the zone's records",
                f.ns_origin(),
            )
    cuts = {r.name for r in f.delegations}
    for record in f.delegations:
        owner = record.name
        if _below_a_cut(owner, cuts, f.zone.name):
            # An NS below another delegation is occluded: the zone's servers answer with
            # the upper referral and never serve it (RFC 1034 4.2.1), so its glue does not
            # matter (BIND's checkzone test good-occulted-ns-by-ns.db).
            continue
        ns = str(record.target)
        named.add(ns)
        if f.inside(ns) and not f.cname(ns) and not f.has_address(ns):
            yield f.problem(
                owner,
                "NS",
                "ns-glue-missing",
                f"the delegation's name server {names.unicode(ns)} is inside the zone "
                "without an A or AAAA: named loads the zone, but resolvers cannot reach "
                "the delegated servers",
                f"add the A/AAAA of {names.unicode(ns)} to the zone's records (glue, RFC "
                "1034 4.2.1)",
                str(record.origin),
            )
    yield from _glue(f, named)


def _below_a_cut(owner: str, cuts: set[str], apex: str) -> bool:
    """Whether ``owner`` is strictly below a delegation (a zone cut other than the apex)."""
    labels = owner.split(".")
    for i in range(1, len(labels)):
        parent = ".".join(labels[i:])
        if parent == apex or not parent:
            return False
        if parent in cuts:
            return True
    return False


def _glue(f: _File, named: set[str]) -> Iterator[Problem]:
    for g in f.bind.glue:
        origin = f"{f.site.shown}:{g.line}"
        shown = names.unicode(g.name)
        if f.cname(g.name):
            yield f.problem(
                g.name,
                "CNAME",
                "glue-mismatch",
                f"bind.glue gives addresses for {shown}, which is a CNAME: a CNAME and other "
                "data (RFC 2181 10.1), named refuses the zone",
                "give the glue for the server's own name, or drop the CNAME",
                origin,
            )
        for rtype in ("A", "AAAA"):
            mine = sorted(ip for ip in g.addresses if (":" in ip) == (rtype == "AAAA"))
            theirs = sorted(r.value for r in f.records.get((g.name, rtype), ()))
            if mine and theirs and mine != theirs:
                yield f.problem(
                    g.name,
                    rtype,
                    "glue-mismatch",
                    f"bind.glue gives {', '.join(mine)} for {shown} but the zone's records "
                    f"say {', '.join(theirs)}: the BIND file and zones/ would disagree",
                    "give the same addresses in both places, or drop the glue (the records are "
                    "written to the BIND file too)",
                    origin,
                )
        if g.name not in named:
            yield f.problem(
                g.name,
                "A",
                "glue-unused",
                f"bind.glue gives addresses for {shown}, which no NS of the zone names",
                "remove the entry, or name the server in bind.ns",
                origin,
            )


def host_names(ctx: Context) -> Iterator[Problem]:
    """``check-names``: what named's check-names refuses in a primary zone (and
    named-checkzone's -n fail: ``bind.ns`` written as an address).

    For a record kept from an imported zone it is a warning like its other problems (an
    error with --strict): it was served that way, named-checkzone loads the file with a
    warning (its default is ``-k warn``), and named as a primary needs
    ``check-names primary warn;`` for it."""
    addresses: dict[str, bool] = {}  # bind.ns is the same for most zones: read each once
    for f in _files(ctx):
        for problem, record in _host_names(f, addresses):
            problem = _with_severity(ctx, problem)
            if record is not None and ctx.lenient(record):
                problem = replace(
                    problem,
                    severity=WARNING,
                    message=problem.message + " (a record kept from an imported zone: a "
                    "warning; --strict: an error)",
                )
            yield problem


def _host_names(f: _File, addresses: dict[str, bool]) -> Iterator[tuple[Problem, Record | None]]:
    fix = "host names are letters, digits and hyphens (RFC 952, RFC 1123 2.1)"
    for record in f.hosts:
        if record.rtype in _OWNER_HOST and not is_hostname(record.name, wildcard=True):
            yield (
                f.problem(
                    record.name,
                    record.rtype,
                    "check-names",
                    f"the owner of a {record.rtype} record must be a host name: named refuses "
                    "to load the zone (check-names)",
                    fix + "; use another name, or another record type",
                    str(record.origin),
                ),
                record,
            )
        if record.rtype in _TARGET_HOST:
            # A target written as an address is octoDNS's (octodns-mx-value-not-ip and the
            # like): every record of the zones passes its validators. bind.ns does not.
            pointed = str(record.target)
            if not is_hostname(pointed):
                yield (
                    f.problem(
                        record.name,
                        record.rtype,
                        "check-names",
                        f"the {record.rtype} target {names.unicode(pointed)} is not a host "
                        "name: named refuses to load the zone (check-names)",
                        fix,
                        str(record.origin),
                    ),
                    record,
                )
    if f.from_site:
        for ns in f.apex:
            address = addresses.get(ns)
            if address is None:
                address = addresses[ns] = looks_like_address(ns)
            if address or not is_hostname(ns):
                yield (
                    f.problem(
                        f.zone.name,
                        "NS",
                        "check-names",
                        f"bind.ns {ns} is not a host name: named refuses to load the zone",
                        "name the server by its host name (" + fix + ")",
                        f.ns_origin(),
                    ),
                    None,
                )
    mname = f.bind.soa.mname or names.absolute(f.apex[0])
    rname = f.bind.soa.rname or f"hostmaster.{f.zone.name}"
    soa_origin = f.site.shown
    if not is_hostname(mname):
        yield (
            f.problem(
                f.zone.name,
                "SOA",
                "check-names",
                f"the SOA's primary server {mname} is not a host name: named refuses the zone",
                "set bind.soa.mname to a host name",
                soa_origin,
            ),
            None,
        )
    if not is_mailbox(rname):
        yield (
            f.problem(
                f.zone.name,
                "SOA",
                "check-names",
                f"the SOA's contact {rname} is not a mailbox name: named refuses the zone",
                "set bind.soa.rname to an e-mail address whose domain is a host name",
                soa_origin,
            ),
            None,
        )
