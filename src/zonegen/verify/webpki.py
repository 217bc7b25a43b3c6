"""Is a presented certificate chain valid for a host name, the way senders check it?

MTA-STS senders (RFC 8461 4.2) and Mox's own check (``tls.Config`` with the system roots in
``checkDomain``) want a chain to a trusted root, valid now, for the name (RFC 6125). The
chain is read once, from the same TLS handshake DANE reads (``dane.fetch_chain``), and checked
here with cryptography's X.509 path validation (``cryptography.x509.verification``, the
Web PKI profile of RFC 5280 and the CA/Browser Forum), against ``--ca-bundle`` or the
system's CA bundle; no second connection is made for it.
"""

from __future__ import annotations

import datetime
import warnings
from dataclasses import dataclass

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification

from ..errors import InputError
from .findings import ERROR, OK, WARNING

CERT_WINDOW_DAYS = 14.0  # warn about certificates that expire sooner (--cert-window)


@dataclass(frozen=True)
class Trust:
    """The roots a chain must lead to, and where they came from (for messages)."""

    roots: tuple[x509.Certificate, ...]
    source: str


def load_trust(pem: str, shown: str) -> Trust:
    """The certificates of a PEM bundle; a bundle without any is bad input."""
    try:
        # System bundles hold old roots cryptography warns about (a serial of 0): a warning
        # on stderr would break verify's one-line output, and the root is only a root.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            roots = tuple(x509.load_pem_x509_certificates(pem.encode()))
    except ValueError:
        roots = ()
    if not roots:
        raise InputError(
            "no PEM certificate in the CA bundle", path=shown, hint="give a PEM file of CAs"
        )
    return Trust(roots, shown)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # ok, expired, not-yet-valid, untrusted, expiring, bad-certificate
    severity: str
    detail: str


def check_chain(
    chain: tuple[bytes, ...],
    name: str,
    trust: Trust,
    *,
    now: datetime.datetime,
    window_days: float,
) -> Verdict:
    """The chain as presented (leaf first, DER) against ``trust`` for ``name``."""
    host = name.rstrip(".")
    try:
        certs = [x509.load_der_x509_certificate(der) for der in chain]
    except ValueError as e:
        return Verdict("bad-certificate", ERROR, f"a presented certificate does not parse: {e}")
    if not certs:
        return Verdict("bad-certificate", ERROR, "no certificate presented")
    leaf = certs[0]
    after, before = leaf.not_valid_after_utc, leaf.not_valid_before_utc
    if now > after:
        return Verdict(
            "expired", ERROR, f"the certificate for {host} expired {after:%Y-%m-%d %H:%M} UTC"
        )
    if now < before:
        return Verdict(
            "not-yet-valid",
            ERROR,
            f"the certificate for {host} is valid only from {before:%Y-%m-%d %H:%M} UTC",
        )
    try:
        verifier = (
            verification.PolicyBuilder()
            .store(verification.Store(list(trust.roots)))
            .time(now)
            .build_server_verifier(x509.DNSName(host))
        )
        verifier.verify(leaf, certs[1:])
    except (verification.VerificationError, ValueError) as e:
        return Verdict(
            "untrusted",
            ERROR,
            f"the certificate is not valid for {host} by the CAs of {trust.source}: {str(e)[:300]}",
        )
    left = (after - now).total_seconds() / 86400
    if left < window_days:
        return Verdict(
            "expiring",
            WARNING,
            f"the certificate for {host} expires in {left:.1f} days "
            f"({after:%Y-%m-%d %H:%M} UTC): is its renewal failing?",
        )
    return Verdict(
        "ok", OK, f"valid for {host} until {after:%Y-%m-%d} (by the CAs of {trust.source})"
    )
