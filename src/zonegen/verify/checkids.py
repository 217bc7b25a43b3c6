"""The ids of verify's mail checks, apart from the findings: the command line reads them at
start-up (``--skip`` choices) for every command, and ``findings`` costs more to import."""

from __future__ import annotations

# The mail checks, one finding kind each, in the order of Mox's own "Check DNS" page
# (``checkDomain`` in Mox's webadmin/admin.go). The DNS ones run by default (``--skip CHECK``
# leaves one out, ``--skip mail`` all of them); "tls" needs ``--tls``.
MAIL_DNS_CHECKS = (
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
MAIL_CHECKS = (*MAIL_DNS_CHECKS, "tls")
MAIL_GROUP = "mail"  # --skip mail: every check of MAIL_DNS_CHECKS

__all__ = ["MAIL_CHECKS", "MAIL_DNS_CHECKS", "MAIL_GROUP"]
