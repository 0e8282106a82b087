"""The partner API under /api/v1/partners/ (intake/partners): partner systems send incidents
and read their cases' status, authenticated by their own key (`Authorization: Bearer ugp_…`),
never by a session or a staff token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from cases import photos
from cases.models import Case, PhotoStage
from cases.reporting import server_request_id
from cases.schemas import PhotoOut, photo_out
from intake.partners.incidents import incident_case, receive_incident
from intake.partners.keys import partner_for_key
from intake.partners.models import Partner
from intake.partners.schemas import IncidentIn, IncidentOut
from org.access import Actor, Refusal, bearer_key
from org.api import ERRORS


class PartnerKey(HttpBearer):
    """A partner system's key. Like config.api.BearerToken it never writes the header to a
    log: a wrong key may still be someone's secret. A wrong or revoked key answers 401."""

    def __call__(self, request: HttpRequest) -> Any:
        key = bearer_key(request)
        return None if key is None else self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, token: str) -> Partner:
        partner = partner_for_key(token)
        if partner is None:
            raise AuthenticationError()
        return partner


router = Router(tags=["partners"], auth=PartnerKey())


def _partner(request: HttpRequest) -> Partner:
    partner = request.auth  # type: ignore[attr-defined]
    assert isinstance(partner, Partner)
    return partner


def _out(incident_id: str, case: Case) -> IncidentOut:
    return IncidentOut(
        incident_id=incident_id,
        case=case.number,
        status=case.status,
        status_label=case.get_status_display(),
    )


@router.post(
    "/incidents",
    response={200: IncidentOut, 201: IncidentOut, **ERRORS},
    summary="Send an incident",
)
def send_incident(request: HttpRequest, body: IncidentIn) -> Status[IncidentOut]:
    """An incident becomes a case: 201 with the new case's number. The same incident again
    answers 200 with the same case; the same `incident_id` with other content answers 409
    (incident_id_reused) naming the first case. Located by `lon`/`lat` (+ `crs`), else by a
    registered `camera`, else by `address`."""
    case, created = receive_incident(_partner(request), body)
    return Status(201 if created else 200, _out(body.incident_id, case))


@router.post(
    "/incidents/{incident_id}/photos",
    response={200: PhotoOut, 201: PhotoOut, **ERRORS},
    summary="Add the incident's snapshot",
)
def add_snapshot(
    request: HttpRequest,
    incident_id: str,
    image: File[UploadedFile],
    request_id: Form[str | None] = None,
) -> Status[PhotoOut]:
    """Multipart `image` (JPEG or PNG): the camera's snapshot (抓拍) or a scene photo, added to
    the case as a report photo while the case is still waiting to be accepted. With the
    partner's own `request_id` for the upload, a retry answers 200 with the first photo."""
    partner = _partner(request)
    case = incident_case(partner, incident_id)
    if case is None:
        raise Refusal("not_found", _("You sent no incident with this id."), 404)
    actor = Actor.partner(holds=case.number)
    photos.check_photo_allowed(case, actor, PhotoStage.REPORT)  # before decoding anything
    now = timezone.now()
    key = server_request_id("partner-photo", f"{partner.pk}\n{request_id}") if request_id else None
    photo = photos.store_photo(case, PhotoStage.REPORT, image, actor=actor, now=now, request_id=key)
    return Status(201 if photo.uploaded_at == now else 200, photo_out(photo, case))


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **ERRORS},
    summary="An incident's case",
)
def read_incident(request: HttpRequest, incident_id: str) -> IncidentOut:
    """The number and status of the case one of the partner's own incidents became."""
    case = incident_case(_partner(request), incident_id)
    if case is None:
        raise Refusal("not_found", _("You sent no incident with this id."), 404)
    return _out(incident_id, case)
