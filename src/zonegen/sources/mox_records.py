"""Read the DNS records Mox prints: a ``mox quickstart`` log or ``mox config dnsrecords`` output.

The grammar is Mox's ``admin.DomainRecords`` (admin/dnsrecords.go), unchanged in its essentials
from v0.0.10 to v0.0.17: a zone-file fragment that starts with two comments and ``$TTL 300``,
absolute owner names, no class, no per-record TTL, columns padded with spaces (so lines are
split on whitespace, never on columns), long DKIM values as a parenthesised list of
100-character strings (``mox-/txt.go`` TXTStrings), and records that must not be published yet
commented out with ``;; `` (TLSA without DNSSEC, CAA with an ACME account URI).

In a quickstart log the block sits between prose that holds the admin and account passwords,
so only the block is read, and no error message ever quotes a token of the line it is about (a
damaged log can put a password line inside the block, and a password can look like a name):
messages name the file, the line number and the field that is wrong.
"""

from __future__ import annotations

import binascii
import functools
import re
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.ttl

from .. import names
from ..errors import InputError
from ..model import Origin, Record, origin_at
from ..text import digits
from . import rdata

# What Mox prints (TLSA TXT MX CNAME SRV CAA) plus the address types a hand-edited copy may add.
SUPPORTED_TYPES = frozenset({"A", "AAAA", "CAA", "CNAME", "MX", "SRV", "TLSA", "TXT"})

# What each type's data looks like as Mox prints it (admin/dnsrecords.go), for messages.
_FORMS = {
    "A": "an IPv4 address",
    "AAAA": "an IPv6 address",
    "CAA": 'FLAGS TAG "VALUE"',
    "CNAME": "one absolute name",
    "MX": "PREFERENCE HOST.",
    "SRV": "PRIORITY WEIGHT PORT TARGET.",
    "TLSA": "USAGE SELECTOR TYPE HEX",
    "TXT": 'quoted strings, "..." "..."',
}
# The first line of every block Mox prints (admin/dnsrecords.go DomainRecords, v0.0.1+).
MOX_HEADER = "; Time To Live of 5 minutes, may be recognized if importing as a zone file."
# The last record Mox prints for every domain, whatever its config (v0.0.8+: admin.go, then
# admin/dnsrecords.go): only the optional CAA group may follow it.
_LAST_RECORD = "_pop3s._tcp."
_TTL_RE = re.compile(r"^\$TTL[ \t]+(\S+)[ \t]*$")
_TYPE_RE = re.compile(r"^[A-Z][A-Z0-9]*$")
_RDATA_ERRORS = (
    dns.exception.DNSException,
    ValueError,
    TypeError,
    UnicodeError,
    binascii.Error,
    OverflowError,
)


@dataclass(frozen=True, slots=True)
class MoxOutput:
    """The records of one file Mox printed and the ``$TTL`` it set."""

    path: str
    records: tuple[Record, ...]
    default_ttl: int


def parse_mox_output(text: str, path: str) -> MoxOutput:
    """Parse the record block in ``text``; ``path`` is only used in messages and origins."""
    # A BOM (an editor's save as "UTF-8 with BOM") would hide Mox's header from check_whole.
    lines = text.removeprefix("\ufeff").split("\n")
    if "\r" in text:
        lines = [line.removesuffix("\r") for line in lines]
    if lines and not lines[-1]:
        # The "" after the last "\n" is no line: counted as blank, a log cut right after a
        # group's blank line would look like the two blank lines that end the block.
        lines.pop()
    start = _find_block(lines, path)
    # A quickstart log says "The DNS records to add:" (every version) before the block: the
    # block then ends at the first two blank lines (Mox prints four before its closing
    # WARNING), and running out of file before that means the log was cut off. Other text
    # before the block (stderr captured with `2>&1`) also lets it end at two blank lines,
    # but the end of the file is no truncation there. A dnsrecords file is the block alone
    # and is read to its end, so nothing in it is ever skipped.
    before = lines[:start]
    is_log = any("The DNS records to add:" in line for line in before)
    prose = any(line.strip() and not line.startswith(";") for line in before)
    # Mox's own header (admin/dnsrecords.go prints it first, every version) says the block is
    # as Mox printed it, so it must be whole: see _Parser.check_whole.
    printed = any(line.startswith(MOX_HEADER) for line in before[-2:])
    return _Parser(lines, path, is_log, ends_early=prose, printed=printed).parse(start)


