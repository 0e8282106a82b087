"""Administrative edits to step limits and the working calendar are kept with who made them and
what was in force before (django-simple-history), like the filing limits and routing rules
(tests/catalog/test_admin.py): the seeded rows start their history as they were loaded."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from cases.calendar import CalendarDay, CalendarYear, StageLimit

pytestmark = pytest.mark.django_db


def test_a_step_limit_edited_in_the_admin_keeps_who_and_from_what(
    admin_client: Client, admin_user: User
) -> None:
    limit = StageLimit.objects.get(stage="sign", urgency="normal")  # seeded by a migration
    change = reverse("admin:cases_stagelimit_change", args=[limit.pk])
    form = {"stage": limit.stage, "urgency": limit.urgency, "minutes": 45, "clock": limit.clock}
    assert admin_client.post(change, form).status_code == 302
    seeded, edit = limit.history.order_by("history_date", "history_id")
    assert seeded.history_change_reason == "in force when the history began"
    assert edit.history_user == admin_user
    changes = {c.field: (c.old, c.new) for c in edit.diff_against(seeded).changes}
    assert changes == {"minutes": (limit.minutes, 45)}
    page = admin_client.get(reverse("admin:cases_stagelimit_history", args=[limit.pk]))
    assert page.status_code == 200 and admin_user.username in page.content.decode()


def test_a_holiday_added_and_removed_in_the_admin_is_on_record(
    admin_client: Client, admin_user: User
) -> None:
    add = reverse("admin:cases_calendarday_add")
    form = {"date": "2027-10-08", "kind": "holiday", "note": "国庆节"}
    assert admin_client.post(add, form).status_code == 302
    day = CalendarDay.objects.get(date=date(2027, 10, 8))
    delete = reverse("admin:cases_calendarday_delete", args=[day.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    kinds = [r.history_type for r in CalendarDay.history.filter(date=date(2027, 10, 8))]
    assert sorted(kinds) == ["+", "-"]
    assert {r.history_user for r in CalendarDay.history.filter(date=date(2027, 10, 8))} == {
        admin_user
    }


def test_the_years_entered_start_their_history_as_loaded() -> None:
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert years and set(CalendarYear.history.values_list("year", flat=True)) == years
