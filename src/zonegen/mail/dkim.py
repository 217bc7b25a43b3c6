"""DKIM key records (RFC 6376 3.6.1, Ed25519 keys RFC 8463, key sizes and SHA-1 RFC 8301).

:func:`parse` never raises: it returns the key and the :class:`Issue` list. Errors are what
makes verifiers discard the record or fail every signature (RFC 6376 3.6.1, 6.1.2; RFC 8301);
warnings are what works but should not stay (a short RSA key, t=y, grammar most verifiers
forgive). An empty ``p=`` is a deliberate revocation (RFC 6376 3.6.1), reported as such.

dkimpy and authheaders check keys only while verifying a signature (and fetch the record
over DNS themselves); a record in a zone file needs its own reader.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Callable
from typing import NamedTuple

from .taglist import ERROR, WARNING, Issue, Tag, split

HASHES = ("sha1", "sha256")  # RFC 6376 3.6.1 key-h-tag-alg (case-insensitive, ABNF)
KEY_TYPES = ("rsa", "ed25519")  # RFC 6376 3.6.1, RFC 8463 4
SERVICES = ("*", "email", "tlsrpt")  # RFC 6376 3.6.1, RFC 8460 3 (registered service types)
RSA_MIN = 1024  # RFC 8301 3.2: verifiers must not accept less
RSA_GOOD = 2048  # RFC 8301 3.2: signers SHOULD use at least this
RSA_MAX = 4096  # RFC 8301 3.2: verifiers must support up to this, not beyond

_VERSION_TAG = re.compile(r"\s*v\s*=\s*DKIM1")
_KEY_TAG = re.compile(r"(^|;)\s*p\s*=")
_SPACE = re.compile(r"[ \t\r\n]")  # RFC 6376 3.6.1: p= may be folded (FWS inside base64)
_ALGORITHM = re.compile(r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\Z")  # key-h-tag-alg, lowered


class Key(NamedTuple):
    tags: tuple[Tag, ...]
    issues: tuple[Issue, ...]
    key_type: str = "rsa"
    public: bytes | None = None  # decoded p=; b"" when revoked; None when absent or bad
    bits: int | None = None  # RSA modulus size

    def get(self, name: str) -> str | None:
        return next((t.value for t in self.tags if t.name == name), None)

    @property
    def revoked(self) -> bool:
        return self.public == b""


def key_name(selector: str, domain: str) -> str:
    """Where a selector's key record is published (RFC 6376 3.6.2.1)."""
    return f"{selector}._domainkey.{domain}"


def is_key_name(name: str) -> bool:
    """``<selector>._domainkey.<domain>`` (RFC 6376 3.6.2.1); ADSP (``_adsp._domainkey``,
    RFC 5617, historic) and DomainKeys policy records (``_domainkey.<domain>``) are not key
    records."""
    head, sep, _ = name.partition("._domainkey.")
    return bool(sep and head) and not name.startswith("_adsp._domainkey.")


def key_record(key_type: str, public: str) -> str:
    """The key record Mox prints for a key (admin/dnsrecords.go: ``v=DKIM1``, ``h=sha256``,
    ``k=ed25519`` for Ed25519 keys, RSA being the default of RFC 6376 3.6.1, then ``p=``)."""
    return "v=DKIM1;h=sha256;" + ("k=ed25519;" if key_type == "ed25519" else "") + f"p={public}"


def is_key_record(text: str) -> bool:
    """A TXT at ``<selector>._domainkey.<domain>`` is a key record to verifiers; this says
    whether the text was meant as one (``v=DKIM1`` or a ``p=`` tag)."""
    return bool(_VERSION_TAG.match(text)) or bool(_KEY_TAG.search(text))


