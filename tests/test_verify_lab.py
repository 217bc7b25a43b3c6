"""zonegen verify against a lab of broken DNS on loopback (tests/lab/): named serving zones
signed wrong on purpose by BIND's own tools, unbound as a validating resolver (with EDE), as
one that does not validate and as one for the broken zone, a misbehaving DNS server of our
own, and hostile SMTP servers. One test per finding; the servers are started once for the
module."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, run
from dnslab import Named, Unbound, free_port
from lab import zones
from lab.baddns import MORE_MODES, RCODES, SLOW, BadDns
from lab.smtp import HOST, SmtpLab, issue_chain
from zonegen import pipeline
from zonegen.sources import read_inputs
from zonegen.verify import dane, dnsquery, dnssec
from zonegen.verify.dnsquery import Answer, Asker
from zonegen.verify.findings import Finding
from zonegen.verify.gather import ZoneAnswers, gather
from zonegen.verify.judge import Settings, judge_zone
from zonegen.verify.servers import Server

SITE = REPO / "config" / "site.yaml"
ZONE = zones.ZONE
# Short limits keep the lab quick; the margins in the time assertions are generous (the
# machine may be loaded).
QUERY_TIMEOUT = "1"


@dataclass
class World:
    tmp: Path
    named: dict[str, Named] = field(default_factory=dict)
    unbound: dict[str, Unbound] = field(default_factory=dict)
    ds: str = ""  # DS rdata of the ECDSA key that signs good, mixed and other
    ds_sha1_digest: str = ""  # a SHA-1 DS of the RSASHA1 key that signs the sha1 variant
    # Zones signed another way (VARIANTS), each with the DS of its own key, its own named and
    # its own unbound that takes that DS as trust anchor.
    variant_ds: dict[str, str] = field(default_factory=dict)
    bad: dict[str, BadDns] = field(default_factory=dict)

    def ns(self, *names: str) -> list[str]:
        out = []
        for name in names:
            port = self.named[name].port if name in self.named else self.bad[name].port
            out += ["--nameserver", f"127.0.0.1:{port}"]
        return out

    def verify(
        self,
        *args: str,
        servers: tuple[str, ...] = ("good",),
        resolver: str = "valid",
        ds: bool = True,
        ds_text: str = "",
    ) -> tuple[int, str, float]:
        """verify in text; (exit code, output, seconds)."""
        extra = ["--ds", f"{ZONE} DS {ds_text or self.ds}"] if ds else []
        start = time.monotonic()
        result = run(
            "verify",
            "--site",
            SITE,
            "--skip",
            "mail",
            *self.ns(*servers),
            "--resolver",
            f"127.0.0.1:{self.unbound[resolver].port}",
            "--query-timeout",
            QUERY_TIMEOUT,
            *extra,
            *args,
        )
        return result.exit_code, result.stdout + result.stderr, time.monotonic() - start

    def json(self, *args: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        code, out, _ = self.verify("--format", "json", *args, **kw)
        return code, json.loads(out)


def _start_all(tmp: Path) -> World:
    world = World(tmp)
    assert run("build", "--site", SITE, "--out", tmp / "zones").exit_code == 0
    text = (tmp / "zones" / "bind" / "example.org.zone").read_text()
    key = zones.keygen(tmp / "k13", "ECDSAP256SHA256")
    sha1_key = zones.keygen(tmp / "k5", "RSASHA1", "-b", "1024")
    world.ds, world.ds_sha1_digest = key.ds(), sha1_key.ds("SHA1")
    signing = tmp / "signing"
    other = zones.changed(text, serial=2, www="203.0.113.81")
    texts = {
        "good": zones.sign(text, key, signing, "good", nsec3=True),
        "mixed": zones.mixed(text, key, signing),
        "unsigned": text,
        "other": zones.sign(other, key, signing, "other", nsec3=True),
        # Signed by the RSASHA1 key only; the ECDSA key is published in it but signs nothing.
        "sha1": zones.sign(text + "\n" + key.dnskey_line, sha1_key, signing, "sha1"),
    }

    def start_named(name: str) -> Named:
        return Named(
            tmp / f"named-{name}", [ZONE.rstrip(".")], texts={"example.org": texts[name]}
        ).start()

    for name, (variant, ds) in _variants(text, key, tmp).items():
        texts[name] = variant
        world.variant_ds[name] = ds
    with ThreadPoolExecutor(8) as pool:
        for name, named in zip(texts, pool.map(start_named, texts), strict=True):
            world.named[name] = named
        anchor = {"example.org": world.ds}
        ede = "  ede: yes\n"
        resolvers = {
            "valid": Unbound(
                tmp / "u-valid", world.named["good"].port, ["example.org"], anchor, extra=ede
            ),
            "valid-mixed": Unbound(
                tmp / "u-mixed", world.named["mixed"].port, ["example.org"], anchor, extra=ede
            ),
            "novalidate": Unbound(
                tmp / "u-noval", world.named["good"].port, ["example.org"], {}, validate=False
            ),
        }
        for name, ds in world.variant_ds.items():
            resolvers[name] = Unbound(
                tmp / f"u-{name}", world.named[name].port, ["example.org"], {"example.org": ds}
            )
        for name, unbound in zip(
            resolvers, pool.map(lambda u: u.start(), resolvers.values()), strict=True
        ):
            world.unbound[name] = unbound
    upstream = world.named["good"].port
    modes = [
        "silent",
        "garbage",
        "loop",
        "truncated",
        "tc-close",
        "drip",
        "oversized",
        "wrong-id",
        "wrong-source",
        "spoof-only",
        "late-dup",
        "slow",
        "mangle",
        *RCODES,
        *MORE_MODES,
    ]
    for mode in modes:
        world.bad[mode] = BadDns(mode, upstream).__enter__()
    return world


def _variants(text: str, key: zones.Keys, tmp: Path) -> dict[str, tuple[str, str]]:
    """Zones signed in ways the base variants do not cover: name -> (zone text, DS rdata)."""
    d = tmp / "variants"
    out: dict[str, tuple[str, str]] = {}
    # A KSK and a ZSK, with the parent's DS for the ZSK (which signs no DNSKEY RRset).
    ksk = zones.keygen(d / "split", "ECDSAP256SHA256")
    zsk = zones.keygen(d / "split", "ECDSAP256SHA256", ksk=False)
    out["zsk-ds"] = (zones.sign(text, [ksk, zsk], d, "zsk-ds"), zsk.ds())
    # The KSK revoked (RFC 5011 2.1) and the DS of that revoked key.
    old = zones.keygen(d / "revoked", "ECDSAP256SHA256")
    zsk2 = zones.keygen(d / "revoked", "ECDSAP256SHA256", ksk=False)
    revoked = zones.revoke(old)
    out["revoked"] = (zones.sign(text, [revoked, zsk2], d, "revoked"), revoked.ds())
    # NSEC3 with salt and extra iterations, and with opt-out (RFC 9276 3.1).
    salted = ("-3", "c0ffee", "-H", "50")
    out["nsec3-iter"] = (zones.sign(text, key, d, "iter", nsec3=True, nsec3_args=salted), "")
    optout = ("-3", "-", "-A")
    out["optout"] = (zones.sign(text, key, d, "optout", nsec3=True, nsec3_args=optout), "")
    # Other algorithms: Ed25519 (15), Ed448 (16), RSASHA1-NSEC3-SHA1 (7, RFC 8624: NOT
    # RECOMMENDED for signing), and two algorithms at once (8 and 13).
    for name, alg, extra in (
        ("ed25519", "ED25519", ()),
        ("ed448", "ED448", ()),
        ("alg7", "NSEC3RSASHA1", ("-b", "2048")),
    ):
        k = zones.keygen(d / name, alg, *extra)
        out[name] = (zones.sign(text, k, d, name, nsec3=name == "alg7"), k.ds())
    rsa = zones.keygen(tmp / "k13", "RSASHA256", "-b", "2048")
    out["multi-alg"] = (zones.sign(text, [key, rsa], d, "multi-alg"), "")
    # Signed, then the DNSKEY RRset (and its RRSIG) taken away from the apex.
    out["no-dnskey"] = (zones.without_dnskey(zones.sign(text, key, d, "no-dnskey")), "")
    return {name: (t, ds or key.ds()) for name, (t, ds) in out.items()}


def _stop_all(world: World) -> None:
    for bad in world.bad.values():
        bad.__exit__(None, None, None)
    for server in [*world.unbound.values(), *world.named.values()]:
        server.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = _start_all(tmp_path_factory.mktemp("lab"))
    try:
        yield w
    finally:
        _stop_all(w)


def findings(data: dict[str, Any], **match: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if all(f[k] == v for k, v in match.items())]


# ---------------------------------------------------------------------------- the baseline


def test_signed_zone_with_its_ds_is_all_good(world: World) -> None:
    code, out, _ = world.verify()
    assert code == 0, out
    assert f"zone {ZONE} (signed, chain of trust checked;" in out
    code, data = world.json()
    (ds,) = findings(data, check="dnssec", name=ZONE, rtype="DS")
    assert ds["status"] == "ok" and ds["got"] == [world.ds]
    assert data["zones"][0]["chain"] == "ok"
    assert data["zones"][0]["validated"] == data["zones"][0]["rrsets"]
    assert all(f["severity"] == "ok" for f in data["findings"]), out


# ---------------------------------------------------------------------------- DNSSEC reasons


@pytest.fixture(scope="module")
def mixed(world: World) -> tuple[int, dict[str, Any], str]:
    """One run against the zone with a fault per RRset, through unbound validating it."""
    code, data = world.json(servers=("mixed",), resolver="valid-mixed")
    _, text, _ = world.verify(servers=("mixed",), resolver="valid-mixed")
    return code, data, text


def _dnssec(mixed: tuple[int, dict[str, Any], str], name: str, rtype: str) -> dict[str, Any]:
    code, data, _ = mixed
    assert code == 1
    (f,) = findings(data, check="dnssec", name=name, rtype=rtype)
    return f


def test_expired_signature_is_reported_with_its_date(
    mixed: tuple[int, dict[str, Any], str],
) -> None:
    f = _dnssec(mixed, zones.EXPIRED, "TXT")
    assert (f["status"], f["severity"]) == ("expired", "error")
    assert " expired 20" in f["detail"] and "UTC" in f["detail"] and "(valid from 20" in f["detail"]


def test_signature_not_yet_valid(mixed: tuple[int, dict[str, Any], str]) -> None:
    f = _dnssec(mixed, zones.NOT_YET_VALID, "TXT")
    assert (f["status"], f["severity"]) == ("not-yet-valid", "error")
    assert "is valid only from 20" in f["detail"]


def test_signature_expiring_soon_is_a_warning(mixed: tuple[int, dict[str, Any], str]) -> None:
    f = _dnssec(mixed, zones.EXPIRING, "A")
    assert (f["status"], f["severity"]) == ("expiring", "warning")
    assert "in 1.9 days" in f["detail"] or "in 2.0 days" in f["detail"]


def test_rrset_without_rrsig(mixed: tuple[int, dict[str, Any], str]) -> None:
    f = _dnssec(mixed, zones.UNSIGNED_RRSET, "A")
    assert (f["status"], f["severity"]) == ("no-rrsig", "error")


def test_altered_signature(mixed: tuple[int, dict[str, Any], str]) -> None:
    f = _dnssec(mixed, zones.BAD_SIGNATURE, "CNAME")
    assert (f["status"], f["severity"]) == ("bad-signature", "error")
    assert "does not verify" in f["detail"]


def test_missing_denial_of_existence(mixed: tuple[int, dict[str, Any], str]) -> None:
    _, data, _ = mixed
    (f,) = findings(data, check="dnssec", status="denial")
    assert f["name"].startswith("_zonegen-nx-") and f["severity"] == "error"
    assert "no NSEC proves that _zonegen-nx-" in f["detail"]


def test_only_the_broken_rrsets_are_flagged(mixed: tuple[int, dict[str, Any], str]) -> None:
    _, data, _ = mixed
    flagged = {
        (f["name"], f["rtype"]) for f in findings(data, check="dnssec") if f["severity"] != "ok"
    }
    assert flagged == {
        (zones.EXPIRED, "TXT"),
        (zones.NOT_YET_VALID, "TXT"),
        (zones.EXPIRING, "A"),
        (zones.UNSIGNED_RRSET, "A"),
        (zones.BAD_SIGNATURE, "CNAME"),
        next((f["name"], "A") for f in findings(data, status="denial")),
    }


def test_resolver_bogus_carries_ede_and_the_reason(mixed: tuple[int, dict[str, Any], str]) -> None:
    _, data, text = mixed
    (f,) = findings(data, check="resolver", name=zones.EXPIRED, rtype="TXT")
    assert (f["status"], f["severity"]) == ("bogus", "error")
    assert "its signature on the authoritative server has expired" in f["detail"]
    assert [e["code"] for e in f["ede"]] == [7], f["ede"]  # Signature Expired (RFC 8914 4.8)
    assert "\n       EDE " in text
    (f,) = findings(data, check="resolver", name=zones.UNSIGNED_RRSET, rtype="A")
    assert f["status"] == "bogus" and [e["code"] for e in f["ede"]] == [10]  # RRSIGs Missing


def test_deprecated_algorithm_is_a_warning(world: World) -> None:
    code, data = world.json(servers=("sha1",), ds=False)
    assert code == 0, [f for f in data["findings"] if f["severity"] != "ok"]
    (f,) = findings(data, check="dnssec", status="algorithm")
    assert f["severity"] == "warning" and "RSASHA1 (5)" in f["detail"] and "RFC 8624" in f["detail"]


def test_sha1_ds_digest_is_a_warning(world: World) -> None:
    code, data = world.json(
        "--ds", f"{ZONE} DS {world.ds_sha1_digest}", servers=("sha1",), ds=False
    )
    warnings = findings(data, check="dnssec", rtype="DS", status="algorithm")
    assert [f["severity"] for f in warnings] == ["warning"]
    assert "SHA-1" in warnings[0]["detail"] and "RFC 8624 3.3" in warnings[0]["detail"]
    assert code == 0
    assert len(findings(data, check="dnssec", rtype="DS", status="ok")) == 1  # it still leads in


# ---------------------------------------------------------------------------- the DS


def test_ds_that_matches_no_dnskey(world: World) -> None:
    tag, alg, digest_type, digest = world.ds.split()
    wrong = ("0" if digest[0] != "0" else "1") + digest[1:]
    code, data = world.json("--ds", f"{ZONE} DS {tag} {alg} {digest_type} {wrong}", ds=False)
    assert code == 1
    (f,) = findings(data, check="dnssec", status="ds-mismatch")
    assert f["severity"] == "error" and "matches no DNSKEY" in f["detail"]
    assert data["zones"][0]["chain"] == "broken"


def test_dnskey_missing_for_a_ds(world: World) -> None:
    tag, alg, digest_type, digest = world.ds.split()
    other = str((int(tag) + 1) % 65536)
    code, data = world.json("--ds", f"{ZONE} DS {other} {alg} {digest_type} {digest}", ds=False)
    assert code == 1
    (f,) = findings(data, check="dnssec", status="ds-no-key")
    assert f"key tag {other}" in f["detail"] and tag in f["detail"]


def test_ds_for_a_key_that_signs_nothing(world: World) -> None:
    # The sha1 zone publishes the ECDSA key but signs only with the RSASHA1 one.
    code, data = world.json(servers=("sha1",))
    assert code == 1
    (f,) = findings(data, check="dnssec", status="ds-key-not-signing")
    assert f["severity"] == "error" and "chain of trust stops there" in f["detail"]


def test_stale_ds_next_to_a_good_one_is_a_warning(world: World) -> None:
    tag, alg, digest_type, digest = world.ds.split()
    stale = f"{ZONE} DS {(int(tag) + 1) % 65536} {alg} {digest_type} {digest}"
    code, data = world.json("--ds", stale)
    assert code == 0
    (f,) = findings(data, check="dnssec", status="ds-no-key")
    assert f["severity"] == "warning"


# ---------------------------------------------------------------------------- per server


def test_expected_signed_but_served_unsigned(world: World) -> None:
    code, out, _ = world.verify(servers=("unsigned",), ds=False)
    assert code == 1, out
    assert f"zone {ZONE} (not signed;" in out
    assert f"FAIL dnssec unsigned: {ZONE} DNSKEY @ 127.0.0.1:{world.named['unsigned'].port}" in out
    assert "signed: true" in out


def test_one_unsigned_server_among_signed_ones(world: World) -> None:
    code, data = world.json(servers=("good", "unsigned"))
    assert code == 1
    (f,) = findings(data, check="consistency", status="signed")
    assert f"127.0.0.1:{world.named['unsigned'].port}" in f["detail"].split("not on")[1]
    (f,) = findings(data, check="dnssec", status="unsigned")
    assert f["server"] == f"127.0.0.1:{world.named['unsigned'].port}"
    assert "a DS for it exists" in f["detail"]
    good = f"127.0.0.1:{world.named['good'].port}"
    assert not [f for f in data["findings"] if f["server"] == good and f["severity"] != "ok"]


def test_servers_that_disagree_on_serial_and_records(world: World) -> None:
    code, out, _ = world.verify(servers=("good", "other"))
    assert code == 1, out
    _, data = world.json(servers=("good", "other"))
    (serial,) = findings(data, check="consistency", status="serial")
    assert serial["severity"] == "warning"
    assert sorted(g.split()[1] for g in serial["got"]) == ["1", "2"]
    (records,) = findings(data, check="consistency", status="records")
    assert records["name"] == "www.example.org." and records["rtype"] == "A"
    assert any("203.0.113.81" in g for g in records["got"])
    (different,) = findings(data, check="authoritative", status="different")
    assert different["server"] == f"127.0.0.1:{world.named['other'].port}"
    assert "seen: " in out


# ---------------------------------------------------------------------------- the resolver


def test_resolver_that_does_not_validate_is_not_a_zone_problem(world: World) -> None:
    code, out, _ = world.verify(resolver="novalidate")
    assert code == 0, out
    _, data = world.json(resolver="novalidate")
    (f,) = findings(data, check="resolver", status="not-validating")
    assert f["severity"] == "warning" and "does not validate" in f["detail"]
    assert not [f for f in data["findings"] if f["check"] == "dnssec" and f["severity"] != "ok"]
    assert data["zones"][0]["validated"] == 0


def test_no_ad_and_no_ds_known_says_so(world: World) -> None:
    code, data = world.json(resolver="novalidate", ds=False)
    assert code == 0
    (f,) = findings(data, check="resolver", status="not-validated")
    assert "no DS is known" in f["detail"]
    assert data["zones"][0]["chain"] == "unknown"


# ---------------------------------------------------------------------------- hostile servers


@pytest.mark.parametrize(
    "mode", ["truncated", "oversized", "wrong-id", "wrong-source", "late-dup", "slow"]
)
def test_stray_and_odd_answers_do_not_fool_verify(world: World, mode: str) -> None:
    # The slow server answers SLOW (0.8 s) late: under the lab's 1 s query timeout that left
    # 0.2 s for 23 queries' threads on a loaded 2-core CI machine, and some timed out. The
    # case is "late but within the timeout", so it gets a timeout well above SLOW.
    extra = ("--query-timeout", str(SLOW * 4)) if mode == "slow" else ()
    code, data = world.json(*extra, servers=(mode,))
    assert code == 0, [f for f in data["findings"] if f["severity"] != "ok"]
    (row,) = [s for s in data["servers"] if s["server"] == f"127.0.0.1:{world.bad[mode].port}"]
    assert row["outcome"] == "ok" and row["queries"] == row["answered"] > 0
    if mode == "slow":
        assert row["slowest"] >= SLOW * 0.9 and row["span"] >= SLOW * 0.9
        assert row["seconds"] >= row["span"]


def _one_line(world: World, mode: str, status: str, *words: str) -> float:
    code, out, seconds = world.verify(servers=(mode,))
    assert code == 2, out
    where = f"127.0.0.1:{world.bad[mode].port}"
    lines = [line for line in out.splitlines() if "FAIL" in line]
    assert lines == [f"  FAIL authoritative {status} @ {where}"], out
    for word in words:
        assert word in out, out
    assert "COULD NOT CHECK" in out and "Traceback" not in out and "Aborted" not in out
    assert f"zone {ZONE} (signed or not: unknown, no server answered;" in out
    return seconds


def test_silent_server_is_one_line_and_bounded(world: World) -> None:
    seconds = _one_line(world, "silent", "no-answer", "no answer from", "no answer to any of its")
    assert seconds < 1 * 2 + 10  # one query timeout, not one per record


@pytest.mark.parametrize("mode", ["garbage", "loop"])
def test_malformed_answers_are_one_line(world: World, mode: str) -> None:
    _one_line(world, mode, "no-answer", "no usable answer")
    # Random bytes are now and then a well-formed header with TC set and another question:
    # then that is the reason given; every ignored answer is named, none is taken.
    _, out, _ = world.verify(servers=(mode,))
    assert re.search(r"ignored \d+ \((a malformed answer|[^;)]*answer to another question)", out), (
        out
    )


def test_answers_from_the_wrong_source_are_not_answers(world: World) -> None:
    _one_line(world, "spoof-only", "no-answer", "no answer from")


def test_tcp_closed_after_a_truncated_answer(world: World) -> None:
    _one_line(world, "tc-close", "no-answer", "closed the TCP connection before answering")


def test_slow_drip_tcp_is_bounded(world: World) -> None:
    seconds = _one_line(world, "drip", "no-answer", "no complete TCP answer")
    assert seconds < 15


@pytest.mark.parametrize("mode", sorted(RCODES))
def test_error_rcodes_are_named(world: World, mode: str) -> None:
    code, out, _ = world.verify(servers=(mode,))
    assert code == 1, out
    where = f"127.0.0.1:{world.bad[mode].port}"
    assert f"FAIL authoritative {mode}: {ZONE} * @ {where}" in out
    assert f"asked for the zone's SOA, it answered {mode.upper()}" in out
    assert len([line for line in out.splitlines() if line.startswith("  FAIL ")]) == 1


def test_mangled_answers_end_in_findings(world: World) -> None:
    code, out, _ = world.verify(servers=("mangle", "good"))
    assert code in (1, 2), out
    assert "Traceback" not in out and ("PROBLEMS" in out or "COULD NOT CHECK" in out)


def test_wrong_port_is_no_answer_not_unsigned(world: World) -> None:
    closed = free_port()
    result = run(
        "verify",
        "--site",
        SITE,
        "--skip",
        "mail",
        "--nameserver",
        f"127.0.0.1:{closed}",
        "--resolver",
        f"127.0.0.1:{world.unbound['valid'].port}",
    )
    out = result.stdout
    assert result.exit_code == 2, out
    assert "not signed" not in out and "unsigned" not in out
    assert f"FAIL authoritative no-answer @ 127.0.0.1:{closed}" in out
    assert "connection refused" in out


def test_total_deadline_ends_the_run(world: World) -> None:
    start = time.monotonic()
    result = run(
        "verify",
        "--site",
        SITE,
        "--skip",
        "mail",
        *world.ns("silent", "good"),
        "--resolver",
        f"127.0.0.1:{world.unbound['valid'].port}",
        "--query-timeout",
        "30",
        "--timeout",
        "2",
        "--format",
        "json",
    )
    seconds = time.monotonic() - start
    assert result.exit_code == 2
    assert seconds < 2 + 8, seconds
    data = json.loads(result.stdout)
    fatal = [f for f in data["findings"] if f["severity"] == "fatal"]
    assert [(f["status"], f["server"]) for f in fatal] == [
        ("deadline", f"127.0.0.1:{world.bad['silent'].port}")
    ]
    assert "--timeout 2 s" in fatal[0]["detail"]
    assert f"{ZONE} SOA: deadline" in fatal[0]["got"]


# ---------------------------------------------------------------------------- DANE


def _dane(world: World, smtp: SmtpLab | None, *args: str) -> tuple[int, dict[str, Any], float]:
    port = smtp.port if smtp else free_port()
    start = time.monotonic()
    code, data = world.json("--smtp", f"127.0.0.1:{port}", *args)
    return code, data, time.monotonic() - start


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("endless-line", "smtp-failed", "reply line longer than 512 octets"),
        ("endless-continuation", "smtp-failed", "more than 100 lines in its greeting reply"),
        ("no-starttls", "no-starttls", "does not offer STARTTLS"),
        ("bad-handshake", "handshake-failed", "TLS handshake with"),
    ],
)
def test_hostile_smtp_servers_are_named_and_bounded(
    world: World, tmp_path: Path, mode: str, status: str, words: str
) -> None:
    with SmtpLab(mode) as smtp:
        code, data, seconds = _dane(world, smtp)
    (f,) = findings(data, check="dane")
    assert (f["status"], f["severity"]) == (status, "error"), f
    assert words in f["detail"]
    assert code == 1 and seconds < 10
    (row,) = [s for s in data["servers"] if s["role"] == "smtp"]
    assert row["outcome"] == "no-answer" and row["failures"] == {status: 1}


def test_smtp_connection_refused(world: World) -> None:
    code, data, _ = _dane(world, None)
    (f,) = findings(data, check="dane")
    assert (f["status"], f["severity"]) == ("refused", "fatal")
    assert code == 2 and "connection refused" in f["detail"]


def test_silent_smtp_server_ends_at_the_deadline(world: World) -> None:
    with SmtpLab("silent") as smtp:
        code, data, seconds = _dane(world, smtp, "--timeout", "3")
    (f,) = findings(data, check="dane")
    assert (f["status"], f["severity"]) == ("unreachable", "fatal")
    assert code == 2 and seconds < 3 + 8


def test_dane_reads_the_whole_chain_and_matches_every_kind_of_tlsa(tmp_path: Path) -> None:
    chain, key, (leaf, ca) = issue_chain(tmp_path)
    with SmtpLab("starttls", cert=chain, key=key) as smtp:
        served = dane.fetch_chain(
            Server("127.0.0.1", smtp.port),
            server_name=HOST,
            deadline=time.monotonic() + 10,
        )
    assert smtp.ehlo == [b"EHLO [127.0.0.1]"]  # an address literal: no name lookup for it
    assert served.whole_chain
    assert served.chain == tuple(c.public_bytes(serialization.Encoding.DER) for c in (leaf, ca))
    for usage, cert in ((3, leaf), (2, ca)):
        der = cert.public_bytes(serialization.Encoding.DER)
        spki = _spki(cert)
        for selector, content in ((0, der), (1, spki)):
            for mtype, data in (
                (0, content),
                (1, hashlib.sha256(content).digest()),
                (2, hashlib.sha512(content).digest()),
            ):
                assert dane.match_tlsa(usage, selector, mtype, data, served, HOST).ok
                wrong = bytes([data[0] ^ 1]) + data[1:]
                assert not dane.match_tlsa(usage, selector, mtype, wrong, served, HOST).ok
    ca_spki = hashlib.sha256(_spki(ca)).digest()
    # DANE-EE is the leaf only; DANE-TA needs the name of the host (RFC 7672 3.2.3).
    assert not dane.match_tlsa(3, 1, 1, ca_spki, served, HOST).ok
    other_name = dane.match_tlsa(2, 1, 1, ca_spki, served, "mail.other.example")
    assert not other_name.ok and "not for mail.other.example" in other_name.detail
    assert "RFC 7672 3.1.3" in dane.match_tlsa(1, 1, 1, ca_spki, served, HOST).detail
    assert dane.presented(served) == (
        f"3 1 1 {hashlib.sha256(_spki(leaf)).hexdigest()}",
        f"2 1 1 {ca_spki.hex()}",
    )


def _spki(cert: x509.Certificate) -> bytes:
    """The SubjectPublicKeyInfo by cryptography's own encoder: the oracle for dane.spki."""
    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_chain_with_a_key_type_no_library_reads(world: World, tmp_path: Path) -> None:
    """A hostile server may send any certificate above its own: one whose key algorithm
    cryptography does not know (here an EC CA with its key OID changed) is hashed as it
    stands for DANE-TA, not a traceback."""
    chain, key, (leaf, ca) = issue_chain(tmp_path)
    ec_key = bytes.fromhex("06072a8648ce3d0201")  # id-ecPublicKey (RFC 5480)
    unknown = bytes.fromhex("06072a8648ce3d0209")  # an OID under it nobody assigned
    ca_der = ca.public_bytes(serialization.Encoding.DER)
    assert ca_der.count(ec_key) == 1
    odd = ca_der.replace(ec_key, unknown)
    pem = b"".join(
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
        for der in (leaf.public_bytes(serialization.Encoding.DER), odd)
    )
    chain.write_bytes(pem)
    with SmtpLab("starttls", cert=chain, key=key, any_chain=True) as smtp:
        code, data, _ = _dane(world, smtp)
    (f,) = findings(data, check="dane")
    assert (f["status"], code) == ("mismatch", 1), f
    odd_spki = _spki(ca).replace(ec_key, unknown)
    assert f["got"] == [
        f"3 1 1 {hashlib.sha256(_spki(leaf)).hexdigest()}",
        f"2 1 1 {hashlib.sha256(odd_spki).hexdigest()}",
    ]


