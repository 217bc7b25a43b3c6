"""SPF (RFC 7208): one parser and model of the record grammar, and what lints a record.

:func:`parse` reads a record by the ABNF of RFC 7208 section 12 (mechanisms, qualifiers,
modifiers including unknown ones, macros with their transformers and delimiters, dual CIDR
lengths, the domain-spec's ``domain-end``) and raises :class:`SpfSyntaxError` naming the first
term that is not in the grammar: receivers return ``permerror`` for any of them (4.6).

:func:`lint` and :func:`count_lookups` read records through a :class:`Lookup`: any object with
``ask(name, rdtype)``. ``check_host()``, which evaluates a record as a receiver does (sections
4 and 5), is in :mod:`zonegen.mail.spf_eval`, over the same parser and Lookup: the build reads
records but evaluates few, so it imports the evaluator only where it evaluates one.

Why not a library: pyspf evaluates through a module-level ``DNSLookup`` function (tests
monkeypatch it), so it cannot take a resolver per call, and it has no way to say "this name
is unknowable" short of an error; checkdmarc resolves includes over the network while it
parses. Neither gives a parse tree to lint. This module is tested against the openspf
RFC 7208 test suite (tests/data/lint/spf), every case offline through a Lookup.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
from collections.abc import Iterator
from typing import NamedTuple, Protocol

from .taglist import ERROR as ERROR_
from .taglist import WARNING as WARNING_
from .taglist import Issue

LOOKUP_LIMIT = 10  # RFC 7208 4.6.4: DNS-querying mechanisms and modifiers
VOID_LIMIT = 2  # RFC 7208 4.6.4: lookups answered NXDOMAIN or with no records
MX_LIMIT = 10  # RFC 7208 4.6.4: MX records one "mx" may look at
PTR_LIMIT = 10  # RFC 7208 4.6.4: PTR names one "ptr" (or %{p}) may validate

RESULTS = ("none", "neutral", "pass", "fail", "softfail", "temperror", "permerror")
UNKNOWN_RESULT = "unknown"  # not an RFC result: the answer depends on DNS this lookup cannot see
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")  # and the redirect modifier

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SpfSyntaxError(ValueError):
    """A record that is not RFC 7208 grammar; receivers return permerror (4.6)."""

    def __init__(self, message: str, term: str = "") -> None:
        super().__init__(message)
        self.term = term


# ---------------------------------------------------------------------------- the model
#
# Immutable values as NamedTuples: each is made for every term of every record read, and a
# NamedTuple is made (and its class created at import) several times faster than a frozen
# dataclass, with the same fields, equality, hash and repr.


class Macro(NamedTuple):
    """``%{letter transformers delimiters}`` (RFC 7208 7.1)."""

    letter: str  # lowercase: s l o d i p h c r t v
    escape: bool  # the letter was uppercase: URL-escape the value (7.3)
    digits: int | None  # keep this many right-hand parts
    reverse: bool
    delimiters: str  # '' means '.'


class MacroString(NamedTuple):
    """A macro-string: literal text and macros, in order (RFC 7208 7.1)."""

    text: str  # as written
    parts: tuple[str | Macro, ...]

    @property
    def has_macros(self) -> bool:
        return any(isinstance(p, Macro) for p in self.parts)

    @property
    def literal(self) -> str | None:
        """The text when it has no ``%{...}`` macro (``%%``, ``%_``, ``%-`` expanded)."""
        if self.has_macros:
            return None
        return "".join(p for p in self.parts if isinstance(p, str))


class Mechanism(NamedTuple):
    qualifier: str  # '+', '-', '~' or '?' ('+' when none was written)
    name: str  # lowercase: all include a mx ptr ip4 ip6 exists
    domain: MacroString | None = None  # the domain-spec after ':'
    cidr4: int | None = None
    cidr6: int | None = None
    network: _Network | None = None  # ip4/ip6
    text: str = ""

    @property
    def result(self) -> str:
        return QUALIFIERS[self.qualifier]


class Modifier(NamedTuple):
    name: str  # lowercase
    value: MacroString
    text: str = ""


class Record(NamedTuple):
    terms: tuple[Mechanism | Modifier, ...]
    text: str
    # Derived from ``terms`` once, when the record is made (:meth:`of`): lint and check_host
    # read them for every record they look at, several times each.
    mechanisms: tuple[Mechanism, ...]
    redirect: Modifier | None
    exp: Modifier | None
    has_all: bool

    @classmethod
    def of(cls, terms: tuple[Mechanism | Modifier, ...], text: str) -> Record:
        mechanisms = tuple(t for t in terms if isinstance(t, Mechanism))
        return cls(
            terms,
            text,
            mechanisms,
            _modifier(terms, "redirect"),
            _modifier(terms, "exp"),
            any(m.name == "all" for m in mechanisms),
        )

    def modifier(self, name: str) -> Modifier | None:
        return _modifier(self.terms, name)


def _modifier(terms: tuple[Mechanism | Modifier, ...], name: str) -> Modifier | None:
    return next((t for t in terms if isinstance(t, Modifier) and t.name == name), None)


# ---------------------------------------------------------------------------- parsing


def is_spf(text: str) -> bool:
    """RFC 7208 4.5: a record is SPF when it starts with ``v=spf1`` (any case, as the ABNF's
    quoted strings are) followed by a space or the end of the record."""
    return text[:6].lower() == "v=spf1" and text[6:7] in ("", " ")


def looks_like_spf(text: str) -> bool:
    """Text meant as SPF that receivers will not take as SPF: ``v=spf1`` followed by
    something other than a space, a leading space, or ``spf1`` misspelt."""
    return not is_spf(text) and _LIKE_SPF.match(text.lstrip()) is not None


# "v=spf1" in any case, with whitespace around "=" and before "1", not followed by a digit.
# The letters' cases are spelt out rather than the text lowercased: only "V", "S", "P" and
# "F" lowercase to those letters, whitespace and digits have no case, so this is the match
# of the lowercase pattern on the lowercased text, without copying a 400-character DKIM key
# to lowercase it (tests/test_mail_spf.py holds the two to each other). Not re.IGNORECASE:
# it matches "ſ" (U+017F) as "s", which lowercasing does not.
_LIKE_SPF = re.compile(r"[vV]\s*=\s*[sS][pP][fF]\s*1(?![0-9])")


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*\Z")  # RFC 7208 12: modifier name
_TOPLABEL = re.compile(
    r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])\Z"
)
_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"  # no leading zeros
_IP4 = re.compile(rf"({_QNUM}\.{_QNUM}\.{_QNUM}\.{_QNUM})(?:/([0-9]+))?\Z")
_DUAL_CIDR = re.compile(r"(?:/([0-9]+))?(?://([0-9]+))?\Z")
_MACRO_LETTERS = "slodiphcrtv"
_EXP_ONLY = "crt"  # RFC 7208 7.2: only in explanation text
_DELIMITERS = ".-+,/_="


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Record:
    """The record's terms; raises :class:`SpfSyntaxError` at the first one not in the grammar."""
    if not is_spf(text):
        raise SpfSyntaxError("does not start with 'v=spf1' and a space")
    terms: list[Mechanism | Modifier] = []
    for raw in text[6:].split(" "):
        if raw:  # RFC 7208 12: terms are separated by one or more spaces
            terms.append(_term(raw))
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if isinstance(t, Modifier) and t.name == name) > 1:
            raise SpfSyntaxError(f"{name}= appears more than once (RFC 7208 6)", name)
    return Record.of(tuple(terms), text)


