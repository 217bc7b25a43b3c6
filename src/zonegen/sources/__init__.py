"""Reading the inputs: the site file and every file it names, into one immutable :class:`Inputs`.

This package is the only code that opens input files. :func:`read_inputs` reads the site file,
then every file it names (Mox's records, Mox's config dir with the DKIM and host keys its
configs name, the kept files, the octoDNS config), each once, as bytes with their SHA-256.
Paths are resolved the one way the whole program uses (``~`` expanded, relative to the site
file's folder), and the cache keys on exactly what was read here.

A file that cannot be read is recorded as such, not raised at once: the error is raised, with
the same message as always, by whoever needs its content (a DKIM key of a domain no output
printed is never needed), so every command reports what it reported before and a missing
optional file (the default kept file, ``octodns.yaml``) is simply absent.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..errors import InputError
from .files import read_input, show
from .site import SITE_HINT, Site, parse_site

if TYPE_CHECKING:
    from .mox_config import MoxConfig
    from .mox_records import MoxOutput

OK, MISSING, DIRECTORY, UNREADABLE = "ok", "missing", "directory", "unreadable"


@dataclass(frozen=True, slots=True)
class Blob:
    """One input file as read: its bytes, or why there are none."""

    path: Path  # as resolved from where it is named (what is opened)
    data: bytes | None
    status: str = OK  # OK, MISSING, DIRECTORY or UNREADABLE
    reason: str = ""  # the OS's words when UNREADABLE
    sha256: str = field(default="", compare=False)

    @classmethod
    def read(cls, path: Path) -> Blob:
        try:
            data = read_input(path)
        except FileNotFoundError:
            return cls.absent(path, MISSING, "")
        except IsADirectoryError:
            return cls.absent(path, DIRECTORY, os.strerror(errno.EISDIR))
        except OSError as e:
            return cls.absent(path, UNREADABLE, e.strerror or str(e))
        except ValueError:  # a NUL in the name, which no file can have (open(2) cannot)
            return cls.absent(path, UNREADABLE, "the name has a NUL character")
        return cls(path, data, OK, "", hashlib.sha256(data).hexdigest())

    @classmethod
    def absent(cls, path: Path, status: str = MISSING, reason: str = "") -> Blob:
        digest = hashlib.sha256(f"{status}:{reason}".encode()).hexdigest()
        return cls(path, None, status, reason, digest)

    @property
    def shown(self) -> str:
        """The path for messages."""
        return show(self.path)

    def bytes(self, *, what: str, hint: str | None = None) -> bytes:
        """The content; an InputError naming the file when it could not be read."""
        if self.data is not None:
            return self.data
        if self.status == MISSING:
            raise InputError(f"{what} not found", path=self.shown, hint=hint)
        raise InputError(f"cannot read {what}: {self.reason}", path=self.shown)

    def text(self, *, what: str, hint: str | None = None) -> str:
        """The UTF-8 text; an InputError naming the file (and the line of a bad byte)."""
        if self.status == DIRECTORY:
            raise InputError(f"{what} is a directory, not a file", path=self.shown, hint=hint)
        data = self.bytes(what=what, hint=hint)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise InputError(f"{what} is not UTF-8 text", path=self.shown, line=line) from None


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything one build reads, as it was when it was read.

    ``today`` belongs here too: it decides which retired records are still published.
    """

    site: Site
    files: Mapping[Path, Blob]  # every file read, by the path it was opened at
    config: MoxConfig | None = None
    config_error: InputError | None = None  # mox.config given but unreadable
    today: datetime.date = field(default_factory=datetime.date.today)

    def blob(self, path: Path) -> Blob:
        return self.files[path]

    def without_kept(self) -> Inputs:
        """These inputs as if no zone had kept records: what Mox alone asks for."""
        files = dict(self.files)
        zones = []
        for zone in self.site.zones:
            files[zone.kept] = Blob.absent(zone.kept)
            zones.append(replace(zone, kept_set=False))
        site = replace(self.site, zones=tuple(zones))
        return replace(self, site=site, files=MappingProxyType(files))

    def mox_config(self) -> MoxConfig | None:
        """Mox's config (None without ``mox.config``); its reading error, if it had one."""
        if self.config_error is not None:
            raise self.config_error
        return self.config


