"""``zonegen build`` as a library call: the site file in, the output files' text out."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import names
from .checks import Problem, run_checks
from .model import Zone
from .output import read_existing
from .pipeline import Build, build
from .render.bind import PLACEHOLDER_NS, render_bind
from .render.octodns import Rejected, render_octodns
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
    files: dict[Path, str] = {}
    notes = list(result.notes)
    try:
        # build refuses to write zones with errors: the error-level rules of `zonegen check`,
        # run here while the zones render (in workers, with many zones).
        problems, rendered = _render_all(
            result, out_dir, lambda: run_checks(result, errors_only=True, with_octodns=False)
        )
    except Rejected as e:  # octoDNS's validators, run while rendering
        return BuiltFiles({}, result.zones, result.notes, (e.problem,))
    if problems:
        return BuiltFiles({}, result.zones, result.notes, tuple(problems))
    for i, (yaml_text, bind_text) in enumerate(rendered):
        yaml_path, bind_path = output_paths(out_dir, result.zones[i].name)
        files[yaml_path] = yaml_text
        files[bind_path] = bind_text
    for zone, settings in zip(result.zones, site.zones, strict=True):
        apex_ns = any(r.name == zone.name and r.rtype == "NS" for r in zone.records)
        if not settings.bind.ns and not apex_ns:
            notes.append(
                f"{output_paths(out_dir, zone.name)[1]}: no name servers in the site file, so "
                f"its NS is the placeholder {PLACEHOLDER_NS}; set bind.ns (or "
                "zones.<zone>.bind.ns) for a zone file to serve"
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


# Rendering is per zone and independent: with many zones it is spread over the CPUs. The
# workers are forked after the build, so they share its records instead of receiving them.
PARALLEL_FROM = 64
_shared: tuple[Build, Path] | None = None


def _render_range(bounds: tuple[int, int]) -> list[tuple[str, str]]:
    assert _shared is not None
    result, out_dir = _shared
    return [_render_one(result, i, out_dir) for i in range(*bounds)]


def _render_one(result: Build, i: int, out_dir: Path) -> tuple[str, str]:
    zone, settings = result.zones[i], result.site.zones[i]
    _, bind_path = output_paths(out_dir, zone.name)
    return render_octodns(zone), render_bind(
        zone, settings.bind, previous=read_existing(bind_path), site=result.site.shown
    )


def _render_all(
    result: Build, out_dir: Path, meanwhile: Callable[[], list[Problem]]
) -> tuple[list[Problem], list[tuple[str, str]]]:
    """Every zone's (YAML, BIND) text, unless ``meanwhile`` (run during the rendering)
    finds problems."""
    import multiprocessing as mp

    global _shared
    n = len(result.zones)
    workers = min(os.cpu_count() or 1, 8)
    if n < PARALLEL_FROM or workers < 2 or "fork" not in mp.get_all_start_methods():
        problems = meanwhile()
        if problems:
            return problems, []
        return [], [_render_one(result, i, out_dir) for i in range(n)]
    step = -(-n // (workers * 4))
    chunks = [(start, min(start + step, n)) for start in range(0, n, step)]
    _shared = (result, out_dir)
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            pending = pool.map_async(_render_range, chunks)
            problems = meanwhile()
            if problems:
                return problems, []  # leaving the block stops the workers
            return [], [pair for part in pending.get() for pair in part]
    finally:
        _shared = None
