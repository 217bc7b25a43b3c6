"""The octoDNS adapter (zonegen.octodns.records) gives octoDNS's own answers, without touching
octoDNS's global validator registries.

octoDNS's own answer is what ``Record.from_rrset`` / ``Record.new`` and ``Zone.validate`` say
with the global registries configured as a Manager with ``validators: {enabled: [strict]}``
(plus the legacy SRV value check, and the legacy zone set) would configure them: the fixture
below sets that up for one test and restores what was there. The corpus: every RRset of the
Mox fixtures, the zone exports, the golden cases and the bundled example, a benchmark-sized
generated site, and the external zone files under tests/data/zones/ when that folder exists;
plus records broken on purpose, so that rejections are compared too.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.exception
import dns.rdatatype
import dns.zone
import pytest
from octodns.record import Record as OctoRecord
from octodns.record.exception import ValidationError
from octodns.record.rr import Rrset
from octodns.zone import Zone as OctoZone
from octodns.zone.exception import ValidationError as ZoneValidationError

from conftest import CASES, FIXTURES, REPO
from zonegen.errors import InputError
from zonegen.model import rrsets
from zonegen.octodns import records as adapter
from zonegen.sources.mox_records import parse_mox_output

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

EXTERNAL = Path(__file__).parent / "data" / "zones"


def _snapshot() -> Any:
    r, z = OctoRecord.validators, OctoZone.validators
    return (
        r.configured,
        {k: dict(v) for k, v in r.active_record.items()},
        {k: dict(v) for k, v in r.active_value.items()},
        z.configured,
        dict(z.active),
    )


@pytest.fixture
def octodns_configured() -> Iterator[None]:
    """octoDNS's globals configured as zonegen's choice, restored afterwards."""
    r, z = OctoRecord.validators, OctoZone.validators
    saved = _snapshot()
    OctoRecord.enable_validators(["strict"])
    OctoRecord.disable_validator("srv-value-rfc", types=["SRV"])
    OctoRecord.enable_validator("srv-value", types=["SRV"])
    OctoZone.enable_zone_validators(["legacy"])
    try:
        yield
    finally:
        r.configured, z.configured = saved[0], saved[3]
        r.reset_active()
        r.active_record.update(saved[1])
        r.active_value.update(saved[2])
        z.active.clear()
        z.active.update(saved[4])


# ---------------------------------------------------------------------------- the corpus


def _zone_of(name: str) -> str:
    labels = name.rstrip(".").split(".")
    return ".".join(labels[-2:]) + "." if len(labels) >= 2 else name


def _from_dnspython(z: dns.zone.Zone) -> list[Rrset]:
    out = []
    for name, node in z.items():
        for rdataset in node:
            out.append(
                Rrset(
                    name.to_text(),
                    dns.rdatatype.to_text(rdataset.rdtype),
                    rdataset.ttl,
                    [rd.to_text() for rd in rdataset],
                )
            )
    return out


def corpus() -> list[tuple[str, Rrset]]:
    """(zone, RRset in presentation format) for every RRset of the test corpus."""
    found: dict[tuple[str, str, str, int, tuple[str, ...]], tuple[str, Rrset]] = {}

    def add(zone: str, rrset: Rrset) -> None:
        found[(zone, rrset.name, rrset._type, rrset.ttl, tuple(rrset.rdatas))] = (zone, rrset)

    for path in sorted(FIXTURES.glob("*/*")):
        if path.suffix not in (".txt", ".log") or path.name in ("cmd.txt",):
            continue
        try:
            output = parse_mox_output(path.read_text(), str(path))
        except InputError:
            continue  # a log of a quickstart that failed: no records
        for s in rrsets(output.records):
            add(_zone_of(s.name), Rrset(s.name, s.rtype, s.ttl, [r.value for r in s.records]))
    exports = Path(__file__).parent / "fixtures" / "exports"
    for path in sorted(exports.glob("*")):
        if path.suffix == ".yaml":
            continue  # octoDNS YAML: see test_octodns_yaml_entries
        text = "\n".join(line for line in path.read_text().splitlines() if " TSIG " not in line)
        z = dns.zone.from_text(text, origin="example.org.", relativize=False, check_origin=False)
        for rrset in _from_dnspython(z):
            add("example.org.", rrset)
    for site in [REPO / "config" / "site.yaml", *sorted(CASES.glob("*/site.yaml"))]:
        for zone, rrset in _built(site):
            add(zone, rrset)
    for path in sorted(EXTERNAL.rglob("*")) if EXTERNAL.is_dir() else []:
        if not path.is_file() or path.suffix in (".yaml", ".yml", ".md", ".json"):
            continue
        origin = path.name.removesuffix(path.suffix).removesuffix(".") + "."
        try:
            z = dns.zone.from_file(str(path), origin=origin, relativize=False, check_origin=False)
        except (dns.exception.DNSException, UnicodeError, ValueError, OSError):
            # not a zone file dnspython reads ($INCLUDE of a folder, too): the import
            # tests judge those
            continue
        for rrset in _from_dnspython(z):
            add(origin, rrset)
    return sorted(found.values(), key=lambda item: (item[0], item[1].name, item[1]._type))


def _zones(site: Path) -> Iterator[Any]:
    from zonegen.pipeline import build
    from zonegen.sources import read_inputs

    return iter(build(read_inputs(site)).zones)


def _built(site: Path) -> Iterator[tuple[str, Rrset]]:
    for zone in _zones(site):
        for s in rrsets(zone.records):
            yield zone.name, Rrset(s.name, s.rtype, s.ttl, [r.value for r in s.records])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Rrset]]:
    return list(_built(generate(20, tmp_path_factory.mktemp("gen20"))))


BROKEN = [
    ("example.org.", Rrset("example.org.", "MX", 300, ["10 192.0.2.1."])),
    ("example.org.", Rrset("example.org.", "MX", 300, ["10 mx"])),
    ("example.org.", Rrset("_25._tcp.mx.example.org.", "TLSA", 300, ["3 1 1 abcd"])),
    ("example.org.", Rrset("_25._tcp.mx.example.org.", "TLSA", 300, ["3 1 9 " + "ab" * 32])),
    ("example.org.", Rrset("_imap._tcp.example.org.", "SRV", 300, ["0 1 143 ."])),
    ("example.org.", Rrset("_imap._tcp.example.org.", "SRV", 300, ["0 1 143 192.0.2.1."])),
    ("example.org.", Rrset("imap.example.org.", "SRV", 300, ["0 1 143 x.example."])),
    ("example.org.", Rrset("example.org.", "CNAME", 300, ["x.example."])),
    ("example.org.", Rrset("a.example.org.", "CNAME", 300, ["192.0.2.1."])),
    ("example.org.", Rrset("example.org.", "CAA", 300, ['0 issue "a;b"', '0 bogus "x"'])),
    ("example.org.", Rrset("example.org.", "A", -1, ["192.0.2.1"])),
    ("example.org.", Rrset("x" * 64 + ".example.org.", "A", 300, ["192.0.2.1"])),
    ("example.org.", Rrset("example.org.", "SPF", 300, ['"v=spf1 -all"'])),
    ("example.org.", Rrset("example.org.", "SOA", 300, ["a. b. 1 2 3 4 5"])),
]


def _outcome(make: Any, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    try:
        record = make(*args, **kwargs)
    except (ValidationError, ZoneValidationError) as e:
        return ("invalid", type(e).__name__, tuple(str(r) for r in e.reasons))
    except Exception as e:
        return ("error", type(e).__name__, str(e))
    return ("ok", record.name, record._type, repr(record.data))


def _compare(items: list[tuple[str, Rrset]]) -> int:
    """octoDNS's own outcome and the adapter's, RRset by RRset; the count compared."""
    assert items
    for zone, rrset in items:
        own = _outcome(OctoRecord.from_rrset, OctoZone(zone, []), rrset)
        ours = _outcome(adapter.from_rrset, OctoZone(zone, []), rrset)
        assert ours == own, (zone, rrset)
    return len(items)


def test_every_rrset_of_the_corpus_gets_octodns_answer(octodns_configured: None) -> None:
    assert _compare(corpus()) > 100


def test_generated_zones_get_octodns_answer(
    octodns_configured: None, generated: list[tuple[str, Rrset]]
) -> None:
    assert _compare(generated) > 300


def test_broken_records_get_octodns_reasons(octodns_configured: None) -> None:
    _compare(BROKEN)
    outcomes = [
        _outcome(lambda z=z, r=r: adapter.from_rrset(OctoZone(z, []), r)) for z, r in BROKEN
    ]
    assert sum(o[0] == "invalid" for o in outcomes) >= 10
    # A rejected value is judged, and rejected, every time (nothing but passes is remembered).
    zone, rrset = BROKEN[0]
    assert _outcome(adapter.from_rrset, OctoZone(zone, []), rrset) == outcomes[0]


def test_remembered_value_verdicts_still_reject_new_values() -> None:
    good = {
        "type": "TLSA",
        "ttl": 300,
        "value": {
            "certificate_usage": 3,
            "selector": 1,
            "matching_type": 1,
            "certificate_association_data": "ab" * 32,
        },
    }
    for i in range(3):
        adapter.new_record(OctoZone(f"z{i}.example.", []), "_25._tcp", good)  # judged once
    bad = {**good, "value": {**good["value"], "certificate_association_data": "ab" * 31}}
    for i in range(3):  # never remembered: rejected every time
        with pytest.raises(ValidationError, match="tlsa"):
            adapter.new_record(OctoZone(f"z{i}.example.", []), "_25._tcp", bad)
    # 1 and "1" are different values to a validator, so to the memory too.
    mx = {"type": "MX", "ttl": 300, "value": {"preference": 10, "exchange": "mx.example."}}
    adapter.new_record(OctoZone("m.example.", []), "", mx)
    with pytest.raises(ValidationError):
        adapter.new_record(
            OctoZone("m.example.", []),
            "",
            {**mx, "value": {"preference": "ten", "exchange": "mx.example."}},
        )


def test_fast_record_data_equals_octodns_parsing(octodns_configured: None) -> None:
    """octo_data (record data from the parsed rdata) is what data_from_rrset makes of the
    text, for every RRset zonegen builds."""
    compared = 0
    for site in [REPO / "config" / "site.yaml", *sorted(CASES.glob("*/site.yaml"))]:
        for zone in _zones(site):
            for s in rrsets(zone.records):
                data = adapter.octo_data(s)
                if data is None:
                    continue
                octo = OctoZone(zone.name, [])
                rr = Rrset(s.name, s.rtype, s.ttl, [r.value for r in s.records])
                own = OctoRecord.from_rrset(octo, rr)
                ours = adapter.new_record(octo, own.name, data)
                assert (ours._type, ours.data) == (own._type, own.data), rr
                compared += 1
    assert compared > 50


def test_octodns_yaml_entries_get_octodns_answer(octodns_configured: None) -> None:
    """The entries of octoDNS YAML files (the export fixture, external .yaml zones), read
    leniently as the importer reads them, and strictly."""
    paths = [Path(__file__).parent / "fixtures" / "exports" / "octodns-dump.yaml"]
    if EXTERNAL.is_dir():
        paths += sorted(p for p in EXTERNAL.rglob("*") if p.suffix in (".yaml", ".yml"))
    compared = 0
    for path in paths:
        try:
            data = adapter.load_yaml(path.read_text())
        except Exception:
            continue  # not octoDNS YAML: the import tests judge those
        if not isinstance(data, dict):
            continue
        zone = "example.org." if "exports" in path.parts else path.stem.rstrip(".") + "."
        for name, entries in data.items():
            for entry in entries if isinstance(entries, list) else [entries]:
                if not isinstance(entry, dict):
                    continue  # not a record: the import tests judge those files
                for lenient in (False, True):
                    own = _outcome(
                        OctoRecord.new, OctoZone(zone, []), str(name), dict(entry), lenient=lenient
                    )
                    ours = _outcome(
                        adapter.new_record,
                        OctoZone(zone, []),
                        str(name),
                        dict(entry),
                        lenient=lenient,
                    )
                    assert ours == own, (path, name)
                    compared += 1
    assert compared > 10


def test_zone_validation_gives_octodns_answer(octodns_configured: None) -> None:
    ok = OctoZone("example.org.", [])
    ok.add_record(
        adapter.new_record(ok, "www", {"type": "CNAME", "ttl": 60, "value": "x.example."})
    )
    clash = OctoZone("example.org.", [])
    clash.add_record(
        adapter.new_record(clash, "www", {"type": "CNAME", "ttl": 60, "value": "x.example."}),
        lenient=True,
    )
    clash.add_record(
        adapter.new_record(clash, "www", {"type": "A", "ttl": 60, "value": "192.0.2.1"}),
        lenient=True,
    )

    def ours(zone: OctoZone) -> Any:
        adapter.validate_zone(zone)
        return next(iter(zone.records))

    def own(zone: OctoZone) -> Any:
        zone.validate()
        return next(iter(zone.records))

    for zone in (ok, clash):
        assert _outcome(ours, zone) == _outcome(own, zone)
    assert _outcome(ours, clash)[0] == "invalid"


def test_record_checks_loop_gives_octodns_loops_answer(
    octodns_configured: None, generated: list[tuple[str, Rrset]]
) -> None:
    """The registry's own record loop (it hands any answer but "nothing" to octoDNS's) says
    what octoDNS's ``ValidatorRegistry.process_record`` says on the same registry: for the
    corpus, broken records, per-zone disabled checks, and validators of odd shapes (a
    reason as ``str``, a tuple, no ``disabled`` parameter: deprecated in octoDNS 1.x)."""
    import warnings

    from octodns.record.validator import RecordValidator, ValidatorRegistry

    class Old(RecordValidator):  # type: ignore[misc]
        def validate(self, record_cls: Any, name: str, fqdn: str, data: Any) -> list[str]:
            return ["old style"] if name == "old" else []

    class Odd(RecordValidator):  # type: ignore[misc]
        def validate(
            self, record_cls: Any, name: str, fqdn: str, data: Any, disabled: Any = None
        ) -> Any:
            return ("a tuple",) if name == "odd" else []

    plain, odd = adapter._Registry(), adapter._Registry()
    odd.register(Old("old-check"), types=["A"])
    odd.register(Odd("odd-check"))
    odd.enable("old-check", types=["A"])
    odd.enable("odd-check")
    items = corpus() + generated + BROKEN
    items += [
        ("example.org.", Rrset(f"{n}.example.org.", "A", 1, ["192.0.2.1"])) for n in ("old", "odd")
    ]
    compared, seen = 0, set()
    for registry in (plain, odd):
        for disabled in ({}, {"*": {"name-rfc"}, "A": {"ip-value-rfc", "_values-type"}}):
            for zone, rrset in items:
                cls = OctoRecord.registered_types().get(rrset._type)
                if cls is None:
                    continue
                octo = OctoZone(zone, [])
                try:
                    data = cls.data_from_rrset(rrset)
                except Exception:
                    continue  # octoDNS cannot parse it: no record to check
                name = octo.hostname_from_fqdn(rrset.name)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ours = registry.process_record(cls, name, rrset.name, data, disabled)
                    own = ValidatorRegistry.process_record(
                        registry, cls, name, rrset.name, data, disabled
                    )
                assert [str(r) for r in ours] == [str(r) for r in own], (zone, rrset)
                compared += bool(own)
                seen.update(str(r) for r in own)
    assert compared > 10
    assert {"old style, via: old-check", "a tuple, via: odd-check"} <= seen


ZONE_NAMES = [
    "example.org.",
    "Example.ORG.",
    "d00004.example.",
    "xn--bcher-kva.example.",
    "bücher.example.",
    "BÜCHER.example.",
    "_sub.Sub.example.",
    "a.b.c.d.example.",
    "zonegen.invalid.",
    ".",
]
BAD_ZONE_NAMES = ["", "example.org", "a..example.", "a b.example.", "a\tb.example.", "xn--a.x."]


def _zone_state(zone: OctoZone) -> dict[str, Any]:
    patterns = (zone._utf8_name_re.pattern, zone._idna_name_re.pattern)  # compiled on use
    state = {k: v for k, v in vars(zone).items() if k != "_given"}
    state["_utf8_name_re"], state["_idna_name_re"] = patterns
    return state


@pytest.mark.parametrize("name", ZONE_NAMES + sorted({z for z, _ in corpus()}))
def test_zone_made_without_its_patterns_is_octodns_zone(name: str) -> None:
    """Every attribute of the adapter's zone is what octoDNS's ``Zone(name, [])`` sets, the
    name patterns included (compiled when first read), and it cuts names alike."""
    ours, own = adapter._Zone(name), OctoZone(name, [])
    assert isinstance(ours, OctoZone)
    assert _zone_state(ours) == _zone_state(own)
    for fqdn in (name, "www." + name, "a.b." + name.rstrip("."), "other.test.", name.upper()):
        assert ours.hostname_from_fqdn(fqdn) == own.hostname_from_fqdn(fqdn), fqdn


@pytest.mark.parametrize("name", BAD_ZONE_NAMES)
def test_zone_names_octodns_refuses_are_refused_alike(name: str) -> None:
    assert _outcome(adapter._Zone, name) == _outcome(OctoZone, name, [])
    assert _outcome(adapter._Zone, name)[0] == "error"


# ---------------------------------------------------------------------------- globals


def test_octodns_globals_are_left_as_they_were(tmp_path: Path) -> None:
    """A whole build, a check and an import in a fresh interpreter: octoDNS's validator
    registries are what octoDNS set up by itself, before and after, and octoDNS logs no
    'no validators configured' warning (it would, had anything asked its global registry)."""
    script = textwrap.dedent(
        f"""
        import logging, shutil, sys
        from pathlib import Path
        from octodns.record import Record
        from octodns.zone import Zone

        def snapshot():
            r, z = Record.validators, Zone.validators
            return (r.configured, repr(sorted((k, sorted(v)) for k, v in r.active_record.items())),
                    repr(sorted((k, sorted(v)) for k, v in r.active_value.items())),
                    z.configured, sorted(z.active))

        before = snapshot()
        from click.testing import CliRunner
        from zonegen.cli import main
        root = Path({str(tmp_path)!r})
        shutil.copytree({str(REPO / "config")!r}, root / "config")
        site = root / "config" / "site.yaml"
        for args in (["build", "--site", site, "--out", root / "zones"],
                     ["check", "--site", site],
                     ["import", {str(FIXTURES.parent / "exports" / "octodns-dump.yaml")!r},
                      "--zone", "example.org", "--site", site, "--dry-run"]):
            result = CliRunner().invoke(main, [str(a) for a in args])
            assert result.exit_code in (0, 1), (args, result.output)
        assert snapshot() == before, (before, snapshot())
        print("same")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "same"
    assert "no validators configured" not in result.stderr


