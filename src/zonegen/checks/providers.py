"""Every record must fit every octoDNS target of its zone, before anyone syncs.

Types come from the provider class's own ``SUPPORTS``: octoDNS refuses a sync with any other
type (SupportsException), or with ``strict_supports: false`` drops those records with only a
log line; the stock octodns-googlecloud provider does that to TLSA. The service limits that
``SUPPORTS`` does not express (TTL ranges, value quirks, signing) come from
:mod:`zonegen.octodns.capabilities`, where each has its source.

The targets are those of the octoDNS config (site key ``octodns``), or the one provider that
``zonegen check --provider NAME`` names (:func:`only`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import names
from ..errors import InputError
from ..problem import ERROR, WARNING, Problem
from .context import Context

if TYPE_CHECKING:
    from ..octodns import capabilities as caps

# octodns.capabilities is imported by the functions that read a provider, once per call:
# a build without an octoDNS config never needs it.


def only(config: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """The octoDNS config narrowed to one target: a provider id of ``config``, a provider
    zonegen ships a config for (``powerdns``, ``cloudflare``, ...), or a class path."""
    from ..octodns import capabilities as caps

    providers = _mapping((config or {}).get("providers"))
    options: dict[str, Any] = {}
    if isinstance(providers.get(name), dict):
        class_path = str(providers[name].get("class", ""))
        options = {k: v for k, v in providers[name].items() if k == "min_ttl"}
    elif "." in name:
        class_path = name
    else:
        known = caps.known(name)
        if known is None:
            choices = ", ".join(p.name for p in caps.PROVIDERS)
            raise InputError(
                f"--provider {name}: not a provider of the octoDNS config nor one zonegen knows",
                hint=f"one of {choices}, a provider id of the octoDNS config, or a class "
                "path such as octodns_ns1.Ns1Provider",
            )
        class_path = known.class_path
    try:
        caps.supported_types(class_path)
    except caps.NotInstalled:
        # Asked for by name, a provider that cannot be loaded is a check that cannot be made
        # (exit 2), not a warning beside an exit 0 that reads as "nothing to report".
        raise InputError(
            f"--provider {name}: cannot load {class_path} to see what it supports",
            hint=_INSTALL_HINT,
        ) from None
    entry = {"class": class_path, **options}
    return {"providers": {name: entry}, "zones": {"*": {"targets": [name]}}}


# `make build` installs no provider extras: say how to add them, as a clone (no package
# index) does it.
_INSTALL_HINT = (
    "install the provider's package where zonegen runs; the ones zonegen ships configs for "
    "are its 'providers' extra: in zonegen's folder `.venv/bin/pip install -e '.[providers]'` "
    "(make plan does it)"
)


def _mapping(value: Any) -> dict[str, Any]:
    """A part of the octoDNS config that should be a mapping; anything else counts as empty
    (octoDNS itself says what is wrong with its config; this check only reads it)."""
    return value if isinstance(value, dict) else {}


def _targets(config: dict[str, Any], zone: str) -> list[str]:
    zones = _mapping(config.get("zones"))
    entry = next((zones[k] for k in _spellings(zone) if zones.get(k)), None)
    if entry is None:
        entry = zones.get("*")
    targets = _mapping(entry).get("targets")
    return [str(t) for t in targets] if isinstance(targets, list) else []


def zones_reached(ctx: Context) -> Iterator[Problem]:
    """``sync-zone-unlisted``, ``sync-zone-missing``: each built zone is one octodns-sync
    will plan. A dynamic entry (``'*'``, with ``glob``/``regex``) reaches the zones its
    sources list, and octoDNS's ``YamlProvider.list_zones`` lists only files directly in
    its folder with two dots or more (``<zone>.yaml``): a zone named with a ``/`` sits in a
    subfolder (RFC 2317 classless reverse zones) and is never listed (octodns/manager.py
    ``_preprocess_zones``, octodns/provider/yaml.py ``list_zones``)."""
    config = ctx.octodns_file
    if not config:
        return
    zones = _mapping(config.get("zones"))
    dynamic = [(k, _mapping(v)) for k, v in zones.items() if str(k).startswith("*")]
    origin = ctx.octodns_path
    for zone in ctx.build.zones:
        if _explicit(zones, zone.name):
            continue
        decoded = names.unicode(zone.name)
        file_name = decoded + "yaml"
        listable = "/" not in decoded and file_name.count(".") >= 2
        matching = [k for k, entry in dynamic if _matches(entry, decoded)]
        if matching and not listable:
            yield Problem(
                zone.name,
                decoded,
                "",
                "sync-zone-unlisted",
                ERROR,
                f"octodns-sync would skip this zone without a word: its file {file_name} "
                f"is one that octoDNS's YamlProvider does not list for {matching[0]!r}",
                f"give it its own entry in the octoDNS config: zones: {{'{decoded}': "
                "{sources: [zones], processors: [keep-root-ns, delete-guard], targets: [...]}}",
                origin,
            )
        elif not matching:
            yield Problem(
                zone.name,
                decoded,
                "",
                "sync-zone-missing",
                WARNING,
                "no entry of the octoDNS config's zones: names or matches this zone: "
                "octodns-sync leaves it alone",
                f"add an entry for {decoded} (or a '*' entry) if the zone should be synced",
                origin,
            )


def _explicit(zones: dict[Any, Any], zone: str) -> bool:
    return any(key in zones for key in _spellings(zone))


def _spellings(zone: str) -> tuple[str, ...]:
    """The keys an entry of the octoDNS config's ``zones:`` may name ``zone`` by."""
    shown = names.unicode(zone)
    return (zone, zone.rstrip("."), shown, shown.rstrip("."))


