"""zonegen's additions to octoDNS, for ``config/octodns.yaml``.

- :class:`GoogleCloudProvider`: octodns-googlecloud with TLSA (DANE) records, an
  ``api_endpoint`` option and ``anonymous`` credentials for emulators and tests.
- :class:`DeleteGuard`: a processor that stops a sync that would delete records zonegen does
  not manage, unless it is forced.

octoDNS imports them from the config (``class: zonegen.octodns.GoogleCloudProvider``).
"""

from .googlecloud import GoogleCloudProvider
from .guard import DeleteGuard, UnmanagedDelete

__all__ = ["DeleteGuard", "GoogleCloudProvider", "UnmanagedDelete"]
