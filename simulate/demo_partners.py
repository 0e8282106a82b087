"""The demo's partner systems (联动系统) and its 500 video cameras (视频监控点).

Three partners: the 110 centre (non-police diversion), the video AI platform and the city
platform. Their keys are made on the first load and printed once; a later load keeps them.
The cameras stand along the district's roads at even spacing, main roads first, each named
after its road, with a fake snapshot URL; four in five belong to the video platform, which
sends their AI alarms. Loading is an upsert by code: running it again changes nothing.
"""

from __future__ import annotations

from typing import Final

import shapely
from django.db import transaction
from shapely.geometry import LineString, MultiLineString, Point

from geo.models import District, Road, RoadClass
from intake.partners.keys import new_partner
from intake.partners.models import Camera, Partner, PartnerKind

CAMERA_COUNT: Final = 500
CAMERA_PREFIX: Final = "DEMO-CAM-"
SNAPSHOTS: Final = "https://video.example.invalid/snapshots/"
# code, name, kind, callback URL (nobody answers there: the demo's pushes end as dead letters)
PARTNERS: Final = [
    ("110", "110指挥中心（非警务警情分流）", PartnerKind.POLICE, ""),
    ("video-ai", "视频智能分析平台", PartnerKind.CAMERA, "https://video.example.invalid/callback"),
    ("city", "市级数字城管平台", PartnerKind.CITY, "https://city.example.invalid/urbangrid"),
]
ROAD_ORDER: Final[dict[str, int]] = {RoadClass.MAIN: 0, RoadClass.SECONDARY: 1, RoadClass.LANE: 2}


def load_demo_partners() -> tuple[dict[str, int], dict[str, str]]:
    """The demo's partners and cameras: counts, and the keys of partners made just now."""
    with transaction.atomic():
        keys = _partners()
        cameras = _cameras(Partner.objects.get(code="video-ai"))
    return {"partners": len(PARTNERS), "new_keys": len(keys), "cameras": cameras}, keys


def _partners() -> dict[str, str]:
    keys = {}
    for code, name, kind, callback_url in PARTNERS:
        if not Partner.objects.filter(code=code).exists():
            _partner, keys[code] = new_partner(code, name, kind, callback_url=callback_url)
    return keys


def _cameras(platform: Partner) -> int:
    wanted = [
        Camera(
            code=f"{CAMERA_PREFIX}{n + 1:04d}",
            name=f"{road}{n + 1:03d}号监控",
            lon=round(point.x, 7),
            lat=round(point.y, 7),
            snapshot_url=f"{SNAPSHOTS}{CAMERA_PREFIX}{n + 1:04d}.jpg",
            partner=platform if n % 5 else None,
            is_active=True,
        )
        for n, (road, point) in enumerate(camera_points(CAMERA_COUNT))
    ]
    existing = Camera.objects.in_bulk([c.code for c in wanted], field_name="code")
    new = [c for c in wanted if c.code not in existing]
    fields = ["name", "lon", "lat", "snapshot_url", "partner_id", "is_active"]
    changed = []  # only these: a bulk update of all 500 took 0.8 s of every reload
    for camera in wanted:
        if (stored := existing.get(camera.code)) is not None:
            camera.pk = stored.pk
            if any(getattr(camera, f) != getattr(stored, f) for f in fields):
                changed.append(camera)
    Camera.objects.bulk_update(changed, fields, batch_size=500)
    Camera.objects.bulk_create(new, batch_size=500)
    codes = [c.code for c in wanted]
    Camera.objects.filter(code__startswith=CAMERA_PREFIX).exclude(code__in=codes).delete()
    return len(wanted)


def camera_points(count: int) -> list[tuple[str, Point]]:
    """`count` points spread evenly along the roads' parts inside the district."""
    district = District.objects.first()
    if district is None:
        return []
    inside = shapely.buffer(district.boundary, -1e-5)  # off the boundary itself
    roads = sorted(Road.objects.all(), key=lambda r: (ROAD_ORDER.get(r.road_class, 9), r.pk))
    parts = [(road.name, part) for road in roads for part in _lines(road.line.intersection(inside))]
    total = sum(line.length for _name, line in parts)
    if not total:
        return []
    spacing = total / count
    targets = iter((k + 0.5) * spacing for k in range(count))  # along all parts in turn
    target, start, points = next(targets), 0.0, []
    for name, line in parts:
        end = start + line.length
        while target is not None and target < end:
            points.append((name, line.interpolate(target - start)))
            target = next(targets, None)
        start = end
    return points


def _lines(geometry: object) -> list[LineString]:
    if isinstance(geometry, LineString) and not geometry.is_empty:
        return [geometry]
    if isinstance(geometry, MultiLineString):
        return [line for line in geometry.geoms if not line.is_empty]
    return []  # a point or nothing: the road only touches the district
