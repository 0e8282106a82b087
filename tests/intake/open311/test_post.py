"""POST requests: a partner's request becomes a case, or is refused with nothing stored."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cases.models import Case, CaseEvent, Channel, Photo, PhotoStage, Status
from intake.open311 import views
from intake.open311.models import ServiceRequest
from intake.open311.posting import RETRY_WINDOW, Posted, post_request
from tests.cases.conftest import EAST, WEST
from tests.intake.open311.conftest import COVER, GARBAGE, Open311, body, xml

pytestmark = pytest.mark.django_db


def nothing_stored() -> bool:
    return not (
        Case.objects.exists() or CaseEvent.objects.exists() or ServiceRequest.objects.exists()
    )


def test_a_request_at_lat_long_becomes_an_open311_case(o311: Open311) -> None:
    fields = o311.at_west(
        **{"attribute[condition]": "2"},
        first_name="三丰",
        last_name="张",
        phone="13812345678",
        email="zhang@example.com",
        media_url="https://photos.example.com/p/1.jpg",
        device_id="phone-1",
        account_id="acct-9",
    )
    response = o311.post(**fields)
    assert response.status_code == 200
    [answer] = body(response)
    case = Case.objects.get()
    assert answer["service_request_id"] == case.number
    assert answer["token"] and answer["service_notice"]
    assert answer["account_id"] == "acct-9"
    assert (case.channel, case.status, case.reporter) == (Channel.OPEN311, Status.REPORTED, None)
    assert case.case_type == o311.world.garbage
    assert (case.contact_name, case.contact_phone) == ("张三丰", "13812345678")
    assert (round(case.point.x, 6), round(case.point.y, 6)) == (
        round(WEST[0], 6),
        round(WEST[1], 6),
    )
    made = ServiceRequest.objects.get()
    assert (made.case, made.partner, made.token) == (case, o311.partner, answer["token"])
    assert made.attributes["condition"] == "2"
    assert made.attributes["condition_text"].startswith("堵塞道路")
    assert (made.email, made.media_url) == (
        "zhang@example.com",
        "https://photos.example.com/p/1.jpg",
    )


def test_the_answer_in_xml(o311: Open311) -> None:
    root = xml(o311.post("xml", **o311.at_west()))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert [child.tag for child in request] == ["service_request_id", "token", "service_notice"]
    assert request.findtext("service_request_id") == Case.objects.get().number
    # account_id only when the client sent one (the published schema allows no null there)
    with_account = xml(o311.post("xml", **o311.at_west(description="又有垃圾", account_id="a-1")))
    assert with_account.findtext("request/account_id") == "a-1"


def test_an_address_string_is_found_in_the_gazetteer(o311: Open311) -> None:
    response = o311.post(address_string="翠湖公园", description="公园门口垃圾成堆")
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.address == "翠湖公园"
    assert abs(case.point.x - WEST[0]) < 1e-6 and abs(case.point.y - WEST[1]) < 1e-6


def test_a_component_is_named_by_its_identifier(o311: Open311) -> None:
    fields = o311.at_west(
        service_code=COVER, **{"attribute[component_id]": o311.component.identifier}
    )
    assert o311.post(**fields).status_code == 200
    case = Case.objects.get()
    assert (case.component, case.case_type) == (o311.component, o311.cover)


def test_a_component_far_from_the_requests_position_is_refused(
    o311: Open311, settings: Any
) -> None:
    settings.COMPONENT_MAX_DISTANCE_METRES = 250
    fields = o311.at_west(
        service_code=COVER, lat=str(EAST[1]), long=str(EAST[0]),  # 299 m from the component
        **{"attribute[component_id]": o311.component.identifier},
    )  # fmt: skip
    response = o311.post(language="en", **fields)
    assert response.status_code == 400
    [error] = body(response)
    assert "at most 250 m" in error["description"]
    assert nothing_stored()


def test_a_json_body_is_taken_too(o311: Open311) -> None:
    data = {
        "api_key": o311.key,
        "service_code": GARBAGE,
        "lat": WEST[1],
        "long": WEST[0],
        "description": "垃圾",
        "attribute": {"condition": "1"},
    }
    response = o311.client.post(
        "/open311/v2/requests.json", json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert ServiceRequest.objects.get().attributes["condition"] == "1"


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"api_key": None}, 400),
        ({"api_key": "ugp_not-a-real-key"}, 403),
        ({"api_key": "something"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "event-9999"}, 404),
        ({"lat": "26.6", "long": None}, 400),
        ({"lat": "north", "long": "106.3"}, 400),
        ({"lat": "nan", "long": "106.3"}, 400),
        ({"lat": "39.9", "long": "116.4"}, 400),  # Beijing: outside the district
        ({"lat": "95", "long": "106.3"}, 400),
        ({"lat": None, "long": None}, 400),
        ({"lat": None, "long": None, "address_string": "火星基地"}, 400),
        ({"attribute[condition]": "7"}, 400),
        ({"attribute[colour]": "red"}, 400),
        ({"service_code": COVER, "attribute[component_id]": "5201990110999999"}, 400),
        ({"attribute[component_id]": "5201990110000001"}, 400),  # not an event attribute
        ({"media_url": "javascript:alert(1)"}, 400),
        ({"media_url": "file:///etc/passwd"}, 400),
        ({"email": "not an address"}, 400),
        ({"email": "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".cn"}, 400),
        ({"device_id": "d" * 101}, 400),
        ({"description": "垃圾" * 1001}, 400),
        ({"description": "bad\x00text"}, 400),
        ({"phone": "1" * 31}, 400),
    ],
)
def test_a_wrong_request_is_refused_and_nothing_is_stored(
    o311: Open311, fields: dict[str, str | None], status: int
) -> None:
    response = o311.post(**(o311.at_west() | fields))
    assert response.status_code == status, response.content
    [error] = body(response)
    assert error["code"] == status and error["description"]
    assert nothing_stored()


def test_a_revoked_partners_key_no_longer_works(o311: Open311) -> None:
    o311.partner.revoked_at = timezone.now()
    o311.partner.save()
    assert o311.post(**o311.at_west()).status_code == 403
    assert nothing_stored()


def test_a_malformed_json_body_is_refused(o311: Open311) -> None:
    for text in ("{not json", "[1, 2]", json.dumps({"api_key": o311.key, "lat": [1]})):
        response = o311.client.post(
            "/open311/v2/requests.json",
            text,
            content_type="application/json",
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 400
        assert (
            "JSON" in body(response)[0]["description"]
            or "string" in body(response)[0]["description"]
        )
    assert nothing_stored()


def test_a_refusal_speaks_the_requests_language(o311: Open311) -> None:
    english = body(o311.post(language="en", **o311.at_west(api_key=None)))
    chinese = body(o311.post(**o311.at_west(api_key=None)))
    assert english[0]["description"] == "Send your api_key to post a request."
    assert chinese[0]["description"] != english[0]["description"]


def test_a_retried_post_returns_the_first_case(o311: Open311) -> None:
    fields = o311.at_west(device_id="phone-1", **{"attribute[condition]": "1"})
    first = body(o311.post(**fields))[0]
    again = body(o311.post(**fields))[0]
    in_xml = xml(o311.post("xml", **fields))
    assert again == first
    assert in_xml.findtext("request/token") == first["token"]
    assert (Case.objects.count(), ServiceRequest.objects.count()) == (1, 1)


def test_other_content_or_another_device_makes_a_new_case(o311: Open311) -> None:
    first = body(o311.post(**o311.at_west(device_id="phone-1")))[0]
    other_device = body(o311.post(**o311.at_west(device_id="phone-2")))[0]
    other_words = body(o311.post(**o311.at_west(device_id="phone-1", description="又有垃圾")))[0]
    numbers = {first["service_request_id"], other_device["service_request_id"]}
    assert len(numbers | {other_words["service_request_id"]}) == 3


def test_a_retry_after_the_window_is_a_new_report(o311: Open311) -> None:
    posted = Posted(api_key=o311.key, fields={"service_code": GARBAGE, **o311.at_west()})
    now = timezone.now()
    first = post_request(posted, now=now - 2 * RETRY_WINDOW)
    within = post_request(posted, now=now - 1.5 * RETRY_WINDOW)
    later = post_request(posted, now=now)
    assert within.case == first.case
    assert later.case != first.case


def test_without_a_description_the_service_name_describes_it(o311: Open311) -> None:
    assert o311.post(**o311.at_west(description=None)).status_code == 200
    assert Case.objects.get().description == "暴露垃圾"


def test_a_huge_body_is_refused(o311: Open311, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = o311.post(**o311.at_west(description="垃圾" * 10_000))
    assert response.status_code == 413
    assert nothing_stored()


def test_a_partner_posting_in_a_loop_is_slowed_down(
    o311: Open311, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "POST_RATE", "2/m")
    statuses = [o311.post(**o311.at_west(description=f"垃圾{n}")).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert Case.objects.count() == 2


def jpeg(colour: str = "green") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_photos_sent_as_media_become_report_photos(o311: Open311, media: Path) -> None:
    response = o311.post(**o311.at_west(media=[jpeg(), jpeg("red")]))
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    photos = list(case.photos.all())
    assert [photo.stage for photo in photos] == [PhotoStage.REPORT, PhotoStage.REPORT]
    assert len(files_in(media)) == 4  # each image and its thumbnail
    assert o311.post(**o311.at_west(media=[jpeg(), jpeg("red")])).status_code == 200  # a retry
    assert (Case.objects.count(), case.photos.count()) == (1, 2)


def test_a_fake_photo_undoes_the_whole_request(o311: Open311, media: Path) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'hi'; ?>", content_type="image/jpeg")
    response = o311.post(**o311.at_west(media=[jpeg(), fake]))
    assert response.status_code in (400, 415)
    assert body(response)[0]["description"]
    assert nothing_stored() and not Photo.objects.exists()
    assert files_in(media) == []


def test_at_most_three_photos_come_with_a_request(o311: Open311, media: Path) -> None:
    response = o311.post(**o311.at_west(media=[jpeg() for _ in range(4)]))
    assert response.status_code == 400
    assert nothing_stored()


def english_error(response: Any, status: int) -> str:
    """The description of the spec's one error, with the HTTP status of its code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    [error] = body(response)
    assert error["code"] == status
    return str(error["description"])


