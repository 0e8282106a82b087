"""Partner systems over the small world of the workflow tests: a 110 centre, a camera
platform and the city platform, each with its key, and a registered camera."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from intake.partners.keys import new_partner
from intake.partners.models import Camera, Partner
from tests.cases.conftest import MONDAY_10, WEST, World, media, world  # noqa: F401  (fixtures)

Response = Any


@dataclass
class Partners:
    police: Partner
    police_key: str
    cameras: Partner
    cameras_key: str
    city: Partner
    city_key: str
    camera: Camera


@pytest.fixture
def partners(world: World) -> Partners:  # noqa: F811
    police, police_key = new_partner("110", "110指挥中心", "police", now=MONDAY_10)
    cameras, cameras_key = new_partner(
        "video", "视频智能分析平台", "camera", callback_url="http://127.0.0.1:9/", now=MONDAY_10
    )
    city, city_key = new_partner(
        "city", "市级数字城管平台", "city", callback_url="http://127.0.0.1:9/city", now=MONDAY_10
    )
    camera = Camera.objects.create(
        code="CAM-0001", name="中山路口东", lon=WEST[0], lat=WEST[1], partner=cameras
    )
    return Partners(police, police_key, cameras, cameras_key, city, city_key, camera)


def send(key: str, body: Any, *, language: str = "en", client: Client | None = None) -> Response:
    """POST /api/v1/partners/incidents with a partner's key."""
    return (client or Client()).post(
        "/api/v1/partners/incidents",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Accept-Language": language},
    )


def incident(incident_id: str = "JQ20261123-0001", **extra: Any) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "description": "群众报警：路边垃圾堆积，非警务警情分流",
        "lon": WEST[0],
        "lat": WEST[1],
        "contact_name": "李四",
        "contact_phone": "13900001111",
        **extra,
    }
