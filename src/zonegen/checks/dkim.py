"""DKIM key records (RFC 6376 3.6.1, RFC 8463 for Ed25519, RFC 8301 for key sizes)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from ..model import Record, txt_text
from ..problem import Problem
from .context import Context


def dkim_tags(value: str) -> dict[str, str]:
    """DKIM tag=value list (RFC 6376 3.2); whitespace around tags and in values is folded."""
    tags: dict[str, str] = {}
    for part in value.split(";"):
        name, sep, val = part.partition("=")
        if sep:
            tags[name.strip()] = "".join(val.split())
    return tags


def _is_dkim(value: str) -> bool:
    return value.replace(" ", "").startswith("v=DKIM1") or "p=" in value


def dkim_records(ctx: Context) -> Iterator[Problem]:
    """``dkim-one-key-per-selector``, ``dkim-syntax``, ``dkim-key-invalid``,
    ``dkim-rsa-too-short`` (< 1024 bits, RFC 8301 3.2), ``dkim-rsa-short`` (< 2048, warning),
    ``dkim-sha1`` (warning, RFC 8301 3.1)."""
    for name in sorted(n for n in ctx.names() if "._domainkey." in n):
        keys = [(r, txt_text(r.rdata)) for r in ctx.get(name, "TXT")]
        keys = [(r, v) for r, v in keys if _is_dkim(v)]
        if len(keys) > 1:
            yield ctx.problem(
                keys[1][0],
                "dkim-one-key-per-selector",
                f"{len(keys)} different DKIM keys under one selector; verifiers take one at "
                "random, so half the signatures fail",
                "keep one key per selector name; a new key gets a new selector",
            )
        for record, value in keys:
            tags = dkim_tags(value)
            if "v" in tags and not value.lstrip().startswith("v="):
                yield ctx.problem(
                    record,
                    "dkim-syntax",
                    "v= must be the first tag",
                    "write v=DKIM1 first (RFC 6376 3.6.1)",
                )
            if tags.get("v", "DKIM1") != "DKIM1":
                yield ctx.problem(
                    record, "dkim-syntax", f"v={tags['v']} is not DKIM1", "write v=DKIM1"
                )
            if "p" not in tags:
                yield ctx.problem(record, "dkim-syntax", "no p= tag", "add p=<base64 public key>")
                continue
            if "sha1" in tags.get("h", "").split(":") and "sha256" not in tags.get("h", ""):
                yield ctx.problem(
                    record,
                    "dkim-sha1",
                    "h= allows only SHA-1",
                    "use h=sha256 (RFC 8301 3.1)",
                    warning=True,
                )
            yield from _key(ctx, record, tags)


def _key(ctx: Context, record: Record, tags: dict[str, str]) -> Iterator[Problem]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    if not tags["p"]:
        yield ctx.problem(
            record,
            "dkim-key-revoked",
            "empty p=: the key is revoked",
            "remove the record once no mail signed with it is in transit",
            warning=True,
        )
        return
    try:
        raw = base64.b64decode(tags["p"], validate=True)
    except (binascii.Error, ValueError):
        yield ctx.problem(
            record,
            "dkim-key-invalid",
            "p= is not valid base64",
            "copy the key again from 'mox config dnsrecords'",
        )
        return
    kind = tags.get("k", "rsa")
    if kind == "ed25519":
        if len(raw) != 32:
            yield ctx.problem(
                record,
                "dkim-key-invalid",
                f"an Ed25519 key is 32 bytes, this one is {len(raw)}",
                "copy the key again (RFC 8463 4)",
            )
        return
    if kind != "rsa":
        yield ctx.problem(
            record, "dkim-key-invalid", f"unknown key type k={kind}", "use k=rsa or k=ed25519"
        )
        return
    try:
        key = load_der_public_key(raw)
    except (ValueError, TypeError):
        yield ctx.problem(
            record,
            "dkim-key-invalid",
            "p= does not hold an RSA SubjectPublicKeyInfo",
            "copy the key again from 'mox config dnsrecords'",
        )
        return
    if not isinstance(key, rsa.RSAPublicKey):
        yield ctx.problem(
            record, "dkim-key-invalid", "k=rsa but the key is not RSA", "fix k= or the key"
        )
    elif key.key_size < 1024:
        yield ctx.problem(
            record,
            "dkim-rsa-too-short",
            f"RSA key of {key.key_size} bits; verifiers must reject < 1024",
            "generate a 2048-bit key (RFC 8301 3.2)",
        )
    elif key.key_size < 2048:
        yield ctx.problem(
            record,
            "dkim-rsa-short",
            f"RSA key of {key.key_size} bits",
            "use 2048 bits (RFC 8301 3.2)",
            warning=True,
        )