def post_json(o311: Open311, data: dict[str, Any], *, language: str = "en") -> Any:
    return o311.client.post(
        "/open311/v2/requests.json",
        json.dumps(data),  # a lone surrogate is written as \ud800: valid JSON text
        content_type="application/json",
        headers={"Accept-Language": language},
    )


@pytest.mark.parametrize(
    "data",
    [
        {"description": "x\ud800"},
        {"api_key": "ugp_\ud800"},
        {"api_key": "\udfff"},
        {"attribute": {"condition": "1\ud800"}},
        {"attribute": {"\ud800": "1"}},
        {"device_id": "\udc80phone"},
    ],
)
def test_json_text_that_is_no_unicode_is_refused(o311: Open311, data: dict[str, Any]) -> None:
    fields = {"api_key": o311.key, "service_code": GARBAGE, **o311.at_west(), **data}
    response = post_json(o311, fields)
    assert english_error(response, 400) == "The request body is not valid JSON."
    chinese = english_error(post_json(o311, fields, language="zh-hans"), 400)
    assert chinese != "The request body is not valid JSON."
    assert nothing_stored()


@pytest.mark.parametrize(
    "fields",
    [
        {"media_url": "http://example.com/a\x00b"},
        {"media_url": "http://example.com/a\x1bb"},
        {"service_code": COVER, "attribute[component_id]": "5201990110000001\x00"},
        {"attribute[condition]": "1\x00"},
        {"attribute[\x00]": "1"},
        {"api_key": "ugp_\x00"},
        {"service_code": "event-\x00"},
        {"email": "a\x00@example.com"},
        {"first_name": "三\x00丰"},
        {"address_string": "翠湖\x00公园", "lat": None, "long": None},
        {"device_id": "phone\x7f"},
        {"account_id": "\x00"},
        {"jurisdiction_id": "\x00"},
    ],
)
def test_control_characters_are_refused_in_every_field(
    o311: Open311, fields: dict[str, str | None]
) -> None:
    response = o311.post(language="en", **(o311.at_west() | fields))
    assert english_error(response, 400) == "The text holds control characters."
    assert nothing_stored()


