"""The build: the inputs in, the records of every zone out (``build(inputs) -> Result``).

A pure function of :class:`~zonegen.sources.Inputs` (which hold every file's bytes and the
date): no file system, no clock, no process pool. Each step is a small function over the
record model. The order matters and follows the product's rules (design.md "Output rules"):

1. read every file Mox printed; a record printed twice (host records are repeated in every
   domain's output) is one record; printed active anywhere beats printed commented out; with
   Mox's config dir, a configured DKIM selector Mox did not print is published from its key;
2. find the mail host (mox.conf, else the MX target) and its IPs (site file over mox.conf);
   move the SPF ip4:/ip6: mechanisms that named the IPs Mox printed to the new ones; add the
   host's A/AAAA;
3. drop what the site turned off, publish commented-out records it turned on and retired
   records still in their grace period, apply TTLs;
4. put every record in the zone with the longest matching suffix (records outside every zone
   become problems), with the kept records of an imported zone and the site's own records.

The key cross-checks (DKIM p=, TLSA) and every other rule run afterwards, in checks/.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from . import names
from .errors import InputError
from .kept import resolve
from .mail import dkim, spf
from .model import (
    HOST,
    MOX,
    RETIRED,
    SITE,
    Origin,
    Record,
    Zone,
    make_txt,
    txt_text,
)
from .problem import ERROR, Problem
from .sources import Inputs
from .sources.keys import dkim_public, load_private_key
from .sources.mox_records import MoxOutput, parse_mox_output
from .sources.rdata import in_zone
from .sources.site import Site, SiteRecord, TtlOverride, ZoneSettings
from .text import digits

if TYPE_CHECKING:
    from .sources.mox_config import MoxConfig


@dataclass(frozen=True, slots=True)
class Result:
    """What a build produced: the zones, the problems it found, notes for the user, and what
    the checks and verify need (the inputs, the mail host and its IPs, Mox's config)."""

    inputs: Inputs
    zones: tuple[Zone, ...]
    notes: tuple[str, ...]
    hostname: str
    ips: tuple[str, ...]
    config: MoxConfig | None
    # Mox records not published (commented out, or outside every zone): still cross-checked.
    unpublished: tuple[Record, ...]
    # Problems found while building (records outside every zone), reported by the checks.
    problems: tuple[Problem, ...]

    @property
    def site(self) -> Site:
        return self.inputs.site

    @property
    def today(self) -> datetime.date:
        return self.inputs.today


Build = Result  # its old name: branches in flight (d-import, e-providers) still use it


def build(inputs: Inputs) -> Result:
    """Everything ``zonegen build`` computes before rendering, from the inputs.

    ``inputs.today`` decides which retired records are still in their grace period.
    """
    site, today = inputs.site, inputs.today
    outputs = [
        parse_mox_output(
            inputs.blob(path).text(what="Mox output", hint="check mox.records in the site file"),
            inputs.blob(path).shown,
        )
        for path in site.mox_records
    ]
    config = inputs.mox_config()
    notes: list[str] = list(site.notes)
    if config:
        for output in outputs:
            check_caa(output, config)

    records = merge(outputs)
    ttl = min(o.default_ttl for o in outputs)
    if config:
        notes.extend(missing_domains(records, config))
        records += config_dkim(records, config, ttl, inputs)
    hostname = site.host_name or (config.hostname if config else mx_target(records, site))
    # The IPs Mox wrote into its SPF records: what the records name, whatever mox.conf says
    # now (`zonegen ip set --mox-config` changes mox.conf after the records were printed).
    old_ips = spf_ips(records)
    new_ips = host_ips(site, config)
    records = follow_ips(records, old_ips, new_ips)
    records += host_records(hostname, new_ips, ttl, site, config)
    records, unpublished = select(records, site, notes)
    records += retired_records(records, site, ttl, today)
    records = apply_ttls(records, site, notes)
    zones, outside, problems = assign(records, inputs, notes)
    return Result(
        inputs,
        zones,
        tuple(notes),
        hostname,
        new_ips,
        config,
        tuple(unpublished + outside),
        tuple(problems),
    )


# ---------------------------------------------------------------------------- 1. merge


def merge(outputs: Iterable[MoxOutput]) -> list[Record]:
    """All records of all outputs, each once, in first-seen order."""
    seen: dict[tuple[str, str, str], Record] = {}
    for output in outputs:
        for record in output.records:
            key = record.key
            prior = seen.get(key)
            if prior is None:
                seen[key] = record
            elif prior.disabled and not record.disabled:
                # Mox comments TLSA out when *its* resolver saw no DNSSEC; another run
                # (or another domain's output) that printed it active wins.
                seen[key] = record
            elif record.ttl < prior.ttl and prior.disabled == record.disabled:
                seen[key] = prior.with_ttl(record.ttl)
    return list(seen.values())


# ---------------------------------------------------------------------------- 2. keys


def config_dkim(records: list[Record], config: MoxConfig, ttl: int, inputs: Inputs) -> list[Record]:
    """DKIM records for selectors in domains.conf that none of Mox's outputs printed (a key
    added after the records were printed): every configured selector is published, signing
    or not, the way Mox prints them (admin/dnsrecords.go: all selectors, sorted)."""
    printed = {r.name for r in records if r.rtype == "TXT"}
    domains_printed = {r.name for r in records if r.rtype == "MX"}
    out = []
    for sel in config.dkim:
        owner = dkim.key_name(sel.selector, sel.domain)
        if owner in printed or sel.domain not in domains_printed:
            continue
        blob = inputs.blob(sel.key_file)
        kind, public = dkim_public(
            load_private_key(blob.bytes(what="key file"), display=blob.shown)
        )
        value = dkim.key_record(kind, public)
        where = sel.where.rpartition(":")
        origin = Origin(where[0], int(where[2]) if digits(where[2]) else 0)
        out.append(Record(owner, "TXT", ttl, make_txt(value.encode()), origin, MOX))
    return out


def retired_records(
    records: list[Record], site: Site, ttl: int, today: datetime.date
) -> list[Record]:
    """Records Mox stopped printing, still published until their date (RFC 7671 8.1 for DANE:
    old and new TLSA side by side; for DKIM: the old key verifies mail still in transit)."""
    if not site.retired:
        return []
    have = {r.key for r in records}
    out = []
    for entry in site.retired:
        if entry.until < today:
            continue
        try:
            rdtype = dns.rdatatype.from_text(entry.rtype)
            rdata = (
                make_txt(entry.value.encode())
                if entry.rtype == "TXT"
                else dns.rdata.from_text(
                    dns.rdataclass.IN,
                    rdtype,
                    entry.value,
                    origin=dns.name.root,
                    relativize=False,
                )
            )
        except Exception as e:  # dnspython raises many types
            raise InputError(
                f"retired {entry.rtype} value: {e}", path=site.shown, line=entry.line
            ) from None
        record = Record(
            entry.name, entry.rtype, ttl, rdata, Origin(site.shown, entry.line), RETIRED
        )
        if record.key not in have:
            out.append(record)
    return out


def check_caa(output: MoxOutput, config: MoxConfig) -> None:
    """With ACME on the public listener Mox prints a CAA record last in each domain's
    records (admin/dnsrecords.go): a file without one was cut right after the null SRVs,
    the one cut the record reader cannot see, or predates the ACME config."""
    if not config.caa_issuer:
        return
    with_caa = {r.name for r in output.records if r.rtype == "CAA"}
    for record in output.records:
        if record.rtype == "MX" and record.kind == MOX and record.name not in with_caa:
            raise InputError(
                f"mox.conf ({config.shown}) has ACME on the public listener, so Mox prints "
                "a CAA record for each domain, and the records of this MX's domain have none: "
                "the file looks cut off",
                path=output.path,
                line=record.origin.line,
                hint="print the records again with 'mox config dnsrecords DOMAIN'",
            )


def missing_domains(records: list[Record], config: MoxConfig) -> list[str]:
    """Domains in domains.conf whose records (their MX) are in none of the files read."""
    with_mx = {r.name for r in records if r.rtype == "MX" and r.kind == MOX}
    return [
        f"{names.unicode(d)} is configured in Mox but none of mox.records has its records; "
        f"add the output of 'mox config dnsrecords {names.unicode(d).rstrip('.')}'"
        for d in config.domains
        if d not in with_mx
    ]


# ---------------------------------------------------------------------------- 3. the mail host


def mx_target(records: list[Record], site: Site) -> str:
    """Without a config dir, the mail host is the one MX target Mox printed."""
    targets = sorted(
        {str(r.target) for r in records if r.rtype == "MX" and r.target not in (None, ".")}
    )
    if len(targets) == 1:
        return targets[0]
    if not targets:
        raise InputError(
            "Mox's records have no MX record, so the mail host is unknown",
            path=site.shown,
            hint="set host.name or mox.config",
        )
    raise InputError(
        f"Mox's records name several mail hosts: {', '.join(targets)}",
        path=site.shown,
        hint="set host.name to the one this Mox runs on",
    )


def host_ips(site: Site, config: MoxConfig | None) -> tuple[str, ...]:
    """The host's IPs: each family from the site file when set there, else from mox.conf."""
    from_config = config.ips if config else ()
    v4 = site.ipv4 if site.ipv4 is not None else tuple(i for i in from_config if ":" not in i)
    v6 = site.ipv6 if site.ipv6 is not None else tuple(i for i in from_config if ":" in i)
    if not v4 and not v6:
        raise InputError(
            "no IP address for the mail host"
            + ("" if config else " (no mox.config, and host.ipv4/ipv6 not set)"),
            path=site.shown,
            hint="set host.ipv4 (and host.ipv6) to the host's public addresses",
        )
    return v4 + v6


def spf_ips(records: list[Record]) -> tuple[str, ...]:
    """The host IPs Mox wrote into its SPF records, in the order it wrote them."""
    found: list[str] = []
    for record in records:
        if record.kind == MOX and record.rtype == "TXT":
            for _, ip in spf.host_addresses(txt_text(record.rdata)):
                if ip not in found:
                    found.append(ip)
    return tuple(found)


def follow_ips(records: list[Record], old: tuple[str, ...], new: tuple[str, ...]) -> list[Record]:
    """Point the SPF ip4:/ip6: mechanisms that named the host's old IPs at its new ones.

    Only the host's own mechanisms change: a new address takes the place of an old one of
    its family, kept ones stay where they are, and any further new ones follow the last host
    mechanism, so a review diff shows exactly the address that moved.
    """
    if set(old) == set(new):
        return records
    old_set, new_set = set(old), set(new)
    out = []
    for record in records:
        if record.kind != MOX or record.rtype != "TXT":
            out.append(record)
            continue
        value = txt_text(record.rdata)
        terms_here = spf.host_addresses(value)
        positions = [(i, ip) for i, ip in terms_here if ip in old_set]
        if not positions:
            out.append(record)
            continue
        terms = value.split(" ")
        present = {ip for _, ip in terms_here}
        added = [ip for ip in new if ip not in present]
        dropped = {i: ip for i, ip in positions if ip not in new_set}
        last = positions[-1][0]
        result: list[str] = []
        for i, term in enumerate(terms):
            if i in dropped:
                family = ":" in dropped[i]
                same = next((ip for ip in added if (":" in ip) == family), None)
                if same:
                    added.remove(same)
                    result.append(spf.ip_mechanism(same))
            else:
                result.append(term)
            if i == last:
                result.extend(spf.ip_mechanism(ip) for ip in added)
        out.append(replace(record, rdata=make_txt(" ".join(result).encode())))
    return out


def host_records(
    hostname: str, ips: tuple[str, ...], ttl: int, site: Site, config: MoxConfig | None
) -> list[Record]:
    """The mail host's A/AAAA, which Mox needs but never prints."""
    from_site = site.ipv4 is not None or site.ipv6 is not None
    where = Origin(site.shown) if from_site or not config else Origin(config.shown)
    out = []
    for ip in ips:
        rtype = "AAAA" if ":" in ip else "A"
        rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), ip)
        out.append(Record(hostname, rtype, ttl, rdata, where, HOST))
    return out


