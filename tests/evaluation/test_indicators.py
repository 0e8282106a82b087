"""The evaluation's counts and indicators on small histories made through the workflow, each
with its answer worked out by hand; and every figure equal to the rows of its drill-down."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cases import workflow as wf
from cases.models import Case
from evaluation.indicators import COUNTS, figures, rows
from evaluation.models import ObjectKind
from evaluation.periods import Period
from evaluation.scores import evaluate
from geo.lookup import place
from geo.models import InspectorArea
from tests.cases.conftest import EAST, MONDAY_10, WEST, World
from tests.cases.making import dispatched, filed, handling, public_report, reported

NOVEMBER = Period.month(date(2026, 11, 1))
TUESDAY_10 = MONDAY_10 + timedelta(days=1)  # past the 4 working hours of world.normal
K = ObjectKind


def closed(world: World, case: Case, *, at: datetime = MONDAY_10, passed: bool = True) -> Case:
    a = world.actors
    wf.feedback_case(case, actor=a.handler_a, reason="已清理", now=at)
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2), now=at)
    wf.check_case(
        case, actor=a.inspector_2, passed=passed, reason="" if passed else "没清理", now=at
    )
    if not passed:
        return Case.objects.get(pk=case.pk)
    return wf.close_case(case, actor=a.shift_leader, now=at)


def unit_of(world: World, kind: str = K.UNIT) -> dict[str, int]:
    return figures(kind, NOVEMBER)[world.org.department_a.pk]


def test_a_unit_counts_what_it_handled_on_time_late_and_not_at_all(world: World) -> None:
    closed(world, handling(world))  # on time
    closed(world, handling(world), at=TUESDAY_10)  # handled late, closed overdue
    handling(world)  # never handled: overdue at the end of November
    counts = unit_of(world)
    assert (counts["dispatched"], counts["handled"], counts["handled_on_time"]) == (3, 2, 1)
    assert (counts["overdue_open"], counts["closed"]) == (1, 2)
    unit = next(r for r in evaluate(K.UNIT, NOVEMBER) if r.key == world.org.department_a.pk)
    assert unit.raw.values["on_time_handling_rate"] == pytest.approx(1 / 3)  # 1 / (2 + 1)
    assert unit.raw.values["closing_rate"] == pytest.approx(2 / 3)  # 2 / (2 + 1)


def test_an_upheld_appeal_counts_as_on_time_only_in_the_exempt_figures(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.feedback_case(case, actor=a.handler_a, reason="已清理", now=TUESDAY_10)
    wf.appeal_overdue(case, actor=a.admin_a, reason="暴雨无法作业", now=TUESDAY_10)
    wf.decide_appeal(case, actor=a.dispatcher, approve=True, now=TUESDAY_10)
    wf.decide_appeal(case, actor=a.leader, approve=True, now=TUESDAY_10)
    counts = unit_of(world)
    assert (counts["handled_on_time"], counts["handled_on_time__exempt"]) == (0, 1)
    unit = next(r for r in evaluate(K.UNIT, NOVEMBER) if r.key == world.org.department_a.pk)
    assert unit.raw.values["on_time_handling_rate"] == 0
    assert unit.exempt.values["on_time_handling_rate"] == 1
    assert unit.exempt.score is not None and unit.raw.score is not None
    assert unit.exempt.score > unit.raw.score


def test_an_extension_moves_the_deadline_a_case_is_judged_against(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.request_extension(case, actor=a.handler_a, minutes=24 * 60, reason="需要采购", now=MONDAY_10)
    wf.decide_extension(case, actor=a.dispatcher, approve=True, now=MONDAY_10)
    wf.feedback_case(case, actor=a.handler_a, reason="已清理", now=TUESDAY_10)
    counts = unit_of(world)
    assert (counts["handled"], counts["handled_on_time"], counts["extended"]) == (1, 1, 1)


def test_a_suspended_case_is_not_overdue_while_suspended(world: World) -> None:
    a = world.actors
    case = handling(world)
    wf.request_suspension(case, actor=a.handler_a, reason="等待拆迁", now=MONDAY_10)
    wf.decide_suspension(case, actor=a.dispatcher, approve=True, now=MONDAY_10)
    counts = unit_of(world)
    assert (counts["overdue_open"], counts["suspended"]) == (0, 1)


def test_reworks_count_against_the_unit_and_returns_against_the_dispatch(world: World) -> None:
    a = world.actors
    closed(world, handling(world), passed=False)
    returned = dispatched(world)
    wf.return_case(returned, actor=a.handler_a, reason="不属于本单位", now=MONDAY_10)
    wf.decide_return(returned, actor=a.dispatcher, approve=True, now=MONDAY_10)
    wf.dispatch_case(
        returned, actor=a.dispatcher, unit=world.org.department_b, reason="改派", now=MONDAY_10
    )
    counts = unit_of(world)
    assert (counts["reworked"], counts["returned"], counts["dispatched"]) == (1, 1, 2)
    assert figures(K.UNIT, NOVEMBER)[world.org.department_b.pk]["dispatched"] == 1
    dispatcher = figures(K.DISPATCHER, NOVEMBER)[world.dispatcher.pk]
    assert (dispatcher["dispatched"], dispatcher["dispatched_back"]) == (3, 1)  # the first only
    row = next(iter(evaluate(K.DISPATCHER, NOVEMBER)))
    assert row.raw.values["accurate_dispatch_rate"] == pytest.approx(2 / 3)


def test_a_voided_filing_lowers_the_shift_leaders_accuracy(world: World) -> None:
    a = world.actors
    filed(world)
    case = filed(world)
    wf.request_void(case, actor=a.acceptor, reason="重复", now=MONDAY_10)
    wf.decide_void(case, actor=a.shift_leader, approve=True, now=MONDAY_10)
    row = next(iter(evaluate(K.SHIFT_LEADER, NOVEMBER)))
    assert (row.counts["filed"], row.counts["filed_voided"]) == (2, 1)
    assert row.raw.values["accurate_filing_rate"] == 0.5


def test_a_region_counts_its_own_cases_and_the_publics_share(world: World) -> None:
    a = world.actors
    filed(world)
    public = public_report(world)
    wf.send_verify(public, actor=a.acceptor, inspector=world.person(world.inspector), now=MONDAY_10)
    wf.verify_report(public, actor=a.inspector, found=True, now=MONDAY_10)
    wf.accept_case(public, actor=a.acceptor, now=MONDAY_10)
    wf.file_case(public, actor=a.shift_leader, condition=world.normal, now=MONDAY_10)
    filed(world, where=EAST)
    streets = figures(K.STREET, NOVEMBER)
    west = Case.objects.get(pk=public.pk).street_id
    assert (streets[west]["filed"], streets[west]["public_filed"]) == (2, 1)
    east = next(key for key in streets if key != west)
    assert (streets[east]["filed"], streets[east]["public_filed"]) == (1, 0)
    row = next(r for r in evaluate(K.STREET, NOVEMBER) if r.key == west)
    assert row.raw.values["public_share"] == 0.5


def test_an_inspector_is_judged_on_valid_reports_and_on_time_tasks(world: World) -> None:
    a = world.actors
    filed(world)
    reported(world)  # never filed
    public = public_report(world)
    wf.send_verify(public, actor=a.acceptor, inspector=world.person(world.inspector), now=MONDAY_10)
    wf.verify_report(public, actor=a.inspector, found=True, now=TUESDAY_10)  # late
    counts = figures(K.INSPECTOR, NOVEMBER)[world.inspector.pk]
    assert (counts["reported"], counts["valid_reported"]) == (2, 1)
    assert (counts["verify_due"], counts["verified_on_time"]) == (1, 0)


def test_nothing_outside_the_period_counts(world: World) -> None:
    closed(world, handling(world))
    assert figures(K.UNIT, Period.month(date(2026, 10, 1))) == {}
    assert (
        figures(K.UNIT, Period.month(date(2026, 12, 1)))[world.org.department_a.pk]["overdue_open"]
        == 0
    )


def test_every_figure_equals_the_rows_of_its_drill_down(world: World) -> None:
    a = world.actors
    closed(world, handling(world))
    closed(world, handling(world), at=TUESDAY_10, passed=False)
    handling(world)
    public = public_report(world)
    wf.send_verify(public, actor=a.acceptor, inspector=world.person(world.inspector), now=MONDAY_10)
    checked = 0
    for kind, counts in COUNTS.items():
        for key, values in figures(kind, NOVEMBER).items():
            for count in counts:
                assert rows(kind, key, count.key, NOVEMBER).count() == values[count.key], (
                    kind,
                    key,
                    count.key,
                )
                if count.exempt is not None:
                    exempt = rows(kind, key, count.key, NOVEMBER, exempt=True).count()
                    assert exempt == values[f"{count.key}__exempt"]
                checked += values[count.key]
    assert checked > 40  # the histories above gave the figures something to count


def test_an_inspector_missed_what_the_public_reported_in_the_inspectors_area(
    world: World,
) -> None:
    a = world.actors
    area = InspectorArea.objects.create(code="A01", name="一号责任网格")
    area.grids.set([place(*WEST).grid_id])
    area.inspectors.add(world.person(world.inspector))
    filed(world)  # found by an inspector
    public = public_report(world)  # at WEST too: missed by the area's inspector
    wf.send_verify(public, actor=a.acceptor, inspector=world.person(world.inspector), now=MONDAY_10)
    wf.verify_report(public, actor=a.inspector, found=True, now=MONDAY_10)
    wf.accept_case(public, actor=a.acceptor, now=MONDAY_10)
    wf.file_case(public, actor=a.shift_leader, condition=world.normal, now=MONDAY_10)
    filed(world, where=EAST)  # outside the area
    mine = figures(K.INSPECTOR, NOVEMBER)[world.inspector.pk]
    assert (mine["filed_in_area"], mine["missed"]) == (2, 1)
    assert world.inspector_2.pk not in figures(K.INSPECTOR, NOVEMBER) or (
        figures(K.INSPECTOR, NOVEMBER)[world.inspector_2.pk]["filed_in_area"] == 0
    )
    row = next(r for r in evaluate(K.INSPECTOR, NOVEMBER) if r.key == world.inspector.pk)
    assert row.raw.values["missed_rate"] == 0.5