def test_a_chain_of_hundreds_of_certificates_is_read_to_a_limit(
    world: World, tmp_path: Path
) -> None:
    chain, key, _ = issue_chain(tmp_path)
    leaf_pem, ca_pem = chain.read_bytes().split(b"-----END CERTIFICATE-----\n", 1)
    chain.write_bytes(leaf_pem + b"-----END CERTIFICATE-----\n" + ca_pem * 200)
    with SmtpLab("starttls", cert=chain, key=key) as smtp:
        code, data, seconds = _dane(world, smtp)
    (f,) = findings(data, check="dane")
    assert (f["status"], code) == ("mismatch", 1), f
    assert len(f["got"]) == dane.MAX_CHAIN and f["got"][0].startswith("3 1 1 ")
    assert seconds < 10


# ---------------------------------------------------------------------------- name servers


def test_resolver_that_refuses_the_ns_lookup(world: World) -> None:
    """Without --nameserver the zone's NS come through the resolver; one that refuses is
    one finding, exit 2."""
    result = run(
        "verify",
        "--site",
        SITE,
        "--skip",
        "mail",
        "--resolver",
        f"127.0.0.1:{world.bad['refused'].port}",
        "--query-timeout",
        QUERY_TIMEOUT,
    )
    assert result.exit_code == 2, result.stdout
    assert f"FAIL authoritative no-nameservers: {ZONE} NS" in result.stdout
    assert "(REFUSED)" in result.stdout


