"""``zonegen build`` as a library call: the site file in, the output folder written.

The steps, each owned by its module: read every input (:func:`sources.read_inputs`); answer
from the cache when the inputs and outputs are what they were (:mod:`cache`); build the zones
(:func:`pipeline.build`, pure); render each zone's octoDNS YAML and BIND file and stage it
(:mod:`output`), in forked workers above :data:`PARALLEL_FROM` zones (:func:`parallel.fork_map`)
while the error-level checks run here; then commit every staged file, or discard them all.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache, names, output
from .errors import ZonegenError
from .output import FileChange
from .sources import read_inputs

if TYPE_CHECKING:
    from .pipeline import Result
    from .problem import Problem

# The building and rendering modules (octoDNS, the checks) are imported once the cache has
# missed: a rebuild with nothing changed needs none of them.

# Rendering and staging a zone takes about 1.3 ms; forking the workers and collecting their
# results about 30 ms, which a second idle CPU wins back from about 50 zones on. On a machine
# whose other CPU is busy it never pays (measured: `python bench/run.py --threshold`, serial
# against forked builds of 64 to 256 zones, in turns).
PARALLEL_FROM = 64


@dataclass(frozen=True, slots=True)
class Built:
    """What ``zonegen build`` did (or, with ``check``, would do)."""

    changes: tuple[FileChange, ...]  # every output file, sorted by path
    zones: int
    records: int
    notes: tuple[str, ...]
    problems: tuple[Problem, ...] = ()  # error-level problems: nothing was written
    error: ZonegenError | None = None  # writing failed after the notes were known
    cached: bool = False


def output_paths(out_dir: Path, zone: str) -> tuple[Path, Path]:
    """Where a zone's files go: ``<zone>.yaml`` named as octoDNS's YamlProvider writes and
    looks for it (the Unicode name with its trailing dot, then ``yaml``) and
    ``bind/<zone>.zone`` with the A-label name (what named.conf and gcloud expect)."""
    yaml_name = names.unicode(zone) + "yaml"
    return out_dir / yaml_name, out_dir / "bind" / (zone.rstrip(".") + ".zone")


def build_files(site_path: Path, out_dir: Path, *, check: bool, use_cache: bool = True) -> Built:
    """Build the zones the site file describes into ``out_dir`` (with ``check``: compare
    only, write nothing). Bad input raises :class:`~zonegen.errors.InputError`."""
    with no_collection():
        inputs = read_inputs(site_path)
        key = cache.key(inputs, out_dir) if use_cache else None
        hit = cache.lookup(key, out_dir)
        if not check:
            output.sweep([out_dir, out_dir / "bind"])
        if hit is not None:
            # Inputs, code and outputs as at the last build: every file is current.
            fresh = _stale_notes(out_dir, hit.outputs)
            changes = tuple(FileChange(p, "unchanged") for p in hit.outputs)
            return Built(changes, hit.zones, hit.records, hit.notes + fresh, cached=True)
        from .pipeline import build

        return _render_and_write(build(inputs), out_dir, key, check)


@contextmanager
def no_collection() -> Iterator[None]:
    """No cyclic collection inside: reading and checking allocate a few hundred thousand
    objects that all stay alive until the command ends, and the collector would walk them over
    and over for nothing (``zonegen build`` and ``zonegen check``)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            # What the build made is moved to the oldest generation at once (freeze, then
            # unfreeze: two list splices): left in the youngest, the collector's first pass
            # after this would walk all of it, and the next generation's pass again. A full
            # collection still finds any cycles among it.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


Rendered = tuple[tuple[Path, str, FileChange], ...]


def _render(result: Result, out_dir: Path, token: str | None, i: int) -> Rendered:
    """Zone ``i``'s YAML and BIND texts, each staged under ``token`` when it changed."""
    from .bind import render_bind
    from .octodns.records import zone_yaml

    zone, settings = result.zones[i], result.site.zones[i]
    yaml_path, bind_path = output_paths(out_dir, zone.name)
    old_bind = output.read_existing(bind_path)
    yaml_text = zone_yaml(zone)
    bind_text = render_bind(zone, settings.bind, previous=old_bind)
    old_yaml = output.read_existing(yaml_path)
    return (
        (yaml_path, yaml_text, output.stage(yaml_path, yaml_text, old_yaml, token)),
        (bind_path, bind_text, output.stage(bind_path, bind_text, old_bind, token)),
    )


