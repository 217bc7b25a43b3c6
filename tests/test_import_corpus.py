"""Zone files other DNS projects publish in their test suites, imported, built and compared.

Each file of ``tests/data/zones`` (origins and licences in its README) is imported with the
zone ``zones.tsv`` names, built the way ``zonegen build`` renders a zone (octoDNS YAML and
BIND), and both outputs are read back by the readers that matter: octoDNS's ``YamlProvider``
and dnspython's zone parser. Then, record by record, against dnspython's own parse of the
original file (octoDNS's ``YamlProvider`` for YAML zones):

- nothing altered: every record in the outputs is a record of the original, same TTL, same
  rdata (TXT strings included), and the two outputs agree;
- nothing dropped silently: every record of the original is in the outputs, or left out
  with a note (SOA, apex NS, DNSSEC), or refused with its name, type and reason;
- nothing crashes: a file zonegen cannot read is one ``InputError`` with the file and line.

``ZONEGEN_CORPUS_STATS=FILE`` writes the counts the README quotes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from zonegen.bind import render_bind
from zonegen.errors import InputError
from zonegen.importer import SIGNER, import_zone
from zonegen.octodns.records import zone_yaml
from zonegen.pipeline import build
from zonegen.sources import read_inputs

CORPUS = Path(__file__).parent / "data" / "zones"
MOX_ZONE = "zonegen-mox.zz."
MOX = """\
; Mox's MX alone, written by hand (without Mox's header: not its whole output).
; Once your setup is working, you may want to increase the TTL.
$TTL 300

