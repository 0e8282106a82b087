"""Notifications, written after the action's transaction commits.

A notification never holds up or undoes an action: it is written once the case change is
durable, so a rolled-back action notifies nobody. A recipient with a phone (a unit's duty
phone, a person's mobile) also gets a text message (org/sms.py).

Besides the verbs, one notice comes from the clock: "deadline near" (cases/reminders.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, Notification, Verb
from org.models import Person, Unit
from org.sms import sms_task

DEADLINE_NEAR = "deadline_near"
DEADLINE_NEAR_LABEL = gettext_lazy("Deadline near (即将超时)")


def notify(case: Case, verb: str, recipient: Unit | Person) -> None:
    unit = recipient if isinstance(recipient, Unit) else None
    person = recipient if isinstance(recipient, Person) else None
    transaction.on_commit(lambda: _write(case, verb, unit, person))


def _write(case: Case, verb: str, unit: Unit | None, person: Person | None) -> None:
    Notification.objects.create(case=case, verb=verb, unit=unit, person=person)
    recipient = unit or person
    if recipient is not None and recipient.phone:
        sms_task.enqueue(recipient.phone, sms_text(case.number, verb))


def label(verb: str) -> str:
    """What a notification says happened, in the current language."""
    if verb == DEADLINE_NEAR:
        return str(DEADLINE_NEAR_LABEL)
    return str(Verb(verb).label) if verb in Verb.values else verb


def sms_text(number: str, verb: str) -> str:
    """A text message names the product, the case and what happened, in the platform's
    language (a recipient's own choice is not known outside a browser)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("UrbanGrid: case %(number)s, %(what)s.") % {"number": number, "what": label(verb)}
