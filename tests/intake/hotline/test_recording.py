"""Recording a hotline call: the call becomes a hotline report awaiting verification, with the
caller's contact and a call row; a double submit makes one case; a refused call stores nothing
and comes back with what was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from cases.models import Case, Channel, Status
from catalog.models import CaseType, Edition, MajorClass
from intake.hotline.calls import CallIn, clean_phone, record_call
from intake.hotline.models import Call
from org.access import Refusal
from tests.cases.conftest import World
from tests.intake.hotline.fixtures import OUTSIDE, call_form

pytestmark = pytest.mark.django_db
URL = "/hotline/"


def nothing_stored() -> bool:
    return not Case.objects.exists() and not Call.objects.exists()


def test_a_recorded_call_is_a_hotline_report_awaiting_verification(
    world: World, acceptor_client: Client
) -> None:
    answer = acceptor_client.post(URL, call_form(world, is_urgent="on"))
    case = Case.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"{URL}?recorded={case.number}"
    assert (case.status, case.channel, case.case_type) == (
        Status.REPORTED,
        Channel.HOTLINE,
        world.garbage,
    )
    assert case.is_public and case.is_urgent and case.reporter == world.acceptor
    assert (case.contact_name, case.contact_phone) == ("李女士", "13812345678")
    assert (case.address, case.grid.code) == ("中山路12号", "520199001001003")
    call = Call.objects.get(case=case)
    assert (call.caller, call.phone, call.taken_by) == ("李女士", "13812345678", world.acceptor)
    assert call.callback_wanted and call.callback_note == "下午六点后"


def test_the_confirmation_links_the_case_and_offers_a_fresh_form(
    world: World, acceptor_client: Client
) -> None:
    form = call_form(world)
    page = acceptor_client.get(acceptor_client.post(URL, form)["Location"])
    number = Case.objects.get().number
    text = page.content.decode()
    assert f'href="/cases/{number}/"' in text and "核实" in text
    assert form["request_id"] not in text  # the next call gets a new request id
    assert form["description"] not in text.split('data-testid="callbacks"')[0]
    assert number in text.split('data-testid="today"')[1]  # among my calls today


def test_a_double_submit_makes_one_case(world: World, acceptor_client: Client) -> None:
    first = acceptor_client.post(URL, call_form(world))
    second = acceptor_client.post(URL, call_form(world))
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1 and Call.objects.count() == 1


def test_the_same_request_id_with_other_content_is_refused(
    world: World, acceptor_client: Client
) -> None:
    acceptor_client.post(URL, call_form(world))
    again = acceptor_client.post(URL, call_form(world, description="另一件事"))
    assert again.status_code == 409
    assert Case.objects.count() == 1 and Call.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lon": str(OUTSIDE[0]), "lat": str(OUTSIDE[1])}, "不在本区单元网格范围内"),
        ({"lon": "", "lat": ""}, "请选择位置"),
        ({"lon": "nan", "lat": "26.6"}, "位置不是数字"),
        ({"description": "   "}, "请描述问题。"),
        ({"case_type": "999999"}, "请选择当前分类中的类型"),
        ({"case_type": ""}, "请选择问题类型"),
        ({"phone": ""}, "回访需要来电人的电话号码"),
        ({"phone": "call me"}, "电话号码为3至20位数字"),
        ({"caller": "x" * 51}, "不超过 50 字符"),
        ({"request_id": ""}, "表单不完整"),
    ],
)
def test_a_refused_call_stores_nothing_and_keeps_what_was_typed(
    world: World, acceptor_client: Client, changes: dict[str, str], message: str
) -> None:
    form = call_form(world, description="路口垃圾没人清理") | changes
    answer = acceptor_client.post(URL, form)
    text = answer.content.decode()
    assert answer.status_code == 400
    assert message in text
    assert nothing_stored()
    assert form["description"].strip() in text and form["address"] in text  # kept


def test_every_field_error_is_shown_at_once(world: World, acceptor_client: Client) -> None:
    form = call_form(world, phone="", description="", lon="", lat="")
    text = acceptor_client.post(URL, form).content.decode()
    for field in ("phone", "description", "place"):
        assert f'data-testid="{field}-error"' in text
    assert nothing_stored()


def test_a_type_of_another_edition_is_refused(world: World, acceptor_client: Client) -> None:
    legacy = Edition.objects.create(code="old", name="旧版", type_code_length=4)
    major = MajorClass.objects.create(edition=legacy, kind="event", code="01", name="市容")
    old_type = CaseType.objects.create(major=major, code="0101", name="旧垃圾")
    answer = acceptor_client.post(URL, call_form(world, case_type=str(old_type.pk)))
    assert answer.status_code == 400 and nothing_stored()


def test_record_call_refuses_other_posts(world: World) -> None:
    call = CallIn(
        caller="",
        phone="",
        case_type=world.garbage,
        description="垃圾",
        address="",
        lon=0.0,
        lat=0.0,
        is_urgent=False,
        callback_wanted=False,
        callback_note="",
        request_id="x",
    )
    with pytest.raises(Refusal) as refused:
        record_call(actor=world.actors.dispatcher, call=call)
    assert refused.value.status == 403 and nothing_stored()


def test_phone_numbers_lose_their_separators() -> None:
    assert clean_phone("(0851) 8123-4567") == "085181234567"
    assert clean_phone("+86 138 1234 5678") == "+8613812345678"
    assert clean_phone("") == ""
    with pytest.raises(Refusal):
        clean_phone("12")