def _term(raw: str) -> Mechanism | Modifier:
    bad = next((c for c in raw if not 0x21 <= ord(c) <= 0x7E), None)
    if bad is not None:
        raise SpfSyntaxError(
            f"{_show(raw)}: character {bad!r} is not printable ASCII (RFC 7208 3.1, 12)", raw
        )
    # RFC 7208 12: a modifier's '=' comes right after its name, before any ':' or '/'.
    split = re.search(r"[=:/]", raw)
    if split and split.group() == "=":
        name, value = raw[: split.start()], raw[split.end() :]
        if not _NAME.match(name):
            raise SpfSyntaxError(
                f"{_show(raw)}: a modifier name starts with a letter, then letters, digits, "
                "'-', '_', '.' (RFC 7208 12)",
                raw,
            )
        lowered = name.lower()
        if lowered in ("redirect", "exp"):
            return Modifier(lowered, _domain_spec(value, raw, f"{lowered}="), raw)
        return Modifier(lowered, macro_string(value, raw), raw)
    qualifier = raw[0] if raw[0] in QUALIFIERS else ""
    body = raw[len(qualifier) :]
    m = re.match(r"[A-Za-z0-9]*", body)
    name = m.group().lower() if m else ""
    rest = body[len(name) :]
    if name not in MECHANISMS:
        raise SpfSyntaxError(f"{_show(raw)}: unknown mechanism (RFC 7208 5, 12)", raw)
    return _mechanism(qualifier or "+", name, rest, raw)


