"""The lint against records this project did not write (tests/data/lint): no false alarm,
at most 5% of the malformed records missed.

A false alarm is an *error* on a valid record (warnings on valid records are counted and
shown, not failed: a revoked key or a 1024-bit RSA key is valid and still worth a word).
A miss is a malformed record with no problem at all. The SPF records of the RFC 7208 test
suite are labelled by the suite's own expectations: malformed when every test that starts
at the record expects permerror, valid when none does; each is linted with the suite's DNS
data as the zones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from spf_suite import SuiteLookup, cases, records
from zonegen.mail import dkim, dmarc, mtasts, spf
from zonegen.mail.spf import UNKNOWN, Answer
from zonegen.mail.taglist import Issue

DATA = Path(__file__).parent / "data" / "lint" / "records.yaml"
MISS_LIMIT = 0.05

# Suite records whose tests probe one address that matches early, while evaluation for
# other senders runs past a limit: malformed for a linter, whatever that one test says.
SUITE_OVERRIDES = {
    # a, include (8 x a), ip4, mx: 11 lookups for a sender that matches none of them
    ("Processing limits", "e8.example.com"): "malformed",
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


def lint(kind: str, text: str) -> list[Issue]:
    if kind == "spf":
        return spf.lint("example.com", text, Outside())
    if kind == "dmarc":
        return list(dmarc.parse(text).issues)
    if kind == "dkim":
        return list(dkim.parse(text).issues)
    if kind == "mta-sts":
        return mtasts.sts_record(text)
    return mtasts.tlsrpt_record(text)


def suite_labels() -> dict[tuple[str, str], str]:
    expected: dict[tuple[str, str], list[set[str]]] = {}
    for case in cases():
        domain = case.sender.rpartition("@")[2] if case.sender else case.helo
        expected.setdefault((case.scenario, domain.lower()), []).append(set(case.results))
    labels = {}
    for domain, results in expected.items():
        if all(r == {"permerror"} for r in results):
            labels[domain] = "malformed"
        elif all("permerror" not in r for r in results):
            labels[domain] = "valid"
    return labels | SUITE_OVERRIDES


def corpus() -> Iterator[Case]:
    for entry in yaml.safe_load(DATA.read_text(encoding="utf-8"))["records"]:
        issues = tuple(lint(entry["kind"], entry["text"]))
        yield Case(entry["kind"], entry["label"], entry["text"], entry["source"], issues)
    labels = suite_labels()
    published: dict[tuple[str, str], list[tuple[str, SuiteLookup]]] = {}
    for scenario, name, text, lookup in records():
        published.setdefault((scenario, name), []).append((text, lookup))
    for key, found in published.items():
        label = labels.get(key)
        if label is None:
            continue
        text, lookup = found[0]
        issues = spf.lint(key[1], text, lookup)
        if len(found) > 1:  # what checks' spf-one-record says (RFC 7208 4.5)
            issues.append(Issue("one-record", "error", f"{len(found)} SPF records"))
        yield Case("spf", label, text, f"rfc7208-tests.yml {key[1]}", tuple(issues))


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
