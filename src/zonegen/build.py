"""``zonegen build`` as a library call: the site file in, the output files' text out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import names
from .checks import Problem, run_checks
from .model import Zone
from .output import read_existing
from .pipeline import build
from .render.bind import render_bind
from .render.octodns import render_octodns
from .sources.site import load_site


@dataclass(frozen=True, slots=True)
class BuiltFiles:
    files: dict[Path, str]
    zones: tuple[Zone, ...]
    notes: tuple[str, ...]
    problems: tuple[Problem, ...]  # error-level check results; files is empty when any

    @property
    def record_count(self) -> int:
        return sum(len(z.records) for z in self.zones)


def output_paths(out_dir: Path, zone: str) -> tuple[Path, Path]:
    """Where a zone's files go: ``<zone>.yaml`` named as octoDNS's YamlProvider writes and
    looks for it (the Unicode name with its trailing dot, then ``yaml``) and
    ``bind/<zone>.zone`` with the A-label name (what named.conf and gcloud expect)."""
    yaml_name = names.unicode(zone) + "yaml"
    return out_dir / yaml_name, out_dir / "bind" / (zone.rstrip(".") + ".zone")


def build_files(site_path: Path, out_dir: Path) -> BuiltFiles:
    """Read everything the site names and render every zone's files (writes nothing)."""
    site = load_site(site_path)
    result = build(site)
    # build refuses to write zones with errors: the error-level rules of `zonegen check`.
    problems = run_checks(result, errors_only=True)
    if problems:
        return BuiltFiles({}, result.zones, result.notes, tuple(problems))
    files: dict[Path, str] = {}
    notes = list(result.notes)
    for zone, settings in zip(result.zones, site.zones, strict=True):
        yaml_path, bind_path = output_paths(out_dir, zone.name)
        files[yaml_path] = render_octodns(zone)
        files[bind_path] = render_bind(
            zone, settings.bind, previous=read_existing(bind_path), site=site.shown
        )
    known = set(files)
    if out_dir.is_dir():
        stale = sorted(
            p for p in [*out_dir.glob("*.yaml"), *out_dir.glob("bind/*.zone")] if p not in known
        )
        notes.extend(
            f"{p} is not built from the site file any more; delete it if its zone is gone"
            for p in stale
        )
    return BuiltFiles(files, result.zones, tuple(notes), ())
