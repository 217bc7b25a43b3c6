"""Every record type must be supported by every octoDNS target of its zone.

octoDNS refuses such a sync (SupportsException), or with ``strict_supports: false`` drops the
records with only a log line; the stock octodns-googlecloud provider does that to TLSA.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from .. import names
from ..problem import ERROR, WARNING, Problem
from .context import Context

_STOCK_GCP = "octodns_googlecloud.GoogleCloudProvider"


def _targets(config: dict[str, Any], zone: str) -> list[str]:
    zones = config.get("zones") or {}
    entry = zones.get(zone) or zones.get(zone.rstrip(".")) or zones.get(names.unicode(zone))
    if entry is None:
        entry = zones.get("*")
    return list((entry or {}).get("targets") or [])


def _supports(class_path: str) -> set[str] | None:
    module, _, name = class_path.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    supports = cls.__dict__.get("SUPPORTS") or next(
        (k.__dict__["SUPPORTS"] for k in cls.__mro__ if "SUPPORTS" in k.__dict__), None
    )
    # Some providers (YamlProvider) compute SUPPORTS per instance: nothing to say offline.
    return set(supports) if isinstance(supports, set | frozenset) else None


def provider_support(ctx: Context) -> Iterator[Problem]:
    """``provider-unsupported-type``, ``provider-unknown`` (warning)."""
    config = ctx.octodns
    if not config:
        return
    providers = config.get("providers") or {}
    for zone in ctx.build.zones:
        types = sorted({r.rtype for r in zone.records})
        for target in _targets(config, zone.name):
            class_path = str((providers.get(target) or {}).get("class", ""))
            try:
                supports = _supports(class_path)
            except (ImportError, AttributeError, ValueError):
                yield Problem(
                    zone.name,
                    names.unicode(zone.name),
                    "",
                    "provider-unknown",
                    WARNING,
                    f"cannot load {class_path!r} (target {target!r}) to see what it supports",
                    "install the provider's package",
                    ctx.octodns_path,
                )
                continue
            if supports is None:
                continue
            for rtype in types:
                if rtype in supports:
                    continue
                fix = (
                    f"use class: zonegen.octodns.GoogleCloudProvider for {target!r}"
                    if class_path == _STOCK_GCP and rtype == "TLSA"
                    else f"use a provider that supports {rtype}, or drop the records"
                )
                yield Problem(
                    zone.name,
                    names.unicode(zone.name),
                    rtype,
                    "provider-unsupported-type",
                    ERROR,
                    f"target {target!r} ({class_path}) does not support {rtype}: "
                    "octoDNS aborts the sync, or drops them with strict_supports "
                    "off",
                    fix,
                    ctx.octodns_path,
                )