def _mechanism(qualifier: str, name: str, rest: str, raw: str) -> Mechanism:
    if name == "all":
        if rest:
            raise SpfSyntaxError(f"{_show(raw)}: 'all' takes no argument (RFC 7208 5.1)", raw)
        return Mechanism(qualifier, name, text=raw)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"{_show(raw)}: {name} needs ':' and a domain (RFC 7208 5)", raw)
        return Mechanism(qualifier, name, _domain_spec(rest[1:], raw, f"{name}:"), text=raw)
    if name == "ptr":
        if not rest:
            return Mechanism(qualifier, name, text=raw)
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"{_show(raw)}: ptr takes no CIDR length (RFC 7208 5.5)", raw)
        return Mechanism(qualifier, name, _domain_spec(rest[1:], raw, "ptr:"), text=raw)
    if name in ("ip4", "ip6"):
        if not rest.startswith(":"):
            raise SpfSyntaxError(
                f"{_show(raw)}: {name} needs ':' and a network (RFC 7208 5.6)", raw
            )
        network, cidr = _ip_network(name, rest[1:], raw)
        return Mechanism(
            qualifier,
            name,
            cidr4=cidr if name == "ip4" else None,
            cidr6=cidr if name == "ip6" else None,
            network=network,
            text=raw,
        )
    # a, mx: [ ":" domain-spec ] [ dual-cidr-length ] (RFC 7208 5.3, 5.4)
    lengths = _DUAL_CIDR.search(rest)
    assert lengths is not None  # every string ends with an empty match
    head = rest[: lengths.start()]
    cidr4 = _cidr(lengths.group(1), 32, raw)
    cidr6 = _cidr(lengths.group(2), 128, raw)
    if not head:
        return Mechanism(qualifier, name, cidr4=cidr4, cidr6=cidr6, text=raw)
    if not head.startswith(":"):
        raise SpfSyntaxError(
            f"{_show(raw)}: after '{name}' comes ':domain', '/len' or '//len' (RFC 7208 5.3, 5.4)",
            raw,
        )
    domain = _domain_spec(head[1:], raw, f"{name}:")
    return Mechanism(qualifier, name, domain, cidr4, cidr6, text=raw)


def _cidr(digits: str | None, limit: int, raw: str) -> int | None:
    if digits is None:
        return None
    # RFC 7208 12: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT), no leading zeros.
    if len(digits) > 1 and digits[0] == "0":
        raise SpfSyntaxError(f"{_show(raw)}: a CIDR length has no leading zeros (RFC 7208 12)", raw)
    value = int(digits)
    if value > limit:
        raise SpfSyntaxError(
            f"{_show(raw)}: CIDR length {value} is over {limit} (RFC 7208 5.6)", raw
        )
    return value


def _ip_network(kind: str, text: str, raw: str) -> tuple[_Network, int | None]:
    if kind == "ip4":
        m = _IP4.match(text)
        if not m:
            raise SpfSyntaxError(
                f"{_show(raw)}: not a dotted-quad IPv4 address with an optional /len "
                "(RFC 7208 5.6; no leading zeros, no omitted parts, no port)",
                raw,
            )
        prefix = _cidr(m.group(2), 32, raw)
        net4 = ipaddress.IPv4Network(
            f"{m.group(1)}/{32 if prefix is None else prefix}", strict=False
        )
        return net4, prefix
    address, slash, digits = text.partition("/")
    if slash and not re.fullmatch(r"[0-9]+", digits):
        raise SpfSyntaxError(f"{_show(raw)}: bad CIDR length for ip6 (RFC 7208 5.6)", raw)
    prefix = _cidr(digits, 128, raw) if slash else None
    if "%" in address or not re.fullmatch(r"[0-9A-Fa-f:.]+", address):
        raise SpfSyntaxError(f"{_show(raw)}: not an IPv6 address (RFC 4291 2.2)", raw)
    try:
        ip6 = ipaddress.IPv6Address(address)
    except ValueError:
        raise SpfSyntaxError(f"{_show(raw)}: not an IPv6 address (RFC 4291 2.2)", raw) from None
    return ipaddress.IPv6Network(f"{ip6}/{128 if prefix is None else prefix}", strict=False), prefix


