"""At a thousand domains the same validations run: a broken record still stops the build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import REPO, run

sys.path.insert(0, str(REPO / "bench"))
from generate import generate


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(1000, tmp_path_factory.mktemp("n1000"))


def _break(site: Path, domain: str, old: str, new: str) -> None:
    path = site.parent / "mox" / f"dnsrecords-{domain}.txt"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _contents(folder: Path) -> dict[Path, bytes]:
    """Every file below ``folder``, hidden ones (staged files) included."""
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _every_zone_changes_and_one_breaks(
    site: Path, out: Path, domain: str, old: str, new: str, error: str
) -> None:
    """Build into ``out``; then move the host to a new address, so that every zone changes
    (the SPF follows it) and the workers stage files everywhere, and break one record of
    ``domain``: the build fails with ``error`` and ``out`` is as it was, no staged file left."""
    assert run("build", "--site", site, "--out", out).exit_code == 0
    before = _contents(out)
    site_text = site.read_text()
    site.write_text(site_text.replace("203.0.113.25", "203.0.113.26"))
    _break(site, domain, old, new)
    try:
        result = run("build", "--no-cache", "--site", site, "--out", out)
        assert result.exit_code == 1, result.stderr
        assert error in result.stderr
        assert _contents(out) == before
    finally:
        site.write_text(site_text)
        _break(site, domain, new, old)


def test_a_dmarc_typo_in_one_of_a_thousand_domains_fails(thousand: Path) -> None:
    # zonegen's own checks find it while the workers render and stage.
    _every_zone_changes_and_one_breaks(
        thousand,
        thousand.parent / "zones",
        "d00500.example",
        "v=DMARC1;p=reject;",
        "v=DMARC1;p=rejct;",
        "error: dmarc-syntax: _dmarc.d00500.example. TXT: p=rejct",
    )


def test_a_rejection_leaves_no_staged_file_of_the_other_zones(thousand: Path) -> None:
    # octoDNS refuses a zone far into the list, in one worker, after the others staged.
    _every_zone_changes_and_one_breaks(
        thousand,
        thousand.parent / "zones3",
        "d00900.example",
        "MX 10 mx.example.org.",
        "MX 10 192.0.2.1.",
        "octodns-mx-value-not-ip: d00900.example. MX",
    )


def test_an_octodns_rejection_in_one_of_a_thousand_domains_fails(thousand: Path) -> None:
    out = thousand.parent / "new" / "deeper" / "zones2"
    _break(thousand, "d00777.example", "MX 10 mx.example.org.", "MX 10 192.0.2.1.")
    result = run("build", "--site", thousand, "--out", out)
    assert result.exit_code == 1, result.stderr
    assert "error: octodns-mx-value-not-ip: d00777.example. MX" in result.stderr
    assert not (thousand.parent / "new").exists()  # no folder the build made stays
    _break(thousand, "d00777.example", "MX 10 192.0.2.1.", "MX 10 mx.example.org.")
