"""DNSSEC judged from what one authoritative server sent: each reason its own :class:`Issue`,
with the evidence (key tags, algorithms, dates).

Pure functions over dnspython objects; the signatures themselves are checked by
``dns.dnssec.validate_rrsig``. The dates are read here first so that an expired signature is
reported as expired (with its date) and not as "does not verify".
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dns.dnssec
import dns.exception
import dns.name
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.RRSIG import RRSIG

from .dnsquery import rrsigs_for

OK, WARNING, ERROR = "ok", "warning", "error"

# RFC 8624 3.1, "DNSSEC Signing" column.
MUST_NOT_SIGN = {1: "RSAMD5", 3: "DSA", 6: "DSA-NSEC3-SHA1", 12: "ECC-GOST"}
NOT_RECOMMENDED_SIGN = {5: "RSASHA1", 7: "RSASHA1-NSEC3-SHA1", 10: "RSASHA512"}
# RFC 8624 3.3, "Delegation Signer (DS) Creation" column.
MUST_NOT_DS = {0: "NULL", 1: "SHA-1", 3: "GOST R 34.11-94"}
# Signatures checked per RRset, and keys tried per signature: a zone in a rollover has two or
# three of each; more only make a hostile server's answer expensive to check (RFC 9364 and
# the KeyTrap advisory, CVE-2023-50387, make the same point for validators).
MAX_SIGNATURES = 8
MAX_KEYS = 4
# RFC 5011 2.1: the REVOKE bit of a DNSKEY's flags (RFC 4034 2.1.1 numbers bits from 0).
REVOKE = 0x0080
# RFC 9276 3.2: NSEC3 iterations should be 0; above this many a hostile server could make the
# hashing expensive, and validators treat such zones as insecure anyway.
MAX_NSEC3_ITERATIONS = 500


@dataclass(frozen=True, slots=True)
class Issue:
    status: str
    severity: str
    detail: str


def when(timestamp: int) -> str:
    t = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


def algorithm_name(number: int) -> str:
    try:
        return f"{dns.dnssec.algorithm_to_text(number)} ({number})"
    except ValueError:
        return f"algorithm {number}"


def dnskeys(rrset: Iterable[dns.rdata.Rdata] | None) -> list[DNSKEY]:
    return [k for k in rrset or [] if isinstance(k, DNSKEY)]


def _sig_label(sig: RRSIG) -> str:
    return f"RRSIG by key {sig.key_tag} ({algorithm_name(sig.algorithm)})"


def _keys_for(keys: dns.rrset.RRset | None, sig: RRSIG) -> list[DNSKEY]:
    return [
        k
        for k in dnskeys(keys)
        if k.algorithm == sig.algorithm and dns.dnssec.key_id(k) == sig.key_tag
    ]


def _one_signature(
    rrset: dns.rrset.RRset,
    sig: RRSIG,
    zone: dns.name.Name,
    keys: dns.rrset.RRset | None,
    now: float,
) -> Issue | None:
    """Why this one RRSIG does not validate ``rrset``, or None when it does."""
    label = _sig_label(sig)
    if sig.signer != zone:
        return Issue("bad-signature", ERROR, f"{label} names signer {sig.signer}, not {zone}")
    if keys is None or not _keys_for(keys, sig):
        have = ", ".join(key_summary(k) for k in dnskeys(keys)) or "none"
        return Issue(
            "bad-signature",
            ERROR,
            f"{label}: the zone has no such DNSKEY (its DNSKEYs: {have})",
        )
    expiration, inception = sig.expiration, sig.inception
    if expiration < now:
        return Issue(
            "expired",
            ERROR,
            f"{label} expired {when(expiration)} (valid from {when(inception)}): "
            "re-sign the zone; is the signer still running?",
        )
    if inception > now:
        return Issue(
            "not-yet-valid",
            ERROR,
            f"{label} is valid only from {when(inception)} (until {when(expiration)}): "
            "the signer's clock is ahead, or the zone was signed for later",
        )
    candidates = _keys_for(keys, sig)
    if len(candidates) > MAX_KEYS:
        keys = dns.rrset.from_rdata_list(zone, keys.ttl, candidates[:MAX_KEYS])
    try:
        dns.dnssec.validate_rrsig(
            rrset, sig, {zone: keys}, now=now, policy=dns.dnssec.allow_all_policy
        )
    except dns.exception.UnsupportedAlgorithm:
        return Issue(
            "unsupported-algorithm",
            WARNING,
            f"{label}: this algorithm cannot be checked here",
        )
    except dns.exception.ValidationFailure:
        return Issue(
            "bad-signature",
            ERROR,
            f"{label} does not verify with that DNSKEY: the data or the signature was "
            "changed after signing",
        )
    return None


def check_rrset(
    rrset: dns.rrset.RRset,
    sigs: Sequence[RRSIG],
    zone: dns.name.Name,
    keys: dns.rrset.RRset | None,
    now: float,
    window: float,
) -> list[Issue]:
    """An RRset of a signed zone: one RRSIG that validates is enough (RFC 4035 5.3.3), as for
    a validating resolver; then a warning when even the last-expiring valid one expires
    within ``window`` seconds. Otherwise every reason, once each."""
    if not sigs:
        return [
            Issue(
                "no-rrsig",
                ERROR,
                "no RRSIG came with it (asked with DO): validating resolvers reject it "
                "(RFC 4035 5.3); the zone is signed, this RRset is not",
            )
        ]
    issues: list[Issue] = []
    valid: list[int] = []
    for sig in sigs[:MAX_SIGNATURES]:
        issue = _one_signature(rrset, sig, zone, keys, now)
        if issue is None:
            valid.append(sig.expiration)
        elif issue not in issues:
            issues.append(issue)
    if valid:
        last = max(valid)
        if last < now + window:
            days = (last - now) / 86400
            return [
                Issue(
                    "expiring",
                    WARNING,
                    f"its signature expires {when(last)} (in {days:.1f} days): re-signing "
                    "is due; check that the signer (dnssec-policy, the provider) runs",
                )
            ]
        return []
    return issues


def key_summary(key: DNSKEY) -> str:
    role = "KSK" if key.flags & 1 else "ZSK"
    return f"{dns.dnssec.key_id(key)} ({algorithm_name(key.algorithm)}, {role})"


def check_algorithms(keys: dns.rrset.RRset) -> list[Issue]:
    """RFC 8624 3.1 for the algorithms the zone signs with."""
    issues = []
    for algorithm in sorted({k.algorithm for k in dnskeys(keys)}):
        name = algorithm_name(algorithm)
        if algorithm in MUST_NOT_SIGN:
            issues.append(
                Issue(
                    "algorithm",
                    WARNING,
                    f"the zone is signed with {name}, which RFC 8624 3.1 says MUST NOT be used "
                    "for signing (validators treat it as insecure): roll to "
                    "ECDSAP256SHA256 (13) or ED25519 (15)",
                )
            )
        elif algorithm in NOT_RECOMMENDED_SIGN:
            issues.append(
                Issue(
                    "algorithm",
                    WARNING,
                    f"the zone is signed with {name}, which RFC 8624 3.1 says is NOT "
                    "RECOMMENDED for signing: roll to ECDSAP256SHA256 (13) or ED25519 (15)",
                )
            )
    return issues


@dataclass(frozen=True, slots=True)
class Chain:
    """What the DS records say about a server's DNSKEY set."""

    ok: bool  # a DS matches a DNSKEY that signs the DNSKEY RRset
    issues: tuple[Issue, ...]
    matched: tuple[str, ...]  # the DS records that lead in, as text


