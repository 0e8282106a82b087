"""Reminders from the clock: "deadline near" once per step, when the step's light turns yellow
(cases/deadlines.py `light`). `manage.py notify_deadlines` runs it; run that every few minutes
(cron, or later a task queue).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from cases import deadlines
from cases.models import Case, Notification, Status, Task
from cases.notify import DEADLINE_NEAR, notify
from cases.steps import command_center, supervision_center
from org.models import Person, Unit

RUN_LOCK = 47678_0001  # any number no other advisory lock of the platform uses

# Who holds each step that runs on a clock, and is told when its deadline nears: the
# supervision center, the command center, the lead unit, or the inspector holding the task.
SUPERVISION, COMMAND, UNIT, INSPECTOR = "supervision", "command", "unit", "inspector"
STEP_HOLDER: dict[str, str] = {
    Status.REPORTED: SUPERVISION,
    Status.ACCEPTED: SUPERVISION,
    Status.SELF_HANDLED: SUPERVISION,
    Status.HANDLED: SUPERVISION,
    Status.CHECKED: SUPERVISION,
    Status.FILED: COMMAND,
    Status.DISPATCHED: UNIT,
    Status.HANDLING: UNIT,
    Status.VERIFYING: INSPECTOR,
    Status.CHECKING: INSPECTOR,
}


def notify_deadlines_near(now: datetime) -> int:
    """One "deadline near" notification for each running step whose light is yellow now, to
    whoever holds the step; never twice for the same step (a notice written since the step
    started counts). Returns how many were written. Run it every few minutes: a step whose
    yellow stretch passes between two runs goes red without this notice."""
    with transaction.atomic():
        one_run_at_a_time()
        return _notify(now)


def one_run_at_a_time() -> None:
    """Two runs at once (a slow run overlapped by the next, timers on two servers) would both
    find a step before either told it. On PostgreSQL a run waits for the one before it to
    commit, and then sees its notices."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])


def _notify(now: datetime) -> int:
    told = Notification.objects.filter(
        case=OuterRef("pk"), verb=DEADLINE_NEAR, created_at__gte=OuterRef("step_started_at")
    )
    running = Case.objects.filter(status__in=list(STEP_HOLDER), due_at__gt=now)
    near = [
        case
        for case in running.exclude(Exists(told)).select_related("responsible_unit")
        if deadlines.light(case, now) == deadlines.Light.YELLOW
    ]
    holders = _holders(near)
    written = 0
    for case in near:
        recipient = holders.get(case.pk)
        if recipient is not None:
            notify(case, DEADLINE_NEAR, recipient)
            written += 1
    return written


def _holders(cases: list[Case]) -> dict[int, Unit | Person]:
    """Who holds each case's step now (none for a unit-held step without a unit)."""
    tasks = Task.objects.filter(case__in=cases, done_at__isnull=True).select_related("inspector")
    inspectors = {task.case_id: task.inspector for task in tasks} if cases else {}
    centers: dict[str, Unit] = {}
    found: dict[int, Unit | Person] = {}
    for case in cases:
        holder = STEP_HOLDER[case.status]
        if holder == UNIT and case.responsible_unit is not None:
            found[case.pk] = case.responsible_unit
        elif holder == INSPECTOR and case.pk in inspectors:
            found[case.pk] = inspectors[case.pk]
        elif holder in (SUPERVISION, COMMAND):
            if holder not in centers:
                centers[holder] = (
                    supervision_center() if holder == SUPERVISION else command_center()
                )
            found[case.pk] = centers[holder]
    return found
