"""Every value of the site file is checked on the way in: whatever the file holds, reading and
building it ends in a build or in one InputError naming the site file, never in a traceback,
and in bounded time.

Hand-picked hostile files first (each once broke something: a 5,000-digit TTL was a PyYAML
traceback), then hypothesis: hostile values (huge numbers, floats, dates, NUL bytes, nested
lists and mappings, non-text keys) put at every key the site file knows.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from zonegen.bind import render_bind
from zonegen.checks import run_checks
from zonegen.errors import ZonegenError
from zonegen.octodns.records import Rejected, zone_yaml
from zonegen.pipeline import build
from zonegen.sources import read_inputs

BASE = """\
mox:
  records: [mox/dnsrecords-example.org.txt]
  config: mox/config
bind:
  ns: [ns1.dns.example.]
zones:
  example.org: {}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(FIXTURES / "v17-dualstack-dnssec", root / "mox")
    return root


def outcome(folder: Path, text: str) -> str:
    """'built', or the InputError's message; anything else fails the test."""
    site = folder / "site.yaml"
    start = time.monotonic()
    try:
        result = build(read_inputs(site, site_text=text))
        run_checks(result)
        for zone, settings_ in zip(result.zones, result.site.zones, strict=True):
            # octoDNS's verdict on a value is a problem build reports, not a crash.
            with contextlib.suppress(Rejected):
                zone_yaml(zone)
            render_bind(zone, settings_.bind, previous=None)
    except ZonegenError as e:
        message = str(e)
        assert len(message) < 1000 and "\n" not in message, message
        return message
    finally:
        assert time.monotonic() - start < 20, "unbounded"
    return "built"


def _aliases(depth: int, width: int) -> str:
    lines = ["x0: &x0 [{type: TXT, value: a}]"]
    lines += [f"x{i + 1}: &x{i + 1} [{', '.join([f'*x{i}'] * width)}]" for i in range(depth)]
    return "\n".join(lines) + "\n"


