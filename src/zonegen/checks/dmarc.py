"""DMARC rules (RFC 7489, RFC 9989) over the built zones, through zonegen.mail.dmarc."""

from __future__ import annotations

from collections.abc import Iterator

from .. import names
from ..mail import dmarc
from ..model import Record
from ..problem import Problem
from .context import Context


def dmarc_records(ctx: Context) -> Iterator[Problem]:
    """Every TXT at a ``_dmarc`` name: one DMARC record, well formed."""
    for name in ctx.txt_owners("_dmarc."):
        found = []
        for record, value in ctx.txt(name):
            if dmarc.is_dmarc(value):
                found.append((record, value))
                continue
            # RFC 7489 6.6.3: receivers discard TXT at _dmarc that does not start with
            # v=DMARC1: a typo there silently removes the policy.
            (issue,) = dmarc.parse(value).issues
            yield ctx.problem(record, "dmarc-syntax", issue.message, "start it with v=DMARC1")
        if not found:
            continue
        yield from ctx.one_record(
            found,
            "dmarc-one-record",
            "DMARC records: receivers then apply none (RFC 7489 6.6.3)",
            "keep exactly one",
        )
        record, value = found[0]
        parsed = dmarc.parse(value)
        if parsed.issues:
            yield from ctx.issues(record, "dmarc", parsed.issues)
        domain = name[len("_dmarc.") :]
        if domain not in ctx.zones:  # (at a zone's apex sp= and np= are in place)
            yield from _subdomain(ctx, record, name, parsed)
        for key in ("rua", "ruf"):
            for uri in parsed.reports(key):
                # reports to the domain itself (most do) need no authorization (_external)
                if uri.domain and uri.domain != domain[:-1]:
                    yield from _external(ctx, record, domain, uri.domain, key)


def _subdomain(ctx: Context, record: Record, name: str, parsed: dmarc.Record) -> Iterator[Problem]:
    """sp= and np= apply to the subdomains of an organizational domain; on a record below a
    zone's apex receivers ignore them (RFC 7489 6.3 "sp", RFC 9989 4.7)."""
    domain = name[len("_dmarc.") :]
    zone = ctx.zone_of(domain)
    if zone is None or domain == zone:
        return
    for tag in ("sp", "np"):
        if parsed.get(tag) is not None:
            yield ctx.problem(
                record,
                "dmarc-subdomain-sp",
                f"{tag}= on {names.unicode(domain)}, a subdomain of {names.unicode(zone)}: "
                f"receivers read {tag}= only from the organizational domain's record "
                "(RFC 7489 6.3, RFC 9989 4.7)",
                f"put {tag}= in _dmarc.{names.unicode(zone)}, or set p= here",
            )


def _external(
    ctx: Context, record: Record, domain: str, target: str, key: str
) -> Iterator[Problem]:
    try:
        target_name = names.absolute(target)
    except ValueError:
        yield ctx.problem(
            record, "dmarc-report-uri", f"{key}: bad domain {target!r}", "fix the address"
        )
        return
    if (
        target_name == domain
        or target_name.endswith("." + domain)
        or domain.endswith("." + target_name)
    ):
        return
    # RFC 7489 7.1: the report receiver authorizes with <domain>._report._dmarc.<target>.
    auth = f"{domain}_report._dmarc.{target_name}"
    if ctx.zone_of(auth) and not ctx.delegated(auth):
        if not any(dmarc.is_dmarc(text) for _, text in ctx.txt(auth)):
            yield ctx.problem(
                record,
                "dmarc-external-report",
                f"{key} sends reports to {names.unicode(target_name)}, which has "
                f'no {names.unicode(auth)} TXT "v=DMARC1"',
                f'add {names.unicode(auth)} TXT "v=DMARC1"',
            )
        return
    yield ctx.problem(
        record,
        "dmarc-external-report",
        f"{key} sends reports to {names.unicode(target_name)}, another domain",
        f'make sure {names.unicode(auth)} has TXT "v=DMARC1" (RFC 7489 7.1), '
        "or reports are not sent",
    )
