"""What zonegen calls each issue the mail libraries report, and the fix it suggests.

A library's issue code (:class:`zonegen.mail.taglist.Issue`) says what the RFC refuses, for
every caller (check, verify); the rule id and the advice are zonegen's, so they live here, in
one table, and the rule modules hand the libraries' issues to :meth:`Context.issues`.
"""

from __future__ import annotations

# (library, issue code) -> the fix; the rule id is "<library>-<code>", or RENAMED's
FIXES: dict[tuple[str, str], str] = {
    # mail.spf (RFC 7208)
    ("spf", "syntax"): "see RFC 7208 12",
    ("spf", "bad-name"): "fix the domain name",
    ("spf", "after-all"): "put all last",
    ("spf", "no-all"): "end the record with ~all or -all",
    ("spf", "ptr"): "name the senders with ip4:/ip6:, a or include",
    ("spf", "include-loop"): "break the loop",
    ("spf", "too-many-lookups"): "replace includes and a/mx with ip4:/ip6: where you can",
    ("spf", "lookups-unknown"): "run `zonegen verify`, or replace includes with ip4:/ip6:",
    ("spf", "include-none"): "publish an SPF record there, or drop the term",
    ("spf", "mx-limit"): "use ip4:/ip6: or fewer MX records",
    ("spf", "void-lookups"): "remove the terms for names that do not exist",
    # mail.dmarc (RFC 7489, RFC 9989)
    ("dmarc", "syntax"): "see RFC 7489 6.3 and RFC 9989 4.7",
    ("dmarc", "report-uri"): "write e.g. rua=mailto:dmarc@example.com",
    ("dmarc", "report-scheme"): "use a mailto: address",
    ("dmarc", "report-size"): "drop the !size (RFC 9989 ignores it), or write e.g. !10m",
    ("dmarc", "unknown-tag"): "check the spelling, or drop the tag",
    ("dmarc", "no-policy"): "add p=none (or quarantine, reject) after v=DMARC1",
    ("dmarc", "tag-order"): "write p= right after v=DMARC1",
    # mail.dkim (RFC 6376, RFC 8463, RFC 8301)
    ("dkim", "syntax"): "write v=DKIM1 first, then k=, p= (RFC 6376 3.6.1)",
    ("dkim", "syntax-strict"): "end the record at its last tag (or one ';')",
    ("dkim", "key"): "copy the key again from 'mox config dnsrecords'",
    ("dkim", "rsa-too-short"): "generate a 2048-bit key (RFC 8301 3.2)",
    ("dkim", "rsa-short"): "use 2048 bits (RFC 8301 3.2)",
    ("dkim", "rsa-too-long"): "use 2048 bits (RFC 8301 3.2)",
    ("dkim", "sha1"): "write h=sha256, or drop h= (RFC 8301 3.1)",
    ("dkim", "service"): "drop s=, or write s=email",
    ("dkim", "testing"): "drop t=y once DKIM works",
    ("dkim", "revoked"): "remove the record once no mail signed with it is in transit",
    # mail.tlsa (RFC 6698, RFC 7671, RFC 7672)
    ("tlsa", "values"): "use 3 1 1 (DANE-EE, SPKI, SHA-256)",
    ("tlsa", "private"): "use 3 1 1 (DANE-EE, SPKI, SHA-256)",
    ("tlsa", "data"): "compute the association data again (e.g. with 'mox config dnsrecords')",
    ("tlsa", "owner"): "name it like _25._tcp.mail.example.com",
    ("tlsa", "pkix-smtp"): "use DANE-EE (3) or DANE-TA (2)",
    # mail.caa (RFC 8659)
    ("caa", "syntax"): "see RFC 8659 4.1 to 4.4",
    ("caa", "critical-unknown"): "use issue, issuewild or iodef",
    ("caa", "unknown-tag"): "use issue, issuewild or iodef",
    # mail.mtasts (RFC 8461, RFC 8460): every grammar issue of a record is its -syntax rule
    ("mta-sts", "syntax"): "copy the record again from Mox",
    ("tlsrpt", "syntax"): "see RFC 8460 3",
}
# where the rule's name says more than the library's code
RENAMED = {("dkim", "key"): "dkim-key-invalid", ("dkim", "revoked"): "dkim-key-revoked"}


def rule(library: str, code: str) -> tuple[str, str]:
    """The rule id and the fix for issue ``code`` of mail library ``library``."""
    return RENAMED.get((library, code), f"{library}-{code}"), FIXES[library, code]
