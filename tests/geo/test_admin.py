import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from geo.models import DoorPlate, PointOfInterest, Road, UnitGrid
from geo.territory_file import write_geojson
from geo.territory_import import import_territory
from lib.coords import from_wgs84
from tests.geo.territory import X0, Y0, small_territory

pytestmark = pytest.mark.django_db
IMPORT = reverse("admin:geo_district_import")


def territory_upload(name: str = "territory.geojson") -> SimpleUploadedFile:
    data = json.dumps(write_geojson(small_territory())).encode()
    return SimpleUploadedFile(name, data, content_type="application/geo+json")


def test_a_dry_run_reports_and_writes_nothing(admin_client: Client) -> None:
    response = admin_client.post(IMPORT, {"file": territory_upload(), "dry_run": "on"})
    assert response.status_code == 200
    assert "grid: 16" in response.content.decode()
    assert not UnitGrid.objects.exists()


def test_an_import_writes_the_territory(admin_client: Client) -> None:
    response = admin_client.post(IMPORT, {"file": territory_upload()})
    assert response.status_code == 200
    assert UnitGrid.objects.count() == 16
    assert "导入" in response.content.decode()


def test_a_broken_file_is_reported_in_chinese_and_nothing_is_written(
    admin_client: Client,
) -> None:
    broken = SimpleUploadedFile("territory.geojson", b"{not json")
    response = admin_client.post(IMPORT, {"file": broken})
    assert "文件不是有效的 JSON" in response.content.decode()
    assert not UnitGrid.objects.exists()


def test_the_import_page_is_closed_to_staff_without_the_permission(client: Client) -> None:
    user = User.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403


def test_every_geography_page_opens(admin_client: Client) -> None:
    assert import_territory(small_territory()).ok
    for model in ("district", "street", "community", "unitgrid", "inspectorarea", "road"):
        assert admin_client.get(reverse(f"admin:geo_{model}_changelist")).status_code == 200
    grid = UnitGrid.objects.first()
    assert grid is not None
    page = admin_client.get(reverse("admin:geo_unitgrid_change", args=[grid.pk]))
    assert "Polygon，5 个顶点" in page.content.decode()


def test_a_door_plate_position_entered_in_gcj02_is_stored_in_cgcs2000(
    admin_client: Client,
) -> None:
    road = Road.objects.create(name="示范路", road_class="main", line="LINESTRING (0 0, 1 1)")
    lon, lat = from_wgs84(X0 + 0.0005, Y0 + 0.0005, "gcj02")
    response = admin_client.post(
        reverse("admin:geo_doorplate_add"),
        {"road": road.pk, "number": "12", "lon": lon, "lat": lat, "crs": "gcj02"},
    )
    assert response.status_code == 302, response.content.decode()
    plate = DoorPlate.objects.get()
    assert (plate.point.x, plate.point.y) == pytest.approx((X0 + 0.0005, Y0 + 0.0005), abs=1e-6)


def test_a_swapped_position_is_refused_with_a_clear_message(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:geo_pointofinterest_add"),
        {
            "name": "示范公园",
            "aliases": "[]",
            "category": "park",
            "lon": 26.6,
            "lat": 106.3,
            "crs": "wgs84",
        },
    )
    assert response.status_code == 200
    assert "是否把经度和纬度填反了" in response.content.decode()
    assert not PointOfInterest.objects.exists()
