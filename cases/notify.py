"""Notifications, written in the action's transaction.

A notification commits with the case change or not at all: a rolled-back action notifies
nobody, and a process killed just after the commit loses no notice. A recipient with a phone
(a unit's duty phone, a person's mobile) also gets a text message (org/sms.py): queued in the
database with the change when TASK_QUEUE=database, sent only after the commit otherwise.

Besides the verbs, one notice comes from the clock: "deadline near" (cases/reminders.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks_db import DatabaseBackend

from cases.models import Case, Notification, Verb
from org.models import Person, Unit
from org.sms import sms_task

DEADLINE_NEAR = "deadline_near"
DEADLINE_NEAR_LABEL = gettext_lazy("Deadline near (即将超时)")


def notify(case: Case, verb: str, recipient: Unit | Person) -> None:
    unit = recipient if isinstance(recipient, Unit) else None
    person = recipient if isinstance(recipient, Person) else None
    Notification.objects.create(case=case, verb=verb, unit=unit, person=person)
    if recipient.phone:
        text_later(recipient.phone, sms_text(case.number, verb))


def text_later(phone: str, text: str) -> None:
    """A task queued in the database is a row of the current transaction: it commits with the
    change. Any other queue runs tasks at once, so it waits for the commit."""
    if isinstance(sms_task.get_backend(), DatabaseBackend):
        sms_task.enqueue(phone, text)
    else:
        transaction.on_commit(lambda: sms_task.enqueue(phone, text))


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
