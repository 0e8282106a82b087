"""Composite scores, bands and grades: the documented defaults, and a city's own edits."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from evaluation.defaults import seed_defaults
from evaluation.models import Band, Grade, ObjectKind, RegionClass, Weight
from evaluation.periods import Period
from evaluation.scores import Counts, Facts, Scheme, evaluate, side
from tests.cases.conftest import World
from tests.cases.making import handling

K = ObjectKind
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accepted", "score"),
    [(0, 0), (100, 0), (101, 40), (300, 40), (301, 60), (1200, 75), (2000, 90), (2001, 100)],
)
def test_an_acceptors_workload_scores_by_the_standards_bands(accepted: int, score: float) -> None:
    assert Scheme.load().band_score(K.ACCEPTOR, "accepted", "", accepted) == score


@pytest.mark.parametrize(
    ("per_grid", "first", "second"),
    [(0, 100, 100), (0.5, 90, 90), (3, 75, 90), (4, 75, 75), (8.9, 40, 40), (9, 0, 40), (10, 0, 0)],
)
def test_a_regions_cases_per_grid_score_by_its_class(
    per_grid: float, first: float, second: float
) -> None:
    scheme = Scheme.load()
    assert scheme.band_score(K.STREET, "filed_per_grid", RegionClass.FIRST, per_grid) == first
    assert scheme.band_score(K.STREET, "filed_per_grid", RegionClass.SECOND, per_grid) == second


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (90, "A"), (89.9, "B"), (75, "B"), (60, "C"), (40, "D"), (39.9, "E"), (0, "E")],
)
def test_grades_follow_the_bands_a_to_e(score: float, grade: str) -> None:
    assert Scheme.load().grade(score) == grade


def test_the_composite_is_the_weighted_mean_of_the_scores_an_object_has() -> None:
    # An inspector: 有效上报率 90 % (×40), 漏报率 10 % → 90 (×20), 按时核实率 50 % (×20),
    # no check due (its 20 % left out): (36 + 18 + 10) / 0.8 = 80.
    counts = {"reported": 10, "valid_reported": 9, "filed_in_area": 10, "missed": 1}
    counts |= {"verify_due": 2, "verified_on_time": 1, "check_due": 0, "checked_on_time": 0}
    result = side(K.INSPECTOR, counts, Facts(1, "x"), Scheme.load(), exempt=False)
    assert result.scores["on_time_check_rate"] is None
    assert result.score == pytest.approx(80)
    assert result.grade == "B"


def test_the_exempt_side_reads_the_exempt_figures() -> None:
    counts = Counts({"handled_on_time": 1, "handled_on_time__exempt": 2}, exempt=True)
    assert counts["handled_on_time"] == 2 and counts["handled"] == 0


def test_a_city_may_change_weights_bands_and_grades(world: World) -> None:
    handling(world)  # dispatched to department A, not handled yet
    november = Period.month(date(2026, 11, 1))

    def unit_a() -> tuple[float | None, str]:
        row = next(r for r in evaluate(K.UNIT, november) if r.key == world.org.department_a.pk)
        return row.score, row.grade

    # 立案数 1 → 100 (×10), 结案率 0 (×30), 按期处置率 0 (×30), no 返工率 yet: 1000 / 70.
    assert unit_a() == (pytest.approx(100 / 7), "E")
    Weight.objects.filter(kind=K.UNIT).exclude(indicator="dispatched").update(percent=0)
    assert unit_a() == (100, "A")
    Band.objects.filter(kind=K.UNIT, indicator="dispatched", limit=50).update(score=50)
    assert unit_a() == (50, "D")
    Grade.objects.filter(letter="D").update(minimum=50.5)
    assert unit_a() == (50, "E")
    Weight.objects.filter(kind=K.UNIT).update(percent=0)
    assert unit_a() == (None, "")  # nothing left to score
    seed_defaults()
    assert unit_a() == (pytest.approx(100 / 7), "E")


def test_a_weight_changed_in_the_admin_is_kept_with_who_changed_it(
    admin_client: Client, admin_user: User
) -> None:
    weight = Weight.objects.get(kind=ObjectKind.UNIT, indicator="on_time_handling_rate")
    change = reverse("admin:evaluation_weight_change", args=[weight.pk])
    form = {"kind": weight.kind, "indicator": weight.indicator, "percent": "35"}
    assert admin_client.post(change, form).status_code == 302
    edit = weight.history.latest()
    assert edit.history_user == admin_user and edit.history_type == "~"
    assert edit.diff_against(edit.prev_record).changed_fields == ["percent"]
    assert Scheme.load().weights[(ObjectKind.UNIT, "on_time_handling_rate")] == 35
