"""DKIM key record rules (RFC 6376, RFC 8463, RFC 8301), through zonegen.mail.dkim."""

from __future__ import annotations

from collections.abc import Iterator

from ..mail import dkim
from ..problem import Problem
from .context import Context


def dkim_records(ctx: Context) -> Iterator[Problem]:
    """Every TXT at a selector: one key, well formed, strong enough."""
    # "._domainkey." in n: a cheap test every key name passes (is_key_name needs it)
    for name in sorted(n for n in ctx.by_name if "._domainkey." in n and dkim.is_key_name(n)):
        keys = ctx.txt(name)
        yield from ctx.one_record(
            keys,
            "dkim-one-key-per-selector",
            "TXT records under one selector: verifiers take one (RFC 6376 3.6.2.2), so some "
            "signatures fail",
            "keep one key per selector name; a new key gets a new selector",
        )
        for record, value in keys:
            yield from ctx.issues(record, "dkim", dkim.parse(value).issues)
