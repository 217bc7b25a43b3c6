"""The build cache is never stale: every kind of input, flipped with its size and mtime kept,
makes ``zonegen build --check`` build again and notice; a hit's notes are this run's notes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FIXTURES, run
from zonegen.errors import InputError

V17 = FIXTURES / "v17-dualstack-dnssec"
OCTODNS = """\
providers:
  zones: {class: octodns.provider.yaml.YamlProvider, directory: ./zones}
  gcloud:
    class: CLASS
zones:
  example.org.: {sources: [zones], targets: [gcloud]}
"""
OURS = "zonegen.octodns.GoogleCloudProvider #1234"
STOCK = "octodns_googlecloud.GoogleCloudProvider #"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A DNS repo whose site file reaches Mox's output through ``~`` and through a symlink."""
    home = tmp_path / "home"
    (home / "zg").mkdir(parents=True)
    shutil.copy(V17 / "dnsrecords-example.org.txt", home / "zg")
    monkeypatch.setenv("HOME", str(home))
    store = tmp_path / "store" / "mox"
    shutil.copytree(V17, store)
    root = tmp_path / "repo"
    conf = root / "config"
    (conf / "kept").mkdir(parents=True)
    (conf / "mox").symlink_to(store, target_is_directory=True)
    (conf / "kept" / "example.org.yaml").write_text("www: {type: A, value: 192.0.2.1}\n")
    (conf / "octodns.yaml").write_text(OCTODNS.replace("CLASS", OURS))
    (conf / "site.yaml").write_text(
        "mox:\n  records: [~/zg/dnsrecords-example.org.txt, mox/quickstart.log]\n"
        "  config: mox/config\nbind: {ns: [ns1.dns.example.]}\n"
        "ttl: {default: 300}\nzones:\n  example.org: {signed: true}\n"
    )
    monkeypatch.chdir(root)
    return root


def _flip(path: Path, change: Callable[[bytes], bytes]) -> bytes:
    """Change ``path``'s content, keeping its size and its times; returns the old content."""
    before = path.stat()
    old = path.read_bytes()
    new = change(old)
    assert new != old and len(new) == len(old)
    path.write_bytes(new)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    return old