# ---------------------------------------------------------------------------- 4. select, TTLs


def group_of(record: Record) -> str | None:
    """Which optional group of Mox's output a record belongs to (site ``mox.groups``)."""
    if record.rtype == "CAA":
        return "caa"
    if record.rtype == "SRV" and record.target == ".":
        return "null_srv"  # RFC 2782: target "." means the service is decidedly not available
    first = record.name.split(".", 1)[0]
    if (record.rtype, first) in (("CNAME", "autoconfig"), ("SRV", "_autodiscover")):
        return "autodiscover"
    return None


def select(
    records: list[Record], site: Site, notes: list[str]
) -> tuple[list[Record], list[Record]]:
    """Drop turned-off groups and excluded names; publish commented-out records on request."""
    dnssec_zones = {z.name for z in site.zones if z.dnssec}
    kept: list[Record] = []
    unpublished: list[Record] = []
    used: set[int] = set()
    # The exclusions by name, in the site file's order: a record looks up its own name, not
    # every exclusion (a thousand domains, each with a few).
    excludes: dict[str, list[tuple[int, TtlOverride]]] = {}
    for i, ex in enumerate(site.exclude):
        excludes.setdefault(ex.name, []).append((i, ex))
    for record in records:
        group = group_of(record) if record.kind == MOX else None
        if group and not getattr(site.groups, group):
            continue
        hit = [i for i, ex in excludes.get(record.name, ()) if ex.rtype in (None, record.rtype)]
        if hit:
            used.update(hit)
            continue
        if record.disabled:
            signed = record.rtype == "TLSA" and zone_for(record.name, dnssec_zones) is not None
            # Published on request, the record keeps disabled=True: it tells the checks that
            # Mox itself did not see DNSSEC for it.
            if not (record.rtype in site.publish_commented or signed):
                unpublished.append(record)
                continue
        kept.append(record)
    for i, ex in enumerate(site.exclude):
        if i not in used:
            notes.append(f"{site.shown}:{ex.line}: mox.exclude {ex.name} matches no record")
    if unpublished:
        shown = ", ".join(sorted({r.describe() for r in unpublished}))
        notes.append(
            f"not published, Mox printed them commented out: {shown} (for TLSA: sign the zone, "
            "then set zones.<zone>.signed: true; or list the type in mox.publish_commented)"
        )
    return kept, unpublished


