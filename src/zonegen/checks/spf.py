"""SPF rules (RFC 7208) over the built zones, through zonegen.mail.spf.

Lookups are counted and records evaluated offline, through the zones (ZoneLookup); what lies
outside them is named as "cannot tell offline" (``zonegen verify`` asks the live DNS).
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import names
from ..mail import spf
from ..model import Record, txt_text
from ..model import target as target_of
from ..problem import Problem
from .context import Context, ZoneLookup

SIZE_ADVICE = 450  # RFC 7208 3.4: keep the answer small enough for 512-octet UDP


def _spf(ctx: Context) -> dict[str, list[tuple[Record, str]]]:
    """TXT records receivers take as SPF, per name (RFC 7208 4.5)."""
    out: dict[str, list[tuple[Record, str]]] = {}
    for (name, rtype), records in ctx.by_key.items():
        if rtype != "TXT":
            continue
        found = [(r, v) for r in records if spf.is_spf(v := txt_text(r.rdata))]
        if found:
            out[name] = found
    return out


def spf_version(ctx: Context) -> Iterator[Problem]:
    """TXT that was meant as SPF but does not start with exactly ``v=spf1`` and a space."""
    for (_name, rtype), records in sorted(ctx.by_key.items()):
        if rtype != "TXT":
            continue
        for record in records:
            value = txt_text(record.rdata)
            if spf.looks_like_spf(value):
                yield ctx.problem(
                    record,
                    "spf-version",
                    f"{value[:20]!r}...: receivers take only TXT that starts with 'v=spf1' and a "
                    "space as SPF, so this domain has no SPF record (RFC 7208 4.5)",
                    "start the record with 'v=spf1 ' (strings are joined without spaces)",
                )


def spf_rrtype(ctx: Context) -> Iterator[Problem]:
    """Records of the SPF RR type (99), which RFC 7208 3.1 and 14.1 retired."""
    for record in ctx.records:
        if record.rtype == "SPF":
            yield ctx.problem(
                record,
                "spf-rrtype",
                "the SPF record type is obsolete: receivers read only TXT (RFC 7208 3.1)",
                "publish the same text as TXT and drop this record",
            )


def spf_records(ctx: Context) -> Iterator[Problem]:
    """The record rules: syntax, one record, lookups, loops, voids, all, ptr, size."""
    records = _spf(ctx)
    lookup = ZoneLookup(ctx)
    for name in sorted(records):
        found = records[name]
        if len(found) > 1:
            yield ctx.problem(
                found[1][0],
                "spf-one-record",
                f"{len(found)} SPF records at one name: receivers return permerror (RFC 7208 4.5)",
                "merge them into one record",
            )
        record, value = found[0]
        try:
            parsed = spf.parse(value)
        except spf.SpfSyntaxError as e:
            yield ctx.problem(
                record, "spf-syntax", f"{e}: receivers return permerror", "see RFC 7208 12"
            )
            continue
        yield from _terms(ctx, record, parsed)
        yield from _reach(ctx, record, name, parsed, lookup)
        size = sum(len(s) + 1 for r, _ in found for s in getattr(r.rdata, "strings", ()))
        if size > SIZE_ADVICE:
            yield ctx.problem(
                record,
                "spf-record-size",
                f"{size} octets of TXT data: an answer over 512 octets needs TCP or EDNS, "
                f"RFC 7208 3.4 advises at most {SIZE_ADVICE}",
                "replace a/mx terms with ip4:/ip6: ranges, or move senders to an include",
            )


def _terms(ctx: Context, record: Record, parsed: spf.Record) -> Iterator[Problem]:
    for m in parsed.mechanisms:
        problem = spf.domain_problem(m.domain) if m.domain else None
        if problem:
            yield ctx.problem(
                record,
                "spf-bad-name",
                f"{m.text}: {problem}, so it cannot be looked up; receivers treat it as no "
                "match or as permerror (RFC 7208 4.8)",
                "fix the domain name",
            )
    after = spf.mechanisms_after_all(parsed)
    if after:
        yield ctx.problem(
            record,
            "spf-after-all",
            f"{', '.join(m.text for m in after)} after 'all' are never evaluated (RFC 7208 5.1)",
            "put all last",
        )
    if parsed.redirect is not None and parsed.has_all:
        yield ctx.problem(
            record,
            "spf-after-all",
            "redirect= next to 'all' is never used (RFC 7208 6.1)",
            "drop one of them",
        )
    if not parsed.has_all and parsed.redirect is None:
        yield ctx.problem(
            record,
            "spf-no-all",
            "no 'all' and no redirect=: other senders get neutral (RFC 7208 4.7)",
            "end the record with ~all or -all",
        )
    if spf.uses_ptr(parsed):
        yield ctx.problem(
            record,
            "spf-ptr",
            "ptr (or the %{p} macro) is slow and unreliable, RFC 7208 5.5 says not to use it",
            "name the senders with ip4:/ip6:, a or include",
        )


def _reach(
    ctx: Context, record: Record, name: str, parsed: spf.Record, lookup: ZoneLookup
) -> Iterator[Problem]:
    """What evaluation reaches: includes and redirects, their lookups, voids and MX sets."""
    count = spf.count_lookups(name, lookup)
    external = [names.unicode(e + ".").rstrip(".") for e in count.external]
    if count.loop:
        yield ctx.problem(
            record,
            "spf-include-loop",
            f"include/redirect loop {' -> '.join(count.loop)}: evaluation runs into the "
            f"{spf.LOOKUP_LIMIT}-lookup limit, a permerror (RFC 7208 4.6.4)",
            "break the loop",
        )
    elif count.count > spf.LOOKUP_LIMIT:
        yield ctx.problem(
            record,
            "spf-too-many-lookups",
            f"{count.count} DNS lookups counting includes in these zones"
            + (f", plus those of {', '.join(external)}" if external else "")
            + f"; more than {spf.LOOKUP_LIMIT} is a permerror (RFC 7208 4.6.4)",
            "replace includes and a/mx with ip4:/ip6: where you can",
        )
    elif external and count.count + len(external) > spf.LOOKUP_LIMIT:
        yield ctx.problem(
            record,
            "spf-lookups-unknown",
            f"{count.count} DNS lookups in these zones; the records of {', '.join(external)} "
            f"add theirs, and more than {spf.LOOKUP_LIMIT} is a permerror (RFC 7208 4.6.4): "
            "cannot tell offline",
            "run `zonegen verify`, or replace includes with ip4:/ip6:",
        )
    for target in count.no_record:
        yield ctx.problem(
            record,
            "spf-include-none",
            f"{target} is in these zones but has no (single) SPF record: include: or "
            "redirect= of it is a permerror (RFC 7208 5.2, 6.1)",
            f"publish an SPF record at {target}, or drop the term",
        )
    voids = []
    for m in parsed.mechanisms:
        if m.name not in ("a", "mx", "exists"):
            continue
        literal = m.domain.literal if m.domain else name
        if literal is None:
            continue
        owner = literal.lower().rstrip(".") + "."
        if not ctx.zone_of(owner):
            continue
        answer = lookup.ask(owner, "MX" if m.name == "mx" else "A")
        if m.name == "a" and answer in ((), spf.NXDOMAIN):
            answer = lookup.ask(owner, "AAAA")
        if answer in ((), spf.NXDOMAIN):
            voids.append(m.text)
        elif m.name == "mx" and isinstance(answer, tuple) and len(answer) > spf.MX_LIMIT:
            yield ctx.problem(
                record,
                "spf-mx-limit",
                f"{m.text}: {len(answer)} MX records; more than {spf.MX_LIMIT} is a permerror "
                "(RFC 7208 4.6.4)",
                "use ip4:/ip6: or fewer MX records",
            )
    if len(voids) > spf.VOID_LIMIT:
        yield ctx.problem(
            record,
            "spf-void-lookups",
            f"{', '.join(voids)} name nothing in these zones: more than {spf.VOID_LIMIT} "
            "lookups that find nothing is a permerror (RFC 7208 4.6.4)",
            "remove the terms for names that do not exist",
        )


def spf_host_allowed(ctx: Context) -> Iterator[Problem]:
    """For each name whose MX is the mail host (and the host itself), the host's IPs must
    pass the name's SPF, evaluated over the built zones (check_host, RFC 7208 4). Where
    evaluation needs DNS outside them it gives no verdict."""
    records = _spf(ctx)
    host = ctx.build.hostname
    senders = {r.name for r in ctx.records if r.rtype == "MX" and target_of(r) == host}
    senders.add(host)
    lookup = ZoneLookup(ctx)
    for name in sorted(senders & set(records)):
        record, _ = records[name][0]
        domain = name.rstrip(".")
        for ip in ctx.build.ips:
            got = spf.check_host(ip, domain, f"postmaster@{domain}", lookup, now=0)
            if got.result in ("fail", "softfail", "neutral", "none"):
                yield ctx.problem(
                    record,
                    "spf-host-not-allowed",
                    f"the mail host's address {ip} gets '{got.result}' for {names.unicode(name)}",
                    f"add ip{'6' if ':' in ip else '4'}:{ip} or mx to the record",
                )
