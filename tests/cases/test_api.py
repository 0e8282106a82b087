"""The JSON API at /api/v1/: reporting, the scoped list, the case with its timeline, the verbs,
and how refusals answer (a stable code, a message in the caller's language, nothing stored)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.crypto import get_random_string
from PIL import Image

from cases import workflow as wf
from cases.audit import verify_case
from cases.models import Case, CaseEvent, CaseNumber, Channel, Status, Task
from cases.reporting import report_case
from cases.transitions import TRANSITIONS
from org.roles import Role, Scope
from org.tokens import issue_token
from tests.cases.conftest import EAST, WEST, World
from tests.cases.making import make_cover
from tests.conftest import make_person

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db
FAR_AWAY = (121.47, 31.23)  # Shanghai: outside the test district


def call(
    user: User | None,
    method: str,
    path: str,
    body: Any = None,
    *,
    role: str | None = None,
    client: Client | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """One API call as `user` (by session), in English unless told otherwise."""
    client = client or Client()
    if user is not None:
        client.force_login(user)
    headers = {"Accept-Language": "en", **(headers or {})}
    if role:
        headers["X-UrbanGrid-Role"] = role
    if method == "get":
        return client.get(f"/api/v1{path}", body, headers=headers)
    raw = body if isinstance(body, str) else json.dumps(body or {})
    return client.post(f"/api/v1{path}", raw, content_type="application/json", headers=headers)


def code(response: Response) -> str:
    return str(response.json()["error"]["code"])


def report_body(where: tuple[float, float] = WEST, **extra: Any) -> dict[str, Any]:
    return {
        "channel": "inspector",
        "description": "路边有成堆垃圾",
        "lon": where[0],
        "lat": where[1],
        "type": "0110",
        **extra,
    }


def reported(world: World, where: tuple[float, float] = WEST) -> str:
    response = call(world.inspector, "post", "/cases", report_body(where))
    assert response.status_code == 201, response.content
    return str(response.json()["number"])


def filed(world: World, where: tuple[float, float] = WEST) -> str:
    number = reported(world, where)
    wf.accept_case(number, actor=world.actors.acceptor)
    wf.file_case(number, actor=world.actors.shift_leader, condition=world.normal)
    return number


def dispatched(world: World, unit: Any, where: tuple[float, float] = WEST) -> str:
    number = filed(world, where)
    wf.dispatch_case(number, actor=world.actors.dispatcher, unit=unit, reason="派遣")
    return number


def trail(number: str) -> list[str]:
    return list(
        CaseEvent.objects.filter(case__number=number)
        .order_by("sequence")
        .values_list("verb", flat=True)
    )


def numbers(response: Response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


# -- reporting ---------------------------------------------------------------------------------


def test_a_report_is_stored_once_and_a_retry_gets_the_same_case(world: World) -> None:
    body = report_body(request_id="phone-7:0001", address="翠湖路1号")
    first = call(world.inspector, "post", "/cases", body)
    assert first.status_code == 201
    case = first.json()
    assert (case["status"], case["type"]["code"], case["street"]["name"]) == (
        "reported", "0110", world.org.street.territory.name,
    )  # fmt: skip
    assert case["light"] == "green" and case["due_at"]

    retry = call(world.inspector, "post", "/cases", body)
    assert retry.status_code == 200 and retry.json()["number"] == case["number"]
    assert Case.objects.count() == 1 and trail(case["number"]) == ["report"]


def test_a_refused_report_stores_nothing_not_even_a_case_number(world: World) -> None:
    outside = call(world.inspector, "post", "/cases", report_body(FAR_AWAY))
    assert (outside.status_code, code(outside)) == (400, "outside_district")
    not_a_number = call(world.inspector, "post", "/cases", report_body(lon=float("nan")))
    assert not_a_number.json()["error"]["fields"][0]["field"] == "body.lon"
    unknown_type = call(world.inspector, "post", "/cases", report_body(type="9999"))
    assert (unknown_type.status_code, code(unknown_type)) == (400, "no_such_type")
    wrong_post = call(world.dispatcher, "post", "/cases", report_body())
    assert (wrong_post.status_code, code(wrong_post)) == (403, "wrong_role")
    assert not Case.objects.exists() and not CaseNumber.objects.filter(last__gt=0).exists()
    assert reported(world).endswith("000001")


def test_a_component_far_from_the_reported_position_is_refused(world: World, settings: Any) -> None:
    settings.COMPONENT_MAX_DISTANCE_METRES = 250
    cover = make_cover(world, where=WEST)  # EAST lies 299 m east of it
    body = report_body(EAST, type=None, component=cover.identifier)
    refused = call(world.inspector, "post", "/cases", body)
    assert (refused.status_code, code(refused)) == (400, "component_too_far")
    assert "299 m" in refused.json()["error"]["message"]
    chinese = call(world.inspector, "post", "/cases", body, headers={"Accept-Language": "zh-hans"})
    assert "米" in chinese.json()["error"]["message"]
    assert not Case.objects.exists()
    near = call(
        world.inspector, "post", "/cases", report_body(type=None, component=cover.identifier)
    )
    assert near.status_code == 201
    assert Case.objects.get(number=near.json()["number"]).component == cover


# -- reading -----------------------------------------------------------------------------------


def test_each_post_lists_only_the_cases_it_may_see(world: World) -> None:
    street_leader = make_person("street_leader", Role.LEADER, world.org.street, Scope.TERRITORY)
    a_in_west = dispatched(world, world.org.department_a, WEST)
    b_in_west = dispatched(world, world.org.department_b, WEST)
    street_in_east = dispatched(world, world.org.street, EAST)
    waiting = reported(world, EAST)

    assert numbers(call(world.handler_a, "get", "/cases")) == {a_in_west}
    assert numbers(call(world.handler_b, "get", "/cases")) == {b_in_west}
    # A street office handles its own cases anywhere; its leader sees its whole territory.
    assert numbers(call(world.street_handler, "get", "/cases")) == {street_in_east}
    assert numbers(call(street_leader, "get", "/cases")) == {a_in_west, b_in_west}
    everything = call(world.dispatcher, "get", "/cases")
    assert numbers(everything) == {a_in_west, b_in_west, street_in_east, waiting}
    assert everything.json()["total"] == 4


def test_the_list_filters_and_pages(world: World) -> None:
    first = dispatched(world, world.org.department_a, WEST)
    second = dispatched(world, world.org.department_b, EAST)
    third = reported(world, EAST)

    def listed(**query: Any) -> set[str]:
        return numbers(call(world.dispatcher, "get", "/cases", query))

    assert listed(status="dispatched") == {first, second}
    assert listed(status=["reported", "dispatched"]) == {first, second, third}
    assert listed(unit="DB") == {second}
    assert listed(street="002") == {second, third} == listed(street="520199002")
    assert listed(type="0110") == {first, second, third}
    assert listed(overdue="true") == set()
    assert listed(overdue="false") == {first, second, third}
    assert listed(created_to="2000-01-01T00:00:00+08:00") == set()
    assert listed(created_from="2000-01-01T00:00:00") == {first, second, third}  # local time
    page = call(world.dispatcher, "get", "/cases", {"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [item["number"] for item in page["items"]] == [second, first]  # newest first
    bad = call(world.dispatcher, "get", "/cases", {"limit": 0, "status": "lost"})
    assert (bad.status_code, code(bad)) == (422, "invalid_input")
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"query.limit", "query.status.0"}


def test_the_case_shows_its_deadlines_and_timeline_with_who_did_what(world: World) -> None:
    number = dispatched(world, world.org.department_a)
    wf.sign_case(number, actor=world.actors.handler_a)
    wf.request_extension(number, actor=world.actors.handler_a, minutes=60, reason="需要调车")
    response = call(world.dispatcher, "get", f"/cases/{number}")
    assert response.status_code == 200
    case = response.json()
    assert (case["status"], case["responsible_unit"]["code"]) == ("handling", "DA")
    assert case["condition"]["id"] == world.normal.pk
    assert case["grid"] == "520199001001003"
    assert case["deadlines"]["handling_due_at"] == case["due_at"] is not None
    assert case["pending"] == {
        "kind": "extension", "label": "Extension (延期申请)", "minutes": 60,
    }  # fmt: skip
    assert case["counters"]["dispatches"] == 1
    assert [e["verb"] for e in case["events"]] == [
        "report", "accept", "file", "dispatch", "sign", "request_extension",
    ]  # fmt: skip
    assert case["suggestion"] == {
        "unit": {"code": "S01", "name": "翠湖街道"},
        "basis": "territory",
        "reason": "Territory (属地): 翠湖街道, unit grid 520199001001003",
    }
    assert case["verbs"] == ["decide_extension", "urge"]  # what the dispatcher may do now
    sign = case["events"][4]
    assert sign["actor"] == {"username": "handler_a", "name": "handler_a"}
    assert (sign["role"], sign["role_label"], sign["unit"]["code"]) == (
        "handler", "Handler (处置员)", "DA",
    )  # fmt: skip
    assert (sign["from_status"], sign["to_status"]) == ("dispatched", "handling")
    assert case["events"][5]["reason"] == "需要调车"


def test_the_reporters_contact_is_masked_and_each_reveal_is_recorded(world: World) -> None:
    body = report_body(channel="hotline", contact_name="张三丰", contact_phone="13812345678")
    number = call(world.acceptor, "post", "/cases", body).json()["number"]
    wf.send_verify(number, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    masked = {"name": "张**", "phone": "138****5678"}
    assert call(world.inspector, "get", f"/cases/{number}").json()["contact"] == masked
    assert call(world.acceptor, "get", f"/cases/{number}").json()["contact"] == masked
    refused = call(world.inspector, "post", f"/cases/{number}/reveal_contact")
    assert (refused.status_code, code(refused)) == (403, "wrong_role")
    revealed = call(world.acceptor, "post", f"/cases/{number}/reveal_contact")
    assert revealed.json() == {"name": "张三丰", "phone": "13812345678"}
    event = CaseEvent.objects.get(case__number=number, verb="reveal_contact")
    assert (event.actor, event.role) == (world.acceptor, Role.ACCEPTOR)
    case = Case.objects.get(number=number)
    assert not list(verify_case(case, case.events.order_by("sequence")))


def test_another_units_case_answers_exactly_like_a_missing_one(world: World) -> None:
    theirs = dispatched(world, world.org.department_b)
    hidden = call(world.handler_a, "get", f"/cases/{theirs}")
    missing = call(world.handler_a, "get", "/cases/2026999999")
    assert (hidden.status_code, code(hidden)) == (404, "not_found") == (404, code(missing))
    acting = call(world.handler_a, "post", f"/cases/{theirs}/sign")
    assert (acting.status_code, code(acting)) == (404, "not_found")
    assert trail(theirs) == ["report", "accept", "file", "dispatch"]


# -- the verbs ---------------------------------------------------------------------------------


def test_a_case_goes_round_the_whole_loop_through_the_api(world: World) -> None:
    number = call(
        world.acceptor, "post", "/cases", report_body(channel="hotline", description="井盖丢失")
    ).json()["number"]

    def step(user: User, verb: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = call(user, "post", f"/cases/{number}/{verb}", body)
        assert response.status_code == 200, response.content
        return dict(response.json())

    step(world.acceptor, "send_verify", {"inspector": "inspector"})
    tasks = call(world.inspector, "get", "/tasks").json()
    assert [(t["kind"], t["case"]["number"]) for t in tasks] == [("verify", number)]
    step(world.inspector, "verify", {"found": True})
    step(world.acceptor, "accept")
    step(world.shift_leader, "file", {"condition": world.normal.pk})
    step(world.dispatcher, "dispatch", {"unit": "DA", "reason": "属主单位"})
    step(world.admin_a, "sign")
    step(world.admin_a, "assign_team", {"team": "DAT"})
    step(world.handler_a, "request_extension", {"minutes": 30, "reason": "需要调车"})
    step(world.dispatcher, "decide_extension", {"approve": True})
    step(world.dispatcher, "urge", {"reason": "尽快处理"})
    step(world.handler_a, "answer_urge", {"reason": "今日完成"})
    step(world.handler_a, "feedback", {"reason": "已更换井盖"})
    step(world.acceptor, "send_check", {"inspector": "inspector_2"})
    assert call(world.inspector, "get", "/tasks").json() == []
    step(world.inspector_2, "check", {"passed": True})
    closed = step(world.shift_leader, "close")
    step(world.acceptor, "callback", {"satisfaction": "satisfied"})

    assert (closed["status"], closed["status_kind"], closed["light"]) == ("closed", "closed", None)
    assert trail(number) == [
        "report", "send_verify", "verify", "accept", "file", "dispatch", "sign", "assign_team",
        "request_extension", "decide_extension", "urge", "answer_urge", "feedback",
        "send_check", "check", "close", "callback",
    ]  # fmt: skip
    case = Case.objects.get(number=number)
    assert (case.team, case.extension_count, case.urge_count) == (world.org.team_a, 1, 1)
    assert case.satisfaction == "satisfied"
    assert not list(verify_case(case, case.events.order_by("sequence")))


def test_returns_suspensions_merges_voids_and_rejections_go_through_the_api(world: World) -> None:
    number = dispatched(world, world.org.department_a)

    def ok(user: User, verb: str, body: dict[str, Any] | None = None) -> str:
        response = call(user, "post", f"/cases/{number}/{verb}", body)
        assert response.status_code == 200, response.content
        return str(response.json()["status"])

    assert ok(world.handler_a, "return_case", {"reason": "不属于本单位"}) == "dispatched"
    assert ok(world.dispatcher, "decide_return", {"approve": True}) == "filed"
    ok(world.dispatcher, "dispatch", {"unit": "DA", "co_units": ["DB"], "reason": "市政所主办"})
    co = call(world.handler_b, "post", f"/cases/{number}/co_feedback", {"reply": "已配合"})
    assert co.status_code == 200, co.content
    ok(world.handler_a, "sign")
    ok(world.handler_a, "request_suspension", {"reason": "等待管线施工"})
    assert ok(world.dispatcher, "decide_suspension", {"approve": True}) == "suspended"
    assert ok(world.dispatcher, "resume") == "handling"

    duplicate, original = reported(world), reported(world)
    merged = call(world.acceptor, "post", f"/cases/{duplicate}/merge", {"into": original})
    assert merged.json()["status"] == "merged"
    call(world.acceptor, "post", f"/cases/{original}/request_void", {"reason": "测试数据"})
    voided = call(world.shift_leader, "post", f"/cases/{original}/decide_void", {"approve": True})
    assert voided.json()["status"] == "voided"
    rejected = reported(world)
    call(world.acceptor, "post", f"/cases/{rejected}/accept")
    refused = call(
        world.shift_leader, "post", f"/cases/{rejected}/reject", {"reason": "非城管问题"}
    )
    assert refused.json()["status"] == "rejected"
    declined = reported(world)
    answer = call(world.acceptor, "post", f"/cases/{declined}/decline", {"reason": "非城管问题"})
    assert answer.json()["status"] == "declined"
    on_the_spot = reported(world)
    self_handled = call(world.inspector, "post", f"/cases/{on_the_spot}/self_handle", {})
    assert self_handled.json()["status"] == "self_handled"


def test_an_overdue_appeal_is_decided_twice_through_the_api(world: World) -> None:
    number = dispatched(world, world.org.department_a)
    wf.sign_case(number, actor=world.actors.handler_a)
    due = Case.objects.get(number=number).handling_due_at
    assert due is not None
    late = due + timedelta(days=1)
    wf.feedback_case(number, actor=world.actors.handler_a, reason="已清理", now=late)

    appeal = call(world.admin_a, "post", f"/cases/{number}/appeal_overdue", {"reason": "暴雨"})
    assert appeal.json()["pending_request"] == "appeal"
    call(world.dispatcher, "post", f"/cases/{number}/decide_appeal", {"approve": True})
    final = call(world.leader, "post", f"/cases/{number}/decide_appeal", {"approve": True})
    assert final.status_code == 200 and Case.objects.get(number=number).exempt


def test_every_verb_of_the_workflow_has_its_endpoint(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    schema = json.loads(response.content)
    paths = set(schema["paths"])
    assert {f"/api/v1/cases/{{number}}/{verb}" for verb in TRANSITIONS} <= paths
    assert {"/api/v1/cases", "/api/v1/cases/{number}", "/api/v1/tasks"} <= paths
    dispatch = schema["paths"]["/api/v1/cases/{number}/dispatch"]["post"]
    body = dispatch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/DispatchIn") and {"200", "403", "409", "422"} <= set(
        dispatch["responses"]
    )


# -- refusals ----------------------------------------------------------------------------------


def test_refusals_answer_with_a_code_and_store_nothing(world: World) -> None:
    number = filed(world)
    before = Case.objects.values().get(number=number)

    def refused(user: User | None, verb: str, body: Any = None) -> tuple[int, str]:
        response = call(user, "post", f"/cases/{number}/{verb}", body)
        return response.status_code, code(response)

    assert refused(world.handler_a, "dispatch", {"unit": "DA"}) == (403, "wrong_role")
    assert refused(world.shift_leader, "close") == (409, "invalid_transition")
    assert refused(world.dispatcher, "dispatch", {"unit": "NOPE"}) == (400, "no_such_unit")
    assert refused(world.dispatcher, "dispatch", {"unit": "DAT"}) == (400, "not_a_handling_unit")
    assert refused(world.dispatcher, "dispatch", {"unit": "DA"}) == (
        400, "override_reason_required",
    )  # fmt: skip
    assert refused(world.dispatcher, "urge", {}) == (400, "reason_required")
    assert refused(world.dispatcher, "urge", "{not json") == (400, "malformed_json")
    assert refused(world.dispatcher, "dispatch", {"unit": 7, "reasn": "typo"}) == (
        422, "invalid_input",
    )  # fmt: skip
    assert refused(world.dispatcher, "dispatch", {}) == (422, "invalid_input")
    assert refused(world.dispatcher, "teleport", {}) == (404, "unknown_verb")
    assert refused(None, "dispatch", {"unit": "DA"}) == (401, "unauthorized")

    assert Case.objects.values().get(number=number) == before
    assert trail(number) == ["report", "accept", "file"]


def test_a_refusal_inside_a_verb_leaves_no_task_behind(world: World) -> None:
    number = call(world.acceptor, "post", "/cases", report_body(channel="web")).json()["number"]
    response = call(world.acceptor, "post", f"/cases/{number}/send_verify", {"inspector": "leader"})
    assert (response.status_code, code(response)) == (400, "not_an_inspector")
    assert not Task.objects.exists() and Case.objects.get(number=number).status == Status.REPORTED


def test_wrong_types_are_listed_field_by_field(world: World) -> None:
    number = dispatched(world, world.org.department_a)
    wf.sign_case(number, actor=world.actors.handler_a)
    path = f"/cases/{number}/request_extension"
    body = {"minutes": "lots"}
    english = call(world.handler_a, "post", path, body)
    assert english.status_code == 422
    error = english.json()["error"]
    assert error["message"] == "Some fields are missing or not valid: body.minutes."
    assert [(f["field"], f["code"]) for f in error["fields"]] == [("body.minutes", "int_type")]
    assert error["fields"][0]["message"] == "Give a whole number."
    refusal = call(world.handler_a, "post", path, {"minutes": 30})
    assert refusal.json()["error"] == {
        "code": "reason_required", "message": "Give a reason.",
    }  # fmt: skip
    chinese = call(
        world.handler_a, "post", path, {"minutes": 30}, headers={"Accept-Language": "zh-hans"}
    )
    assert code(chinese) == "reason_required"  # the same code whatever the language
    chinese_fields = call(
        world.handler_a, "post", path, {"minutes": "lots"}, headers={"Accept-Language": "zh-hans"}
    ).json()["error"]
    assert chinese_fields["message"] == "部分字段缺失或无效：body.minutes。"
    assert chinese_fields["fields"][0]["message"] == "请填写整数。"


def test_the_acting_post_is_chosen_by_header_or_parameter(world: World) -> None:
    both = make_person("both", Role.DISPATCHER, world.org.center, Scope.DISTRICT)
    world.person(both).memberships.create(
        role=Role.SHIFT_LEADER, unit=world.org.center, scope=Scope.DISTRICT
    )
    number = reported(world)
    wf.accept_case(number, actor=world.actors.acceptor)
    unchosen = call(both, "get", "/cases")
    assert (unchosen.status_code, code(unchosen)) == (400, "role_required")
    assert "dispatcher, shift_leader" in unchosen.json()["error"]["message"]
    assert numbers(call(both, "get", "/cases", role="dispatcher")) == {number}
    assert numbers(call(both, "get", "/cases", {"role": "shift_leader"})) == {number}
    not_held = call(both, "get", "/cases", role="inspector")
    assert (not_held.status_code, code(not_held)) == (403, "no_such_post")
    # Acting as the dispatcher, the shift leader's filing is refused although the user holds it.
    as_dispatcher = call(
        both, "post", f"/cases/{number}/file", {"condition": world.normal.pk}, role="dispatcher"
    )
    assert (as_dispatcher.status_code, code(as_dispatcher)) == (403, "wrong_role")
    filed = call(
        both, "post", f"/cases/{number}/file", {"condition": world.normal.pk}, role="shift_leader"
    )
    assert filed.json()["status"] == "filed"
    assert CaseEvent.objects.get(case__number=number, verb="file").role == Role.SHIFT_LEADER


def test_the_tasks_are_for_inspectors(world: World) -> None:
    response = call(world.dispatcher, "get", "/tasks")
    assert (response.status_code, code(response)) == (403, "wrong_role")


# -- authentication ----------------------------------------------------------------------------


def test_a_browser_session_must_send_the_csrf_token_on_writes(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    body = report_body()
    refused = call(world.inspector, "post", "/cases", body, client=browser)
    assert (refused.status_code, code(refused)) == (403, "csrf_failed")
    assert call(None, "get", "/cases", client=browser).status_code == 200  # reading needs none
    secret = get_random_string(32)
    browser.cookies["csrftoken"] = secret
    accepted = call(None, "post", "/cases", body, client=browser, headers={"X-CSRFToken": secret})
    assert accepted.status_code == 201


def test_a_token_works_without_a_session_or_csrf_until_revoked(world: World) -> None:
    token, key = issue_token(world.inspector, "phone-7")
    device = Client(enforce_csrf_checks=True)
    bearer = {"Authorization": f"Bearer {key}"}
    created = call(None, "post", "/cases", report_body(), client=device, headers=bearer)
    assert created.status_code == 201
    assert Case.objects.get().reporter == world.inspector

    token.revoked_at = token.created_at
    token.save()
    revoked = call(None, "get", "/cases", client=device, headers=bearer)
    assert (revoked.status_code, code(revoked)) == (401, "unauthorized")
    wrong = call(
        None, "get", "/cases", client=device, headers={"Authorization": "Bearer ugk_guess"}
    )
    assert (wrong.status_code, code(wrong)) == (401, "unauthorized")


def test_no_credentials_get_401_in_english_or_chinese(client: Client) -> None:
    english = client.get("/api/v1/cases", headers={"Accept-Language": "en"})
    assert english.status_code == 401 and english["WWW-Authenticate"].startswith("Bearer")
    assert english.json()["error"]["message"].startswith("Sign in")
    chinese = client.get("/api/v1/cases", headers={"Accept-Language": "zh-hans"})
    assert code(chinese) == "unauthorized"
    nowhere = client.get("/api/v1/case/1")
    assert (nowhere.status_code, code(nowhere)) == (404, "not_found")


def test_a_photo_is_added_and_shown_on_the_case(world: World) -> None:
    pytest.importorskip("cases.photos")
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, "PNG")
    number = reported(world)
    client = Client()
    client.force_login(world.inspector)
    upload = SimpleUploadedFile("before.png", buffer.getvalue(), content_type="image/png")
    added = client.post(f"/api/v1/cases/{number}/photos", {"stage": "report", "image": upload})
    assert added.status_code == 201, added.content
    photos = call(world.dispatcher, "get", f"/cases/{number}").json()["photos"]
    assert [(p["stage"], p["width"]) for p in photos] == [("report", 64)]
    for user, stage in ((world.inspector, "check"), (world.inspector_2, "report")):
        upload.seek(0)
        other = Client()
        other.force_login(user)
        refused = other.post(f"/api/v1/cases/{number}/photos", {"stage": stage, "image": upload})
        assert (refused.status_code, code(refused)) == (403, "photo_not_allowed")


def test_a_retried_upload_with_its_request_id_stores_the_photo_once(
    world: World, media: Path
) -> None:
    number = reported(world)
    client = Client()
    client.force_login(world.inspector)

    def send(colour: str, request_id: str) -> Any:
        buffer = BytesIO()
        Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
        image = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
        form = {"stage": "report", "image": image, "request_id": request_id}
        return client.post(f"/api/v1/cases/{number}/photos", form)

    first, again = send("green", "phone-7:report-1:0"), send("green", "phone-7:report-1:0")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    other = send("red", "phone-7:report-1:0")
    assert (other.status_code, code(other)) == (409, "request_id_reused")
    assert send("red", "phone-7:report-1:1").status_code == 201
    case = Case.objects.get(number=number)
    assert case.photos.count() == 2
    assert case.events.filter(verb="add_photo").count() == 2
    assert len(list(media.rglob("*.jpg"))) == 4  # two images and their thumbnails


# -- the API's own pages ---------------------------------------------------------------------------


def test_the_docs_page_never_loads_a_cdn(client: Client) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()


# -- queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cases", [5, 30])
def test_the_list_costs_the_same_queries_for_5_or_30_cases(
    world: World, cases: int, django_assert_max_num_queries: Any
) -> None:
    a = world.actors
    for n in range(cases):
        case = report_case(
            actor=a.inspector, channel=Channel.INSPECTOR, description="垃圾",
            lon=WEST[0], lat=WEST[1], case_type=world.garbage,
        )  # fmt: skip
        if n % 2:
            wf.accept_case(case, actor=a.acceptor)
            wf.file_case(case, actor=a.shift_leader, condition=world.normal)
            wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="派")
    client = Client()
    client.force_login(world.dispatcher)
    client.get("/api/v1/cases")  # the working calendar is cached per process
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/cases", {"limit": 50})
    assert len(response.json()["items"]) == cases


def test_an_unknown_address_or_method_answers_the_json_error_format(world: World) -> None:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(world.dispatcher)
    wrong_method = client.delete("/api/v1/tasks")
    assert wrong_method.status_code == 405 and "GET" in wrong_method["Allow"]
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong_method.json()["error"]["message"]
    nowhere = client.get("/api/v1/nowhere")
    assert nowhere.status_code == 404
    assert nowhere.json()["error"]["code"] == "not_found"
    assert client.get("/cases/nowhere/").status_code == 404  # outside the API: unchanged


def test_a_report_through_the_api_costs_few_queries(world: World) -> None:
    """Intake is the busiest write (DESIGN.md §8): the token with its user's posts, whether its
    request id was seen, the case number, the case and its first event. PostgreSQL asks the
    second and third in one query and writes both rows in one statement. The rest is kept per
    process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _token, key = issue_token(world.inspector, "phone-7")
    device = Client(headers={"Authorization": f"Bearer {key}"})

    def send(request_id: str) -> Response:
        body = json.dumps(report_body(request_id=request_id))
        return device.post("/api/v1/cases", body, content_type="application/json")

    assert send("warm-up").status_code == 201  # the token's last use is recorded once a minute
    with CaptureQueriesContext(connection) as queries:
        assert send("counted").status_code == 201
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    expected = 3 if connection.vendor == "postgresql" else 5
    assert len(statements) == expected, "\n".join(s[:90] for s in statements)
