"""The JSON document ``zonegen verify --format json`` prints, and its version.

The document is a contract for monitoring and for ``--since``: keys may be added within a
schema version, but changing or removing one needs a new :data:`VERSION`. The JSON Schema
that describes it ships next to this module (:data:`SCHEMA_FILE`) and the tests validate
real output against it.
"""

from __future__ import annotations

import datetime
from importlib import resources
from typing import Any

VERSION = 1
SCHEMA_FILE = "verify-report.schema.json"


def schema_text() -> str:
    """The JSON Schema of :data:`VERSION`, as shipped in the package."""
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
