"""``mta-sts``: each mail domain's MTA-STS record and, with ``--https``, its policy (RFC 8461),
judged as Mox's check does (``MTASTS`` in ``checkDomain``, Mox's webadmin/admin.go):

- the ``_mta-sts.<domain>`` TXT: exactly one ``v=STSv1`` record with an ``id`` (RFC 8461 3.1);
- the policy at ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` (fetched by ``https.py``:
  no redirects, a size cap, the certificate checked): well-formed (RFC 8461 3.2), every MX of
  the domain matches one of its ``mx`` lines (4.1: senders in ``enforce`` mode deliver to no
  other), ``mode`` other than ``none``/``testing``, a ``max_age`` over a day (Mox warns below);
- the ``id``: senders fetch the policy again only when the TXT's id changes (3.1). With
  ``--since``, a policy that changed while the id did not is an error: the previous run's
  finding carries the id and the policy's SHA-256 (``got``), the only memory verify has.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..mail import mtasts
from .findings import ERROR, OK, WARNING, Finding, Where, finding
from .lookup import LiveLookup
from .maildns import Check
from .mailsite import MailSite

DAY = 86400
POLICY_TYPE = "policy"  # the rtype of the policy's finding (it is no DNS record)


@dataclass(frozen=True, slots=True)
class Fetched:
    """What fetching a policy came to: the body, or why there is none."""

    server: str  # ADDR:PORT connected to ("" when it never got that far)
    body: str = ""
    failure: str = ""  # "" when fetched; else the finding's status
    severity: str = ""  # of the failure: error, or fatal when nothing could be reached
    detail: str = ""
    content_type: str = ""


Fetch = Callable[[str], Fetched]  # host name -> what came of GET /.well-known/mta-sts.txt


def policy_state(got: list[str]) -> tuple[str, str] | None:
    """(id, policy sha256) from a policy finding's ``got`` (see :func:`_policy`)."""
    fields = dict(g.split("=", 1) for g in got if "=" in g)
    if "id" in fields and "sha256" in fields:
        return fields["id"], fields["sha256"]
    return None


def matches(pattern: str, host: str) -> bool:
    """RFC 8461 4.1: a pattern ``*.example.com`` matches one more label, exactly that."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        label, _, rest = host.partition(".")
        return bool(label) and rest == pattern[2:]
    return pattern == host


def mta_sts(
    site: MailSite,
    lookup: LiveLookup,
    fetch: Fetch | None,
    previous: Mapping[str, tuple[str, str]],
) -> list[Finding]:
    c = Check("mta-sts", site, lookup)
    for domain in site.domains:
        where = c.where(f"_mta-sts.{domain}", "TXT")
        text = c.single(
            where,
            mtasts.is_mta_sts,
            kind="MTA-STS records",
            missing="no MTA-STS record: senders do not look for the policy",
            multiple="senders take the domain as without MTA-STS (RFC 8461 3.1); keep one",
            validate=mtasts.sts_record,
        )
        if text is None:
            continue
        sts_id = next(
            (p.split("=", 1)[1].strip() for p in text.split(";") if p.strip().startswith("id=")),
            "",
        )
        c.add(where, "ok", OK, got=(text,))
        if fetch is not None:
            c.out.append(_policy(site, lookup, domain, sts_id, fetch, previous.get(domain)))
    return c.out


def _policy(
    site: MailSite,
    lookup: LiveLookup,
    domain: str,
    sts_id: str,
    fetch: Fetch,
    previous: tuple[str, str] | None,
) -> Finding:
    host = f"mta-sts.{domain}"
    url = f"https://{host.rstrip('.')}/.well-known/mta-sts.txt"
    got = fetch(host)
    where = Where(site.zone(host), host, POLICY_TYPE, got.server)
    if got.failure:
        return finding(where, "mta-sts", got.failure, got.severity, detail=f"{url}: {got.detail}")
    try:
        policy = mtasts.parse_policy(got.body)
    except mtasts.PolicyError as e:
        return finding(
            where,
            "mta-sts",
            "invalid",
            ERROR,
            detail=f"{url}: {e}: senders treat the domain as without a policy",
        )
    digest = hashlib.sha256(got.body.encode()).hexdigest()
    stale = previous is not None and previous[0] == sts_id and previous[1] != digest
    state = (
        f"id={sts_id}",
        # After an unchanged id, what senders hold for that id is the earlier policy: kept,
        # so that the next run says it again until the id changes.
        f"sha256={previous[1] if stale and previous else digest}",
        f"mode={policy.mode}",
        f"max_age={policy.max_age}",
        *(f"mx={m}" for m in policy.mx),
    )
    problems: list[tuple[str, str, str]] = []  # (severity, status, text)
    mx = lookup.entry(domain, "MX")
    hosts = sorted({r.split()[-1].lower() for r in mx.records if len(r.split()) == 2} - {"."})
    if policy.mode != "none":
        unmatched = [h for h in hosts if not any(matches(p, h) for p in policy.mx)]
        if unmatched:
            enforce = policy.mode == "enforce"
            problems.append(
                (
                    ERROR if enforce else WARNING,
                    "mx-mismatch",
                    f"MX {', '.join(unmatched)} matches no mx: line of the policy: senders "
                    + ("refuse to deliver there" if enforce else "report it (testing mode)"),
                )
            )
        listed = {h.rstrip(".") for h in hosts}
        extra = [p for p in policy.mx if not p.startswith("*.") and p.lower() not in listed]
        if extra and hosts:
            problems.append(
                (
                    WARNING,
                    "mx-extra",
                    f"mx: {', '.join(extra)} in the policy is no MX of the domain",
                )
            )
    if policy.mode == "none":
        problems.append((WARNING, "mode-none", "mode none: the policy asks senders for nothing"))
    elif policy.mode == "testing":
        problems.append(
            (
                WARNING,
                "testing",
                "mode testing: senders report failures but deliver anyway; "
                "switch to enforce once the reports are clean",
            )
        )
    if policy.max_age <= DAY:
        problems.append(
            (
                WARNING,
                "max-age",
                f"max_age {policy.max_age} s: a day or less gives senders little protection; "
                "weeks are usual (RFC 8461 3.2, Mox warns)",
            )
        )
    if got.severity == WARNING and got.detail:  # the certificate expires soon
        problems.append((WARNING, "expiring", got.detail))
    if got.content_type and got.content_type.split(";")[0].strip().lower() != "text/plain":
        problems.append(
            (
                WARNING,
                "content-type",
                f"served as {got.content_type[:60]!r}, not text/plain (RFC 8461 3.2): strict "
                "senders ignore it",
            )
        )
    if stale:
        problems.append(
            (
                ERROR,
                "id-unchanged",
                f"the policy changed since the previous run (--since) but the id in {domain} "
                f"_mta-sts TXT is still {sts_id}: senders keep the old policy for up to max_age "
                "(RFC 8461 3.1); give the record a new id",
            )
        )
    if not problems:
        return finding(
            where,
            "mta-sts",
            "ok",
            OK,
            got=state,
            detail=f"{url}: mode {policy.mode}, max_age {policy.max_age} s, every MX matches",
        )
    problems.sort(key=lambda p: (p[0] != ERROR, p[1]))
    severity, status, _ = problems[0]
    return finding(
        where,
        "mta-sts",
        status,
        severity,
        got=state,
        detail=f"{url}: " + "; ".join(text for _, _, text in problems),
    )