def ttl_kind(record: Record) -> str | None:
    """The kind of record ``ttl.kinds`` can set a TTL for."""
    if record.rtype == "TLSA":
        return "tlsa"
    if record.rtype == "TXT" and dkim.is_key_name(record.name):
        return "dkim"
    if group_of(record) == "null_srv":
        return "null_srv"
    return None


def apply_ttls(records: list[Record], site: Site, notes: list[str]) -> list[Record]:
    """The site's TTLs for Mox and host records: ``ttl.default``, then ``ttl.kinds``; then
    ``ttl.overrides`` by name for any record."""
    kinds = dict(site.ttl_kinds)
    used: set[int] = set()
    out = []
    # The overrides by name, in the site file's order (the last that matches wins).
    overrides: dict[str, list[tuple[int, TtlOverride]]] = {}
    for i, o in enumerate(site.ttl_overrides):
        overrides.setdefault(o.name, []).append((i, o))
    for record in records:
        ttl = record.ttl
        if record.kind in (MOX, HOST):
            if site.ttl_default is not None:
                ttl = site.ttl_default
            kind = ttl_kind(record)
            if kind in kinds:
                ttl = kinds[kind]
        for i, o in overrides.get(record.name, ()):
            if o.rtype in (None, record.rtype):
                ttl = o.ttl
                used.add(i)
        out.append(record.with_ttl(ttl))
    for i, o in enumerate(site.ttl_overrides):
        if i not in used:
            notes.append(f"{site.shown}:{o.line}: ttl.overrides {o.name} matches no record")
    return out