def check_ds(
    zone: dns.name.Name,
    ds_records: Iterable[dns.rdata.Rdata],
    keys: dns.rrset.RRset | None,
    key_sigs: Sequence[RRSIG],
    now: float,
) -> Chain:
    """The DS set against the zone's DNSKEY RRset (RFC 4035 5.2): a DS must name a DNSKEY
    (key tag, algorithm), its digest must match it (RFC 4034 5.1.4), and that key must sign
    the DNSKEY RRset. Stale DS records next to one that works are warnings (a rollover)."""
    problems: list[Issue] = []
    warnings: list[Issue] = []
    matched: list[str] = []
    for ds in ds_records:
        if not isinstance(ds, DS):
            continue
        text = ds.to_text()
        short = f"DS {ds.key_tag} {ds.algorithm} {ds.digest_type}"
        if ds.digest_type in MUST_NOT_DS:
            digest = MUST_NOT_DS[ds.digest_type]
            warnings.append(
                Issue(
                    "algorithm",
                    WARNING,
                    f"{short} uses digest {digest}, which RFC 8624 3.3 says MUST NOT be used "
                    "for a DS: publish a SHA-256 DS (digest type 2) instead",
                )
            )
        candidates = [
            k
            for k in dnskeys(keys)
            if dns.dnssec.key_id(k) == ds.key_tag and k.algorithm == ds.algorithm
        ]
        if not candidates:
            have = ", ".join(key_summary(k) for k in dnskeys(keys)) or "none"
            problems.append(
                Issue(
                    "ds-no-key",
                    ERROR,
                    f"{short} names a DNSKEY the zone does not have (key tag "
                    f"{ds.key_tag}, {algorithm_name(ds.algorithm)}); the zone's DNSKEYs: "
                    f"{have}. Publish the DS of the current KSK at the parent",
                )
            )
            continue
        good, made = [], []
        try:
            for key in candidates:
                made.append(
                    dns.dnssec.make_ds(
                        zone,
                        key,
                        ds.digest_type,
                        policy=dns.dnssec.allow_all_policy,
                        validating=True,
                    )
                )
                if made[-1] == ds:
                    good.append(key)
        except dns.exception.UnsupportedAlgorithm:
            warnings.append(
                Issue(
                    "unsupported-algorithm",
                    WARNING,
                    f"{short}: digest type {ds.digest_type} cannot be checked here",
                )
            )
            continue
        if not good:
            problems.append(
                Issue(
                    "ds-mismatch",
                    ERROR,
                    f"{short} matches no DNSKEY: its digest is not that of DNSKEY "
                    f"{ds.key_tag} (DS {text}; the key's: {made[0].to_text()}); publish "
                    "the DS of the zone's current key at the parent",
                )
            )
            continue
        if all(key.flags & REVOKE for key in good):
            problems.append(
                Issue(
                    "ds-key-revoked",
                    ERROR,
                    f"{short} matches DNSKEY {ds.key_tag}, which has the REVOKE bit set "
                    f"(flags {good[0].flags}): RFC 5011 2.1 says a revoked key MUST NOT be "
                    "used for validation, so the chain of trust may stop there. Publish the "
                    "DS of the zone's current KSK at the parent",
                )
            )
            continue
        signs = keys is not None and any(_signs(zone, keys, key_sigs, key, now) for key in good)
        if signs:
            matched.append(text)
        else:
            problems.append(
                Issue(
                    "ds-key-not-signing",
                    ERROR,
                    f"{short} matches DNSKEY {ds.key_tag}, but no valid signature by that key "
                    "covers the DNSKEY RRset (RFC 4035 5.2): the chain of trust stops there",
                )
            )
    if matched:
        # Another DS leads in: the rest are leftovers of a rollover, not a break.
        stale = [Issue(i.status, WARNING, i.detail) for i in problems]
        return Chain(True, tuple(stale + warnings), tuple(matched))
    return Chain(False, tuple(problems + warnings), ())


