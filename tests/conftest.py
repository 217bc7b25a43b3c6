"""Shared test helpers: the fixture folders, running the CLI, and an independent oracle.

The oracle reads Mox's record block with dnspython's own zone-file reader (not zonegen's
parser), so the end-to-end tests compare zonegen against a second implementation.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest
from click.testing import CliRunner, Result

from zonegen.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "mox"
CASES = Path(__file__).parent / "cases"
REPO = Path(__file__).parent.parent

RR = tuple[str, str, int, str]  # owner, type, ttl, normalised value


def run(*args: str | Path) -> Result:
    """Run the zonegen CLI in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def normalise(rtype: str, rdata: dns.rdata.Rdata) -> str:
    """Compare TXT by the joined value (what SPF/DKIM mean) and the rest by canonical text."""
    if rtype in ("TXT", "SPF"):
        return b"".join(rdata.strings).decode()  # type: ignore[attr-defined]
    return rdata.to_text().lower()


def parse_rdata(rtype: str, text: str) -> dns.rdata.Rdata:
    return dns.rdata.from_text(
        dns.rdataclass.IN,
        dns.rdatatype.from_text(rtype),
        text,
        origin=dns.name.root,
        relativize=False,
    )


def mox_block(text: str) -> str:
    """Mox's record block cut out of a log the plain way: $TTL line to the next 2 blank lines."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("$TTL"))
    out = []
    for i in range(start, len(lines)):
        if not lines[i].strip() and i + 1 < len(lines) and not lines[i + 1].strip():
            break
        out.append(lines[i])
    return "\n".join(out) + "\n"


def oracle(paths: Iterable[Path]) -> set[RR]:
    """The active records Mox printed, read by dnspython's zone parser."""
    found: set[RR] = set()
    for path in paths:
        zone = dns.zone.from_text(
            mox_block(path.read_text()),
            origin=dns.name.root,
            relativize=False,
            check_origin=False,
        )
        for name, ttl, rdata in zone.iterate_rdatas():
            rtype = dns.rdatatype.to_text(rdata.rdtype)
            found.add((name.to_text().lower(), rtype, ttl, normalise(rtype, rdata)))
    return found


def transferred_records(transfer: dns.zone.Zone, zone: str, skip: Iterable[str]) -> set[RR]:
    """A zone as a server sent it by AXFR, without the SOA, the apex NS and the ``skip``
    types (the records a signing server adds): what a sync put there."""
    skipped = set(skip)
    found: set[RR] = set()
    for name, ttl, rdata in transfer.iterate_rdatas():
        rtype = dns.rdatatype.to_text(rdata.rdtype)
        owner = name.to_text().lower()
        if rtype in skipped or rtype == "SOA" or (rtype == "NS" and owner == zone):
            continue
        found.add((owner, rtype, ttl, normalise(rtype, rdata)))
    return found


def yaml_records(directory: Path, zone: str) -> set[RR]:
    """A built octoDNS YAML zone as octoDNS's YamlProvider loads it, enforce_order on."""
    from octodns.provider.yaml import YamlProvider
    from octodns.zone import Zone

    provider = YamlProvider(
        "zones", str(directory), enforce_order=True, escaped_semicolons=False, default_ttl=3600
    )
    octo = Zone(zone, [])
    provider.populate(octo)
    found: set[RR] = set()
    for record in octo.records:
        rr = record.to_rrset()
        for text in rr.rdatas:
            found.add((rr.name, rr._type, rr.ttl, normalise(rr._type, parse_rdata(rr._type, text))))
    return found


def bind_records(path: Path, zone: str, *, keep_soa_ns: bool = False) -> set[RR]:
    """A built BIND file as dnspython loads it (SOA and apex NS left out unless asked)."""
    z = dns.zone.from_file(str(path), origin=zone, relativize=False)
    found: set[RR] = set()
    for name, ttl, rdata in z.iterate_rdatas():
        rtype = dns.rdatatype.to_text(rdata.rdtype)
        owner = name.to_text().lower()
        if not keep_soa_ns and (rtype == "SOA" or (rtype == "NS" and owner == zone)):
            continue
        found.add((owner, rtype, ttl, normalise(rtype, rdata)))
    return found


@dataclass
class Workspace:
    """A scratch folder with a site file, run from its own directory."""

    root: Path

    def site(self, text: str) -> Path:
        path = self.root / "site.yaml"
        path.write_text(text)
        return path

    def copy_fixture(self, variant: str, dest: str = "mox") -> Path:
        target = self.root / dest
        shutil.copytree(FIXTURES / variant, target)
        return target

    def build(self, *extra: str) -> Result:
        return run("build", "--site", self.root / "site.yaml", "--out", self.root / "zones", *extra)

    def files(self) -> dict[str, bytes]:
        out = self.root / "zones"
        return {
            str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
        }


@pytest.fixture(autouse=True, scope="session")
def _private_build_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep zonegen's build cache out of the home directory during the tests."""
    import os

    os.environ["ZONEGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("zonegen-cache"))


@pytest.fixture(autouse=True, scope="session")
def _every_bind_file_built_loads_in_named(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """After the last test: every BIND file any test had zonegen write (in this session's
    temporary folders) is loaded by BIND's own code (named-checkconf -z, bindcheck.py). A
    build writes only zones `zonegen check` finds no error in, so this holds the checks to
    named on everything the suite builds, fixtures, golden cases and generated sites alike."""
    yield
    from bindcheck import built_zone_files, describe, refused

    files = built_zone_files(tmp_path_factory.getbasetemp())
    bad = refused(files)
    assert not bad, f"named refuses {len(bad)} of {len(files)} built BIND files:\n" + "\n".join(
        describe(bad)
    )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)
