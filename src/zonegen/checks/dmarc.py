"""DMARC (RFC 7489 6.3, 6.4, 7.1): syntax and tag values, one record, report addresses.

checkdmarc's parser also checks the report-address authorization, but by querying DNS while
it parses; here that check looks in the built zones and otherwise says what must exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import names
from ..model import Record
from ..problem import Problem
from ..text import digits
from .context import Context

_POLICIES = {"none", "quarantine", "reject"}
_URI_RE = re.compile(r"^mailto:([^@!,\s]+)@([^@!,\s]+?)(?:!\d+[kmgt]?)?$", re.IGNORECASE)
_KNOWN = {"v", "p", "sp", "adkim", "aspf", "pct", "fo", "rf", "ri", "rua", "ruf", "np", "psd", "t"}


def _tags(value: str) -> list[tuple[str, str]]:
    out = []
    for part in value.split(";"):
        if not part.strip():
            continue
        key, sep, val = part.partition("=")
        out.append((key.strip().lower(), val.strip() if sep else "\0"))
    return out


def dmarc_records(ctx: Context) -> Iterator[Problem]:
    """``dmarc-one-record``, ``dmarc-syntax``, ``dmarc-report-uri``,
    ``dmarc-external-report`` (warning: the other domain must authorize the reports)."""
    for name in sorted(n for n in ctx.names() if n.startswith("_dmarc.")):
        for record, value in ctx.txt(name, ""):
            # RFC 7489 6.6.3: receivers discard TXT records at _dmarc that do not start with
            # "v=DMARC1" (exactly): a typo there silently removes the policy.
            if not value.startswith("v=DMARC1"):
                yield ctx.problem(
                    record,
                    "dmarc-syntax",
                    f"{value[:30]!r} does not start with v=DMARC1, so receivers ignore it",
                    "start the record with v=DMARC1",
                )
        records = [(r, v) for r, v in ctx.txt(name, "v=DMARC1") if v.startswith("v=DMARC1")]
        if not records:
            continue
        if len(records) > 1:
            yield ctx.problem(
                records[1][0],
                "dmarc-one-record",
                f"{len(records)} DMARC records: receivers then apply none (RFC 7489 6.6.3)",
                "keep exactly one",
            )
        record, value = records[0]
        domain = name[len("_dmarc.") :]
        tags = _tags(value)
        problems = []
        keys = [k for k, _ in tags]
        if keys[:1] != ["v"] or tags[0][1] != "DMARC1":
            problems.append("v=DMARC1 must come first")
        if len(keys) < 2 or keys[1] != "p":
            problems.append("p= must be the second tag")
        for key, val in tags:
            if val == "\0":
                problems.append(f"{key!r} has no '='")
            elif key not in _KNOWN:
                problems.append(f"unknown tag {key}=")
            elif key in ("p", "sp", "np") and val.lower() not in _POLICIES:
                problems.append(f"{key}={val} is not none, quarantine or reject")
            elif key in ("adkim", "aspf") and val.lower() not in ("r", "s"):
                problems.append(f"{key}={val} is not r or s")
            elif key == "pct" and not (digits(val) and int(val) <= 100):
                problems.append(f"pct={val} is not 0 to 100")
            elif key == "ri" and not digits(val):
                problems.append(f"ri={val} is not a number of seconds")
            elif key == "fo" and not all(f in ("0", "1", "d", "s") for f in val.split(":")):
                problems.append(f"fo={val}: options are 0, 1, d, s separated by ':'")
        if len(set(keys)) != len(keys):
            problems.append("a tag appears twice")
        for problem in problems:
            yield ctx.problem(record, "dmarc-syntax", problem, "see RFC 7489 6.3")
        for key, val in tags:
            if key not in ("rua", "ruf") or val == "\0":
                continue
            for uri in val.split(","):
                m = _URI_RE.match(uri.strip())
                if not m:
                    yield ctx.problem(
                        record,
                        "dmarc-report-uri",
                        f"{key}: {uri.strip()!r} is not mailto:address[!size]",
                        "write e.g. rua=mailto:dmarc@example.com",
                    )
                    continue
                yield from _external(ctx, record, domain, m.group(2), key)


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
    if ctx.zone_of(auth):
        if not ctx.txt(auth, "v=DMARC1"):
            yield ctx.problem(
                record,
                "dmarc-external-report",
                f"{key} sends reports to {names.unicode(target_name)}, which has "
                f'no {names.unicode(auth)} TXT "v=DMARC1"',
                f'add {names.unicode(auth)} TXT "v=DMARC1"',
                warning=True,
            )
        return
    yield ctx.problem(
        record,
        "dmarc-external-report",
        f"{key} sends reports to {names.unicode(target_name)}, another domain",
        f'make sure {names.unicode(auth)} has TXT "v=DMARC1" (RFC 7489 7.1), '
        "or reports are not sent",
        warning=True,
    )