def test_parent_without_ds_for_a_signed_zone(world: World) -> None:
    """The parent's DS comes through the resolver (no lab root can delegate to a high port,
    so the answers are the good server's and the parent's DS answer is a NODATA)."""
    build = pipeline.build(read_inputs(SITE))
    zone = build.zones[0]
    asker = Asker(timeout=2, deadline=time.monotonic() + 30)
    (za,) = gather(
        [(zone, [Server("127.0.0.1", world.named["good"].port)], None)],
        asker=asker,
        resolver=None,
        parent_ds=False,
        workers=8,
    )
    nodata = dns.message.make_response(dns.message.make_query(ZONE, "DS"))
    za.parent_ds = Answer(nodata)
    settings = Settings(now=time.time(), window=7 * 86400, expect_signed=True, ds=None)
    judged = judge_zone(za, settings)
    (f,) = [f for f in judged.findings if f.check == "dnssec" and f.severity != "ok"]
    assert (f.status, f.severity, f.rtype) == ("no-ds", "error", "DS")
    assert "publish the DS at the registrar" in f.detail
    assert judged.info["chain"] == "broken"


# ---------------------------------------------------------------------------- any bytes


def _judge_bytes(q: dns.message.Message, wire: bytes) -> None:
    response, why = dnsquery._parse(q, wire)
    assert (response is None) != (why == "")
    try:
        message = dns.message.from_wire(wire)
    except Exception:
        return
    origin = dns.name.from_text(ZONE)
    keys = next((r for r in message.answer if r.rdtype == dns.rdatatype.DNSKEY), None)
    now = time.time()
    dnssec.check_denial(message, dns.name.from_text("_zonegen-nx-0", origin), origin, keys, now)
    for rrset in message.answer + message.authority:
        sigs = dnsquery.rrsigs_for(message.answer + message.authority, rrset.name, rrset.rdtype)
        dnssec.check_rrset(rrset, sigs, origin, keys, now, 86400)
        dnssec.check_algorithms(rrset)
        dnssec.check_ds(origin, rrset, keys, sigs, now)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_no_bytes_from_the_network_raise(data: bytes) -> None:
    """Whatever arrives is an answer, or a reason it is not: never an exception."""
    q = dns.message.make_query(ZONE, "A", want_dnssec=True)
    _judge_bytes(q, data)
    _judge_bytes(q, q.to_wire()[:2] + data[2:])