def macro_string(text: str, raw: str, *, explain: bool = False) -> MacroString:
    """A macro-string (RFC 7208 7.1); ``explain``: explain-string, where spaces and the
    letters c, r and t are allowed."""
    parts: list[str | Macro] = []
    literal = ""
    i = 0
    while i < len(text):
        c = text[i]
        if c != "%":
            if not (0x21 <= ord(c) <= 0x7E or (explain and c == " ")):
                raise SpfSyntaxError(f"{_show(raw)}: character {c!r} in a macro-string", raw)
            literal += c
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt in ("%", "_", "-"):
            literal += {"%": "%", "_": " ", "-": "%20"}[nxt]
            i += 2
            continue
        m = re.match(r"%\{([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)\}", text[i:])
        if nxt != "{" or not m:
            raise SpfSyntaxError(
                f"{_show(raw)}: '%' starts a macro: %{{letter...}}, %%, %_ or %- (RFC 7208 7.1)",
                raw,
            )
        letter = m.group(1)
        if letter.lower() not in _MACRO_LETTERS:
            raise SpfSyntaxError(
                f"{_show(raw)}: unknown macro letter {letter!r} (RFC 7208 7.2)", raw
            )
        if letter.lower() in _EXP_ONLY and not explain:
            raise SpfSyntaxError(
                f"{_show(raw)}: macro %{{{letter}}} is allowed only in explanation text "
                "(RFC 7208 7.2)",
                raw,
            )
        digits = m.group(2)
        if digits and int(digits) == 0:
            raise SpfSyntaxError(
                f"{_show(raw)}: a macro's part count is not zero (RFC 7208 7.3)", raw
            )
        if literal:
            parts.append(literal)
            literal = ""
        parts.append(
            Macro(
                letter.lower(),
                letter.isupper(),
                int(digits) if digits else None,
                bool(m.group(3)),
                m.group(4),
            )
        )
        i += m.end()
    if literal:
        parts.append(literal)
    return MacroString(text, tuple(parts))


def _domain_spec(text: str, raw: str, what: str) -> MacroString:
    """domain-spec = macro-string domain-end; domain-end = ("." toplabel ["."]) / macro-expand."""
    if not text:
        raise SpfSyntaxError(f"{_show(raw)}: {what} needs a domain (RFC 7208 5, 6)", raw)
    spec = macro_string(text, raw)
    if re.search(r"(%\{[^}]*\}|%%|%_|%-)\Z", text):
        return spec  # ends with a macro-expand
    tail = text[:-1] if text.endswith(".") else text
    label = tail.rsplit(".", 1)
    if len(label) != 2 or "%" in label[1] or not _TOPLABEL.match(label[1]):
        shown = label[-1] or text
        reason = (
            "is all digits (an IP address belongs in ip4:)"
            if re.fullmatch(r"[0-9.]+", text)
            else f"ends in {shown!r}, which is not a top label"
            if len(label) == 2
            else "has no top label: a single label is not a domain here"
        )
        raise SpfSyntaxError(f"{_show(raw)}: the domain {reason} (RFC 7208 7.1)", raw)
    return spec


def domain_problem(spec: MacroString) -> str | None:
    """Why a macro-free domain-spec cannot be looked up (RFC 1035 2.3.4: empty labels,
    labels over 63 or names over 253 octets), or None. Receivers return no match or
    permerror for these (the RFC 7208 test suite accepts either)."""
    text = spec.literal
    if text is None:
        return None
    name = text[:-1] if text.endswith(".") else text
    labels = name.split(".")
    if any(not label for label in labels):
        return f"{text!r} has an empty label"
    if any(_octets(label) > 63 for label in labels):
        return f"{text!r} has a label over 63 octets"
    if _octets(name) > 253:
        return f"{text!r} is over 253 octets"
    return None


