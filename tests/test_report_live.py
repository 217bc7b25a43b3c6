"""verify --html/--json/--since as a timer runs them, against a signed named and a validating
unbound on 127.0.0.1: each run's JSON is valid against the shipped JSON Schema, the text and
the page say what broke, since when, and what was fixed, and Chromium loads nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.rdatatype
import jsonschema
import pytest
import yaml

from chromium import Chromium
from conftest import REPO, run
from dnslab import Named, Unbound
from test_verify import SITE, Lab
from zonegen.verify.findings import schema_text

DMARC = "v=DMARC1;p=reject;rua=mailto:dmarcreports@example.org!10m"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(schema_text()))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The lab of test_verify.py, loaded by octodns-sync in a process of its own: octoDNS's
    Manager resets octoDNS's process-wide record validators, and in this process that would
    switch off the strict validation zonegen's build enables for every later test."""
    tmp = tmp_path_factory.mktemp("lab")
    named = Named(tmp / "named", ["example.org"], dnssec=True).start()
    unbound = None
    try:
        zones = tmp / "zones"
        assert run("build", "--site", SITE, "--out", zones).exit_code == 0
        config = yaml.safe_load((REPO / "config" / "octodns-bind.yaml").read_text())
        config["providers"]["zones"]["directory"] = str(zones)
        (tmp / "octodns.yaml").write_text(yaml.safe_dump(config))
        sync = Path(sys.executable).parent / "octodns-sync"
        subprocess.run(
            [sync, "--config-file", tmp / "octodns.yaml", "--doit"],
            env={**os.environ, **named.env},
            check=True,
            capture_output=True,
            timeout=120,
        )
        anchors = {"example.org": named.ds("example.org.")}
        unbound = Unbound(tmp / "unbound", named.port, ["example.org"], anchors).start()
        yield Lab(named, unbound)
    finally:
        if unbound:
            unbound.stop()
        named.stop()


def settle(lab: Lab, name: str, rtype: str, want: str | None) -> None:
    """Wait until the validating resolver answers ``want`` (None: no such record), so that
    a run sees the change everywhere (inline signing and unbound's cache take a moment)."""
    assert lab.unbound
    deadline = time.monotonic() + 30
    while True:
        query = dns.message.make_query(name, rtype)
        answer = dns.query.udp(query, "127.0.0.1", port=lab.unbound.port, timeout=2)
        got = sorted(
            b"".join(rd.strings).decode() if rtype == "TXT" else rd.to_text()
            for rrset in answer.answer
            if rrset.rdtype == dns.rdatatype.from_text(rtype)
            for rd in rrset
        )
        if got == ([want] if want else []):
            return
        assert time.monotonic() < deadline, f"the resolver still says {got} for {name} {rtype}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    chromium = Chromium()
    yield chromium
    chromium.close()


def verify(lab: Lab, *args: str | Path) -> tuple[int, str, str]:
    assert lab.unbound
    result = run(
        "verify",
        "--site",
        SITE,
        "--skip",
        "iprev",
        "--nameserver",
        f"127.0.0.1:{lab.named.port}",
        "--resolver",
        f"127.0.0.1:{lab.unbound.port}",
        *args,
    )
    return result.exit_code, result.stdout, result.stderr