def _find_block(lines: list[str], path: str) -> int:
    for i, line in enumerate(lines):
        if _TTL_RE.match(line):
            return i
    raise InputError(
        "no DNS records found: Mox's record block starts with a '$TTL' line and there is none",
        path=path,
        hint="give the quickstart.log of a quickstart that finished, or the output of "
        "'mox config dnsrecords DOMAIN'",
    )


class _Parser:
    def __init__(
        self, lines: list[str], path: str, is_log: bool, ends_early: bool, printed: bool = False
    ) -> None:
        self.lines = lines
        self.path = path
        self.is_log = is_log
        self.ends_early = is_log or ends_early
        self.printed = printed
        self.ttl = 0
        self.records: list[Record] = []
        self.after_last = 0  # the index of the line after the last record
        self.ttl_lines: list[int] = []  # each '$TTL' starts one block Mox printed

    def error(self, lineno: int, message: str, hint: str | None = None) -> InputError:
        return InputError(message, path=self.path, line=lineno, hint=hint)

    def parse(self, start: int) -> MoxOutput:
        lines = self.lines
        i = start
        blank_run = 0
        ended = False
        while i < len(lines):
            line = lines[i]
            lineno = i + 1
            i += 1
            # Most lines are Mox's comments, which are never blank: tested first.
            if line[:1] == ";":
                blank_run = 0
                if line.startswith(";; ") and _looks_like_record(line[3:]):
                    i = self._record(line[3:], lineno, i, disabled=True)
                    self.after_last = i
                continue
            if not line.strip():
                blank_run += 1
                if self.ends_early and blank_run >= 2:
                    ended = True
                    break
                continue
            blank_run = 0
            if line.startswith("$"):
                m = _TTL_RE.match(line)
                if not m:
                    raise self.error(lineno, "unsupported directive; Mox only prints '$TTL'")
                self.ttl_lines.append(lineno)
                try:
                    self.ttl = dns.ttl.from_text(m.group(1))
                except dns.exception.DNSException:
                    raise self.error(lineno, "'$TTL' needs a number of seconds") from None
                continue
            if line[0] in " \t":
                raise self.error(
                    lineno, "indented line outside a parenthesised record; the file looks damaged"
                )
            i = self._record(line, lineno, i, disabled=False)
            self.after_last = i
        # A log whose block runs into the end of the file was cut off somewhere in the block.
        if self.is_log and not ended:
            raise self.error(
                len(lines),
                "the quickstart log ends inside Mox's record block: it looks truncated",
                hint="use the complete log, or 'mox config dnsrecords DOMAIN' output",
            )
        if not self.records:
            raise self.error(start + 1, "Mox's record block holds no records")
        if self.printed:
            self.check_whole(i)
        return MoxOutput(self.path, tuple(self.records), self.ttl)

    def check_whole(self, end: int) -> None:
        """A block Mox printed, cut short at a line break, still parses: it must be refused,
        or a build would publish (and a sync delete down to) part of Mox's records.

        Mox prints every domain's records in one order ending with the ``_pop3s._tcp`` SRV
        (admin/dnsrecords.go); after it comes only the CAA group, whose comments are
        followed by its record. Groups are separated by one blank line, and only the
        MTA-STS note is a group of comments alone, never the last. So: each block needs an
        MX, each MX domain its ``_pop3s._tcp`` SRV, and no group after the last record may
        lack a record.
        """
        hint = (
            "give the whole output of 'mox config dnsrecords DOMAIN'; to leave records out, "
            "use mox.exclude or mox.groups in the site file, not an edit of Mox's output"
        )
        # Messages name lines, never their text (module docstring: a log holds passwords).
        last = {r.name.lower() for r in self.records if r.rtype == "SRV"}
        for record in self.records:
            if record.rtype == "MX" and f"{_LAST_RECORD}{record.name}".lower() not in last:
                raise self.error(
                    record.origin.line,
                    "Mox's records for this MX's domain end before the _pop3s._tcp SRV Mox "
                    "always prints last: the file looks cut off",
                    hint,
                )
        # Each '$TTL' starts a block Mox printed (two files joined with cat make two), and
        # each block holds its domain's MX: the second of two joined files cut before it
        # would otherwise pass as the first alone.
        mx_lines = [r.origin.line for r in self.records if r.rtype == "MX"]
        ends = [*self.ttl_lines[1:], len(self.lines) + 1]
        for at, upto in zip(self.ttl_lines, ends, strict=True):
            if not any(at < line < upto for line in mx_lines):
                raise self.error(
                    at,
                    "Mox's records have no MX record after this '$TTL', and Mox always prints "
                    "one: the file looks cut off or edited",
                    hint,
                )
        blank = False
        for i in range(self.after_last, min(end, len(self.lines))):
            if not self.lines[i].strip():
                blank = True
            elif blank:
                raise self.error(
                    i + 1,
                    "the file ends in comments with no record after them: it looks cut off",
                    hint,
                )

    def _record(self, first: str, lineno: int, next_i: int, *, disabled: bool) -> int:
        """Parse one record starting on line ``lineno``; return the index of the next line."""
        text, depth = _strip_comment_and_parens(first)
        i = next_i
        while depth > 0:
            if i >= len(self.lines):
                raise self.error(
                    lineno, "record not closed with ')': the file ends inside it (truncated?)"
                )
            cont = self.lines[i]
            if disabled:
                # A multi-line record inside a comment would be continued by comment lines.
                if not cont.startswith(";; "):
                    raise self.error(lineno, "commented-out record not closed with ')'")
                cont = cont[3:]
            if not cont.strip() or not (cont[0] in " \t" or cont.lstrip().startswith(")")):
                raise self.error(
                    lineno, "record not closed with ')' before the next line (truncated?)"
                )
            more, delta = _strip_comment_and_parens(cont)
            text += " " + more
            depth += delta
            if depth < 0:
                raise self.error(i + 1, "unbalanced ')'")
            i += 1
        if depth < 0:
            raise self.error(lineno, "unbalanced ')'")
        self.records.append(self._parse_record(text, lineno, disabled))
        return i

    def _parse_record(self, text: str, lineno: int, disabled: bool) -> Record:
        fields = text.split(None, 1)
        if len(fields) < 2:
            raise self.error(lineno, "record has no type and data: the line looks truncated")
        owner_text, rest = fields
        if not owner_text.endswith(".") and not disabled:
            raise self.error(
                lineno,
                "owner name is not absolute (no trailing '.'); Mox prints absolute names",
            )
        try:
            owner = names.canonical(owner_text)
        except ValueError:
            raise self.error(
                lineno, "the owner name (the first field) is not a domain name"
            ) from None
        ttl = self.ttl
        tokens = rest.split(None, 1)
        # Mox prints neither a TTL nor a class (a type, as Mox writes it, is neither: the
        # common case skips both tests), but a hand-edited copy may carry both.
        if tokens and tokens[0] not in SUPPORTED_TYPES:
            if digits(tokens[0]):
                ttl = int(tokens[0])
                tokens = tokens[1].split(None, 1) if len(tokens) > 1 else []
            if tokens and tokens[0].upper() == "IN":
                tokens = tokens[1].split(None, 1) if len(tokens) > 1 else []
        if not tokens:
            raise self.error(lineno, "the record has no type: the line looks truncated")
        rtype = tokens[0].upper()
        if rtype not in SUPPORTED_TYPES:
            raise self.error(
                lineno,
                "unknown record type (the field after the owner name)",
                hint=f"zonegen reads {', '.join(sorted(SUPPORTED_TYPES))}",
            )
        if len(tokens) < 2 or not tokens[1].strip():
            raise self.error(lineno, f"the {rtype} record has no data (truncated?)")
        try:
            template = _template(rtype, tokens[1].strip())
        except _RDATA_ERRORS:
            # dnspython's reason quotes the text it choked on: say what the data should be.
            raise self.error(
                lineno, f"malformed {rtype} data: Mox writes {_FORMS[rtype]}"
            ) from None
        return template.placed(owner, ttl, origin_at(self.path, lineno), disabled)


