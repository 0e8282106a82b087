"""The acceptor finds a camera and reports from it through the camera channel; other posts
are refused."""

from __future__ import annotations

import pytest
from django.test import Client

from cases.models import Case, Channel
from intake.partners.models import Camera
from tests.intake.partners.conftest import WEST, Partners, World

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_an_acceptor_searches_the_cameras_by_code_or_name(partners: Partners, world: World) -> None:
    Camera.objects.create(code="CAM-0002", name="建设路北口", lon=WEST[0], lat=WEST[1])
    client = signed_in(world.acceptor)
    everything = client.get("/partners/cameras/").content.decode()
    assert "CAM-0001" in everything and "CAM-0002" in everything
    found = client.get("/partners/cameras/", {"q": "建设路"}).content.decode()
    assert "CAM-0002" in found and "CAM-0001" not in found


def test_an_acceptor_reports_from_a_camera_as_a_camera_case(
    partners: Partners, world: World
) -> None:
    client = signed_in(world.acceptor)
    form = client.get("/partners/cameras/CAM-0001/")
    request_id = form.context["form"].initial["request_id"]
    data = {
        "case_type": world.garbage.pk,
        "description": "视频巡查发现路边垃圾堆积",
        "request_id": request_id,
    }
    response = client.post("/partners/cameras/CAM-0001/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert (case.channel, case.reporter, case.case_type) == (
        Channel.CAMERA,
        world.acceptor,
        world.garbage,
    )
    assert (case.point.x, case.point.y) == pytest.approx(WEST)
    client.post("/partners/cameras/CAM-0001/", data)  # a double click
    assert Case.objects.count() == 1


def test_a_refused_report_shows_the_reason_and_stores_nothing(
    partners: Partners, world: World
) -> None:
    Camera.objects.filter(pk=partners.camera.pk).update(lon=116.39, lat=39.9)  # outside
    client = signed_in(world.acceptor)
    data = {"description": "垃圾", "request_id": "0" * 32}
    response = client.post("/partners/cameras/CAM-0001/", data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Case.objects.exists()


@pytest.mark.parametrize("post", ["inspector", "dispatcher", "handler_a", "leader"])
def test_other_posts_are_refused(partners: Partners, world: World, post: str) -> None:
    client = signed_in(getattr(world, post))
    assert client.get("/partners/cameras/").status_code == 403
    data = {"description": "垃圾", "request_id": "0" * 32}
    assert client.post("/partners/cameras/CAM-0001/", data).status_code == 403
    assert not Case.objects.exists()


def test_signing_in_is_required(partners: Partners) -> None:
    response = Client().get("/partners/cameras/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_cameras_come_fifty_a_page(partners: Partners, world: World) -> None:
    Camera.objects.bulk_create(
        Camera(code=f"CAM-1{n:03d}", name=f"测试{n}", lon=WEST[0], lat=WEST[1]) for n in range(60)
    )
    client = signed_in(world.acceptor)
    first = client.get("/partners/cameras/")
    assert len(first.context["page"]) == 50 and "?page=2" in first.content.decode()
    second = client.get("/partners/cameras/", {"page": 2})
    assert len(second.context["page"]) == 11