def valid(doc: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(VALIDATOR.iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return doc


def page_rows(browser: Chromium, html: Path) -> tuple[Any, list[Any], str]:
    page = browser.open(html.as_uri())
    assert page.requests() == [html.as_uri()], "the page loaded something"
    rows = page.evaluate(
        "[...document.querySelectorAll('tr.record')].map(r => [r.dataset.name, r.dataset.rtype,"
        " r.dataset.severity, [...r.querySelectorAll('td.cell')].map(c => c.innerText)])"
    )
    return page, rows, page.evaluate("document.body.innerText")


def test_a_timer_sees_what_broke_since_when_and_what_was_fixed(
    lab: Lab, browser: Chromium, tmp_path: Path
) -> None:
    last, html = tmp_path / "last.json", tmp_path / "status.html"
    timer = ("--html", html, "--since", last, "--json", last)

    # 1. The first run: nothing to compare with yet; the page shows every record, all ok.
    code, out, err = verify(lab, *timer)
    assert code == 0, out + err
    assert err == f"zonegen: note: {last} does not exist yet: first run\n"
    assert "since the run" not in out
    first = valid(json.loads(last.read_text()))
    assert "since" not in first and first["schema"] == 1
    _, rows, text = page_rows(browser, html)
    records = {(f["name"], f["rtype"]) for f in first["findings"]}
    assert len(records) == 24 and {(n, t) for n, t, _, _ in rows} == records
    assert all(severity == "ok" for _, _, severity, _ in rows)
    assert text.startswith("All good")

    # 2. Someone changes DMARC by hand and adds an A record at the apex.
    lab.named.replace("example.org.", "_dmarc.example.org.", "TXT", '"v=DMARC1;p=none"')
    lab.named.update("example.org.", "example.org.", "A", "192.0.2.99")
    settle(lab, "_dmarc.example.org.", "TXT", "v=DMARC1;p=none")
    settle(lab, "example.org.", "A", "192.0.2.99")
    time.sleep(1)  # a new second: the runs' time stamps differ
    code, out, err = verify(lab, *timer)
    assert code == 1, out + err
    second = valid(json.loads(last.read_text()))
    new = {
        (f["check"], f["name"], f["rtype"], f["status"]) for f in second["since"]["newly_failing"]
    }
    assert new == {
        ("authoritative", "_dmarc.example.org.", "TXT", "different"),
        ("resolver", "_dmarc.example.org.", "TXT", "different"),
        ("authoritative", "example.org.", "A", "extra"),
    }
    assert second["since"]["previous"]["started"] == first["run"]["started"]
    assert f"since the run of {first['run']['started']} ({last}): " in out
    assert "  newly failing:\n    FAIL authoritative different: _dmarc.example.org. TXT @" in out
    page, rows, text = page_rows(browser, html)
    dmarc = next(r for r in rows if r[:2] == ["_dmarc.example.org.", "TXT"])
    assert dmarc[2] == "error" and dmarc[3][0] == "FAIL different"
    apex_a = next(r for r in rows if r[:2] == ["example.org.", "A"])
    assert apex_a[2] == "warning" and apex_a[3][0] == "WARN extra"
    assert text.startswith("Problems")
    assert f"built\n{DMARC}\nlive\nv=DMARC1;p=none" in text
    tags = page.evaluate(
        "[...document.querySelectorAll('article.problem')].map(a => [a.dataset.name,"
        " a.dataset.check, a.querySelector('.tag')?.innerText])"
    )
    assert ["_dmarc.example.org.", "authoritative", "new"] in tags

    # 3. Still broken an hour later (or a second): since when is the second run's start.
    time.sleep(1)
    code, out, err = verify(lab, *timer)
    assert code == 1, out + err
    third = valid(json.loads(last.read_text()))
    still = {
        (f["check"], f["name"], f["status"]): f["first_seen"]
        for f in third["since"]["still_failing"]
    }
    started = second["run"]["started"]
    assert still[("authoritative", "_dmarc.example.org.", "different")] == started
    assert "FAIL authoritative different: _dmarc.example.org. TXT @ 127.0.0.1:" in out
    assert f"(since {started})" in out
    _, _, text = page_rows(browser, html)
    human = f"{started[:10]} {started[11:19]} UTC"
    assert f"since {human}" in text

    # 4. DMARC put back: fixed (now ok); the extra A is still there and still a warning.
    lab.named.replace("example.org.", "_dmarc.example.org.", "TXT", f'"{DMARC}"')
    settle(lab, "_dmarc.example.org.", "TXT", DMARC)
    time.sleep(1)
    code, out, err = verify(lab, *timer, "--format", "json")
    assert code == 0, out + err
    printed = valid(json.loads(out))
    assert printed == json.loads(last.read_text())  # --json holds what --format json prints
    fixed = {(f["check"], f["name"], f["status"]): f["now"] for f in printed["since"]["fixed"]}
    assert fixed == {
        ("authoritative", "_dmarc.example.org.", "different"): "ok",
        ("resolver", "_dmarc.example.org.", "different"): "ok",
    }
    assert [(f["name"], f["status"]) for f in printed["since"]["still_failing"]] == [
        ("example.org.", "extra")
    ]
    _, rows, text = page_rows(browser, html)
    assert text.startswith("All good")
    assert next(r for r in rows if r[:2] == ["_dmarc.example.org.", "TXT"])[2] == "ok"
    assert "Fixed (" in text and "now ok" in text


def test_unreachable_servers_still_give_a_page_and_valid_json(
    lab: Lab, browser: Chromium, tmp_path: Path
) -> None:
    from dnslab import free_port

    html, out_json = tmp_path / "status.html", tmp_path / "run.json"
    assert lab.unbound
    result = run(
        "verify",
        "--site",
        SITE,
        "--skip",
        "iprev",
        "--nameserver",
        f"127.0.0.1:{free_port()}",  # nobody listens there
        "--resolver",
        f"127.0.0.1:{lab.unbound.port}",
        "--html",
        html,
        "--json",
        out_json,
    )
    assert result.exit_code == 2, result.stdout
    doc = valid(json.loads(out_json.read_text()))
    assert doc["ok"] is False and doc["summary"]["fatal"] > 0
    _, _, text = page_rows(browser, html)
    assert text.startswith("Could not check")
    assert "authoritative no-answer" in text  # one line for the server (issue 15)
    assert "unknown: no server answered" in text  # not "signed: no" (issue 19)
