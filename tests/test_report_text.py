"""The text report (what cron mails and people read in a terminal) shows text from the DNS as
the HTML page does: every hidden or control character as an escape, never raw."""

from __future__ import annotations

from zonegen.verify.findings import Finding, Report
from zonegen.verify.report import render_text

# A TXT record that clears the screen, reorders what follows and forges a report line.
HOSTILE = "v=spf1 \x1b[2J\u202eall-\u202c\nFAIL nothing: all good\x00"


def test_text_from_the_dns_is_escaped_in_the_text_report() -> None:
    report = Report(
        zones=[
            {
                "zone": "example.org.",
                "nameservers": ["127.0.0.1:53"],
                "resolver": "127.0.0.1:54",
                "signing": "unsigned",
                "chain": "unsigned",
            }
        ],
        findings=[
            Finding(
                "authoritative",
                "different",
                "error",
                "example.org.",
                "example.org.",
                "TXT",
                "127.0.0.1:53",
                expected=("v=spf1 mx -all",),
                got=(HOSTILE,),
                detail=f"the server says {HOSTILE}",
            )
        ],
    )
    text = render_text(report)
    assert "\x1b" not in text and "\u202e" not in text and "\x00" not in text
    assert "v=spf1 \\x1b[2J\\u202eall-\\u202c\\x0aFAIL nothing: all good\\x00" in text
    assert not any(line.startswith("FAIL nothing") for line in text.splitlines())


def _bogus(name: str, rtype: str, server: str = "127.0.0.1:54") -> Finding:
    return Finding(
        "resolver",
        "bogus",
        "error",
        "example.org.",
        name,
        rtype,
        server,
        expected=("x",),
        detail="SERVFAIL that goes away with CD: DNSSEC validation fails; the chain of trust "
        "is broken at the zone (no-ds)",
    )


def test_one_cause_at_many_rrsets_is_one_problem_that_names_them_all() -> None:
    """A broken chain of trust makes every RRset of the zone bogus: the problems list says the
    cause once and names every RRset, where it once repeated the same words 24 times. What
    shows values (a record that differs) stays one entry per RRset."""
    names = [(f"n{i:02d}.example.org.", "TXT" if i % 2 else "A") for i in range(24)]
    findings = [_bogus(n, t) for n, t in names]
    findings.append(_bogus("other.example.org.", "MX", server="127.0.0.1:55"))
    for name in ("d1.example.org.", "d2.example.org."):
        findings.append(
            Finding(
                "authoritative",
                "different",
                "error",
                "example.org.",
                name,
                "TXT",
                "127.0.0.1:53",
                expected=("a",),
                got=("b",),
                detail="the server has other values",
            )
        )
    report = Report(zones=[], findings=findings)
    text = render_text(report)
    problems = text.split("problems:\n", 1)[1].split("\n\n", 1)[0]
    heads = [line for line in problems.splitlines() if line.startswith("  ") and line[2] != " "]
    assert heads == [
        "  FAIL resolver bogus: 24 RRsets @ 127.0.0.1:54",
        "  FAIL resolver bogus: other.example.org. MX @ 127.0.0.1:55",
        "  FAIL authoritative different: d1.example.org. TXT @ 127.0.0.1:53",
        "  FAIL authoritative different: d2.example.org. TXT @ 127.0.0.1:53",
    ], problems
    assert problems.count("the chain of trust is broken") == 2
    listed = problems.split("24 RRsets", 1)[1].split("\n  FAIL", 1)[0]
    assert all(f"{n} {t}" in listed for n, t in names)
    assert all(len(line) <= 100 for line in listed.splitlines()[2:])  # the list is wrapped
    assert "27 errors" in text  # every finding still counts
