"""Status pushes to partner systems, written to an outbox (Delivery rows) whenever a case that
came from a partner changes. Nothing is sent here: `manage.py deliver_partner_callbacks`
posts the rows later (intake/partners/delivery.py), so a slow partner never slows a verb.

A case that is finished (closed, not accepted, not filed, voided, merged) carries its result
(结果反馈): the city platform learns how the case it referred down ended, with the handling
unit's feedback text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from cases.models import STATUS_KIND, Case, CaseEvent, StatusKind
from intake.partners.models import CHANNEL_OF_KIND, Delivery, Incident

PARTNER_CHANNELS = frozenset(CHANNEL_OF_KIND.values())


def on_case_changed(
    sender: object, *, case: Case, verb: str, event: CaseEvent, **kwargs: object
) -> None:
    """cases.signals.case_changed, inside the verb's transaction: the push is written with the
    change or not at all (never lost to a crash after the commit), and the case's row lock
    orders a case's pushes. Cases of the other channels never came from a partner."""
    if case.channel in PARTNER_CHANNELS:
        queue_status_push(case, verb, event)


def queue_status_push(
    case: Case, verb: str, event: CaseEvent | None = None, *, now: datetime | None = None
) -> list[Delivery]:
    """An outbox row for each active partner with a callback URL whose incident is this case,
    telling of `event` (the case's latest when not given)."""
    incidents = (
        Incident.objects.filter(case_id=case.pk, partner__revoked_at__isnull=True)
        .exclude(partner__callback_url="")
        .select_related("partner")
    )
    now = now or timezone.now()
    event = event or case.events.order_by("-sequence").first()
    return [
        Delivery.objects.create(
            partner=incident.partner,
            case_id=case.pk,
            verb=verb,
            payload=status_payload(incident, case, verb, event),
            created_at=now,
            next_attempt_at=now,
        )
        for incident in incidents
    ]


def status_payload(
    incident: Incident, case: Case, verb: str, last: CaseEvent | None
) -> dict[str, Any]:
    """What the partner is told: its incident, the case, the step just taken and, once the
    case is finished, the result. Labels in the platform's language (Chinese by default)."""
    with translation.override(settings.LANGUAGE_CODE):
        payload: dict[str, Any] = {
            "incident_id": incident.incident_id,
            "case": case.number,
            "verb": verb,
            "sequence": last.sequence if last else 0,
            "status": case.status,
            "status_label": str(case.get_status_display()),
            "changed_at": _iso(last.at if last else None),
        }
        if STATUS_KIND[case.status] == StatusKind.CLOSED:
            payload["result"] = case_result(case, last.reason if last else "")
    return payload


def case_result(case: Case, reason: str) -> dict[str, Any]:
    """How a finished case ended (结案/不予受理/不予立案…): for the referring platform."""
    feedback = case.events.filter(verb="feedback").order_by("-sequence").first()
    return {
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "closing_type": case.closing_type,
        "closing_type_label": str(case.get_closing_type_display()) if case.closing_type else "",
        "closed_at": _iso(case.closed_at),
        "reason": reason,
        "feedback": feedback.reason if feedback else "",
        "feedback_at": _iso(feedback.at if feedback else None),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
