"""Records kept from an existing zone, and where they meet Mox's.

Kept records and Mox's records share a zone. Where they want the same name, zonegen does not
guess: each such place is a :class:`Conflict` with named choices, and the site file records
the decision (``zones.<zone>.conflicts``). Where they agree, the record appears once.

- ``MX`` at a name where Mox puts its MX: ``secondary`` keeps the old exchanges behind Mox's
  (preference + 20), as a move from Google Workspace often does while mail drains; ``drop``.
- ``SPF``, two SPF records at one name (RFC 7208 4.5 allows one): ``merge`` adds the old
  record's mechanisms to Mox's, before its ``all``; ``mox`` takes Mox's.
- ``TXT`` at ``_dmarc``, two DMARC policies: ``keep`` the old one, or take Mox's (``mox``).
- ``CNAME`` against other data at one name (RFC 2181 10.1): ``keep`` the old records at that
  name and leave Mox's out, or take Mox's (``mox``).
- Any other type with different values: ``merge`` (both), ``mox`` or ``keep``.
Other TXT values (site verifications) simply join Mox's TXT RRset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

import dns.rdtypes.ANY.MX

from . import names
from .model import Record, make_txt, txt_text
from .sources.site import Decision


@dataclass(frozen=True, slots=True)
class Conflict:
    name: str
    rtype: str  # the decision key's type: MX, SPF, TXT, CNAME, or the record type
    choices: tuple[str, ...]
    existing: tuple[str, ...]
    mox: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{names.unicode(self.name).rstrip('.')} {self.rtype}"

    def describe(self) -> str:
        return (
            f"{self.key}: existing {' | '.join(self.existing)} vs Mox {' | '.join(self.mox)}; "
            f"choose {' or '.join(self.choices)}"
        )


def _is_spf(value: str) -> bool:
    return value.lower().startswith("v=spf1") and value[6:7] in ("", " ")


def _values(records: list[Record]) -> tuple[str, ...]:
    return tuple(sorted(txt_text(r.rdata) if r.rtype == "TXT" else r.value for r in records))


def merge_spf(mox: str, old: str) -> str:
    """Mox's SPF with the old record's other mechanisms before Mox's ``all``."""
    terms = mox.split()
    extra = [
        t
        for t in old.split()[1:]
        if t not in terms and t.lstrip("+-~?").lower() != "all" and not t.startswith("redirect=")
    ]
    at = next((i for i, t in enumerate(terms) if t.lstrip("+-~?").lower() == "all"), len(terms))
    return " ".join(terms[:at] + extra + terms[at:])


def resolve(
    mox: list[Record], kept: list[Record], decisions: tuple[Decision, ...]
) -> tuple[list[Record], list[Conflict], list[Decision]]:
    """Combine Mox's (and the host's) records with kept ones.

    Returns the records, the conflicts without a decision (their kept side is left out), and
    the decisions that matched no conflict.
    """
    chosen = {(d.name, d.rtype): d for d in decisions}
    used: set[tuple[str, str]] = set()
    undecided: list[Conflict] = []

    def decide(conflict: Conflict) -> str | None:
        d = chosen.get((conflict.name, conflict.rtype))
        if d is None or d.choice not in conflict.choices:
            undecided.append(conflict)
            return None
        used.add((d.name, d.rtype))
        return d.choice

    mox_by: dict[tuple[str, str], list[Record]] = defaultdict(list)
    kept_by: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in mox:
        mox_by[(r.name, r.rtype)].append(r)
    for r in kept:
        kept_by[(r.name, r.rtype)].append(r)
    mox_names = {n for n, _ in mox_by}
    kept_names = {n for n, _ in kept_by}

    # CNAME against anything else at the same name.
    for name in sorted(mox_names & kept_names):
        m_types = {t for n, t in mox_by if n == name}
        k_types = {t for n, t in kept_by if n == name}
        same_cname = m_types == k_types == {"CNAME"} and _values(
            mox_by[(name, "CNAME")]
        ) == _values(kept_by[(name, "CNAME")])
        if ("CNAME" in m_types or "CNAME" in k_types) and not same_cname:
            conflict = Conflict(
                name,
                "CNAME",
                ("keep", "mox"),
                tuple(f"{t} {v}" for t in sorted(k_types) for v in _values(kept_by[(name, t)])),
                tuple(f"{t} {v}" for t in sorted(m_types) for v in _values(mox_by[(name, t)])),
            )
            choice = decide(conflict)
            drop = mox_by if choice == "keep" else kept_by
            for t in list(m_types if choice == "keep" else k_types):
                drop.pop((name, t), None)

    for key in sorted(set(mox_by) & set(kept_by)):
        name, rtype = key
        m, k_all = mox_by[key], kept_by[key]
        m_values = {r.rdata for r in m}
        k = [r for r in k_all if r.rdata not in m_values]  # the same data once
        kept_by[key] = k
        if not k:
            continue
        if rtype == "MX":
            choice = decide(Conflict(name, "MX", ("secondary", "drop"), _values(k), _values(m)))
            kept_by[key] = [_secondary(r) for r in k] if choice == "secondary" else []
        elif rtype == "TXT":
            kept_by[key], mox_by[key] = _txt(name, m, k, decide)
        else:
            choice = decide(Conflict(name, rtype, ("merge", "mox", "keep"), _values(k), _values(m)))
            if choice == "keep":  # the old RRset as it was, values shared with Mox included
                mox_by[key], kept_by[key] = [], k_all
            elif choice != "merge":
                kept_by[key] = []
    out = [r for group in mox_by.values() for r in group]
    out += [r for group in kept_by.values() for r in group]
    unused = [d for d in decisions if (d.name, d.rtype) not in used]
    return out, undecided, unused


def _secondary(record: Record) -> Record:
    rd = record.rdata
    assert isinstance(rd, dns.rdtypes.ANY.MX.MX)
    return replace(record, rdata=rd.replace(preference=min(rd.preference + 20, 65535)))


def _txt(
    name: str,
    mox: list[Record],
    kept: list[Record],
    decide: Callable[[Conflict], str | None],
) -> tuple[list[Record], list[Record]]:
    m_spf = [r for r in mox if _is_spf(txt_text(r.rdata))]
    k_spf = [r for r in kept if _is_spf(txt_text(r.rdata))]
    if m_spf and k_spf:
        choice = decide(Conflict(name, "SPF", ("merge", "mox"), _values(k_spf), _values(m_spf)))
        if choice == "merge":
            merged = merge_spf(txt_text(m_spf[0].rdata), txt_text(k_spf[0].rdata))
            mox = [replace(r, rdata=make_txt(merged.encode())) if r is m_spf[0] else r for r in mox]
        kept = [r for r in kept if r not in k_spf]
    if name.startswith("_dmarc."):
        m_d = [r for r in mox if txt_text(r.rdata).startswith("v=DMARC1")]
        k_d = [r for r in kept if txt_text(r.rdata).startswith("v=DMARC1")]
        if m_d and k_d:
            choice = decide(Conflict(name, "TXT", ("mox", "keep"), _values(k_d), _values(m_d)))
            if choice == "keep":
                mox = [r for r in mox if r not in m_d]
            else:
                kept = [r for r in kept if r not in k_d]
    return kept, mox
