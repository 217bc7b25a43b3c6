"""Write Mox-shaped inputs for cases the captured fixtures do not cover.

The record text follows Mox v0.0.17's admin/dnsrecords.go (DomainRecords) line for line: the
same comments, padding rules, ``;; `` TLSA without DNSSEC, 100-character DKIM chunks, and the
old (<= v0.0.13) null-SRV form on request. The config dir is written in sconf with tabs and
real keys, so the cross-checks run against real cryptography. Used for IDN names, a hostname
equal to the domain, IPv6-only hosts, NAT and other variants; the real fixtures remain the
reference for the grammar.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import dns.name
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

_CODEC = dns.name.IDNA_2008_Practical


def alabel(name: str) -> str:
    return dns.name.from_unicode(name, idna_codec=_CODEC).to_text(omit_final_dot=True)


@dataclass
class MoxSetup:
    domain: str  # Unicode allowed
    hostname: str  # Unicode allowed
    ips: list[str] = field(default_factory=lambda: ["198.51.100.10"])
    natips: list[str] = field(default_factory=list)
    dnssec: bool = False
    dkim: dict[str, str] = field(default_factory=lambda: {"2026a": "rsa", "2026b": "rsa"})
    old_null_srv: bool = False
    host_tlsrpt: bool = True
    client_settings_domain: str | None = None  # default mail.<domain>
    keys: dict[str, PrivateKeyTypes] = field(default_factory=dict)
    host_keys: list[PrivateKeyTypes] = field(default_factory=list)

    def __post_init__(self) -> None:
        for sel, kind in self.dkim.items():
            self.keys[sel] = (
                ed25519.Ed25519PrivateKey.generate()
                if kind == "ed25519"
                else rsa.generate_private_key(public_exponent=65537, key_size=2048)
            )
        if not self.host_keys:
            self.host_keys = [
                rsa.generate_private_key(public_exponent=65537, key_size=2048),
                ec.generate_private_key(ec.SECP256R1()),
            ]

    @property
    def d(self) -> str:
        return alabel(self.domain)

    @property
    def h(self) -> str:
        return alabel(self.hostname)

    @property
    def csd(self) -> str:
        c = alabel(self.client_settings_domain or f"mail.{self.domain}")
        return self.h if c == self.h else c

    def spf_ips(self) -> list[str]:
        return [ip for ip in (self.natips or self.ips) if ip not in ("0.0.0.0", "::")]

    def records(self) -> str:
        d, h, csd = self.d, self.h, self.csd
        out = [
            "; Time To Live of 5 minutes, may be recognized if importing as a zone file.",
            "; Once your setup is working, you may want to increase the TTL.",
            "$TTL 300",
            "",
        ]
        out += [
            "; DANE: These records indicate that a remote mail server trying to deliver email",
            ";",
            "; NOTE: Create the records below only once: They are for the machine, and apply",
            "; to all hosted domains.",
        ]
        if not self.dnssec:
            out += [";", "; WARNING: Domain does not appear to be DNSSEC-signed. To enable DANE,"]
        ordered = [k for k in self.host_keys if isinstance(k, ec.EllipticCurvePrivateKey)]
        ordered += [k for k in self.host_keys if isinstance(k, rsa.RSAPrivateKey)]
        for key in ordered:
            spki = key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            digest = hashlib.sha256(spki).hexdigest()
            if self.dnssec:
                out.append(f"_25._tcp.{h + '.':<{20 + len(d) - 9}} TLSA 3 1 1 {digest}")
            else:
                out.append(f";; _25._tcp.{h + '.':<{20 + len(d) - 12}} TLSA 3 1 1 {digest}")
        out.append("")
        if d != h:
            out += [
                "; For the machine, only needs to be created once, for the first domain added:",
                "; ",
                f'{h + ".":<{20 + len(d)}} TXT "v=spf1 a -all"',
                "",
            ]
            if self.host_tlsrpt:
                out += [
                    "; For the machine, only needs to be created once, for the first domain",
                    "; ",
                    f"_smtp._tls.{h + '.':<{20 + len(d) - 11}}         TXT "
                    f'"v=TLSRPTv1; rua=mailto:tlsreports@{h}"',
                    "",
                ]
        out += [
            "; Deliver email for the domain to this host.",
            f"{d}.                    MX 10 {h}.",
            "",
            "; Outgoing messages will be signed with the first two DKIM keys. The other two",
            "; configured for backup, switching to them is just a config change.",
        ]
        for sel in sorted(self.keys):
            txt = self.dkim_value(sel)
            if len(txt) > 100:
                out += [
                    "; NOTE: The following is a single long record split over several lines",
                    "; in zone files. When adding through a DNS operator web interface,",
                    "; strings into a single string, without ().",
                ]
                chunks = [txt[i : i + 100] for i in range(0, len(txt), 100)]
                body = "(\n" + "".join(f' \t\t"{c}"\n' for c in chunks) + "\t)"
            else:
                body = f'"{txt}"'
            out.append(f"{sel}._domainkey.{d}.   TXT {body}")
        spf = " ".join(
            ["v=spf1"]
            + [("ip6:" if ":" in ip else "ip4:") + ip for ip in self.spf_ips()]
            + ["mx", "~all"]
        )
        out += [
            "",
            "; Specify the MX host is allowed to send for our domain and for itself.",
            f'{d}.                    TXT "{spf}"',
            "",
            "; Emails that fail the DMARC check (without aligned DKIM and without aligned SPF)",
            f'_dmarc.{d}.             TXT "v=DMARC1;p=reject;rua=mailto:dmarcreports@{d}!10m"',
            "",
            "; Remote servers can use MTA-STS to verify our TLS certificate with the",
            f"mta-sts.{d}.            CNAME {h}.",
            f'_mta-sts.{d}.           TXT "v=STSv1; id=20261125T083131"',
            "",
            "; Request reporting about TLS failures.",
            f'_smtp._tls.{d}.         TXT "v=TLSRPTv1; rua=mailto:tlsreports@{d}"',
            "",
        ]
        if csd != h:
            out += [
                "; Client settings will reference a subdomain of the hosted domain, making it",
                f"{csd + '.':<{20 + len(d)}} CNAME {h}.",
                "",
            ]
        out += [
            "; Autoconfig is used by Thunderbird. Autodiscover is (in theory) used by Microsoft.",
            f"autoconfig.{d}.         CNAME {h}.",
            f"_autodiscover._tcp.{d}. SRV 0 1 443 {h}.",
            "",
            "; For secure IMAP and submission autoconfig, point to mail host.",
            f"_imaps._tcp.{d}.        SRV 0 1 993 {csd}.",
            f"_submissions._tcp.{d}.  SRV 0 1 465 {csd}.",
            "",
            "; Next records specify POP3 and non-TLS ports are not to be used.",
            "; These are optional and safe to leave out (e.g. if you have to click a lot in a",
            "; DNS admin web interface).",
        ]
        nulls = (
            ("_imap", "0 1 143"),
            ("_submission", "0 1 587"),
            ("_pop3", "0 1 110"),
            ("_pop3s", "0 1 995"),
        )
        for svc, old in nulls:
            out.append(f"{svc}._tcp.{d}.   SRV {old if self.old_null_srv else '0 0 0'} .")
        out += [
            "",
            "; Optional:",
            "; You could mark Let's Encrypt as the only Certificate Authority",
            f'{d}.                    CAA 0 issue "letsencrypt.org"',
            ";",
            "; Note: After starting up, once an ACME account has been created, CAA records",
            "; that restrict issuance to the account will be suggested.",
        ]
        return "\n".join(out) + "\n"

    def dkim_value(self, sel: str) -> str:
        key = self.keys[sel]
        if isinstance(key, ed25519.Ed25519PrivateKey):
            raw = key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            return f"v=DKIM1;h=sha256;k=ed25519;p={base64.b64encode(raw).decode()}"
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return f"v=DKIM1;h=sha256;p={base64.b64encode(spki).decode()}"

    def write_config(self, directory: Path) -> None:
        """mox.conf and domains.conf in sconf (tabs), key files as Mox names them."""
        (directory / "dkim").mkdir(parents=True)
        (directory / "hostkeys").mkdir()
        pem = serialization.Encoding.PEM
        p8 = serialization.PrivateFormat.PKCS8
        none = serialization.NoEncryption()
        host_files = []
        for key in self.host_keys:
            kind = "rsa2048" if isinstance(key, rsa.RSAPrivateKey) else "ecdsap256"
            name = f"hostkeys/{self.hostname}.20261125T083131.{kind}.privatekey.pkcs8.pem"
            (directory / name).write_bytes(key.private_bytes(pem, p8, none))
            host_files.append(name)
        listener = ["\tpublic:", "\t\tIPs:"] + [f"\t\t\t- {ip}" for ip in self.ips]
        if self.natips:
            listener += ["\t\tNATIPs:"] + [f"\t\t\t- {ip}" for ip in self.natips]
        listener += ["\t\tTLS:", "\t\t\tACME: letsencrypt", "\t\t\tHostPrivateKeyFiles:"]
        listener += [f"\t\t\t\t- {f}" for f in host_files]
        listener += ["\t\tSMTP:", "\t\t\tEnabled: true"]
        static = [
            "# NOTE: This config file is in 'sconf' format. Indent with tabs.",
            "DataDir: ../data",
            f"Hostname: {self.hostname}",
            "Listeners:",
            "\tinternal:",
            "\t\tIPs:",
            "\t\t\t- 127.0.0.1",
            "\t\t\t- ::1",
            *listener,
            "HostTLSRPT:",
            "\tLocalpart: tlsreports",
        ]
        (directory / "mox.conf").write_text("\n".join(static) + "\n")
        dyn = ["Domains:", f"\t{self.domain}:", "\t\tDKIM:", "\t\t\tSelectors:"]
        for sel, key in sorted(self.keys.items()):
            kind = "ed25519" if isinstance(key, ed25519.Ed25519PrivateKey) else "rsa2048"
            name = f"dkim/{sel}._domainkey.{self.d}.20261125T083131.{kind}.privatekey.pkcs8.pem"
            header = f"Note: {kind} dkim private key for {sel}._domainkey.{self.d}\n\n"
            body = key.private_bytes(pem, p8, none).decode()
            lines = body.splitlines()
            (directory / name).write_text(
                "\n".join([lines[0], header.rstrip("\n"), "", *lines[1:]]) + "\n"
            )
            dyn += [
                f"\t\t\t\t{sel}:",
                "\t\t\t\t\tExpiration: 72h",
                f"\t\t\t\t\tPrivateKeyFile: {name}",
            ]
        dyn += [
            "\t\t\tSign:",
            f"\t\t\t\t- {sorted(self.keys)[0]}",
            "Accounts:",
            "\tadmin:",
            f"\t\tDomain: {self.domain}",
        ]
        (directory / "domains.conf").write_text("\n".join(dyn) + "\n")
