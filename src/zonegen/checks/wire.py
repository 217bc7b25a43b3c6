"""What fits the DNS wire format (RFC 1035): names, character-strings, rdata, RRsets.

dnspython refuses names and character-strings over their limits while reading, so the first
two rules guard the model whatever reader made it; rdata over 65535 octets and RRsets that no
TCP message can carry do get through the readers (a TXT of 10,000 strings builds, and
named-checkzone then refuses the zone file).
"""

from __future__ import annotations

from collections.abc import Iterator

import dns.exception
import dns.name
import dns.rdatatype
from dns.rdtypes.txtbase import TXTBase

from ..model import Record
from ..problem import Problem
from .context import Context

LABEL = 63  # RFC 1035 2.3.4
NAME = 255  # RFC 1035 2.3.4, in wire octets
STRING = 255  # RFC 1035 3.3 <character-string>
RDATA = 65535  # RFC 1035 3.2.1: RDLENGTH is 16 bits
MESSAGE = 65535  # RFC 1035 4.2.2: the TCP length prefix is 16 bits
_HEADER = 12  # RFC 1035 4.1.1
_RR = 12  # a compressed owner (2) + type, class, TTL, RDLENGTH (10)
_TEXT = frozenset({"TXT", "SPF"})  # sized by their strings (other types: _size_bound)


def _name_problem(name: str) -> str | None:
    """Why ``name`` does not fit the wire format, or None."""
    if len(name) <= LABEL and name.isascii():
        # Most names: an ASCII character is one octet, so no label passes 63 octets and the
        # wire form (the text's length plus at most 2) cannot pass 255.
        return None
    return _name_problem_slow(name)


def _name_problem_slow(name: str) -> str | None:
    labels = name.rstrip(".").split(".") if name != "." else []
    long = next((label for label in labels if len(label.encode()) > LABEL), None)
    if long is not None:
        return f"a label of {len(long.encode())} octets (at most {LABEL}, RFC 1035 2.3.4)"
    size = sum(len(label.encode()) + 1 for label in labels) + 1
    if size > NAME:
        return f"{size} octets on the wire (at most {NAME}, RFC 1035 2.3.4)"
    return None


def fits(ctx: Context) -> Iterator[Problem]:
    """``name-too-long``, ``txt-string-too-long``, ``rdata-too-long`` and ``rrset-too-big``:
    one pass over the RRsets, as each looks at every record (a build of 1,000 domains has
    18,000); each record's rdata size is worked out once for the last two."""
    # The context's index holds each RRset's records in the zone's order (by value), as
    # model.rrsets gives them; the TTL does not change the size.
    for (name, rtype), records in ctx.by_key.items():
        # _name_problem's fast path inline, here and for targets: most names are short ASCII
        # (a test holds the fast path to the slow one)
        ascii_name = name.isascii()
        if not (ascii_name and len(name) <= LABEL):
            owner = _name_problem_slow(name)
            if owner:
                for record in records:
                    yield _too_long(ctx, record, "owner", owner)
        text = rtype in _TEXT
        bound = _HEADER + (len(name) if ascii_name else len(name.encode())) + 5 + _RR * len(records)
        rdata_said = False  # a TXT here over 65535 octets: rdata-too-long says enough
        for record in records:
            target = record.target
            if target and not (len(target) <= LABEL and target.isascii()):
                problem = _name_problem_slow(target)
                if problem:
                    yield _too_long(ctx, record, "target", problem)
            rdata = record.rdata
            # TXT and SPF, and the other types dnspython reads as character-strings (AVC):
            # its TXTBase is the one rdata class with ``strings``
            if isinstance(rdata, TXTBase):
                strings: tuple[bytes, ...] = rdata.strings
                if strings and max(map(len, strings)) > STRING:
                    long = next(s for s in strings if len(s) > STRING)
                    yield ctx.problem(
                        record,
                        "txt-string-too-long",
                        f"a character-string of {len(long)} octets (at most {STRING}, RFC 1035 "
                        "3.3)",
                        "split the value into strings of 255 octets",
                    )
                size = sum(map(len, strings)) + len(strings) if text else _size_bound(record)
            else:
                size = 0 if text else _size_bound(record)  # (a TXT is always a TXTBase)
            bound += size
            if size > RDATA and (text or _wire(record) > RDATA):
                yield ctx.problem(
                    record,
                    "rdata-too-long",
                    f"{size} octets of rdata: the wire format holds at most {RDATA} (RFC 1035 "
                    "3.2.1); named-checkzone refuses the zone",
                    "split the data over several records",
                )
                rdata_said = rdata_said or text
        if bound <= MESSAGE or rdata_said:
            continue  # fits, or rdata-too-long says it already
        answer = _message_size(name, rtype, min(r.ttl for r in records), tuple(records))
        if answer is None:
            yield ctx.problem(
                records[0],
                "rrset-too-big",
                f"{len(records)} records that no DNS message can carry: a TCP "
                f"answer is at most {MESSAGE} octets (RFC 1035 4.2.2)",
                "fewer or smaller records at this name",
            )


def _size_bound(record: Record) -> int:
    """An upper bound of the record's rdata size unless it may be large: presentation text
    is never shorter than an eighth of the wire form, plus 16; else the size itself."""
    size = len(record.value)
    return 8 * size + 16 if size <= 4096 else _wire(record)


def _too_long(ctx: Context, record: Record, what: str, problem: str) -> Problem:
    return ctx.problem(
        record, "name-too-long", f"the {what} name has {problem}", "shorten the name"
    )


def _wire(record: Record) -> int:
    return len(record.rdata.to_wire() or b"")


def _message_size(name: str, rtype: str, ttl: int, records: tuple[Record, ...]) -> int | None:
    """The answer's wire size, or None when it does not fit in 65535 octets."""
    # Imported here: only an RRset near the limit gets this far, and a build that has none
    # (nearly every build) need not load dnspython's message code.
    from dns.message import make_query, make_response
    from dns.rrset import from_rdata_list

    owner = dns.name.from_text(name)
    response = make_response(make_query(owner, dns.rdatatype.from_text(rtype)))
    response.answer.append(from_rdata_list(owner, ttl, [r.rdata for r in records]))
    try:
        return len(response.to_wire(max_size=MESSAGE))
    except dns.exception.TooBig:
        return None
