"""Whatever an address holds, the evaluation pages answer in plain words and store nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from tests.cases.conftest import World
from tests.cases.making import dispatched
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db

PERIODS = [
    "9999",
    "0001",
    "9999-12",
    "0001-01",
    "2026-13",
    "2026-00",
    "2026-02-30",
    "x" * 5000,
    "2026-10\x00",
    "2026-10-01..9999-12-31",
    "2026-10-05..2026-10-01",
    " ",
    "２０２６",
]
PAGES = [
    "evaluation",
    "evaluation_report",
    "evaluation_chain",
    "evaluation_runs",
    "dashboard",
    "dashboard_grids",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_period_of_any_shape_is_answered(world: World, page: str) -> None:
    """Every period against one world (making it for each of the 78 pairs took most of the
    module's time)."""
    dispatched(world)
    events = CaseEvent.objects.count()
    client = client_for(world.leader)
    answers = {
        period: client.get(reverse(page), {"period": period}).status_code for period in PERIODS
    }
    assert {p: s for p, s in answers.items() if s not in (200, 400)} == {}
    assert CaseEvent.objects.count() == events


def test_a_malformed_period_is_not_called_a_matter_of_the_post(world: World) -> None:
    response = client_for(world.leader).get(reverse("evaluation"), {"period": "9999"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "请检查您的请求" in page and "您的岗位无权查看" not in page


FIGURES = [
    {"kind": "unit", "key": "99999999999999999999999", "count": "handled"},
    {"kind": "unit", "key": "-1", "count": "handled"},
    {"kind": "unit", "key": "1", "count": "__class__"},
    {"kind": "unit", "key": "1", "count": "handled__exempt"},
    {"kind": "unit", "key": "1", "count": "handled", "exempt": "yes"},
    {"kind": "grid", "key": "1e3", "count": "reported"},
    {"kind": "", "key": "1", "count": ""},
    {},
]


def test_a_figure_of_any_shape_is_answered(world: World) -> None:
    dispatched(world)
    client = client_for(world.leader)
    answers = [
        client.get(reverse("evaluation_drill"), {"period": "2026-11"} | figure).status_code
        for figure in FIGURES
    ]
    assert [(f, s) for f, s in zip(FIGURES, answers, strict=True) if s not in (200, 400)] == []