@pytest.fixture(scope="module")
def real_answers(world: World) -> list[tuple[dns.message.Message, bytes]]:
    """Answers of the signed servers (NSEC3 and NSEC, keys, signatures, denials)."""
    out = []
    for server in ("good", "mixed", "sha1"):
        for name, rtype in (
            (ZONE, "DNSKEY"),
            (ZONE, "ANY"),
            (f"_zonegen-nx-0.{ZONE}", "A"),
            (zones.EXPIRED, "TXT"),
        ):
            q = dns.message.make_query(name, rtype, want_dnssec=True)
            out.append((q, world.named[server].query(name, rtype, tcp=True).to_wire()))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mangled_real_answers_never_raise(
    real_answers: list[tuple[dns.message.Message, bytes]], data: st.DataObject
) -> None:
    """Real signed answers with bytes changed: every check still ends with findings."""
    q, wire = data.draw(st.sampled_from(real_answers))
    mangled = bytearray(wire)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(12, len(mangled) - 1))
        mangled[at] ^= data.draw(st.integers(1, 255))
    q.id = int.from_bytes(wire[:2], "big")
    _judge_bytes(q, bytes(mangled))


ANSWER_MAPS = ("soa", "dnskey", "nx", "any", "typed", "resolved", "resolved_cd")


