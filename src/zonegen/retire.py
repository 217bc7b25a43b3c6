"""Rollover: records Mox stopped printing (a removed DKIM selector, a replaced host key) stay
published for a grace period, recorded in the site file with their end date.

DKIM: mail signed with the old key is still verified for a while after the switch. DANE
(RFC 7671 8.1): senders cache the TLSA RRset for its TTL, so old and new must be published
side by side across a key change; with zonegen the old TLSA stays until its date.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from . import names
from .errors import InputError
from .mail import dkim
from .model import Record, txt_text
from .output import read_existing
from .pipeline import Result
from .sources.exports import parse_kept
from .sources.files import show


def rolled_over(build: Result, out_dir: Path) -> list[Record]:
    """DKIM and TLSA records in the published files that the build no longer produces."""
    now = {r.key for z in build.zones for r in z.records}
    retired = {(e.name, e.rtype) for e in build.site.retired}
    gone = []
    for zone in build.zones:
        path = out_dir / (names.unicode(zone.name) + "yaml")
        text = read_existing(path)
        if text is None:
            continue
        for record in parse_kept(text, show(path), zone.name):
            if record.key in now or (record.name, record.rtype) in retired:
                continue
            key = (
                record.rtype == "TXT"
                and dkim.is_key_name(record.name)
                and dkim.is_key_record(txt_text(record.rdata))
            )
            if key or record.rtype == "TLSA":
                gone.append(record)
    return gone


def entry(record: Record, until: datetime.date) -> str:
    value = txt_text(record.rdata) if record.rtype == "TXT" else record.value
    if '"' in value or "\\" in value:
        raise InputError(f"{record.describe()}: a value with quotes cannot be retired")
    return (
        f"{{name: {names.unicode(record.name).rstrip('.')}, type: {record.rtype}, "
        f'until: {until.isoformat()}, value: "{value}"}}'
    )
