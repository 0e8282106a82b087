"""The verbs of the loop as forms on the case page: each post finds exactly the forms its post
may use, every refusal comes back beside its form in the user's language, and a refused form
stores nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases import workflow as wf
from cases.models import TEXT_MAX, Case, Channel, Status
from cases.reporting import report_case
from intake.mobile.tracks import record_pings, start_shift
from tests.cases.conftest import EAST, WEST, World
from tests.cases.making import dispatched, filed
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def act(client: Client, number: str, verb: str, **fields: object) -> tuple[int, str]:
    response = client.post(reverse("case_act", args=[number, verb]), fields, follow=True)
    return response.status_code, response.content.decode()


def forms_on(client: Client, number: str) -> set[str]:
    response = client.get(reverse("case_detail", args=[number]))
    assert response.status_code == 200
    page = response.content.decode()
    return {chunk.split('"')[0] for chunk in page.split('data-verb="')[1:]}


def form_of(page: str, verb: str) -> str:
    return page.split(f'data-verb="{verb}"')[1].split("</details>")[0]


def status_of(number: str) -> str:
    return Case.objects.get(number=number).status


def a_jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("after.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_whole_loop_runs_from_the_case_page_forms(world: World, media: Path) -> None:
    case = report_case(
        actor=world.actors.inspector, channel=Channel.INSPECTOR, description="垃圾堆",
        lon=WEST[0], lat=WEST[1],
    )  # fmt: skip
    number = case.number
    acceptor, leader = client_for(world.acceptor), client_for(world.shift_leader)

    code, page = act(acceptor, number, "accept", reason="属实")
    assert code == 200 and "受理" in page and status_of(number) == Status.ACCEPTED
    act(leader, number, "file", condition=world.normal.pk)
    assert status_of(number) == Status.FILED
    act(client_for(world.dispatcher), number, "dispatch", unit="DA", reason="市政")
    assert status_of(number) == Status.DISPATCHED
    handler = client_for(world.handler_a)
    act(handler, number, "sign")
    assert status_of(number) == Status.HANDLING
    added = handler.post(
        reverse("case_add_photo", args=[number]), {"stage": "handling", "image": a_jpeg()}
    )
    assert added.status_code == 302 and Case.objects.get(number=number).photos.count() == 1
    act(handler, number, "feedback", reason="已清理")
    assert status_of(number) == Status.HANDLED
    act(acceptor, number, "send_check", inspector="inspector")
    assert status_of(number) == Status.CHECKING
    act(client_for(world.inspector), number, "check", passed="true", reason="干净")
    assert status_of(number) == Status.CHECKED
    code, page = act(leader, number, "close", reason="结案")
    assert code == 200 and status_of(number) == Status.CLOSED
    assert "结案" in page and 'data-testid="timeline"' in page


def test_each_post_finds_only_the_forms_it_may_use(world: World) -> None:
    number = filed(world, where=EAST).number
    assert forms_on(client_for(world.dispatcher), number) >= {"dispatch", "request_void", "urge"}
    assert "accept" not in forms_on(client_for(world.dispatcher), number)
    assert forms_on(client_for(world.acceptor), number) == {"request_void", "photo"}
    assert forms_on(client_for(world.shift_leader), number) == {"close_special", "photo"}
    assert forms_on(client_for(world.inspector_2), number) == set()
    signable = dispatched(world, where=WEST, unit=world.org.department_a).number
    # Reported on MONDAY_10, days ago: overdue by now, so the unit may appeal.
    handler_forms = {"sign", "return_case", "appeal_overdue", "photo"}
    assert forms_on(client_for(world.handler_a), signable) == handler_forms


def test_a_refusal_is_shown_beside_its_form_and_stores_nothing(world: World) -> None:
    number = filed(world, where=EAST).number  # the suggestion is the street office of street 002
    events = Case.objects.get(number=number).events.count()
    code, page = act(client_for(world.dispatcher), number, "dispatch", unit="DA")
    assert code == 400
    refusal = page.split('data-testid="refusal">')[1].split("</p>")[0]
    assert refusal == "请说明不派遣给建议单位的原因。"
    assert '<details class="verb" data-verb="dispatch" open>' in page
    assert '<option value="DA" selected>' in form_of(page, "dispatch")  # the choice is kept
    case = Case.objects.get(number=number)
    assert case.status == Status.FILED and case.events.count() == events


def test_a_bad_field_is_refused_in_the_users_language(world: World) -> None:
    number = dispatched(world, where=WEST, unit=world.org.department_a).number
    handler = client_for(world.handler_a)
    act(handler, number, "sign")
    code, page = act(handler, number, "request_extension", minutes="三天", reason="材料")
    assert code == 400 and "请填写整数。" in page
    code, page = act(handler, number, "request_extension", minutes="0", reason="材料")
    assert code == 400 and "请填写大于 0 的数值。" in page
    code, page = act(handler, number, "feedback", reason="长" * (TEXT_MAX + 1))
    assert code == 400 and f"最多填写 {TEXT_MAX} 个字符。" in page
    assert f'maxlength="{TEXT_MAX}"' in page  # the browser stops at the same length
    case = Case.objects.get(number=number)
    assert case.pending_request == "" and case.status == Status.HANDLING


def test_a_verb_of_another_post_or_unit_is_refused(world: World) -> None:
    number = dispatched(world, where=WEST, unit=world.org.department_a).number
    code, page = act(client_for(world.dispatcher), number, "sign")
    assert (
        code == 403 and "无权执行此操作（签收）" in page and status_of(number) == Status.DISPATCHED
    )
    other_unit = client_for(world.handler_b)
    assert other_unit.post(reverse("case_act", args=[number, "sign"])).status_code == 404
    own_unit = client_for(world.handler_a)
    assert own_unit.post(reverse("case_act", args=[number, "nap"])).status_code == 404
    assert own_unit.get(reverse("case_act", args=[number, "sign"])).status_code == 405
    assert status_of(number) == Status.DISPATCHED


def test_decisions_approve_or_refuse_with_two_buttons(world: World) -> None:
    number = dispatched(world, where=WEST, unit=world.org.department_a).number
    wf.sign_case(number, actor=world.actors.handler_a)
    wf.request_extension(number, actor=world.actors.handler_a, minutes=60, reason="材料")
    page = client_for(world.dispatcher).get(reverse("case_detail", args=[number])).content.decode()
    assert 'name="approve" value="true"' in page and 'name="approve" value="false"' in page
    act(client_for(world.dispatcher), number, "decide_extension", approve="false", reason="不必")
    case = Case.objects.get(number=number)
    assert case.pending_request == "" and case.extension_count == 0


def test_the_merge_form_lists_open_cases_of_the_same_type_nearby(world: World) -> None:
    first = report_case(
        actor=world.actors.inspector, channel=Channel.INSPECTOR, description="垃圾堆",
        lon=WEST[0], lat=WEST[1], case_type=world.garbage,
    )  # fmt: skip
    second = report_case(
        actor=world.actors.inspector_2, channel=Channel.INSPECTOR, description="又一堆垃圾",
        lon=WEST[0] + 0.0005, lat=WEST[1], case_type=world.garbage,
    )  # fmt: skip
    acceptor = client_for(world.acceptor)
    page = acceptor.get(reverse("case_detail", args=[second.number])).content.decode()
    listed = page.split('data-testid="duplicates">')[1].split("</ul>")[0]
    assert first.number in listed and " m · " in listed
    act(acceptor, second.number, "merge", into=first.number, reason="重复")
    assert status_of(second.number) == Status.MERGED


def test_a_form_asks_for_a_reason_only_where_the_verb_records_one(world: World) -> None:
    case = report_case(
        actor=world.actors.inspector, channel=Channel.INSPECTOR, description="垃圾堆",
        lon=WEST[0], lat=WEST[1],
    )  # fmt: skip
    page = client_for(world.acceptor).get(reverse("case_detail", args=[case.number]))
    text = page.content.decode()
    assert 'name="reason"' not in form_of(text, "send_verify")
    assert 'name="reason"' in form_of(text, "accept")


def test_a_refused_photo_is_explained_even_to_a_post_without_a_photo_form(
    world: World, media: Path
) -> None:
    number = filed(world, where=EAST).number
    dispatcher = client_for(world.dispatcher)
    assert "photo" not in forms_on(dispatcher, number)
    refused = dispatcher.post(
        reverse("case_add_photo", args=[number]), {"stage": "report", "image": a_jpeg()}
    )
    assert refused.status_code == 403
    assert 'data-testid="refusal">您现在不能为案卷' in refused.content.decode()
    assert Case.objects.get(number=number).photos.count() == 0


def test_the_center_reveals_a_reporters_contact_to_call_back_and_it_is_recorded(
    world: World,
) -> None:
    case = report_case(
        actor=world.actors.acceptor, channel=Channel.HOTLINE, description="垃圾",
        lon=WEST[0], lat=WEST[1], contact_name="李四", contact_phone="13912345678",
    )  # fmt: skip
    reveal = reverse("case_reveal_contact", args=[case.number])
    dispatcher = client_for(world.dispatcher)
    page = dispatcher.get(reverse("case_detail", args=[case.number])).content.decode()
    assert reveal not in page and "139****5678" in page
    refused = dispatcher.post(reveal)
    assert refused.status_code == 403 and "13912345678" not in refused.content.decode()
    acceptor = client_for(world.acceptor)
    page = acceptor.get(reverse("case_detail", args=[case.number])).content.decode()
    assert reveal in page
    shown = acceptor.post(reveal).content.decode()
    assert "李四 13912345678" in shown
    verbs = list(case.events.order_by("sequence").values_list("verb", flat=True))
    assert verbs == ["report", "reveal_contact"]


def test_the_verify_form_offers_the_nearest_inspector_on_duty_first(world: World) -> None:
    case = report_case(
        actor=world.actors.inspector, channel=Channel.INSPECTOR, description="垃圾堆",
        lon=WEST[0], lat=WEST[1],
    )  # fmt: skip
    near, now = world.person(world.inspector_2), timezone.now()
    start_shift(near, now=now)
    ping = {"at": now.isoformat(), "lon": WEST[0] + 0.001, "lat": WEST[1], "accuracy": 10}
    record_pings(near, [ping], now=now)
    page = client_for(world.acceptor).get(reverse("case_detail", args=[case.number]))
    options = re.findall(
        r'<option value="([^"]+)"[^>]*>([^<]*)</option>', form_of(page.text, "send_verify")
    )
    assert options[0][0] == world.inspector_2.username
    assert re.search(r"· 在岗，距离 \d{2,3} 米，\d+\xa0分钟前", options[0][1])
    assert all("在岗" not in why for _, why in options[1:])