zonegen-mox.zz.                    MX 10 mail.zonegen-mox.zz.
"""

RR = tuple[str, str, int, dns.rdata.Rdata]

# What refuses a whole file that dnspython reads: $INCLUDE outside the export's folder, the
# root zone, a zone name no zone file can be written for.
WHOLE_FILE = r"\$INCLUDE .*(outside|no such file)|root zone|cannot write zone"


def _entries() -> list[tuple[str, str]]:
    out = []
    for line in (CORPUS / "zones.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            path, zone = line.split("\t")
            out.append((path, zone))
    return out


ENTRIES = _entries()


@dataclass
class Stats:
    files: int = 0
    unreadable: int = 0  # clear InputError
    read: int = 0  # records import read in the files it could read
    checked_files: int = (
        0  # files dnspython (octoDNS for YAML) reads too: compared record by record
    )
    records: int = 0  # in dnspython's parse of those files
    kept: int = 0
    lenient: int = 0  # of the kept, with octoDNS's lenient flag
    noted: int = 0
    refused: int = 0  # records
    refusals: dict[str, int] = field(default_factory=dict)  # reason kind -> RRsets
    altered: int = 0
    dropped: int = 0
    crashed: int = 0


STATS = Stats()


@pytest.fixture(scope="module", autouse=True)
def _stats() -> object:
    yield None
    target = os.environ.get("ZONEGEN_CORPUS_STATS")
    if target:
        Path(target).write_text(json.dumps(STATS.__dict__, indent=2, sort_keys=True) + "\n")


def _site(tmp: Path, zone: str) -> Path:
    (tmp / "mox.txt").write_text(MOX)
    site = tmp / "site.yaml"
    site.write_text(
        "mox:\n  records: [mox.txt]\nhost:\n  ipv4: [192.0.2.1]\n"
        "bind:\n  ns: [ns1.zonegen-mox.zz.]\n"
        f"zones:\n  {MOX_ZONE}: {{}}\n  {json.dumps(zone)}:\n    kept: kept.yaml\n"
    )
    return site


def _oracle(path: Path, zone: str, monkeypatch: pytest.MonkeyPatch) -> set[RR] | None:
    """The original's records as dnspython (octoDNS for YAML) reads them; None when it
    cannot."""
    if path.suffix == ".yaml":
        return _yaml_records(path, zone, escaped=True, lenient=True)
    monkeypatch.chdir(path.parent)  # $INCLUDE names are relative to the zone's folder
    try:
        z = dns.zone.from_file(
            path.name, origin=zone, relativize=False, check_origin=False, allow_include=True
        )
    except Exception:  # dnspython refuses the file: no oracle
        return None
    finally:
        monkeypatch.undo()
    return {
        (name.canonicalize().to_text(), dns.rdatatype.to_text(rd.rdtype), ttl, rd)
        for name, ttl, rd in z.iterate_rdatas()
    }


def _yaml_records(path: Path, zone: str, *, escaped: bool, lenient: bool = False) -> set[RR] | None:
    """The records of one octoDNS YAML zone file as ``YamlProvider`` loads it (``lenient``:
    for every record; otherwise only where a record carries octoDNS's own flag)."""
    from octodns.provider.yaml import YamlProvider
    from octodns.zone import Zone

    provider = YamlProvider(
        "corpus",
        str(path.parent),
        enforce_order=False,
        escaped_semicolons=escaped,
        default_ttl=3600,
        supports_root_ns=True,
    )
    octo = Zone(zone, [])
    try:
        provider._populate_from_file(str(path), octo, lenient)
    except Exception:  # octoDNS refuses the file: no oracle
        return None
    out: set[RR] = set()
    for record in octo.records:
        if (
            getattr(record, "dynamic", None)
            or record._type in ("ALIAS", "URLFWD")
            or "/" in record._type  # a provider's own type (PowerDnsProvider/LUA)
        ):
            continue  # no plain DNS form: the importer refuses them by name
        rr = record.to_rrset()
        for text in rr.rdatas:
            rd = dns.rdata.from_text(
                dns.rdataclass.IN,
                dns.rdatatype.from_text(rr._type),
                text,
                origin=dns.name.root,
                relativize=False,
            )
            out.add((rr.name.lower(), rr._type, rr.ttl, rd))
    return out


def _built(site_path: Path, zone: str, tmp: Path) -> tuple[set[RR], set[RR]]:
    """The zone as build writes it: (octoDNS YAML read by YamlProvider, BIND read by
    dnspython), without the SOA and apex NS build adds."""
    inputs = read_inputs(site_path)
    site = inputs.site
    result = build(inputs)
    (built,) = [z for z in result.zones if z.name == zone]
    (settings,) = [z for z in site.zones if z.name == zone]
    out = tmp / "zones"
    out.mkdir()
    (out / "zone.yaml").write_text(zone_yaml(built))
    yaml_set = _yaml_records(out / "zone.yaml", zone, escaped=False)
    assert yaml_set is not None, "octoDNS cannot read the YAML build wrote"
    text = render_bind(built, settings.bind, previous=None)
    z = dns.zone.from_text(text, origin=zone, relativize=False, check_origin=True)
    bind_set = {
        (name.canonicalize().to_text(), dns.rdatatype.to_text(rd.rdtype), ttl, rd)
        for name, ttl, rd in z.iterate_rdatas()
    }
    apex_ns = {r for r in bind_set if r[1] == "SOA" or (r[1] == "NS" and r[0] == zone)}
    return {r for r in yaml_set if not (r[1] == "NS" and r[0] == zone)}, bind_set - apex_ns


def _noted(record: RR, zone: str) -> bool:
    name, rtype, _, rd = record
    at_apex = name == zone
    return rtype in SIGNER or rd.rdtype == 65534 or (at_apex and rtype in ("SOA", "NS", "DS"))


def _kind(reason: str) -> str:
    """A short kind of refusal, for the counts."""
    for pattern, kind in (
        (r"outside the zone", "outside the zone"),
        (r"octoDNS has no [\w-]+ type", "type octoDNS lacks"),
        (r"octoDNS rejects it", "octoDNS's validators (lenient candidate)"),
        (r"strings of", "TXT strings not in 255-octet chunks"),
        (r"CNAME", "CNAME rules (RFC 1034, 2181)"),
        (r"octoDNS cannot read it", "octoDNS cannot parse the value"),
        (r"neither dnspython nor octoDNS knows", "type dnspython lacks"),
        (r"its data cannot be read", "data dnspython cannot read"),
        (r"dynamic|included|ignored|routing policy|provider feature", "octoDNS-only feature"),
        (r"SOA below the apex", "another zone's SOA"),
        (r"octoDNS would write it as", "octoDNS would write it differently"),
        (r"writers fail", "zonegen's writers fail on it"),
        (r"DNAME", "DNAME rules (RFC 6672)"),
        (r"TTL \d+ is above", "TTL above 2^31-1"),
    ):
        if re.search(pattern, reason):
            return kind
    return "other"


@pytest.mark.filterwarnings("ignore:`geo` records are DEPRECATED:DeprecationWarning")
@pytest.mark.parametrize(("path", "zone"), ENTRIES, ids=[p for p, _ in ENTRIES])
def test_corpus_file(path: str, zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = CORPUS / path
    STATS.files += 1
    site_path = _site(tmp_path, zone)
    try:
        result = import_zone(read_inputs(site_path), export, zone)
    except InputError as e:
        STATS.unreadable += 1
        text = str(e)
        assert "\n" not in text and "Traceback" not in text
        assert not text.startswith("zonegen: error")  # the CLI adds it, once
        # An error about the file names it (errors about the zone itself name the zone).
        assert e.path or "zone" in text, text
        # A file dnspython reads is refused whole only for what import refuses on purpose.
        if _oracle(export, zone, monkeypatch) is not None:
            assert re.search(WHOLE_FILE, text), f"dnspython reads this file: {text}"
        return
    except Exception:
        STATS.crashed += 1
        raise
    (tmp_path / "kept.yaml").write_text(result.text)
    kept = {(r.name, r.rtype, r.ttl, r.rdata) for r in result.kept}
    yaml_set, bind_set = _built(site_path, zone, tmp_path)

    # The two outputs say the same, and it is what import kept.
    altered = (yaml_set ^ kept) | (bind_set ^ kept)
    oracle = _oracle(export, zone, monkeypatch)
    refused = {(r.name, r.rtype) for r in result.refused}
    for r in result.refused:
        assert r.rtype and r.reason and r.name, r
        STATS.refusals[_kind(r.reason)] = STATS.refusals.get(_kind(r.reason), 0) + 1
    STATS.refused += sum(r.count for r in result.refused)
    STATS.kept += len(kept)
    STATS.read += result.read
    STATS.lenient += len(result.lenient)
    if oracle is None:
        # What dnspython (or octoDNS) cannot read as a zone, zonegen does not pass as clean.
        assert result.refused, "dnspython refuses this file, but import refused nothing"
        STATS.altered += len(altered)
        assert not altered
        return
    STATS.records += len(oracle)
    STATS.checked_files += 1
    # Nothing altered: what build writes is the original's, record for record.
    altered |= kept - oracle
    # Nothing dropped silently: each original record is kept, noted or refused by name.
    dropped = {r for r in oracle - kept if not _noted(r, zone) and (r[0], r[1]) not in refused}
    STATS.noted += sum(1 for r in oracle if _noted(r, zone))
    STATS.altered += len(altered)
    STATS.dropped += len(dropped)
    assert not altered, sorted((n, t, ttl, rd.to_text()) for n, t, ttl, rd in altered)
    assert not dropped, sorted((n, t, ttl, rd.to_text()) for n, t, ttl, rd in dropped)
