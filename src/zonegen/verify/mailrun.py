"""Run the mail checks (what Mox's own "Check DNS" covers) after the zone checks.

The DNS-only checks run by default; ``--skip CHECK`` leaves one out (``--skip mail``: all of
them). The policy fetch of ``mta-sts`` needs ``--https``; ``tls`` needs ``--tls``
(``--online`` turns on both, and ``--dane``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from . import clients, maildns, sts
from .findings import Finding
from .lookup import LiveLookup
from .mailsite import MailSite

# The check ids, in the order of Mox's page. "tls" is made by the SMTP side (smtptls.py).
DNS_CHECKS = (
    "iprev",
    "spf-eval",
    "dkim-key",
    "dmarc-external",
    "tlsrpt",
    "mta-sts",
    "srv-clients",
    "autoconfig",
    "autodiscover",
)
CHECKS = (*DNS_CHECKS, "tls")
GROUP = "mail"  # --skip mail: every check above


def run_mail_checks(
    site: MailSite,
    lookup: LiveLookup,
    *,
    skip: frozenset[str],
    fetch: sts.Fetch | None,
    previous_policies: Mapping[str, tuple[str, str]],
) -> list[Finding]:
    """Every DNS mail check not in ``skip``, each in a thread of its own (each asks its
    names one after the other; most answers come from what the zone checks asked)."""
    jobs: dict[str, Callable[[], list[Finding]]] = {
        "iprev": lambda: maildns.iprev(site, lookup),
        "spf-eval": lambda: maildns.spf_eval(site, lookup),
        "dkim-key": lambda: maildns.dkim_key(site, lookup),
        "dmarc-external": lambda: maildns.dmarc_external(site, lookup),
        "tlsrpt": lambda: maildns.tlsrpt(site, lookup),
        "mta-sts": lambda: sts.mta_sts(site, lookup, fetch, previous_policies),
        "srv-clients": lambda: clients.srv_clients(site, lookup),
        "autoconfig": lambda: clients.autoconfig(site, lookup),
        "autodiscover": lambda: clients.autodiscover(site, lookup),
    }
    chosen = [job for check, job in jobs.items() if check not in skip]
    if not chosen:
        return []
    with ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        return [f for fs in pool.map(lambda job: job(), chosen) for f in fs]
