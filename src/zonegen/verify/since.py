"""What changed since an earlier run: ``zonegen verify --since PREV.json``.

PREV is an earlier ``--format json`` document (see ``findings.py``). A finding is known across
runs by its identity (check, zone, name, rtype, server, status); every finding that is not
``ok`` is a problem (warnings included: a record that appeared on the server is news). Then:

- newly failing: a problem now that was not one in PREV;
- fixed: a problem in PREV that is not one now, with what the same check says now
  (``now``: its status, or null when it was not checked this time);
- still failing: a problem in both, with ``first_seen``, carried over from PREV's own
  ``since`` section when it has one, so a timer that passes each run's JSON to the next
  keeps the time a problem first showed up.

Everything here works on the JSON documents, not on ``Report``, so finding kinds and keys
that verify adds later take part without changes here. Reading PREV is the one file access;
what it holds is checked before use, and anything that is not a verify document of a known
schema is an :class:`InputError` (exit 2).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..text import visible
from .findings import SEVERITIES, VERSION, rank

IDENTITY = ("check", "zone", "name", "rtype", "server", "status")
Identity = tuple[str, ...]
TIME = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
_HINT = "give a file written by `zonegen verify --format json` or `--json FILE`"


@dataclass(frozen=True, slots=True)
class Previous:
    """The problems of an earlier run, by identity."""

    file: str
    schema: int
    started: str | None
    problems: dict[Identity, dict[str, Any]]  # each with "first_seen"
    # Per mail domain, the MTA-STS id and policy SHA-256 that run saw (sts.py: a policy that
    # changed under the same id is an error).
    mta_sts: dict[str, tuple[str, str]] = field(default_factory=dict)


def identity(finding: dict[str, Any]) -> Identity:
    return tuple(str(finding[k]) for k in IDENTITY)


def is_problem(finding: dict[str, Any]) -> bool:
    return bool(finding["severity"] != "ok")


def load_previous(path: Path) -> Previous:
    """Read and check PREV (through ``sources``, the one place that opens input files)."""
    from ..sources.files import read_text, show

    return parse_previous(read_text(path, what="earlier verify report", hint=_HINT), show(path))


def parse_previous(text: str, shown: str) -> Previous:
    """PREV's problems, or an InputError saying why it is not a verify document."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not JSON: {e.msg}", path=shown, line=e.lineno, hint=_HINT) from None
    except RecursionError:
        raise InputError("not a verify report: nested too deeply", path=shown) from None

    def bad(what: str) -> InputError:
        return InputError(f"not a zonegen verify report: {what}", path=shown, hint=_HINT)

    if not isinstance(doc, dict) or "schema" not in doc:
        raise bad('no "schema" key (verify prints one since schema 1)')
    schema = doc["schema"]
    if type(schema) is not int or schema < 1:  # bool is an int: true is no version
        raise bad(f"unknown schema {visible(json.dumps(schema))[:40]}")
    if schema > VERSION:
        raise InputError(
            f"schema {schema} is newer than this zonegen reads (up to {VERSION})",
            path=shown,
            hint="upgrade zonegen, or start afresh without --since",
        )
    run = doc.get("run")
    started = run.get("started") if isinstance(run, dict) else None
    if not (isinstance(started, str) and TIME.match(started)):
        raise bad('"run.started" is missing or not a time like 2025-01-31T12:00:00Z')
    findings = doc.get("findings")
    if not isinstance(findings, list):
        raise bad('"findings" is missing or not a list')
    seen = _first_seen(doc.get("since"), bad)
    problems: dict[Identity, dict[str, Any]] = {}
    policies: dict[str, tuple[str, str]] = {}
    for i, finding in enumerate(findings):
        _check_finding(finding, f"findings[{i}]", bad)
        if is_problem(finding):
            key = identity(finding)
            if key not in problems:
                problems[key] = {**finding, "first_seen": seen.get(key, started)}
        state = _policy_state(finding)
        if state is not None:
            policies[state[0]] = state[1]
    return Previous(shown, schema, started, problems, policies)


def _policy_state(finding: dict[str, Any]) -> tuple[str, tuple[str, str]] | None:
    """(domain, (id, sha256)) from an mta-sts policy finding (sts.py), else None."""
    from .sts import POLICY_TYPE, policy_state

    if finding["check"] != "mta-sts" or finding["rtype"] != POLICY_TYPE:
        return None
    got = finding.get("got")
    name = str(finding["name"])
    if not isinstance(got, list) or not name.startswith("mta-sts."):
        return None
    state = policy_state([g for g in got if isinstance(g, str)])
    return (name[len("mta-sts.") :], state) if state else None


def _check_finding(finding: object, where: str, bad: Any) -> None:
    if not isinstance(finding, dict):
        raise bad(f"{where} is not an object")
    for key in (*IDENTITY, "severity"):
        if not isinstance(finding.get(key), str):
            raise bad(f"{where}: {key!r} is missing or not text")
    if finding["severity"] not in SEVERITIES:
        raise bad(f"{where}: unknown severity {visible(finding['severity'])[:40]!r}")


def _first_seen(since: object, bad: Any) -> dict[Identity, str]:
    """First-seen times from PREV's own ``since`` section (absent when PREV had none)."""
    if since is None:
        return {}
    if not isinstance(since, dict):
        raise bad('"since" is not an object')
    seen: dict[Identity, str] = {}
    for part in ("newly_failing", "still_failing"):
        entries = since.get(part, [])
        if not isinstance(entries, list):
            raise bad(f'"since.{part}" is not a list')
        for i, entry in enumerate(entries):
            _check_finding(entry, f"since.{part}[{i}]", bad)
            first = entry.get("first_seen")
            if first is not None and not (isinstance(first, str) and TIME.match(first)):
                raise bad(f"since.{part}[{i}]: first_seen is not a time")
            if first:
                seen.setdefault(identity(entry), first)
    return seen


def compare(findings: list[dict[str, Any]], started: str, previous: Previous) -> dict[str, Any]:
    """The ``since`` section of this run's document (``findings`` as ``Report.as_json``)."""
    now: dict[Identity, dict[str, Any]] = {}
    status_now: dict[Identity, tuple[str, str]] = {}  # (check .. server) -> status, severity
    for finding in findings:
        key = identity(finding)
        if is_problem(finding):
            now.setdefault(key, finding)
        # What the same check on the same record and server says now, whatever the status.
        where = key[:-1]
        prior = status_now.get(where)
        if prior is None or rank(finding["severity"]) < rank(prior[1]):
            status_now[where] = (finding["status"], finding["severity"])
    newly = [{**f, "first_seen": started} for key, f in now.items() if key not in previous.problems]
    still = [
        {**f, "first_seen": previous.problems[key]["first_seen"]}
        for key, f in now.items()
        if key in previous.problems
    ]
    fixed = [
        {**f, "now": status_now[key[:-1]][0] if key[:-1] in status_now else None}
        for key, f in previous.problems.items()
        if key not in now
    ]
    return {
        "previous": {
            "file": previous.file,
            "started": previous.started,
            "schema": previous.schema,
        },
        "newly_failing": sorted(newly, key=order),
        "fixed": sorted(fixed, key=order),
        "still_failing": sorted(still, key=order),
    }


def order(finding: dict[str, Any]) -> tuple[int, str, str, str, str, str, str]:
    """Worst first, then by zone, name, type, check, server, status."""
    return (
        rank(finding["severity"]),
        finding["zone"],
        finding["name"],
        finding["rtype"],
        finding["check"],
        finding["server"],
        finding["status"],
    )
