"""The demo cases walk every path of the loop through the workflow functions.

The small world and the first load are made once for the module (rolled back at its end).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case, Status
from catalog.models import CaseType, Edition, FilingCondition, LimitUnit, MajorClass
from geo.territory_import import import_territory
from org.models import Unit
from simulate.demo_cases import DEMO_UNIT, PATHS, load_demo_cases
from simulate.demo_org import load_organisation
from tests.conftest import rolled_back_at_the_end
from tests.geo.territory import DISTRICT, small_territory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def first_load(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """The counts of load_demo_cases(seed=3) on the demo world."""
    with rolled_back_at_the_end(django_db_blocker):
        make_demo_world()
        yield load_demo_cases(seed=3)


def make_demo_world() -> None:
    load_organisation()
    offices = {
        DISTRICT + "001": Unit.objects.get(code="S01"),
        DISTRICT + "002": Unit.objects.get(code="S02"),
    }
    assert import_territory(small_territory(), offices=offices).ok
    edition = Edition.objects.create(code="cjt214-2007", name="CJ/T 214", type_code_length=4)
    events = MajorClass.objects.create(edition=edition, kind="event", code="01", name="市容环境")
    for code, name, value, unit in [
        ("0110", "暴露垃圾", 4, LimitUnit.WORKING_HOUR),
        ("0136", "乱堆物堆料", 1, LimitUnit.WORKING_DAY),
        ("0199", "违法建设", 15, LimitUnit.WORKING_DAY),  # too long for a demo walk
    ]:
        case_type = CaseType.objects.create(major=events, code=code, name=name)
        FilingCondition.objects.create(
            case_type=case_type, condition=f"存在{name}", limit_value=value,
            limit_unit=unit, closing_condition="处置完毕",
        )  # fmt: skip


def test_every_path_is_walked_and_the_trail_verifies(first_load: dict[str, int]) -> None:
    counts = first_load
    cases = Case.objects.filter(request_id__startswith="demo-3-")
    assert cases.filter(request_id__regex=r"^demo-3-\d{3}$").count() == sum(PATHS.values())
    closed_paths = ("closed", "closed_late", "public_verified", "public_reopened", "co_handled",
                    "returned", "extended", "suspended_resumed", "reworked", "closed_specially",
                    "self_handled", "appealed")  # fmt: skip
    assert counts[Status.CLOSED] == sum(PATHS[p] for p in closed_paths)
    assert counts[Status.SUSPENDED] == PATHS["suspended"]
    assert counts[Status.VOIDED] == PATHS["voided"] and counts[Status.MERGED] == PATHS["merged"]
    assert counts[Status.DECLINED] == PATHS["declined"]
    assert counts[Status.REJECTED] == PATHS["rejected"]
    assert cases.filter(closing_type="special").count() == PATHS["closed_specially"]
    called_back = PATHS["public_verified"] + PATHS["public_reopened"]
    assert cases.exclude(satisfaction="").count() == called_back
    assert cases.filter(reopen_count=1).count() == PATHS["public_reopened"]
    assert cases.filter(co_handlings__replied_at__isnull=False).count() == PATHS["co_handled"]
    assert cases.filter(closing_type="overdue").count() >= PATHS["closed_late"]
    assert cases.filter(return_count=1).count() == PATHS["returned"]
    assert cases.filter(rework_count=1).count() == PATHS["reworked"]
    assert cases.filter(exempt=True).count() == PATHS["appealed"]
    now = timezone.now()
    overdue_open = [c for c in cases.filter(status=Status.HANDLING) if c.is_overdue(now)]
    assert len(overdue_open) >= PATHS["open_overdue"]
    assert cases.filter(status=Status.HANDLING).overdue(now).count() == len(overdue_open)
    assert not cases.filter(condition__case_type__code="0199").exists()
    # The demo handler's unit has work waiting: one to sign for, one handling, one urged.
    waiting = cases.filter(responsible_unit__code=DEMO_UNIT)
    assert waiting.filter(status=Status.DISPATCHED).exists()
    assert waiting.filter(status=Status.HANDLING, urge_due_at__isnull=True).exists()
    assert waiting.filter(status=Status.HANDLING, urge_due_at__isnull=False).exists()
    assert all(e.at <= now for c in cases for e in c.events.all())
    call_command("verify_audit")


def test_loading_again_adds_nothing(first_load: dict[str, int]) -> None:
    assert load_demo_cases(seed=3) == first_load
