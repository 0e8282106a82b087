"""The admin of every audited model (lib/history.AuditedAdmin): a malformed History address is
refused like a malformed change page, not a server error; a save that changed nothing adds no
record to the history."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from cases.calendar import StageLimit
from lib.history import AuditedAdmin

pytestmark = pytest.mark.django_db

AUDITED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, AuditedAdmin)
)


def test_the_models_the_issue_names_are_audited() -> None:
    names = {name for _app, name in AUDITED}
    expected = {"filingcondition", "routingrule", "stagelimit", "calendarday", "calendaryear"}
    assert expected | {"weight", "band", "grade", "membership"} <= names


@pytest.mark.parametrize(("app", "model"), AUDITED)
def test_a_malformed_history_address_is_refused_without_a_server_error(
    admin_client: Client, app: str, model: str
) -> None:
    base = f"/admin/{app}/{model}"
    for address in (f"{base}/abc/history/", f"{base}/1/history/abc/", f"{base}/x%00/history/"):
        answer = admin_client.get(address)
        assert answer.status_code in (302, 404), (address, answer.status_code)


def test_saving_a_limit_unchanged_adds_nothing_to_its_history(admin_client: Client) -> None:
    limit = StageLimit.objects.get(stage="sign", urgency="normal")
    records = limit.history.count()
    form = {"stage": limit.stage, "urgency": limit.urgency, "minutes": limit.minutes,
            "clock": limit.clock}  # fmt: skip
    change = reverse("admin:cases_stagelimit_change", args=[limit.pk])
    assert admin_client.post(change, form).status_code == 302
    assert limit.history.count() == records
    assert admin_client.post(change, form | {"minutes": limit.minutes + 1}).status_code == 302
    assert limit.history.count() == records + 1
