import pytest
from playwright.sync_api import Page, expect

from org.roles import Role, Scope
from tests.conftest import PASSWORD, Org, make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_dispatcher_signs_in_and_lands_on_the_command_desk(
    page: Page, live_server: object, org: Org
) -> None:
    make_person("dispatcher", Role.DISPATCHER, org.center, Scope.DISTRICT)
    sign_in(page, live_server.url, "dispatcher", PASSWORD)  # type: ignore[attr-defined]
    expect(page).to_have_url(f"{live_server.url}/work/dispatcher/")  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", level=1)).to_have_text("指挥派遣工作台")
    expect(page.get_by_test_id("count-to_dispatch")).to_have_text("0")  # the desk's queues
    expect(page.get_by_test_id("today-dispatched")).to_have_text("0")  # today's figures


def test_a_wrong_password_shows_an_error_and_switching_language_works(
    page: Page, live_server: object, org: Org
) -> None:
    make_person("handler", Role.HANDLER, org.department_a, Scope.UNIT)
    sign_in(page, live_server.url, "handler", "wrong")  # type: ignore[attr-defined]
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username").fill("handler")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unit terminal")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/login/")  # type: ignore[attr-defined]
