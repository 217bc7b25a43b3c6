"""Ownership with a guard: zonegen changes only what it created, unless the sync is forced.

octoDNS deletes every record of the target that is not in the source. octoDNS's own
OwnershipProcessor answers that with a TXT marker per record it manages and leaves unmarked
records alone. This subclass keeps those markers and that rule, and makes the case visible:
when a plan would delete or overwrite a record that zonegen did not create (a website's A
record, a verification TXT, Google-managed data), the plan is unsafe. ``octodns-sync`` then
stops with a message that names the records and says what to do; ``--force`` applies the plan
as it stands, deletes included. With ``keep_foreign: true`` such records are kept silently
instead (plain OwnershipProcessor behaviour), for zones shared with other tools.
"""

from __future__ import annotations

import logging
from typing import Any

from octodns.processor.ownership import OwnershipProcessor
from octodns.provider.plan import Plan, UnsafePlan
from octodns.record.change import Update


class ForeignRecordChange(UnsafePlan):  # type: ignore[misc]
    """A plan would delete or overwrite records zonegen does not own."""


class _GuardedPlan(Plan):  # type: ignore[misc]
    def __init__(self, plan: Any, changes: list[Any], reasons: list[str]) -> None:
        super().__init__(
            plan.existing,
            plan.desired,
            changes,
            plan.exists,
            plan.update_pcent_threshold,
            plan.delete_pcent_threshold,
            plan.meta,
        )
        self.reasons = reasons

    def raise_if_unsafe(self) -> None:
        super().raise_if_unsafe()
        if self.reasons:
            raise ForeignRecordChange(" ".join(self.reasons))


class OwnershipGuard(OwnershipProcessor):  # type: ignore[misc]
    """OwnershipProcessor (markers ``_zonegen.<type>.<name>``) plus the guard above."""

    def __init__(
        self,
        name: str,
        txt_name: str = "_zonegen",
        txt_value: str = "managed by zonegen",
        txt_ttl: int = 300,
        keep_foreign: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, txt_name=txt_name, txt_value=txt_value, txt_ttl=txt_ttl, **kwargs)
        self.keep_foreign = keep_foreign
        self.log = logging.getLogger(f"OwnershipGuard[{name}]")

    def process_plan(self, plan: Any, sources: Any, target: Any, lenient: bool = False) -> Any:
        if not plan:
            return plan
        kept = super().process_plan(plan, sources, target, lenient=lenient)
        kept_changes = list(kept.changes) if kept else []
        owned_before = {
            self._decode_ownership_name(r) for r in plan.existing.records if self._is_ownership(r)
        }
        # What upstream filtered out: deletes of records without a marker.
        foreign_deletes = [c for c in plan.changes if c not in kept_changes]
        # What upstream lets through: replacing a record that has no marker yet.
        takeovers = [
            c
            for c in kept_changes
            if isinstance(c, Update)
            and not self._is_ownership(c.record)
            and (c.record.name, c.record._type) not in owned_before
        ]
        zone = plan.desired.decoded_name
        reasons = []
        changes = kept_changes
        if foreign_deletes and not self.keep_foreign:
            changes = list(plan.changes)
            reasons.append(
                f"[{zone}] would delete {_names(foreign_deletes)}, which zonegen does not manage "
                "(not in zones/, no ownership record). To keep them, add them to the site file "
                "(zonegen import) or set keep_foreign: true on this processor; to delete them, "
                "run octodns-sync --doit --force."
            )
        elif foreign_deletes:
            self.log.warning(
                "process_plan: [%s] keeping %s, not managed by zonegen",
                zone,
                _names(foreign_deletes),
            )
        if takeovers:
            reasons.append(
                f"[{zone}] would overwrite {_names(takeovers)}, created outside zonegen. "
                "Review the plan, then run octodns-sync --doit --force to take them over."
            )
        if not reasons:
            return kept
        return _GuardedPlan(plan, changes, reasons)


def _names(changes: list[Any]) -> str:
    labels = sorted(f"{c.record.decoded_fqdn} {c.record._type}" for c in changes)
    shown = ", ".join(labels[:10]) + (f" and {len(labels) - 10} more" if len(labels) > 10 else "")
    return f"{len(labels)} record{'s' if len(labels) != 1 else ''} ({shown})"
