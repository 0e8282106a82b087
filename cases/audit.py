"""The tamper-evident audit trail: each case's events form a hash chain, and the case row must
agree with it.

An event's hash covers its own content and the previous event's hash; the case keeps the hash of
its newest event (`audit_head`). Changing, removing or reordering any event, or dropping the
newest one, breaks a link that `verify_case` finds. Each event also records the case's workflow
state after it (`state`), so a case row changed by hand (a deadline moved, a counter reset) no
longer matches its newest event. A photo's event records the SHA-256 of its stored file, so a
file swapped, damaged or lost (a restore without the media) is found by `verify_photos`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Final

from django.db.models import QuerySet

from cases.models import Case, CaseEvent, Photo, Verb, outcome_of

GENESIS = "0" * 64
# The columns the workflow changes: what a case's events must account for.
STATE_FIELDS: Final = (
    "status",
    "case_type_id",
    "condition_id",
    "is_urgent",
    "verified",
    "responsible_unit_id",
    "team_id",
    "suggested_unit_id",
    "step_started_at",
    "due_at",
    "step_clock",
    "handling_due_at",
    "suspended_at",
    "suspended_remaining",
    "urge_due_at",
    "pending_request",
    "pending_minutes",
    "urge_count",
    "dispatch_count",
    "return_count",
    "rework_count",
    "extension_count",
    "suspension_count",
    "reopen_count",
    "exempt",
    "closing_type",
    "satisfaction",
    "merged_into_id",
    "filed_at",
    "dispatched_at",
    "handled_at",
    "closed_at",
)


def moment(value: datetime | None) -> str | None:
    """A time as the trail keeps it: UTC, to the microsecond."""
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def case_state(case: Case) -> dict[str, Any]:
    """The case's workflow columns, as JSON values."""
    state = {}
    for name in STATE_FIELDS:
        value = getattr(case, name)
        if isinstance(value, datetime):
            value = moment(value)
        elif isinstance(value, float):
            value += 0.0  # -0.0 (late by none): PostgreSQL's jsonb gives it back as 0
        state[name] = value
    return state


def event_hash(case_number: str, event: CaseEvent, previous_hash: str) -> str:
    content: dict[str, Any] = {
        "case": case_number,
        "sequence": event.sequence,
        "verb": event.verb,
        "actor": event.actor_id,
        "role": event.role,
        "unit": event.unit_id,
        "at": moment(event.at),
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "data": event.data,
        "previous": previous_hash,
    }
    # Added later: left out when empty, so events written before still verify.
    extra = {
        "step_due": moment(event.step_due_at),
        "handling_due": moment(event.handling_due_at),
        "state": event.state or None,
    }
    content |= {key: value for key, value in extra.items() if value is not None}
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
    """Every broken link in one case's chain (events in stored sequence order), and every
    workflow column of the case row that differs from the state its newest event recorded."""
    previous, expected_sequence, status = GENESIS, 1, ""
    newest: CaseEvent | None = None
    for event in events:
        if event.sequence != expected_sequence:
            yield Finding(case.number, event.sequence, f"expected event {expected_sequence} here")
        if event.previous_hash != previous:
            yield Finding(case.number, event.sequence, "does not follow the previous event")
        if event.hash != event_hash(case.number, event, event.previous_hash):
            yield Finding(case.number, event.sequence, "content altered")
        if event.from_status != status:
            yield Finding(case.number, event.sequence, f"starts from {event.from_status!r}")
        if event.state and event.responsible_unit_id != event.state.get("responsible_unit_id"):
            # The column the evaluation groups by is outside the hash: it must match the
            # sealed state it copies.
            yield Finding(case.number, event.sequence, "responsible unit differs from its state")
        if event.outcome != outcome_of(event.data):
            yield Finding(case.number, event.sequence, "outcome differs from its details")
        previous, expected_sequence, status = event.hash, event.sequence + 1, event.to_status
        newest = event
    if previous != (case.audit_head or GENESIS):
        yield Finding(case.number, None, "the newest event is missing or replaced")
    if newest is not None and newest.state:
        actual = case_state(case)
        for name, value in newest.state.items():
            if actual.get(name) != value:
                yield Finding(case.number, None, f"{name} differs from its events")


def verify_all(batch: int = 5000, among: QuerySet[Case] | None = None) -> Iterator[Finding]:
    """Check every case (or those `among`) in two streamed queries (cases, and their events
    in case order)."""
    fields = ("pk", "number", "audit_head", *STATE_FIELDS)
    chosen = Case.objects.all() if among is None else among
    cases = chosen.order_by("pk").only(*fields).iterator(batch)
    ordered = CaseEvent.objects.order_by("case_id", "sequence")
    if among is not None:
        ordered = ordered.filter(case__in=among.values("pk"))
    events = ordered.iterator(batch)
    pending = next(events, None)
    for case in cases:
        own: list[CaseEvent] = []
        while pending is not None and pending.case_id <= case.pk:
            if pending.case_id == case.pk:
                own.append(pending)
            pending = next(events, None)
        yield from verify_case(case, own)


def verify_photos(batch: int = 500, among: QuerySet[Case] | None = None) -> Iterator[Finding]:
    """Every photo file (of the cases `among`, or all) against the SHA-256 its event recorded,
    and every photo with no event or event with no photo."""
    events = CaseEvent.objects.filter(verb=Verb.ADD_PHOTO).order_by("case_id", "sequence")
    photos = Photo.objects.all()
    if among is not None:
        events = events.filter(case__in=among.values("pk"))
        photos = photos.filter(case__in=among.values("pk"))
    recorded: set[int] = set()
    rows = events.values_list("case__number", "sequence", "data").iterator(batch)
    while chunk := list(islice(rows, batch)):
        stored = Photo.objects.only("image").in_bulk([data["photo"] for _n, _s, data in chunk])
        for number, sequence, data in chunk:
            recorded.add(data["photo"])
            problem = photo_problem(data["photo"], stored.get(data["photo"]), data["sha256"])
            if problem:
                yield Finding(number, sequence, problem)
    for pk, number in photos.exclude(pk__in=recorded).values_list("pk", "case__number"):
        yield Finding(number, None, f"photo {pk} has no event in the trail")


def photo_problem(pk: int, photo: Photo | None, recorded: str) -> str:
    """What is wrong with photo `pk` against the SHA-256 its event recorded ("" if nothing)."""
    if photo is None or not photo.image.name:
        return f"photo {pk} is gone"
    try:
        with photo.image.storage.open(photo.image.name, "rb") as stored:
            digest = hashlib.file_digest(stored, "sha256").hexdigest()
    except FileNotFoundError:
        return f"photo {pk}: its file is missing"
    return "" if digest == recorded else f"photo {pk}: its file differs from its event"
