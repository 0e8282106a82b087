"""Components: generated identifiers, the derived grid, and status changes with history."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation
from shapely.geometry import Point

from catalog.models import CaseType
from components.models import (
    Component,
    ComponentSerial,
    ComponentStatus,
    ComponentStatusChange,
    StatusChangeError,
    change_status,
)
from geo.lookup import OutsideDistrict
from geo.models import UnitGrid
from lib.component_ids import ComponentIdError
from tests.components.conftest import EAST, OUTSIDE, WEST, Catalog
from tests.conftest import Org

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


def make(case_type: CaseType, at: tuple[float, float] = WEST, **fields: object) -> Component:
    component = Component(case_type=case_type, point=Point(*at), **fields)
    component.save()
    return component


def test_new_components_get_the_next_serial_of_their_district_and_type(catalog: Catalog) -> None:
    first, second = make(catalog.cover), make(catalog.cover, EAST)
    lamp = make(catalog.lamp, department=catalog.cover.default_department)
    assert [first.identifier, second.identifier] == ["5201990101000001", "5201990101000002"]
    assert lamp.identifier == "5201990118000001"
    assert ComponentSerial.objects.get(prefix="5201990101").last == 2


def test_a_current_edition_type_gets_a_17_digit_identifier(catalog: Catalog, org: Org) -> None:
    component = make(catalog.supply_cover, department=org.department_b)
    assert component.identifier == "52019901001000001"


def test_name_and_department_default_to_the_types(catalog: Catalog, org: Org) -> None:
    component = make(catalog.cover)
    assert component.name == "上水井盖"
    assert component.department == org.department_a
    assert component.status == ComponentStatus.INTACT


def test_the_grid_community_and_street_come_from_the_position(catalog: Catalog) -> None:
    component = make(catalog.cover)
    grid = UnitGrid.objects.select_related("community__street").get(code="520199001001003")
    assert (component.grid, component.community, component.street) == (
        grid,
        grid.community,
        grid.community.street,
    )
    component.point = Point(*EAST)
    component.save()
    component.refresh_from_db()
    assert component.grid is not None and component.grid.code == "520199002002002"
    assert component.street is not None and component.street.full_code == "520199002"


def test_a_position_outside_the_district_is_refused(catalog: Catalog) -> None:
    with pytest.raises(OutsideDistrict):
        make(catalog.cover, OUTSIDE)
    assert not Component.objects.exists()


def test_a_given_identifier_is_checked_and_later_serials_follow_it(catalog: Catalog) -> None:
    make(catalog.cover, identifier="5201990101000040")
    assert make(catalog.cover).identifier == "5201990101000041"
    with pytest.raises(ComponentIdError):
        make(catalog.cover, identifier="5201980101000042")  # another district
    with pytest.raises(ComponentIdError):
        make(catalog.cover, identifier="5201990118000042")  # another type
    with pytest.raises(IntegrityError):
        make(catalog.cover, identifier="5201990101000040")


def test_clean_explains_a_bad_component_in_the_users_language(catalog: Catalog) -> None:
    def problems(component: Component) -> dict[str, list[str]]:
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            component.full_clean()
        with translation.override("en"):
            return {k: [str(m) for m in v] for k, v in caught.value.message_dict.items()}

    found = problems(Component(case_type=catalog.event, point=Point(*WEST)))
    assert "The type is an event type, not a component." in found["case_type"]
    found = problems(Component(case_type=catalog.lamp, point=Point(*OUTSIDE)))
    assert found["__all__"] == [
        "The position 106.310000, 26.610000 is outside the district's unit grids."
    ]
    found = problems(Component(case_type=catalog.lamp, point=Point(*WEST), identifier="x"))
    assert found["department"] == ["The type has no competent department: choose one."]
    assert found["identifier"] == [
        "Component identifier 'x' is invalid: a component identifier is written with the ASCII"
        " digits 0-9 only; full-width digits, letters, spaces and other characters are not"
        " accepted"
    ]


def test_a_status_change_is_recorded_with_who_when_and_why(
    catalog: Catalog, inspector: User
) -> None:
    component = make(catalog.cover)
    change = change_status(component, ComponentStatus.DAMAGED, inspector, "井盖破裂")
    change_status(component, ComponentStatus.INTACT, None, "已更换")
    component.refresh_from_db()
    assert component.status == ComponentStatus.INTACT and component.changed_date is not None
    history = list(
        ComponentStatusChange.objects.filter(component=component).values_list(
            "from_status", "to_status", "changed_by__username", "reason"
        )
    )
    assert history == [
        ("intact", "damaged", "inspector", "井盖破裂"),
        ("damaged", "intact", None, "已更换"),
    ]
    assert change.changed_at is not None


def test_a_no_op_or_unknown_status_is_refused_with_a_clear_message(catalog: Catalog) -> None:
    component = make(catalog.cover)
    with translation.override("en"):
        with pytest.raises(StatusChangeError) as caught:
            change_status(component, ComponentStatus.INTACT, None)
        assert str(caught.value) == f"Component {component.identifier} is already Intact (完好)."
        with pytest.raises(StatusChangeError) as caught:
            change_status(component, "broken", None)
        assert str(caught.value) == (
            "'broken' is not a component status: use one of intact, damaged, missing,"
            " abandoned, removed."
        )
    assert not ComponentStatusChange.objects.exists()
