"""What the case page shows beside the case's own fields: its tasks with their lights, its photos
in workflow order, the calendar warning for those who keep the calendar, and the mini-map of
its place on the unit grids (static/geo/minimap.js)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from cases import deadlines, photos
from cases.models import Case, Channel, Light, Photo, PhotoStage, Task
from geo.map_layers import map_layers
from intake.open311.models import ServiceRequest
from intake.partners.models import Incident
from org.access import Actor
from org.roles import Role

STAGE_ORDER = {stage: n for n, stage in enumerate(PhotoStage.values)}  # report, handling, check
# Who enters a new year's holidays (cases/calendar.py): its admin permission, or the post.
CALENDAR_PERMISSIONS = ("cases.add_calendaryear", "cases.change_calendaryear")


@dataclass(frozen=True)
class TaskRow:
    task: Task
    light: Light | None


def task_rows(case: Case, now: datetime) -> list[TaskRow]:
    """The case's verify and check tasks, oldest first, each open one with its light."""
    tasks = case.tasks.select_related("inspector").order_by("created_at", "id")
    return [
        TaskRow(task, deadlines.task_light(task, urgent=case.is_urgent, now=now)) for task in tasks
    ]


def in_workflow_order(photos: Iterable[Photo]) -> list[Photo]:
    """Report, then handling, then check photos; within a stage in the order they came."""
    return sorted(photos, key=lambda photo: (STAGE_ORDER[photo.stage], photo.pk))


def photos_with_doubts(case: Case) -> list[tuple[Photo, list[str]]]:
    """The photos in workflow order, each with what its EXIF says to look twice at."""
    return [(photo, photos.doubts(case, photo)) for photo in in_workflow_order(case.photos.all())]


@dataclass(frozen=True)
class Origin:
    """One fact of where a case came from, beyond its channel; a link is shown, never
    fetched or embedded (it is the partner's or the client's)."""

    label: str
    value: str
    url: str = ""


PARTNER_CHANNELS = frozenset({Channel.POLICE, Channel.CAMERA, Channel.CITY, Channel.OPEN311})


def origin(case: Case) -> list[Origin]:
    """The partner's incident (its id, camera and snapshot) and the Open311 request (media and
    the condition the client chose). Other channels ask nothing more."""
    if case.channel not in PARTNER_CHANNELS:
        return []
    found = []
    incidents = Incident.objects.filter(case=case).select_related("partner", "camera")
    for incident in incidents:
        found.append(
            Origin(_("Partner system"), f"{incident.partner.name} · {incident.incident_id}")
        )
        if incident.camera is not None:
            found.append(Origin(_("Camera"), f"{incident.camera.code} {incident.camera.name}"))
        if incident.snapshot_url:
            found.append(Origin(_("Snapshot"), incident.snapshot_url, incident.snapshot_url))
    request = ServiceRequest.objects.filter(case=case).select_related("partner").first()
    if request is not None:
        found.append(
            Origin(_("Open311 client"), f"{request.partner.name} · {request.service_code}")
        )
        if request.attributes.get("condition_text"):
            found.append(Origin(_("Condition chosen"), request.attributes["condition_text"]))
        if request.media_url:
            found.append(Origin(_("Media"), request.media_url, request.media_url))
    return found


def keeps_calendar(viewer: Actor) -> bool:
    user = viewer.user
    if user is None:
        return False
    return viewer.role == Role.SYSADMIN or any(user.has_perm(p) for p in CALENDAR_PERMISSIONS)


def calendar_warnings(case: Case, viewer: Actor, now: datetime) -> list[str]:
    """Only those who can enter the missing holidays are told, and only on a case whose
    deadlines count a year without them."""
    if not keeps_calendar(viewer):
        return []
    return deadlines.case_calendar_warnings(case, now)


def case_map(case: Case) -> dict[str, Any]:
    """The mini-map's config: the case's point, its unit grid and the grids around it."""
    layers = map_layers()
    position = layers.position(case.grid.code)
    features: list[Any] = []
    if position is not None:  # the layers may briefly be a territory revision behind
        west, south, east, north = layers.bounds[position].tolist()
        features = [json.loads(layers.features[n]) for n in layers.in_box(west, south, east, north)]
    return {
        "point": [round(case.point.x, 6), round(case.point.y, 6)],
        "grid": case.grid.code,
        "grids": {"type": "FeatureCollection", "features": features},
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }
