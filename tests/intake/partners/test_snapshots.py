"""A partner adds its incident's snapshot (抓拍) as a report photo while the case waits to be
accepted; fake images, other partners' incidents and late uploads are refused, storing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import workflow as wf
from cases.models import Case, Photo
from tests.cases.test_photos import encoded, picture, stored_files
from tests.intake.partners.conftest import Partners, World, incident, send

pytestmark = pytest.mark.django_db


def upload(
    key: str, incident_id: str, content: bytes | None, name: str = "snap.jpg", **extra: str
) -> Any:
    data: dict[str, Any] = {} if content is None else {"image": SimpleUploadedFile(name, content)}
    data.update(extra)
    return Client().post(
        f"/api/v1/partners/incidents/{incident_id}/photos",
        data,
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "zh-hans"},
    )


@pytest.fixture
def sent(partners: Partners, media: Path) -> Case:
    number = send(partners.cameras_key, incident("AI-1")).json()["case"]
    return Case.objects.get(number=number)


def test_a_snapshot_becomes_a_report_photo_of_the_case(partners: Partners, sent: Case) -> None:
    response = upload(partners.cameras_key, "AI-1", encoded(picture()))
    assert response.status_code == 201, response.json()
    photo = Photo.objects.get()
    assert (photo.case, photo.stage, photo.uploaded_by) == (sent, "report", None)


def test_a_retried_snapshot_with_its_request_id_is_stored_once(
    partners: Partners, sent: Case
) -> None:
    first = upload(partners.cameras_key, "AI-1", encoded(picture()), request_id="snap-1")
    again = upload(partners.cameras_key, "AI-1", encoded(picture()), request_id="snap-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Photo.objects.count() == 1


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(
    partners: Partners, sent: Case, media: Path
) -> None:
    response = upload(partners.cameras_key, "AI-1", b"%PDF-1.4 not a picture", "snap.jpg")
    assert response.status_code in (400, 415)
    assert response.json()["error"]["message"]
    assert not Photo.objects.exists() and stored_files(media) == []


def test_a_missing_image_answers_422(partners: Partners, sent: Case) -> None:
    response = upload(partners.cameras_key, "AI-1", None)
    assert response.status_code == 422


def test_another_partners_incident_answers_404(partners: Partners, sent: Case) -> None:
    response = upload(partners.police_key, "AI-1", encoded(picture()))
    assert response.status_code == 404
    assert not Photo.objects.exists()


def test_once_the_case_is_accepted_the_partner_adds_no_more_photos(
    partners: Partners, sent: Case, world: World
) -> None:
    wf.accept_case(sent, actor=world.actors.acceptor)
    response = upload(partners.cameras_key, "AI-1", encoded(picture()))
    assert response.json()["error"]["code"] == "photo_not_allowed"
    assert not Photo.objects.exists()