HOSTILE = {
    "5000-digit TTL": BASE + "ttl: {default: " + "9" * 5000 + "}\n",
    "4000-digit TTL": BASE + "ttl: {default: " + "9" * 4000 + "}\n",
    "huge TTL of a site record": BASE.replace(
        "example.org: {}",
        "example.org: {records: {www: {type: A, ttl: " + "9" * 40 + ", value: 192.0.2.1}}}",
    ),
    "deep list": BASE + "host: {name: " + "[" * 5000 + "]" * 5000 + "}\n",
    "deep mapping": BASE + "host: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "alias bomb": BASE.replace(
        "example.org: {}", "example.org:\n    records:\n      www: *x9"
    ).replace("mox:", _aliases(9, 8) + "mox:"),
    "NUL escaped in a name": BASE + 'host: {name: "a\\0b.example.org"}\n',
    "NUL byte": BASE + "host: {name: a\x00b}\n",
    "BOM inside": BASE + "\ufeffhost: {}\n",
    "python tag": BASE + "host: !!python/object:os.system {}\n",
    "binary": BASE + "host: {name: !!binary aGVsbG8=}\n",
    "date and time": BASE
    + "retired: [{name: a.example.org, type: TXT, value: x, until: 2026-01-01 10:00:00}]\n",
    "yes as a zone": BASE.replace("example.org: {}", "example.org: {}\n  yes: {}"),
    "1.50 as a record name": BASE.replace(
        "example.org: {}", "example.org: {records: {1.50: {type: A, value: 192.0.2.1}}}"
    ),
    "dynamic record": BASE.replace(
        "example.org: {}",
        "example.org: {records: {www: {type: A, value: 192.0.2.1, dynamic: {pools: {}}}}}",
    ),
    "nested value": BASE.replace(
        "example.org: {}", "example.org: {records: {www: {type: A, value: {a: {b: c}}}}}"
    ),
    "list as a retired value": BASE
    + "retired: [{name: a.example.org, type: TXT, value: [a, b], until: 2026-01-01}]\n",
    "long unknown key": BASE + '"' + "x" * 5000 + '": 1\n',
    "long IP": BASE + "host: {ipv4: [" + "9" * 4000 + "]}\n",
    "long name": BASE.replace("mox/config\n", "mox/config\n  exclude: ['" + "a" * 5000 + "']\n"),
    "infinite TTL": BASE + "ttl: {default: .inf}\n",
    "not a TTL type": BASE.replace(
        "example.org: {}", "example.org: {records: {www: {type: [A], value: 192.0.2.1}}}"
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_site_files(folder: Path, name: str) -> None:
    assert outcome(folder, HOSTILE[name]) != "built" or name == "BOM inside"


def test_the_base_site_builds(folder: Path) -> None:
    assert outcome(folder, BASE) == "built"
    assert outcome(folder, "\ufeff" + BASE) == "built"  # a BOM at the start is allowed


_PATHS: list[tuple[str, ...]] = [
    ("mox", "records"),
    ("mox", "config"),
    ("mox", "publish_commented"),
    ("mox", "groups"),
    ("mox", "groups", "caa"),
    ("mox", "exclude"),
    ("host",),
    ("host", "name"),
    ("host", "ipv4"),
    ("host", "ipv6"),
    ("ttl", "default"),
    ("ttl", "min"),
    ("ttl", "max"),
    ("ttl", "kinds"),
    ("ttl", "kinds", "dkim"),
    ("ttl", "overrides"),
    ("ttl", "overrides", "mx.example.org"),
    ("bind", "ns"),
    ("bind", "soa"),
    ("bind", "soa", "rname"),
    ("bind", "soa", "refresh"),
    ("zones", "example.org"),
    ("zones", "example.org", "dnssec"),
    ("zones", "example.org", "kept"),
    ("zones", "example.org", "conflicts"),
    ("zones", "example.org", "records"),
    ("zones", "example.org", "records", "www"),
    ("zones", "example.org", "records", "www", "type"),
    ("zones", "example.org", "records", "www", "ttl"),
    ("zones", "example.org", "records", "www", "value"),
    ("zones", "example.org", "records", "www", "values"),
    ("zones", "example.org", "bind", "ns"),
    ("octodns",),
    ("retired",),
]

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**4000),
    st.floats(),
    st.dates(),
    st.text(max_size=20),
    st.sampled_from(
        ["A", "TXT", "MX", "10 mx.example.org.", "192.0.2.1", "::1", "\x00", "a" * 300, "@"]
    ),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(["type", "value", "ttl", "a", "www"]), st.integers()),
            children,
            max_size=3,
        ),
    ),
    max_leaves=12,
)


def _put(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        child = doc.get(key)
        if not isinstance(child, dict):
            child = doc[key] = {}
        doc = child
    doc[path[-1]] = value


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(_PATHS), _VALUES), min_size=1, max_size=3))
# What Hypothesis found once (OSError ENAMETOOLONG from Path.is_dir, ValueError from a NUL
# in a file name): kept as fixed examples, so they run on every test run.
@example(changes=[(("mox", "config"), "a" * 300)])
@example(changes=[(("mox", "records"), "\x00")])
# A line break in a value echoed by a message (a record type octoDNS names, a path) made the
# one-line error two lines: messages now show it escaped (text.visible).
@example(changes=[(("zones", "example.org", "records", "www", "type"), "\n")])
@example(changes=[(("mox", "config"), "\n")])
@example(changes=[(("mox", "records"), "\n")])
@example(changes=[(("mox", "config"), "a\x00b")])
def test_any_value_anywhere_is_built_or_refused(
    folder: Path, changes: list[tuple[tuple[str, ...], Any]]
) -> None:
    doc = yaml.safe_load(BASE)
    for path, value in changes:
        _put(doc, path, value)
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:
        return
    outcome(folder, text)
