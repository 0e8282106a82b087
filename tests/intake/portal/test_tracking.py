"""The reporter follows the case with its number and tracking code, in plain words and without
anyone else's data, and rates the result once it is closed (回访)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from cases import workflow as wf
from cases.models import Case, PendingRequest, Satisfaction, Status
from intake.portal import views
from intake.portal.receipts import new_code
from org.access import Refusal
from tests.cases.conftest import World
from tests.intake.portal.conftest import receipt_of, report_data

pytestmark = pytest.mark.django_db

INTERNAL_NOTE = "内部备注勿外传"


def reported_on_the_portal(client: Client) -> tuple[Case, str]:
    number, code = receipt_of(client.post("/public/report/", report_data(client)).content)
    return Case.objects.get(number=number), code


def close(world: World, case: Case) -> Case:
    """Through the loop, as the center and a department would, with internal notes."""
    a = world.actors
    wf.send_verify(case, actor=a.acceptor, inspector=world.person(world.inspector))
    wf.verify_report(case, actor=a.inspector, found=True, reason=INTERNAL_NOTE)
    wf.accept_case(case, actor=a.acceptor)
    wf.file_case(case, actor=a.shift_leader, condition=world.normal)
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason=INTERNAL_NOTE)
    wf.sign_case(case, actor=a.handler_a)
    wf.feedback_case(case, actor=a.handler_a, reason=INTERNAL_NOTE)
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2))
    wf.check_case(case, actor=a.inspector_2, passed=True)
    return wf.close_case(case, actor=a.shift_leader)


def look_up(client: Client, number: str, code: str) -> str:
    answer = client.post("/public/track/", {"number": number, "code": code}, follow=True)
    return answer.content.decode()


def test_report_track_close_and_rate(world: World) -> None:
    reporter = Client()
    case, code = reported_on_the_portal(reporter)
    stranger = Client()  # another browser, which has only the number and the code
    page = look_up(stranger, case.number, code.lower().replace("-", " "))
    assert "已收到" in page and case.number in page
    assert "结案后可以评价处理结果" in page

    close(world, case)
    page = stranger.get(f"/public/track/{case.number}/").content.decode()
    page = page[page.index('data-testid="timeline"') :]
    for stage in ("已收到", "现场核实中", "已受理", "已派给责任部门", "处置中", "已处置", "已结案"):
        assert stage in page
    assert page.index("已收到") < page.index("已派给责任部门") < page.index("已结案")

    rated = stranger.post(
        f"/public/track/{case.number}/rate/", {"satisfaction": "basically", "comment": "还行"}
    )
    assert rated.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Status.CLOSED, Satisfaction.BASICALLY)
    page = stranger.get(f"/public/track/{case.number}/").content.decode()
    assert "感谢您的评价" in page and "您的评价：基本满意" in page

    again = stranger.post(f"/public/track/{case.number}/rate/", {"satisfaction": "satisfied"})
    assert again.status_code == 409
    assert "您已经评价过这次处理结果" in again.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.BASICALLY


def test_a_dissatisfied_rating_reopens_the_case_for_the_supervision_center(
    world: World,
) -> None:
    client = Client()
    case, _code = reported_on_the_portal(client)
    close(world, case)
    client.post(f"/public/track/{case.number}/rate/", {"satisfaction": "dissatisfied"})
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (Status.ACCEPTED, 1)
    page = client.get(f"/public/track/{case.number}/").content.decode()
    assert "案件已重新开启" in page


def test_a_case_not_yet_closed_cannot_be_rated(world: World) -> None:
    client = Client()
    case, _code = reported_on_the_portal(client)
    answer = client.post(f"/public/track/{case.number}/rate/", {"satisfaction": "satisfied"})
    assert answer.status_code == 409
    assert "案件结案后才能评价处理结果" in answer.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == ""


def same_page(content: bytes, number: str) -> str:
    """The page without what differs by design: the number typed, the masked CSRF token."""
    page = content.decode().replace(number, "N")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_wrong_code_gets_the_same_answer_as_a_missing_number(world: World) -> None:
    case, _code = reported_on_the_portal(Client())
    client = Client()
    wrong = client.post("/public/track/", {"number": case.number, "code": "ABCD-EFGH-JKMN"})
    missing = client.post("/public/track/", {"number": "2099999999", "code": "ABCD-EFGH-JKMN"})
    assert wrong.status_code == missing.status_code == 400
    assert "没有与此编号和查询码相符的上报" in wrong.content.decode()
    assert same_page(wrong.content, case.number) == same_page(missing.content, "2099999999")
    # Without the code the case page only asks for it.
    answer = client.get(f"/public/track/{case.number}/")
    assert answer.status_code == 302 and answer["Location"].startswith("/public/track/?number=")


def test_the_tracking_page_never_shows_contacts_staff_or_internal_notes(world: World) -> None:
    client = Client()
    case, _code = reported_on_the_portal(client)
    close(world, case)
    page = client.get(f"/public/track/{case.number}/").content.decode()
    private = ["张三丰", "13812345678", INTERNAL_NOTE, "区市政所", "监督指挥中心"]
    staff = ["acceptor", "inspector", "shift_leader", "dispatcher", "handler_a"]
    assert [text for text in private + staff if text in page] == []


def test_only_portal_reports_can_be_followed(world: World) -> None:
    from tests.cases.making import public_report

    other = public_report(world)  # reported through the app: no portal receipt
    client = Client()
    session = client.session
    session["portal_holds"] = [other.number]
    session.save()
    assert client.get(f"/public/track/{other.number}/").status_code == 302


def test_a_form_resent_with_another_code_gives_no_access_to_the_case(world: World) -> None:
    """Someone's form sent again (Back on a shared computer) with the code of a fresh form:
    the report is said to be received, but its code was never shown to this browser."""
    owner = Client()
    data = report_data(owner)
    number, _code = receipt_of(owner.post("/public/report/", data).content)
    other = Client()
    resent = other.post("/public/report/", {**data, "code": new_code()})
    assert resent.status_code == 200
    page = resent.content.decode()
    assert "这份上报之前已经发送过" in page and 'data-testid="tracking-code"' not in page
    assert other.get(f"/public/track/{number}/").status_code == 302
    case = close(world, Case.objects.get(number=number))
    rated = other.post(f"/public/track/{number}/rate/", {"satisfaction": "dissatisfied"})
    assert rated.status_code == 302 and rated["Location"].startswith("/public/track/?number=")
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Status.CLOSED, "")
    # The reporter's own browser, sending the same form again, still follows its case.
    assert receipt_of(owner.post("/public/report/", data).content)[0] == number
    assert owner.get(f"/public/track/{number}/").status_code == 200


def test_holding_a_case_renews_the_session_which_ends_with_the_browser(world: World) -> None:
    case, code = reported_on_the_portal(Client())
    client = Client()
    planted = client.session.session_key  # a session key known beforehand (fixation)
    assert planted is not None
    answer = client.post("/public/track/", {"number": case.number, "code": code})
    assert answer.status_code == 302
    cookie = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value != planted
    assert (cookie["max-age"], cookie["expires"]) == ("", "")  # a browser-session cookie
    assert client.get(f"/public/track/{case.number}/").status_code == 200
    fixed = Client()
    fixed.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert fixed.get(f"/public/track/{case.number}/").status_code == 302


def test_the_receipt_renews_the_session_too(world: World) -> None:
    client = Client()
    data = report_data(client)
    planted = client.session.session_key
    answer = client.post("/public/report/", data)
    cookie = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value != planted and cookie["max-age"] == ""


def test_a_staff_members_session_keeps_its_expiry(world: World) -> None:
    case, code = reported_on_the_portal(Client())
    client = Client()
    client.force_login(world.acceptor)
    answer = client.post("/public/track/", {"number": case.number, "code": code})
    cookie = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE
    assert client.get(f"/public/track/{case.number}/").status_code == 200


def rate_page(client: Client, number: str, satisfaction: str = "satisfied") -> tuple[int, str]:
    answer = client.post(
        f"/public/track/{number}/rate/",
        {"satisfaction": satisfaction},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    return answer.status_code, answer.content.decode()


def test_other_refusals_of_a_rating_are_told_in_public_words(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    case, _code = reported_on_the_portal(client)
    close(world, case)

    def refuse(*args: object, **kwargs: object) -> None:
        raise Refusal("not_your_task", "This task was sent to another inspector.", 403)

    monkeypatch.setattr(views, "callback_case", refuse)
    status, page = rate_page(client, case.number)
    assert status == 403
    assert "another inspector" not in page
    assert "Your rating could not be recorded" in page


def test_a_result_under_review_cannot_be_rated_and_the_review_is_not_told(
    world: World,
) -> None:
    client = Client()
    case, _code = reported_on_the_portal(client)
    close(world, case)
    Case.objects.filter(pk=case.pk).update(pending_request=PendingRequest.APPEAL)
    rate_form = f'action="/public/track/{case.number}/rate/"'
    page = client.get(f"/public/track/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "The result is under review" in page.content.decode()
    assert rate_form not in page.content.decode()
    status, page_text = rate_page(client, case.number)
    assert status == 409
    assert "The result is under review" in page_text and rate_form not in page_text
    assert "appeal" not in page_text.lower() and "decision on a request" not in page_text
    case.refresh_from_db()
    assert case.satisfaction == ""