def _octets(text: str) -> int:
    """The length of ``text`` on the wire. Macro expansion puts the SMTP sender and HELO into
    names (RFC 7208 7.3), and those hold whatever the client sent, lone surrogates included
    (bytes read with surrogateescape): counted, never an encoding error."""
    return len(text.encode("utf-8", "surrogatepass"))


def _show(raw: str) -> str:
    return repr(raw if len(raw) <= 60 else raw[:57] + "...")


# ---------------------------------------------------------------------------- the lookup


class Fault(enum.Enum):
    """What a lookup can answer instead of records."""

    NXDOMAIN = "nxdomain"  # the name does not exist (RCODE 3)
    ERROR = "error"  # a DNS error or timeout: temperror (RFC 7208 2.6.6)
    UNKNOWN = "unknown"  # offline: the name is outside what this lookup knows


NXDOMAIN = Fault.NXDOMAIN
ERROR = Fault.ERROR
UNKNOWN = Fault.UNKNOWN

Answer = tuple[str, ...] | Fault


class Lookup(Protocol):
    """The DNS as SPF sees it. ``name`` has no trailing dot; the answer is the records'
    presentation text: A/AAAA an address, MX ``"pref exchange"``, PTR a name, TXT the
    strings of one record joined. CNAMEs are followed by the lookup (as a resolver does).
    An empty tuple is NODATA."""

    def ask(self, name: str, rdtype: str) -> Answer: ...


# ---------------------------------------------------------------------------- names


def valid_domain(name: str) -> bool:
    """RFC 7208 4.3: a multi-label name with labels of 1 to 63 octets (a trailing dot is fine)."""
    name = name[:-1] if name.endswith(".") else name
    labels = name.split(".")
    if name.isascii():
        # one octet per character: the same test without encoding each label
        return (
            len(labels) > 1
            and all(0 < len(label) <= 63 for label in labels)
            and len(name) <= 253
            and not name.startswith("[")
        )
    return (
        len(labels) > 1
        and all(0 < _octets(label) <= 63 for label in labels)
        and _octets(name) <= 253
        and not name.startswith("[")
    )


# ---------------------------------------------------------------------------- lint helpers


class LookupCount:
    """The DNS-querying terms one evaluation can reach from a record (4.6.4), counted
    through include and redirect into the names the lookup knows. (A plain class: a
    NamedTuple's ``count`` would be tuple.count.)"""

    __slots__ = ("count", "external", "loop", "macro", "no_record")

    def __init__(
        self,
        count: int,
        external: tuple[str, ...],
        macro: bool,
        loop: tuple[str, ...],
        no_record: tuple[tuple[str, str], ...],
    ) -> None:
        self.count = count  # include, a, mx, ptr, exists, redirect, counted where known
        self.external = external  # include/redirect targets the lookup cannot see
        self.macro = macro  # a target holds macros: only known at evaluation time
        self.loop = loop  # an include/redirect chain that comes back to a name on it
        # include/redirect targets whose evaluation is a permerror (none, several or a
        # malformed SPF record), with the reason
        self.no_record = no_record


def count_lookups(domain: str, lookup: Lookup) -> LookupCount:
    """Worst-case lookup count for ``domain``'s SPF record: every term evaluated (no earlier
    match), as check_host would for a sender that matches nothing."""
    external: list[str] = []
    no_record: list[tuple[str, str]] = []
    loop: list[str] = []
    macro = False

    def walk(name: str, path: tuple[str, ...]) -> int:
        nonlocal macro
        key = name.lower().rstrip(".")
        if len(path) > LOOKUP_LIMIT:
            # every name on the path was reached by an include or redirect the callers
            # counted: the total is over the limit already, deeper adds nothing (and a chain
            # of thousands of names in the zones would otherwise recurse without bound)
            return 0
        if key in path:
            if not loop:
                loop.extend((*path[path.index(key) :], key))
            return LOOKUP_LIMIT + 1
        record = _record_at(key, lookup)
        if record is None:
            external.append(key)
            return 0
        if isinstance(record, str):
            no_record.append((key, record))
            return 0
        total = 0
        targets: list[MacroString] = []
        for m in record.mechanisms:
            if m.name in LOOKUP_MECHANISMS:
                total += 1
                if m.name == "include" and m.domain is not None:
                    targets.append(m.domain)
        if record.redirect is not None and not record.has_all:
            total += 1
            targets.append(record.redirect.value)
        for spec in targets:
            literal = spec.literal
            if literal is None:
                macro = True
                continue
            total += walk(literal, (*path, key))
            if total > 10 * LOOKUP_LIMIT:
                break
        return total

    total = walk(domain, ())
    return LookupCount(
        total, tuple(dict.fromkeys(external)), macro, tuple(loop), tuple(dict.fromkeys(no_record))
    )