def test_importing_zonegen_changes_nothing_in_octodns() -> None:
    script = textwrap.dedent(
        """
        from octodns.record import Record
        from octodns.zone import Zone
        state = lambda: (Record.validators.configured, Zone.validators.configured,
                         dict(Record.validators.__dict__).keys())
        before = state()
        import zonegen.octodns.records, zonegen.checks, zonegen.build  # noqa: F401
        assert state() == before and not Record.validators.configured
        assert "process_values" not in vars(Record.validators)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def _loc_zone() -> Any:
    import dns.rdata

    from zonegen.model import Origin, Record, Zone

    rd = dns.rdata.from_text("IN", "LOC", "52 22 23.000 N 4 53 32.000 E -2.00m")
    return Zone("example.org.", (Record("www.example.org.", "LOC", 300, rd, Origin("t")),))


def test_a_loc_with_default_sizes_reaches_octodns_whole() -> None:
    # dnspython leaves out RFC 1876's default size and precisions; octoDNS wants all twelve.
    text = adapter.zone_yaml(_loc_zone(), slow=True)
    assert "precision_horz: 10000.0" in text and "size: 1.0" in text


def test_a_value_octodns_cannot_parse_is_a_problem_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from octodns.record.loc import LocValue
    from octodns.record.rr import RdataParseError

    def refuse(cls: Any, value: str) -> Any:
        raise RdataParseError()

    monkeypatch.setattr(LocValue, "from_rdata_text", classmethod(refuse))
    with pytest.raises(adapter.Rejected) as caught:
        adapter.zone_yaml(_loc_zone(), slow=True)
    assert caught.value.problem.rule == "octodns-parse"
    assert "52 22 23.000 N" in caught.value.problem.message


def test_provider_api_errors_are_refusals_other_exceptions_keep_their_traceback() -> None:
    """octodns-sync's uncaught exceptions: an API's or octoDNS's own refusal is one line
    (guard's excepthook), a bug anywhere else still shows its traceback."""
    import google.api_core.exceptions as gexc
    import requests
    from octodns.provider import ProviderException

    from zonegen.octodns.guard import _refused_by_provider

    assert _refused_by_provider(gexc.TooManyRequests("quota"))
    assert _refused_by_provider(gexc.InternalServerError("boom"))
    assert _refused_by_provider(requests.exceptions.HTTPError("422 Client Error"))
    assert _refused_by_provider(requests.exceptions.ConnectionError("refused"))
    assert _refused_by_provider(ProviderException("no YAMLs found for x."))
    assert not _refused_by_provider(ValueError("a bug"))
    assert not _refused_by_provider(KeyError("a bug"))