def test_control_characters_are_refused_urlencoded_in_the_body_or_the_query(
    o311: Open311,
) -> None:
    form = f"api_key={o311.key}&service_code={GARBAGE}&lat={WEST[1]}&long={WEST[0]}"
    for url, data in [
        ("/open311/v2/requests.json", form + "&media_url=http://example.com/a%00b"),
        ("/open311/v2/requests.json?media_url=http://example.com/a%00b", form),
    ]:
        response = o311.client.post(
            url,
            data,
            content_type="application/x-www-form-urlencoded",
            headers={"Accept-Language": "en"},
        )
        assert english_error(response, 400) == "The text holds control characters."
    assert nothing_stored()


def test_tabs_and_line_breaks_are_still_text(o311: Open311) -> None:
    response = o311.post(**o311.at_west(description="路边\t有垃圾\r\n很多"))
    assert response.status_code == 200, response.content


def test_a_body_larger_than_the_photos_allow_is_refused_before_the_key_is_read(
    o311: Open311, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases import photos

    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 1000)  # then at most 3,000 bytes + 1 MB

    def big() -> SimpleUploadedFile:
        data = b"\xff\xd8" + b"0" * (1024 * 1024 + 4000)
        return SimpleUploadedFile("photo.jpg", data, "image/jpeg")

    response = o311.post(language="en", **o311.at_west(api_key="wrong", media=[big()]))
    assert english_error(response, 413) == "The request body is too large."
    in_xml = o311.post("xml", **o311.at_west(api_key="wrong", media=[big()]))
    assert (in_xml.status_code, xml(in_xml).findtext("error/code")) == (413, "413")
    assert nothing_stored() and files_in(media) == []


