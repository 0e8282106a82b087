"""The reference data's health panel: each check finds the gap it names, clears once the gap is
fixed, and links to the administration list that shows exactly what is wrong."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases.calendar import CalendarYear
from catalog.models import CaseType, Edition, FilingCondition, LimitUnit, RoutingRule
from consoles import health
from geo.models import InspectorArea, UnitGrid
from org.models import Membership
from org.roles import Role, Scope
from tests.cases.conftest import World
from tests.conftest import make_person
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db
FUTURE = 2091  # a year no calendar library knows yet


def current(world: World) -> Edition:
    return world.garbage.major.edition


def test_a_year_without_holidays_is_found_until_it_is_entered(world: World) -> None:
    check = health.calendar_years(FUTURE)
    assert (check.count, check.detail) == (2, f"{FUTURE}, {FUTURE + 1}")
    CalendarYear.objects.create(year=FUTURE, source="国务院办公厅通知")
    assert health.calendar_years(FUTURE).detail == str(FUTURE + 1)
    CalendarYear.objects.create(year=FUTURE + 1, source="国务院办公厅通知")
    assert health.calendar_years(FUTURE).ok


def test_a_type_without_a_filing_standard_is_found_until_one_is_added(world: World) -> None:
    assert health.types_without_standard(current(world)).ok  # the world's type has two
    bare = CaseType.objects.create(major=world.garbage.major, code="0111", name="乱堆物料")
    assert health.types_without_standard(current(world)).count == 1
    FilingCondition.objects.create(
        case_type=bare, condition="堆放物料", limit_value=1,
        limit_unit=LimitUnit.WORKING_DAY, closing_condition="清走",
    )  # fmt: skip
    assert health.types_without_standard(current(world)).ok


def test_types_out_of_use_or_in_another_edition_are_not_counted(world: World) -> None:
    CaseType.objects.create(major=world.garbage.major, code="0112", name="停用", is_active=False)
    old = Edition.objects.create(code="old", name="旧版", type_code_length=4)
    old_major = old.majors.create(kind="event", code="01", name="市容环境")
    CaseType.objects.create(major=old_major, code="0110", name="暴露垃圾")
    assert health.types_without_standard(current(world)).ok


def test_a_type_without_a_competent_department_is_found_until_it_has_one(world: World) -> None:
    assert health.types_without_department(current(world)).count == 1
    CaseType.objects.filter(pk=world.garbage.pk).update(default_department=world.org.department_b)
    assert health.types_without_department(current(world)).ok


def test_without_a_current_edition_the_panel_says_so(world: World) -> None:
    Edition.objects.update(is_current=False)
    keys = [check.key for check in health.health_checks(FUTURE)]
    assert "no_edition" in keys and "no_standard" not in keys


def test_grids_nobody_patrols_are_found_until_an_area_holds_them(world: World) -> None:
    grids = list(UnitGrid.objects.all())
    assert health.grids_without_area().count == len(grids) == 16
    area = InspectorArea.objects.create(code="A01", name="一号责任网格")
    area.grids.set(grids[:10])
    assert health.grids_without_area().count == 6
    area.grids.set(grids)
    assert health.grids_without_area().ok
    assert health.areas_without_inspector().count == 1
    area.inspectors.add(world.person(world.inspector))
    assert health.areas_without_inspector().ok


def test_a_unit_with_nobody_on_post_is_found_until_someone_is(world: World) -> None:
    check = health.units_without_member()
    assert check.count == 1 and f"id__in={world.org.other_street.pk}" in check.url
    get_user_model().objects.filter(pk=world.handler_b.pk).update(is_active=False)
    assert health.units_without_member().count == 2  # department B's only handler left
    make_person("other_street_handler", Role.HANDLER, world.org.other_street, Scope.UNIT)
    Membership.objects.filter(person__user=world.handler_b).update(is_active=False)
    make_person("handler_b2", Role.HANDLER, world.org.department_b, Scope.UNIT)
    assert health.units_without_member().ok


def test_a_rule_naming_an_inactive_unit_or_a_type_out_of_use_is_found(world: World) -> None:
    rule = RoutingRule.objects.create(case_type=world.garbage, unit=world.org.department_b)
    assert health.broken_rules(current(world)).ok
    world.org.department_b.is_active = False
    world.org.department_b.save()
    assert health.broken_rules(current(world)).count == 1
    world.org.department_b.is_active = True
    world.org.department_b.save()
    CaseType.objects.filter(pk=world.garbage.pk).update(is_active=False)
    assert health.broken_rules(current(world)).count == 1
    RoutingRule.objects.filter(pk=rule.pk).update(is_active=False)  # switched off: no problem
    assert health.broken_rules(current(world)).ok


def test_each_link_opens_the_administration_list_of_exactly_what_is_wrong(world: World) -> None:
    RoutingRule.objects.create(case_type=world.garbage, unit=world.org.department_b)
    world.org.department_b.is_active = False
    world.org.department_b.save()
    CaseType.objects.create(major=world.garbage.major, code="0111", name="乱堆物料")
    InspectorArea.objects.create(code="A01", name="一号责任网格")
    admin = get_user_model().objects.create_superuser("root", password="x")
    checks = [c for c in health.health_checks(FUTURE) if not c.ok and c.key != "calendar"]
    assert {c.key for c in checks} == {
        "no_standard", "no_department", "no_area", "no_inspector", "no_member", "rules",
    }  # fmt: skip
    for check in checks:
        response = client_for(admin).get(check.url)
        assert response.status_code == 200, check.key  # the admin accepts the filter
        assert response.context["cl"].result_count == check.count, check.key


def test_the_panel_is_for_system_administrators(world: World) -> None:
    sysadmin = make_person("sysadmin", Role.SYSADMIN, world.org.center, Scope.DISTRICT)
    root = get_user_model().objects.create_superuser("root", password="x")  # holds no post
    for user in (sysadmin, root):
        page = client_for(user).get(reverse("health"))
        assert page.status_code == 200
        text = page.content.decode()
        assert 'data-check="no_area"' in text and "在管理后台打开" in text
        assert f'href="{reverse("health")}"' in text  # in the top bar
    refused = client_for(world.dispatcher).get(reverse("health"))
    assert refused.status_code == 403
    assert "基础数据健康检查仅供系统维护员使用" in refused.content.decode()
    assert f'href="{reverse("health")}"' not in refused.content.decode()
