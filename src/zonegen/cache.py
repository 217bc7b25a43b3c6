"""A rebuild with nothing changed costs a few file reads.

A build is a pure function of its inputs (:class:`~zonegen.sources.Inputs`: every file it read,
as read, and the date), of zonegen's code and of the octoDNS and dnspython it runs on. The key
is the digest of exactly those, plus the working directory and the output folder as given
(messages show paths relative to them). Stored under ``$ZONEGEN_CACHE_DIR`` (default
``~/.cache/zonegen``) with the digest of every file the build wrote: when the key and every
output on disk are what they were, the build's answer is known (every file unchanged, the
same notes) and nothing is computed. Anything else, an edited output file included, runs the
full build, so a hit is only ever a proven-identical answer. Notes that depend on what else
is in the output folder are not stored: the caller computes them fresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import ZonegenError
from .output import FileChange, write
from .output import digest as digest_of
from .sources import Inputs, digest

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


def versions() -> str:
    """zonegen's, octoDNS's and dnspython's versions, without importing octoDNS (a fifth of a
    second): its version is read from its package's ``__init__.py``."""
    import dns.version

    spec = importlib.util.find_spec("octodns")
    octodns = "unknown"
    if spec is not None and spec.origin:
        m = re.search(r"__version__\s*=.*?['\"]([^'\"]+)['\"]", Path(spec.origin).read_text())
        octodns = m[1] if m else "unknown"
    return f"zonegen {__version__}; octodns {octodns}; dnspython {dns.version.version}"


def _code() -> bytes:
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(path.read_bytes())
    return h.digest()


def key(inputs: Inputs, out_dir: Path) -> str:
    """The digest of everything a build's answer depends on."""
    h = hashlib.sha256()
    for part in (versions(), inputs.today.isoformat(), str(Path.cwd()), str(out_dir)):
        h.update(part.encode() + b"\0")
    h.update(str(out_dir.resolve()).encode() + b"\0")
    h.update(_code())
    h.update(digest(inputs).encode())
    return h.hexdigest()


def lookup(key: str | None, out_dir: Path) -> Hit | None:
    if key is None:
        return None
    try:
        entry = json.loads(_store(out_dir).read_text())
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        outputs = {Path(p): h for p, h in entry["outputs"].items()}
        if not outputs or any(digest_of(p) != h for p, h in outputs.items()):
            return None
        return Hit(
            tuple(sorted(outputs)),
            int(entry["zones"]),
            int(entry["records"]),
            tuple(str(n) for n in entry["notes"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no entry, or one this version cannot read: build


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
    with contextlib.suppress(ZonegenError):  # a cache that cannot be written only costs time
        write({store: json.dumps(entry)}, [FileChange(store, "changed")])
