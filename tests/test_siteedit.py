"""Site-file edits (ip set, ttl promote/lower, retire): the edited text means the old one with
exactly the one change, whatever the layout (block or flow style, comments, empty values),
or the edit is refused with one message; every other byte stays."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonegen import siteedit
from zonegen.errors import InputError

TEXTS = [
    "mox:\n  records: [a.txt]   # the log\nzones:\n  example.org: {}\n",
    "mox: {records: [a.txt]}\nhost: {name: mx.example.org}\nttl: {default: 300}\n",
    "# comment\nmox:\n  records:\n    - a.txt\nhost:\n  ipv4: [192.0.2.1]  # keep\n"
    "ttl:\n  default: 300\n  kinds:\n    dkim: 60\nzones:\n  example.org:\n",
    "mox:\n  records: [a.txt]\nhost:\nttl:\n",
    "mox:\n  records: [a.txt]\nretired:\n  - {name: a.example.org, type: TXT, value: x, until: "
    "2026-01-01}\n",
    "mox:\n  records: [a.txt]\nhost: {}\nttl: {kinds: {dkim: 60}}\nretired: []\n",
    "mox:\n  records: [a.txt]",  # no newline at the end
]
PATHS = [("host", "ipv4"), ("host", "ipv6"), ("ttl", "default"), ("ttl", "kinds"), ("new", "a")]
VALUES = ["[192.0.2.7]", "3600", "{dkim: 86400, tlsa: 86400}", "['2001:db8::7']"]


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(TEXTS), st.sampled_from(PATHS), st.sampled_from(VALUES))
def test_set_value_changes_exactly_one_value(text: str, path: tuple[str, ...], value: str) -> None:
    before = yaml.safe_load(text)
    try:
        after_text = siteedit.set_value(text, path, value)
    except InputError as e:
        assert "\n" not in str(e)
        return
    after = yaml.safe_load(after_text)
    assert _get(after, path) == yaml.safe_load(value)
    for key in before:
        if key != path[0]:
            assert after[key] == before[key]
    if "# keep" in text:
        assert "# keep" in after_text and "# comment" in after_text


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(TEXTS), st.sampled_from(PATHS))
def test_delete_key_removes_exactly_one_key(text: str, path: tuple[str, ...]) -> None:
    before = yaml.safe_load(text)
    try:
        after = yaml.safe_load(siteedit.delete_key(text, path))
    except InputError as e:
        assert "block style" in str(e)
        return
    parent_before = before.get(path[0]) if isinstance(before, dict) else None
    if not isinstance(parent_before, dict) or path[1] not in parent_before:
        assert after == before  # nothing to delete: unchanged
        return
    assert path[1] not in (after.get(path[0]) or {})
    assert {k: v for k, v in parent_before.items() if k != path[1]} == (after[path[0]] or {})


@pytest.mark.parametrize("text", TEXTS)
def test_append_items_adds_to_the_list(text: str) -> None:
    item = "{name: b.example.org, type: TLSA, value: '3 1 1 ab', until: 2026-02-01}"
    before = yaml.safe_load(text)
    try:
        after = yaml.safe_load(siteedit.append_items(text, "retired", [item, item]))
    except InputError as e:
        assert "block list" in str(e)
        return
    old = before.get("retired") or []
    assert after["retired"] == [*old, yaml.safe_load(item), yaml.safe_load(item)]
    assert {k: v for k, v in after.items() if k != "retired"} == {
        k: v for k, v in before.items() if k != "retired"
    }


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("mox: [", lambda t: siteedit.set_value(t, ("a",), "1")),
        ("- a\n", lambda t: siteedit.set_value(t, ("a",), "1")),
        ("host: 5\n", lambda t: siteedit.set_value(t, ("host", "ipv4"), "[]")),
        ("ttl: {kinds: {a: 1}}\n", lambda t: siteedit.delete_key(t, ("ttl", "kinds"))),
        ("retired: [a]\n", lambda t: siteedit.append_items(t, "retired", ["b"])),
    ],
)
def test_edits_that_cannot_be_made_are_refused(text: str, call: Any) -> None:
    with pytest.raises(InputError):
        call(text)