_NOWHERE = Origin("")


@functools.lru_cache(maxsize=65536)
def _template(rtype: str, text: str) -> Record:
    """A record of the rdata in ``text``, with its presentation text and target derived once:
    a Mox setup prints the host's records (and often the same keys and policies) for every
    domain, and the records made from it are copies with their own owner, TTL and place."""
    return Record.presented("", rtype, 0, *rdata.presented(rtype, text), _NOWHERE)


def _looks_like_record(body: str) -> bool:
    """Is a ``;; `` line a commented-out record (as Mox writes them) rather than prose?"""
    parts = body.split()
    if len(parts) < 3:
        return False
    idx = 1
    if digits(parts[idx]):
        idx += 1
    if idx < len(parts) and parts[idx].upper() == "IN":
        idx += 1
    return idx < len(parts) - 1 and bool(_TYPE_RE.match(parts[idx])) and "." in parts[0]


def _strip_comment_and_parens(line: str) -> tuple[str, int]:
    """Drop a ``;`` comment and the grouping parentheses outside quotes (RFC 1035 5.1).

    Returns the remaining text and the change in parenthesis depth.
    """
    if "\\" not in line:
        if '"' not in line and ";" not in line and "(" not in line and ")" not in line:
            return line.strip(), 0  # nothing to drop or count: most of Mox's record lines
        # Without escapes, the text outside quotes is every other piece between '"'s (when
        # the quotes pair up): cut at its first ';', count and blank its parentheses.
        pieces = line.split('"')
        if len(pieces) % 2:
            depth = 0
            for i in range(0, len(pieces), 2):
                piece = pieces[i]
                cut = piece.find(";")
                if cut >= 0:
                    piece = piece[:cut]
                    del pieces[i + 1 :]
                if "(" in piece or ")" in piece:
                    depth += piece.count("(") - piece.count(")")
                    piece = piece.replace("(", " ").replace(")", " ")
                pieces[i] = piece
                if cut >= 0:
                    break
            return '"'.join(pieces).strip(), depth
    return _strip_slow(line)


