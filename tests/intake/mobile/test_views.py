"""The inspector app under /m/: who may open it, the manifest and service worker that make it
installable, duty and pings over JSON with CSRF, the type picker and my reports."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import Case, Channel
from cases.reporting import report_case
from intake.mobile.models import Ping
from tests.cases.conftest import WEST, World
from tests.cases.making import reported

pytestmark = pytest.mark.django_db


def signed_in(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: Any, **headers: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_the_app_opens_for_an_inspector_with_its_manifest_and_worker(world: World) -> None:
    page = signed_in(world.inspector).get("/m/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="manifest" href="/m/manifest.webmanifest"' in html
    assert 'id="mobile-config"' in html and "<script>" not in html  # no inline script (CSP)
    assert 'capture="environment"' in html


def test_others_get_a_page_saying_the_app_is_for_inspectors(world: World) -> None:
    page = signed_in(world.dispatcher).get("/m/")
    assert page.status_code == 403
    assert "监督员" in page.content.decode()
    assert signed_in(world.dispatcher).get("/m/reports").json()["error"]["code"] == "not_inspector"


def test_the_signed_out_are_sent_to_sign_in_and_back(world: World) -> None:
    page = Client().get("/m/")
    assert page.status_code == 302 and page["Location"] == "/login/?next=/m/"
    assert Client().get("/m/duty").status_code == 401


def test_the_manifest_makes_the_app_installable_under_m() -> None:
    answer = Client().get("/m/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = answer.json()
    assert manifest["start_url"] == manifest["scope"] == "/m/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["icons"][0]["type"] == "image/svg+xml"
    assert Client().get(manifest["icons"][0]["src"]).status_code in (200, 404)  # served by static


def test_the_service_worker_is_javascript_and_caches_the_shell() -> None:
    answer = Client().get("/m/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/m/"
    assert "no-cache" in answer["Cache-Control"]  # a new release is picked up at once
    script = answer.content.decode()
    assert '"/m/"' in script and "intake/mobile/app.js" in script and "leaflet.js" in script
    assert "urbangrid-mobile-" in script


def test_duty_and_pings_need_the_csrf_token(world: World) -> None:
    client = signed_in(world.inspector, csrf=True)
    assert post_json(client, "/m/duty", {"on_duty": True}).status_code == 403
    client.get("/m/")  # sets the CSRF cookie, as the app's page does
    token = client.cookies["csrftoken"].value
    answer = post_json(client, "/m/duty", {"on_duty": True}, HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 200 and answer.json()["on_duty"] is True
    assert answer.json()["user"] == "inspector"  # the app sends its outbox only as its owner
    now = timezone.now().isoformat()
    fix = {"at": now, "lon": WEST[0], "lat": WEST[1], "accuracy": 12}
    answer = post_json(client, "/m/pings", {"pings": [fix]}, HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 201 and answer.json() == {"stored": 1}
    assert client.get("/m/duty").json()["last_at"] is not None
    answer = post_json(client, "/m/duty", {"on_duty": False}, HTTP_X_CSRFTOKEN=token)
    assert answer.json()["on_duty"] is False
    answer = post_json(client, "/m/pings", {"pings": [fix]}, HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_on_duty"
    assert Ping.objects.count() == 1


def test_bad_bodies_get_a_clear_refusal_in_the_users_language(world: World) -> None:
    client = signed_in(world.inspector)
    answer = client.post("/m/duty", "{not json", content_type="application/json")
    assert (
        answer.status_code == 400 and answer.json()["error"]["message"] == "请求体不是有效的 JSON。"
    )
    answer = post_json(client, "/m/duty", {"on_duty": "yes"})
    assert answer.json()["error"]["code"] == "bad_duty"
    post_json(client, "/m/duty", {"on_duty": True})
    answer = post_json(client, "/m/pings", {"pings": [{"at": "now", "lon": 1, "lat": 2}]})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_ping_time"
    english = post_json(client, "/m/pings", {"pings": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"] == "Send the positions as a list."
    deep = client.get("/m/reports", {"offset": "99999999999999999999999"})
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "bad_page"


def test_my_reports_lists_only_mine_newest_first_by_pages(world: World) -> None:
    mine = [reported(world, at=timezone.now() - timedelta(minutes=n)) for n in (3, 2, 1)]
    report_case(
        actor=world.actors.inspector_2,
        channel=Channel.INSPECTOR,
        description="别人的上报",
        lon=WEST[0],
        lat=WEST[1],
    )
    client = signed_in(world.inspector)
    page = client.get("/m/reports?limit=2").json()
    assert page["total"] == 3
    assert [r["number"] for r in page["items"]] == [mine[2].number, mine[1].number]
    rest = client.get("/m/reports?limit=2&offset=2").json()
    assert [r["number"] for r in rest["items"]] == [mine[0].number]
    assert rest["items"][0]["status"] == "reported" and rest["items"][0]["status_label"]
    other = signed_in(world.inspector_2).get("/m/reports").json()
    assert other["total"] == 1 and other["items"][0]["description"] == "别人的上报"
    assert Case.objects.count() == 4
    assert client.get("/m/reports?limit=500").status_code == 400
    assert client.get("/m/reports?offset=x").json()["error"]["code"] == "bad_page"


def test_the_type_picker_puts_my_frequent_types_first(world: World) -> None:
    from catalog.models import CaseType

    CaseType.objects.create(major=world.garbage.major, code="0101", name="道路不洁")
    client = signed_in(world.inspector)
    before = client.get("/m/types").json()["items"]
    assert [t["code"] for t in before] == ["0101", "0110"] and not any(
        t["frequent"] for t in before
    )
    reported(world, at=timezone.now())  # a garbage report (0110)
    after = client.get("/m/types").json()["items"]
    assert [(t["code"], t["frequent"]) for t in after] == [("0110", True), ("0101", False)]


def test_a_phone_sending_pings_too_often_is_told_to_wait(world: World) -> None:
    client = signed_in(world.inspector)
    post_json(client, "/m/duty", {"on_duty": True})
    answers = [post_json(client, "/m/pings", {"pings": []}) for _ in range(21)]
    assert [a.status_code for a in answers[:20]] == [201] * 20
    assert answers[20].status_code == 429
    assert answers[20].json()["error"]["code"] == "too_many_requests"


def test_the_back_office_lists_shifts_and_pings_read_only(world: World) -> None:
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", password="x")
    client = signed_in(world.inspector)
    post_json(client, "/m/duty", {"on_duty": True})
    fix = {"at": timezone.now().isoformat(), "lon": WEST[0], "lat": WEST[1], "accuracy": 5}
    post_json(client, "/m/pings", {"pings": [fix]})
    back_office = signed_in(admin)
    assert back_office.get("/admin/mobile/shift/").status_code == 200
    assert back_office.get("/admin/mobile/ping/").status_code == 200
    assert back_office.get("/admin/mobile/ping/add/").status_code == 403


def test_a_page_left_open_for_another_inspector_sends_no_positions_or_duty(
    world: World,
) -> None:
    client = signed_in(world.inspector_2)  # signed in after the other's page was opened
    duty = post_json(client, "/m/duty", {"on_duty": True, "user": world.inspector.username})
    assert duty.status_code == 409 and duty.json()["error"]["code"] == "other_user"
    post_json(client, "/m/duty", {"on_duty": True, "user": world.inspector_2.username})
    ping = {"at": timezone.now().isoformat(), "lon": WEST[0], "lat": WEST[1]}
    body = {"pings": [ping], "user": world.inspector.username}
    assert post_json(client, "/m/pings", body).json()["error"]["code"] == "other_user"
    assert not Ping.objects.exists()
