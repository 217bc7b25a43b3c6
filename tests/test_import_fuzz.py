"""Mangled exports: import answers with records or one InputError, never anything else.

Hypothesis cuts, splices and corrupts real zone files from the corpus (and octoDNS and
Cloud DNS texts) and runs the whole import on each: the reader, the octoDNS judgement, the
rendering and the read-back. Any exception other than zonegen's ``InputError`` fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonegen.errors import InputError
from zonegen.importer import import_zone
from zonegen.sources import read_inputs

CORPUS = Path(__file__).parent / "data" / "zones"
SEEDS = [
    (CORPUS / path).read_text(errors="replace")
    for path in (
        "dnspython/example",
        "bind9/checkzone/zones/bad-cname-and-txt.db",
        "nsd/svcb.tdir/svcb.test-vectors-wf.zone",
        "knot/tests/knot/semantic_check_data/cname_extra_01.zone",
        "octodns/unit.tests.yaml",
    )
    if (CORPUS / path).is_file()
]
SEEDS.append(
    json.dumps(
        [
            {"name": "example.org.", "type": "TXT", "ttl": 300, "rrdatas": ['"a" "b"']},
            {"name": "www.example.org.", "type": "CNAME", "ttl": 300, "rrdatas": ["x."]},
        ]
    )
)
MOX = """\
; Mox's MX alone, written by hand (without Mox's header: not its whole output).
$TTL 300

zonegen-mox.zz.                    MX 10 mail.zonegen-mox.zz.
"""
PIECES = [
    "$GENERATE 1-9 h$ A 192.0.2.$\n",
    "$INCLUDE /etc/hostname\n",
    "$ORIGIN sub\n",
    "$TTL 1w\n",
    "( ",
    " )",
    '"',
    "\\",
    ";",
    "\\# 4 0a000001",
    "TYPE65280",
    "CNAME",
    "@",
    "*",
    "\n",
    "\t",
    "---\n",
    "&a ",
    "*a",
    "{",
    "]",
    "\udcff",
    "é",
]


@st.composite
def mangled(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "cut", "swap"]))
        if op == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "cut":
            text = text[:at]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@settings(
    max_examples=int(os.environ.get("ZONEGEN_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=mangled(), zone=st.sampled_from(["example.", "example.com.", "unit.tests."]))
def test_mangled_exports_give_records_or_one_input_error(
    tmp_path: Path, text: str, zone: str
) -> None:
    (tmp_path / "mox.txt").write_text(MOX)
    site = tmp_path / "site.yaml"
    site.write_text(
        "mox:\n  records: [mox.txt]\nhost:\n  ipv4: [192.0.2.1]\n"
        f"zones:\n  zonegen-mox.zz: {{}}\n  {zone}: {{}}\n"
    )
    export = tmp_path / "export"
    export.write_bytes(text.encode("utf-8", "surrogateescape"))
    try:
        result = import_zone(read_inputs(site), export, zone)
    except InputError as e:
        assert "\n" not in str(e)
        return
    for refusal in result.refused:
        assert refusal.reason and refusal.rtype