def _record_at(name: str, lookup: Lookup) -> Record | str | None:
    """The parsed SPF record at ``name``; None when unknowable (outside what the lookup
    knows, a DNS error); a reason when include/redirect of it is a permerror."""
    answer = lookup.ask(name, "TXT")
    if answer is UNKNOWN or answer is ERROR:
        return None
    if isinstance(answer, Fault):
        return "has no SPF record"
    found = [t for t in answer if is_spf(t)]
    if len(found) != 1:
        return "has no SPF record" if not found else f"has {len(found)} SPF records"
    try:
        return parse(found[0])
    except SpfSyntaxError:
        return "has a malformed SPF record"


def mechanisms_after_all(record: Record) -> tuple[Mechanism, ...]:
    """Mechanisms after the first ``all``: never evaluated (RFC 7208 5.1)."""
    terms = record.mechanisms
    first = next((i for i, m in enumerate(terms) if m.name == "all"), None)
    return () if first is None else terms[first + 1 :]


def uses_ptr(record: Record) -> bool:
    """The ``ptr`` mechanism or the %{p} macro, which RFC 7208 5.5 says not to use."""
    specs = [m.domain for m in record.mechanisms if m.domain is not None]
    specs += [t.value for t in record.terms if isinstance(t, Modifier)]
    return any(m.name == "ptr" for m in record.mechanisms) or any(
        isinstance(p, Macro) and p.letter == "p" for s in specs for p in s.parts
    )


def ip_terms(text: str) -> Iterator[tuple[int, Mechanism]]:
    """(position among the record's space-separated words, mechanism) of each ip4:/ip6:
    mechanism in the grammar, in text that is SPF (:func:`is_spf`); nothing for other text.

    A term outside the grammar elsewhere does not hide the others: the build moves the mail
    host's own mechanisms in a record that someone broke elsewhere, and ``check`` reports the
    broken term (receivers return permerror for the whole record, RFC 7208 4.6)."""
    if not is_spf(text):
        return
    for i, word in enumerate(text.split(" ")):
        # The mechanism name follows at most one qualifier (RFC 7208 4.6.1); a word that
        # cannot be ip4/ip6 is not parsed at all.
        body = word[1:] if word[:1] in QUALIFIERS else word
        if i and body[:4].lower() in ("ip4:", "ip6:"):
            try:
                term = _term(word)
            except SpfSyntaxError:
                continue
            assert isinstance(term, Mechanism)  # ':' comes before any '=': no modifier
            yield i, term


def ip_mechanism(ip: str) -> str:
    """The mechanism that passes one address: ``ip4:`` or ``ip6:`` and the address (RFC 7208
    5.6: without a CIDR length it is the address alone)."""
    return ("ip6:" if ":" in ip else "ip4:") + ip


@functools.lru_cache(maxsize=4096)
def host_addresses(text: str) -> tuple[tuple[int, str], ...]:
    """(position, address) of each ip4:/ip6: mechanism that passes exactly one address (the
    ``+`` qualifier, written or not, and no CIDR length or the full one, RFC 7208 5.6): the
    terms that name a mail host. Addresses in their compressed form (RFC 5952).

    Cached: every domain of one Mox prints the same SPF record."""
    out = []
    for i, m in ip_terms(text):
        network = m.network
        assert network is not None  # ip4/ip6 always have one
        if m.qualifier == "+" and network.prefixlen == network.max_prefixlen:
            out.append((i, str(network.network_address)))
    return tuple(out)


# ---------------------------------------------------------------------------- lint


