"""A guard against deleting records zonegen does not manage.

octoDNS makes the target equal to the source, so by itself it deletes every record of the
live zone that is not in zones/: a website's A record, a verification TXT, an ACME challenge.
zonegen manages exactly what is in zones/; everything else is someone else's. This processor
makes any such deletion a decision: the plan becomes unsafe, and ``octodns-sync`` stops with
a message that names the records and says what to do, unless it is run with ``--force``
(octoDNS's own way to ask for an unsafe plan, as for its thresholds and root NS changes).
With ``keep_unmanaged: true`` the deletions are dropped from the plan instead, so records
made outside zonegen survive every sync silently.

Unlike octoDNS's OwnershipProcessor it adds no marker records, so the live zone holds exactly
what zonegen built; the price is that a record zonegen stops producing (a retired DKIM
selector) is also only deleted with ``--force``, after review.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from octodns.processor.base import BaseProcessor
from octodns.provider.plan import Plan, UnsafePlan
from octodns.record.change import Delete
from octodns.zone import Zone


class UnmanagedDelete(UnsafePlan):  # type: ignore[misc]
    """A plan would delete records that are not in zones/."""


class _GuardedPlan(Plan):  # type: ignore[misc]
    def __init__(self, plan: Any, reason: str) -> None:
        super().__init__(
            plan.existing,
            plan.desired,
            plan.changes,
            plan.exists,
            plan.update_pcent_threshold,
            plan.delete_pcent_threshold,
            plan.meta,
        )
        self.reason = reason

    def raise_if_unsafe(self) -> None:
        super().raise_if_unsafe()
        raise UnmanagedDelete(self.reason)


class DeleteGuard(BaseProcessor):  # type: ignore[misc]
    """Refuse (unless forced) or drop (``keep_unmanaged``) deletions of unmanaged records."""

    def __init__(self, name: str, keep_unmanaged: bool = False, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.keep_unmanaged = keep_unmanaged
        self.log = logging.getLogger(f"DeleteGuard[{name}]")
        refusals_without_traceback()

    def process_plan(self, plan: Any, sources: Any, target: Any, lenient: bool = False) -> Any:
        if not plan:
            return plan
        kept_glue = _glue_deletes(plan, target)
        if kept_glue:
            plan = _with_changes(plan, [c for c in plan.changes if c not in kept_glue])
            if plan is None:
                return None
        deletes = [c for c in plan.changes if isinstance(c, Delete)]
        if not deletes:
            return plan
        zone = plan.desired.decoded_name
        if self.keep_unmanaged:
            self.log.warning("[%s] keeping %s, not in zones/", zone, _names(deletes))
            return _with_changes(plan, [c for c in plan.changes if not isinstance(c, Delete)])
        return _GuardedPlan(
            plan,
            f"[{zone}] would delete {_names(deletes)}, not in zones/ and so not managed by "
            "zonegen. To keep them, add them to the site file (zonegen import) or set "
            "keep_unmanaged: true on the delete-guard processor; to delete them, review the "
            "plan and run octodns-sync --doit --force.",
        )


def _with_changes(plan: Any, changes: list[Any]) -> Any:
    """The plan with only ``changes`` (None when there are none left, as octoDNS expects)."""
    if not changes:
        return None
    return Plan(
        plan.existing,
        plan.desired,
        changes,
        plan.exists,
        plan.update_pcent_threshold,
        plan.delete_pcent_threshold,
        plan.meta,
    )


def _glue_deletes(plan: Any, target: Any) -> list[Any]:
    """Deletes of the addresses of the zone's own name servers (glue, RFC 1034 4.2.1): they
    belong to whoever runs the servers, like the apex NS that IgnoreRootNsFilter leaves
    alone. The provider drops the apex NS from ``existing`` before processors see it, so the
    zone is read again, only when there is an address to judge."""
    addresses = [
        c for c in plan.changes if isinstance(c, Delete) and c.record._type in ("A", "AAAA")
    ]
    if not addresses:
        return []
    probe = Zone(plan.desired.name, [])
    target.populate(probe, target=True)
    servers = {str(v).lower() for v in (probe.root_ns.values if probe.root_ns else [])}
    return [c for c in addresses if c.record.fqdn.lower() in servers]


def _names(changes: list[Any]) -> str:
    labels = sorted(f"{c.record.decoded_fqdn} {c.record._type}" for c in changes)
    shown = ", ".join(labels[:10]) + (f" and {len(labels) - 10} more" if len(labels) > 10 else "")
    return f"{len(labels)} record{'s' if len(labels) != 1 else ''} ({shown})"


# Errors a provider's API or octoDNS's config answers with: what to fix is in the message
# (HTTP status and reason, the record and file), and a traceback of the client library's
# internals above it hides that. Named by module and class, so no client library is imported.
_PROVIDER_ERRORS = frozenset(
    {
        ("google.api_core.exceptions", "GoogleAPICallError"),
        ("requests.exceptions", "RequestException"),
        ("octodns.provider", "ProviderException"),
        ("octodns.record.exception", "ValidationError"),
    }
)


def _refused_by_provider(value: BaseException) -> bool:
    return any((c.__module__, c.__name__) in _PROVIDER_ERRORS for c in type(value).__mro__)


def refusals_without_traceback() -> None:
    """Make a refused plan one message on stderr, not a traceback.

    ``octodns-sync`` does not catch the exception ``Plan.raise_if_unsafe`` raises: it ends
    the process as an uncaught exception, so Python prints a traceback of octoDNS's and
    zonegen's internals above the message that says what to do. A refusal is a decision to
    take, not a bug: for an :class:`UnsafePlan` (this guard's, and octoDNS's own thresholds
    and root NS changes), and for an error a provider's API or octoDNS's record validation
    answers with (HTTP 4xx/5xx, an invalid record), the hook prints ``<program>: error:
    <message>`` instead; the exit status stays 1, as for any uncaught exception. Every other
    exception still gets its traceback (the previous hook). Installed once, by the first
    DeleteGuard octoDNS builds from its config; a program that catches the exception itself
    never sees the hook.
    """
    previous = sys.excepthook
    if getattr(previous, "zonegen_refusals", False):
        return

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, UnsafePlan) or _refused_by_provider(value):
            program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "octodns-sync"
            sys.stderr.write(f"{program}: error: {value}\n")
            sys.stderr.flush()
            return
        previous(kind, value, tb)

    hook.zonegen_refusals = True  # type: ignore[attr-defined]
    sys.excepthook = hook
