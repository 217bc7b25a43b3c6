"""zonegen.mail.spf: the RFC 7208 grammar and check_host(), against the openspf test suite."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spf_suite import SUITES, Case, cases, mail_auth
from zonegen.mail import spf
from zonegen.mail.spf import NXDOMAIN, UNKNOWN, Answer, SpfSyntaxError
from zonegen.mail.spf_eval import check_host

SUITE = list(cases())


@pytest.mark.parametrize("case", SUITE, ids=[f"{c.name}" for c in SUITE])
def test_rfc7208_suite(case: Case) -> None:
    domain = case.sender.rpartition("@")[2]
    if not case.sender:
        sender, domain = f"postmaster@{case.helo}", case.helo
    else:
        sender = case.sender
    got = check_host(case.ip, domain, sender, case.lookup, helo=case.helo, now=0)
    assert got.result in case.results, (case.scenario, got)
    if case.explanation == "DEFAULT":
        assert got.explanation is None
    elif case.explanation is not None and got.result == "fail":
        # The suite writes %{i} of IPv6 in uppercase nibbles, RFC 7208 7.4's example in
        # lowercase; DNS names compare without case.
        assert (got.explanation or "").lower() == case.explanation.lower()


# The other suites (tests/data/lint/spf), evaluated the same way. Where one expects what RFC 7208
# does not give, the RFC wins; (scenario, test) -> why.
DISAGREE = {
    ("corner cases", "default-modifier"): "pyspf's lax mode honours default=; RFC 7208 6 "
    "ignores unknown modifiers: neutral",
    ("corner cases", "default-modifier-harsh"): "the same",
    ("Resolution limits", "resolution-with-10-lookups"): "include:d11 has no top label: "
    "RFC 7208 7.1 syntax error, permerror",
    ("MX resolution limits", "mx-resolution-10-terms"): "mx10 is a single-label name: "
    "RFC 7208 4.3 returns none for it",
    ("MX resolution limits", "mx-resolution-11-terms"): "the same",
    ("NXDOMAIN tests", "one-mx-not-found"): "d00 is single-label: none (RFC 7208 4.3)",
    ("NXDOMAIN tests", "all-mx-not-found"): "the same",
    ("NXDOMAIN tests", "include-not-found"): "the same",
    ("NXDOMAIN tests", "redirect-not-found"): "the same",
    ("All test", "all-1"): "'ip:10.0.0.1' after all: RFC 7208 4.6 makes a syntax error "
    "anywhere a permerror; mail-auth stops reading at all",
    ("DNS Lookup Limits", "basic-1"): "ten a: terms to names that do not exist: more than two "
    "void lookups is a permerror (RFC 7208 4.6.4); mail-auth does not count them",
    ("HELO identity", "basic-1"): "mail-auth's driver checks the HELO identity first and "
    "stops at its fail; this evaluates the MAIL FROM identity, which passes",
    ("Exists", "exists-2"): "the name has AAAA only: exists looks up A even for IPv6 "
    "(RFC 7208 5.7), no match; mail-auth asks AAAA too",
    ("Macro expansion 2", "macro-2"): "the same (exists over %{ir}.%{v}: A only)",
    ("IPv6 match", "ip-4"): "an IPv4 client against ip6:::ffff:10.1.2.3: ip6 compares IPv6 "
    "clients only (RFC 7208 5.6), mail-auth maps the mechanism",
}
OTHERS = [
    *(case for path in SUITES[1:] for case in cases(path)),
    *(case for tests, _ in mail_auth() for case in tests),
]


@pytest.mark.parametrize(
    "case", OTHERS, ids=[f"{c.scenario.strip()[:30]}-{c.name}" for c in OTHERS]
)
def test_other_suites(case: Case) -> None:
    """RFC 4408's suite, pyspf's, blitiri spf's and mail-auth's, offline: the result they
    expect, except where RFC 7208 says otherwise (DISAGREE)."""
    domain = case.sender.rpartition("@")[2] if case.sender else case.helo
    sender = case.sender or f"postmaster@{case.helo}"
    got = check_host(case.ip, domain, sender, case.lookup, helo=case.helo, now=0)
    why = DISAGREE.get((case.scenario.strip(), case.name))
    if why is None:
        assert got.result in case.results, (case.scenario, got)
    else:
        assert got.result not in case.results, f"agrees now, drop it from DISAGREE: {why}"


def test_the_other_suites_are_there() -> None:
    assert len(OTHERS) > 380
    assert len(DISAGREE) < 0.05 * len(OTHERS)


def test_the_suite_is_all_there() -> None:
    assert len(SUITE) > 180
    assert {r for c in SUITE for r in c.results} >= set(spf.RESULTS)


VALID = [
    "v=spf1",
    "V=SPF1 -all",
    "v=spf1 a//33 -all",
    "v=spf1 mx//0 -all",
    "v=spf1 a/24//64 mx/0 -all",
    "v=spf1 a:foo:bar/baz.example.com -all",
    "v=spf1 a:foo.example.com/24",
    "v=spf1 ip4:0.0.0.0/0 ip6:::1.1.1.1/0 ip6:2001:db8::/32",
    "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d2} ?all",
    "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
    "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
    "v=spf1 include:_spf.example.com. -all",
    "v=spf1 a:foo.example.xn--zckzah -all",
    "v=spf1 -all exp=explain.%{d}",
    "v=spf1 default=+",
    "v=spf1 redirect=%{d}.d.spf.example.com.",
    "v=spf1 a -all ",
    "v=spf1 a  -all",
]

INVALID = {
    "v=spf1 a/33": "over 32",
    "v=spf1 a//129": "over 128",
    "v=spf1 a/24/64": "over 32",
    "v=spf1 a/24/x": "':domain'",
    "v=spf1 ip4:1.2.3.4/032": "leading zeros",
    "v=spf1 a:example.com/024": "leading zeros",
    "v=spf1 a:example.com:8080": "top label",
    "v=spf1 a:museum": "single label",
    "v=spf1 a:abc.123": "top label",
    "v=spf1 a:111.222.33.44": "ip4",
    "v=spf1 a:example.-com": "top label",
    "v=spf1 a:": "needs a domain",
    "v=spf1 mx: -all": "needs a domain",
    "v=spf1 ptr:": "needs a domain",
    "v=spf1 include: -all": "needs a domain",
    "v=spf1 include": "needs ':'",
    "v=spf1 exists:mail.example.com/24": "top label",
    "v=spf1 ptr/0 -all": "no CIDR",
    "v=spf1 -all.": "no argument",
    "v=spf1 -all:foo": "no argument",
    "v=spf1 ip4:1.2.3": "dotted-quad",
    "v=spf1 ip4:1.2.3.4//32": "dotted-quad",
    "v=spf1 ip4:10.0.0.256": "dotted-quad",
    "v=spf1 ip6:2001:db8:::1": "IPv6",
    "v=spf1 ip6::CAFE::BABE": "IPv6",
    "v=spf1 ip6:::1.1.1.1//33": "CIDR",
    "v=spf1 ip6:::1/129": "over 128",
    "v=spf1 exists:%(ir).sbl.example.com": "'%' starts a macro",
    "v=spf1 exists:foo%.sbl.example.com": "'%' starts a macro",
    "v=spf1 a:%{a}.example.com": "unknown macro letter",
    "v=spf1 exists:%{s0}": "not zero",
    "v=spf1 -all exp=%{r}.example.com": "only in explanation",
    "v=spf1 -all foo=%abc": "'%' starts a macro",
    "v=spf1 1up=foo": "modifier name",
    "v=spf1 =all": "modifier name",
    "v=spf1 ?redirect=x.example": "modifier name",
    "v=spf1 redirect:t2.example.com": "unknown mechanism",
    "v=spf1 redirect=a.example redirect=b.example": "more than once",
    "v=spf1 exp=a.example exp=b.example -all": "more than once",
    "v=spf1 exp= -all": "needs a domain",
    "v=spf1 redirect=-all ?all": "top label",
    "v=spf1 ip4:1.2.3.4 -all moo": "unknown mechanism",
    "v=spf1 a:ctrl.example.com\rptr -all": "printable ASCII",
    "v=spf1 a:foo.example.com\0": "printable ASCII",
    "v=spf1 \x80a:example.net -all": "printable ASCII",
    "v=spf1 !": "unknown mechanism",
    "v=spf1 exists:%{l1r+}..": "top label",
    "v=spf1 exists:%{l1r+}._.": "top label",
    "v=spf1mx": "does not start",
    "spf1 mx": "does not start",
}


@pytest.mark.parametrize("text", VALID)
def test_valid_records_parse(text: str) -> None:
    spf.parse(text)


@pytest.mark.parametrize("text", sorted(INVALID))
def test_invalid_records_say_why(text: str) -> None:
    with pytest.raises(SpfSyntaxError) as e:
        spf.parse(text)
    assert INVALID[text] in str(e.value)


def test_the_model() -> None:
    record = spf.parse("v=spf1 -a:x.example/24//64 ~mx ip6:2001:db8::/32 redirect=r.example")
    a, mx, ip6 = record.mechanisms
    assert (a.qualifier, a.name, a.cidr4, a.cidr6, a.result) == ("-", "a", 24, 64, "fail")
    assert a.domain is not None and a.domain.literal == "x.example"
    assert (mx.qualifier, mx.domain) == ("~", None)
    assert str(ip6.network) == "2001:db8::/32"
    assert record.redirect is not None and record.redirect.value.text == "r.example"
    macro = spf.parse("v=spf1 exists:%{L2r-}.x.example").mechanisms[0].domain
    assert macro is not None and macro.has_macros and macro.literal is None
    assert macro.parts[0] == spf.Macro("l", True, 2, True, "-")


def test_domain_problems_the_grammar_allows() -> None:
    empty = spf.parse("v=spf1 a:mail.example...com").mechanisms[0].domain
    long = spf.parse("v=spf1 a:" + "x" * 64 + ".example.com").mechanisms[0].domain
    fine = spf.parse("v=spf1 a:mail.example.com.").mechanisms[0].domain
    assert empty and "empty label" in (spf.domain_problem(empty) or "")
    assert long and "63" in (spf.domain_problem(long) or "")
    assert fine and spf.domain_problem(fine) is None


class Zone:
    def __init__(self, data: dict[tuple[str, str], tuple[str, ...]]) -> None:
        self.data = data
        self.asked: list[tuple[str, str]] = []

    def ask(self, name: str, rdtype: str) -> Answer:
        self.asked.append((name, rdtype))
        if not name.endswith("example.com"):
            return UNKNOWN
        if (name, rdtype) in self.data:
            return self.data[(name, rdtype)]
        return () if any(n == name for n, _ in self.data) else NXDOMAIN


def test_unknown_outside_what_the_lookup_knows() -> None:
    zone = Zone({("example.com", "TXT"): ("v=spf1 ip4:192.0.2.1 include:other.example -all",)})
    assert check_host("192.0.2.1", "example.com", "a@example.com", zone).result == "pass"
    got = check_host("192.0.2.9", "example.com", "a@example.com", zone)
    assert got.result == "unknown" and "other.example" in got.reason


def test_lookup_count_follows_includes_and_finds_loops() -> None:
    zone = Zone(
        {
            ("example.com", "TXT"): ("v=spf1 a mx include:a.example.com include:x.example -all",),
            ("a.example.com", "TXT"): ("v=spf1 a:1.example.com include:b.example.com",),
            ("b.example.com", "TXT"): ("v=spf1 redirect=a.example.com",),
            ("c.example.com", "TXT"): ("v=spf1 include:none.example.com -all",),
            ("none.example.com", "TXT"): ("not spf",),
            ("d.example.com", "TXT"): ("v=spf1 include:%{i}.example.com -all",),
        }
    )
    count = spf.count_lookups("example.com", zone)
    assert count.loop == ("a.example.com", "b.example.com", "a.example.com")
    assert count.count > spf.LOOKUP_LIMIT and count.external == ("x.example",)
    assert spf.count_lookups("c.example.com", zone).no_record == (
        ("none.example.com", "has no SPF record"),
    )
    macro = spf.count_lookups("d.example.com", zone)
    assert macro.macro and macro.count == 1


def test_after_all_and_ptr() -> None:
    record = spf.parse("v=spf1 -all ptr a")
    assert [m.text for m in spf.mechanisms_after_all(record)] == ["ptr", "a"]
    assert spf.uses_ptr(record)
    assert spf.uses_ptr(spf.parse("v=spf1 exists:%{p}.x.example"))
    assert not spf.uses_ptr(spf.parse("v=spf1 mx -all"))


def test_ip_terms() -> None:
    got = [(i, m.text) for i, m in spf.ip_terms("v=spf1 mx ip4:192.0.2.1 ip6:2001:db8::1 -all")]
    assert got == [(2, "ip4:192.0.2.1"), (3, "ip6:2001:db8::1")]
    assert list(spf.ip_terms("v=spf1 ip4:300.1.1.1")) == []
    # a broken term elsewhere hides none of the others (the build moves the host's terms)
    got = [(i, m.text) for i, m in spf.ip_terms("v=spf1 bogus:x  -IP4:192.0.2.1 ip6:1::/64")]
    assert got == [(3, "-IP4:192.0.2.1"), (4, "ip6:1::/64")]
    assert list(spf.ip_terms("v=spf10 ip4:192.0.2.1")) == []


def _host_addresses_by_words(value: str) -> tuple[tuple[int, str], ...]:
    """What the build did before mail.spf.host_addresses (pipeline._spf_ip_terms, up to
    issue 13's follow-up): words split on one space, single-address pass terms."""
    terms = value.split(" ")
    if not terms or terms[0].lower() != "v=spf1":
        return ()
    out = []
    for i, term in enumerate(terms):
        mech = term.lstrip("+")
        if mech[:4].lower() in ("ip4:", "ip6:"):
            addr, _, prefix = mech[4:].partition("/")
            try:
                ip = ipaddress.ip_address(addr)
            except ValueError:
                continue
            if not prefix or (
                prefix.isascii() and prefix.isdigit() and int(prefix) == ip.max_prefixlen
            ):
                out.append((i, str(ip)))
    return tuple(out)


_TERMS = st.sampled_from(
    [
        "ip4:192.0.2.1",
        "+ip4:192.0.2.2",
        "IP4:192.0.2.3/32",
        "ip4:192.0.2.0/24",
        "-ip4:192.0.2.4",
        "~ip6:2001:db8::5",
        "?ip4:192.0.2.6",
        "ip6:2001:DB8::1",
        "ip6:2001:db8:0:0:0:0:0:7/128",
        "ip6:2001:db8::/64",
        "Ip6:::ffff:192.0.2.8",
        "mx",
        "a:mail.example.org",
        "include:_spf.example.net",
        "redirect=_spf.example.com",
        "exp=explain.example.org",
        "~all",
        "-all",
        "",
    ]
)


@given(st.lists(_TERMS, max_size=8), st.sampled_from(["v=spf1", "V=SPF1", "v=spf2"]))
def test_host_addresses_are_what_the_build_followed(terms: list[str], version: str) -> None:
    """On records in the grammar (every record Mox prints), the library's answer is the one
    the build's own word splitting gave: the SPF follow-the-IP behaviour is unchanged."""
    value = " ".join([version, *terms])
    assert spf.host_addresses(value) == _host_addresses_by_words(value)


def test_ip_mechanism_is_read_back_as_the_address() -> None:
    for ip in ("192.0.2.1", "2001:db8::1"):
        assert spf.ip_mechanism(ip) == ("ip6:" if ":" in ip else "ip4:") + ip
        assert spf.host_addresses(f"v=spf1 {spf.ip_mechanism(ip)} -all") == ((1, ip),)


def test_spf_like_text() -> None:
    assert spf.looks_like_spf("v=spf1mx -all") and spf.looks_like_spf(" v=spf1 mx")
    assert spf.looks_like_spf("v = spf1 mx") and not spf.looks_like_spf("v=spf1 mx")
    assert not spf.looks_like_spf("google-site-verification=abc")
