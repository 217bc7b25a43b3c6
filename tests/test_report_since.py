"""verify --since: reading an earlier report (anything else is bad input, exit 2, one line),
and what is newly failing, fixed and still failing, with since when."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, run
from zonegen.errors import InputError
from zonegen.verify.html import render_html
from zonegen.verify.report import render_since
from zonegen.verify.since import compare, parse_previous

SITE = REPO / "config" / "site.yaml"
T0, T1, T2 = "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z"


def finding(name: str, status: str = "ok", severity: str = "ok", **more: Any) -> dict[str, Any]:
    return {
        "check": "authoritative",
        "status": status,
        "severity": severity,
        "zone": "example.org.",
        "name": name,
        "rtype": "TXT",
        "server": "127.0.0.1:53",
        "expected": ["v=DMARC1;p=reject"],
        "got": [],
        "detail": "",
        **more,
    }


def doc(findings: list[dict[str, Any]], started: str, **more: Any) -> dict[str, Any]:
    return {
        "schema": 1,
        "ok": True,
        "summary": {"ok": 0, "warning": 0, "error": 0, "fatal": 0},
        "zones": [],
        "findings": findings,
        "run": {"started": started, "finished": started, "seconds": 0.1, "zonegen": "0"},
        **more,
    }


def previous(d: dict[str, Any]) -> Any:
    return parse_previous(json.dumps(d), "last.json")


def test_newly_failing_fixed_and_still_failing() -> None:
    before = doc(
        [
            finding("a.example.org.", "different", "error"),  # fixed: ok now
            finding("b.example.org.", "missing", "error"),  # still failing
            finding("c.example.org."),  # ok then, failing now
            finding("d.example.org.", "missing", "error"),  # d is not checked any more
        ],
        T0,
    )
    now = [
        finding("a.example.org."),
        finding("b.example.org.", "missing", "error"),
        finding("c.example.org.", "ttl", "error"),
    ]
    since = compare(now, T1, previous(before))
    assert since["previous"] == {"file": "last.json", "started": T0, "schema": 1}
    assert [(f["name"], f["first_seen"]) for f in since["newly_failing"]] == [
        ("c.example.org.", T1)
    ]
    assert [(f["name"], f["now"]) for f in since["fixed"]] == [
        ("a.example.org.", "ok"),
        ("d.example.org.", None),
    ]
    assert [(f["name"], f["first_seen"]) for f in since["still_failing"]] == [
        ("b.example.org.", T0)
    ]
    text = render_since(since)
    assert "1 newly failing, 2 fixed, 1 still failing" in text
    assert "FAIL authoritative ttl: c.example.org. TXT @ 127.0.0.1:53" in text
    assert "was FAIL authoritative different: a.example.org. TXT @ 127.0.0.1:53 (now ok)" in text
    assert "(no longer checked)" in text
    assert "(since 2026-01-01T10:00:00Z)" in text


def test_a_changed_status_is_a_new_problem_and_the_old_one_fixed() -> None:
    """The identity includes the status: 'different' turning 'missing' is news."""
    before = doc([finding("a.example.org.", "different", "error")], T0)
    since = compare([finding("a.example.org.", "missing", "error")], T1, previous(before))
    assert [f["status"] for f in since["newly_failing"]] == ["missing"]
    assert [(f["status"], f["now"]) for f in since["fixed"]] == [("different", "missing")]


def test_first_seen_is_carried_from_run_to_run() -> None:
    """A timer passes each run's JSON to the next: the first time a problem showed up stays."""
    bad = finding("b.example.org.", "missing", "error")
    first = doc([bad], T0)  # the first run: no since section
    second = doc([bad], T1, since=compare([bad], T1, previous(first)))
    third = compare([bad], T2, previous(second))
    assert [f["first_seen"] for f in third["still_failing"]] == [T0]
    # Not the earlier run's start when PREV says otherwise:
    assert second["since"]["still_failing"][0]["first_seen"] == T0


def test_warnings_count_and_oks_do_not() -> None:
    before = doc([finding("a.example.org.")], T0)
    now = [finding("a.example.org."), finding("x.example.org.", "extra", "warning")]
    since = compare(now, T1, previous(before))
    assert [f["name"] for f in since["newly_failing"]] == ["x.example.org."]
    assert not since["fixed"] and not since["still_failing"]


