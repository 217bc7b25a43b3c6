"""``zonegen check --provider NAME``: every record the provider cannot take, before a sync.

The expectations are computed independently of the rule: the record types and TTLs from the
built octoDNS YAML as octoDNS's YamlProvider loads it, the supported types from each
provider class's own SUPPORTS.
"""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, Workspace, run, yaml_records
from zonegen.octodns.capabilities import PROVIDERS


@pytest.fixture
def site(ws: Workspace) -> Path:
    shutil.copytree(REPO / "config", ws.root / "config")
    return ws.root / "config" / "site.yaml"


def check(site: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run("check", "--site", site, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)["problems"]


def built_rrsets(tmp: Path, site: Path) -> set[tuple[str, str, int]]:
    out = tmp / "built"
    assert run("build", "--site", site, "--out", out).exit_code == 0
    return {(name, rtype, ttl) for name, rtype, ttl, _ in yaml_records(out, "example.org.")}


def supports(class_path: str) -> set[str]:
    module, _, name = class_path.rpartition(".")
    return set(getattr(importlib.import_module(module), name).SUPPORTS)


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.name for p in PROVIDERS])
def test_unsupported_types_are_the_classes_own(provider: Any, site: Path, tmp_path: Path) -> None:
    rrsets = built_rrsets(tmp_path, site)
    missing = {(n, t) for n, t, _ in rrsets if t not in supports(provider.class_path)}
    _, problems = check(site, "--provider", provider.name)
    found = {(p["name"], p["type"]) for p in problems if p["rule"] == "provider-unsupported-type"}
    assert found == missing
    # The report names the record's source line, for the fix.
    assert all(p["origin"] for p in problems if p["rule"] == "provider-unsupported-type")


def test_capability_report_of_each_provider_for_the_bundled_example(
    site: Path, tmp_path: Path
) -> None:
    rrsets = built_rrsets(tmp_path, site)
    short = {(n, t) for n, t, ttl in rrsets if ttl < 3600}
    assert len(short) > 20  # Mox prints 300 s for nearly everything
    report: dict[str, set[tuple[str, str, str]]] = {}
    for provider in PROVIDERS:
        _, problems = check(site, "--provider", provider.name)
        report[provider.name] = {(p["rule"], p["name"], p["type"]) for p in problems}
    assert report["powerdns"] == set()
    assert report["googlecloud"] == set()
    assert report["bind"] == set()
    assert report["cloudflare"] == set()
    # octodns-route53 has no TLSA (Route 53 itself has; the octoDNS provider does not).
    assert report["route53"] == {("provider-unsupported-type", "_25._tcp.mx.example.org.", "TLSA")}
    # Hetzner does not sign: a DANE zone cannot live there.
    assert report["hetzner"] == {("provider-dnssec", "example.org.", "")}
    # deSEC refuses TTLs under the domain minimum (3600): every Mox record at 300 s.
    assert report["desec"] == {("provider-ttl", n, t) for n, t in short}


def test_week_long_ttls_are_refused_by_cloudflare_and_short_ones_raised(site: Path) -> None:
    site.write_text(
        site.read_text()
        + "ttl:\n  overrides:\n    _imap._tcp.example.org SRV: 604800\n"
        + "    mx.example.org A: 60\n"
    )
    code, problems = check(site, "--provider", "cloudflare")
    assert code == 1
    got = {(p["name"], p["type"]): p for p in problems}
    assert set(got) == {("_imap._tcp.example.org.", "SRV"), ("mx.example.org.", "A")}
    high, low = got[("_imap._tcp.example.org.", "SRV")], got[("mx.example.org.", "A")]
    assert high["severity"] == "error" and "at most 86400" in high["fix"]
    assert low["severity"] == "warning" and "raises TTLs below" in low["message"]


def test_hetzner_caa_with_spaces(site: Path) -> None:
    site.write_text(
        site.read_text().replace(
            "      www:\n",
            "      caa:\n        type: CAA\n        value:\n          flags: 0\n"
            "          tag: issue\n          value: 'letsencrypt.org; accounturi=https://a.example/1'\n"
            "      www:\n",
        )
    )
    _, problems = check(site, "--provider", "hetzner")
    (caa,) = [p for p in problems if p["rule"] == "provider-value"]
    assert caa["name"] == "caa.example.org." and caa["type"] == "CAA"
    assert "without spaces" in caa["fix"]


