"""`zonegen init`: a DNS repository from every real quickstart log in tests/fixtures/mox.

Each new repository must build, check and `build --check` clean with no flags, hold exactly the
records Mox printed (read back by octoDNS, against dnspython's reading of the log), and hold
none of the log's passwords in any file. init never replaces a file: all or nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO, oracle, run, yaml_records
from test_fixtures_build import VARIANTS
from zonegen.model import MOX, Origin, Record, make_txt
from zonegen.newrepo import PROVIDERS, host_zone, template
from zonegen.sources.mox_records import MoxOutput, format_mox_output, parse_mox_output

LOGS = sorted(p.parent.name for p in FIXTURES.glob("*/quickstart.log"))
GOOD = [v for v in LOGS if v in VARIANTS]
FILES = (
    ".github/workflows/dns.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "config/octodns.yaml",
    "config/site.yaml",
)


def passwords(log: Path) -> list[str]:
    """What follows "password" on a line of the log: the admin and account passwords."""
    found = []
    for line in log.read_text().splitlines():
        m = re.search(r"password[^:]*: (\S+)\s*$", line, re.IGNORECASE)
        if m:
            found.append(m.group(1))
    return found


def written(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_every_fixture_log_has_passwords_to_look_for() -> None:
    assert set(LOGS) - set(GOOD) == {"v17-fail-no-resolver"}  # it stops before any password
    for variant in GOOD:
        assert len(passwords(FIXTURES / variant / "quickstart.log")) == 2, variant


@pytest.mark.parametrize("variant", GOOD)
def test_init_from_every_quickstart_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    log = FIXTURES / variant / "quickstart.log"
    provider = PROVIDERS[GOOD.index(variant) % len(PROVIDERS)]
    result = run("init", tmp_path / "dns", "--quickstart", log, "--provider", provider)
    assert result.exit_code == 0, result.stderr
    assert "next: cd " in result.stdout and "Traceback" not in result.stderr
    repo = tmp_path / "dns"
    files = written(repo)
    zones, host, ips = VARIANTS[variant]
    domain = zones[0]
    assert set(files) == {
        *FILES,
        f"config/mox/dnsrecords-{domain}.txt",
        *(f"zones/{z}.yaml" for z in zones if z in _zones(result.stdout)),
        *(f"zones/bind/{z}.zone" for z in zones if z in _zones(result.stdout)),
    }

    # Nothing of the log but its DNS records: no password, in any file, in any form.
    for secret in passwords(log):
        for name, data in files.items():
            assert secret.encode() not in data, (variant, name)
        assert secret not in result.stdout + result.stderr

    # The layout every command defaults to: no flags needed.
    monkeypatch.chdir(repo)
    again = run("build")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.endswith(f" 0 files written, {2 * len(_zones(result.stdout))} unchanged\n")
    assert run("check").exit_code == 0
    assert run("build", "--check").exit_code == 0
    assert written(repo) == files

    # Exactly what Mox printed in the log, plus the host's addresses.
    built: set[tuple[str, str, int, str]] = set()
    for zone in _zones(result.stdout):
        built |= yaml_records(repo / "zones", zone + ".")
    expected = oracle([log]) | {(host, "AAAA" if ":" in ip else "A", 300, ip) for ip in ips}
    assert built == expected, (sorted(built - expected), sorted(expected - built))

    site = yaml.safe_load(files["config/site.yaml"])
    assert site["host"]["name"] == host.rstrip(".")
    assert sorted(site["host"]["ipv4"] + site["host"]["ipv6"]) == sorted(ips)
    assert "config" not in site["mox"]  # Mox's private keys stay out of the repository
    octodns = yaml.safe_load(files["config/octodns.yaml"])
    assert octodns == yaml.safe_load(template(f"octodns-{provider}.yaml"))


def _zones(stdout: str) -> list[str]:
    m = re.search(r"^\d+ zones \(([^)]*)\)", stdout, re.MULTILINE)
    assert m, stdout
    return m.group(1).split(", ")


@pytest.mark.parametrize("variant", GOOD)
def test_mox_config_gives_the_host(tmp_path: Path, variant: str) -> None:
    """With --mox-config, mox.conf's host name and IPs are written into the site file; the
    site file does not name the config dir (a build would need Mox's private keys)."""
    _, host, ips = VARIANTS[variant]
    result = run(
        "init",
        tmp_path,
        "--quickstart",
        FIXTURES / variant / "quickstart.log",
        "--mox-config",
        FIXTURES / variant / "config",
    )
    assert result.exit_code == 0, result.stderr
    site = yaml.safe_load((tmp_path / "config" / "site.yaml").read_text())
    assert site["host"]["name"] == host.rstrip(".")
    assert sorted(site["host"]["ipv4"] + site["host"]["ipv6"]) == sorted(ips)
    assert "config" not in site["mox"]
    if variant == "v17-multidomain":
        assert "Mox also has disabled.example, example.net, example.org" in result.stdout
    assert run("build", "--site", tmp_path / "config/site.yaml", "--check").exit_code in (0, 1)


def test_a_log_without_records_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    log = FIXTURES / "v17-fail-no-resolver" / "quickstart.log"
    result = run("init", tmp_path / "dns", "--quickstart", log)
    assert result.exit_code == 2
    assert result.stderr.startswith("zonegen: error: ") and "no DNS records found" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "dns").exists()
    for secret in passwords(log):
        assert secret not in result.stderr


