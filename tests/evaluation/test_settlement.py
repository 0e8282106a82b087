"""Settled months: a month's counts kept when it is settled are what the evaluation, its report
and the dashboard's trend read afterwards, with no event counted again; what happens later
changes them only when the month is settled anew; a street's territory evaluated by a leader is
settled with the district, over its own cases, and any other set of cases is counted live."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import workflow as wf
from cases.models import Case
from evaluation.headline import headline, monthly
from evaluation.indicators import figures, figures_of
from evaluation.models import ObjectKind, SettledMonth
from evaluation.periods import Period
from evaluation.report import build_report
from evaluation.settlement import settle, unsettle, unsettled
from org.access import Actor, Refusal
from org.roles import Role, Scope
from tests.cases.conftest import EAST, MONDAY_10, World
from tests.cases.making import handling, reported
from tests.conftest import make_person
from tests.evaluation.test_indicators import NOVEMBER, TUESDAY_10, closed

pytestmark = pytest.mark.django_db
K = ObjectKind
OCTOBER = Period.month(date(2026, 10, 1))
DECEMBER_10 = MONDAY_10 + timedelta(days=17)  # November's appeals are decided


def history(world: World) -> Case:
    """November: one case handled on time, one handled late (its unit will appeal), one never
    handled; one in October."""
    closed(world, handling(world))
    late = handling(world)
    wf.feedback_case(late, actor=world.actors.handler_a, reason="已清理", now=TUESDAY_10)
    handling(world)
    closed(world, handling(world, MONDAY_10 - timedelta(days=28)))
    return late


def uphold_appeal(world: World, case: Case, now: datetime) -> None:
    a = world.actors
    wf.appeal_overdue(case, actor=a.admin_a, reason="暴雨无法作业", now=now)
    wf.decide_appeal(case, actor=a.dispatcher, approve=True, now=now)
    wf.decide_appeal(case, actor=a.leader, approve=True, now=now)


def tables(period: Period) -> dict[str, list[tuple[object, dict[str, int], float | None]]]:
    report = build_report(period, verify=False)
    return {
        kind: [(row.key, row.counts, row.exempt.score) for row in rows]
        for kind, rows in report.tables.items()
    } | {"headline": [(None, report.headline.as_dict(), None)]}


def test_a_settled_month_reads_as_it_was_counted_until_settled_again(world: World) -> None:
    late = history(world)
    counted = tables(NOVEMBER)
    settle(NOVEMBER, now=DECEMBER_10)
    assert tables(NOVEMBER) == counted

    uphold_appeal(world, late, DECEMBER_10)  # after the settlement
    unit = world.org.department_a.pk
    live = figures_of([K.UNIT], NOVEMBER, live=True)[K.UNIT][unit]
    assert live["handled_on_time__exempt"] == 2
    assert figures(K.UNIT, NOVEMBER)[unit]["handled_on_time__exempt"] == 1
    assert tables(NOVEMBER) == counted

    settle(NOVEMBER, now=DECEMBER_10)
    assert figures(K.UNIT, NOVEMBER)[unit] == live
    assert tables(NOVEMBER) != counted


def test_reading_a_settled_month_counts_no_event_and_no_case(world: World) -> None:
    history(world)
    settle(NOVEMBER, now=DECEMBER_10)
    with CaptureQueriesContext(connection) as read:
        build_report(NOVEMBER, verify=False)
    assert read.captured_queries
    assert not [q for q in read.captured_queries if '"cases_case' in q["sql"]]


def test_a_street_leaders_territory_is_settled_over_its_own_cases(world: World) -> None:
    late = history(world)
    reported(world, where=EAST)  # in the other street
    street_leader = make_person("sl", Role.LEADER, world.org.street, Scope.TERRITORY)
    scope = Actor.of(street_leader).scope
    street = Case.objects.within(scope)
    counted = build_report(NOVEMBER, cases=street, scope=scope, verify=False)
    settled = {month.scope for month in settle(NOVEMBER, now=DECEMBER_10)}
    assert settled == {"", scope.key}
    uphold_appeal(world, late, DECEMBER_10)  # after the settlement
    again = build_report(NOVEMBER, cases=street, scope=scope, verify=False)
    assert again.headline == counted.headline
    assert len(figures(K.STREET, NOVEMBER, cases=street, scope=scope)) == 1
    assert len(figures(K.STREET, NOVEMBER)) == 2  # EAST's report is the other street's
    unit = world.org.department_a.pk
    assert (
        figures(K.UNIT, NOVEMBER, cases=street, scope=scope)[unit]["handled_on_time__exempt"] == 1
    )
    # The same cases without saying whose they are, or another set, are counted live.
    assert figures(K.UNIT, NOVEMBER, cases=street)[unit]["handled_on_time__exempt"] == 2
    assert headline(NOVEMBER, cases=Case.objects.all()) == headline(NOVEMBER, live=True)


def test_the_trend_reads_settled_months_and_counts_the_others(world: World) -> None:
    late = history(world)
    settle(OCTOBER, now=DECEMBER_10)
    settle(NOVEMBER, now=DECEMBER_10)
    last = datetime(2026, 12, 31, 23, 0, tzinfo=MONDAY_10.tzinfo)
    before = monthly(last, 3)
    a, inspector = world.actors, world.person(world.inspector_2)
    wf.send_check(late, actor=a.acceptor, inspector=inspector, now=DECEMBER_10)
    wf.check_case(late, actor=a.inspector_2, passed=True, reason="", now=DECEMBER_10)
    wf.close_case(late, actor=a.shift_leader, now=DECEMBER_10)  # November's, closed in December
    after = monthly(last, 3)
    assert after[:2] == before[:2] == [headline(OCTOBER), headline(NOVEMBER)]
    assert headline(NOVEMBER, as_of=last, live=True).filed_closed == before[1].filed_closed + 1
    assert (before[2].handled, after[2].handled) == (0, 1)
    assert after[2] == headline(Period.month(DECEMBER_10.date()), as_of=last)


@pytest.mark.parametrize(
    ("text", "now", "code"),
    [
        ("2026-11", datetime(2026, 12, 5, 23, 0, tzinfo=MONDAY_10.tzinfo), "month_not_settled_yet"),
        ("2026-12", DECEMBER_10, "month_not_settled_yet"),
        ("2026-11-23", DECEMBER_10, "not_a_month"),
        ("2026-10-01..2026-11-30", DECEMBER_10, "not_a_month"),
    ],
)
def test_only_a_whole_month_over_and_past_its_appeals_is_settled(
    db: None, text: str, now: datetime, code: str
) -> None:
    with pytest.raises(Refusal) as refused:
        settle(Period.parse(text), now=now)
    assert refused.value.code == code
    assert not SettledMonth.objects.exists()


def test_the_command_settles_each_month_due_once(world: World) -> None:
    history(world)
    out = io.StringIO()
    call_command("evaluate", "--settle", stdout=out)
    assert "settled 2026-10 over district" in out.getvalue()  # the first event's month
    assert unsettled() == []
    again = io.StringIO()
    call_command("evaluate", "--settle", stdout=again)
    assert again.getvalue() == ""
    assert figures(K.UNIT, OCTOBER) == figures_of([K.UNIT], OCTOBER, live=True)[K.UNIT]

    # A street led since: only its territory is settled, the district's figures stay.
    district = SettledMonth.of(OCTOBER)
    scope = Actor.of(make_person("sl", Role.LEADER, world.org.street, Scope.TERRITORY)).scope
    assert [(month, scopes) for month, scopes in unsettled() if month == OCTOBER] == [
        (OCTOBER, [scope])
    ]
    led = io.StringIO()
    call_command("evaluate", "--settle", stdout=led)
    assert f"settled 2026-10 over {scope.key} (" in led.getvalue()
    kept = SettledMonth.of(OCTOBER)
    assert kept is not None and district is not None
    assert (kept.pk, kept.settled_at) == (district.pk, district.settled_at)  # not counted again
    assert SettledMonth.of(OCTOBER, scope) is not None and unsettled() == []


def test_unsettling_forgets_the_months_from_a_day_on(world: World) -> None:
    history(world)
    settle(OCTOBER, now=DECEMBER_10)
    settle(NOVEMBER, now=DECEMBER_10)
    assert unsettle(date(2026, 11, 20)) == 1
    assert list(SettledMonth.objects.values_list("month", flat=True)) == [OCTOBER.first]


def test_an_administrator_sees_the_settled_months_and_may_unsettle_one(
    world: World, admin_client: Client
) -> None:
    history(world)
    (settled,) = settle(NOVEMBER, now=DECEMBER_10)
    listing = admin_client.get(reverse("admin:evaluation_settledmonth_changelist"))
    assert listing.status_code == 200 and "2026" in listing.content.decode()
    assert admin_client.get(reverse("admin:evaluation_settledmonth_add")).status_code == 403
    delete = reverse("admin:evaluation_settledmonth_delete", args=[settled.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert SettledMonth.of(NOVEMBER) is None
