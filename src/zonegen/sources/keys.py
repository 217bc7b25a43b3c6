"""Public values derived from Mox's private key files: DKIM ``p=`` and DANE TLSA 3 1 1.

The private keys are read into memory to derive public data and are never written anywhere.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

# cryptography is imported where a key is read: a build without Mox's config dir (and
# `zonegen --help`) never needs it.


def load_private_key(data: bytes, *, display: str) -> PrivateKeyTypes:
    """A PEM private key from the bytes of its file. Mox's DKIM files carry a ``Note:`` PEM
    header, which cryptography accepts (``openssl pkey`` does not)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InputError(
            "not a PEM private key zonegen can read (PKCS#8, PKCS#1 or EC, unencrypted)",
            path=display,
        ) from None


def spki_der(key: PrivateKeyTypes) -> bytes:
    """DER SubjectPublicKeyInfo of the key's public half (Go's x509.MarshalPKIXPublicKey)."""
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def tlsa_311(key: PrivateKeyTypes) -> str:
    """TLSA 3 1 1 association data: SHA-256 of the SPKI, hex (RFC 6698 2.1, RFC 7218)."""
    return hashlib.sha256(spki_der(key)).hexdigest()


def dkim_public(key: PrivateKeyTypes) -> tuple[str, str]:
    """The DKIM key type and ``p=`` value for a private key.

    RSA: ``p=`` is base64 of the SPKI DER (RFC 6376 3.6.1). Ed25519: base64 of the raw
    32-byte public key (RFC 8463 4), with ``k=ed25519``.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return "ed25519", base64.b64encode(raw).decode()
    if isinstance(key, rsa.RSAPrivateKey):
        return "rsa", base64.b64encode(spki_der(key)).decode()
    raise ValueError("DKIM keys are RSA or Ed25519")