def _matches(entry: dict[str, Any], decoded: str) -> bool:
    """Whether a dynamic entry's ``glob`` or ``regex`` lets the zone through, as octoDNS
    filters its candidates (fnmatch, re.search); without either it takes every zone."""
    glob, regex = entry.get("glob"), entry.get("regex")
    if glob is not None:
        return bool(fnmatch.filter([decoded], str(glob)))
    if regex is not None:
        try:
            return re.search(str(regex), decoded) is not None
        except re.error:
            return True  # octoDNS itself says what is wrong with its config
    return True


def provider_support(ctx: Context) -> Iterator[Problem]:
    """``provider-unsupported-type``, ``provider-ttl``, ``provider-value``,
    ``provider-dnssec``, ``provider-unknown`` (warning)."""
    config = ctx.octodns
    if not config:
        return
    from ..octodns import capabilities as caps

    providers = _mapping(config.get("providers"))
    for zone in ctx.build.zones:
        shown_zone = names.unicode(zone.name)
        sets = zone.rrsets
        for target in _targets(config, zone.name):
            options = _mapping(providers.get(target))
            class_path = str(options.get("class", ""))
            min_ttl = options.get("min_ttl")
            if isinstance(min_ttl, bool) or not isinstance(min_ttl, int):
                min_ttl = None  # absent, or not a number (env/NAME): the documented one
            label = f"target {target!r} ({class_path})"
            try:
                supports = caps.supported_types(class_path)
            except caps.NotInstalled:
                yield Problem(
                    zone.name,
                    shown_zone,
                    "",
                    "provider-unknown",
                    WARNING,
                    f"cannot load {class_path!r} (target {target!r}) to see what it supports",
                    # `make build` installs no provider extras: say how to add them, as a
                    # clone (no package index) does it.
                    _INSTALL_HINT,
                    ctx.octodns_path,
                )
                continue
            known = caps.known(class_path)
            if known:
                gap = caps.zone_gap(known, signed=ctx.signed(zone.name))
                if gap:
                    yield _problem(zone.name, shown_zone, "", gap, label, ctx.octodns_path)
            for rrset in sets:
                where = str(rrset.records[0].origin)
                if supports is not None and rrset.rtype not in supports:
                    fix = (
                        f"use class: zonegen.octodns.GoogleCloudProvider for {target!r}"
                        if class_path == caps.STOCK_GOOGLE and rrset.rtype == "TLSA"
                        else f"use a provider that supports {rrset.rtype}, or drop the record"
                    )
                    gap = caps.Gap(
                        "provider-unsupported-type",
                        ERROR,
                        f"does not support {rrset.rtype}: octoDNS aborts the sync, or drops "
                        "the record with strict_supports off",
                        fix,
                    )
                    yield _problem(zone.name, rrset.name, rrset.rtype, gap, label, where)
                    continue
                if known is None:
                    continue
                facts = caps.RecordFacts(
                    rrset.name, rrset.rtype, rrset.ttl, tuple(r.value for r in rrset.records)
                )
                for gap in caps.record_gaps(known, facts, min_ttl=min_ttl):
                    yield _problem(zone.name, rrset.name, rrset.rtype, gap, label, where)


def _problem(zone: str, name: str, rtype: str, gap: caps.Gap, label: str, where: str) -> Problem:
    return Problem(
        zone,
        names.unicode(name),
        rtype,
        gap.rule,
        gap.severity,
        f"{label}: {gap.message}",
        gap.fix,
        where,
    )
