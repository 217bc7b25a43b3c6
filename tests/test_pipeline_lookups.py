"""select and apply_ttls look a record's exclusions and TTL overrides up by its name: they
give what the plain loops over every entry gave (last override wins, every unused entry
noted), with names repeated across entries, type-bound and type-free entries, and misses."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zonegen.model import HOST, MOX, SITE, Origin, Record
from zonegen.pipeline import apply_ttls, select
from zonegen.sources import rdata
from zonegen.sources.site import Groups, TtlOverride

NAMES = ["a.example.", "b.example.", "c.example."]
TYPES = ["TXT", "MX", "A"]
DATA = {"TXT": '"v=spf1 -all"', "MX": "10 mx.example.", "A": "192.0.2.1"}


def _record(name: str, rtype: str, ttl: int, kind: str) -> Record:
    return Record(name, rtype, ttl, rdata.parse(rtype, DATA[rtype]), Origin("f", 1), kind)


def _plain_select(records: list[Record], site: Any) -> tuple[list[Record], list[str]]:
    kept, notes, used = [], [], set()
    for record in records:
        hit = [
            i
            for i, ex in enumerate(site.exclude)
            if ex.name == record.name and ex.rtype in (None, record.rtype)
        ]
        if hit:
            used.update(hit)
            continue
        kept.append(record)
    for i, ex in enumerate(site.exclude):
        if i not in used:
            notes.append(f"{site.shown}:{ex.line}: mox.exclude {ex.name} matches no record")
    return kept, notes


def _plain_ttls(records: list[Record], site: Any) -> tuple[list[tuple[Any, ...]], list[str]]:
    out, notes, used = [], [], set()
    for record in records:
        ttl = record.ttl
        for i, o in enumerate(site.ttl_overrides):
            if o.name == record.name and o.rtype in (None, record.rtype):
                ttl = o.ttl
                used.add(i)
        out.append((record.name, record.rtype, ttl, record.kind))
    for i, o in enumerate(site.ttl_overrides):
        if i not in used:
            notes.append(f"{site.shown}:{o.line}: ttl.overrides {o.name} matches no record")
    return out, notes


entry = st.tuples(st.sampled_from(NAMES), st.sampled_from([None, *TYPES]), st.integers(1, 9))


@settings(max_examples=300, deadline=None)
@given(
    records=st.lists(
        st.tuples(
            st.sampled_from(NAMES), st.sampled_from(TYPES), st.sampled_from([MOX, HOST, SITE])
        ),
        max_size=12,
    ),
    excludes=st.lists(entry, max_size=5),
    overrides=st.lists(entry, max_size=5),
)
def test_lookups_by_name_answer_as_the_loops(
    records: list[tuple[str, str, str]],
    excludes: list[tuple[str, str | None, int]],
    overrides: list[tuple[str, str | None, int]],
) -> None:
    recs = [_record(n, t, 300, k) for n, t, k in records]
    site = SimpleNamespace(
        shown="site.yaml",
        zones=(),
        groups=Groups(),
        publish_commented=frozenset(),
        exclude=tuple(TtlOverride(n, t, 0, line) for line, (n, t, _) in enumerate(excludes, 1)),
        ttl_overrides=tuple(TtlOverride(n, t, ttl, i) for i, (n, t, ttl) in enumerate(overrides)),
        ttl_default=None,
        ttl_kinds=(),
    )
    notes: list[str] = []
    kept, unpublished = select(recs, site, notes)  # type: ignore[arg-type]
    want_kept, want_notes = _plain_select(recs, site)
    assert kept == want_kept and [r.origin for r in kept] == [r.origin for r in want_kept]
    assert unpublished == [] and notes == want_notes
    notes = []
    got = apply_ttls(recs, site, notes)  # type: ignore[arg-type]
    assert ([(r.name, r.rtype, r.ttl, r.kind) for r in got], notes) == _plain_ttls(recs, site)
