"""The tamper-evident audit trail: each case's events form a hash chain.

An event's hash covers its own content and the previous event's hash; the case keeps the hash of
its newest event (`audit_head`). Changing, removing or reordering any event, or dropping the
newest one, breaks a link that `verify_case` finds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from cases.models import Case, CaseEvent

GENESIS = "0" * 64


def event_hash(case_number: str, event: CaseEvent, previous_hash: str) -> str:
    content: dict[str, Any] = {
        "case": case_number,
        "sequence": event.sequence,
        "verb": event.verb,
        "actor": event.actor_id,
        "role": event.role,
        "unit": event.unit_id,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "data": event.data,
        "previous": previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal(case: Case, event: CaseEvent) -> None:
    """Link a new event to the case's chain (before it is saved)."""
    event.previous_hash = case.audit_head or GENESIS
    event.hash = event_hash(case.number, event, event.previous_hash)
    case.audit_head = event.hash


@dataclass(frozen=True)
class Finding:
    case_number: str
    sequence: int | None
    problem: str


def verify_case(case: Case, events: Iterable[CaseEvent]) -> Iterator[Finding]:
    """Every broken link in one case's chain (events in stored sequence order)."""
    previous, expected_sequence = GENESIS, 1
    for event in events:
        if event.sequence != expected_sequence:
            yield Finding(case.number, event.sequence, f"expected event {expected_sequence} here")
        if event.previous_hash != previous:
            yield Finding(case.number, event.sequence, "does not follow the previous event")
        if event.hash != event_hash(case.number, event, event.previous_hash):
            yield Finding(case.number, event.sequence, "content altered")
        previous, expected_sequence = event.hash, event.sequence + 1
    if previous != (case.audit_head or GENESIS):
        yield Finding(case.number, None, "the newest event is missing or replaced")


def verify_all(batch: int = 5000) -> Iterator[Finding]:
    """Check every case in two streamed queries (cases, and all events in case order)."""
    cases = Case.objects.order_by("pk").only("pk", "number", "audit_head").iterator(batch)
    events = CaseEvent.objects.order_by("case_id", "sequence").iterator(batch)
    pending = next(events, None)
    for case in cases:
        own: list[CaseEvent] = []
        while pending is not None and pending.case_id <= case.pk:
            if pending.case_id == case.pk:
                own.append(pending)
            pending = next(events, None)
        yield from verify_case(case, own)