@pytest.fixture(scope="module")
def gathered(world: World) -> tuple[ZoneAnswers, list[tuple[str, Any, bytes]]]:
    """One zone as gather asks it of three signed servers (NSEC3, NSEC with faults, RSASHA1)
    and a validating unbound, with the wire of every answer."""
    build = pipeline.build(read_inputs(SITE))
    servers = [Server("127.0.0.1", world.named[n].port) for n in ("good", "mixed", "sha1")]
    (za,) = gather(
        [(build.zones[0], servers, None)],
        asker=Asker(timeout=2, deadline=time.monotonic() + 60),
        resolver=Server("127.0.0.1", world.unbound["valid-mixed"].port),
        parent_ds=False,
        workers=8,
    )
    wires = [
        (attr, k, answer.message.to_wire())
        for attr in ANSWER_MAPS
        for k, answer in getattr(za, attr).items()
        if answer.message is not None
    ]
    return za, wires


def _copied(za: ZoneAnswers) -> ZoneAnswers:
    """``za`` with answer maps of its own, to change answers in without touching the
    module's gathered ones."""
    mangled = copy.copy(za)
    for attr in ANSWER_MAPS:
        setattr(mangled, attr, dict(getattr(za, attr)))
    return mangled


def _arrived(wire: bytes) -> Answer:
    """What gather makes of a wire that arrives: the message, or malformed."""
    try:
        return Answer(dns.message.from_wire(wire))
    except Exception:
        return Answer(None, dnsquery.MALFORMED, "did not parse")