def _strip_slow(line: str) -> tuple[str, int]:
    """:func:`_strip_comment_and_parens` a character at a time (escapes, unpaired quotes)."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for ch in line:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            out.append(ch)
            escaped = True
            continue
        if ch == '"':
            quoted = not quoted
            out.append(ch)
            continue
        if not quoted:
            if ch == ";":
                break
            if ch in "()":
                depth += 1 if ch == "(" else -1
                out.append(" ")
                continue
        out.append(ch)
    return "".join(out).strip(), depth


def format_mox_output(output: MoxOutput, comments: tuple[str, ...] = ()) -> str:
    """``output``'s records as Mox prints them for ``mox config dnsrecords``, written from
    zonegen's model: ``comments`` (each line prefixed ``; ``), ``$TTL``, then one record a
    line (absolute owner, type, dnspython's presentation text), records Mox printed
    commented out again behind ``;; ``. :func:`parse_mox_output` reads it back to the same
    records (names, types, TTLs, values, commented out or not), and nothing but the records
    is in it: ``zonegen init`` keeps a quickstart log's records this way, never its lines
    (the log holds passwords). A record whose TTL is not the ``$TTL`` carries its own."""
    lines = [f"; {line}".rstrip() for line in comments]
    lines += [f"$TTL {output.default_ttl}", ""]
    for record in output.records:
        ttl = "" if record.ttl == output.default_ttl else f" {record.ttl}"
        text = f"{record.name}{ttl} {record.rtype} {record.value}"
        lines.append(f";; {text}" if record.disabled else text)
    return "\n".join(lines) + "\n"
