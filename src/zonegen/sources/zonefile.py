"""Zone files in: BIND master files (RFC 1035 5.1) and dig/kdig AXFR output, within limits.

dnspython's own master-file reader does the parsing ($ORIGIN, $TTL, ``@``, relative names,
parentheses, comments, escapes, multi-string TXT, generic ``TYPEnnn \\# len hex``, $GENERATE,
$INCLUDE). Around it, this module makes the reading safe for a file nobody here wrote:

- nothing is dropped or merged on the way: dnspython's zone semantics (records outside the
  origin skipped, a second CNAME replacing the first, TTLs of one RRset lowered to the
  smallest, CNAME and other data refused) are left to the importer, which says what it does
  with each record; every record keeps its file and line;
- $INCLUDE reads only regular files inside the export's own folder (symlinks resolved), at
  most :data:`MAX_INCLUDES` of them; the rest is refused by name before anything is read;
- the export and what it includes are at most :data:`MAX_BYTES` together and make at most
  :data:`MAX_RECORDS` records; a $GENERATE range is counted before a single record is made,
  so a 63-byte ``$GENERATE 1-1000000`` line is refused at once instead of taking minutes
  and gigabytes;
- every error is one :class:`InputError` with the file and the line the record starts on.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.exception
import dns.grange
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.transaction
import dns.ttl
import dns.zonefile

from ..errors import InputError
from ..model import Origin, Record
from .files import show

KEPT = "kept"  # Record.kind of records kept from an imported zone

# The limits of one import (README, "Adopting an existing zone"). dnspython reads about a
# megabyte of zone file a second here; these keep an import within seconds.
MAX_BYTES = 4 * 1024 * 1024  # the export and every file it includes, together
MAX_RECORDS = 50_000  # records read, those $GENERATE makes included
MAX_INCLUDES = 32  # $INCLUDE directives followed

# Names in the files may be Unicode; zonegen (like Mox) turns them into A-labels by IDNA 2008.
_CODEC = dns.name.IDNA_2008_Practical
# The directives BIND knows (dnspython also has $UNICODE, which BIND would refuse).
_DIRECTIVES = frozenset({"$ORIGIN", "$TTL", "$INCLUDE", "$GENERATE"})


@dataclass
class Budget:
    """What one export has used of the limits, over all its files."""

    bytes: int = 0
    records: int = 0
    includes: int = 0


def read_limited(path: Path, budget: Budget, *, what: str) -> str:
    """The UTF-8 text of ``path``, read no further than the byte budget allows.

    A pipe (``zonegen import <(dig ...)``) is read like a file; ``/dev/zero`` stops at the
    limit instead of filling the memory."""
    shown = show(path)
    left = MAX_BYTES - budget.bytes
    try:
        with path.open("rb") as f:
            data = f.read(left + 1)
    except FileNotFoundError:
        raise InputError(
            f"{what} not found",
            path=shown,
            hint="check the path; an export comes from your provider or server (see the "
            "README, 'Adopting an existing zone')",
        ) from None
    except IsADirectoryError:
        raise InputError(f"{what} is a directory, not a file", path=shown) from None
    except OSError as e:
        raise InputError(f"cannot read {what}: {e.strerror}", path=shown) from None
    if len(data) > left:
        raise InputError(
            f"{what} is larger than the {MAX_BYTES // (1024 * 1024)} MiB an import reads"
            + (" (with the files it includes)" if budget.bytes else ""),
            path=shown,
            hint="split the zone, or import the part zonegen should manage",
        )
    budget.bytes += len(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(f"{what} is not UTF-8 text", path=shown, line=line) from None


# dig prints the transfer's TSIG signature as a record line (class ANY); it is not zone data.
_TSIG_LINE = re.compile(r"^\S+\s+\d+\s+ANY\s+TSIG\s.*$", re.MULTILINE | re.IGNORECASE)
_DIG_HEADER = re.compile(r"^;\s*<<>>\s*DiG\b|^;;\s*AXFR for\b", re.MULTILINE | re.IGNORECASE)
# What dig and kdig print instead of (or in the middle of) a transfer that did not work.
_DIG_FAILED = re.compile(
    r"^;+\s*(Transfer failed|communications error|connection timed out|"
    r"no servers could be reached|Connection to .* failed|.*\bREFUSED\b|"
    r"failed to query server|.*NOTAUTH\b|.*SERVFAIL\b)",
    re.MULTILINE | re.IGNORECASE,
)


def is_dig_output(text: str) -> bool:
    return _DIG_HEADER.search(text[:4096]) is not None


def read_zone_file(
    text: str, zone: str, *, shown: str, folder: Path, budget: Budget
) -> tuple[list[Record], list[tuple[str, str, str, Origin]]]:
    """Every record of a master file (or dig/kdig AXFR output) for ``zone``, in file order,
    and the records whose data cannot be read: (owner, type, why, where).

    Relative names are relative to ``zone`` until a $ORIGIN says otherwise. Nothing is left
    out here: records outside the zone, the SOA, duplicates, all come back for the importer
    to judge. ``folder`` is where $INCLUDE may read from.
    """
    dig = is_dig_output(text)
    if dig:
        failed = _DIG_FAILED.search(text)
        if failed:
            line = text[: failed.start()].count("\n") + 1
            raise InputError(
                "dig did not get the zone: this output says "
                f"{failed.group(0).lstrip('; ').strip()!r}",
                path=shown,
                line=line,
                hint="run the transfer again (from a server that allows it to you) and import "
                "its complete output",
            )
        # Blank the lines instead of removing them, so the line numbers stay right.
        text = _TSIG_LINE.sub(";", text)
    context = _Context(zone, shown, folder, budget)
    records, refused = context.read(text)
    if dig and records:
        soa = dns.rdatatype.SOA
        first, last = records[0], records[-1]
        if first.rdata.rdtype != soa or last.rdata.rdtype != soa or len(records) < 2:
            raise InputError(
                "this dig output is not a complete zone transfer: an AXFR starts and ends "
                "with the zone's SOA (RFC 5936 2.2)",
                path=shown,
                hint="the transfer was cut short; run it again and import the complete output",
            )
    return records, refused


@dataclass
class _Context:
    """One read of an export: where records go, and what the limits leave."""

    zone: str
    shown: str
    folder: Path
    budget: Budget
    records: list[Record] = field(default_factory=list)
    # The file (as shown) and the line where the entry being read started, its tokens so
    # far, and whether the last token read ended the line.
    entry: tuple[str, int] = ("", 0)
    tokens: list[dns.tokenizer.Token] = field(default_factory=list)
    at_eol: bool = True
    shown_names: dict[str, str] = field(default_factory=dict)
    refused: list[tuple[str, str, str, Origin]] = field(default_factory=list)

    def read(self, text: str) -> tuple[list[Record], list[tuple[str, str, str, Origin]]]:
        origin = dns.name.from_text(self.zone)
        manager = dns.zonefile.RRSetsReaderManager(dns.name.root, False, dns.rdataclass.IN)
        txn = _Collect(manager, self)
        tokens = _Tokens(text, self.shown, _CODEC, self)
        self.shown_names[self.shown] = self.shown
        reader = _Reader(self, tokens, txn)
        # The zone decides where relative names go; the reader's own origin stays the root,
        # so it never skips a record outside the zone (the importer names each one).
        reader.current_origin = origin
        reader.last_name = origin
        try:
            reader.read()
        except InputError:
            raise
        except RecursionError:
            raise self._error("the zone file nests too deeply") from None
        except dns.exception.SyntaxError as e:
            filename, line = reader.tok.where()
            detail = str(e).removeprefix(f"{filename}:{line}: ")
            raise self._error(_readable(detail)) from None
        except Exception as e:  # dnspython raises many types on bad input
            raise self._error(_readable(str(e) or type(e).__name__)) from None
        return self.records, self.refused

    def _error(self, detail: str) -> InputError:
        path, line = self.entry
        if detail == "Missing default TTL value":
            # dnspython's words for a first record without a TTL, before any $TTL (RFC 2308
            # 4): a file BIND loads only as a zone's $INCLUDE, or with an SOA to fall back on.
            return InputError(
                "the record has no TTL, and no $TTL or earlier record gives one (RFC 2308 4)",
                path=path or self.shown,
                line=line or None,
                hint="add a $TTL line with the zone's TTL at the top, or import the zone file "
                "that $INCLUDEs this one",
            )
        return InputError(
            f"not a zone file zonegen can read: {detail}",
            path=path or self.shown,
            line=line or None,
        )

    def entry_type(self) -> str | None:
        """The type of the record being read, once its tokens got that far: after the owner
        (or the leading blank of a record at the last owner) and a TTL and class in either
        order (RFC 1035 5.1)."""
        tokens = [t for t in self.tokens if not t.is_eol_or_eof()]
        rest = tokens[1:]
        for _ in range(2):
            if rest and _is_ttl_or_class(rest[0].value):
                rest = rest[1:]
        if not rest or not rest[0].is_identifier() or not rest[0].value:
            return None
        return str(rest[0].value).upper()

    def refuse(self, name: dns.name.Name | None, rtype: str, reason: str) -> None:
        text = name.canonicalize().to_text() if name is not None else "?"
        self.refused.append((text, rtype, reason, Origin(*self.entry)))

    def add(self, name: dns.name.Name, ttl: int, rdata: dns.rdata.Rdata) -> None:
        self.budget.records += 1
        if self.budget.records > MAX_RECORDS:
            raise InputError(
                f"more than {MAX_RECORDS} records: more than an import takes",
                path=self.entry[0],
                line=self.entry[1],
                hint="import the part of the zone zonegen should manage",
            )
        rtype = dns.rdatatype.to_text(rdata.rdtype)
        text = name.canonicalize().to_text()
        self.records.append(Record(text, rtype, ttl, rdata, Origin(*self.entry), KEPT))

    def generate(self, token: dns.tokenizer.Token, where: tuple[str, int]) -> None:
        """Count the records a $GENERATE range makes before dnspython makes them."""
        try:
            start, stop, step = dns.grange.from_text(token.value)
        except Exception:
            return
        count = len(range(start, stop + 1, step))
        if self.budget.records + count > MAX_RECORDS:
            # The range alone may be within the limit (BIND's optout test zone has
            # $GENERATE 1-50000 after a few records): say what makes the total too many.
            before = self.budget.records
            also = f", which with the {before} records before it are" if before else ":"
            raise InputError(
                f"$GENERATE {token.value} makes {count} records{also} more than the "
                f"{MAX_RECORDS} records an import takes",
                path=where[0],
                line=where[1],
                hint="import the part of the zone zonegen should manage",
            )

    def include(self, token: dns.tokenizer.Token, where: tuple[str, int]) -> dns.tokenizer.Token:
        """Check an $INCLUDE file before dnspython opens it; give dnspython its real path."""
        if not (token.is_identifier() or token.is_quoted_string()):
            return token  # dnspython reports the missing file name itself
        raw = token.value
        self.budget.includes += 1

        def refuse(why: str, hint: str | None = None) -> InputError:
            return InputError(f"$INCLUDE {raw}: {why}", path=where[0], line=where[1], hint=hint)

        if self.budget.includes > MAX_INCLUDES:
            raise refuse(f"more than {MAX_INCLUDES} $INCLUDE directives in one export")
        folder = self.folder.resolve()
        path = Path(raw) if Path(raw).is_absolute() else self.folder / raw
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise refuse("no such file", hint=f"$INCLUDE reads files in {show(folder)}") from None
        if not real.is_relative_to(folder):
            raise refuse(
                f"outside the export's folder {show(folder)}: refused",
                hint="an import reads only files next to the export; copy the file there",
            )
        try:
            mode = real.stat().st_mode
        except OSError as e:
            raise refuse(f"cannot read it: {e.strerror}") from None
        if not stat.S_ISREG(mode):
            raise refuse("not a regular file")
        read_limited(real, self.budget, what="included file")
        self.shown_names[str(real)] = show(real)
        return dns.tokenizer.Token(token.ttype, str(real), token.has_escape)


def _is_ttl_or_class(text: str) -> bool:
    """Whether ``text`` reads as a TTL or a class, the fields that may follow an owner."""
    for parse in (dns.ttl.from_text, dns.rdataclass.from_text):
        try:
            parse(text)
        except Exception:  # dnspython raises BadTTL, UnknownRdataclass and others
            continue
        return True
    return False


# Errors after which the reading cannot go on: the tokenizer lost its place, or the whole
# file lacks something.
_FATAL = ("unbalanced parentheses", "newline in quoted string", "Missing default TTL value")


def _recoverable(error: dns.exception.SyntaxError) -> bool:
    """An error in one record's data (or an unknown type), after which the reader can skip
    to the next record: not the tokenizer's own errors that leave it lost (in a string, in
    parentheses, at the end) and not a file without any TTL."""
    return not isinstance(error, dns.exception.UnexpectedEnd) and not str(error).startswith(_FATAL)


def _readable(detail: str) -> str:
    # dnspython wraps errors in rdata as "caught exception <class 'X'>: message".
    m = re.match(r"caught exception <class '[\w.]+'>: (.*)", detail, re.DOTALL)
    detail = m.group(1) if m else detail
    if detail in ("", "Text input is malformed."):  # dnspython's SyntaxError without words
        return "malformed text"
    return detail


class _Tokens(dns.tokenizer.Tokenizer):
    """dnspython's tokenizer, watching the reader: where each entry starts, and the range of
    a $GENERATE and the file of an $INCLUDE before the reader acts on them."""

    def __init__(
        self, f: Any, filename: str, idna_codec: dns.name.IDNACodec, context: _Context
    ) -> None:
        super().__init__(f, filename, idna_codec)
        self.context = context
        self.directive: str | None = None

    def get(self, want_leading: bool = False, want_comment: bool = False) -> dns.tokenizer.Token:
        token = super().get(want_leading, want_comment)
        pending, self.directive = self.directive, None
        self.context.at_eol = token.is_eol_or_eof()
        if want_leading and want_comment:
            # The reader's main loop asks this way for the first token of each entry.
            shown = self.context.shown_names.get(self.filename, self.filename)
            self.context.entry = (shown, self.line_number)
            self.context.tokens = []
            if token.is_identifier() and token.value.upper() in ("$GENERATE", "$INCLUDE"):
                self.directive = token.value.upper()
        elif pending == "$GENERATE":
            self.context.generate(token, self.context.entry)
        elif pending == "$INCLUDE":
            token = self.context.include(token, self.context.entry)
        else:
            self.context.tokens.append(token)
        return token


class _Reader(dns.zonefile.Reader):
    """dnspython's reader; every tokenizer it makes (one per $INCLUDE) is a :class:`_Tokens`."""

    def __init__(self, context: _Context, tokens: _Tokens, txn: _Collect) -> None:
        self.context = context
        super().__init__(
            tokens,
            dns.rdataclass.IN,
            txn,
            allow_include=True,
            allow_directives=_DIRECTIVES,
        )

    def _rr_line(self) -> None:
        """dnspython's record reader; a record whose data it cannot read (or whose type it
        does not know) is refused on its own, and the reading goes on with the next."""
        try:
            super()._rr_line()
        except dns.exception.SyntaxError as e:
            rtype = self.context.entry_type()
            if rtype is None or not _recoverable(e):
                raise
            detail = _readable(str(e))
            if detail.startswith("unknown rdatatype"):
                detail = (
                    "neither dnspython nor octoDNS knows this type (RFC 3597 writes an "
                    "unknown type as TYPEnnn \\# length hex)"
                )
            self.context.refuse(self.last_name, rtype, f"its data cannot be read: {detail}")
            while not self.context.at_eol:  # the rest of the record (dnspython's _eat_line)
                self.tok.get()

    @property
    def tok(self) -> dns.tokenizer.Tokenizer:
        return self._tokens

    @tok.setter
    def tok(self, value: dns.tokenizer.Tokenizer) -> None:
        if not isinstance(value, _Tokens):
            value = _Tokens(value.file, value.filename, _CODEC, self.context)
        self._tokens = value


class _Collect(dns.zonefile.RRsetsReaderTransaction):
    """A transaction that keeps every record as read, in order, with its line."""

    def __init__(self, manager: dns.zonefile.RRSetsReaderManager, context: _Context) -> None:
        # RRsetsReaderTransaction.__init__ without its (untyped) signature: the same two steps.
        dns.transaction.Transaction.__init__(self, manager, True, False)
        self.rdatasets = {}
        self.context = context

    def add(self, *args: Any) -> None:
        name, ttl, rdata = args
        self.context.add(name, ttl, rdata)