def _judged_whole(mangled: ZoneAnswers) -> list[Finding]:
    """The zone judged as a whole; its findings, each with a known severity."""
    settings_ = Settings(now=time.time(), window=7 * 86400, expect_signed=True, ds=None)
    judged = judge_zone(mangled, settings_)
    assert judged.info["zone"] == ZONE
    assert all(f.severity in ("ok", "warning", "error", "fatal") for f in judged.findings)
    return judged.findings


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mangled_answers_of_a_whole_zone_are_judged(
    gathered: tuple[ZoneAnswers, list[tuple[str, Any, bytes]]], data: st.DataObject
) -> None:
    """Real answers about a zone with bytes changed in some of them, then judged as a whole
    (per server, across servers, DNSSEC, the resolver): findings, never an exception."""
    za, wires = gathered
    mangled = _copied(za)
    for attr, k, wire in data.draw(st.lists(st.sampled_from(wires), min_size=1, max_size=4)):
        changed = bytearray(wire)
        for _ in range(data.draw(st.integers(1, 4))):
            at = data.draw(st.integers(2, len(changed) - 1))
            changed[at] ^= data.draw(st.integers(1, 255))
        getattr(mangled, attr)[k] = _arrived(bytes(changed))
    _judged_whole(mangled)


def _reshaped(message: dns.message.Message, data: st.DataObject, names: list[str]) -> None:
    """``message`` changed as a broken or hostile server might answer, in its structure
    instead of its bytes: question or owners of another name, sections dropped, swapped or
    duplicated, RRSIGs stripped or moved, flags and rcode changed."""
    sections = [message.answer, message.authority, message.additional]
    for how in data.draw(st.lists(st.sampled_from(RESHAPES), min_size=1, max_size=3)):
        other = dns.name.from_text(data.draw(st.sampled_from(names)))
        if how == "question" and message.question:
            message.question[0].name = other  # type: ignore[misc]
        elif how == "owner":
            section = data.draw(st.sampled_from(sections))
            if section:
                i = data.draw(st.integers(0, len(section) - 1))
                rrset = section[i]
                section[i] = dns.rrset.from_rdata_list(other, rrset.ttl, list(rrset))
        elif how == "drop":
            data.draw(st.sampled_from(sections)).clear()
        elif how == "swap":
            message.answer, message.authority = message.authority, message.answer
            sections = [message.answer, message.authority, message.additional]
        elif how == "duplicate":
            source = data.draw(st.sampled_from(sections))
            if source:
                data.draw(st.sampled_from(sections)).append(data.draw(st.sampled_from(source)))
        elif how == "unsign":
            for section in sections:
                section[:] = [r for r in section if r.rdtype != dns.rdatatype.RRSIG]
        elif how == "flags":
            message.flags ^= data.draw(st.sampled_from([dns.flags.AA, dns.flags.AD, dns.flags.TC]))
        elif how == "rcode":
            message.set_rcode(data.draw(st.integers(0, 15)))


