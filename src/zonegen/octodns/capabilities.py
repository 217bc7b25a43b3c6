"""What an octoDNS provider can hold, known before anyone syncs.

Two sources, kept apart:

- the provider class's own ``SUPPORTS`` (the record types octoDNS lets through to it), read
  from the class itself, imported lazily: octoDNS refuses a sync with any other type
  (SupportsException), or with ``strict_supports: false`` drops those records with a log line;
- the limits of the service behind it that ``SUPPORTS`` does not express (TTL ranges, value
  quirks, whether it can sign the zone), written down here from the providers' own
  documentation, each with its source.

Only this package imports octoDNS and its provider packages; ``zonegen check`` asks here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Gap:
    """One thing a provider cannot take as zonegen built it."""

    rule: str
    severity: str
    message: str
    fix: str


@dataclass(frozen=True)
class RecordFacts:
    """What the limits look at: one RRset as built (values in presentation format)."""

    name: str
    rtype: str
    ttl: int
    values: tuple[str, ...]


ValueQuirk = Callable[[RecordFacts], Gap | None]


@dataclass(frozen=True)
class Provider:
    """A provider zonegen ships a config for, and what its service documents."""

    name: str  # the short name for `zonegen check --provider`
    title: str
    class_path: str
    config: str  # the shipped config, under config/
    # TTLs the service stores as given; outside them it rejects the change (``ttl_rejected``)
    # or changes the TTL on its own (then every plan wants to change it back).
    min_ttl: int | None = None
    max_ttl: int | None = None
    ttl_rejected: bool = True
    ttl_note: str = ""
    # Whether the service signs zones (DNSSEC); None: it can, the operator turns it on.
    signs: bool | None = None
    dnssec_note: str = ""
    quirks: tuple[ValueQuirk, ...] = field(default=())


def _hetzner_caa_spaces(record: RecordFacts) -> Gap | None:
    # The Hetzner DNS API answers 422 "number of fields does not match record type" for a
    # CAA value with spaces (quoted or not), as DNSControl documents for its provider:
    # https://docs.dnscontrol.org/provider/hetzner ("Caveats: CAA").
    if record.rtype != "CAA" or not any(" " in v.split(" ", 2)[2] for v in record.values):
        return None
    return Gap(
        "provider-value",
        ERROR,
        "Hetzner's API refuses CAA values with spaces",
        "write the CAA parameters without spaces (letsencrypt.org;accounturi=...)",
    )


def _powerdns_txt_escapes(record: RecordFacts) -> Gap | None:
    # octodns-powerdns 1.2 sends a TXT value as '"' + value + '"' (_records_for_quoted),
    # escaping nothing, while octoDNS's value is the text itself. A '"' in it ends the
    # string early: PowerDNS answers 422 ("Data field in DNS should start with quote") and
    # the sync stops. A backslash is read by PowerDNS as an escape (RFC 1035 5.1): it serves
    # a different value, and reads back what was sent, so no plan ever shows the change.
    # Both seen against pdns_server 4.7 (tests/test_sync_powerdns.py). The values here are
    # dnspython's presentation text, which writes '"', '\' and other octets with a '\'.
    if record.rtype not in ("TXT", "SPF") or not any("\\" in v for v in record.values):
        return None
    return Gap(
        "provider-value",
        ERROR,
        "octodns-powerdns sends TXT text without escaping it: PowerDNS refuses a '\"' (the "
        "sync stops) and serves a different value for a backslash",
        "write the value without '\"', backslashes and non-ASCII octets",
    )


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "powerdns",
        "PowerDNS",
        "octodns_powerdns.PowerDnsProvider",
        "octodns-powerdns.yaml",
        # PowerDNS stores any 32-bit TTL and signs on request (pdnsutil secure-zone or the
        # API's dnssec: true): https://doc.powerdns.com/authoritative/dnssec/pdnsutil.html
        dnssec_note="pdnsutil secure-zone ZONE, or PUT /api/v1/servers/localhost/zones/ZONE "
        "with dnssec: true",
        quirks=(_powerdns_txt_escapes,),
    ),
    Provider(
        "cloudflare",
        "Cloudflare",
        "octodns_cloudflare.CloudflareProvider",
        "octodns-cloudflare.yaml",
        # "Value must be between 60 and 86400, with the minimum reduced to 30 for Enterprise
        # zones": https://developers.cloudflare.com/api/resources/dns/subresources/records/
        # (ttl). Below the minimum octodns-cloudflare raises the TTL itself (min_ttl, 120 by
        # default), above 86400 the API refuses the record.
        min_ttl=120,
        max_ttl=86400,
        ttl_rejected=False,
        ttl_note="octodns-cloudflare raises TTLs below its min_ttl (default 120) and Cloudflare "
        "refuses TTLs above 86400",
        dnssec_note="dashboard: DNS > Settings > DNSSEC > Enable (or PATCH "
        "/zones/ZONE_ID/dnssec with status: active); it shows the DS for the registrar",
    ),
    Provider(
        "hetzner",
        "Hetzner DNS",
        "octodns_hetzner.HetznerProvider",
        "octodns-hetzner.yaml",
        # Hetzner's DNS documentation lists DS records for delegations but serves no DNSKEY:
        # https://docs.hetzner.com/networking/dns/record-types/ds-record ("Hetzner currently
        # only supports DS records but no DNSKEY records"): zones hosted there are unsigned.
        signs=False,
        dnssec_note="Hetzner does not sign zones; DANE (TLSA) needs a signed zone",
        quirks=(_hetzner_caa_spaces,),
    ),
    Provider(
        "desec",
        "deSEC",
        "octodns_desec.DesecProvider",
        "octodns-desec.yaml",
        # TTLs from the domain's minimum_ttl (3600 unless deSEC lowered it for the account)
        # to 86400: https://desec.readthedocs.io/en/latest/dns/rrsets.html ("ttl"); outside
        # them the API answers 400 and octoDNS stops.
        min_ttl=3600,
        max_ttl=86400,
        ttl_note="deSEC refuses TTLs below the domain's minimum_ttl (3600 unless deSEC "
        "lowered it) and above 86400",
        # deSEC signs every zone itself: https://desec.readthedocs.io/en/latest/dns/domains.html
        signs=True,
        dnssec_note="always on; GET /api/v1/domains/ZONE/ shows the DS (keys[].ds)",
    ),
    Provider(
        "route53",
        "Amazon Route 53",
        "octodns_route53.Route53Provider",
        "octodns-route53.yaml",
        # Route 53 takes TTLs 0 to 2147483647:
        # https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
        # DNSSEC signing needs a KMS key (ECC_NIST_P256) in us-east-1:
        # https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-configuring-dnssec.html
        dnssec_note="aws route53 create-key-signing-key (KMS key in us-east-1), then "
        "enable-hosted-zone-dnssec; get-dnssec shows the DS",
    ),
    Provider(
        "googlecloud",
        "Google Cloud DNS",
        "zonegen.octodns.GoogleCloudProvider",
        "octodns.yaml",
        dnssec_note="gcloud dns managed-zones update ZONE --dnssec-state on",
    ),
    Provider(
        "bind",
        "BIND (RFC 2136)",
        "octodns_bind.Rfc2136Provider",
        "octodns-bind.yaml",
        dnssec_note="dnssec-policy with inline-signing on the zone (max-zone-ttl >= 604800)",
    ),
)

# The stock classes of the providers above, for configs that name them directly.
_ALIASES = {"octodns_googlecloud.GoogleCloudProvider": "googlecloud"}
STOCK_GOOGLE = "octodns_googlecloud.GoogleCloudProvider"


def known(name_or_class: str) -> Provider | None:
    """The provider by short name or class path (None when zonegen knows nothing of it)."""
    key = _ALIASES.get(name_or_class, name_or_class).lower()
    for provider in PROVIDERS:
        if key in (provider.name, provider.class_path.lower()):
            return provider
    return None


class NotInstalled(Exception):
    """The provider's class cannot be imported."""


