"""A case as its reporter follows it: the status in plain words and a short public timeline.

Only what the public may know is read: the case's own status and the time and target status of
each event. Never who acted, for which unit, with what note, nor the reporter's contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, Satisfaction, Status, Verb


class Stage(models.TextChoices):
    """What the public sees of the loop: several working statuses make one stage."""

    RECEIVED = "received", pgettext_lazy("portal stage", "Received")
    VERIFYING = "verifying", pgettext_lazy("portal stage", "Being verified on site")
    ACCEPTED = "accepted", pgettext_lazy("portal stage", "Accepted")
    DISPATCHED = "dispatched", pgettext_lazy("portal stage", "Sent to the responsible department")
    HANDLING = "handling", pgettext_lazy("portal stage", "Being handled")
    HANDLED = "handled", pgettext_lazy("portal stage", "Handled, result being checked")
    ON_HOLD = "on_hold", pgettext_lazy("portal stage", "On hold")
    CLOSED = "closed", pgettext_lazy("portal stage", "Closed")
    NOT_TAKEN_UP = "not_taken_up", pgettext_lazy("portal stage", "Not taken up")
    MERGED = "merged", pgettext_lazy("portal stage", "Merged with an earlier report")


STAGE_OF: dict[str, Stage] = {
    Status.REPORTED: Stage.RECEIVED,
    Status.VERIFYING: Stage.VERIFYING,
    Status.ACCEPTED: Stage.ACCEPTED,
    Status.FILED: Stage.ACCEPTED,
    Status.SELF_HANDLED: Stage.HANDLED,
    Status.DISPATCHED: Stage.DISPATCHED,
    Status.HANDLING: Stage.HANDLING,
    Status.HANDLED: Stage.HANDLED,
    Status.CHECKING: Stage.HANDLED,
    Status.CHECKED: Stage.HANDLED,
    Status.SUSPENDED: Stage.ON_HOLD,
    Status.CLOSED: Stage.CLOSED,
    Status.DECLINED: Stage.NOT_TAKEN_UP,
    Status.REJECTED: Stage.NOT_TAKEN_UP,
    Status.VOIDED: Stage.NOT_TAKEN_UP,
    Status.MERGED: Stage.MERGED,
}

EXPLAINED: dict[Stage, Promise] = {
    Stage.RECEIVED: _("Your report has reached the supervision center and waits to be read."),
    Stage.VERIFYING: _("An inspector is on the way to look at the place."),
    Stage.ACCEPTED: _("The problem is confirmed and will be sent to the department in charge."),
    Stage.DISPATCHED: _("The department in charge has been asked to solve the problem."),
    Stage.HANDLING: _("The department in charge is working on the problem."),
    Stage.HANDLED: _("The department reports the problem solved; an inspector checks the result."),
    Stage.ON_HOLD: _("The problem needs a longer-term solution and is kept on the books."),
    Stage.CLOSED: _("The problem is solved and the case is closed. Tell us how satisfied you are."),
    Stage.NOT_TAKEN_UP: _(
        "The case was not taken up: it lies outside urban management's remit or could not be "
        "confirmed on site. Call the hotline if you think this is wrong."
    ),
    Stage.MERGED: _("Someone reported the same problem earlier; it is followed there."),
}

RATED: dict[str, Promise] = {
    Satisfaction.SATISFIED: _("You rated the result: satisfied"),
    Satisfaction.BASICALLY: _("You rated the result: basically satisfied"),
    Satisfaction.DISSATISFIED: _("You rated the result: dissatisfied; the case was reopened"),
}


@dataclass(frozen=True)
class Step:
    label: str | Promise
    at: datetime


def stage(case: Case) -> Stage:
    return STAGE_OF[case.status]


def explanation(case: Case) -> Promise:
    return EXPLAINED[stage(case)]


def timeline(case: Case) -> list[Step]:
    """Each stage the case entered, in order, with when; a rating is a step of its own."""
    steps: list[Step] = []
    last: Stage | None = None
    events = case.events.order_by("sequence").values_list("verb", "to_status", "at", "data")
    for verb, to_status, at, data in events:
        if verb == Verb.CALLBACK:
            rated = RATED.get((data or {}).get("satisfaction", ""))
            if rated is not None:
                steps.append(Step(rated, at))
        now_in = STAGE_OF.get(to_status)
        if now_in is not None and now_in != last:
            steps.append(Step(now_in.label, at))
            last = now_in
    return steps
