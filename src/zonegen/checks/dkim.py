"""DKIM key record rules (RFC 6376, RFC 8463, RFC 8301), through zonegen.mail.dkim."""

from __future__ import annotations

from collections.abc import Iterator

from ..mail import dkim
from ..problem import Problem
from .context import KEY_LABEL, Context


def dkim_records(ctx: Context) -> Iterator[Problem]:
    """Every TXT at a selector: one key, well formed, strong enough."""
    for name in ctx.txt_owners(KEY_LABEL):
        if not dkim.is_key_name(name):
            continue
        keys = ctx.txt(name)
        if len(keys) > 1:
            yield from ctx.one_record(
                keys,
                "dkim-one-key-per-selector",
                "TXT records under one selector: verifiers take one (RFC 6376 3.6.2.2), so "
                "some signatures fail",
                "keep one key per selector name; a new key gets a new selector",
            )
        for record, value in keys:
            issues = dkim.parse(value).issues
            if issues:
                yield from ctx.issues(record, "dkim", issues)
