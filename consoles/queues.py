"""What waits for each post: the queues a desk opens on. A queue is a filter on the cases the
post may see (Case.objects.visible_to), oldest deadline first; the verbs themselves are on
each case's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import (
    PUBLIC_CHANNELS,
    AmongIds,
    Case,
    CaseQuerySet,
    CoHandling,
    PendingRequest,
    Status,
    Task,
)
from consoles.rows import ROW_COLUMNS, ROW_RELATED
from intake.hotline.calls import wanting_callback
from org.access import Actor
from org.roles import Role

S, P = Status, PendingRequest
# A list counts at most this many rows, says "more" beyond, and pages no further: nobody reads
# the 21st page of a list, they narrow it (or export it); and counting or paging ten thousand
# rows of a unit's cases among a million took a fifth of a second.
COUNT_CAP = 1_000
COMMAND_REQUESTS = (P.RETURN, P.EXTENSION, P.SUSPENSION, P.APPEAL)
RECENT_REPORTS = timedelta(days=7)  # how far back an inspector's own reports are listed


@dataclass(frozen=True)
class Queue:
    key: str
    title: Promise
    select: Callable[[CaseQuerySet, Actor, datetime], CaseQuerySet]


def _status(*statuses: str) -> Callable[[CaseQuerySet, Actor, datetime], CaseQuerySet]:
    return lambda cases, actor, now: cases.filter(status__in=statuses, pending_request="")


def _lead(cases: CaseQuerySet, actor: Actor) -> CaseQuerySet:
    """The cases the actor's unit leads (主办), not those of its territory or co-handled."""
    return cases.filter(responsible_unit_id__in=actor.scope.unit_ids)


def _unanswered_parts(actor: Actor) -> AmongIds:
    """The cases where the actor's unit co-handles and has not reported its part (read first,
    a handful: the database then finds them by id, beside the other queues' conditions)."""
    parts = CoHandling.objects.filter(unit_id__in=actor.scope.unit_ids, replied_at=None)
    return AmongIds(parts.order_by().values_list("case_id", flat=True))


def _my_tasks(cases: CaseQuerySet, actor: Actor, now: datetime) -> CaseQuerySet:
    """The cases whose open verify or check task waits for this inspector (holds_task)."""
    if actor.post is None:
        return cases.none()
    person = actor.post.person_id
    task = Task.objects.filter(case=OuterRef("pk"), inspector_id=person, done_at=None)
    return cases.filter(Exists(task))


def _my_reports(cases: CaseQuerySet, actor: Actor, now: datetime) -> CaseQuerySet:
    if actor.user is None:
        return cases.none()
    return cases.filter(reporter=actor.user, created_at__gte=now - RECENT_REPORTS)


QUEUES: dict[str, tuple[Queue, ...]] = {
    Role.INSPECTOR: (
        Queue("tasks", _("Verify and check tasks sent to you"), _my_tasks),
        Queue("my_reports", _("Your reports of the last seven days"), _my_reports),
    ),
    Role.ACCEPTOR: (
        Queue("new", _("New reports to accept, verify or decline"), _status(S.REPORTED)),
        Queue("to_check", _("Handled, to send for an on-site check"), _status(S.HANDLED)),
        Queue(
            "callback",
            _("Public reports closed, to call back"),
            lambda cases, actor, now: wanting_callback(
                cases.filter(status=S.CLOSED, channel__in=PUBLIC_CHANNELS, satisfaction="")
            ),
        ),
    ),
    Role.SHIFT_LEADER: (
        Queue("to_file", _("Accepted, to file or reject"), _status(S.ACCEPTED)),
        Queue("to_close", _("Checked, to close"), _status(S.CHECKED, S.SELF_HANDLED)),
        Queue(
            "void",
            _("Void requests to decide"),
            lambda cases, actor, now: cases.filter(pending_request=P.VOID),
        ),
    ),
    Role.DISPATCHER: (
        Queue("to_dispatch", _("Filed, to dispatch"), _status(S.FILED)),
        Queue(
            "requests",
            _("Returns, extensions, suspensions and appeals to decide"),
            lambda cases, actor, now: cases.filter(pending_request__in=COMMAND_REQUESTS),
        ),
        Queue(
            "overdue",
            _("Overdue, to urge"),
            lambda cases, actor, now: cases.running_overdue(now),
        ),
    ),
    Role.HANDLER: (
        Queue(
            "to_sign",
            _("Dispatched to our unit, to sign for"),
            lambda cases, actor, now: _lead(cases, actor).filter(status=S.DISPATCHED),
        ),
        Queue(
            "handling",
            _("Being handled by our unit"),
            lambda cases, actor, now: _lead(cases, actor).filter(status=S.HANDLING),
        ),
        Queue(
            "urged",
            _("Urged, to answer"),
            lambda cases, actor, now: _lead(cases, actor).filter(urge_due_at__isnull=False),
        ),
        Queue(
            "co_handling",
            _("Co-handled by our unit, our part not reported yet"),
            lambda cases, actor, now: cases.filter(
                _unanswered_parts(actor), status__in=(S.DISPATCHED, S.HANDLING)
            ),
        ),
    ),
    Role.LEADER: (
        Queue(
            "appeals",
            _("Overdue appeals for the final review"),
            lambda cases, actor, now: cases.filter(pending_request=P.APPEAL_FINAL),
        ),
        Queue(
            "overdue",
            _("Overdue, to urge"),
            lambda cases, actor, now: cases.running_overdue(now),
        ),
    ),
}
QUEUES[Role.UNIT_ADMIN] = QUEUES[Role.HANDLER]


def queue_for(actor: Actor, key: str) -> Queue | None:
    return next((q for q in QUEUES.get(actor.role, ()) if q.key == key), None)


def cases_in(
    queue: Queue, actor: Actor, now: datetime, visible: CaseQuerySet | None = None
) -> CaseQuerySet:
    """The queue's cases, the nearest deadline first (those without one last), then oldest;
    among `visible`, what the actor may see (asked once for several queues)."""
    visible = Case.objects.visible_to(actor) if visible is None else visible
    cases = queue.select(visible, actor, now)
    return cases.order_by(F("due_at").asc(nulls_last=True), "created_at", "id")


class CappedCount(int):
    """A count that stops at COUNT_CAP + 1 rows, shown as "1000+" beyond the cap: counting
    the whole of a very long queue costs more than knowing it is very long."""

    def __str__(self) -> str:
        return f"{COUNT_CAP}+" if self > COUNT_CAP else int.__repr__(self)


def capped_count(cases: CaseQuerySet) -> CappedCount:
    return CappedCount(cases.order_by()[: COUNT_CAP + 1].count())


def waiting(
    actor: Actor, now: datetime, visible: CaseQuerySet | None = None, rows: int = 8
) -> list[tuple[Queue, CappedCount, list[Case]]]:
    """Each of the post's queues with its count and its first rows."""
    visible = Case.objects.visible_to(actor) if visible is None else visible
    found = []
    for queue in QUEUES.get(actor.role, ()):
        cases = cases_in(queue, actor, now, visible)
        first = cases.select_related(*ROW_RELATED).only(*ROW_COLUMNS)[:rows]
        found.append((queue, capped_count(cases), list(first)))
    return found
