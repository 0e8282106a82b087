"""Incidents from partner systems become cases: 110's non-police diversion (非警务警情分流),
camera / AI / IoT alarms and the city platform's referrals (市级平台转办).

An incident is located by its position, else by the registered camera it names, else by its
address (geocoded). It is idempotent on the partner's own incident id: the same incident again
gives the same case, the same id with other content is refused naming the first case.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.reporting import report_case, server_request_id
from catalog.lookup import types_with_code
from catalog.models import CaseType
from geo.gazetteer import describe, geocode
from intake.partners.models import Camera, Incident, Partner
from intake.partners.schemas import IncidentIn
from lib.coords import CoordinateError
from org.access import Actor, Refusal

# A geocoded address must match at least this well to place a case: an exact door plate scores
# 1, a named place 0.95; a road without a number (its middle, which may be kilometres off)
# 0.7, and a fuzzy match of another road's name about as much, so neither places a case.
MIN_GEOCODE_SCORE = 0.8


@dataclass(frozen=True)
class Where:
    lon: float
    lat: float
    crs: str
    address: str
    camera: Camera | None = None


def receive_incident(
    partner: Partner, body: IncidentIn, *, now: datetime | None = None
) -> tuple[Case, bool]:
    """The case of the incident, and whether it is new. Nothing is stored when it is refused."""
    now = now or timezone.now()
    digest = incident_digest(body)
    earlier = _incident(partner, body.incident_id)
    if earlier is not None:
        return _same(earlier, digest), False
    where = locate_incident(body)
    case_type = _case_type(body)
    with transaction.atomic():
        try:
            case = report_case(
                actor=Actor.partner(),
                channel=partner.channel,
                description=body.description,
                lon=where.lon,
                lat=where.lat,
                crs=where.crs,
                case_type=case_type,
                address=where.address,
                request_id=request_id_for(partner, body.incident_id),
                contact_name=body.contact_name,
                contact_phone=body.contact_phone,
                is_urgent=body.is_urgent,
                observed_at=body.observed_at,
                now=now,
            )
        except Refusal as refusal:
            if refusal.code == "request_id_reused":  # a concurrent resend with other content
                raise _reused(body.incident_id, str(refusal.extra.get("case", ""))) from refusal
            raise
        incident, created = Incident.objects.get_or_create(
            partner=partner,
            incident_id=body.incident_id,
            defaults={
                "case": case,
                "digest": digest,
                "camera": where.camera,
                "snapshot_url": body.snapshot_url,
                "received_at": now,
            },
        )
    if not created:  # a concurrent resend won the race
        return _same(incident, digest), False
    return case, True


def incident_case(partner: Partner, incident_id: str) -> Case | None:
    """The case of one of the partner's own incidents."""
    incident = _incident(partner, incident_id)
    return incident.case if incident is not None else None


def request_id_for(partner: Partner, incident_id: str) -> str:
    """The report's request id: a partner's own, keyed with the server's secret, so that no
    other client can take an incident's id before the incident arrives."""
    return server_request_id("partner", f"{partner.pk}\n{incident_id}")


def incident_digest(body: IncidentIn) -> str:
    said = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(said.encode()).hexdigest()


def locate_incident(body: IncidentIn) -> Where:
    """The incident's place: its position, else its camera's, else its geocoded address."""
    has_position = body.lon is not None and body.lat is not None
    if (body.lon is None) != (body.lat is None):
        raise Refusal("position_incomplete", _("Give both lon and lat, or neither."), 422)
    if body.camera:
        if has_position:
            raise Refusal(
                "position_and_camera",
                _("Give either a position or a camera, not both: a camera alarm is located at "
                  "the camera."),
                422,
            )  # fmt: skip
        camera = camera_named(body.camera)
        return Where(camera.lon, camera.lat, "cgcs2000", body.address or camera.name, camera)
    if has_position:
        assert body.lon is not None and body.lat is not None
        address = body.address or _described(body.lon, body.lat, body.crs)
        return Where(body.lon, body.lat, body.crs, address)
    if body.address.strip():
        return _geocoded(body.address)
    raise Refusal(
        "location_required",
        _("Give the incident's position (lon and lat), a registered camera or an address."),
        422,
    )


def _described(lon: float, lat: float, crs: str) -> str:
    """The nearest address, or "" for a position report_case will refuse anyway."""
    try:
        return describe(lon, lat, crs)
    except CoordinateError:
        return ""


def camera_named(code: str) -> Camera:
    camera = Camera.objects.filter(code=code, is_active=True).first()
    if camera is None:
        raise Refusal(
            "no_such_camera", _("There is no active camera %(code)s.") % {"code": code}, 422
        )
    return camera


def _geocoded(address: str) -> Where:
    hits = [hit for hit in geocode(address, 1) if hit.score >= MIN_GEOCODE_SCORE]
    if not hits:
        raise Refusal(
            "address_not_found",
            _(
                "The address %(address)s was not found precisely in the district (a door plate "
                "or a named place): give a position."
            )
            % {"address": address},
            422,
        )
    return Where(hits[0].lon, hits[0].lat, "cgcs2000", address)


def _case_type(body: IncidentIn) -> CaseType | None:
    if not body.type:
        return None
    found = types_with_code(body.type, kind=body.kind)
    if not found:
        raise Refusal("no_such_type", _("There is no type %(code)s.") % {"code": body.type}, 422)
    if len(found) > 1:
        raise Refusal(
            "ambiguous_type",
            _("Type %(code)s exists for components and for events: give its kind.")
            % {"code": body.type},
            422,
        )
    return found[0]


def _incident(partner: Partner, incident_id: str) -> Incident | None:
    found = Incident.objects.select_related("case").filter(partner=partner, incident_id=incident_id)
    return found.first()


def _same(incident: Incident, digest: str) -> Case:
    if incident.digest != digest:
        raise _reused(incident.incident_id, incident.case.number)
    return incident.case


def _reused(incident_id: str, number: str) -> Refusal:
    return Refusal(
        "incident_id_reused",
        _(
            "Incident %(incident)s was already received as case %(number)s and said something "
            "else: send a new incident id for a new incident."
        )
        % {"incident": incident_id, "number": number},
        409,
        case=number,
    )
