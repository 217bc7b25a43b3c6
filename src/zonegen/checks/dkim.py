"""DKIM key record rules (RFC 6376, RFC 8463, RFC 8301), through zonegen.mail.dkim."""

from __future__ import annotations

from collections.abc import Iterator

from ..mail import dkim
from ..model import txt_text
from ..problem import Problem
from .context import Context

# mail.dkim issue code -> rule id, and the fix
_RULES = {
    "syntax": ("dkim-syntax", "write v=DKIM1 first, then k=, p= (RFC 6376 3.6.1)"),
    "syntax-strict": ("dkim-syntax-strict", "end the record at its last tag (or one ';')"),
    "key": ("dkim-key-invalid", "copy the key again from 'mox config dnsrecords'"),
    "rsa-too-short": ("dkim-rsa-too-short", "generate a 2048-bit key (RFC 8301 3.2)"),
    "rsa-short": ("dkim-rsa-short", "use 2048 bits (RFC 8301 3.2)"),
    "rsa-too-long": ("dkim-rsa-too-long", "use 2048 bits (RFC 8301 3.2)"),
    "sha1": ("dkim-sha1", "write h=sha256, or drop h= (RFC 8301 3.1)"),
    "service": ("dkim-service", "drop s=, or write s=email"),
    "testing": ("dkim-testing", "drop t=y once DKIM works"),
    "revoked": ("dkim-key-revoked", "remove the record once no mail signed with it is in transit"),
}


def dkim_records(ctx: Context) -> Iterator[Problem]:
    """Every TXT at a selector: one key, well formed, strong enough."""
    for name in sorted(n for n in ctx.names() if dkim.is_key_name(n)):
        keys = [(r, txt_text(r.rdata)) for r in ctx.get(name, "TXT")]
        if len(keys) > 1:
            yield ctx.problem(
                keys[1][0],
                "dkim-one-key-per-selector",
                f"{len(keys)} TXT records under one selector: verifiers take one (RFC 6376 "
                "3.6.2.2), so some signatures fail",
                "keep one key per selector name; a new key gets a new selector",
            )
        for record, value in keys:
            for issue in dkim.parse(value).issues:
                rule, fix = _RULES[issue.code]
                yield ctx.problem(record, rule, issue.message, fix)