def read_inputs(
    site_path: Path, *, site_text: str | None = None, pending: Mapping[Path, bytes] | None = None
) -> Inputs:
    """Read the site file at ``site_path`` (or take ``site_text`` as its content: an edit not
    yet written) and every file it names. ``pending`` are files about to be written (by
    absolute path): they are read from there instead of the disk (``zonegen init`` builds the
    zones of a repository it has not written yet)."""
    files: dict[Path, Blob] = {}
    waiting = dict(pending or {})

    def read(path: Path) -> Blob:
        if path not in files:
            data = waiting.get(path)
            files[path] = (
                Blob.read(path)
                if data is None
                else Blob(path, data, OK, "", hashlib.sha256(data).hexdigest())
            )
        return files[path]

    if site_text is None:
        site_text = read(site_path).text(what="site file", hint=SITE_HINT)
    else:
        data = site_text.encode("utf-8", "surrogateescape")
        files[site_path] = Blob(site_path, data, OK, "", hashlib.sha256(data).hexdigest())
    site = parse_site(site_text, site_path)
    for path in site.mox_records:
        read(path)
    config, error = None, None
    if site.mox_config is not None:
        try:
            config = _read_config(site.mox_config, read)
        except InputError as e:
            error = e
    for zone in site.zones:
        read(zone.kept)
    if site.octodns is not None:
        read(site.octodns)
    return Inputs(site, MappingProxyType(files), config, error)


def _read_config(
    directory: Path, read: Callable[[Path], Blob], *, with_keys: bool = True
) -> MoxConfig:
    """mox.conf and domains.conf, parsed, and the key files they name, read."""
    try:
        found = directory.is_dir()
    except (OSError, ValueError):  # a name too long, or with a NUL: no such folder
        found = False
    if not found:
        raise InputError(
            "Mox config directory not found",
            path=show(directory),
            hint="mox.config in the site file names the folder holding mox.conf",
        )
    static = read(directory / "mox.conf")
    if static.status in (MISSING, DIRECTORY):
        raise InputError(
            "no mox.conf in the Mox config directory",
            path=show(directory),
            hint="point mox.config at the folder that holds mox.conf and domains.conf",
        )
    dynamic = read(directory / "domains.conf")
    from .mox_config import parse_mox_config  # only a site with mox.config reads it

    config = parse_mox_config(
        directory,
        static.text(what="mox.conf"),
        dynamic.text(what="domains.conf", hint="Mox writes it next to mox.conf"),
    )
    if with_keys:
        for path in (*(sel.key_file for sel in config.dkim), *config.host_keys):
            read(path)
    return config


def read_mox_output(path: Path) -> MoxOutput:
    """One file Mox printed (a quickstart log, ``mox config dnsrecords`` output): its records."""
    # Imported here: the reader needs dnspython, which a build answered from the cache does
    # not load (read_inputs reads Mox's output as bytes).
    from .mox_records import parse_mox_output

    blob = Blob.read(path)
    text = blob.text(what="Mox output", hint="give the quickstart.log Mox wrote")
    return parse_mox_output(text, blob.shown)


def read_mox_host(directory: Path) -> MoxConfig:
    """Mox's mox.conf and domains.conf in ``directory``: the host name, its IPs and the
    domains (the key files they name are not read)."""
    return _read_config(directory, Blob.read, with_keys=False)


def digest(inputs: Inputs) -> str:
    """A digest of every input's path (as resolved: ``~`` expanded, relative to the site
    file's folder) and content, as read through any symlink (and of what could not be)."""
    h = hashlib.sha256()
    for path in sorted(inputs.files):
        h.update(f"{path}\0{inputs.files[path].sha256}\0".encode())
    return h.hexdigest()
