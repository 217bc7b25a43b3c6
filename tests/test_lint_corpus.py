"""The lint against records this project did not write (tests/data/lint): no false alarm,
at most 5% of the malformed records missed.

A false alarm is an *error* on a valid record (warnings on valid records are counted and
shown, not failed: a revoked key or a 1024-bit RSA key is valid and still worth a word).
A miss is a malformed record with no problem at all. The SPF records of the test suites
(the RFC 7208 and RFC 4408 suites, pyspf's, blitiri spf's and mail-auth's) are labelled by
the suite's own expectations: malformed when every test that starts at the record expects
permerror, valid when none does; each is linted with the suite's DNS data as the zones.
Where a suite and RFC 7208 disagree, the RFC wins (the overrides below say why).
"""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CAA
import dns.rdtypes.ANY.TLSA
import dns.rdtypes.ANY.TXT
import yaml

from spf_suite import SUITES, SuiteLookup, cases, mail_auth, records
from zonegen.mail import caa, dkim, dmarc, mtasts, spf, tlsa
from zonegen.mail.spf import UNKNOWN, Answer
from zonegen.mail.taglist import ERROR, Issue

DATA = Path(__file__).parent / "data" / "lint" / "records.yaml"
MISS_LIMIT = 0.05

# Suite records labelled against the suite's expectations, (scenario, owner) -> label, where
# the suite and RFC 7208 disagree, or where the suite's tests probe one address that matches
# early while evaluation for other senders runs into a permerror: malformed for a linter,
# whatever that one test says.
SUITE_OVERRIDES = {
    # rfc7208-tests.yml: a, include (8 x a), ip4, mx: 11 lookups for a sender that matches
    # none of them
    ("Processing limits", "e8.example.com"): "malformed",
    # blitirispf-tests.yml: include:d11 ... and mx:domain name single-label domains, which
    # blitiri spf looks up; RFC 7208 7.1 domain-end needs "." toplabel (the RFC 7208
    # suite's a-only-toplabel and a-single-dot expect permerror)
    ("Resolution limits", "okay.com"): "malformed",
    ("MX resolution limits", "mx10"): "malformed",
}

# mail-auth's SPF suite (tests/data/lint/spf/mail-auth), likewise: (scenario, owner) -> label.
MAIL_AUTH_OVERRIDES = {
    # "v=spf1 -all ip:10.0.0.1": mail-auth never reads past all; RFC 7208 4.6: a syntax error
    # anywhere in the record ("ip:" is no mechanism, 5) is a permerror
    ("All test", "test.org"): "malformed",
    # ten a: terms to names that do not exist: RFC 7208 4.6.4 makes more than two void
    # lookups a permerror (a SHOULD); mail-auth does not count them
    ("DNS Lookup Limits", "ok.test.org"): "malformed",
    # _spf.yandex.ru includes _spf-ipv6.yandex.ru, which the scenario does not publish: a
    # permerror for every sender the first include does not pass (RFC 7208 5.2)
    ("Redirect mixed with include", "geometry.ooo"): "malformed",
}


class Outside:
    """A lookup that knows no name: standalone records are linted on their own."""

    def ask(self, name: str, rdtype: str) -> Answer:
        return UNKNOWN


@dataclass(frozen=True)
class Case:
    kind: str
    label: str
    text: str
    source: str
    issues: tuple[Issue, ...]


def lint(kind: str, text: str, owner: str = "_25._tcp.mail.example.com") -> list[Issue]:
    if kind in ("tlsa", "caa"):
        # zonegen reads every rdata with dnspython: what it refuses never reaches a zone
        # (exit 2 naming the file and line), so it counts as found
        try:
            rd = dns.rdata.from_text("IN", kind.upper(), text)
        except (dns.exception.DNSException, ValueError) as e:
            return [Issue("rdata", ERROR, f"dnspython refuses it: {e}")]
        if isinstance(rd, dns.rdtypes.ANY.TLSA.TLSA):
            return tlsa.issues(rd.usage, rd.selector, rd.mtype, rd.cert, owner)
        assert isinstance(rd, dns.rdtypes.ANY.CAA.CAA)
        return caa.issues(rd.flags, rd.tag.decode("ascii", "replace"), rd.value.decode())
    if kind == "spf":
        return spf.lint("example.com", text, Outside())
    if kind == "dmarc":
        return list(dmarc.parse(text).issues)
    if kind == "dkim":
        return list(dkim.parse(text).issues)
    # as checks/policy.py reads the TXT at _mta-sts and _smtp._tls: the record, or text
    # meant as it that senders ignore
    if kind == "mta-sts":
        if mtasts.is_mta_sts(text):
            return mtasts.sts_record(text)
        return [i for i in (mtasts.misversioned("mta-sts", text),) if i]
    if mtasts.is_tlsrpt(text):
        return mtasts.tlsrpt_record(text)
    return [i for i in (mtasts.misversioned("tlsrpt", text),) if i]


