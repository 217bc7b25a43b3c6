"""Zone files for named, signed right and wrong on purpose with BIND's ``dnssec-keygen`` and
``dnssec-signzone`` (the signatures are BIND's, never ours), then spliced with dnspython where
one zone has to carry several faults at once.

Every variant starts from the BIND file ``zonegen build`` wrote for the site under test, so
the records are exactly what verify expects and only the DNSSEC (or the one record a variant
changes) differs.
"""

from __future__ import annotations

import datetime
import subprocess
from dataclasses import dataclass
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.RRSIG
import dns.zone

from dnslab import find_program

ZONE = "example.org."
# What the "mixed" variant breaks, one fault per RRset (the tests look for each).
EXPIRED = "_dmarc.example.org."  # TXT signed in the past
NOT_YET_VALID = "_mta-sts.example.org."  # TXT signed for later
EXPIRING = "mx.example.org."  # A whose signature runs out within days
UNSIGNED_RRSET = "www.example.org."  # A without its RRSIG
BAD_SIGNATURE = "autoconfig.example.org."  # CNAME whose signature was altered
# The NSEC that covers the names verify probes (_zonegen-nx-*.example.org. sorts between
# _smtp._tls and autoconfig): removed, so NXDOMAIN comes without its proof.
DENIAL_GAP = "_smtp._tls.example.org."


def _stamp(t: datetime.datetime) -> str:
    return t.strftime("%Y%m%d%H%M%S")


@dataclass
class Keys:
    directory: Path
    key_file: Path  # K<zone>+<alg>+<tag>.key: the DNSKEY line

    @property
    def dnskey_line(self) -> str:
        return "\n".join(
            line for line in self.key_file.read_text().splitlines() if not line.startswith(";")
        )

    def ds(self, digest: str = "SHA256") -> str:
        """The DS rdata text of this key, as for a trust anchor or --ds."""
        zone = dns.zone.from_text(
            f"$ORIGIN {ZONE}\n$TTL 3600\n{self.dnskey_line}\n", origin=ZONE, check_origin=False
        )
        (key,) = zone.find_rdataset(ZONE, "DNSKEY")
        return dns.dnssec.make_ds(ZONE, key, digest, policy=dns.dnssec.allow_all_policy).to_text()


