"""``zonegen import``: take an existing zone into the site's kept records, safely.

The export is read (zone file or octoDNS YAML), stripped of what is not data (SOA, apex NS,
DNSSEC), compared with what Mox needs, and written to the zone's kept file, which every
``zonegen build`` includes. What the export and Mox both want is reported as conflicts for the
site file to decide; re-running import on a newer export reports what changed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import names
from .errors import InputError
from .kept import Conflict, resolve
from .model import Record, Zone, txt_text
from .octodns.records import zone_yaml
from .output import FileChange, plan, read_existing
from .pipeline import build
from .sources import Inputs
from .sources.files import show
from .sources.zonefile import is_yaml, parse_export, read_export

HEADER = (
    "# Records kept from an existing zone by `zonegen import`; every `zonegen build` adds them\n"
    "# to the zone. Review changes here like any DNS change; edit, or import a newer export.\n"
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    text: str
    change: FileChange
    kept: tuple[Record, ...]
    same_as_mox: int
    skipped: dict[str, int]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    conflicts: tuple[Conflict, ...]  # undecided
    decided: tuple[tuple[str, str], ...]  # (key, choice)


def _label(record: Record) -> str:
    value = txt_text(record.rdata) if record.rtype == "TXT" else record.value
    return f"{names.unicode(record.name)} {record.ttl} {record.rtype} {value}"


def import_zone(inputs: Inputs, export: Path, zone_text: str) -> ImportResult:
    site = inputs.site
    zone = names.absolute_or_error(zone_text, path=None, line=None, what="--zone")
    settings = next((z for z in site.zones if z.name == zone), None)
    if settings is None:
        raise InputError(
            f"zone {names.unicode(zone)} is not in the site file",
            path=site.shown,
            hint=f"add it under zones: ({names.unicode(zone).rstrip('.')}: {{}}) first",
        )
    imported = read_export(export, zone)
    # Mox's records for the zone, as a build without any kept records makes them.
    mox = [r for z in build(inputs.without_kept()).zones if z.name == zone for r in z.records]
    mox_keys = {r.key for r in mox}
    kept = tuple(r for r in imported.records if r.key not in mox_keys)

    text = HEADER + zone_yaml(Zone(zone, tuple(sorted(kept, key=lambda r: r.key[:2]))))
    old_text = read_existing(settings.kept)
    old = (
        {
            _label(r)
            for r in parse_export(
                old_text, show(settings.kept), zone, yaml=is_yaml(settings.kept)
            ).records
        }
        if old_text is not None
        else set()
    )
    new = {_label(r) for r in kept}
    (change,) = plan({settings.kept: text})
    _, undecided, _ = resolve(mox, list(kept), settings.decisions)
    decided = tuple(
        (f"{names.unicode(d.name).rstrip('.')} {d.rtype}", d.choice) for d in settings.decisions
    )
    return ImportResult(
        settings.kept,
        text,
        change,
        kept,
        len(imported.records) - len(kept),
        dict(imported.skipped),
        tuple(sorted(new - old)) if old_text is not None else (),
        tuple(sorted(old - new)),
        tuple(undecided),
        decided,
    )


def report(result: ImportResult, zone: str) -> str:
    """What import did, for the terminal."""
    lines = []
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items()))
    lines.append(
        f"{len(result.kept)} records kept in {show(result.path)} ({result.change.status})"
        + (f"; {result.same_as_mox} already as Mox wants them" if result.same_as_mox else "")
        + (f"; left out: {skipped}" if skipped else "")
    )
    if result.added or result.removed:
        lines.append("since the last import:")
        lines.extend(f"  + {a}" for a in result.added)
        lines.extend(f"  - {r}" for r in result.removed)
    elif result.change.status == "unchanged":
        lines.append("nothing changed since the last import")
    if result.conflicts:
        lines.append(
            f"{len(result.conflicts)} conflicts with Mox's records; build refuses until the "
            "site file decides each:"
        )
        lines.extend(f"  {c.describe()}" for c in result.conflicts)
        lines.append("add to the site file (first choice shown; edit as you decide):")
        lines.append("zones:")
        lines.append(f"  {names.unicode(zone).rstrip('.')}:")
        lines.append("    conflicts:")
        lines.extend(
            f"      {c.key}: {c.choices[0]}   # or: {', '.join(c.choices[1:])}"
            for c in result.conflicts
        )
    else:
        lines.append("no undecided conflicts with Mox's records")
    return "\n".join(lines) + "\n"