def suite_labels(path: Path) -> dict[tuple[str, str], str]:
    expected: dict[tuple[str, str], list[set[str]]] = {}
    for case in cases(path):
        domain = case.sender.rpartition("@")[2] if case.sender else case.helo
        expected.setdefault((case.scenario, domain.lower()), []).append(set(case.results))
    labels = {}
    for domain, results in expected.items():
        if all(r == {"permerror"} for r in results):
            labels[domain] = "malformed"
        elif all("permerror" not in r for r in results):
            labels[domain] = "valid"
    return labels | SUITE_OVERRIDES


def _suite_lint(name: str, found: list[tuple[str, SuiteLookup]]) -> tuple[Issue, ...]:
    text, lookup = found[0]
    issues = spf.lint(name, text, lookup)
    if len(found) > 1:  # what checks' spf-one-record says (RFC 7208 4.5)
        issues.append(Issue("one-record", "error", f"{len(found)} SPF records"))
    return tuple(issues)


def corpus() -> Iterator[Case]:
    for entry in yaml.safe_load(DATA.read_text(encoding="utf-8"))["records"]:
        args = (entry["owner"],) if "owner" in entry else ()
        issues = tuple(lint(entry["kind"], entry["text"], *args))
        yield Case(entry["kind"], entry["label"], entry["text"], entry["source"], issues)
    seen: set[tuple[str, str]] = set()  # the suites share scenarios: each record once
    for path in SUITES:
        labels = suite_labels(path)
        published: dict[tuple[str, str], list[tuple[str, SuiteLookup]]] = {}
        for scenario, name, text, lookup in records(path):
            published.setdefault((scenario, name), []).append((text, lookup))
        for key, found in published.items():
            label = labels.get(key)
            if label is None or (key[1], found[0][0]) in seen:
                continue
            seen.add((key[1], found[0][0]))
            yield Case(
                "spf", label, found[0][0], f"{path.name} {key[1]}", _suite_lint(key[1], found)
            )
    for _, published_ in mail_auth():
        for p in published_:
            label = MAIL_AUTH_OVERRIDES.get((p.scenario, p.owner))
            if label is None and p.results:
                if all(r == ("permerror",) for r in p.results):
                    label = "malformed"
                elif all("permerror" not in r for r in p.results):
                    label = "valid"
            if label is None or (p.owner, p.text) in seen:
                continue
            seen.add((p.owner, p.text))
            issues = tuple(spf.lint(p.owner, p.text, p.lookup))
            yield Case("spf", label, p.text, f"mail-auth {p.scenario}: {p.owner}", issues)


def measure() -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for case in corpus():
        c = counts.setdefault(case.kind, Counter())
        errors = any(i.severity == "error" for i in case.issues)
        c[case.label] += 1
        if case.label == "valid" and errors:
            c["false alarm"] += 1
        elif case.label == "valid" and case.issues:
            c["valid, warned"] += 1
        elif case.label == "malformed" and not case.issues:
            c["missed"] += 1
        elif case.label == "malformed" and not errors:
            c["malformed, warned"] += 1
    return counts


def test_no_false_alarms_and_few_misses() -> None:
    cases_ = list(corpus())
    false_alarms = [
        c for c in cases_ if c.label == "valid" and any(i.severity == "error" for i in c.issues)
    ]
    missed = [c for c in cases_ if c.label == "malformed" and not c.issues]
    malformed = [c for c in cases_ if c.label == "malformed"]
    assert len(cases_) > 250 and len(malformed) > 100
    assert false_alarms == [], [(c.text, c.source, c.issues) for c in false_alarms]
    assert len(missed) <= MISS_LIMIT * len(malformed), [(c.text, c.source) for c in missed]


if __name__ == "__main__":  # the README's table: python tests/test_lint_corpus.py
    total: Counter[str] = Counter()
    print(
        "| kind | valid | false alarms | valid, warned | malformed | missed | malformed, warned |"
    )
    print("|---|---|---|---|---|---|---|")
    for kind, c in sorted(measure().items()):
        total += c
        print(
            f"| {kind} | {c['valid']} | {c['false alarm']} | {c['valid, warned']} | "
            f"{c['malformed']} | {c['missed']} | {c['malformed, warned']} |"
        )
    print(
        f"| all | {total['valid']} | {total['false alarm']} | {total['valid, warned']} | "
        f"{total['malformed']} | {total['missed']} | {total['malformed, warned']} |"
    )


