"""The component admin: list, search, entry by longitude/latitude, status changes with history."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from shapely.geometry import Point

from components.models import Component, ComponentStatus, ComponentStatusChange
from lib.coords import from_wgs84
from tests.components.conftest import EAST, WEST, Catalog
from tests.conftest import Org

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]
ADD = reverse("admin:components_component_add")
LIST = reverse("admin:components_component_changelist")


def form_data(catalog: Catalog, **changes: object) -> dict[str, object]:
    lon, lat = from_wgs84(*WEST, "gcj02")
    data: dict[str, object] = {
        "case_type": catalog.cover.pk, "name": "", "lon": lon, "lat": lat, "crs": "gcj02",
        "department": "", "owner": "", "maintainer": "", "initial_date": "2019-03-15",
        "changed_date": "", "data_source": "survey", "location_text": "", "notes": "",
        "attributes": "{}", "status": "intact",
        "status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0,
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_component_added_by_position_gets_its_identifier_and_grid(
    admin_client: Client, catalog: Catalog
) -> None:
    response = admin_client.post(ADD, form_data(catalog))
    assert response.status_code == 302, response.content.decode()
    component = Component.objects.get()
    assert component.identifier == "5201990101000001"
    assert component.grid is not None and component.grid.code == "520199001001003"
    assert component.point.distance(Point(*WEST)) < 1e-7


def test_a_position_outside_the_district_is_an_error_on_the_form(
    admin_client: Client, catalog: Catalog
) -> None:
    response = admin_client.post(ADD, form_data(catalog, lon=106.31, lat=26.61, crs="wgs84"))
    assert response.status_code == 200
    assert "106.310000, 26.610000" in response.content.decode()
    assert not Component.objects.exists()


def test_the_status_changes_from_the_form_and_the_change_is_recorded(
    admin_client: Client, admin_user: User, catalog: Catalog
) -> None:
    component = Component(case_type=catalog.cover, point=Point(*WEST))
    component.save()
    url = reverse("admin:components_component_change", args=[component.pk])
    data = form_data(catalog, new_status="missing", status_reason="巡查发现丢失")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    component.refresh_from_db()
    assert component.status == ComponentStatus.MISSING
    change = ComponentStatusChange.objects.get()
    assert (change.to_status, change.changed_by, change.reason) == (
        "missing", admin_user, "巡查发现丢失",
    )  # fmt: skip
    response = admin_client.post(url, data, headers={"accept-language": "en"})
    assert "The component already has this status." in response.content.decode()
    assert ComponentStatusChange.objects.count() == 1
    page = admin_client.get(url).content.decode()
    assert "巡查发现丢失" in page


def test_the_list_filters_and_searches(admin_client: Client, catalog: Catalog, org: Org) -> None:
    Component(case_type=catalog.cover, point=Point(*WEST)).save()
    Component(case_type=catalog.lamp, point=Point(*EAST), department=org.department_b).save()
    page = admin_client.get(LIST, {"q": "5201990118"}).content.decode()
    assert "5201990118000001" in page and "5201990101000001" not in page
    page = admin_client.get(LIST, {"status__exact": "intact"}).content.decode()
    assert "5201990118000001" in page and "5201990101000001" in page
    assert admin_client.get(LIST, {"street__id__exact": 1}).status_code == 200
    assert admin_client.get(ADD).status_code == 200
