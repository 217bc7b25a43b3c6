"""zonegen's additions to octoDNS, for ``config/octodns.yaml``.

- :class:`GoogleCloudProvider`: octodns-googlecloud with TLSA (DANE) records, an
  ``api_endpoint`` option and ``anonymous`` credentials for emulators and tests.
- :class:`OwnershipGuard`: octoDNS's OwnershipProcessor that also refuses, unless the sync is
  forced, to delete or overwrite records zonegen did not create.

Both are imported by octoDNS from the config (``class: zonegen.octodns.GoogleCloudProvider``).
"""

from .googlecloud import GoogleCloudProvider
from .ownership import ForeignRecordChange, OwnershipGuard

__all__ = ["ForeignRecordChange", "GoogleCloudProvider", "OwnershipGuard"]
