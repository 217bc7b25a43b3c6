"""``zonegen check``: mail-DNS lint rules over the built zones.

Each rule function yields :class:`Problem` objects with a kebab-case rule id, a severity, the
record and a one-line fix. ``RULES`` is the registry, in the order problems are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..pipeline import Build
from ..problem import ERROR, WARNING, Problem
from ..sources.files import show
from . import dkim, dmarc, general, keys, policy, providers, spf, targets, tlsa
from .context import Context

Rule = Callable[[Context], Iterator[Problem]]

RULES: tuple[Rule, ...] = (
    general.build_problems,
    keys.dkim_key_mismatch,
    keys.tlsa_host_key_mismatch,
    spf.spf_records,
    dmarc.dmarc_records,
    dkim.dkim_records,
    tlsa.tlsa_records,
    targets.mx_srv_targets,
    targets.cnames,
    policy.mta_sts,
    policy.tlsrpt,
    policy.caa,
    providers.provider_support,
    general.ttl_bounds,
    general.octodns_validators,
    general.retired_expired,
)

__all__ = ["ERROR", "RULES", "WARNING", "Problem", "run_checks"]


def load_octodns_config(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InputError(f"cannot read the octoDNS config: {e}", path=show(path)) from None
    return data if isinstance(data, dict) else None


def run_checks(
    build: Build,
    *,
    errors_only: bool = False,
    with_octodns: bool = True,
    provider: str | None = None,
) -> list[Problem]:
    """Every rule over ``build``; sorted, each problem once.

    ``with_octodns=False`` leaves out octoDNS's record validators: ``zonegen build`` runs
    them anyway while rendering (and stops on the first failure), so not twice.
    ``provider`` checks the zones against that one octoDNS target instead of the targets
    of the octoDNS config (``zonegen check --provider``).
    """
    path = build.site.octodns
    config = load_octodns_config(path)
    if provider is not None:
        config = providers.only(config, provider)
    ctx = Context(build, config, show(path) if path else "")
    found: set[Problem] = set()
    for rule in RULES:
        if rule is general.octodns_validators and not with_octodns:
            continue
        for problem in rule(ctx):
            if not errors_only or problem.severity == ERROR:
                found.add(problem)
    return sorted(found, key=lambda p: (p.severity != ERROR, p.zone, p.name, p.rtype, p.rule))