def test_a_claimed_length_beyond_the_limit_is_refused_unread(o311: Open311) -> None:
    response = o311.client.post(
        "/open311/v2/requests.json",
        o311.at_west(api_key=o311.key, service_code=GARBAGE),
        headers={"Accept-Language": "en"},
        CONTENT_LENGTH=str(10**12),
    )
    assert english_error(response, 413) == "The request body is too large."
    assert nothing_stored()


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "12 34", "²"])
@pytest.mark.parametrize(
    "content_type", ["application/json", "multipart/form-data; boundary=BoUnDaRy"]
)
def test_a_malformed_content_length_is_a_400(o311: Open311, length: str, content_type: str) -> None:
    data = json.dumps({"api_key": o311.key, "service_code": GARBAGE, **o311.at_west()})
    response = o311.client.post(
        "/open311/v2/requests.json",
        data,
        content_type=content_type,
        headers={"Accept-Language": "en"},
        CONTENT_LENGTH=length,
    )
    assert english_error(response, 400)
    assert nothing_stored()


def test_too_many_files_are_refused_in_the_specs_form(o311: Open311, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    response = o311.post(language="en", **o311.at_west(media=[jpeg() for _ in range(3)]))
    assert english_error(response, 400) == "Send at most 3 photos with a request."
    in_xml = o311.post("xml", **o311.at_west(media=[jpeg() for _ in range(3)]))
    assert (in_xml.status_code, xml(in_xml).findtext("error/code")) == (400, "400")
    assert nothing_stored()


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("multipart/form-data; boundary=", b"--\r\n"),  # no boundary
        ("multipart/form-data; boundary=\x80", b"--\x80\r\n"),  # not an ASCII boundary
        ("multipart/form-data", b"--B\r\n"),  # no boundary parameter
    ],
)
def test_a_malformed_multipart_body_is_refused_in_the_specs_form(
    o311: Open311, content_type: str, data: bytes
) -> None:
    response = o311.client.post(
        f"/open311/v2/requests.json?api_key={o311.key}",
        data,
        content_type=content_type,
        headers={"Accept-Language": "en"},
    )
    assert english_error(response, 400)
    assert nothing_stored()
