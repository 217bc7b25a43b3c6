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
