"""A citizen reports a problem on the portal: one case per form however often it is sent, and
bad input of any kind leaves nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Case, Channel, Photo, Status
from cases.photos import MAX_PHOTO_BYTES
from geo.gazetteer import AddressHit
from intake.portal import forms
from intake.portal.models import Receipt
from intake.portal.receipts import code_hash, normalised
from tests.cases.conftest import WEST, World
from tests.geo.territory import STEP, X0, Y0
from tests.intake.portal.conftest import photo, receipt_of, report_data

pytestmark = pytest.mark.django_db


def nothing_stored() -> bool:
    return not (Case.objects.exists() or Receipt.objects.exists() or Photo.objects.exists())


def test_the_form_offers_the_current_types_grouped_by_major_class(world: World) -> None:
    page = Client().get("/public/report/").content.decode()
    assert '<optgroup label="问题 · 市容环境">' in page
    assert f'<option value="{world.garbage.pk}">暴露垃圾</option>' in page
    assert '<option value="" selected>说不清楚</option>' in page


def test_a_citizen_reports_with_photos_and_receives_a_number_and_a_code(
    world: World, media: Path
) -> None:
    client = Client()
    data = report_data(client, case_type=world.garbage.pk, photos=[photo(), photo("q.png")])
    answer = client.post("/public/report/", data)
    assert answer.status_code == 200
    number, code = receipt_of(answer.content)
    case = Case.objects.get()
    assert (case.number, case.channel, case.status) == (number, Channel.WEB, Status.REPORTED)
    assert (case.reporter, case.case_type, case.is_public) == (None, world.garbage, True)
    assert (case.contact_name, case.contact_phone) == ("张三丰", "13812345678")
    assert case.photos.filter(stage="report").count() == 2
    receipt = Receipt.objects.get(case=case)
    assert receipt.code_hash == code_hash(normalised(code)) and code not in receipt.code_hash
    assert "只显示这一次" in answer.content.decode()


def test_sending_the_same_form_twice_makes_one_case_and_shows_the_same_code(
    world: World, media: Path
) -> None:
    client = Client()
    data = report_data(client)
    first = receipt_of(client.post("/public/report/", {**data, "photos": [photo()]}).content)
    again = receipt_of(client.post("/public/report/", {**data, "photos": [photo()]}).content)
    assert first == again
    assert (Case.objects.count(), Receipt.objects.count(), Photo.objects.count()) == (1, 1, 1)


def test_a_form_sent_again_with_other_content_is_refused_and_can_be_sent_anew(
    world: World,
) -> None:
    client = Client()
    data = report_data(client)
    number, _code = receipt_of(client.post("/public/report/", data).content)
    changed = client.post("/public/report/", {**data, "description": "另一处垃圾"})
    assert changed.status_code == 409
    page = changed.content.decode()
    assert f"此表单已作为案件 {number} 发送" in page and "另一处垃圾" in page
    assert f'value="{data["request_id"]}"' not in page  # a fresh request id for a new report
    assert Case.objects.count() == 1


def test_a_pin_without_an_address_is_described_by_the_gazetteer(world: World) -> None:
    client = Client()
    client.post("/public/report/", report_data(client))
    assert Case.objects.get().address == "社区001001内"  # the small world has areas only


def test_a_typed_address_is_placed_through_the_gazetteer(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    hit = AddressHit("中山路12号", "door_plate", 1.0, WEST[0], WEST[1], "")
    monkeypatch.setattr(forms, "geocode", lambda text, limit: [hit])
    client = Client()
    answer = client.post(
        "/public/report/", report_data(client, lon="", lat="", address="中山路12号")
    )
    assert answer.status_code == 200
    case = Case.objects.get()
    assert (case.address, round(case.point.x, 6), round(case.point.y, 6)) == (
        "中山路12号",
        round(WEST[0], 6),
        round(WEST[1], 6),
    )


def huge_photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * MAX_PHOTO_BYTES, "image/jpeg")


OUTSIDE = (X0 - 5 * STEP, Y0 - 5 * STEP)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lon": OUTSIDE[0], "lat": OUTSIDE[1]}, "这个地点不在本区范围内"),
        ({"lon": "", "lat": ""}, "请在地图上标出位置"),
        ({"lon": "", "lat": "", "address": "不存在的路1号"}, "没有找到这个地址"),
        ({"lon": "nan", "lat": "nan"}, "地图上的位置无效"),
        ({"description": "   "}, "此项必填"),
        (
            {"photos": [SimpleUploadedFile("fake.jpg", b"not an image", "image/jpeg")]},
            "文件不是可读取的图片",
        ),
        ({"photos": [huge_photo()]}, "big.jpg：照片超过"),
        ({"photos": [photo(), photo(), photo(), photo()]}, "最多发送 3 张照片"),
        ({"contact_phone": "call me"}, "请输入只含数字的电话号码"),
        ({"request_id": "x"}, "此表单已过期"),
    ],
    ids=[
        "outside-district",
        "no-place",
        "unknown-address",
        "not-a-number",
        "empty-description",
        "fake-photo",
        "huge-photo",
        "four-photos",
        "bad-phone",
        "bad-request-id",
    ],
)
def test_bad_input_is_refused_in_the_form_and_nothing_is_stored(
    world: World, media: Path, changes: dict[str, Any], message: str
) -> None:
    client = Client()
    data = report_data(client, **changes)
    if "description" not in changes:
        data["description"] = "我写的描述还在"
    answer = client.post("/public/report/", data)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert message in page
    assert "description" in changes or "我写的描述还在" in page  # what was typed stays
    assert nothing_stored()
    assert not any(media.rglob("*.jpg"))


def test_a_body_larger_than_three_photos_is_refused_before_it_is_read(world: World) -> None:
    client = Client()
    answer = client.post(
        "/public/report/",
        report_data(client),
        CONTENT_LENGTH=str(4 * MAX_PHOTO_BYTES),
    )
    assert answer.status_code == 413
    assert "照片总体太大" in answer.content.decode()
    assert nothing_stored()


def test_a_report_without_the_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    answer = client.post("/public/report/", report_data(Client()))
    assert answer.status_code == 403
    assert nothing_stored()


def test_the_address_search_answers_labels_and_positions_only(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    hit = AddressHit("中山路12号", "door_plate", 1.0, 106.3005, 26.6005, "门牌")
    monkeypatch.setattr("intake.portal.views.geocode", lambda text, limit: [hit])
    answer = Client().get("/public/addresses.json", {"q": "中山路12"})
    assert answer.json() == {"results": [{"label": "中山路12号", "lon": 106.3005, "lat": 26.6005}]}


def test_the_map_outlines_are_public(world: World) -> None:
    answer = Client().get("/public/outlines.json")
    assert answer.status_code == 200
    assert answer.json()["type"] == "FeatureCollection"
