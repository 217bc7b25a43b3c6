"""`zonegen check` and BIND agree on the BIND files, both ways.

Every case is a real Mox run (v17-ipv4-basic, zone example.com) plus the site file's name
servers, glue or records. Its BIND file is rendered whatever the checks say (build would
refuse to write it) and given to named-checkzone with bindcheck.STRICT; `zonegen check`
reports an error exactly when named refuses the file. Two cases are errors for zonegen that
named only warns about, each an RFC MUST that breaks mail or resolution: listed in
ZONEGEN_ONLY with the reason. Everything the rest of the suite builds is loaded by named too
(conftest, after the last test).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from bindcheck import checkzone, tool
from conftest import Workspace, run
from zonegen.bind import render_bind
from zonegen.checks import ERROR, WARNING, run_checks
from zonegen.pipeline import build
from zonegen.sources import read_inputs


@dataclass(frozen=True)
class Case:
    rule: str | None  # the rule zonegen reports (None: no problem of these rules at all)
    named_loads: bool
    ns: str = "[ns1.dns.example., ns2.dns.example.]"
    bind: str = ""  # more keys under bind:, one per line
    records: str = ""  # zones.example.com.records, one entry per line
    severity: str = ERROR


CASES = {
    # named refuses; zonegen errors
    "apex NS inside the zone, no address": Case(
        "ns-no-address", False, ns="[ns1.example.com., ns2.dns.example.]"
    ),
    "apex NS records of the zone, no address": Case(
        "ns-no-address",
        False,
        records="'': {type: NS, values: [ns1.example.com., ns2.dns.example.]}",
    ),
    "glue for one of two in-zone servers": Case(
        "ns-no-address",
        False,
        ns="[ns1.example.com., ns2.example.com.]",
        bind="glue: {ns1.example.com: [192.0.2.53]}",
    ),
    "apex NS is a CNAME": Case(
        "ns-target-cname",
        False,
        ns="[ns1.example.com.]",
        records="ns1: {type: CNAME, value: ns.dns.example.}",
    ),
    "glue for a CNAME": Case(
        "glue-mismatch",
        False,
        ns="[ns1.example.com.]",
        bind="glue: {ns1.example.com: [192.0.2.53]}",
        records="ns1: {type: CNAME, value: ns.dns.example.}",
    ),
    "MX to a CNAME": Case(
        "mx-target-cname",
        False,
        records="shop: {type: MX, value: {preference: 10, exchange: alias.example.com.}}\n"
        "alias: {type: CNAME, value: mail.example.com.}",
    ),
    "MX to an in-zone name without address": Case(
        "target-no-address",
        False,
        records="shop: {type: MX, value: {preference: 10, exchange: nohost.example.com.}}",
    ),
    "CNAME and other data": Case(
        "cname-coexistence",
        False,
        records="www: [{type: CNAME, value: mail.example.com.}, {type: TXT, value: hello}]",
    ),
    "A record at an underscore name": Case(
        "check-names", False, records="_x: {type: A, value: 192.0.2.1}"
    ),
    "MX at an underscore name": Case(
        "check-names",
        False,
        records="_x: {type: MX, value: {preference: 10, exchange: mail.example.com.}}",
    ),
    "MX target not a host name": Case(
        "check-names",
        False,
        records="shop: {type: MX, value: {preference: 10, exchange: _mail.example.net.}}",
    ),
    "SRV target not a host name": Case(
        "check-names",
        False,
        records="_x._tcp: {type: SRV, value: {priority: 0, weight: 0, port: 1, "
        "target: _x.example.net.}}",
    ),
    "bind.ns not a host name": Case("check-names", False, ns="[_ns.dns.example.]"),
    "bind.ns written as an address": Case("check-names", False, ns="['192.0.2.1.']"),
    "SOA MNAME not a host name": Case("check-names", False, bind="soa: {mname: ns_1.dns.example.}"),
    "SOA RNAME not a mailbox": Case(
        "check-names", False, bind="soa: {rname: hostmaster@ex_ample.org}"
    ),
    # named loads; zonegen finds no error
    "apex NS inside the zone with glue": Case(
        None,
        True,
        ns="[ns1.example.com., ns2.example.com.]",
        bind="glue:\n    ns1.example.com: [192.0.2.53, '2001:db8::53']\n"
        "    ns2.example.com: '2001:db8::54'",
    ),
    "apex NS inside the zone, address in the records": Case(
        None,
        True,
        ns="[ns1.example.com., ns2.dns.example.]",
        records="ns1: {type: A, value: 192.0.2.53}",
    ),
    "glue equal to the records": Case(
        None,
        True,
        ns="[ns1.example.com.]",
        bind="glue: {ns1.example.com: [192.0.2.53]}",
        records="ns1: {type: A, value: 192.0.2.53}",
    ),
    "apex NS below a delegation, with glue": Case(
        None,
        True,
        ns="[ns1.sub.example.com.]",
        bind="glue: {ns1.sub.example.com: [192.0.2.53]}",
        records="sub: {type: NS, values: [ns1.sub.example.com.]}",
    ),
    "apex NS answered by a wildcard": Case(
        None,
        True,
        ns="[ns1.wild.example.com.]",
        records="'*.wild': {type: A, value: 192.0.2.1}",
    ),
    "MX answered by a wildcard": Case(
        None,
        True,
        records="shop: {type: MX, value: {preference: 10, exchange: x.wild.example.com.}}\n"
        "'*.wild': {type: A, value: 192.0.2.1}",
    ),
    "a wildcard MX": Case(
        None,
        True,
        records="'*.shop': {type: MX, value: {preference: 10, exchange: mail.example.com.}}",
    ),
    "digits and hyphens are host names": Case(
        None,
        True,
        records="1-x: {type: A, value: 192.0.2.1}\n"
        "shop: {type: MX, value: {preference: 10, exchange: 1-x.example.com.}}",
    ),
    # named loads (with a message); zonegen warns
    "delegation without glue": Case(
        "ns-glue-missing",
        True,
        records="sub: {type: NS, values: [ns1.sub.example.com.]}",
        severity=WARNING,
    ),
    # BIND's checkzone test good-occulted-ns-by-ns.db: an NS below a delegation is never
    # served (RFC 1034 4.2.1), so its missing glue is no problem
    "NS occluded by a delegation above it": Case(
        None,
        True,
        records="sub: {type: NS, values: [ns1.dns.example.]}\n"
        "deep.sub: {type: NS, values: [x.sub.example.com.]}",
    ),
    "glue no NS names": Case(
        "glue-unused",
        True,
        bind="glue: {ns9.example.com: [192.0.2.9]}",
        severity=WARNING,
    ),
    # zonegen-only errors (ZONEGEN_ONLY)
    "delegation to a CNAME": Case(
        "ns-target-cname",
        True,
        records="sub: {type: NS, values: [alias.example.com.]}\n"
        "alias: {type: CNAME, value: mail.example.com.}",
    ),
    "SRV to an in-zone name without address": Case(
        "target-no-address",
        True,
        records="_x._tcp: {type: SRV, value: {priority: 0, weight: 0, port: 1, "
        "target: nohost.example.com.}}",
    ),
    "glue differing from the records": Case(
        "glue-mismatch",
        True,
        ns="[ns1.example.com.]",
        bind="glue: {ns1.example.com: [192.0.2.53]}",
        records="ns1: {type: A, value: 192.0.2.99}",
    ),
}

ZONEGEN_ONLY = {
    # named-checkzone: "is a CNAME (illegal)", then loads the zone anyway
    "delegation to a CNAME": "RFC 2181 10.3: an NS must not name an alias",
    # named does not look at SRV targets' addresses
    "SRV to an in-zone name without address": "RFC 2782: the target must have an address",
    # the BIND file takes the records' address; zones/ (octoDNS) has no glue
    "glue differing from the records": "the BIND file and zones/ would publish different data",
}
BIND_RULES = {
    "ns-no-address",
    "ns-glue-missing",
    "ns-target-cname",
    "glue-mismatch",
    "glue-unused",
    "check-names",
    "mx-target-cname",
    "target-no-address",
    "cname-coexistence",
    "cname-at-apex",
}


def site(ws: Workspace, case: Case) -> Path:
    ws.copy_fixture("v17-ipv4-basic")
    bind = "".join(f"  {line}\n" for line in case.bind.splitlines())
    records = "".join(f"      {line}\n" for line in case.records.splitlines())
    return ws.site(
        "mox:\n  records: [mox/quickstart.log]\n  config: mox/config\n"
        f"bind:\n  ns: {case.ns}\n{bind}"
        "zones:\n  example.com:\n" + (f"    records:\n{records}" if records else "    {}\n")
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_and_named_checkzone_agree(ws: Workspace, name: str) -> None:
    case = CASES[name]
    path = site(ws, case)
    result = build(read_inputs(path))
    (zone,), (settings,) = result.zones, result.site.zones
    bind_file = ws.root / "example.com.zone"
    bind_file.write_text(render_bind(zone, settings.bind, previous=None))
    named = checkzone("example.com", bind_file)
    assert (named.returncode == 0) == case.named_loads, named.stdout + named.stderr

    problems = run_checks(result)
    errors = {p.rule for p in problems if p.severity == ERROR}
    found = {p.rule: p.severity for p in problems if p.rule in BIND_RULES or p.rule == case.rule}
    if case.rule is None:
        assert not found and not errors, problems
    else:
        assert found.get(case.rule) == case.severity, problems
    refused_by_zonegen = bool(errors)
    if name in ZONEGEN_ONLY:
        assert refused_by_zonegen and case.named_loads
    else:
        assert refused_by_zonegen == (not case.named_loads), (problems, named.stdout)

    built = run("build", "--site", path, "--out", ws.root / "zones")
    assert built.exit_code == (1 if refused_by_zonegen else 0), built.stderr
    written = ws.root / "zones" / "bind" / "example.com.zone"
    if refused_by_zonegen:
        assert not written.exists()
    else:
        assert written.read_text() == bind_file.read_text()
        assert checkzone("example.com", written).returncode == 0


def test_the_glue_is_in_the_bind_file_only(ws: Workspace) -> None:
    """The apex NS and their addresses are the operator's: the BIND file carries them, the
    octoDNS YAML does not (the shipped configs leave both alone on the live zone)."""
    path = site(ws, CASES["apex NS inside the zone with glue"])
    assert run("build", "--site", path, "--out", ws.root / "zones").exit_code == 0
    bind_text = (ws.root / "zones" / "bind" / "example.com.zone").read_text()
    for line in (
        "@ 3600 IN NS ns1\n",
        "ns1 3600 IN A 192.0.2.53\n",
        "ns1 3600 IN AAAA 2001:db8::53\n",
        "ns2 3600 IN AAAA 2001:db8::54\n",
    ):
        assert line in bind_text
    assert "ns2 3600 IN A " not in bind_text
    assert "ns1" not in (ws.root / "zones" / "example.com.yaml").read_text()


@pytest.mark.parametrize(
    ("bind", "message", "line"),
    [
        ("glue: {ns1.example.org: [192.0.2.1]}", "ns1.example.org is inside no zone of zones:", 6),
        ("glue: {ns1.example.com: [192.0.2.300]}", "is not an IP address", 6),
        ("glue: {ns1.example.com: []}", "needs at least one IP address", 6),
        ("glue: {ns1.example.com: [1]}", "must be IP addresses", 6),
    ],
)
def test_bad_glue_is_exit_2_naming_the_line(
    ws: Workspace, bind: str, message: str, line: int
) -> None:
    path = site(ws, Case(None, True, bind=bind))
    result = run("build", "--site", path, "--out", ws.root / "zones")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"zonegen: error: {path}:{line}: ")
    assert message in result.stderr and "Traceback" not in result.stderr


def test_zone_glue_must_be_inside_its_zone(ws: Workspace) -> None:
    ws.copy_fixture("v17-ipv4-basic")
    path = ws.site(
        "mox:\n  records: [mox/quickstart.log]\n  config: mox/config\n"
        "zones:\n  example.com:\n    bind:\n      ns: [ns1.example.net.]\n"
        "      glue: {ns1.example.net: [192.0.2.1]}\n"
    )
    result = run("build", "--site", path, "--out", ws.root / "zones")
    assert result.exit_code == 2
    assert f"{path}:8: zones.example.com.bind.glue: ns1.example.net is not inside the zone" in (
        result.stderr
    )


def test_top_level_glue_goes_to_its_own_zone(ws: Workspace) -> None:
    """Two zones with in-zone servers: each BIND file carries the glue of its own names."""
    ws.copy_fixture("v17-hostname-other-domain")
    path = ws.site(
        "mox:\n  records: [mox/quickstart.log]\n  config: mox/config\n"
        "bind:\n  ns: [ns1.example.com., ns1.example.net.]\n"
        "  glue: {ns1.example.com: [192.0.2.1], ns1.example.net: [192.0.2.2]}\n"
        "zones:\n  example.com: {}\n  example.net: {}\n"
    )
    result = run("build", "--site", path, "--out", ws.root / "zones")
    assert result.exit_code == 0, result.stderr
    com = (ws.root / "zones" / "bind" / "example.com.zone").read_text()
    net = (ws.root / "zones" / "bind" / "example.net.zone").read_text()
    assert "ns1 3600 IN A 192.0.2.1\n" in com and "192.0.2.2" not in com
    assert "ns1 3600 IN A 192.0.2.2\n" in net and "192.0.2.1\n" not in net
    for zone, text in (("example.com", com), ("example.net", net)):
        f = ws.root / f"{zone}.check.zone"
        f.write_text(text)
        assert checkzone(zone, f).returncode == 0


def test_named_refusals_stay_errors_for_kept_records(ws: Workspace) -> None:
    """Problems of records kept from an imported zone are warnings (they were published that
    way), except what named refuses to load: a BIND file named cannot load is no output.
    (dnspython and octoDNS refuse a kept file with a CNAME beside other data already; the
    rule holds whatever reader made the record.)"""
    from zonegen.checks import RULES
    from zonegen.checks.context import Context
    from zonegen.model import Origin, Record
    from zonegen.sources.zonefile import KEPT

    result = build(read_inputs(site(ws, Case(None, True))))
    ctx = Context(result, severities={r.id: r.severity for r in RULES})
    kept = Record(
        "www.example.com.", "CNAME", 300, result.zones[0].records[0].rdata, Origin("x"), KEPT
    )
    assert ctx.problem(kept, "cname-coexistence", "m", "f").severity == ERROR
    assert ctx.problem(kept, "target-no-address", "m", "f").severity == WARNING


def test_a_kept_record_that_is_no_host_name_is_a_warning(ws: Workspace) -> None:
    """It was served that way: named-checkzone loads the file with a warning (its default is
    -k warn), named as a primary needs `check-names primary warn;`; --strict makes it an
    error, as for the other problems of kept records."""
    ws.copy_fixture("v17-ipv4-basic")
    (ws.root / "old.zone").write_text("$ORIGIN example.com.\n_odd 300 IN A 192.0.2.9\n")
    path = ws.site(
        "mox:\n  records: [mox/quickstart.log]\n  config: mox/config\n"
        "bind:\n  ns: [ns1.dns.example.]\nzones:\n  example.com: {kept: old.zone}\n"
    )
    problems = [p for p in run_checks(build(read_inputs(path))) if p.rule == "check-names"]
    assert [p.severity for p in problems] == [WARNING]
    assert "a record kept from an imported zone" in problems[0].message
    strict = run_checks(build(read_inputs(path)), strict=True)
    assert [p.severity for p in strict if p.rule == "check-names"] == [ERROR]
    assert run("build", "--site", path, "--out", ws.root / "zones").exit_code == 0
    loads = subprocess.run(
        [
            tool("named-checkzone"),
            "-i",
            "local",
            "example.com",
            ws.root / "zones/bind/example.com.zone",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loads.returncode == 0 and "bad owner name (check-names)" in loads.stdout + loads.stderr