def test_provider_by_config_id_and_by_class_path(site: Path) -> None:
    # "gcloud" is the target id in config/octodns.yaml: its class is zonegen's, with TLSA.
    assert check(site, "--provider", "gcloud") == (0, [])
    code, problems = check(site, "--provider", "octodns_googlecloud.GoogleCloudProvider")
    assert code == 1
    (problem,) = problems
    assert problem["type"] == "TLSA"
    assert "zonegen.octodns.GoogleCloudProvider" in problem["fix"]


def test_unknown_provider_name_is_bad_usage(site: Path) -> None:
    result = run("check", "--site", site, "--provider", "cloudfare")
    assert result.exit_code == 2
    assert result.stderr.startswith("zonegen: error: --provider cloudfare: not a provider")
    assert "powerdns, cloudflare, hetzner, desec, route53" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_provider_asked_for_that_cannot_be_loaded_is_exit_2(site: Path) -> None:
    """--provider asks for one check: if the class cannot be loaded, that check was not made
    (exit 2), where a warning and exit 0 would read as 'nothing to report'."""
    result = run("check", "--site", site, "--provider", "octodns_nowhere.NowhereProvider")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("zonegen: error: --provider octodns_nowhere.NowhereProvider: ")
    # After `make build` (no extras) this is what --provider powerdns says: the fix must be
    # a command that works from a clone of zonegen.
    assert "pip install -e '.[providers]'" in line


def test_the_desec_fix_works(site: Path) -> None:
    """What the fix says (ttl.default: 3600) is enough for deSEC, and the one-week TTLs of
    `ttl promote` for the null SRVs are then the only thing left to lower."""
    site.write_text(site.read_text() + "ttl:\n  default: 3600\n")
    assert check(site, "--provider", "desec") == (0, [])
    site.write_text(site.read_text() + "  kinds:\n    null_srv: 604800\n")
    code, problems = check(site, "--provider", "desec")
    assert code == 1
    assert {(p["rule"], p["type"]) for p in problems} == {("provider-ttl", "SRV")}
    assert all("at most 86400" in p["fix"] for p in problems)


def test_min_ttl_of_the_config_replaces_the_documented_one(site: Path, tmp_path: Path) -> None:
    """octodns-cloudflare's own min_ttl option, and the per-domain deSEC minimum."""
    site.write_text(
        site.read_text() + "octodns: octodns-test.yaml\nttl:\n  default: 900\n"
        "  overrides:\n    mx.example.org A: 60\n"
    )
    config = site.parent / "octodns-test.yaml"
    text = (REPO / "config" / "octodns-desec.yaml").read_text()
    config.write_text(text)
    code, problems = check(site)
    assert code == 1 and len(problems) > 20  # 900 and 60 are both under deSEC's 3600
    config.write_text(text.replace("# min_ttl: 900", "min_ttl: 900"))
    code, problems = check(site)
    assert [(p["name"], p["type"], p["rule"]) for p in problems] == [
        ("mx.example.org.", "A", "provider-ttl")
    ]
    assert "at least 900" in problems[0]["fix"]
    # By config id, --provider keeps the option.
    assert check(site, "--provider", "desec")[1] == problems

    text = (REPO / "config" / "octodns-cloudflare.yaml").read_text()
    config.write_text(text)
    assert [p["severity"] for p in check(site)[1]] == ["warning"]  # 60 raised to 120
    config.write_text(text.replace("    cdn: false\n", "    cdn: false\n    min_ttl: 60\n"))
    assert check(site) == (0, [])


