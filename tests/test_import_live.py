"""A live zone with records octoDNS's validators reject but DNS allows, through the whole path.

The zone is served by a real ``named`` on 127.0.0.1; its AXFR (dig's output) is imported,
built, and pushed back with the real ``octodns-sync`` and octodns-bind's RFC 2136 provider.
Every kept record must then be on the server exactly as it was (rdata and TTL; TXT strings
compared as the server returns them), the lenient ones included, and a second sync must plan
nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dns.rdata
import dns.rdatatype
import pytest
import yaml

from conftest import REPO, run
from dnslab import Named

MOX = """\
; Mox's MX alone, written by hand (without Mox's header: not its whole output).
$TTL 300

zonegen-mox.zz.                    MX 10 mail.zonegen-mox.zz.
"""


def _dkim() -> str:
    """A real DKIM RSA record text (RFC 6376 3.6.1), longer than one 255-octet string."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode()


LONG = _dkim()
# Valid DNS, each something octoDNS or a naive reader gets wrong.
SEED = f"""\
wild.example.org. 300 IN CNAME *.cdn.example.net.
svc.example.org. 600 IN SRV 0 0 0 .
_sip._tcp.example.org. 600 IN SRV 10 5 5060 sip.example.net.
quoted.example.org. 300 IN TXT "say \\"hi\\"; semi;colon \\\\ back"
dkim._domainkey.example.org. 3600 IN TXT "{LONG[:255]}" "{LONG[255:]}"
ssh.example.org. 300 IN SSHFP 4 2 {"ab" * 32}
generic.example.org. 300 IN TYPE1 \\# 4 c0000207
*.example.org. 120 IN A 192.0.2.80
hinfo.example.org. 300 IN HINFO "PC" "NetBSD"
"""


@pytest.fixture
def named(tmp_path: Path) -> Named:
    server = Named(tmp_path / "named", ["example.org"], seed=SEED).start()
    yield server
    server.stop()


def _records(named: Named) -> set[tuple[str, str, int, dns.rdata.Rdata]]:
    return {
        (name.to_text(), dns.rdatatype.to_text(rd.rdtype), ttl, rd)
        for name, ttl, rd in named.axfr("example.org.").iterate_rdatas()
        if rd.rdtype != dns.rdatatype.SOA
        and not (rd.rdtype == dns.rdatatype.NS and name.to_text() == "example.org.")
    }


def _site(folder: Path) -> Path:
    """A site file that builds Mox's one-MX output and the imported example.org."""
    (folder / "mox.txt").write_text(MOX)
    site = folder / "site.yaml"
    site.write_text(
        "mox:\n  records: [mox.txt]\nhost:\n  ipv4: [192.0.2.1]\n"
        "zones:\n  zonegen-mox.zz: {}\n  example.org: {}\n"
    )
    return site


def test_odd_valid_records_go_round_the_live_path_exactly(tmp_path: Path, named: Named) -> None:
    before = _records(named)
    dig = named.dig_axfr("example.org")
    (tmp_path / "axfr.txt").write_text(dig)
    site = _site(tmp_path)
    imported = run("import", tmp_path / "axfr.txt", "--zone", "example.org", "--site", site)
    # HINFO is refused (octoDNS lacks the type): exit 1, named; the rest is kept
    assert imported.exit_code == 1, imported.stdout + imported.stderr
    assert "hinfo.example.org HINFO: octoDNS has no HINFO type" in imported.stdout
    assert "kept with octoDNS's lenient flag" in imported.stdout
    for name in ("wild.example.org CNAME", "svc.example.org SRV"):
        assert f"  {name}: " in imported.stdout
    built = run("build", "--site", site, "--out", tmp_path / "zones")
    assert built.exit_code == 0, built.stdout + built.stderr

    config = yaml.safe_load((REPO / "config" / "octodns-bind.yaml").read_text())
    config["providers"]["zones"]["directory"] = str(tmp_path / "zones")
    config["zones"] = {"example.org.": config["zones"]["*"]}
    (tmp_path / "octodns.yaml").write_text(yaml.safe_dump(config))
    command = [
        str(Path(sys.executable).parent / "octodns-sync"),
        "--config-file",
        str(tmp_path / "octodns.yaml"),
        "--doit",
    ]
    env = {**os.environ, **named.env}
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "No changes were planned" in second.stdout + second.stderr

    after = _records(named)
    hinfo = {r for r in before if r[1] == "HINFO"}
    # The refused HINFO stays on the server (the delete guard keeps what zonegen does not
    # manage); every other record is there exactly as before, TXT strings included.
    assert before - after == set(), sorted(
        (n, t, ttl, rd.to_text()) for n, t, ttl, rd in before - after
    )
    assert hinfo <= after


def test_a_signed_zones_transfer_leaves_the_signers_records_out_with_one_note(
    tmp_path: Path,
) -> None:
    """dig AXFR of a zone BIND signs inline: RRSIG, NSEC, DNSKEY, CDS, CDNSKEY and BIND's
    private signing records are the signer's; everything else is kept, nothing refused."""
    server = Named(
        tmp_path / "named",
        ["example.org"],
        dnssec=True,
        seed="www.example.org. 300 IN A 192.0.2.8\n",
    ).start()
    try:
        dig = server.dig_axfr("example.org")
    finally:
        server.stop()
    assert " RRSIG " in dig.replace("\t", " ")
    (tmp_path / "axfr.txt").write_text(dig)
    site = _site(tmp_path)
    result = run("import", tmp_path / "axfr.txt", "--zone", "example.org", "--site", site)
    assert result.exit_code == 0, result.stdout + result.stderr
    notes = [line for line in result.stdout.splitlines() if "DNSSEC records" in line]
    assert len(notes) == 1 and "RRSIG" in notes[0] and "DNSKEY" in notes[0], result.stdout
    assert "refused" not in result.stdout
    kept = yaml.safe_load((tmp_path / "kept" / "example.org.yaml").read_text())
    assert kept == {"www": {"ttl": 300, "type": "A", "value": "192.0.2.8"}}