RESHAPES = ("question", "owner", "drop", "swap", "duplicate", "unsign", "flags", "rcode")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_reshaped_answers_of_a_whole_zone_are_judged(
    gathered: tuple[ZoneAnswers, list[tuple[str, Any, bytes]]], data: st.DataObject
) -> None:
    """The same real answers changed in structure (see :func:`_reshaped`), sent through the
    wire and read back as what arrives: findings for the whole zone, never an exception."""
    za, wires = gathered
    names = sorted({ZONE, f"_zonegen-nx-0.{ZONE}", "example.orh.", "."} | set(za.names))
    mangled = _copied(za)
    for attr, k, wire in data.draw(st.lists(st.sampled_from(wires), min_size=1, max_size=4)):
        message = dns.message.from_wire(wire)
        _reshaped(message, data, names)
        getattr(mangled, attr)[k] = _arrived(message.to_wire(max_size=65535))
    _judged_whole(mangled)


def test_a_dnskey_answer_about_another_name_is_not_a_signed_zone(
    gathered: tuple[ZoneAnswers, list[tuple[str, Any, bytes]]],
) -> None:
    """Found by the test above: an answer to the zone's DNSKEY whose question and DNSKEY
    RRset name another owner counted as "signed", and the DNSSEC checks then found no
    DNSKEY at the zone and failed an assertion. The zone's own name decides now."""
    za, _ = gathered
    mangled = _copied(za)
    server = next(s for s, a in za.dnskey.items() if a.message is not None)
    real = za.dnskey[server].message
    assert real is not None
    other = dns.name.from_text("example.orh.")
    query = dns.message.make_query(other, "DNSKEY", want_dnssec=True)
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    for rrset in real.answer:
        response.answer.append(dns.rrset.from_rdata_list(other, rrset.ttl, list(rrset)))
    mangled.dnskey[server] = Answer(response)
    mine = [f for f in _judged_whole(mangled) if f.server == str(server) and f.check == "dnssec"]
    assert mine, "the server's zone is not shown signed: a DNSSEC finding says so"
    assert all(f.severity != "ok" for f in mine)


@pytest.mark.parametrize(
    ("ds", "says"),
    [
        ("example.org. DS 1 13 2 not-hex", "--ds 'example.org. DS 1 13 2 not-hex':"),
        ("example.org.", "give ZONE DS KEYTAG ALGORITHM DIGESTTYPE DIGEST"),
        (f"example.net. DS {'1 13 2 ' + 'ab' * 32}", "--ds for example.net.: not a zone"),
    ],
)
def test_bad_ds_is_one_line_before_any_query(ds: str, says: str) -> None:
    result = run(
        "verify",
        "--site",
        SITE,
        "--skip",
        "mail",
        "--nameserver",
        "127.0.0.1:9",
        "--resolver",
        "127.0.0.1:9",
        "--ds",
        ds,
    )
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("zonegen: error: ") and says in line, line


# ---------------------------------------------------------------------------- more hostile servers


def test_tcp_stream_of_other_answers_ends_at_the_query_timeout(world: World) -> None:
    """A server that sends TC over UDP and then, over TCP, answers with another ID without a
    pause: dnspython checks its deadline only when the socket would block, so this ran for
    81 s with --query-timeout 1 before the fix. Now each query ends at its timeout, and the
    server's TCP, once failed, is not asked again."""
    seconds = _one_line(world, "tcp-flood", "no-answer", "ignored", "wrong ID")
    assert seconds < float(QUERY_TIMEOUT) * 2 + 8, seconds


