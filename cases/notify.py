"""Notifications, written after the action's transaction commits.

A notification never holds up or undoes an action: it is written once the case change is
durable, so a rolled-back action notifies nobody.
"""

from __future__ import annotations

from django.db import transaction

from cases.models import Case, Notification
from org.models import Person, Unit


def notify(case: Case, verb: str, recipient: Unit | Person) -> None:
    unit = recipient if isinstance(recipient, Unit) else None
    person = recipient if isinstance(recipient, Person) else None
    transaction.on_commit(
        lambda: Notification.objects.create(case=case, verb=verb, unit=unit, person=person)
    )