def _render_and_write(result: Result, out_dir: Path, key: str | None, check: bool) -> Built:
    # The renderers load before the fork, once, and the workers share them; the checks load
    # after it, in the parent, while the workers render.
    from .bind import render_bind  # noqa: F401
    from .octodns.records import Rejected
    from .parallel import fork_map

    token = None if check else output.token()
    new_folders = output.missing_folders(out_dir / "bind")
    records = sum(len(z.records) for z in result.zones)

    def unstage() -> None:
        # Every file a renderer may have staged: the names follow from the token alone.
        if token is not None:
            targets = [p for zone in result.zones for p in output_paths(out_dir, zone.name)]
            output.unstage(targets, token, new_folders)

    try:
        render = partial(_render, result, out_dir, token)
        with fork_map(render, range(len(result.zones)), parallel_from=PARALLEL_FROM) as pending:
            # build refuses to write zones with errors: the error-level rules of `zonegen
            # check`, run here while the zones render (octoDNS's validators run in rendering).
            from .checks import run_checks

            problems = run_checks(result, errors_only=True, with_octodns=False)
            rendered = [] if problems else pending.get()
    except Rejected as e:  # octoDNS's validators, run while rendering
        problems, rendered = [e.problem], []
    except BaseException:
        unstage()
        raise
    if problems:
        unstage()
        return Built((), len(result.zones), records, result.notes, tuple(problems))
    files = {path: text for zone_files in rendered for path, text, _ in zone_files}
    changes = tuple(sorted((c for zone in rendered for *_, c in zone), key=lambda c: c.path))
    notes = result.notes + _placeholder_notes(result, out_dir)
    built = Built(changes, len(result.zones), records, notes + _stale_notes(out_dir, files))
    if check:
        if all(c.status == "unchanged" for c in changes):
            cache.save(key, out_dir, files, built.zones, records, notes)
        return built
    try:
        output.commit(changes)  # on an error, it removes what is still staged
    except ZonegenError as e:
        return Built(changes, built.zones, records, built.notes, error=e)
    cache.save(key, out_dir, files, built.zones, records, notes)
    return built


@dataclass(frozen=True, slots=True)
class Planned:
    """The zones a site file not yet written would build (``zonegen init``)."""

    files: dict[Path, str]  # out_dir/<zone>.yaml and out_dir/bind/<zone>.zone
    zones: int
    records: int
    notes: tuple[str, ...]
    problems: tuple[Problem, ...]  # error-level: nothing may be written


def build_pending(site_path: Path, out_dir: Path, pending: dict[Path, bytes]) -> Planned:
    """Build the zones of the site file at ``site_path`` from ``pending`` (absolute paths of
    files about to be written, the site file among them), in memory, as ``build`` would
    write them into ``out_dir`` (an empty folder). Bad input raises InputError."""
    from .checks import run_checks
    from .octodns.records import Rejected
    from .pipeline import build

    result = build(read_inputs(site_path, pending=pending))
    records = sum(len(z.records) for z in result.zones)
    notes = result.notes + _placeholder_notes(result, out_dir)
    problems = tuple(run_checks(result, errors_only=True, with_octodns=False))
    files: dict[Path, str] = {}
    if not problems:
        try:
            for i in range(len(result.zones)):
                files.update((path, text) for path, text, _ in _render(result, out_dir, None, i))
        except Rejected as e:  # octoDNS's validators, run while rendering
            problems, files = (e.problem,), {}
    return Planned(files, len(result.zones), records, notes, problems)


def _placeholder_notes(result: Result, out_dir: Path) -> tuple[str, ...]:
    from .bind import PLACEHOLDER_NS

    notes = []
    for zone, settings in zip(result.zones, result.site.zones, strict=True):
        apex_ns = any(r.name == zone.name and r.rtype == "NS" for r in zone.records)
        if not settings.bind.ns and not apex_ns:
            notes.append(
                f"{output_paths(out_dir, zone.name)[1]}: no name servers in the site file, so "
                f"its NS is the placeholder {PLACEHOLDER_NS}; set bind.ns (or "
                "zones.<zone>.bind.ns) for a zone file to serve"
            )
    return tuple(notes)


def _stale_notes(out_dir: Path, known: Iterable[Path]) -> tuple[str, ...]:
    return tuple(
        f"{p} is not built from the site file any more; delete it if its zone is gone"
        for p in output.stale(out_dir, known)
    )
