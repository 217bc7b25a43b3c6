"""The JSON Schema of verify's JSON: a valid schema, shipped in the package, strict where
the contract is (tests/test_report_live.py validates real runs against it)."""

from __future__ import annotations

import copy
import fnmatch
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import REPO
from zonegen.verify import findings
from zonegen.verify.findings import SCHEMA_FILE, VERSION, schema_text

SCHEMA = json.loads(schema_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
PACKAGE = REPO / "src" / "zonegen" / "verify"


def real_shaped() -> dict[str, Any]:
    """A document as Report.as_json() and the CLI make it (no DNS needed)."""
    report = findings.Report(
        zones=[
            {
                "zone": "example.org.",
                "nameservers": ["127.0.0.1:53"],
                "resolver": "127.0.0.1:54",
                "signed": True,
                "rrsets": 1,
            }
        ],
        findings=[
            findings.Finding(
                "authoritative",
                "different",
                "error",
                "example.org.",
                "_dmarc.example.org.",
                "TXT",
                "127.0.0.1:53",
                ("v=DMARC1;p=reject",),
                ("v=DMARC1;p=none",),
            )
        ],
    )
    doc = report.as_json()
    doc["run"] = {
        "started": "2026-01-01T00:00:00Z",
        "finished": "2026-01-01T00:00:01Z",
        "seconds": 1.0,
        "zonegen": "0.1.0",
    }
    f = doc["findings"][0]
    doc["since"] = {
        "previous": {"file": "last.json", "started": "2025-12-31T00:00:00Z", "schema": 1},
        "newly_failing": [{**f, "first_seen": "2026-01-01T00:00:00Z"}],
        "still_failing": [],
        "fixed": [{**f, "status": "missing", "first_seen": None, "now": "ok"}],
    }
    return doc


def test_the_schema_is_a_valid_draft_2020_12_schema_of_this_version() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema"] == {"const": VERSION}
    assert SCHEMA["$id"].endswith(f":{VERSION}")


def test_report_as_json_carries_the_version() -> None:
    assert findings.Report().as_json()["schema"] == VERSION


def test_a_document_as_verify_writes_it_is_valid() -> None:
    assert not list(VALIDATOR.iter_errors(real_shaped()))


def test_keys_may_be_added() -> None:
    doc = real_shaped()
    # Keys schema 1 does not define yet ("servers" is defined now: see the next test).
    doc["timings"] = [{"server": "127.0.0.1:53", "seconds": 0.2}]
    doc["findings"][0]["reason"] = "expired"
    doc["zones"][0]["serial"] = 7
    assert not list(VALIDATOR.iter_errors(doc))


def test_the_keys_verify_adds_are_described() -> None:
    """servers, signing, chain, dnssec_expected, the zone's servers and ede: as verify
    writes them they are valid, and a wrong value is caught."""
    doc = real_shaped()
    doc["servers"] = [
        {
            "server": "127.0.0.1:53",
            "role": "authoritative",
            "queries": 3,
            "answered": 0,
            "skipped": 20,
            "seconds": 3.0,
            "span": 1.0,
            "slowest": 1.0,
            "slowest_query": "example.org. SOA",
            "rcodes": {},
            "failures": {"timeout": 3},
            "outcome": "no-answer",
            "detail": "no answer from 127.0.0.1:53 within 1.0 s",
        }
    ]
    doc["zones"][0].update(
        signing="unknown",
        chain="unknown",
        dnssec_expected=True,
        servers=[{"server": "127.0.0.1:53", "signed": None, "serial": None}],
        validated=0,
    )
    doc["findings"][0]["ede"] = [{"code": 7, "text": "EDE 7 (Signature Expired)"}]
    assert not list(VALIDATOR.iter_errors(doc))
    doc["zones"][0]["signing"] = "maybe"
    assert list(VALIDATOR.iter_errors(doc))


def _drop(doc: dict[str, Any], *path: str | int) -> None:
    *parents, last = path
    for p in parents:
        doc = doc[p]  # type: ignore[index]
    del doc[last]  # type: ignore[arg-type]


def _set(value: Any, *path: str | int) -> Any:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path
        for p in parents:
            doc = doc[p]  # type: ignore[index]
        doc[last] = value  # type: ignore[index]

    return change


BREAKS = {
    "no schema key": lambda d: _drop(d, "schema"),
    "another schema": _set(2, "schema"),
    "no run": lambda d: _drop(d, "run"),
    "a time in another spelling": _set("2026-01-01 00:00:00", "run", "started"),
    "ok as text": _set("true", "ok"),
    "an unknown severity": _set("bad", "findings", 0, "severity"),
    "a finding without its server": lambda d: _drop(d, "findings", 0, "server"),
    "values not a list": _set("v=DMARC1", "findings", 0, "expected"),
    "a summary count below 0": _set(-1, "summary", "error"),
    "a zone without signed": lambda d: _drop(d, "zones", 0, "signed"),
    "a fixed finding without now": lambda d: _drop(d, "since", "fixed", 0, "now"),
    "a new finding without first_seen": lambda d: _drop(
        d, "since", "newly_failing", 0, "first_seen"
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_what_would_break_readers_is_invalid(name: str) -> None:
    doc = copy.deepcopy(real_shaped())
    BREAKS[name](doc)
    assert list(VALIDATOR.iter_errors(doc)), f"{name}: the schema let it through"


def test_the_schema_and_the_template_ship_in_the_package() -> None:
    """pyproject's package data names them (an editable install would hide a miss)."""
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["zonegen.verify"]
    shipped = [
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and any(fnmatch.fnmatch(p.relative_to(PACKAGE).as_posix(), g) for g in patterns)
    ]
    assert SCHEMA_FILE in shipped and "templates/verify.html" in shipped


def test_the_readme_documents_the_contract() -> None:
    readme = (REPO / "README.md").read_text()
    assert f"src/zonegen/verify/{SCHEMA_FILE}" in readme
    assert '"schema": 1' in readme
    for key in ("newly_failing", "still_failing", "fixed", "first_seen", '"now"'):
        assert key in readme, key


def test_the_documented_paths_exist() -> None:
    assert (PACKAGE / SCHEMA_FILE).is_file()
    assert Path(REPO / "docs" / "verify-report.png").is_file()
