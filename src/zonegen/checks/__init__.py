"""``zonegen check``: lint rules over the built zones, one registry.

Each :class:`Rule` has a kebab-case id, a severity, a one-line doc, the RFC section it comes
from, and the function that reports it. One function may report several related rules (it
parses a record once); the runner calls each function once. The README's rule table is made
from :data:`RULES` by ``python -m zonegen.checks.doc`` (``make docs``; ``make test`` checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import yaml

from ..errors import InputError
from ..pipeline import Result
from ..problem import ERROR, WARNING, Problem
from ..sources import DIRECTORY, MISSING, Blob
from . import bindfile, dkim, dmarc, general, keys, policy, providers, spf, targets, tlsa, wire
from .context import Context

Check = Callable[[Context], Iterator[Problem]]


class Rule(NamedTuple):
    id: str  # kebab-case; "octodns-*" stands for octoDNS's validator ids
    severity: str  # ERROR or WARNING (records kept from an imported zone: WARNING, see Context)
    rfc: str  # where the rule comes from
    doc: str  # one line: what it finds
    check: Check


E, W = ERROR, WARNING

RULES: tuple[Rule, ...] = (
    # what the build itself found
    Rule(
        "out-of-zone",
        E,
        "design: output rules",
        "a record outside every zone of the site file (one problem per missing zone)",
        general.build_problems,
    ),
    Rule(
        "import-conflict",
        E,
        "design: import",
        "a kept record and Mox's want the same name, and the site file has not decided (see "
        '"Adopting an existing zone")',
        general.build_problems,
    ),
    Rule(
        "dkim-key-mismatch",
        E,
        "RFC 6376 3.6.1",
        "with `mox.config`: a DKIM `p=` that is not the public key of its selector's key file",
        keys.dkim_key_mismatch,
    ),
    Rule(
        "tlsa-host-key-mismatch",
        E,
        "RFC 7671 5.1",
        "with `mox.config`: a TLSA 3 1 1 that is the SHA-256 of no host key",
        keys.tlsa_host_key_mismatch,
    ),
    # SPF
    Rule(
        "spf-version",
        E,
        "RFC 7208 4.5",
        "TXT meant as SPF that receivers do not take as SPF (`v=spf1` not followed by a "
        "space, leading space, `v = spf1`)",
        spf.spf_version,
    ),
    Rule(
        "spf-rrtype",
        E,
        "RFC 7208 3.1, 14.1",
        "a record of the retired SPF type (99); receivers read TXT only",
        spf.spf_rrtype,
    ),
    Rule(
        "spf-one-record",
        E,
        "RFC 7208 4.5",
        "more than one SPF record at a name: permerror",
        spf.spf_records,
    ),
    Rule(
        "spf-syntax",
        E,
        "RFC 7208 4.6, 5, 6, 7.1, 12",
        "not the record grammar: mechanisms, qualifiers, modifiers, macros and transformers, "
        "CIDR lengths (no leading zeros, dual `a//64`), domain-spec and its top label, "
        "duplicate `redirect`/`exp`: permerror",
        spf.spf_records,
    ),
    Rule(
        "spf-bad-name",
        E,
        "RFC 7208 4.8; RFC 1035 2.3.4",
        "a domain the grammar allows but DNS cannot look up (empty label, label over 63, name"
        " over 253 octets)",
        spf.spf_records,
    ),
    Rule(
        "spf-too-many-lookups",
        E,
        "RFC 7208 4.6.4",
        "more than 10 DNS-querying terms (include, a, mx, ptr, exists, redirect), following "
        "includes and redirects inside the built zones",
        spf.spf_records,
    ),
    Rule(
        "spf-lookups-unknown",
        W,
        "RFC 7208 4.6.4",
        "the lookups inside the zones plus one per include of a name outside them pass 10: "
        "the total cannot be told offline",
        spf.spf_records,
    ),
    Rule(
        "spf-include-loop",
        E,
        "RFC 7208 4.6.4",
        "include/redirect chains inside the zones that come back to a record on the chain",
        spf.spf_records,
    ),
    Rule(
        "spf-include-none",
        E,
        "RFC 7208 5.2, 6.1",
        "include: or redirect= of a name in these zones that has no SPF record, several, or a "
        "malformed one: permerror",
        spf.spf_records,
    ),
    Rule(
        "spf-void-lookups",
        E,
        "RFC 7208 4.6.4",
        "more than 2 a/mx/exists terms naming names in these zones that have no such records:"
        " permerror",
        spf.spf_records,
    ),
    Rule(
        "spf-mx-limit",
        E,
        "RFC 7208 4.6.4",
        "an mx term whose name in these zones has more than 10 MX records: permerror",
        spf.spf_records,
    ),
    Rule(
        "spf-after-all",
        W,
        "RFC 7208 5.1, 6.1",
        "mechanisms after `all`, or `redirect=` beside `all`: never evaluated",
        spf.spf_records,
    ),
    Rule(
        "spf-no-all",
        W,
        "RFC 7208 4.7",
        "no `all` and no `redirect=`: other senders get neutral",
        spf.spf_records,
    ),
    Rule(
        "spf-ptr",
        W,
        "RFC 7208 5.5",
        "the `ptr` mechanism or the `%{p}` macro, which the RFC says not to use",
        spf.spf_records,
    ),
    Rule(
        "spf-record-size",
        W,
        "RFC 7208 3.4",
        "SPF TXT data over 450 octets",
        spf.spf_records,
    ),
    Rule(
        "spf-host-not-allowed",
        E,
        "RFC 7208 2.3, 4",
        "the mail host's IPs do not pass the SPF of a domain whose MX is the host (or of the "
        "host itself), evaluated with check_host over the built zones",
        spf.spf_host_allowed,
    ),
    # DMARC
    Rule(
        "dmarc-syntax",
        E,
        "RFC 7489 6.3, 6.4; RFC 9989 4.7, 4.8",
        "TXT at `_dmarc` not starting with `v=DMARC1`; a part that is not tag=value, `;;`, a "
        "repeated tag, a value outside its grammar (`p`, `sp`, `np`, `adkim`, `aspf`, `fo`, "
        "`rf`, `ri`, `pct`, `psd`, `t`)",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-report-uri",
        E,
        "RFC 7489 6.2, 6.4",
        "`rua`/`ruf` entries that are not URIs, a `mailto:` that is not one address, a bad `!size`",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-report-scheme",
        W,
        "RFC 7489 6.2",
        "a report URI other than `mailto:`, which receivers need not support",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-report-size",
        W,
        "RFC 7489 6.4; RFC 9989 4.8",
        "a `!size` that does not fit 64 bits: RFC 7489 receivers drop the URI, RFC 9989 "
        "ignores sizes (obsolete syntax)",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-one-record",
        E,
        "RFC 7489 6.6.3",
        "more than one DMARC record: receivers apply none",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-no-policy",
        W,
        "RFC 7489 6.6.3; RFC 9989 4.7",
        "no `p=`: RFC 9989 reads p=none, RFC 7489 receivers may apply no DMARC",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-tag-order",
        W,
        "RFC 7489 6.4; RFC 9989 4.8",
        "`p=` not right after `v=DMARC1`: fine for RFC 9989, refused by RFC 7489 receivers",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-unknown-tag",
        W,
        "RFC 7489 6.3; RFC 9989 4.7",
        "a tag receivers ignore (often a typo)",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-subdomain-sp",
        W,
        "RFC 7489 6.3; RFC 9989 4.7",
        "`sp=`/`np=` on a record below a zone's apex, where receivers ignore them",
        dmarc.dmarc_records,
    ),
    Rule(
        "dmarc-external-report",
        W,
        "RFC 7489 7.1",
        "reports to another domain, which must publish `<domain>._report._dmarc.<other>` TXT "
        "`v=DMARC1`; checked when that zone is built here",
        dmarc.dmarc_records,
    ),
    # DKIM
    Rule(
        "dkim-one-key-per-selector",
        E,
        "RFC 6376 3.6.2.2",
        "more than one TXT record under one selector",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-syntax",
        E,
        "RFC 6376 3.2, 3.6.1",
        "not a tag list, a repeated tag, `v=` not first or not `DKIM1`, no `p=`",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-syntax-strict",
        W,
        "RFC 6376 3.2",
        "whitespace or `;` after the final `;`, which strict verifiers refuse",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-key-invalid",
        E,
        "RFC 6376 3.6.1, 6.1.2; RFC 8463 4",
        "`p=` not base64, not an RSA key (SPKI or RSAPublicKey), an Ed25519 key that is not "
        "32 octets, an unknown `k=`",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-rsa-too-short",
        E,
        "RFC 8301 3.2",
        "an RSA key under 1024 bits",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-rsa-short",
        W,
        "RFC 8301 3.2",
        "an RSA key under 2048 bits",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-rsa-too-long",
        W,
        "RFC 8301 3.2",
        "an RSA key over 4096 bits, beyond what verifiers must support",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-sha1",
        E,
        "RFC 8301 3.1",
        "`h=` without sha256: verifiers reject SHA-1 signatures, so none verifies",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-service",
        E,
        "RFC 6376 3.6.1",
        "`s=` naming no known service (`email`, `*`, `tlsrpt`)",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-testing",
        W,
        "RFC 6376 3.6.1",
        "`t=y`: testing mode",
        dkim.dkim_records,
    ),
    Rule(
        "dkim-key-revoked",
        W,
        "RFC 6376 3.6.1",
        "empty `p=`: a revoked key (on purpose: remove the record later)",
        dkim.dkim_records,
    ),
    # TLSA
    Rule(
        "tlsa-values",
        E,
        "RFC 6698 2.1; RFC 7671 4.1",
        "usage, selector or matching type not assigned: clients treat the record as unusable",
        tlsa.tlsa_records,
    ),
    Rule(
        "tlsa-private",
        W,
        "RFC 6698 7.2-7.4",
        "a parameter of 255 (private use)",
        tlsa.tlsa_records,
    ),
    Rule(
        "tlsa-data",
        E,
        "RFC 6698 2.1.3",
        "association data of the wrong length for SHA-256 (32 octets)/SHA-512 (64), or with "
        "matching type 0 not a DER certificate/SPKI",
        tlsa.tlsa_records,
    ),
    Rule(
        "tlsa-owner",
        E,
        "RFC 6698 3",
        "owner not `_<port>._<proto>.<host>`",
        tlsa.tlsa_records,
    ),
    Rule(
        "tlsa-pkix-smtp",
        W,
        "RFC 7672 3.1.3",
        "PKIX usages (0, 1) on port 25, which MTAs treat as unusable",
        tlsa.tlsa_records,
    ),
    Rule(
        "tlsa-without-dnssec",
        W,
        "RFC 7672 2.2",
        "TLSA in a zone not marked `signed: true` (and for which Mox did not print TLSA "
        "active); says how to sign and that `zonegen verify` confirms it",
        tlsa.tlsa_dnssec,
    ),
    # MX, SRV, NS, CNAME
    Rule(
        "null-mx",
        E,
        "RFC 7505 3",
        "a null MX (`0 .`) next to other MX records, or a `.` MX with a preference other than 0",
        targets.mx_srv_targets,
    ),
    Rule(
        "null-srv",
        E,
        "RFC 2782",
        "a `.` SRV target next to real ones",
        targets.mx_srv_targets,
    ),
    Rule(
        "mx-target-cname",
        E,
        "RFC 2181 10.3; RFC 5321 5.1",
        "an MX target that is a CNAME",
        targets.mx_srv_targets,
    ),
    Rule(
        "srv-target-cname",
        W,
        "RFC 2782",
        "an SRV target that is a CNAME, for your own records (Mox points "
        "`_imaps`/`_submissions` at its client-settings CNAME on purpose, mox PR 367)",
        targets.mx_srv_targets,
    ),
    Rule(
        "ns-target-cname",
        E,
        "RFC 2181 10.3",
        "an NS target (an NS record, or `bind.ns` at the apex of the BIND files) that is a "
        "CNAME (named refuses a zone whose apex NS is one)",
        targets.ns_targets,
    ),
    Rule(
        "target-no-address",
        E,
        "RFC 5321 5.1; RFC 2782",
        "an MX/SRV target inside the built zones without A/AAAA (a name in a zone delegated "
        "from them is the child zone's: `verify` checks it)",
        targets.mx_srv_targets,
    ),
    Rule(
        "target-not-absolute",
        E,
        "RFC 1035 5.1",
        "a site record's MX/SRV/CNAME/NS target without the trailing dot",
        targets.mx_srv_targets,
    ),
    Rule(
        "cname-coexistence",
        E,
        "RFC 2181 10.1; RFC 1034 3.6.2",
        "a CNAME with other data at its name",
        targets.cnames,
    ),
    Rule(
        "cname-at-apex",
        E,
        "RFC 1034 3.6.2; RFC 2181 10.1",
        "a CNAME at a zone's apex, where SOA and NS are",
        targets.cnames,
    ),
    Rule(
        "cname-chain",
        W,
        "RFC 1034 3.6.2",
        "a CNAME to a CNAME inside the zones (allowed, but slower and fragile)",
        targets.cnames,
    ),
    Rule(
        "cname-loop",
        E,
        "RFC 1034 3.6.2",
        "CNAMEs that form a loop",
        targets.cnames,
    ),
    # the BIND files: what named refuses (named-checkzone -i local -k fail -m fail -M fail -n fail)
    Rule(
        "ns-no-address",
        E,
        "RFC 1034 4.2.1; BIND zone_check_ns",
        "an apex NS (`bind.ns`, or the zone's own apex NS) naming a host inside the zone that "
        "has no A/AAAA in the BIND file (`bind.glue` or the zone's records): named refuses to "
        "load the zone",
        bindfile.name_servers,
    ),
    Rule(
        "ns-glue-missing",
        W,
        "RFC 1034 4.2.1",
        "a delegation (an NS record below the apex) to a host inside the zone without A/AAAA: "
        "named loads the zone, resolvers cannot reach the delegated servers (not for an NS "
        "below another delegation: it is never served)",
        bindfile.name_servers,
    ),
    Rule(
        "glue-mismatch",
        E,
        "RFC 2181 10.1; design: output rules",
        "`bind.glue` for a name that is a CNAME (CNAME and other data: named refuses the zone), "
        "or whose A/AAAA in the zone's records differ (the BIND file and zones/ would disagree)",
        bindfile.name_servers,
    ),
    Rule(
        "glue-unused",
        W,
        "RFC 1034 4.2.1",
        "`bind.glue` for a name that no NS of the zone names",
        bindfile.name_servers,
    ),
    Rule(
        "check-names",
        E,
        "RFC 952; RFC 1123 2.1; BIND check-names",
        "not a host name where BIND wants one (named's `check-names primary fail`): the owner "
        "of an A, AAAA or MX record (a leading `*` allowed), the target of an MX, NS or SRV "
        "record, `bind.ns`, the SOA's MNAME; an SOA RNAME that is not a mailbox; `bind.ns` "
        "written as an IP address (in the records: octoDNS's `octodns-*-value-not-ip`)",
        bindfile.host_names,
    ),
    # MTA-STS, TLS-RPT, CAA
    Rule(
        "mta-sts-syntax",
        E,
        "RFC 8461 3.1",
        "`_mta-sts` TXT not `v=STSv1; id=<1-32 letters/digits>` with well-formed extensions",
        policy.mta_sts,
    ),
    Rule(
        "mta-sts-one-record",
        E,
        "RFC 8461 3.1",
        "more than one `v=STSv1` record: senders apply no policy",
        policy.mta_sts,
    ),
    Rule(
        "mta-sts-host",
        E,
        "RFC 8461 3.3",
        "`_mta-sts` published but `mta-sts.<domain>` has no address or CNAME",
        policy.mta_sts,
    ),
    Rule(
        "tlsrpt-syntax",
        E,
        "RFC 8460 3",
        "`_smtp._tls` TXT not `v=TLSRPTv1; rua=` with `mailto:`/`https:` URIs and well-formed"
        " extensions",
        policy.tlsrpt,
    ),
    Rule(
        "tlsrpt-one-record",
        E,
        "RFC 8460 3",
        "more than one `v=TLSRPTv1` record: senders send no reports",
        policy.tlsrpt,
    ),
    Rule(
        "caa-syntax",
        E,
        "RFC 8659 4.1-4.4",
        "reserved flag bits set, a tag that is not letters and digits, an issue/issuewild "
        "value or parameter outside the grammar, an iodef that is not a mailto:/http(s): URL",
        policy.caa,
    ),
    Rule(
        "caa-critical-unknown",
        E,
        "RFC 8659 4.1",
        "an unknown tag with the critical flag: CAs may then issue nothing",
        policy.caa,
    ),
    Rule(
        "caa-unknown-tag",
        W,
        "RFC 8659 4.1",
        "an unknown tag without the critical flag: CAs ignore it",
        policy.caa,
    ),
    # the wire format
    Rule(
        "name-too-long",
        E,
        "RFC 1035 2.3.4",
        "an owner or target name with a label over 63 octets or over 255 octets in all",
        wire.fits,
    ),
    Rule(
        "txt-string-too-long",
        E,
        "RFC 1035 3.3",
        "a TXT character-string over 255 octets",
        wire.fits,
    ),
    Rule(
        "rdata-too-long",
        E,
        "RFC 1035 3.2.1",
        "a record whose rdata is over 65535 octets (named-checkzone refuses the zone)",
        wire.fits,
    ),
    Rule(
        "rrset-too-big",
        E,
        "RFC 1035 4.2.2",
        "an RRset that no DNS message over TCP (65535 octets) can carry",
        wire.fits,
    ),
    # the rest
    Rule(
        "provider-unsupported-type",
        E,
        "octoDNS providers",
        "an RRset whose type a target in the octoDNS config (site key `octodns`, default "
        "`octodns.yaml` next to the site file; or `--provider`) does not support, by the provider "
        "class's own `SUPPORTS`; for TLSA with the stock Google provider the fix names "
        "`zonegen.octodns.GoogleCloudProvider`",
        providers.provider_support,
    ),
    Rule(
        "provider-ttl",
        E,
        "octoDNS providers",
        "a TTL outside what the provider stores (Cloudflare at most 86400, raised to 120; deSEC "
        "3600 to 86400); a warning where the provider raises it itself",
        providers.provider_support,
    ),
    Rule(
        "provider-value",
        E,
        "octoDNS providers",
        "a value the provider's API refuses or changes (Hetzner: CAA with spaces; PowerDNS: TXT "
        "with '\"' or a backslash, which octodns-powerdns sends unescaped)",
        providers.provider_support,
    ),
    Rule(
        "provider-dnssec",
        E,
        "octoDNS providers",
        "a zone marked signed (`signed: true`, or TLSA Mox printed active) at a provider that "
        "does not sign (Hetzner)",
        providers.provider_support,
    ),
    Rule(
        "sync-zone-unlisted",
        E,
        "octoDNS",
        "a built zone that the octoDNS config's `'*'` entry cannot list (a `/` in its name, "
        "RFC 2317; a name of one label), so octodns-sync would skip it without a word: give "
        "it its own entry",
        providers.zones_reached,
    ),
    Rule(
        "sync-zone-missing",
        W,
        "octoDNS",
        "a built zone that no entry of the octoDNS config's `zones:` names or matches",
        providers.zones_reached,
    ),
    Rule(
        "provider-unknown",
        W,
        "octoDNS",
        "a target class of the octoDNS config that cannot be imported to see what it supports "
        "(`--provider NAME` that cannot be loaded: exit 2)",
        providers.provider_support,
    ),
    Rule(
        "host-ip-private",
        W,
        "RFC 1918, RFC 6598, RFC 4193",
        "the mail host's A/AAAA is a private, shared, link-local or loopback address",
        general.host_ip_private,
    ),
    Rule(
        "ttl-bounds",
        E,
        "site file",
        "a TTL outside `ttl.min` (default 60) to `ttl.max` (default 604800)",
        general.ttl_bounds,
    ),
    Rule(
        "octodns-*",
        E,
        "octoDNS",
        "what octoDNS's own record validators (the `strict` set) reject, under their ids "
        "(`octodns-<id>`)",
        general.octodns_validators,
    ),
    Rule(
        "retired-expired",
        W,
        "RFC 7671 8.1",
        "a `retired:` entry past its date (no longer published); remove it",
        general.retired_expired,
    ),
)

__all__ = ["ERROR", "RULES", "WARNING", "Problem", "Rule", "rule_of", "run_checks"]

_BY_ID = {rule.id: rule for rule in RULES}


def rule_of(rule_id: str) -> Rule | None:
    """The registry entry of a problem's rule id (``octodns-<id>`` -> ``octodns-*``)."""
    if rule_id.startswith("octodns-"):
        return _BY_ID["octodns-*"]
    return _BY_ID.get(rule_id)