# ---------------------------------------------------------------------------- 5. zones


def zone_for(name: str, zones: Collection[str]) -> str | None:
    """The zone with the longest matching suffix, or None.

    Walks up the name's labels and looks each suffix up: the cost is the name's depth, not
    the number of zones (a site with a thousand zones calls this for every record).
    """
    suffix = name
    while True:
        if suffix in zones:
            return suffix
        if suffix == ".":
            return None
        dot = suffix.find(".")
        suffix = suffix[dot + 1 :] or "."


def assign(
    records: list[Record], inputs: Inputs, notes: list[str]
) -> tuple[tuple[Zone, ...], list[Record], list[Problem]]:
    """Put each record into its zone and add the site's own records.

    A record outside every zone is not dropped silently: it becomes an ``out-of-zone``
    problem (an error, so build refuses) that names it and the fix.
    """
    site = inputs.site
    by_zone: dict[str, list[Record]] = {z.name: [] for z in site.zones}
    outside: list[Record] = []
    for record in records:
        zone = zone_for(record.name, by_zone)
        if zone is None:
            outside.append(record)
        else:
            by_zone[zone].append(record)
    # One problem per missing zone, naming its records, rather than one per record.
    missing: dict[str, list[Record]] = {}
    for record in outside:
        missing.setdefault(_parent(record.name), []).append(record)
    problems = []
    for suggestion, group in sorted(missing.items()):
        labels = sorted({f"{names.unicode(r.name)} {r.rtype}" for r in group})
        shown = ", ".join(labels[:6]) + (f" and {len(labels) - 6} more" if len(labels) > 6 else "")
        first = group[0]
        problems.append(
            Problem(
                "",
                names.unicode(first.name),
                first.rtype,
                "out-of-zone",
                ERROR,
                f"outside every zone in the site file: {shown}",
                f"add the zone under zones:, e.g. {suggestion}: {{}}, or list the names "
                "under mox.exclude if another system manages them",
                str(first.origin),
            )
        )
    zones = []
    for settings in site.zones:
        records_here = by_zone[settings.name]
        records_here, conflicts = with_kept(records_here, settings, inputs, notes)
        problems.extend(conflicts)
        extra = site_records(settings, site)
        _check_overlap(records_here, extra, site)
        records_here.extend(extra)
        zones.append(Zone(settings.name, tuple(sorted(records_here, key=_sort_key))))
    return tuple(zones), outside, problems