def test_unknown_keys_of_a_later_verify_are_kept() -> None:
    before = doc([finding("a.example.org.", "bogus", "error", reason="expired", ede=[7])], T0)
    since = compare([finding("a.example.org.")], T1, previous(before))
    assert since["fixed"][0]["reason"] == "expired" and since["fixed"][0]["ede"] == [7]


BAD: list[tuple[str, str]] = [
    ("{", "last.json:1: not JSON: Expecting property name enclosed in double quotes"),
    ("\n\n[1, 2,", "last.json:3: not JSON"),
    ("[" * 100_000, "nested too deeply"),
    ("[]", 'no "schema" key'),
    ('{"ok": true, "findings": []}', 'no "schema" key'),
    ('{"schema": "1"}', 'unknown schema "1"'),
    ('{"schema": true}', "unknown schema true"),
    ('{"schema": 0}', "unknown schema 0"),
    ('{"schema": 1e400}', "unknown schema Infinity"),
    ('{"schema": 2}', "schema 2 is newer than this zonegen reads (up to 1)"),
    ('{"schema": 1, "findings": []}', '"run.started" is missing'),
    ('{"schema": 1, "run": {"started": "yesterday"}, "findings": []}', '"run.started"'),
    ('{"schema": 1, "run": {"started": "' + T0 + '"}}', '"findings" is missing or not a list'),
    ('{"schema": 1, "run": {"started": "' + T0 + '"}, "findings": [7]}', "findings[0] is not"),
    (
        json.dumps(doc([{**finding("a."), "name": None}], T0)),
        "findings[0]: 'name' is missing or not text",
    ),
    (json.dumps(doc([finding("a.", severity="bad")], T0)), "unknown severity 'bad'"),
    (json.dumps(doc([], T0, since=[])), '"since" is not an object'),
    (
        json.dumps(doc([], T0, since={"still_failing": [{**finding("a."), "first_seen": 5}]})),
        "first_seen is not a time",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_what_is_not_a_verify_report_is_refused(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_previous(text, "last.json")
    assert message in str(caught.value)
    assert str(caught.value).startswith("last.json")


def test_bad_since_file_is_one_line_and_exit_2_before_any_query(tmp_path: Path) -> None:
    prev = tmp_path / "last.json"
    prev.write_text('{"ok": true, "summary": {}, "zones": [], "findings": []}')
    # No server is given and none is asked: PREV is refused before verify starts.
    result = run("verify", "--site", SITE, "--since", prev)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("zonegen: error: ")
    assert 'not a zonegen verify report: no "schema" key' in lines[0]
    assert "(give a file written by `zonegen verify --format json`" in lines[0]

    missing = run("verify", "--site", SITE, "--since", tmp_path / "nope.json")
    assert missing.exit_code == 2
    assert "nope.json: earlier verify report not found" in missing.stderr


def test_html_must_not_overwrite_the_json_or_since_file(tmp_path: Path) -> None:
    same = tmp_path / "last.json"
    result = run("verify", "--site", SITE, "--html", same, "--since", same)
    assert result.exit_code == 2 and "--html needs a file of its own" in result.stderr


def test_hostile_text_in_prev_is_shown_escaped() -> None:
    """Terminal escapes, a bidi override and a lone surrogate from PREV reach neither the
    terminal nor the page as they are, and nothing fails to encode."""
    evil = "\x1b[2J\u202emoc.elpmaxe\ud800\n"
    before = doc([finding(evil, "different", "error", detail=evil)], T0)
    since = compare([], T1, previous(before))
    text = render_since(since)
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[2J\\u202emoc.elpmaxe\\ud800\\x0a" in text
    text.encode("utf-8")
    html = render_html(doc([], T1, since=since))
    assert "\u202e" not in html and "\ud800" not in html and "\x1b" not in html
    html.encode("utf-8")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
KEYS = st.sampled_from(["schema", "run", "findings", "since", "started", "severity", "status"])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        JSON,
        st.dictionaries(KEYS, JSON, max_size=5),
        st.builds(
            lambda extra, f: {**doc(f, T0), **extra},
            st.dictionaries(KEYS, JSON, max_size=2),
            st.lists(st.dictionaries(KEYS | st.sampled_from(["check", "zone"]), JSON), max_size=3),
        ),
    )
)
def test_any_json_is_read_or_refused_never_crashes(value: Any) -> None:
    try:
        prev = parse_previous(json.dumps(value), "last.json")
    except InputError:
        return
    since = compare([finding("a.example.org.", "missing", "error")], T1, prev)
    render_since(since).encode("utf-8")
    render_html(doc([], T1, since=since)).encode("utf-8")
