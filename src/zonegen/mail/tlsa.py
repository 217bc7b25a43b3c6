"""TLSA records (RFC 6698 2.1, RFC 7671, and for SMTP RFC 7672).

:func:`issues` says what is wrong with one TLSA record: parameters outside the assigned
values make it "unusable" to clients (RFC 7671 4.1, RFC 7672 2.2), the association data must
fit its matching type (a SHA-256 is 32 octets, a SHA-512 64; Full(0) is the DER certificate
or SubjectPublicKeyInfo itself, RFC 6698 2.1.3), and SMTP clients do not use the PKIX
usages (RFC 7672 3.1.3).
"""

from __future__ import annotations

import re

from .taglist import ERROR, WARNING, Issue

USAGES = {0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE"}  # RFC 7218
SELECTORS = {0: "Cert", 1: "SPKI"}
MATCHING = {0: "Full", 1: "SHA2-256", 2: "SHA2-512"}
DIGEST_SIZES = {1: 32, 2: 64}  # RFC 6698 2.1.3
PRIVATE = 255  # RFC 6698 7.2-7.4: reserved for private use
_OWNER = re.compile(r"_([0-9]{1,5})\._(tcp|udp|sctp)\.", re.IGNORECASE)


def port_of(owner: str) -> int | None:
    """The port of a TLSA owner name ``_<port>._<proto>.<host>`` (RFC 6698 3), or None."""
    m = _OWNER.match(owner)
    return int(m.group(1)) if m and int(m.group(1)) <= 65535 else None


def issues(usage: int, selector: int, mtype: int, data: bytes, owner: str) -> list[Issue]:
    out: list[Issue] = []
    for value, known, what in (
        (usage, USAGES, "usage"),
        (selector, SELECTORS, "selector"),
        (mtype, MATCHING, "matching type"),
    ):
        if value == PRIVATE:
            out.append(
                Issue(
                    "private",
                    WARNING,
                    f"{what} 255 is for private use: other clients treat the record as "
                    "unusable (RFC 6698 7, RFC 7671 4.1)",
                )
            )
        elif value not in known:
            out.append(
                Issue(
                    "values",
                    ERROR,
                    f"{what} {value} is not assigned ({_names(known)}): clients treat the "
                    "record as unusable (RFC 6698 2.1, RFC 7671 4.1)",
                )
            )
    size = DIGEST_SIZES.get(mtype)
    if size is not None and len(data) != size:
        out.append(
            Issue(
                "data",
                ERROR,
                f"a {MATCHING[mtype]} digest is {size} octets ({2 * size} hex digits), this is "
                f"{len(data)} (RFC 6698 2.1.3)",
            )
        )
    elif mtype == 0 and selector in SELECTORS and not _der_ok(selector, data):
        what = "an X.509 certificate" if selector == 0 else "a SubjectPublicKeyInfo"
        out.append(
            Issue(
                "data",
                ERROR,
                f"with matching type 0 the data is {what} in DER, and this is not (RFC 6698 2.1.3)",
            )
        )
    port = port_of(owner)
    if port is None:
        out.append(
            Issue(
                "owner",
                ERROR,
                "the owner is not _<port>._<protocol>.<host>, so no client looks here (RFC 6698 3)",
            )
        )
    elif port == 25 and usage in (0, 1):
        out.append(
            Issue(
                "pkix-smtp",
                WARNING,
                f"usage {usage} ({USAGES[usage]}) on SMTP: MTAs do not use the PKIX usages and "
                "treat the record as unusable (RFC 7672 3.1.3); use 3 (DANE-EE) or 2 (DANE-TA)",
            )
        )
    return out


def _names(known: dict[int, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in known.items())


def _der_ok(selector: int, data: bytes) -> bool:
    """Whether ``data`` is a DER certificate (selector 0) or SubjectPublicKeyInfo (1). A
    well-formed SPKI of an algorithm cryptography does not know (UnsupportedAlgorithm: an
    OID it has no key type for) is well-formed all the same: the client compares the octets,
    RFC 6698 2.1.3."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        if selector == 0:
            x509.load_der_x509_certificate(data)
        else:
            load_der_public_key(data)
    except UnsupportedAlgorithm:
        return True
    except (ValueError, TypeError):
        return False
    return True
