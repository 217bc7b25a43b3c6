"""A rebuild with nothing changed costs a few file reads.

The build is a pure function of its inputs (the site file, what it names, Mox's config dir,
the kept files, the octoDNS config), zonegen's own code and the date (retired records end on
a date). Their digest, with the digest of every file the last build wrote, is stored under
``$ZONEGEN_CACHE_DIR`` (default ``~/.cache/zonegen``). When the inputs and the outputs on disk
are what they were, the build's answer is known: every file unchanged. Anything else (an edited
output file included) runs the full build. Only hashing happens here: no YAML site parsing
beyond finding the inputs, no octoDNS, no dnspython.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Hit:
    outputs: tuple[Path, ...]
    zones: int
    records: int
    notes: tuple[str, ...]


def _store(out_dir: Path) -> Path:
    base = Path(os.environ.get("ZONEGEN_CACHE_DIR") or Path.home() / ".cache" / "zonegen")
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:24]
    return base / f"{key}.json"


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and ".git" not in p.parts)
    return []


def fingerprint(site_path: Path, out_dir: Path) -> str | None:
    """Digest of everything a build reads, or None when the inputs cannot be listed."""
    try:
        site_text = site_path.read_bytes()
        data = yaml.load(site_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    folder = site_path.resolve().parent
    # The site file, the default kept/ folder and octoDNS config, and what the site names.
    inputs: set[Path] = {site_path.resolve(), *_files(folder / "kept")}
    inputs.update(_files(folder / "octodns.yaml"))
    mox = data.get("mox") or {}
    records = mox.get("records") or []
    for item in [records] if isinstance(records, str) else records:
        inputs.update(_files(folder / str(item)))
    if mox.get("config"):
        inputs.update(_files(folder / str(mox["config"])))
    for zone in (data.get("zones") or {}).values():
        if isinstance(zone, dict) and zone.get("kept"):
            inputs.update(_files(folder / str(zone["kept"])))
    if data.get("octodns"):
        inputs.update(_files(folder / str(data["octodns"])))
    out = out_dir.resolve()
    digest = hashlib.sha256()
    digest.update(datetime.date.today().isoformat().encode())
    digest.update(str(out).encode())
    for path in sorted(_files(_PACKAGE)):
        if path.suffix == ".py":
            digest.update(path.read_bytes())
    for path in sorted(p.resolve() for p in inputs):
        if out in path.parents:
            continue  # the outputs are checked separately
        digest.update(str(path).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def lookup(key: str | None, out_dir: Path) -> Hit | None:
    if key is None:
        return None
    try:
        entry = json.loads(_store(out_dir).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    outputs = {Path(p): h for p, h in entry.get("outputs", {}).items()}
    if not outputs or any(_digest(p) != h for p, h in outputs.items()):
        return None
    return Hit(tuple(sorted(outputs)), entry["zones"], entry["records"], tuple(entry["notes"]))


def save(
    key: str | None,
    out_dir: Path,
    files: dict[Path, str],
    zones: int,
    records: int,
    notes: tuple[str, ...],
) -> None:
    """Remember a build whose outputs are now on disk exactly as ``files``."""
    if key is None:
        return
    store = _store(out_dir)
    entry = {
        "key": key,
        "outputs": {str(p): hashlib.sha256(t.encode()).hexdigest() for p, t in files.items()},
        "zones": zones,
        "records": records,
        "notes": list(notes),
    }
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        tmp = store.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry))
        tmp.replace(store)
    except OSError:
        pass  # a cache that cannot be written only costs time