def supported_types(class_path: str) -> frozenset[str] | None:
    """The class's ``SUPPORTS``; None when it is computed per instance (YamlProvider)."""
    module, _, name = class_path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except Exception as e:  # a missing package, a broken one, or no such class
        raise NotInstalled(f"{class_path}: {e}") from None
    supports = next((k.__dict__["SUPPORTS"] for k in cls.__mro__ if "SUPPORTS" in k.__dict__), None)
    return frozenset(supports) if isinstance(supports, set | frozenset | tuple) else None


def record_gaps(
    provider: Provider, record: RecordFacts, *, min_ttl: int | None = None
) -> Iterator[Gap]:
    """The documented limits ``record`` runs into at ``provider`` (types aside).

    ``min_ttl``: the ``min_ttl`` option of the provider's entry in the octoDNS config, which
    replaces the documented minimum (octodns-cloudflare's own option; for deSEC, whose
    minimum is per domain, the octoDNS provider ignores it and only this check reads it).
    """
    floor = min_ttl if min_ttl is not None and provider.min_ttl is not None else provider.min_ttl
    low = floor is not None and record.ttl < floor
    high = provider.max_ttl is not None and record.ttl > provider.max_ttl
    if low or high:
        bound = f"at least {floor}" if low else f"at most {provider.max_ttl}"
        yield Gap(
            "provider-ttl",
            ERROR if provider.ttl_rejected or high else WARNING,
            f"TTL {record.ttl} at {provider.title}: {provider.ttl_note}",
            f"a TTL of {bound} (ttl.default, ttl.kinds or ttl.overrides in the site file)",
        )
    for quirk in provider.quirks:
        gap = quirk(record)
        if gap:
            yield gap


def zone_gap(provider: Provider, *, signed: bool) -> Gap | None:
    """A zone that must be signed at a provider that cannot sign it."""
    if signed and provider.signs is False:
        return Gap(
            "provider-dnssec",
            ERROR,
            f"the zone is marked signed (signed: true, or Mox printed TLSA active) but "
            f"{provider.title} does not sign zones: its TLSA records would be unvalidated",
            "host the zone where it can be signed, or set signed: false (no DANE)",
        )
    return None