def load_octodns_config(blob: Blob | None) -> dict[str, Any] | None:
    if blob is None or blob.status in (MISSING, DIRECTORY):
        return None
    try:
        data = yaml.safe_load(blob.text(what="octoDNS config"))
    except InputError as e:
        raise InputError(f"cannot read the octoDNS config: {e.message}", path=blob.shown) from None
    except yaml.YAMLError as e:
        raise InputError(f"cannot read the octoDNS config: {e}", path=blob.shown) from None
    return data if isinstance(data, dict) else None


def run_checks(
    build: Result,
    *,
    errors_only: bool = False,
    with_octodns: bool = True,
    provider: str | None = None,
    strict: bool = False,
) -> list[Problem]:
    """Every rule over ``build``; sorted, each problem once.

    ``with_octodns=False`` leaves out octoDNS's record validators: ``zonegen build`` runs
    them anyway while rendering (and stops on the first failure), so not twice.
    ``provider`` checks the zones against that one octoDNS target instead of the targets
    of the octoDNS config (``zonegen check --provider``). ``strict`` keeps problems with
    records kept from an imported zone errors (``check --strict``).
    """
    path = build.site.octodns
    blob = build.inputs.files.get(path) if path else None
    config = file_config = load_octodns_config(blob)
    if provider is not None:
        config = providers.only(config, provider)
    severities = {rule.id: rule.severity for rule in RULES}
    ctx = Context(build, config, blob.shown if blob else "", severities, strict)
    ctx.octodns_file = file_config
    found: set[Problem] = set()
    checks: dict[Check, None] = dict.fromkeys(rule.check for rule in RULES)
    for check in checks:
        if check is general.octodns_validators and not with_octodns:
            continue
        for problem in check(ctx):
            if not errors_only or problem.severity == ERROR:
                found.add(problem)
    # Every field in the key: problems come from a set, so ties would print in an order that
    # changes from run to run (string hashing is salted per process).
    return sorted(
        found,
        key=lambda p: (
            p.severity != ERROR,
            p.zone,
            p.name,
            p.rtype,
            p.rule,
            p.message,
            p.fix,
            p.origin,
        ),
    )
