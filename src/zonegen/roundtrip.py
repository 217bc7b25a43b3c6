"""What ``zonegen build`` writes of a zone's kept records, read back: the check behind
``zonegen import``'s promise that a kept record is carried exactly.

The kept file is rendered, then every RRset is read back the two ways it will be used:
through octoDNS's record model as ``YamlProvider`` reads zonegen's YAML (which is also how
build reads the kept file), and by dnspython from the BIND file build writes from that.
Each must give the export's rdata and TTL. A writer that fails on a record (an exception,
not a refusal) is found by trying each RRset alone, so that record is refused instead of
the import failing.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from . import names
from .errors import InputError, ZonegenError
from .model import Record, Zone
from .sources.exports import parse_kept
from .sources.site import Bind

HEADER = (
    "# Records kept from an existing zone by `zonegen import`; every `zonegen build` adds them\n"
    "# to the zone. Review changes here like any DNS change; edit, or import a newer export.\n"
)

Sets = dict[tuple[str, str], tuple[int, set[dns.rdata.Rdata]]]


def check(zone: str, records: list[Record], bind: Bind) -> tuple[str, dict[tuple[str, str], str]]:
    """Render ``records`` (each RRset as the export has it, checked by octoDNS already) as
    the kept file, and read every RRset back the three ways build uses it: the RRsets that
    do not come back exactly, with what came back."""
    from .octodns.records import Rejected

    try:
        text, views = _read_back(zone, records, bind)
    except Rejected as e:
        return "", dict([_rejected(e)])
    except Exception as e:
        return "", _culprits(zone, records, bind, e)
    expected: Sets = {}
    for r in records:
        expected.setdefault((r.name, r.rtype), (r.ttl, set()))[1].add(r.rdata)
    wrong: dict[tuple[str, str], str] = {}
    for key, want in expected.items():
        for what, view in views:
            got = view.get(key)
            if got != want:
                shown = (
                    "missing"
                    if got is None
                    else f"TTL {got[0]}, " + " | ".join(sorted(rd.to_text() for rd in got[1]))
                )
                wrong[key] = f"zonegen cannot write it exactly ({what} as {shown})"
                break
    return text, wrong


def _read_back(zone: str, records: list[Record], bind: Bind) -> tuple[str, list[tuple[str, Sets]]]:
    from .bind import render_bind
    from .octodns.records import zone_yaml
    from .sources.zonefile import Budget, read_zone_file

    text = HEADER + zone_yaml(Zone(zone, tuple(sorted(records, key=lambda r: r.key))))
    # 1. What build reads from the kept file: each entry through octoDNS's record model as
    # YamlProvider reads zonegen's YAML (escaped_semicolons: false), its values as octoDNS
    # writes them (Record.to_rrset) parsed by dnspython. The zone's YAML build writes is
    # these records rendered again, the very text above: what octoDNS reads from it is this.
    model = parse_kept(text, "kept file", zone)
    # 2. What dnspython reads from the BIND file build writes from those records.
    bind_text = render_bind(
        Zone(zone, tuple(sorted(model, key=lambda r: r.key))), bind, previous=None
    )
    in_bind, unread = read_zone_file(
        bind_text, zone, shown="BIND file", folder=Path(), budget=Budget()
    )
    if unread:
        raise InputError(f"zonegen wrote a BIND file it cannot read back: {unread[0]}")
    return text, [
        ("octoDNS reads it back from the YAML", _sets(model)),
        ("the BIND file holds it", _sets(in_bind)),
    ]


def _sets(records: Iterable[Record]) -> Sets:
    out: Sets = {}
    for r in records:
        out.setdefault((r.name, r.rtype), (r.ttl, set()))[1].add(r.rdata)
    return out


def _rejected(e: Exception) -> tuple[tuple[str, str], str]:
    problem = e.problem  # type: ignore[attr-defined]
    reason = problem.message.removeprefix("octoDNS rejects it: ")
    return (names.absolute(problem.name), problem.rtype), f"octoDNS rejects it: {reason}"


def _culprits(
    zone: str, records: list[Record], bind: Bind, error: Exception
) -> dict[tuple[str, str], str]:
    """The RRsets zonegen's writers fail on, each tried alone; an error no single RRset
    causes (the zone itself) is bad input."""
    from .octodns.records import Rejected

    try:
        _read_back(zone, [], bind)
    except Exception as e:
        raise InputError(
            f"zonegen cannot write zone {_zone_label(zone)}: {_error_text(e)}",
            hint="check the zone's bind settings in the site file",
        ) from None
    wrong: dict[tuple[str, str], str] = {}
    for key, group in _sets_of(records).items():
        try:
            _read_back(zone, group, bind)
        except Rejected as e:
            wrong[key] = _rejected(e)[1]
        except Exception as e:
            wrong[key] = f"zonegen's writers fail on it ({_error_text(e)})"
    if not wrong:
        raise InputError(
            f"zonegen cannot write the kept records of zone {_zone_label(zone)}: "
            + _error_text(error)
        )
    return wrong


def _sets_of(records: list[Record]) -> dict[tuple[str, str], list[Record]]:
    out: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in records:
        out[(r.name, r.rtype)].append(r)
    return out


def _error_text(e: Exception) -> str:
    text = getattr(e, "message", None) or str(e)
    return f"{type(e).__name__}: {text}" if not isinstance(e, ZonegenError) else text


@functools.lru_cache(maxsize=65536)
def parse(rtype: str, text: str) -> dns.rdata.Rdata:
    """An rdata from its presentation text (names absolute); rdata are immutable, so the
    same text read back several times is parsed once."""
    return dns.rdata.from_text(
        dns.rdataclass.IN,
        dns.rdatatype.from_text(rtype),
        text,
        origin=dns.name.root,
        relativize=False,
    )


def _zone_label(zone: str) -> str:
    try:
        return names.unicode(zone).removesuffix(".") or "."
    except Exception:  # a name that is no valid IDN is shown as it is
        return zone