def parse(text: str) -> Key:
    tags, shape = split(text)
    issues: list[Issue] = []
    trimmed = text.rstrip(" \t")
    for problem in shape:
        if problem.startswith("an empty tag") and trimmed.endswith(";"):
            # "...; " or "...;;": RFC 6376 3.2 allows one final ';' and nothing after it;
            # most verifiers forgive it, strict ones (Mox) drop the record.
            issues.append(Issue("syntax-strict", WARNING, f"{problem} (RFC 6376 3.2)"))
        else:
            issues.append(Issue("syntax", ERROR, f"{problem} (RFC 6376 3.2)"))
    if _space_after_end(text, trimmed) and not any(i.code == "syntax-strict" for i in issues):
        issues.append(
            Issue(
                "syntax-strict",
                WARNING,
                "whitespace after the final ';': RFC 6376 3.2 has no tag there; most verifiers "
                "forgive it, strict ones (Mox) drop the record",
            )
        )
    names = [name for name, _, _ in tags]  # RFC 6376 3.2: tag names are case-sensitive
    repeated = {n for n in names if names.count(n) > 1} if len(set(names)) < len(names) else ()
    for name in sorted(repeated):
        issues.append(
            Issue(
                "syntax", ERROR, f"{name}= appears twice: verifiers drop the record (RFC 6376 3.2)"
            )
        )
    values = {name: value for name, value, _ in reversed(tags)}  # the first of each name
    if "v" in values:
        if names[0] != "v":
            issues.append(Issue("syntax", ERROR, "v= must be the first tag (RFC 6376 3.6.1)"))
        if values["v"] != "DKIM1":
            issues.append(
                Issue(
                    "syntax",
                    ERROR,
                    f"v={_cut(values['v'])}: records with a v= other than DKIM1 are discarded "
                    "(RFC 6376 3.6.1)",
                )
            )
    key_type = values.get("k", "rsa").lower()
    if key_type not in KEY_TYPES:
        issues.append(
            Issue(
                "key",
                ERROR,
                f"k={_cut(values['k'])}: unknown key type; verifiers fail every signature "
                "(RFC 6376 6.1.2; k=rsa or k=ed25519, RFC 8463)",
            )
        )
    _hashes(values.get("h"), issues)
    _services(values.get("s"), issues)
    flags = values.get("t")
    if flags is not None and "y" in [f.strip(" \t").lower() for f in flags.split(":")]:
        issues.append(
            Issue(
                "testing",
                WARNING,
                "t=y: the domain is testing DKIM; verifiers may treat signed mail as unsigned "
                "(RFC 6376 3.6.1)",
            )
        )
    if "p" not in values:
        issues.append(Issue("syntax", ERROR, "no p= tag (RFC 6376 3.6.1: REQUIRED)"))
        return Key(tuple(tags), tuple(issues), key_type)
    p = _unfolded(values["p"])
    if not p:
        issues.append(
            Issue(
                "revoked",
                WARNING,
                "empty p=: the key is revoked (RFC 6376 3.6.1); signatures with it fail",
            )
        )
        return Key(tuple(tags), tuple(issues), key_type, b"")
    try:
        raw = base64.b64decode(p, validate=True)
    except (binascii.Error, ValueError):
        issues.append(Issue("key", ERROR, "p= is not base64 (RFC 6376 3.6.1)"))
        return Key(tuple(tags), tuple(issues), key_type)
    bits = None
    if key_type == "ed25519":
        if len(raw) != 32:
            issues.append(
                Issue(
                    "key",
                    ERROR,
                    "an Ed25519 p= is the 32-octet public key (RFC 8463 4), "
                    f"this one is {len(raw)}",
                )
            )
    elif key_type == "rsa":
        bits = _rsa_bits(raw)
        if bits is None:
            issues.append(
                Issue(
                    "key",
                    ERROR,
                    "p= is not an RSA public key (DER SubjectPublicKeyInfo or RSAPublicKey, "
                    "RFC 6376 3.6.1)",
                )
            )
        elif bits < RSA_MIN:
            issues.append(
                Issue(
                    "rsa-too-short",
                    ERROR,
                    f"RSA key of {bits} bits: verifiers must not accept keys under {RSA_MIN} "
                    "(RFC 8301 3.2)",
                )
            )
        elif bits < RSA_GOOD:
            issues.append(
                Issue(
                    "rsa-short",
                    WARNING,
                    f"RSA key of {bits} bits: signers should use {RSA_GOOD} or more (RFC 8301 3.2)",
                )
            )
        elif bits > RSA_MAX:
            issues.append(
                Issue(
                    "rsa-too-long",
                    WARNING,
                    f"RSA key of {bits} bits: verifiers need only support up to {RSA_MAX} "
                    "(RFC 8301 3.2)",
                )
            )
    return Key(tuple(tags), tuple(issues), key_type, raw, bits)


def _space_after_end(text: str, trimmed: str) -> bool:
    """``text`` ends with ';' and whitespace (``trimmed``: ``text.rstrip(" \\t")``)."""
    return len(trimmed) < len(text) and trimmed.endswith(";")


def _unfolded(p: str) -> str:
    """p= without the folding whitespace inside it: nearly every key has none, and four
    searches for a character cost less than a substitution that finds nothing."""
    if " " in p or "\t" in p or "\r" in p or "\n" in p:
        return _SPACE.sub("", p)
    return p


def _hashes(value: str | None, issues: list[Issue]) -> None:
    """h= (RFC 6376 3.6.1): hash algorithms this key may sign with; unknown ones are ignored.
    Verifiers must not accept SHA-1 signatures (RFC 8301 3.1), so a list without sha256
    leaves the key usable by none."""
    if value is None or value == "sha256":  # (what Mox and most signers publish)
        return
    algs = [a.strip(" \t").lower() for a in value.split(":")]
    if not all(_ALGORITHM.match(a) for a in algs):
        issues.append(
            Issue("syntax", ERROR, f"h={_cut(value)} is not a ':'-separated list (RFC 6376 3.6.1)")
        )
    elif "sha256" not in algs:
        issues.append(
            Issue(
                "sha1",
                ERROR,
                f"h={_cut(value)} does not allow sha256; verifiers reject SHA-1 signatures "
                "(RFC 8301 3.1), so no signature with this key verifies",
            )
        )