def with_kept(
    records: list[Record], settings: ZoneSettings, inputs: Inputs, notes: list[str]
) -> tuple[list[Record], list[Problem]]:
    """Add the records kept from an imported zone, resolving conflicts as the site decided."""
    site = inputs.site
    blob = inputs.blob(settings.kept)
    if blob.data is None and blob.status != "unreadable":  # no file there: nothing kept
        if settings.kept_set:
            raise InputError(
                f"zones.{names.unicode(settings.name).rstrip('.')}.kept: file not found",
                path=blob.shown,
                hint="run zonegen import EXPORT --zone ZONE to write it",
            )
        return records, []
    from .sources.exports import parse_kept  # the import formats: only for a zone that keeps

    kept = parse_kept(blob.text(what="kept file"), blob.shown, settings.name, blob.path.parent)
    combined, undecided, unused = resolve(records, list(kept), settings.decisions)
    zone = names.unicode(settings.name).rstrip(".")
    problems = [
        Problem(
            settings.name,
            names.unicode(c.name),
            c.rtype,
            "import-conflict",
            ERROR,
            f"kept from the old zone and wanted by Mox: {c.describe()}",
            f"decide in the site file: zones.{zone}.conflicts: {{'{c.key}': {c.choices[0]}}} "
            f"(choices: {', '.join(c.choices)})",
            blob.shown,
        )
        for c in undecided
    ]
    notes.extend(
        f"{site.shown}:{d.line}: the conflict {names.unicode(d.name)} {d.rtype} no longer exists"
        for d in unused
    )
    return combined, problems


def _sort_key(record: Record) -> tuple[str, str, str]:
    return (record.name, record.rtype, record.value)


def _parent(name: str) -> str:
    labels = names.unicode(name).rstrip(".").split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else name


def _check_overlap(generated: list[Record], extra: list[Record], site: Site) -> None:
    """A site record may not redefine an RRset that Mox or the host records already fill."""
    if not extra:
        return  # most zones have no records of their own
    mine = {(r.name, r.rtype): r for r in generated}
    by_set: dict[tuple[str, str], list[Record]] = {}
    for record in extra:
        by_set.setdefault((record.name, record.rtype), []).append(record)
    for key, group in by_set.items():
        if key not in mine:
            continue
        theirs = {r.rdata for r in generated if (r.name, r.rtype) == key}
        if {r.rdata for r in group} != theirs:
            first = mine[key]
            raise InputError(
                f"{group[0].describe()} is set both here and by {first.origin} "
                "with different values",
                path=group[0].origin.path,
                line=group[0].origin.line,
                hint="remove it from zones.<zone>.records, or exclude Mox's with mox.exclude",
            )
        extra[:] = [r for r in extra if (r.name, r.rtype) != key]


def site_records(settings: ZoneSettings, site: Site) -> list[Record]:
    """The site's ``zones.<zone>.records``, validated by octoDNS, as model records."""
    return [r for entry in settings.records for r in _from_site(entry, settings, site)]


def _from_site(entry: SiteRecord, settings: ZoneSettings, site: Site) -> list[Record]:
    # octoDNS is imported only when a zone has records of its own: it is slow to import.
    from .octodns.records import site_rrset

    origin = Origin(site.shown, entry.line)
    rtype, ttl, values = site_rrset(settings.name, entry.name, entry.data, origin, site.ttl_default)
    name = settings.name
    if entry.name:
        name = names.absolute_or_error(
            f"{entry.name}.{settings.name}", path=site.shown, line=entry.line, what="record name"
        )
    out = []
    for text in values:
        try:
            rdata = in_zone(rtype, text, settings.name)
        except Exception as e:  # dnspython raises many types; each means "no zone file form"
            raise InputError(
                f"{names.unicode(name)} {rtype} cannot be written to a zone file: {e}",
                path=site.shown,
                line=entry.line,
            ) from None
        out.append(Record(name, rtype, ttl, rdata, origin, SITE))
    return out