def lint(domain: str, text: str, lookup: Lookup) -> list[Issue]:
    """What is wrong with ``domain``'s SPF record ``text``, by :mod:`zonegen.mail.taglist`
    Issue codes: syntax, bad-name, after-all, no-all, ptr (the record alone), and
    include-loop, too-many-lookups, lookups-unknown, include-none, mx-limit, void-lookups
    (what evaluation reaches through ``lookup``)."""
    try:
        record = parse(text)
    except SpfSyntaxError as e:
        return [Issue("syntax", ERROR_, f"{e}: receivers return permerror")]
    issues: list[Issue] = []
    for m in record.mechanisms:
        problem = domain_problem(m.domain) if m.domain else None
        if problem:
            issues.append(
                Issue(
                    "bad-name",
                    ERROR_,
                    f"{m.text}: {problem}, so it cannot be looked up; receivers treat it as no "
                    "match or as permerror (RFC 7208 4.8)",
                )
            )
    after = mechanisms_after_all(record)
    if after:
        issues.append(
            Issue(
                "after-all",
                WARNING_,
                f"{', '.join(m.text for m in after)} after 'all' are never evaluated "
                "(RFC 7208 5.1)",
            )
        )
    if record.redirect is not None and record.has_all:
        issues.append(
            Issue("after-all", WARNING_, "redirect= next to 'all' is never used (RFC 7208 6.1)")
        )
    if not record.has_all and record.redirect is None:
        issues.append(
            Issue(
                "no-all",
                WARNING_,
                "no 'all' and no redirect=: other senders get neutral (RFC 7208 4.7)",
            )
        )
    if uses_ptr(record):
        issues.append(
            Issue(
                "ptr",
                WARNING_,
                "ptr (or the %{p} macro) is slow and unreliable; RFC 7208 5.5 says not to use it",
            )
        )
    issues += _reach(domain, record, lookup)
    return issues


def _reach(domain: str, record: Record, lookup: Lookup) -> list[Issue]:
    issues: list[Issue] = []
    count = count_lookups(domain, lookup)
    if count.loop:
        issues.append(
            Issue(
                "include-loop",
                ERROR_,
                f"include/redirect loop {' -> '.join(count.loop)}: evaluation runs into the "
                f"{LOOKUP_LIMIT}-lookup limit, a permerror (RFC 7208 4.6.4)",
            )
        )
    elif count.count > LOOKUP_LIMIT:
        issues.append(
            Issue(
                "too-many-lookups",
                ERROR_,
                f"{count.count} DNS lookups counting includes that can be followed"
                + (f", plus those of {', '.join(count.external)}" if count.external else "")
                + f"; more than {LOOKUP_LIMIT} is a permerror (RFC 7208 4.6.4)",
            )
        )
    elif count.external and count.count + len(count.external) > LOOKUP_LIMIT:
        issues.append(
            Issue(
                "lookups-unknown",
                WARNING_,
                f"{count.count} DNS lookups known; the records of {', '.join(count.external)} "
                f"add theirs, and more than {LOOKUP_LIMIT} is a permerror (RFC 7208 4.6.4): "
                "cannot tell offline",
            )
        )
    for target, reason in count.no_record:
        issues.append(
            Issue(
                "include-none",
                ERROR_,
                f"{target} {reason}: include: or redirect= of it is a permerror "
                "(RFC 7208 4.5, 5.2, 6.1)",
            )
        )
    voids = []
    for m in record.mechanisms:
        if m.name not in ("a", "mx", "exists"):
            continue
        name = m.domain.literal if m.domain else domain
        if name is None or not valid_domain(name):
            continue
        answer = lookup.ask(name.rstrip("."), "MX" if m.name == "mx" else "A")
        if m.name == "a" and (answer == () or answer is NXDOMAIN):
            answer = lookup.ask(name.rstrip("."), "AAAA")
        if answer == () or answer is NXDOMAIN:
            voids.append(m.text)
        elif m.name == "mx" and isinstance(answer, tuple) and len(answer) > MX_LIMIT:
            issues.append(
                Issue(
                    "mx-limit",
                    ERROR_,
                    f"{m.text}: {len(answer)} MX records; more than {MX_LIMIT} is a permerror "
                    "(RFC 7208 4.6.4)",
                )
            )
    if len(voids) > VOID_LIMIT:
        issues.append(
            Issue(
                "void-lookups",
                ERROR_,
                f"{', '.join(voids)} find nothing: more than {VOID_LIMIT} lookups that find "
                "nothing is a permerror (RFC 7208 4.6.4)",
            )
        )
    return issues