def _services(value: str | None, issues: list[Issue]) -> None:
    """s= (RFC 6376 3.6.1): service types; unknown ones are ignored."""
    if value is None:
        return
    types = [s.strip(" \t").lower() for s in value.split(":")]
    if not any(t in SERVICES for t in types):
        issues.append(
            Issue(
                "service",
                ERROR,
                f"s={_cut(value)} names no known service (email, *, tlsrpt): verifiers ignore "
                "the key (RFC 6376 3.6.1)",
            )
        )


def _rsa_bits(raw: bytes) -> int | None:
    """The modulus size of an RSA key given as SubjectPublicKeyInfo (what everyone
    publishes) or as a bare PKCS#1 RSAPublicKey (what RFC 6376 3.6.1's text names)."""
    bits = _common_rsa_bits(raw)
    return bits if bits is not None else _rsa_bits_read(raw)


def _rsa_bits_read(raw: bytes) -> int | None:
    """:func:`_rsa_bits` by cryptography's reader."""
    rsa_size = _spki_rsa_size()
    bits = rsa_size(raw)
    if bits == _UNREADABLE:
        bits = rsa_size(_pkcs1_as_spki(raw))
    return None if bits == _UNREADABLE else bits


# The one shape nearly every DKIM key has (what cryptography, OpenSSL and Mox write): DER
# SubjectPublicKeyInfo, rsaEncryption with NULL parameters, a BIT STRING holding the
# RSAPublicKey (RFC 8017 A.1.1) of a positive modulus with its top bit set and the exponent
# 65537. For that shape the modulus size is read off the lengths; any other input goes to
# cryptography, which a build then need not import (a tenth of the checks' time at 100
# domains). tests/test_check_fast_paths.py holds the two readers to each other.
_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")
_F4 = bytes.fromhex("0203010001")  # INTEGER 65537


def _common_rsa_bits(der: bytes) -> int | None:
    """The modulus size of an RSA key of the common shape (above), or None: not that shape."""
    outer = _der(der, 0, 0x30)
    if outer is None or outer[1] != len(der):
        return None
    start = outer[0]
    if der[start : start + len(_RSA_ALGORITHM)] != _RSA_ALGORITHM:
        return None
    bit_string = _der(der, start + len(_RSA_ALGORITHM), 0x03)
    if (
        bit_string is None
        or bit_string[1] != len(der)
        or der[bit_string[0] : bit_string[0] + 1] != b"\0"
    ):
        return None
    key = _der(der, bit_string[0] + 1, 0x30)
    if key is None or key[1] != len(der):
        return None
    modulus = _der(der, key[0], 0x02)
    if modulus is None or modulus[1] + len(_F4) != len(der) or der[modulus[1] :] != _F4:
        return None
    first, end = modulus
    # a positive INTEGER with the top bit of its first octet set is written after a 0 octet
    # (X.690 8.3); odd, as every RSA modulus is; 1024 to 8192 bits
    if der[first] != 0 or der[first + 1] < 0x80 or not der[end - 1] & 1:
        return None
    bits = 8 * (end - first - 1)
    return bits if 1024 <= bits <= 8192 else None


def _der(data: bytes, at: int, tag: int) -> tuple[int, int] | None:
    """Where the contents of the DER element at ``at`` start and end, if its tag is ``tag``
    and its length is written in the fewest octets (X.690 10.1), lengths up to 65535."""
    if len(data) < at + 2 or data[at] != tag:
        return None
    length = data[at + 1]
    start = at + 2
    if length == 0x81:
        if len(data) < at + 3 or data[at + 2] < 0x80:
            return None
        length, start = data[at + 2], at + 3
    elif length == 0x82:
        if len(data) < at + 4 or data[at + 2] == 0:
            return None
        length, start = data[at + 2] << 8 | data[at + 3], at + 4
    elif length >= 0x80:
        return None
    end = start + length
    return (start, end) if end <= len(data) else None


_UNREADABLE = -1


@functools.cache
def _spki_rsa_size() -> Callable[[bytes], int | None]:
    """A function giving the RSA modulus size of a DER SubjectPublicKeyInfo: None for a key
    of another algorithm, ``_UNREADABLE`` when cryptography cannot read it (ValueError for
    bad DER, UnsupportedAlgorithm for a well-formed key with an OID it does not know: for a
    DKIM k=rsa record both mean "not an RSA key"). cryptography is imported on the first
    key read, once: an import statement per key costs as much as reading the key."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    def rsa_size(der: bytes) -> int | None:
        try:
            key = load_der_public_key(der)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return _UNREADABLE
        return key.key_size if isinstance(key, rsa.RSAPublicKey) else None

    return rsa_size


def _pkcs1_as_spki(raw: bytes) -> bytes:
    """An RSAPublicKey (SEQUENCE of two INTEGERs, RFC 8017 A.1.1) wrapped as SPKI."""
    algorithm = bytes.fromhex("300d06092a864886f70d0101010500")  # rsaEncryption, NULL
    bit_string = b"\x03" + _der_length(len(raw) + 1) + b"\x00" + raw
    body = algorithm + bit_string
    return b"\x30" + _der_length(len(body)) + body


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
