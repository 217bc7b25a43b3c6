"""With Mox's config dir: DKIM p= and TLSA 3 1 1 must come from Mox's key files."""

from __future__ import annotations

from collections.abc import Iterator

import dns.rdtypes.ANY.TLSA

from ..mail import dkim
from ..model import MOX, Record, txt_text
from ..problem import Problem
from ..sources.files import show
from ..sources.keys import dkim_public, load_private_key, tlsa_311
from .context import Context


def dkim_key_mismatch(ctx: Context) -> Iterator[Problem]:
    """``dkim-key-mismatch``: a DKIM record Mox printed whose p= is not its key file's."""
    config = ctx.build.config
    if not config:
        return
    by_owner: dict[str, list[Record]] = {}
    for r in ctx.records + list(ctx.build.unpublished):
        if r.rtype == "TXT" and r.kind == MOX and dkim.is_key_name(r.name):
            by_owner.setdefault(r.name, []).append(r)
    for sel in config.dkim:
        owner = dkim.key_name(sel.selector, sel.domain)
        printed = by_owner.get(owner, [])
        if not printed:
            continue
        shown = show(sel.key_file)
        pem = ctx.build.inputs.blob(sel.key_file).bytes(what="key file")
        kind, public = dkim_public(load_private_key(pem, display=shown))
        for record in printed:
            key = dkim.parse(txt_text(record.rdata))
            p = "".join((key.get("p") or "").split())
            if p != public or key.key_type != kind:
                yield ctx.problem(
                    record,
                    "dkim-key-mismatch",
                    f"p= is not the public key of {shown} (selector {sel.selector}, {sel.where})",
                    "the records and the config dir come from different Mox runs, or a key "
                    "file was swapped; print the records again with 'mox config dnsrecords'",
                )


def tlsa_host_key_mismatch(ctx: Context) -> Iterator[Problem]:
    """``tlsa-host-key-mismatch``: a TLSA 3 1 1 Mox printed that hashes none of the host keys."""
    config = ctx.build.config
    if not config:
        return
    owner = f"_25._tcp.{config.hostname}"
    everything = ctx.records + list(ctx.build.unpublished)
    tlsa = [r for r in everything if r.name == owner and r.rtype == "TLSA" and r.kind == MOX]
    if not tlsa:
        return
    blobs = [ctx.build.inputs.blob(p) for p in config.host_keys]
    hashes = {tlsa_311(load_private_key(b.bytes(what="key file"), display=b.shown)) for b in blobs}
    files = ", ".join(show(p) for p in config.host_keys) or "none in mox.conf"
    for record in tlsa:
        rd = record.rdata
        assert isinstance(rd, dns.rdtypes.ANY.TLSA.TLSA)
        if (rd.usage, rd.selector, rd.mtype) == (3, 1, 1) and rd.cert.hex() not in hashes:
            yield ctx.problem(
                record,
                "tlsa-host-key-mismatch",
                f"{rd.cert.hex()[:16]}... is the SHA-256 of no host key of the Mox config "
                f"(host keys: {files})",
                "the records and the config dir come from different Mox runs, or a host key "
                "was replaced; print the records again with 'mox config dnsrecords'",
            )