def keygen(directory: Path, algorithm: str, *extra: str, ksk: bool = True) -> Keys:
    directory.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [
            find_program("dnssec-keygen"),
            "-q",
            "-K",
            str(directory),
            "-a",
            algorithm,
            *extra,
            *(["-f", "KSK"] if ksk else []),
            ZONE,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    name = out.stdout.strip().splitlines()[-1]
    return Keys(directory, directory / f"{name}.key")


def revoke(keys: Keys) -> Keys:
    """The same key with the REVOKE bit set (RFC 5011 2.1), by BIND's ``dnssec-revoke``: its
    flags become 385 and its key tag changes."""
    out = subprocess.run(
        [find_program("dnssec-revoke"), "-K", str(keys.directory), str(keys.key_file)],
        check=True,
        capture_output=True,
        text=True,
    )
    name = Path(out.stdout.strip().splitlines()[-1]).name
    return Keys(keys.directory, keys.directory / f"{name}.key")


def sign(
    text: str,
    keys: Keys | list[Keys],
    workdir: Path,
    name: str,
    *,
    nsec3: bool = False,
    nsec3_args: tuple[str, ...] = (),
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> str:
    """``dnssec-signzone`` over ``text`` with ``keys`` (one directory); the signed zone as
    text. With a ZSK among ``keys`` the KSKs sign the DNSKEY RRset and the ZSKs the rest;
    else every key signs everything."""
    every = keys if isinstance(keys, list) else [keys]
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / f"{name}.in"
    source.write_text(text + "\n" + "\n".join(k.dnskey_line for k in every) + "\n")
    signed = workdir / f"{name}.signed"
    # A ZSK among the keys (flags 256): KSKs sign the keys, ZSKs the rest; else CSKs (-z).
    split = any(" 256 " in f" {k.dnskey_line} " for k in every)
    # -x: only the KSKs sign the DNSKEY RRset (else every key does).
    args = [find_program("dnssec-signzone"), "-P", *(["-x"] if split else ["-z"]), "-o", ZONE]
    args += ["-K", str(every[0].directory)]
    if nsec3:
        args += list(nsec3_args) or ["-3", "-"]  # NSEC3, no salt (RFC 9276)
    if start:
        args += ["-s", _stamp(start)]
    if end:
        args += ["-e", _stamp(end)]
    # -d and cwd: dnssec-signzone writes a dsset- file; it belongs in the lab, not the repo.
    subprocess.run(
        [*args, "-d", str(workdir), "-f", str(signed), str(source)],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
    )
    return signed.read_text()


def _zone(text: str) -> dns.zone.Zone:
    return dns.zone.from_text(text, origin=ZONE, relativize=False)


def _sigs(zone: dns.zone.Zone, name: str, covered: str) -> dns.rdataset.Rdataset:
    node = zone.get_node(name)
    assert node is not None, name
    found = node.get_rdataset(
        dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.from_text(covered)
    )
    assert found is not None, (name, covered)
    return found


def _put_sigs(zone: dns.zone.Zone, name: str, covered: str, sigs: dns.rdataset.Rdataset) -> None:
    node = zone.find_node(name)
    node.replace_rdataset(sigs)


def _drop(zone: dns.zone.Zone, name: str, rtype: str, covers: str = "NONE") -> None:
    node = zone.find_node(name)
    node.delete_rdataset(
        dns.rdataclass.IN, dns.rdatatype.from_text(rtype), dns.rdatatype.from_text(covers)
    )


def mixed(text: str, keys: Keys, workdir: Path) -> str:
    """One signed zone with a fault per RRset (see the names above); the rest is valid."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    day = datetime.timedelta(days=1)
    base = _zone(sign(text, keys, workdir, "base"))
    expired = _zone(sign(text, keys, workdir, "expired", start=now - 60 * day, end=now - 30 * day))
    later = _zone(sign(text, keys, workdir, "later", start=now + 10 * day, end=now + 40 * day))
    soon = _zone(sign(text, keys, workdir, "soon", start=now - day, end=now + 2 * day))
    _put_sigs(base, EXPIRED, "TXT", _sigs(expired, EXPIRED, "TXT"))
    _put_sigs(base, NOT_YET_VALID, "TXT", _sigs(later, NOT_YET_VALID, "TXT"))
    _put_sigs(base, EXPIRING, "A", _sigs(soon, EXPIRING, "A"))
    _drop(base, UNSIGNED_RRSET, "RRSIG", "A")
    good = _sigs(base, BAD_SIGNATURE, "CNAME")
    altered = dns.rdataset.Rdataset(good.rdclass, good.rdtype, good.covers)
    altered.update_ttl(good.ttl)
    for sig in good:
        assert isinstance(sig, dns.rdtypes.ANY.RRSIG.RRSIG)
        flipped = bytes([sig.signature[0] ^ 0x01]) + sig.signature[1:]
        altered.add(sig.replace(signature=flipped))
    _put_sigs(base, BAD_SIGNATURE, "CNAME", altered)
    _drop(base, DENIAL_GAP, "NSEC")
    _drop(base, DENIAL_GAP, "RRSIG", "NSEC")
    return base.to_text()


def changed(text: str, *, serial: int, www: str) -> str:
    """The zone with another SOA serial and another address for www (a server that
    disagrees with the others)."""
    lines = []
    for line in text.splitlines():
        if " SOA " in line:
            parts = line.split()
            parts[-5] = str(serial)
            line = " ".join(parts)
        elif line.startswith("www ") and " A " in line:
            line = f"www 3600 IN A {www}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def without_dnskey(signed: str) -> str:
    """A signed zone whose apex has lost its DNSKEY RRset and the RRSIG over it."""
    zone = _zone(signed)
    _drop(zone, ZONE, "DNSKEY")
    _drop(zone, ZONE, "RRSIG", "DNSKEY")
    return zone.to_text()
