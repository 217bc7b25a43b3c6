"""The edges: Mox's config read from damaged files, Inputs that report unreadable files the way
the readers always did, and the writer's failures (nothing half-written, permissions kept)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from zonegen import output
from zonegen.errors import InputError
from zonegen.output import FileChange
from zonegen.sources import Blob, read_inputs
from zonegen.sources.mox_config import parse_mox_config

CONFIG = FIXTURES / "v17-dualstack-dnssec" / "config"
STATIC = (CONFIG / "mox.conf").read_text()
DYNAMIC = (CONFIG / "domains.conf").read_text()


# ---------------------------------------------------------------------------- Mox's config


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    which=st.booleans(),
    cuts=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 80)), max_size=3),
    junk=st.text(alphabet="\t -:#abcHostnameIPs0.\n", max_size=30),
    at=st.integers(0, 6000),
)
def test_mangled_mox_config_raises_only_input_error(
    which: bool, cuts: list[tuple[int, int]], junk: str, at: int
) -> None:
    text = STATIC if which else DYNAMIC
    for start, length in cuts:
        start %= max(len(text), 1)
        text = text[:start] + text[start + length :]
    at %= max(len(text), 1)
    text = text[:at] + junk + text[at:]
    static, dynamic = (text, DYNAMIC) if which else (STATIC, text)
    try:
        config = parse_mox_config(CONFIG, static, dynamic)
    except InputError as e:
        assert e.path and e.path.endswith(("mox.conf", "domains.conf")), e
        assert "\n" not in str(e)
    else:
        assert config.hostname.endswith(".")


@pytest.mark.parametrize(
    ("static", "dynamic", "fragment"),
    [
        (STATIC.replace("Hostname: mx.example.org", "Hostname:\n\tX: y"), DYNAMIC, "single value"),
        ("DataDir: data\n", DYNAMIC, "mox.conf has no Hostname"),
        (
            STATIC.replace("\t\tIPs:\n\t\t\t- 203.0.113.25\n\t\t\t- 2001:db8:25::25", "\t\tIPs: x"),
            DYNAMIC,
            "list of '- item' lines",
        ),
        (STATIC.replace("- 203.0.113.25", "- 203.0.113.x"), DYNAMIC, "not an IP address"),
        (STATIC.replace("Listeners:", "Listeners: none"), DYNAMIC, "has both"),
        (STATIC, DYNAMIC.replace("PrivateKeyFile: dkim/2026a", "Private: dkim/2026a"), "no Privat"),
        (STATIC, DYNAMIC.replace("Domains:", "Domains: x"), "has both"),
        (STATIC, "Domains: x\n", "block of 'Key: value' lines"),
    ],
)
def test_broken_mox_config_names_file_and_line(static: str, dynamic: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as info:
        parse_mox_config(CONFIG, static, dynamic)
    assert info.value.line


def test_unspecified_ips_and_listeners_without_smtp(tmp_path: Path) -> None:
    static = STATIC.replace("- 203.0.113.25", "- 0.0.0.0")
    config = parse_mox_config(CONFIG, static, DYNAMIC)
    assert "0.0.0.0" not in config.ips and "2001:db8:25::25" in config.ips


# ---------------------------------------------------------------------------- Inputs


def test_unreadable_files_are_reported_by_who_needs_them(tmp_path: Path) -> None:
    (tmp_path / "mox").mkdir()
    (tmp_path / "records.txt").mkdir()  # a folder where a file belongs
    (tmp_path / "site.yaml").write_text(
        "mox: {records: [records.txt, nope.txt], config: mox}\nzones: {example.org: {}}\n"
    )
    inputs = read_inputs(tmp_path / "site.yaml")  # reading never fails on them
    with pytest.raises(InputError, match="Mox output is a directory, not a file"):
        inputs.blob(tmp_path / "records.txt").text(what="Mox output")
    with pytest.raises(InputError, match="Mox output not found"):
        inputs.blob(tmp_path / "nope.txt").text(what="Mox output")
    with pytest.raises(InputError, match=r"no mox\.conf in the Mox config directory"):
        inputs.mox_config()
    assert inputs.blob(tmp_path / "records.txt").sha256 != inputs.blob(tmp_path / "nope.txt").sha256


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    blob = Blob.read(tmp_path / ("x" * 300))  # a name longer than the file system allows
    with pytest.raises(InputError, match="cannot read key file: File name too long"):
        blob.bytes(what="key file")
    with pytest.raises(InputError, match="cannot read Mox output: File name too long"):
        blob.text(what="Mox output")


def test_binary_input_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_bytes(b"$TTL 300\n\xff\n")
    with pytest.raises(InputError) as info:
        Blob.read(path).text(what="Mox output")
    assert info.value.line == 2 and "not UTF-8" in str(info.value)


def test_a_missing_config_directory(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(
        "mox: {records: [r.txt], config: nowhere}\nzones: {example.org: {}}\n"
    )
    with pytest.raises(InputError, match="Mox config directory not found"):
        read_inputs(tmp_path / "site.yaml").mox_config()


# ---------------------------------------------------------------------------- the writer


def test_a_write_that_fails_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    target = tmp_path / "blocker" / "zone.yaml"
    with pytest.raises(InputError, match="cannot write output"):
        output.write({target: "x"}, [FileChange(target, "created")])
    good = tmp_path / "good.yaml"
    with pytest.raises(InputError):
        output.write(
            {good: "new", target: "x"},
            [FileChange(good, "created"), FileChange(target, "created")],
        )
    assert not good.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["blocker"]


def test_a_rename_that_fails_removes_what_was_staged(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()  # rename of a file onto a folder fails
    (tmp_path / "dir.yaml" / "inside").write_text("keeps it non-empty")
    changes = [
        output.stage(tmp_path / "a.yaml", "a", None, "1"),
        output.stage(tmp_path / "dir.yaml", "b", None, "1"),
    ]
    with pytest.raises(InputError, match="cannot write output"):
        output.commit(changes)
    assert sorted(p.name for p in tmp_path.iterdir()) in (["a.yaml", "dir.yaml"], ["dir.yaml"])
    assert not list(tmp_path.glob(".*.tmp"))


def test_replaced_files_keep_their_permissions(tmp_path: Path) -> None:
    path = tmp_path / "mox.conf"
    path.write_text("old\n")
    path.chmod(0o600)
    output.write({path: "new\n"}, [FileChange(path, "changed")])
    assert path.read_text() == "new\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = output.backup(path, "old\n")
    assert saved.read_text() == "old\n" and stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert saved.name.startswith("mox.conf.") and saved.name.endswith(".bak")


def test_existing_outputs_that_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "bin.zone").write_bytes(b"\xff\xfe")
    with pytest.raises(InputError, match="cannot read the existing output file"):
        output.read_existing(tmp_path / "bin.zone")
    assert output.digest(tmp_path / "missing.zone") is None
    assert output.read_existing(tmp_path / "missing.zone") is None
    assert output.stale(tmp_path / "nowhere", []) == []


# ---------------------------------------------------------------------------- special files


@pytest.mark.parametrize("where", ["records", "site"])
@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "too-large"])
def test_special_and_huge_files_are_refused_in_bounded_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, where: str
) -> None:
    """/dev/zero once read until memory ran out, and a FIFO blocks the reader that opens it:
    every input must be a regular file of at most MAX_INPUT_BYTES (lowered here)."""
    import os
    import shutil
    import threading

    from conftest import run
    from zonegen.sources import files

    shutil.copytree(FIXTURES / "v17-dualstack-dnssec", tmp_path / "mox")
    bad = tmp_path / "bad"
    if kind == "dev-zero":
        bad.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(bad)

        # If the reader opened the FIFO it would wait for a writer: one comes after 20 s, so
        # a regression fails the assertions below instead of hanging the suite.
        def unblock() -> None:
            with bad.open("wb"):
                pass

        timer = threading.Timer(20, unblock)
        timer.daemon = True
        timer.start()
    else:
        monkeypatch.setattr(files, "MAX_INPUT_BYTES", 1000)
        bad.write_text("x" * 1001)
    site = tmp_path / "site.yaml"
    records = "bad" if where == "records" else "mox/dnsrecords-example.org.txt"
    site.write_text(
        f"mox:\n  records: [{records}]\n  config: mox/config\nzones:\n  example.org: {{}}\n"
    )
    result = run("build", "--site", bad if where == "site" else site, "--out", tmp_path / "z")
    if kind == "fifo":
        timer.cancel()
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "bad: cannot read" in result.stderr
    reason = "larger than 1,000 bytes" if kind == "too-large" else "not a regular file"
    assert reason in result.stderr and not (tmp_path / "z").exists()


@pytest.mark.parametrize(("told", "limit", "whole"), [(10, 1000, True), (10, 50, False)])
def test_a_file_that_grows_while_read_is_read_on_within_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: int, limit: int, whole: bool
) -> None:
    """read_input reads by the size fstat gives; a file longer than that by the time it is
    read (it grew) is read on, and still refused past the limit, never cut short."""
    import os

    from zonegen.sources import files

    path = tmp_path / "f"
    path.write_bytes(b"y" * 100)
    real = os.fstat

    def shrunk(fd: int) -> os.stat_result:
        st = real(fd)
        return os.stat_result((*st[:6], told, *st[7:]))

    monkeypatch.setattr(files, "MAX_INPUT_BYTES", limit)
    monkeypatch.setattr(files.os, "fstat", shrunk)
    if whole:
        assert files.read_input(path) == b"y" * 100
    else:
        with pytest.raises(OSError, match="larger than 50 bytes"):
            files.read_input(path)


def test_a_fifo_put_in_place_after_the_check_is_refused_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """read_input checks the type before it opens, and again on what it opened: a FIFO that
    took the file's place in between (seen here as a stat that still says "regular file")
    opens without waiting for a writer and is refused."""
    import os
    import stat
    import threading
    import time

    from zonegen.sources import files

    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    (tmp_path / "r").write_bytes(b"")
    regular = (tmp_path / "r").stat()
    monkeypatch.setattr(files.os, "stat", lambda path, **_: regular)  # what Path.stat calls
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

    # A reader that waited for a writer gets one after 20 s: a regression fails, not hangs.
    def unblock() -> None:
        os.close(os.open(fifo, os.O_WRONLY))

    timer = threading.Timer(20, unblock)
    timer.daemon = True
    timer.start()
    started = time.monotonic()
    with pytest.raises(OSError, match="not a regular file"):
        files.read_input(fifo)
    timer.cancel()
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("size", [0, 1, 4096, 70_000])
def test_read_input_gives_the_whole_file(tmp_path: Path, size: int) -> None:
    from zonegen.sources import files

    path = tmp_path / "f"
    data = bytes(range(256)) * (size // 256) + b"z" * (size % 256)
    path.write_bytes(data)
    assert files.read_input(path) == data
