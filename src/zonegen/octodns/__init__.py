"""zonegen's door to octoDNS, and its additions to octoDNS for ``config/octodns.yaml``.

- :mod:`.records`: octoDNS's record model for zonegen (validation, records, YAML); the only
  place, with the modules below, that imports octoDNS.
- :class:`GoogleCloudProvider`: octodns-googlecloud with TLSA (DANE) records, an
  ``api_endpoint`` option and ``anonymous`` credentials for emulators and tests.
- :class:`DeleteGuard`: a processor that stops a sync that would delete records zonegen does
  not manage, unless it is forced.

octoDNS imports them from the config (``class: zonegen.octodns.GoogleCloudProvider``). They
are imported on first use (PEP 562): the Google client takes a fifth of a second to import,
and ``zonegen build`` needs only :mod:`.records`.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DeleteGuard", "GoogleCloudProvider", "UnmanagedDelete"]

_WHERE = {
    "GoogleCloudProvider": ".googlecloud",
    "DeleteGuard": ".guard",
    "UnmanagedDelete": ".guard",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name], __name__), name)
