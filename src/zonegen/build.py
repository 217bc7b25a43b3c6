"""``zonegen build`` as a library call: the site file in, the output files' text out."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

from . import names
from .checks import Problem, run_checks
from .model import Zone, rrsets
from .octodns.records import Rejected, zone_yaml
from .output import FileChange, read_existing, stage, staging_path
from .pipeline import Build, build
from .render.bind import PLACEHOLDER_NS, render_bind
from .sources import read_inputs


@dataclass(frozen=True, slots=True)
class BuiltFiles:
    files: dict[Path, str]
    zones: tuple[Zone, ...]
    notes: tuple[str, ...]
    problems: tuple[Problem, ...]  # error-level check results; files is empty when any
    # Each file against what is on disk (sorted by path); with ``stage``, the changed
    # ones are already written under their staging names (output.commit puts them in place).
    changes: tuple[FileChange, ...] = ()

    @property
    def record_count(self) -> int:
        return sum(len(z.records) for z in self.zones)


def output_paths(out_dir: Path, zone: str) -> tuple[Path, Path]:
    """Where a zone's files go: ``<zone>.yaml`` named as octoDNS's YamlProvider writes and
    looks for it (the Unicode name with its trailing dot, then ``yaml``) and
    ``bind/<zone>.zone`` with the A-label name (what named.conf and gcloud expect)."""
    yaml_name = names.unicode(zone) + "yaml"
    return out_dir / yaml_name, out_dir / "bind" / (zone.rstrip(".") + ".zone")


def build_files(site_path: Path, out_dir: Path, *, stage_token: str | None = None) -> BuiltFiles:
    """Read everything the site names and render every zone's files.

    Writes nothing, unless ``stage_token`` is given: then each changed file is written under
    its staging name (``output.staging_path``) by whoever rendered it, in parallel, and the
    caller commits (or discards) ``changes``. Nothing stays staged when this returns
    problems or raises.
    """
    # The reading and checking allocate a few hundred thousand objects that all stay alive
    # until the build ends: the cyclic collector would walk them over and over for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_files(site_path, out_dir, stage_token, collecting)
    finally:
        if collecting:
            gc.enable()


def _build_files(
    site_path: Path, out_dir: Path, stage_token: str | None, collecting: bool
) -> BuiltFiles:
    result = build(read_inputs(site_path))
    site = result.site
    # Folders the staging may create; a build that writes nothing leaves none of them behind.
    # Deepest first, up to the first folder that exists.
    candidates = [out_dir / "bind", out_dir, *out_dir.parents]
    new_folders = list(takewhile(lambda d: not d.is_dir(), candidates))
    files: dict[Path, str] = {}
    notes = list(result.notes)
    try:
        # build refuses to write zones with errors: the error-level rules of `zonegen check`,
        # run here while the zones render (in workers, with many zones).
        problems, rendered = _render_all(
            result,
            out_dir,
            stage_token,
            collecting,
            lambda: run_checks(result, errors_only=True, with_octodns=False),
        )
    except Rejected as e:  # octoDNS's validators, run while rendering
        problems, rendered = [e.problem], []
    except BaseException:
        if stage_token is not None:
            _unstage(result, out_dir, stage_token, new_folders)
        raise
    if problems:
        if stage_token is not None:
            _unstage(result, out_dir, stage_token, new_folders)
        return BuiltFiles({}, result.zones, result.notes, tuple(problems))
    changes: list[FileChange] = []
    for yaml_text, bind_text, (yaml_change, bind_change) in rendered:
        files[yaml_change.path] = yaml_text
        files[bind_change.path] = bind_text
        changes += (yaml_change, bind_change)
    changes.sort(key=lambda c: c.path)
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
    return BuiltFiles(files, result.zones, tuple(notes), (), tuple(changes))


def _unstage(result: Build, out_dir: Path, token: str, new_folders: list[Path]) -> None:
    """Remove whatever the renderers staged, and the folders they made: the names follow
    from the token alone, so this also finds what workers staged before one of them failed."""
    for zone in result.zones:
        for path in output_paths(out_dir, zone.name):
            with contextlib.suppress(OSError):
                staging_path(path, token).unlink()
    for folder in new_folders:  # deepest first; rmdir only removes an empty one
        with contextlib.suppress(OSError):
            folder.rmdir()


# Rendering is per zone and independent: with many zones it is spread over the CPUs. The
# workers are forked after the build, so they share its records instead of receiving them,
# and they stage the files they render, so writing is spread over them too.
PARALLEL_FROM = 64
_shared: tuple[Build, Path, str | None, bool] | None = None
Rendered = tuple[str, str, tuple[FileChange, FileChange]]


def _render_range(bounds: tuple[int, int]) -> list[Rendered]:
    assert _shared is not None
    result, out_dir, token, collecting = _shared
    if collecting:
        gc.enable()  # a worker's records and octoDNS zones are garbage zone by zone
    return [_render_one(result, i, out_dir, token) for i in range(*bounds)]


def _render_one(result: Build, i: int, out_dir: Path, token: str | None) -> Rendered:
    zone, settings = result.zones[i], result.site.zones[i]
    yaml_path, bind_path = output_paths(out_dir, zone.name)
    old_bind = read_existing(bind_path)
    sets = rrsets(zone.records)
    yaml_text = zone_yaml(zone, sets=sets)
    bind_text = render_bind(
        zone, settings.bind, previous=old_bind, site=result.site.shown, sets=sets
    )
    return (
        yaml_text,
        bind_text,
        (
            stage(yaml_path, yaml_text, read_existing(yaml_path), token),
            stage(bind_path, bind_text, old_bind, token),
        ),
    )


def _render_all(
    result: Build,
    out_dir: Path,
    token: str | None,
    collecting: bool,
    meanwhile: Callable[[], list[Problem]],
) -> tuple[list[Problem], list[Rendered]]:
    """Every zone's (YAML, BIND, changes), unless ``meanwhile`` (run during the rendering)
    finds problems."""
    import multiprocessing as mp

    global _shared
    n = len(result.zones)
    workers = min(os.cpu_count() or 1, 8)
    if n < PARALLEL_FROM or workers < 2 or "fork" not in mp.get_all_start_methods():
        problems = meanwhile()
        if problems:
            return problems, []
        return [], [_render_one(result, i, out_dir, token) for i in range(n)]
    step = -(-n // (workers * 4))
    chunks = [(start, min(start + step, n)) for start in range(0, n, step)]
    _shared = (result, out_dir, token, collecting)
    # What exists now is shared with the workers page by page until written: frozen, the
    # workers' collector never walks it, so it stays shared (the gc.freeze documentation).
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            pending = pool.map_async(_render_range, chunks)
            problems = meanwhile()
            if problems:
                return problems, []  # leaving the block stops the workers
            return [], [item for part in pending.get() for item in part]
    finally:
        _shared = None
        gc.unfreeze()