def _swap(a: bytes, b: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(a, b)


def _kinds(root: Path) -> dict[str, tuple[Path, Callable[[bytes], bytes]]]:
    home = Path(os.environ["HOME"])
    root = root / "config"
    config = root / "mox" / "config"
    dkim_a, dkim_b = sorted((config / "dkim").iterdir())
    (ecdsa,) = (config / "hostkeys").glob("*ecdsap256*")
    (foreign,) = (FIXTURES / "v17-ipv4-basic" / "config" / "hostkeys").glob("*ecdsap256*")
    assert foreign.stat().st_size == ecdsa.stat().st_size
    assert dkim_a.stat().st_size == dkim_b.stat().st_size
    return {
        "site file": (root / "site.yaml", _swap(b"default: 300", b"default: 301")),
        "records file through ~": (
            home / "zg" / "dnsrecords-example.org.txt",
            _swap(b"dmarcreports@", b"dmarcreportz@"),
        ),
        "records file through a symlink": (
            root / "mox" / "quickstart.log",
            _swap(b"dmarcreports@", b"dmarcreportz@"),
        ),
        "mox.conf": (config / "mox.conf", _swap(b"- 203.0.113.25", b"- 203.0.113.26")),
        "domains.conf": (
            config / "domains.conf",
            lambda d: (
                d.replace(b"dkim/2026a", b"dkim/2026X")
                .replace(b"dkim/2026b", b"dkim/2026a")
                .replace(b"dkim/2026X", b"dkim/2026b")
            ),
        ),
        "DKIM key": (dkim_a, lambda _: dkim_b.read_bytes()),
        "host key": (ecdsa, lambda _: foreign.read_bytes()),
        "kept file": (root / "kept" / "example.org.yaml", _swap(b"192.0.2.1", b"192.0.2.2")),
        "octoDNS config": (root / "octodns.yaml", _swap(OURS.encode(), STOCK.encode())),
    }


def _cached() -> bool:
    from zonegen.build import build_files

    try:
        return build_files(Path("config/site.yaml"), Path("zones"), check=True).cached
    except InputError:
        return False


KINDS = [
    "site file",
    "records file through ~",
    "records file through a symlink",
    "mox.conf",
    "domains.conf",
    "DKIM key",
    "host key",
    "kept file",
    "octoDNS config",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_input_is_noticed(repo: Path, kind: str) -> None:
    assert sorted(_kinds(repo)) == sorted(KINDS)
    path, change = _kinds(repo)[kind]
    built = run("build")
    assert built.exit_code == 0, built.stderr
    current = run("build", "--check")
    assert (current.exit_code, current.stdout) == (0, "all 2 files are current\n")
    assert _cached()  # the answer came from the cache
    _flip(path, change)
    assert not _cached()
    noticed = run("build", "--check")
    assert noticed.exit_code == 1, noticed.output
    assert "current" not in noticed.stdout
    # The answer without any cache is the same.
    assert (noticed.exit_code, noticed.stdout) == (
        run("build", "--check", "--no-cache").exit_code,
        run("build", "--check", "--no-cache").stdout,
    )


def test_no_cache_gives_the_same_bytes(repo: Path) -> None:
    first = run("build", "--out", "a")
    assert first.exit_code == 0, first.stderr
    assert run("build", "--out", "a").stdout.endswith("0 files written, 2 unchanged\n")  # a hit
    assert run("build", "--out", "b", "--no-cache").exit_code == 0
    for name in ("example.org.yaml", "bind/example.org.zone"):
        assert (repo / "a" / name).read_bytes() == (repo / "b" / name).read_bytes()


def test_a_hit_gives_this_runs_notes(repo: Path) -> None:
    """A note about the output folder (a stale file) is not replayed once it no longer
    applies; the notes about the inputs are the same on a hit as on a build."""
    stale = repo / "zones" / "gone.example.yaml"
    stale.parent.mkdir()
    stale.write_text("---\n")
    first = run("build")
    assert first.exit_code == 0 and "gone.example.yaml is not built" in first.stderr
    stale.unlink()
    again = run("build")
    assert again.exit_code == 0 and again.stdout.endswith("0 files written, 2 unchanged\n")
    assert "gone.example.yaml" not in again.stderr
    fresh = run("build", "--no-cache")
    assert again.stderr == fresh.stderr
    assert "not published" not in again.stderr or again.stderr == first.stderr.replace(
        f"zonegen: note: {Path('zones') / 'gone.example.yaml'} is not built from the site file "
        "any more; delete it if its zone is gone\n",
        "",
    )


def test_a_changed_working_directory_is_a_miss(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("build").exit_code == 0
    monkeypatch.chdir(repo.parent)
    result = run("build", "--site", "repo/config/site.yaml", "--out", "repo/zones")
    assert result.exit_code == 0 and "unchanged repo/zones/example.org.yaml" in result.stdout


def test_a_hit_loads_neither_octodns_nor_the_checks_nor_dnspythons_names(repo: Path) -> None:
    """What a hit costs is mostly imports: it needs none of these (the site file's names are
    plain labels, which names.py reads without dnspython)."""
    import subprocess
    import sys

    assert run("build").exit_code == 0
    script = (
        "import sys; from pathlib import Path; from zonegen.build import build_files\n"
        "built = build_files(Path('config/site.yaml'), Path('zones'), check=True)\n"
        "heavy = ('octodns', 'zonegen.checks', 'zonegen.pipeline', 'dns.name', 'dns.rdata')\n"
        "print(built.cached, sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=True
    )
    assert out.stdout == "True []\n", out.stderr