# ------------------------------------------------------------ the same records through check

CORPUS_ZONE = "corpus.test."
# Rules whose verdict depends on the DNS around the record: the library test lints SPF with
# every name unknown, here the record's own name is in a zone (with no A, no MX).
CONTEXT_RULES = {
    "spf-void-lookups",
    "spf-too-many-lookups",
    "spf-lookups-unknown",
    "spf-include-none",
    "spf-include-loop",
    "spf-mx-limit",
    "spf-host-not-allowed",
}


def _owner(kind: str, i: int, entry: dict[str, str]) -> tuple[str, str]:
    """Where a record of ``kind`` is published, and its type."""
    if kind == "tlsa":
        return f"{entry.get('owner', '_25._tcp.mail.example.com')}.x{i}.{CORPUS_ZONE}", "TLSA"
    prefix = {
        "spf": "",
        "dmarc": "_dmarc.",
        "dkim": "sel._domainkey.",
        "mta-sts": "_mta-sts.",
        "tlsrpt": "_smtp._tls.",
        "caa": "",
    }[kind]
    return f"{prefix}r{i}.{CORPUS_ZONE}", "CAA" if kind == "caa" else "TXT"


def test_check_finds_what_the_libraries_find(tmp_path: Path) -> None:
    """The records of records.yaml published in a built zone, one name each, run through the
    rule registry as ``zonegen check`` runs it: a malformed record gets a problem, a valid
    one no error. This catches what the libraries know and the rules do not ask (a TXT that
    never reaches the parser because the rule looks for it by the wrong prefix)."""
    from conftest import REPO
    from zonegen.checks import run_checks
    from zonegen.model import SITE, Origin, Record
    from zonegen.pipeline import build as pipeline_build
    from zonegen.sources import read_inputs

    shutil.copytree(REPO / "config", tmp_path / "config")
    site = tmp_path / "config" / "site.yaml"
    site.write_text(site.read_text() + f"  {CORPUS_ZONE.rstrip('.')}: {{}}\n")
    built = pipeline_build(read_inputs(site))
    entries = yaml.safe_load(DATA.read_text(encoding="utf-8"))["records"]
    records: list[Record] = []
    owners: dict[str, dict[str, str]] = {}
    for i, entry in enumerate(entries):
        name, rtype = _owner(entry["kind"], i, entry)
        origin = Origin("records.yaml", i + 1)
        if rtype == "TXT":
            data = entry["text"].encode()
            chunks = [data[j : j + 255] for j in range(0, len(data), 255)] or [b""]
            rdata: dns.rdata.Rdata = dns.rdtypes.ANY.TXT.TXT(
                dns.rdataclass.IN, dns.rdatatype.TXT, chunks
            )
        else:
            try:
                rdata = dns.rdata.from_text("IN", rtype, entry["text"])
            except (dns.exception.DNSException, ValueError):
                continue  # refused while reading (counted as found by the library test)
        records.append(Record(name, rtype, 300, rdata, origin, SITE))
        if entry["kind"] == "mta-sts":  # the policy host, so mta-sts-host stays quiet
            host = "mta-sts." + name.removeprefix("_mta-sts.")
            a = dns.rdata.from_text("IN", "A", "192.0.2.1")
            records.append(Record(host, "A", 300, a, origin, SITE))
        owners[name] = entry
    zones = tuple(
        dataclasses.replace(z, records=z.records + tuple(records)) if z.name == CORPUS_ZONE else z
        for z in built.zones
    )
    assert any(z.name == CORPUS_ZONE for z in zones)
    problems = run_checks(dataclasses.replace(built, zones=zones))
    found: dict[str, list[str]] = {}
    for p in problems:
        key = p.name if p.name.endswith(".") else p.name + "."
        if key in owners and p.rule not in CONTEXT_RULES:
            found.setdefault(key, []).append(f"{p.severity} {p.rule}")
    false_alarms = [
        (e["text"], found[n])
        for n, e in owners.items()
        if e["label"] == "valid" and any(f.startswith("error") for f in found.get(n, []))
    ]
    missed = [e["text"] for n, e in owners.items() if e["label"] == "malformed" and n not in found]
    assert false_alarms == []
    assert missed == [], missed