@pytest.mark.parametrize(
    "existing", [*FILES, "zones/example.com.yaml", "zones/bind/example.com.zone"]
)
def test_init_never_replaces_a_file(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    before = written(tmp_path)
    dirs = sorted(p for p in tmp_path.rglob("*") if p.is_dir())
    result = run("init", tmp_path, "--quickstart", FIXTURES / "v17-ipv4-basic" / "quickstart.log")
    assert result.exit_code == 2
    assert f"zonegen: error: {tmp_path / existing}: exists already" in result.stderr
    assert written(tmp_path) == before
    assert sorted(p for p in tmp_path.rglob("*") if p.is_dir()) == dirs


def test_a_file_made_while_init_writes_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing even against a race: the files are linked into place, which fails on a
    name taken meanwhile, and every file and folder made so far is removed again."""
    from zonegen import output

    target = tmp_path / "dns"
    real_sync = os.sync

    def sync_then_race() -> None:
        real_sync()
        (target / "config" / "site.yaml").write_text("theirs\n")

    monkeypatch.setattr(output.os, "sync", sync_then_race)
    result = run("init", target, "--quickstart", FIXTURES / "v17-ipv4-basic" / "quickstart.log")
    assert result.exit_code == 2
    assert "site.yaml: was created while zonegen init wrote: nothing written" in result.stderr
    assert written(target) == {"config/site.yaml": b"theirs\n"}
    assert sorted(p.name for p in target.rglob("*")) == ["config", "site.yaml"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("v=spf1 ip4:198.51.100.10 mx ~all", "v=spf1 mx ~all"),
            "no IP address for the mail host: Mox's SPF records name none (give --mox-config",
        ),
        (
            lambda t: re.sub(r"(?m)^example\.com\. +MX 10 mail\.example\.com\.$", "", t),
            "Mox's records have no MX record",
        ),
        (
            lambda t: t.replace(
                "example.com.                    MX 10 mail.example.com.",
                "example.com.                    MX 10 mail.example.com.\n"
                "example.com.                    MX 20 backup.example.net.",
            ),
            "Mox's records name 2 mail hosts (backup.example.net., mail.example.com.)",
        ),
    ],
    ids=["no-ip", "no-mx", "two-hosts"],
)
def test_what_the_records_cannot_tell_is_exit_2(tmp_path: Path, edit, message: str) -> None:
    text = (FIXTURES / "v17-ipv4-basic" / "quickstart.log").read_text()
    log = tmp_path / "quickstart.log"
    log.write_text(edit(text))
    assert log.read_text() != text
    result = run("init", tmp_path / "dns", "--quickstart", log)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "dns").exists()


def test_zones_with_errors_write_nothing(tmp_path: Path) -> None:
    """--zone without the host's zone: its records are outside every zone, the build's
    out-of-zone error; init exits 1 and writes nothing."""
    log = FIXTURES / "v17-hostname-other-domain" / "quickstart.log"
    result = run("init", tmp_path / "dns", "--quickstart", log, "--zone", "example.com")
    assert result.exit_code == 1
    assert "out-of-zone" in result.stderr and "nothing written" in result.stderr
    assert not (tmp_path / "dns").exists()


def test_zones_can_be_named(tmp_path: Path) -> None:
    log = FIXTURES / "v17-hostname-other-domain" / "quickstart.log"
    result = run(
        "init",
        tmp_path,
        "--quickstart",
        log,
        "--zone",
        "example.com",
        "--zone",
        "mailhost.example.net",
    )
    assert result.exit_code == 0, result.stderr
    assert "guess" not in result.stdout
    assert (tmp_path / "zones" / "mailhost.example.net.yaml").is_file()


def test_host_zone_guess() -> None:
    assert host_zone("mx1.mailhost.example.net.") == "example.net."
    assert host_zone("mail.example.co.uk.") == "example.co.uk."
    assert host_zone("mail.example.com.au.") == "example.com.au."
    assert host_zone("example.org.") == "example.org."


def test_init_octodns_configs_are_the_shipped_ones() -> None:
    """The config init writes for a provider is the shipped one (comments aside), which
    tests/test_sync_*.py run against real servers."""
    shipped = {"googlecloud": "octodns.yaml", "bind": "octodns-bind.yaml"}
    shipped["powerdns"] = "octodns-powerdns.yaml"
    for provider, name in shipped.items():
        mine = yaml.safe_load(template(f"octodns-{provider}.yaml"))
        assert mine == yaml.safe_load((REPO / "config" / name).read_text()), provider


def test_ci_and_pre_commit_run_build_check(tmp_path: Path) -> None:
    for provider in PROVIDERS:
        root = tmp_path / provider
        log = FIXTURES / "v17-ipv4-basic" / "quickstart.log"
        assert run("init", root, "--quickstart", log, "--provider", provider).exit_code == 0
        workflow = yaml.safe_load((root / ".github/workflows/dns.yml").read_text())
        check_steps = [s.get("run") for s in workflow["jobs"]["check"]["steps"]]
        assert "zonegen build --check" in check_steps and "zonegen check" in check_steps
        assert workflow["env"]["ZONEGEN"].endswith("==0.1.0")
        sync = workflow["jobs"]["dns"]
        assert sync["if"] == "vars.DNS_SYNC == 'true'" and sync["needs"] == "check"
        config = yaml.safe_load((root / "config/octodns.yaml").read_text())
        needed = {v.split("/")[1] for v in _strings(config) if v.startswith("env/")}
        assert needed
        assert needed <= set(sync["env"]), (provider, needed - set(sync["env"]))
        hooks = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
        entries = [h["entry"] for r in hooks["repos"] for h in r["hooks"]]
        assert entries == ["zonegen build --check", "zonegen check"]
        ignored = (root / ".gitignore").read_text().splitlines()
        assert {".venv/", "plan.md", "quickstart.log", "*.pem"} <= set(ignored)


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_the_installed_console_script_end_to_end(tmp_path: Path) -> None:
    """The Done-when of issue 19, through the installed `zonegen` script in fresh processes:
    init from a real quickstart log, then build, check and build --check in the new folder."""
    exe = Path(sys.executable).parent / "zonegen"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "ZONEGEN_CACHE_DIR": str(tmp_path / "cache"),
    }
    log = FIXTURES / "v17-dualstack-dnssec" / "quickstart.log"

    def zonegen(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe), *map(str, args)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    (tmp_path / "work").mkdir()
    made = zonegen("init", "dns", "--quickstart", log, cwd=tmp_path / "work")
    assert made.returncode == 0, made.stderr
    repo = tmp_path / "work" / "dns"
    for args in (("build",), ("check",), ("build", "--check")):
        done = zonegen(*args, cwd=repo)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "0 files written, 2 unchanged" in zonegen("build", cwd=repo).stdout


# ---------------------------------------------------------------------------- the records file


@pytest.mark.parametrize(
    "path",
    sorted(FIXTURES.glob("*/dnsrecords-*.txt")) + [FIXTURES / v / "quickstart.log" for v in GOOD],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_records_round_trip_through_the_dnsrecords_grammar(path: Path) -> None:
    first = parse_mox_output(path.read_text(), str(path))
    again = parse_mox_output(format_mox_output(first, ("a comment",)), "again")
    assert _key(again) == _key(first) and again.default_ttl == first.default_ttl


def _key(output: MoxOutput) -> list[tuple[str, str, int, str, bool]]:
    return [(r.name, r.rtype, r.ttl, r.value, r.disabled) for r in output.records]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.binary(min_size=0, max_size=600), min_size=1, max_size=5),
    disabled=st.booleans(),
    ttl=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_any_txt_value_round_trips(values: list[bytes], disabled: bool, ttl: int) -> None:
    """TXT values with quotes, backslashes, semicolons, parentheses or any byte come back as
    they were (dnspython's escapes, read by zonegen's parser)."""
    records = tuple(
        Record(
            f"t{i}.example.com.", "TXT", ttl if i else 300, make_txt(v), Origin("x"), MOX, disabled
        )
        for i, v in enumerate(values)
    )
    output = MoxOutput("x", records, 300)
    again = parse_mox_output(format_mox_output(output), "again")
    assert _key(again) == _key(output)


def test_init_refuses_dnsrecords_cut_before_the_caa_group(tmp_path: Path) -> None:
    """Cut right after the null SRVs, a dnsrecords file reads like Mox's output without ACME:
    --mox-config shows the public listener has ACME, so the CAA record Mox prints is missing."""
    text = (FIXTURES / "v17-ipv4-basic" / "dnsrecords-example.com.txt").read_text()
    cut = tmp_path / "dnsrecords.txt"
    cut.write_text(text[: text.index("\n; Optional:")])
    config = FIXTURES / "v17-ipv4-basic" / "config"
    result = run("init", tmp_path / "dns", "--quickstart", cut, "--mox-config", config)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "the file looks cut off" in result.stderr and not (tmp_path / "dns").exists()
    assert run("init", tmp_path / "dns", "--quickstart", cut).exit_code == 0  # no way to tell
