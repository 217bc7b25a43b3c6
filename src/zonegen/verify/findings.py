"""What ``zonegen verify`` reports: each :class:`Finding` (what was checked, where, against which
server, and what came of it), the :class:`Report` of a run, and the JSON document made of it.

The document is a contract for monitoring and for ``--since`` (README, "The JSON report"):
keys may be added within a schema version, but changing or removing one needs a new
:data:`VERSION`. The JSON Schema that describes it ships next to this module
(:data:`SCHEMA_FILE`) and the tests validate real output against it. The command line reads
the table of check ids below at import time, so this module imports nothing heavy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from typing import Any

OK, WARNING, ERROR, FATAL = "ok", "warning", "error", "fatal"
SEVERITIES = (FATAL, ERROR, WARNING, OK)  # worst first; fatal: could not check
RANK = {s: i for i, s in enumerate(SEVERITIES)}
MARK = {FATAL: "FAIL", ERROR: "FAIL", WARNING: "WARN", OK: "ok"}  # as the text report says it


def rank(severity: str) -> int:
    """0 for the worst; a severity this version does not know (from an edited file) too."""
    return RANK.get(severity, 0)


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # authoritative | resolver | dnssec | consistency | dane
    status: str  # ok, missing, different, ttl, extra, bogus, expired, no-answer, ... (README)
    severity: str  # ok | warning | error | fatal (could not check)
    zone: str  # "" for a finding about a server as a whole
    name: str
    rtype: str
    server: str
    expected: tuple[str, ...] = ()
    got: tuple[str, ...] = ()
    detail: str = ""
    # Extended DNS Errors (RFC 8914) the resolver attached: (code, text).
    ede: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Where:
    zone: str
    name: str
    rtype: str
    server: str


def finding(
    where: Where,
    check: str,
    status: str,
    severity: str,
    *,
    expected: tuple[str, ...] = (),
    got: tuple[str, ...] = (),
    detail: str = "",
    ede: tuple[tuple[int, str], ...] = (),
) -> Finding:
    return Finding(
        check,
        status,
        severity,
        where.zone,
        where.name,
        where.rtype,
        where.server,
        expected,
        got,
        detail,
        ede,
    )


def order(f: Finding) -> tuple[str, str, str, str, int, str, str]:
    return (f.zone, f.name, f.rtype, f.check, RANK[f.severity], f.server, f.status)


# ------------------------------------------------------------------------ the report

VERSION = 1  # of the JSON document; see the module's docstring
SCHEMA_FILE = "verify-report.schema.json"


@dataclass
class Report:
    zones: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Per server: role, queries, answered, time (total, slowest), outcome.
    servers: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def exit_code(self) -> int:
        if self.count(FATAL):
            return 2
        return 1 if self.count(ERROR) else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": VERSION,
            "ok": self.exit_code == 0,
            "summary": {s: self.count(s) for s in (OK, WARNING, ERROR, FATAL)},
            "zones": self.zones,
            "servers": self.servers,
            "findings": [_finding_json(f) for f in self.findings],
        }


# The keys of a finding in the JSON: its fields but "ede", which is there only when the
# resolver sent Extended DNS Errors. Read directly, not through dataclasses.asdict, which
# copies every value deeply (a tenth of a second for the 5,000 findings of 100 domains).
_KEYS = tuple(f.name for f in fields(Finding) if f.name != "ede")


def _finding_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {k: getattr(f, k) for k in _KEYS}
    out["expected"], out["got"] = list(f.expected), list(f.got)
    if f.ede:
        out["ede"] = [{"code": code, "text": text} for code, text in f.ede]
    return out


def schema_text() -> str:
    """The JSON Schema of :data:`VERSION`, as shipped in the package."""
    from importlib import resources

    return resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def timestamp(moment: datetime.datetime) -> str:
    """UTC, to the second, with a ``Z``: one spelling, sortable as text."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def document(
    report: dict[str, Any],
    *,
    started: datetime.datetime,
    finished: datetime.datetime,
    version: str,
    since: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole document: the report (``Report.as_json()``), when it ran and, with
    ``--since``, what changed since the earlier run."""
    doc = dict(report)
    doc["run"] = {
        "started": timestamp(started),
        "finished": timestamp(finished),
        "seconds": round(max((finished - started).total_seconds(), 0.0), 3),
        "zonegen": version,
    }
    if since is not None:
        doc["since"] = since
    return doc
