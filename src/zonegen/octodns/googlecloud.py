"""octodns-googlecloud's provider with TLSA, a configurable endpoint and anonymous credentials.

Cloud DNS serves TLSA, but octodns-googlecloud 1.1 leaves it out of SUPPORTS, so a zone with
DANE records either aborts the sync (SupportsException) or, with ``strict_supports: false``,
silently drops them. This subclass adds TLSA in both directions and changes nothing else of
upstream's behaviour, except CAA values, which are sent quoted, and TXT values, which are
escaped as RDATA text (below).
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable
from typing import Any

from google.auth.credentials import AnonymousCredentials
from google.cloud import dns
from octodns.provider.base import BaseProvider
from octodns.record import Record
from octodns_googlecloud import GoogleCloudProvider as UpstreamProvider


def _rrset(gcloud_zone: Any, record: Any, rrdatas: list[str]) -> Any:
    """The Cloud DNS record set of an octoDNS record, its values already in rrdata text."""
    return gcloud_zone.resource_record_set(record.fqdn, record._type, record.ttl, rrdatas)


def _rrset_method(text: Callable[[Any], str]) -> Callable[..., Any]:
    """An upstream ``_rrset_for_<type>`` method (upstream calls them by the record's type):
    the record set of an octoDNS record, each of its values written by ``text``, unless
    upstream passes the rrdata it already has."""

    def rrset_for(
        self: Any, gcloud_zone: Any, record: Any, gcloud_value: list[str] | None = None
    ) -> Any:
        return _rrset(gcloud_zone, record, gcloud_value or [text(v) for v in record.values])

    return rrset_for


class GoogleCloudProvider(UpstreamProvider):  # type: ignore[misc]
    """Google Cloud DNS with TLSA.

    Options, on top of upstream's ``project``, ``credentials_file``, ``batch_size``, ``private``:

    - ``api_endpoint``: the Cloud DNS API base URL (a Private Service Connect endpoint, an
      emulator, a test server). Default: Google's public endpoint.
    - ``anonymous``: use no credentials at all. Only for emulators and tests; needs ``project``.
    """

    SUPPORTS = UpstreamProvider.SUPPORTS | {"TLSA"}

    def __init__(
        self,
        id: str,
        project: str | None = None,
        credentials_file: str | None = None,
        batch_size: int = 1000,
        private: bool | None = None,
        api_endpoint: str | None = None,
        anonymous: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if not api_endpoint and not anonymous:
            super().__init__(id, project, credentials_file, batch_size, private, *args, **kwargs)
            return
        if anonymous and not project:
            raise ValueError(f"{id}: anonymous: true needs a project")
        # Upstream builds its client without client_options, so an endpoint cannot be passed
        # through it; this mirrors upstream's __init__ with a client built here.
        options = {"api_endpoint": api_endpoint} if api_endpoint else None
        if anonymous:
            client = dns.Client(
                project=project, credentials=AnonymousCredentials(), client_options=options
            )
        elif credentials_file:
            from google.oauth2 import service_account

            creds = service_account.Credentials.from_service_account_file(
                credentials_file, scopes=dns.Client.SCOPE
            )
            client = dns.Client(project=project, credentials=creds, client_options=options)
        else:
            client = dns.Client(project=project, client_options=options)
        self.gcloud_client = client
        self.batch_size = batch_size
        self.private = private
        self.log = logging.getLogger(f"GoogleCloudProvider[{id}]")
        self.id = id
        self._gcloud_zones: dict[str, Any] = {}
        self._gcloud_zones_records: dict[str, Any] = {}
        BaseProvider.__init__(self, id, *args, **kwargs)

    # TLSA (RFC 6698 2.2 presentation format: usage selector matching-type hex-data).

    def _data_for_TLSA(self, gcloud_record: Any) -> dict[str, Any]:
        values = []
        for rdata in gcloud_record.rrdatas:
            usage, selector, mtype, *data = rdata.split()
            values.append(
                {
                    "certificate_usage": int(usage),
                    "selector": int(selector),
                    "matching_type": int(mtype),
                    # Hex may come back upper-case or split in groups; it means the same.
                    "certificate_association_data": "".join(data).lower(),
                }
            )
        return {"values": values}

    _rrset_for_TLSA = _rrset_method(
        lambda v: (
            f"{v.certificate_usage} {v.selector} {v.matching_type} {v.certificate_association_data}"
        )
    )

    # CAA: upstream sends the value unquoted (`0 issue letsencrypt.org`). RFC 8659 4.1.1 gives
    # the value as a quoted string; unquoted, a value with spaces or ';' (Mox's suggested
    # `letsencrypt.org; accounturi=...`) is not one value any more, and upstream's own reader
    # (shlex) splits it. Quoted, both directions agree.

    _rrset_for_CAA = _rrset_method(lambda v: f"{v.flags} {v.tag} {_quote(v.value)}")

    def _data_for_CAA(self, gcloud_record: Any) -> dict[str, Any]:
        values = []
        for rdata in gcloud_record.rrdatas:
            flags, tag, value = shlex.split(rdata)
            values.append({"flags": int(flags), "tag": tag, "value": value})
        return {"values": values}

    # TXT and SPF: upstream writes octoDNS's legacy chunks (record.chunked_values), which
    # escape '"' but not '\\', and reads the rrdata back as it comes. octoDNS's TXT value is
    # the text itself (';' escaped as '\\;'), so a value with a backslash reached Cloud DNS
    # as an escape (`back\\slash` served as `back\slash`, `gr\195` as the octet 195) and every
    # later plan read it back unchanged: a silently different record (seen through
    # tests/fake_clouddns.py, which parses rrdatas as Cloud DNS does, RFC 1035 5.1). octoDNS's
    # own conversions to and from RDATA text (what Record.to_rrset and its zone-file sources
    # use) escape and chunk at 255 octets both ways.

    _rrset_for_TXT = _rrset_method(lambda v: v.to_rdata_text())
    _rrset_for_SPF = _rrset_for_TXT

    def _data_for_TXT(self, gcloud_record: Any) -> dict[str, Any]:
        value_type = Record.registered_types()[gcloud_record.record_type]._value_type
        return {"values": [value_type.from_rdata_text(r) for r in gcloud_record.rrdatas]}

    _data_for_SPF = _data_for_TXT


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
