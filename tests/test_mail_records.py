"""zonegen.mail: DMARC, DKIM, TLSA, MTA-STS and TLS-RPT records, valid and malformed."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from zonegen.mail import dkim, dmarc, mtasts, tlsa


def codes(issues: object) -> dict[str, str]:
    return {i.code: i.severity for i in issues}  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- DMARC

DMARC_VALID = [
    "v=DMARC1; p=none",
    "v=DMARC1;p=reject;rua=mailto:dmarcreports@example.org!10m",
    "v=DMARC1; p=ReJect",
    "v = DMARC1;p=reject;",
    "v = DMARC1\t;\tp\t\t\t=\t\t\treject\t;",
    "V=DMARC1;p=reject;",
    "v=DMARC1; p=quarantine; rua=mailto:a@example.com,mailto:b@example.net!10m; pct=25",
    "v=DMARC1; p=none; sp=reject; np=reject; adkim=s; aspf=r; fo=0:1:d:s; rf=afrf; ri=86400",
    "v=DMARC1; p=reject; psd=n; t=y",
    "v=DMARC1; p=none; ruf=mailto:f@example.com!0G , mailto:g@example.com",
    "v=DMARC1; p=none; rua=https://reports.example.com/dmarc",
    "v=DMARC1; p=none; foo=bar",
    "v=DMARC1; sp=none; p=reject",
    "v=DMARC1; rua=mailto:d@example.com",
]

DMARC_MALFORMED = {
    "v=DMARC1; p=rejet": "syntax",
    "v=dmarc1; p=none": "syntax",
    "v=DMARC; p=none": "syntax",
    " v=DMARC1; p=none": "syntax",
    "p=none; v=DMARC1": "syntax",
    "v=DMARC12; p=none": "syntax",
    "v=DMARC1 p=none": "syntax",
    "v=DMARC1; p=none; p=reject": "syntax",
    "v=DMARC1;; p=none": "syntax",
    "v=DMARC1; p=none; adkim=x": "syntax",
    "v=DMARC1; p=none; aspf=123": "syntax",
    "v=DMARC1; p=none; ri=-1": "syntax",
    "v=DMARC1; p=none; ri=123bad": "syntax",
    "v=DMARC1; p=none; ri=99999999999": "syntax",
    "v=DMARC1; p=none; fo=01": "syntax",
    "v=DMARC1; p=none; fo=bad": "syntax",
    "v=DMARC1; p=none; fo=": "syntax",
    "v=DMARC1; p=none; rf=bad-trailing-dash-": "syntax",
    "v=DMARC1; p=none; pct=110": "syntax",
    "v=DMARC1; p=none; pct=bogus": "syntax",
    "v=DMARC1; p=none; sp=bad": "syntax",
    "v=DMARC1; p=none; np=all": "syntax",
    "v=DMARC1; p=none; psd=x": "syntax",
    "v=DMARC1; p=none; t=x": "syntax",
    "v=DMARC1; p=none; rua": "syntax",
    "v=DMARC1; p=none; rua=": "syntax",
    "v=DMARC1; p=none; rua=dmarc@example.com": "report-uri",
    "v=DMARC1; p=none; rua=mailto:d@example.com!": "report-uri",
    "v=DMARC1; p=none; rua=mailto:d@example.com!10p": "report-uri",
    "v=DMARC1; p=none; rua=mailto:d@example.com,": "report-uri",
    "v=DMARC1; p=none; rua=mailto:d@example.com mailto:e@example.com": "report-uri",
    "v=DMARC1; p=none; rua=mailto:nobody": "report-uri",
    "v=DMARC1; p=none; rua=mailto:d@example.com:25": "report-uri",
}


@pytest.mark.parametrize("text", DMARC_VALID)
def test_dmarc_valid_records_have_no_errors(text: str) -> None:
    assert dmarc.is_dmarc(text)
    record = dmarc.parse(text)
    assert [i for i in record.issues if i.severity == "error"] == []


@pytest.mark.parametrize("text", sorted(DMARC_MALFORMED))
def test_dmarc_malformed_records_are_errors(text: str) -> None:
    found = codes(dmarc.parse(text).issues)
    assert found.get(DMARC_MALFORMED[text]) == "error", found


def test_dmarc_warnings_and_model() -> None:
    assert codes(dmarc.parse("v=DMARC1; sp=none; p=reject").issues) == {"tag-order": "warning"}
    assert codes(dmarc.parse("v=DMARC1; rua=mailto:a@example.com").issues) == {
        "no-policy": "warning"
    }
    assert codes(dmarc.parse("v=DMARC1; p=none; adkm=s").issues) == {"unknown-tag": "warning"}
    https = dmarc.parse("v=DMARC1; p=none; rua=https://example.com/r")
    assert codes(https.issues) == {"report-scheme": "warning"}
    record = dmarc.parse("v=DMARC1; P=Reject; rua=mailto:a@Example.com!10m,mailto:b@x.example")
    assert record.policy == "reject"
    assert [(u.uri, u.size, u.domain) for u in record.reports("rua")] == [
        ("mailto:a@Example.com", "!10m", "example.com"),
        ("mailto:b@x.example", "", "x.example"),
    ]


# ---------------------------------------------------------------------------- DKIM


def spki(key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey) -> str:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def rsa_p(bits: int) -> str:
    if bits < 1024 or bits > 4096:  # cryptography will not make these quickly; a public key will do
        return spki(rsa.RSAPublicNumbers(65537, (1 << (bits - 1)) | 0x10001).public_key())
    return spki(rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key())


RSA2048 = rsa_p(2048)
ED = base64.b64encode(
    ed25519.Ed25519PrivateKey.generate()
    .public_key()
    .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
).decode()
PKCS1 = base64.b64encode(
    rsa.generate_private_key(public_exponent=65537, key_size=2048)
    .public_key()
    .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
).decode()


@pytest.mark.parametrize(
    "text",
    [
        f"v=DKIM1;h=sha256;p={RSA2048}",
        f"v=DKIM1; k=rsa; p={RSA2048}",
        f"p={RSA2048}",
        f"v=DKIM1; k=ed25519; p={ED}",
        f"v=DKIM1; p={PKCS1}",
        f"v=DKIM1; g=*; k=rsa; s=tlsrpt; p={RSA2048}",
        f"v = DKIM1 ; h\t=\tsha1 \t:\t SHA256:unknown\t; n = notes...; p = {RSA2048[:20]} "
        f"{RSA2048[20:]}  ;s = email : tlsrpt; t = s; unknown = bogus;",
        f"V=DKIM2; p={RSA2048}",  # tag names are case-sensitive: V is unknown
    ],
)
def test_dkim_valid_keys(text: str) -> None:
    key = dkim.parse(text)
    assert key.issues == (), key.issues
    assert dkim.is_key_record(text)


@pytest.mark.parametrize(
    ("text", "code", "severity"),
    [
        ("v=DKIM1", "syntax", "error"),
        (f"k=rsa; v=DKIM1; p={RSA2048}", "syntax", "error"),
        (f"v=DKIM2; p={RSA2048}", "syntax", "error"),
        (f"v=DKIM1: g=*; k=rsa; p={RSA2048}", "syntax", "error"),
        (f"v=DKIM1; p={RSA2048}; p={RSA2048}", "syntax", "error"),
        (f"v=DKIM1;; p={RSA2048}", "syntax", "error"),
        ("v=DKIM1; p=AAAA!", "key", "error"),
        ("v=DKIM1; p=JDcbZ0Hpba5NKXI4UAW3G0IDhhFOxhJTDybZEwe1FeA=", "key", "error"),
        ("v=DKIM1; k=ed25519; p=HbawiMnQXTCopHTkR0jlKQ==", "key", "error"),
        (f"v=DKIM1; k=ed25519-sha256; p={RSA2048}", "key", "error"),
        (f"v=DKIM1; p={RSA2048[:-8]}AQAB", "key", "error"),
        (f"v=DKIM1; p={rsa_p(512)}", "rsa-too-short", "error"),
        (f"v=DKIM1; p={rsa_p(1024)}", "rsa-short", "warning"),
        (f"v=DKIM1; p={rsa_p(8192)}", "rsa-too-long", "warning"),
        (f"v=DKIM1; h=sha1; p={RSA2048}", "sha1", "error"),
        (f"v=DKIM1; h=sha1:md5; p={RSA2048}", "sha1", "error"),
        (f"v=DKIM1; s=web; p={RSA2048}", "service", "error"),
        (f"v=DKIM1; t=y; p={RSA2048}", "testing", "warning"),
        ("v=DKIM1; p=", "revoked", "warning"),
        (f"v=DKIM1; p={RSA2048}; ", "syntax-strict", "warning"),
    ],
)
def test_dkim_problems(text: str, code: str, severity: str) -> None:
    found = codes(dkim.parse(text).issues)
    assert found.get(code) == severity, found


def test_dkim_model() -> None:
    key = dkim.parse(f"v=DKIM1; p={RSA2048}")
    assert (key.key_type, key.bits, key.revoked) == ("rsa", 2048, False)
    assert dkim.parse("v=DKIM1; p=").revoked
    assert not dkim.is_key_record("o=~")


def test_dkim_key_names() -> None:
    name = dkim.key_name("2026a", "example.org.")
    assert name == "2026a._domainkey.example.org." and dkim.is_key_name(name)
    # ADSP (RFC 5617) and DomainKeys policy records are not key records
    assert not dkim.is_key_name("_adsp._domainkey.example.org.")
    assert not dkim.is_key_name("_domainkey.example.org.")
    assert not dkim.is_key_name("mail.example.org.")
    # the record Mox prints (admin/dnsrecords.go), which dkim.parse takes as it is
    for kind in ("rsa", "ed25519"):
        text = dkim.key_record(kind, "AAAA")
        assert dkim.parse(text).key_type == kind and dkim.is_key_record(text)
    assert dkim.key_record("ed25519", "AAAA") == "v=DKIM1;h=sha256;k=ed25519;p=AAAA"


# ---------------------------------------------------------------------------- TLSA

SHA256 = hashlib.sha256(b"x").digest()


@pytest.mark.parametrize(
    ("params", "data", "owner", "code", "severity"),
    [
        ((3, 1, 1), SHA256, "_25._tcp.mx.example.com.", None, None),
        ((2, 0, 2), hashlib.sha512(b"x").digest(), "_443._tcp.www.example.com.", None, None),
        ((4, 1, 1), SHA256, "_25._tcp.mx.example.com.", "values", "error"),
        ((3, 2, 1), SHA256, "_25._tcp.mx.example.com.", "values", "error"),
        ((3, 1, 3), SHA256, "_25._tcp.mx.example.com.", "values", "error"),
        ((3, 1, 255), SHA256, "_25._tcp.mx.example.com.", "private", "warning"),
        ((3, 1, 1), SHA256[:20], "_25._tcp.mx.example.com.", "data", "error"),
        ((3, 1, 2), SHA256, "_25._tcp.mx.example.com.", "data", "error"),
        ((3, 1, 0), b"\x30\x03\x02\x01\x00", "_25._tcp.mx.example.com.", "data", "error"),
        ((3, 1, 1), SHA256, "mx.example.com.", "owner", "error"),
        ((1, 1, 1), SHA256, "_25._tcp.mx.example.com.", "pkix-smtp", "warning"),
        ((0, 0, 1), SHA256, "_25._tcp.mx.example.com.", "pkix-smtp", "warning"),
        ((1, 1, 1), SHA256, "_443._tcp.www.example.com.", None, None),
    ],
)
def test_tlsa(
    params: tuple[int, int, int], data: bytes, owner: str, code: str | None, severity: str | None
) -> None:
    found = codes(tlsa.issues(*params, data, owner))
    assert found == ({code: severity} if code else {}), found


def test_tlsa_full_spki() -> None:
    der = base64.b64decode(RSA2048)
    assert tlsa.issues(3, 1, 0, der, "_25._tcp.mx.example.com.") == []
    assert tlsa.port_of("_25._tcp.mx.example.com.") == 25 and tlsa.port_of("_99999._tcp.x.") is None


# ---------------------------------------------------------------------------- MTA-STS, TLS-RPT


@pytest.mark.parametrize(
    "text",
    [
        "v=STSv1; id=20160831085700Z;",
        "v=STSv1; \t id=20160831085700Z  \t;",
        "v=STSv1; id=a",
        "v=STSv1; id=a; more=a; ext=2",
        "v=STSv1;id=20261125T083131",
    ],
)
def test_mta_sts_valid(text: str) -> None:
    assert mtasts.sts_record(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "v=STSv0",
        "v=STSv10",
        "v=STSv1",
        "v=STSv1;",
        "v=STSv1; ext=1",
        "v=STSv1; id=",
        "v=STSv1; id=012345678901234567890123456789012",
        "v=STSv1; id=test-123",
        "v=STSv1; id=2026-11-25",
        "v=STSv1; id=a; more=",
        "v=STSv1; id=a; a12345678901234567890123456789012=1",
        "v=STSv1; id=a; 1%=a",
        "v=STSv1; id=a; test==",
        "v=STSv1; id=a;;",
        "v=STSv1; id=a; id=b",
    ],
)
def test_mta_sts_malformed(text: str) -> None:
    assert codes(mtasts.sts_record(text)) == {"syntax": "error"}


@pytest.mark.parametrize(
    "text",
    [
        "v=TLSRPTv1; rua=mailto:tlsrpt@mox.example;",
        "v=TLSRPTv1; rua=mailto:tlsrpt@mox.example , \t\t https://mox.example/tlsrpt  ",
        "v=TLSRPTv1; rua=mailto:tlsrpt@mox.example; ext=yes",
        "v=TLSRPTv1 ; rua=mailto:x@x.example; rua=mailto:y@x.example",
        "v=TLSRPTv1; rua=mailto:tlsrpt@example.org",
    ],
)
def test_tlsrpt_valid(text: str) -> None:
    assert mtasts.tlsrpt_record(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "v=TLSRPTv0",
        "v=TLSRPTv10",
        "v=TLSRPTv1",
        "v=TLSRPTv1;",
        "v=TLSRPTv1; ext=1",
        "v=TLSRPTv1; rua=",
        "v=TLSRPTv1; rua=noscheme",
        "v=TLSRPTv1; rua=tlsrpt@example.org",
        "v=TLSRPTv1; rua=,, ,",
        "v=TLSRPTv1; rua=mailto:x@x.example; more=",
        "v=TLSRPTv1; rua=mailto:x@x.example; 1%=a",
        "v=TLSRPTv1; rua=mailto:x@x.example;;",
        "v=TLSRPTv1; rua=mailto:x@x.example other",
        "v=TLSRPTv1; rua=http://bad/%",
        "v=TLSRPTv1; rua=ftp://example.com/x",
    ],
)
def test_tlsrpt_malformed(text: str) -> None:
    assert codes(mtasts.tlsrpt_record(text)) == {"syntax": "error"}


def test_mta_sts_policy() -> None:
    policy = mtasts.parse_policy(
        "version: STSv1\nmode: testing\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 1296000\n"
    )
    assert policy == mtasts.Policy(
        "STSv1", "testing", ("mx1.example.com", "*.example.net"), 1296000
    )
    assert mtasts.parse_policy("version:STSv1\r\nmode:none\r\nmax_age:0").mode == "none"
    for bad in (
        "",
        "version: STSv0\nmode: none\nmax_age: 0",
        "version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 0",
        "version: STSv1\nmode: enforce\nmax_age: 86400",
        "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601",
        "version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1",
        "version: STSv1\nversion: STSv1\nmode: none\nmax_age: 1",
        "version STSv1\nmode: none\nmax_age: 1",
    ):
        with pytest.raises(mtasts.PolicyError):
            mtasts.parse_policy(bad)