def _signs(
    zone: dns.name.Name,
    keys: dns.rrset.RRset,
    key_sigs: Sequence[RRSIG],
    key: DNSKEY,
    now: float,
) -> bool:
    only = dns.rrset.RRset(zone, keys.rdclass, keys.rdtype)
    only.add(key)
    for sig in key_sigs:
        if sig.key_tag != dns.dnssec.key_id(key):
            continue
        try:
            dns.dnssec.validate_rrsig(
                keys, sig, {zone: only}, now=now, policy=dns.dnssec.allow_all_policy
            )
            return True
        except (dns.exception.ValidationFailure, dns.exception.UnsupportedAlgorithm):
            continue
    return False


def check_denial(
    response: dns.message.Message,
    qname: dns.name.Name,
    zone: dns.name.Name,
    keys: dns.rrset.RRset | None,
    now: float,
) -> list[Issue]:
    """The answer for a name directly below the apex that does not exist: NXDOMAIN with
    signed NSEC (RFC 4035 3.1.3.2) or NSEC3 (RFC 5155 7.2.2) records that prove it: the name
    and the wildcard ``*.<zone>`` lie in covered gaps (NSEC3: and the apex's hash matches)."""
    rcode = response.rcode()
    if rcode == dns.rcode.NOERROR and response.answer:
        return []  # a wildcard answered: nothing to deny
    if rcode == dns.rcode.NOERROR:
        return [
            Issue(
                "denial",
                ERROR,
                f"{qname} should not exist, but the server says it does (NOERROR, no data)",
            )
        ]
    if rcode != dns.rcode.NXDOMAIN:
        return []  # an error rcode is reported with the server's other answers
    nsec = [r for r in response.authority if r.rdtype == dns.rdatatype.NSEC]
    nsec3 = [r for r in response.authority if r.rdtype == dns.rdatatype.NSEC3]
    if not nsec and not nsec3:
        return [
            Issue(
                "denial",
                ERROR,
                f"NXDOMAIN for {qname} without NSEC or NSEC3 records: the proof that the "
                "name does not exist is missing (RFC 4035 3.1.3.2); validating resolvers "
                "reject such answers",
            )
        ]
    issues: list[Issue] = []
    for rrset in nsec + nsec3:
        sigs = rrsigs_for(response.authority, rrset.name, rrset.rdtype)
        for issue in check_rrset(rrset, sigs, zone, keys, now, 0):
            kind = dns.rdatatype.to_text(rrset.rdtype)
            issues.append(Issue("denial", ERROR, f"the {kind} at {rrset.name}: {issue.detail}"))
    wildcard = dns.name.from_text("*", zone)
    if nsec:
        links = [(r.name, rd.next) for r in nsec for rd in r if isinstance(rd, NSEC)]
        for name in (qname, wildcard):
            if not any(_nsec_covers(owner, nxt, name) for owner, nxt in links):
                shown = "; ".join(f"{owner} -> {nxt}" for owner, nxt in links)
                issues.append(
                    Issue(
                        "denial",
                        ERROR,
                        f"no NSEC proves that {name} does not exist (sent: {shown})",
                    )
                )
    else:
        issues.extend(_nsec3_proof(nsec3, qname, zone, wildcard))
    return issues


