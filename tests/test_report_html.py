"""The verify page in a real browser (headless Chromium): what it shows, on a desktop, a
phone and paper, that it shows hostile DNS data as text, and that it loads nothing.

The documents here are made by hand to reach what a lab run does not (kinds of findings
verify does not have yet, hostile values); tests/test_report_live.py renders real runs.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chromium import Chromium, Page
from zonegen.verify.html import render_html

AUTH, RES = "127.0.0.1:5301", "127.0.0.1:5302"
DMARC = "v=DMARC1;p=reject;rua=mailto:dmarcreports@example.org!10m"


def finding(
    name: str,
    rtype: str,
    check: str = "authoritative",
    status: str = "ok",
    severity: str = "ok",
    *,
    zone: str = "example.org.",
    server: str = AUTH,
    expected: tuple[str, ...] = ("x",),
    got: tuple[str, ...] = ("x",),
    detail: str = "",
    **more: Any,
) -> dict[str, Any]:
    return {
        "check": check,
        "status": status,
        "severity": severity,
        "zone": zone,
        "name": name,
        "rtype": rtype,
        "server": server,
        "expected": list(expected),
        "got": list(got),
        "detail": detail,
        **more,
    }


def document(findings: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    summary = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES}
    return {
        "schema": 1,
        "ok": not summary["error"] and not summary["fatal"],
        "summary": summary,
        "zones": [
            {
                "zone": "example.org.",
                "nameservers": [AUTH],
                "resolver": RES,
                "signed": True,
                "rrsets": 3,
            },
            {
                "zone": "example.com.",
                "nameservers": [AUTH],
                "resolver": RES,
                "signed": False,
                "rrsets": 1,
            },
        ],
        "findings": findings,
        "run": {
            "started": "2026-03-01T06:00:00Z",
            "finished": "2026-03-01T06:00:02Z",
            "seconds": 1.5,
            "zonegen": "0.1.0",
        },
        **more,
    }


SEVERITIES = ("ok", "warning", "error", "fatal")


def sample() -> dict[str, Any]:
    return document(
        [
            finding("example.org.", "MX", expected=("10 mx.example.org.",)),
            finding("example.org.", "MX", "resolver", server=RES, detail="validated (AD)"),
            finding(
                "_dmarc.example.org.",
                "TXT",
                status="different",
                severity="error",
                expected=(DMARC,),
                got=("v=DMARC1;p=none",),
            ),
            finding("_dmarc.example.org.", "TXT", "resolver", server=RES),
            finding("example.org.", "A", status="extra", severity="warning", expected=()),
            finding(
                "example.org.",
                "DS",
                "dnssec",
                "ok",
                server=RES,
                detail="DS matches a DNSKEY",
            ),
            finding(
                "example.com.",
                "TXT",
                "resolver",
                "insecure",
                "warning",
                zone="example.com.",
                server=RES,
                detail="answer not DNSSEC-validated (no AD bit)",
            ),
        ]
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    chromium = Chromium()
    yield chromium
    chromium.close()


def show(browser: Chromium, tmp_path: Path, doc: dict[str, Any], **view: Any) -> Page:
    path = tmp_path / "status.html"
    path.write_text(render_html(doc), encoding="utf-8")
    page = browser.open(path.as_uri(), **view)
    assert page.requests() == [path.as_uri()], "the page loaded something"
    return page


ROWS = """[...document.querySelectorAll('tr.record')].map(r => [
    r.closest('section.zone').dataset.zone, r.dataset.name, r.dataset.rtype, r.dataset.severity,
    [...r.querySelectorAll('td.cell')].map(c => c.innerText)])"""


def test_every_record_is_a_row_and_failing_rows_read_as_failing(
    browser: Chromium, tmp_path: Path
) -> None:
    doc = sample()
    page = show(browser, tmp_path, doc)
    rows = page.evaluate(ROWS)
    assert {(z, n, t) for z, n, t, _, _ in rows} == {
        (f["zone"], f["name"], f["rtype"]) for f in doc["findings"]
    }
    by_name = {(n, t): (sev, cells) for _, n, t, sev, cells in rows}
    # Columns: the authoritative server, the resolver, then the dnssec check.
    assert by_name[("_dmarc.example.org.", "TXT")] == ("error", ["FAIL different", "ok", "–"])
    assert by_name[("example.org.", "A")] == ("warning", ["WARN extra", "–", "–"])
    assert by_name[("example.org.", "MX")] == ("ok", ["ok", "ok", "–"])
    # Marked in colour too: the failing cell is red, an ok cell green.
    colours = page.evaluate(
        """[...document.querySelectorAll('tr.record td.cell')].filter(c => c.innerText !== '–')
        .map(c => [c.innerText, getComputedStyle(c).color])"""
    )
    assert ["FAIL different", "rgb(198, 40, 40)"] in colours
    assert ["ok", "rgb(46, 125, 50)"] in colours
    text = page.evaluate("document.body.innerText")
    head = text[: text.index("Zones (2)")]
    # Problems first, with both values of the one that differs:
    assert head.startswith("Problems zonegen verify, exit code 1\n")
    assert "1 errors" in head and "2 warnings" in head
    assert "FAIL\nauthoritative different\n_dmarc.example.org. TXT\n" in head
    assert f"built\n{DMARC}\nlive\nv=DMARC1;p=none" in head
    assert "WARN\nresolver insecure\nexample.com. TXT\n" in head
    assert "started\n2026-03-01 06:00:00 UTC\n" in text and "took\n1.50 s\n" in text
    assert "signed yes" in text and "signed no" in text
    assert "chain ok: example.org. DS (DS matches a DNSKEY)" in text
    assert page.evaluate("document.title") == "Problems: zonegen verify 2026-03-01 06:00:00 UTC"
    assert page.evaluate("document.scripts.length") == 0


def test_what_verify_adds_later_shows_up_without_template_changes(
    browser: Chromium, tmp_path: Path
) -> None:
    doc = sample()
    doc["findings"].append(
        finding(
            "example.org.",
            "SOA",
            "serial",  # a check kind the page does not know
            "disagree",
            "error",
            detail="servers serve different serials",
            serials={AUTH: 7, "127.0.0.1:5303": 6},
            rcode="NOERROR",
        )
    )
    doc["zones"][0]["rrsig_expires"] = "2026-03-04T00:00:00Z"
    doc["servers"] = [
        {"server": AUTH, "queries": 12, "seconds": 0.31, "slowest": 0.05, "outcome": "ok"},
        {"server": RES, "queries": 9, "seconds": 0.2, "slowest": 0.04, "outcome": "ok"},
    ]
    page = show(browser, tmp_path, doc)
    headers = page.evaluate(
        "[...document.querySelector('section.zone table thead').querySelectorAll('th')]"
        ".map(th => th.dataset.check || th.innerText)"
    )
    assert headers == ["name", "type", "authoritative", "resolver", "dnssec", "serial"]
    text = page.evaluate("document.body.innerText")
    assert "serial disagree\nexample.org. SOA" in text
    assert 'serials\n{"127.0.0.1:5301": 7, "127.0.0.1:5303": 6}' in text
    assert "rcode\nNOERROR" in text
    assert "rrsig_expires\n2026-03-04T00:00:00Z" in text
    timing = page.evaluate(
        "[...document.querySelectorAll('table.extra[data-key=servers] tr')]"
        ".map(r => [...r.children].map(c => c.innerText))"
    )
    assert timing == [
        ["server", "queries", "seconds", "slowest", "outcome"],
        [AUTH, "12", "0.31", "0.05", "ok"],
        [RES, "9", "0.2", "0.04", "ok"],
    ]


HOSTILE = [
    "<script>document.title='pwned'</script>",
    '"><img src=x onerror="document.title=\'pwned\'">',
    "</style><style>body{display:none}</style>",
    "</code></td></tr></table><iframe src='http://example.invalid/'></iframe>",
    "{{ 7*7 }}{% raw %}",
    "javascript:document.title='pwned'",
    "<link rel=stylesheet href=http://example.invalid/x.css>",
]


def hostile_doc() -> dict[str, Any]:
    return document(
        [
            finding(
                "example.org.",
                "TXT",
                status="different",
                severity="error",
                expected=("v=spf1 -all",),
                got=tuple(HOSTILE),
                detail=HOSTILE[1],
                **{HOSTILE[0]: HOSTILE[2]},
            ),
            finding(HOSTILE[1], "TXT", server=HOSTILE[0], severity=HOSTILE[0]),
        ]
    )


INJECTED = "document.querySelectorAll('script, img, iframe, object, embed, link[rel=stylesheet]')"


def test_hostile_dns_data_is_text_not_markup(browser: Chromium, tmp_path: Path) -> None:
    page = show(browser, tmp_path, hostile_doc())
    assert page.evaluate(f"{INJECTED}.length") == 0
    assert page.evaluate("document.title") == "Problems: zonegen verify 2026-03-01 06:00:00 UTC"
    assert page.evaluate("getComputedStyle(document.body).display") == "block"
    text = page.evaluate("document.body.innerText")
    for value in HOSTILE:
        assert value in text, value
    # A severity from the file is never a class name: its own class set is fixed.
    classes = page.evaluate(
        "[...document.querySelectorAll('[class]')].flatMap(e => [...e.classList])"
    )
    assert not [c for c in classes if "<" in c or "script" in c]


def test_the_detectors_catch_an_unescaped_page(browser: Chromium, tmp_path: Path) -> None:
    """The checks above can fail: the same values pasted in raw run, inject and load."""
    path = tmp_path / "raw.html"
    path.write_text("<html><head><title>t</title></head><body>" + "".join(HOSTILE) + "</body>")
    page = browser.open(path.as_uri())
    assert page.evaluate("document.title") == "pwned"
    assert page.evaluate(f"{INJECTED}.length") >= 3
    requested = page.requests()
    assert "http://example.invalid/" in requested
    assert "http://example.invalid/x.css" in requested


def test_hidden_characters_are_shown(browser: Chromium, tmp_path: Path) -> None:
    """A right-to-left override would make the record read as something it is not."""
    spoof = "v=spf1 \u202eall-\u202c ip4:192.0.2.1\x00"
    doc = document([finding("example.org.", "TXT", "authoritative", "different", "error",
                            got=(spoof,))])  # fmt: skip
    page = show(browser, tmp_path, doc)
    text = page.evaluate("document.body.innerText")
    assert "v=spf1 \\u202eall-\\u202c ip4:192.0.2.1\\x00" in text
    assert "\u202e" not in text


def test_on_a_phone_nothing_runs_off_the_side(browser: Chromium, tmp_path: Path) -> None:
    doc = sample()
    doc["findings"][2]["got"] = ["v=DKIM1;k=rsa;p=" + "A" * 600]  # one long unbroken value
    page = show(browser, tmp_path, doc, width=360, height=740, mobile=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Each record is a card with one labelled line per server.
    lines = page.evaluate(
        "[...document.querySelectorAll('tr.record[data-name=\"_dmarc.example.org.\"] td.cell')]"
        ".map(c => [getComputedStyle(c, '::before').content, c.innerText,"
        " c.getBoundingClientRect().width])"
    )
    assert lines[0][:2] == [f'"authoritative {AUTH}: "', "FAIL different"]
    assert all(width > 300 for _, _, width in lines)  # a line each, across the card
    assert page.evaluate("getComputedStyle(document.querySelector('thead')).display") == "none"
    wide = show(browser, tmp_path, doc, width=1280, height=900)
    assert wide.evaluate("getComputedStyle(document.querySelector('thead')).display") != "none"


def test_on_paper_everything_is_printed(browser: Chromium, tmp_path: Path) -> None:
    doc = sample()
    page = show(browser, tmp_path, doc, media="print")
    style = "getComputedStyle(document.querySelector('{}')).{}"
    assert page.evaluate(style.format(".index", "display")) == "none"
    assert page.evaluate(style.format("td.name .val", "whiteSpace")) == "normal"  # no ellipsis
    assert page.evaluate(style.format(".problem", "breakInside")) == "avoid"
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page") >= 1


def test_the_page_is_deterministic_apart_from_the_time_stamps() -> None:
    doc = sample()
    again = copy.deepcopy(doc)
    again["findings"].reverse()  # verify's order may vary: the page's must not
    assert render_html(doc) == render_html(again)
    later = copy.deepcopy(doc)
    later["run"].update(started="2026-03-02T06:00:00Z", finished="2026-03-02T06:00:01Z")
    changed = [
        line
        for line in difflib.unified_diff(
            render_html(doc).splitlines(), render_html(later).splitlines(), n=0, lineterm=""
        )
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed and all("2026-03-0" in line for line in changed), "\n".join(changed)


def all_good() -> dict[str, Any]:
    return document(
        [finding("example.org.", "MX"), finding("example.com.", "MX", zone="example.com.")]
    )


def test_all_good_says_so(browser: Chromium, tmp_path: Path) -> None:
    page = show(browser, tmp_path, all_good())
    text = page.evaluate("document.body.innerText")
    assert text.startswith("All good zonegen verify, exit code 0")
    assert "Problems (0)\n\nNo problems: every check passed." in text
    assert page.evaluate("getComputedStyle(document.querySelector('.banner')).backgroundColor") == (
        "rgb(46, 125, 50)"
    )


def test_could_not_check_is_its_own_verdict(browser: Chromium, tmp_path: Path) -> None:
    doc = document(
        [finding("example.org.", "ANY", status="unreachable", severity="fatal", detail="timeout")]
    )
    text = show(browser, tmp_path, doc).evaluate("document.body.innerText")
    assert text.startswith("Could not check zonegen verify, exit code 2")
    assert "authoritative unreachable\nexample.org. ANY" in text
    assert json.dumps(doc)  # the document itself stays plain JSON


def test_answers_as_built_are_not_called_validated_without_the_ad_bit() -> None:
    """A resolver that does not validate gives every answer as built but none with AD: the
    page says 0 validated, as the JSON's zone says, not "3 of 3"."""
    rows = [
        finding(name, rtype, "resolver", server=RES, detail="not validated (no AD)")
        for name, rtype in (
            ("example.org.", "MX"),
            ("example.org.", "TXT"),
            ("mx.example.org.", "A"),
        )
    ]
    rows.append(finding("example.org.", "*", "resolver", "not-validating", "warning", server=RES))
    doc = document(rows)
    doc["zones"][0]["validated"] = 0
    page = render_html(doc)
    assert "0 of 3 answers validated (AD bit); 1 not-validating" in page
    del doc["zones"][0]["validated"]  # a report from before the key: read from the rows
    assert "0 of 3 answers validated (AD bit)" in render_html(doc)