@pytest.mark.parametrize(
    "config",
    [
        "providers: [a, b]\nzones: {'*': {targets: [x]}}\n",
        "providers: {x: just-a-string}\nzones: {'*': {targets: [x]}}\n",
        "providers: {x: {class: 7}}\nzones: {'*': {targets: x}}\n",
        "zones: [1, 2]\n",
        "providers: {x: {class: octodns_desec.DesecProvider, min_ttl: env/MIN}}\n"
        "zones: {'*': {targets: [x]}}\n",
    ],
)
def test_a_malformed_octodns_config_never_crashes_the_check(site: Path, config: str) -> None:
    site.write_text(site.read_text() + "octodns: broken.yaml\n")
    (site.parent / "broken.yaml").write_text(config)
    result = run("check", "--site", site, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    json.loads(result.stdout)


CLASSLESS = "0/25.113.0.203.in-addr.arpa"


def _sync_plans(config: Path, zones_dir: Path, tmp: Path) -> set[str]:
    """The zones octoDNS's own Manager plans from ``config`` (its targets swapped for a
    YamlProvider in a scratch folder): what octodns-sync would touch."""
    import yaml
    from octodns.manager import Manager

    data = yaml.safe_load(config.read_text())
    dump = tmp / "dump"
    (dump / "0").mkdir(parents=True)
    data["providers"] = {
        "zones": {
            "class": "octodns.provider.yaml.YamlProvider",
            "directory": str(zones_dir),
            "enforce_order": True,
            "escaped_semicolons": False,
        },
        "dump": {"class": "octodns.provider.yaml.YamlProvider", "directory": str(dump)},
    }
    for entry in data["zones"].values():
        entry["targets"] = ["dump"]
        entry.pop("processors", None)
    data.pop("processors", None)
    scratch = tmp / "octodns-scratch.yaml"
    scratch.write_text(yaml.safe_dump(data))
    Manager(str(scratch)).sync(dry_run=False)
    return {str(p.relative_to(dump)) for p in dump.rglob("*.yaml")}


def test_a_zone_the_star_entry_cannot_list_is_an_error_until_it_has_its_own(
    site: Path, tmp_path: Path
) -> None:
    """RFC 2317: a '/' makes the zone's YAML a file in a subfolder, which octoDNS's
    YamlProvider.list_zones never lists for '*': octodns-sync skipped the zone in silence."""
    text = site.read_text().replace(
        "zones:\n",
        f"zones:\n  {CLASSLESS}:\n    records: {{'25': {{type: PTR, value: mx.example.org.}}}}\n",
        1,
    )
    site.write_text(text)
    code, problems = check(site)
    unlisted = [p for p in problems if p["rule"] == "sync-zone-unlisted"]
    assert code == 1 and [p["zone"] for p in unlisted] == [CLASSLESS + "."], problems
    assert unlisted[0]["severity"] == "error" and "its own entry" in unlisted[0]["fix"]
    # What octoDNS itself does with that config: the classless zone is not planned.
    zones_dir = tmp_path / "zones"
    assert run("build", "--site", site, "--out", zones_dir).exit_code == 1  # refused: an error
    assert run("build", "--site", site, "--out", zones_dir, "--check").exit_code == 1
    config = site.parent / "octodns.yaml"
    raw = config.read_text()
    # Built anyway (with example.org named instead of '*') to ask octoDNS what it does with
    # the '*' config: only example.org is synced.
    config.write_text(raw.replace("'*':", "example.org.:", 1))
    assert run("build", "--site", site, "--out", zones_dir).exit_code == 0, "built"
    config.write_text(raw)
    assert _sync_plans(config, zones_dir, tmp_path / "a") == {"example.org.yaml"}
    # With an entry of its own, check is quiet and octoDNS syncs it.
    config.write_text(
        raw.replace(
            "\nzones:\n",
            f"\nzones:\n  {CLASSLESS}.:\n    sources: [zones]\n    targets: [gcloud]\n",
            1,
        )
    )
    code, problems = check(site)
    assert not [p for p in problems if p["rule"].startswith("sync-zone")], problems
    assert _sync_plans(config, zones_dir, tmp_path / "b") == {
        "example.org.yaml",
        f"{CLASSLESS}.yaml",
    }


def test_a_zone_no_entry_reaches_is_a_warning(site: Path) -> None:
    config = site.parent / "octodns.yaml"
    config.write_text(config.read_text().replace("'*':", "'*':\n    glob: '*.example.net.'", 1))
    code, problems = check(site)
    missing = [p for p in problems if p["rule"] == "sync-zone-missing"]
    assert code == 0 and [p["zone"] for p in missing] == ["example.org."], problems
    assert missing[0]["severity"] == "warning"