def _nsec_covers(owner: dns.name.Name, nxt: dns.name.Name, name: dns.name.Name) -> bool:
    """RFC 4034 4.1.1 in canonical order (RFC 4034 6.1); the last NSEC wraps to the apex."""
    if owner < nxt:
        return bool(owner < name < nxt)
    return bool(name > owner or name < nxt)


def _nsec3_proof(
    rrsets: list[dns.rrset.RRset],
    qname: dns.name.Name,
    zone: dns.name.Name,
    wildcard: dns.name.Name,
) -> list[Issue]:
    records = [
        (r.name[0].decode("ascii", "replace").upper(), rd)
        for r in rrsets
        for rd in r
        if isinstance(rd, NSEC3)
    ]
    if not records:
        return [Issue("denial", ERROR, "NSEC3 records without data")]
    _, first = records[0]
    iterations, salt, algorithm = first.iterations, first.salt, first.algorithm
    if iterations > MAX_NSEC3_ITERATIONS:
        return [
            Issue(
                "denial",
                ERROR,
                f"NSEC3 with {iterations} iterations: not checked (RFC 9276 3.2 asks for 0; "
                "validators treat so many as insecure)",
            )
        ]
    advice: list[Issue] = []
    if iterations or salt:
        said = [f"{iterations} extra iterations"] if iterations else []
        said += [f"salt {salt.hex()}"] if salt else []
        advice.append(
            Issue(
                "nsec3-parameters",
                WARNING,
                f"NSEC3 with {' and '.join(said)}: RFC 9276 3.1 says the iterations MUST be 0 "
                "and the salt SHOULD be empty (they add cost, not safety); validators may "
                "treat such a zone as insecure (RFC 9276 3.2). Re-sign with NSEC3PARAM 1 0 0 -",
            )
        )
    try:
        hashes = {
            n: dns.dnssec.nsec3_hash(n, salt, iterations, algorithm)
            for n in (zone, qname, wildcard)
        }
    except ValueError as e:
        return [Issue("denial", ERROR, f"NSEC3 parameters cannot be used: {e}")]

    def covers(h: str) -> bool:
        for owner, rd in records:
            nxt = base64.b32hexencode(rd.next).decode().upper()
            if (owner < h < nxt) if owner < nxt else (h > owner or h < nxt):
                return True
        return False

    issues = []
    if not any(owner == hashes[zone] for owner, _ in records):
        issues.append(Issue("denial", ERROR, f"no NSEC3 matches the closest encloser {zone}"))
    for name in (qname, wildcard):
        if not covers(hashes[name]):
            issues.append(
                Issue(
                    "denial",
                    ERROR,
                    f"no NSEC3 covers the hash of {name} ({hashes[name]}): its "
                    "non-existence is not proven (RFC 5155 7.2.2)",
                )
            )
    return advice + issues