def test_tc_over_tcp_too_is_no_answer(world: World) -> None:
    """TC over TCP too (no records): not taken as an empty answer from a lame server."""
    _one_line(world, "tc-forever", "no-answer", "set TC over TCP too")


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("tcp-reset", "Connection reset by peer"),
        ("prefix-only", "no complete TCP answer"),
        ("wrong-question", "an answer with the wrong ID or question"),
    ],
)
def test_broken_tcp_and_wrong_questions_are_one_line(world: World, mode: str, words: str) -> None:
    seconds = _one_line(world, mode, "no-answer", words)
    assert seconds < float(QUERY_TIMEOUT) * 2 + 8, seconds


def test_question_echoed_in_other_case_is_the_answer(world: World) -> None:
    """A 0x20-style echo of the question in mIxEd case is the same name (RFC 4343)."""
    code, data = world.json(servers=("case",))
    assert code == 0, [f for f in data["findings"] if f["severity"] != "ok"]


def test_badvers_and_no_aa_are_named(world: World) -> None:
    for mode, status, says in (
        ("badvers", "badvers", "answered BADVERS"),
        ("no-aa", "not-authoritative", "without the AA bit"),
    ):
        code, out, _ = world.verify(servers=(mode,))
        assert code == 1, out
        where = f"127.0.0.1:{world.bad[mode].port}"
        assert f"FAIL authoritative {status}: {ZONE} * @ {where}" in out and says in out
        assert len([line for line in out.splitlines() if line.startswith("  FAIL ")]) == 1


def test_cname_instead_of_the_apex_mx(world: World) -> None:
    """A server that answers the apex MX (and ANY) with a CNAME: the MX is missing there."""
    code, data = world.json(servers=("cname-mx",))
    assert code == 1
    (f,) = [f for f in data["findings"] if f["severity"] == "error"]
    assert (f["check"], f["status"], f["name"], f["rtype"]) == (
        "authoritative",
        "missing",
        ZONE,
        "MX",
    )
    assert f["server"] == f"127.0.0.1:{world.bad['cname-mx'].port}"


# ---------------------------------------------------------------------------- signed other ways


def _variant(world: World, name: str) -> tuple[int, dict[str, Any]]:
    """verify of one variant against its own named and its own validating unbound."""
    return world.json(servers=(name,), resolver=name, ds_text=world.variant_ds[name])


def _problems(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (f["check"], f["status"], f["severity"]) for f in data["findings"] if f["severity"] != "ok"
    ]


@pytest.mark.parametrize("name", ["ed25519", "ed448", "multi-alg", "optout"])
def test_other_good_signings_are_all_good(world: World, name: str) -> None:
    """Ed25519 (15), Ed448 (16), two algorithms at once (8 and 13), NSEC3 opt-out: valid,
    and unbound with the same DS agrees (the resolver validated every RRset)."""
    code, data = _variant(world, name)
    assert code == 0 and not _problems(data), _problems(data)
    assert data["zones"][0]["chain"] == "ok"
    assert data["zones"][0]["validated"] == data["zones"][0]["rrsets"]


def test_ds_for_the_zsk_only(world: World) -> None:
    """KSK and ZSK split (dnssec-signzone -x): the DS of the ZSK, which signs no DNSKEY
    RRset, is a broken chain; unbound with that DS fails too."""
    code, data = _variant(world, "zsk-ds")
    assert code == 1
    (f,) = findings(data, check="dnssec", status="ds-key-not-signing")
    assert f["severity"] == "error" and f["rtype"] == "DS"
    assert data["zones"][0]["chain"] == "broken"
    assert findings(data, check="resolver", status="bogus")


def test_ds_of_a_revoked_ksk(world: World) -> None:
    """The DS names the KSK with its REVOKE bit set (dnssec-revoke): RFC 5011 2.1 says not
    to validate with it (unbound 1.17 still does; verify says what the RFC says)."""
    code, data = _variant(world, "revoked")
    assert code == 1
    (f,) = findings(data, check="dnssec", status="ds-key-revoked")
    assert f["severity"] == "error" and "REVOKE bit" in f["detail"] and "flags 385" in f["detail"]
    assert data["zones"][0]["chain"] == "broken"


def test_salted_nsec3_with_iterations_is_a_warning(world: World) -> None:
    code, data = _variant(world, "nsec3-iter")
    assert code == 0
    assert _problems(data) == [("dnssec", "nsec3-parameters", "warning")]
    (f,) = findings(data, status="nsec3-parameters")
    assert "50 extra iterations and salt c0ffee" in f["detail"] and "RFC 9276" in f["detail"]
    # The good zone's NSEC3 (no salt, 0 iterations) draws no such warning.
    _, good = world.json()
    assert not findings(good, status="nsec3-parameters")


def test_nsec3_rsasha1_is_a_warning(world: World) -> None:
    code, data = _variant(world, "alg7")
    assert code == 0
    assert _problems(data) == [("dnssec", "algorithm", "warning")]
    assert "RSASHA1NSEC3SHA1 (7)" in findings(data, status="algorithm")[0]["detail"]


def test_signed_records_without_a_dnskey_at_the_apex(world: World) -> None:
    code, data = _variant(world, "no-dnskey")
    assert code == 1
    (f,) = findings(data, check="dnssec", status="unsigned")
    assert f["name"] == ZONE and "a DS for it exists" in f["detail"]
    assert data["zones"][0]["chain"] == "broken"


def test_server_without_edns_is_one_finding(world: World) -> None:
    """An old server that drops EDNS (no OPT, no RRSIGs): one finding naming it, not one
    no-rrsig per RRset (27 lines before)."""
    code, data = world.json(servers=("good", "no-edns"))
    assert code == 1
    bad = f"127.0.0.1:{world.bad['no-edns'].port}"
    problems = [f for f in data["findings"] if f["severity"] != "ok"]
    assert [(f["check"], f["status"], f["server"]) for f in problems] == [
        ("authoritative", "no-edns", bad)
    ], problems
    assert "without EDNS" in problems[0]["detail"]
    assert data["zones"][0]["chain"] == "ok"  # the good server's chain still checks out
