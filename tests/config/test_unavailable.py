"""A lost database (PostgreSQL restarting, the network to it cut) answers 503 with Retry-After
in the request's language and in the form of the address: the API's error JSON, the GeoReport
error list, or a page that needs no database. Any other failure is still a 500.

"The database is away" is every connection attempt failing as psycopg fails when PostgreSQL is
down; these tests need no database of their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from config.middleware import PlansByMethod

ZH = "服务暂时不可用，请稍后重试。"
EN = "The service is briefly unavailable; please try again shortly."


@pytest.fixture
def client() -> Client:
    # Django's test client raises what a middleware raised; a browser sees the answer.
    return Client(raise_request_exception=False)


@pytest.fixture
def database_away() -> Iterator[None]:
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        yield


def assert_unavailable(response: object) -> None:
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert int(response["Retry-After"]) > 0  # type: ignore[index]


@pytest.mark.usefixtures("database_away")
def test_the_api_answers_503_in_its_error_format_in_chinese_by_default(client: Client) -> None:
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer ugk_some-key"})
    assert_unavailable(response)
    assert response.json() == {"error": {"code": "unavailable", "message": ZH}}


@pytest.mark.usefixtures("database_away")
def test_the_api_answers_in_english_when_the_client_asks_for_it(client: Client) -> None:
    response = client.get(
        "/api/v1/tasks", headers={"Authorization": "Bearer ugk_some-key", "Accept-Language": "en"}
    )
    assert_unavailable(response)
    assert response.json()["error"]["message"] == EN


@pytest.mark.usefixtures("database_away")
def test_the_partner_api_answers_503_in_the_language_of_the_cookie(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/api/v1/partners/incidents", "{}", content_type="application/json",
        headers={"Authorization": "Bearer ugp_some-key"},
    )  # fmt: skip
    assert_unavailable(response)
    assert response.json() == {"error": {"code": "unavailable", "message": EN}}


@pytest.mark.usefixtures("database_away")
def test_open311_answers_503_as_its_error_list_in_json(client: Client) -> None:
    response = client.get("/open311/v2/services.json")
    assert_unavailable(response)
    assert response.json() == [{"code": 503, "description": ZH}]


@pytest.mark.usefixtures("database_away")
def test_open311_answers_503_as_its_error_list_in_xml(client: Client) -> None:
    response = client.get("/open311/v2/requests.xml", headers={"Accept-Language": "en"})
    assert_unavailable(response)
    errors = ET.fromstring(response.content)
    assert (errors.tag, errors.findtext("error/code")) == ("errors", "503")
    assert errors.findtext("error/description") == EN


@pytest.mark.usefixtures("database_away")
def test_a_page_answers_a_small_page_in_chinese(client: Client) -> None:
    response = client.post("/public/track/", {"number": "20261123000001", "code": "ABCD2345"})
    assert_unavailable(response)
    page = response.content.decode()
    assert ZH in page and 'lang="zh-hans"' in page


@pytest.mark.usefixtures("database_away")
def test_a_signed_in_page_answers_in_english_by_the_cookie(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-the-database-would-hold"
    response = client.get("/cases/")
    assert_unavailable(response)
    assert EN in response.content.decode()


@pytest.mark.django_db
def test_a_view_answers_503_in_development_too(client: Client, settings: Any) -> None:
    settings.DEBUG = True  # Django's debug page replaces handler500, not process_exception
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch("intake.portal.views.case_for_code", side_effect=lost):
        response = client.post("/public/track/", {"number": "20261123000001", "code": "ABCD2345"})
    assert_unavailable(response)
    assert ZH in response.content.decode()


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_in_a_middleware_before_the_view_answers_503(
    client: Client, error: type[Exception]
) -> None:
    # PlansByMethod is the first to reach the database (on PostgreSQL, before any view).
    with mock.patch.object(PlansByMethod, "__call__", side_effect=error("connection lost")):
        page = client.get("/public/")
        api = client.get("/api/v1/cases")
    assert_unavailable(page)
    assert ZH in page.content.decode()
    assert_unavailable(api)
    assert api.json()["error"]["code"] == "unavailable"


@pytest.mark.django_db
def test_any_other_failure_is_still_a_500_without_retry_after(client: Client) -> None:
    with mock.patch("intake.portal.views.render", side_effect=RuntimeError("a bug")):
        response = client.get("/public/", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert "The server failed; try again later." in response.content.decode()


@pytest.mark.django_db
def test_any_other_failure_in_a_middleware_is_still_a_500(client: Client) -> None:
    with mock.patch.object(PlansByMethod, "__call__", side_effect=RuntimeError("a bug")):
        api = client.get("/api/v1/cases")
        open311 = client.get("/open311/v2/services.xml")
    assert (api.status_code, api.json()["error"]["code"]) == (500, "server_error")
    assert open311.status_code == 500
    assert ET.fromstring(open311.content).findtext("error/code") == "500"
    assert not api.has_header("Retry-After")
