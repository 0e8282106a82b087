import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from org.roles import Role, Scope
from tests.conftest import PASSWORD, Org, make_person


def test_the_login_page_is_in_chinese_by_default(client: Client, db: None) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_login_page_switches_to_english(client: Client, db: None) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert "Sign in" in client.get(reverse("login")).content.decode()


def test_a_wrong_password_is_refused_with_a_message(client: Client, inspector: User) -> None:
    response = client.post(reverse("login"), {"username": "inspector", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_need_a_signed_in_user(client: Client, db: None) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_signing_in_returns_to_the_page_asked_for(client: Client, inspector: User) -> None:
    answer = client.post(
        f"{reverse('login')}?next=/map/", {"username": "inspector", "password": PASSWORD}
    )
    assert answer.status_code == 302 and answer["Location"] == "/map/"
    outside = client.post(
        f"{reverse('login')}?next=https://evil.example/",
        {"username": "inspector", "password": PASSWORD},
    )
    assert outside.status_code == 302 and outside["Location"] != "https://evil.example/"


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_lands_on_its_own_workspace(client: Client, org: Org, role: str) -> None:
    unit, scope = (
        (org.department_a, Scope.UNIT)
        if role in {"handler", "unit_admin"}
        else (
            org.center,
            Scope.DISTRICT,
        )
    )
    make_person(f"user_{role}", role, unit, scope)
    response = client.post(
        reverse("login"), {"username": f"user_{role}", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("workspace", kwargs={"role": role})
    page = response.content.decode()
    assert response.status_code == 200
    # Every desk opens on today's figures; no placeholder promises what is not there.
    assert 'data-testid="today"' in page and 'data-testid="not-yet"' not in page


def test_a_person_with_two_posts_chooses(client: Client, org: Org) -> None:
    user = make_person("two", Role.HANDLER, org.department_a, Scope.UNIT)
    user.person.memberships.create(role=Role.LEADER, unit=org.street, scope=Scope.TERRITORY)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    for role in (Role.HANDLER, Role.LEADER):
        assert reverse("workspace", kwargs={"role": role}) in response.content.decode()


def test_a_person_without_a_post_is_told_so(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    response = client.get(reverse("home"))
    assert "尚未分配岗位" in response.content.decode()


def test_another_roles_workspace_is_refused(client: Client, handler_a: User) -> None:
    client.force_login(handler_a)
    response = client.get(reverse("workspace", kwargs={"role": Role.DISPATCHER}))
    assert response.status_code == 403


def test_an_unknown_workspace_is_not_found(client: Client, handler_a: User) -> None:
    client.force_login(handler_a)
    assert client.get("/work/nobody/").status_code == 404


def test_logout_needs_a_post_and_ends_the_session(client: Client, handler_a: User) -> None:
    client.force_login(handler_a)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def sign_in(client: Client, password: str, address: str = "10.0.0.1") -> int:
    data = {"username": "inspector", "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=address).status_code


def test_after_five_wrong_passwords_the_user_is_paused_from_that_address(
    client: Client, inspector: User
) -> None:
    assert [sign_in(client, "wrong") for _ in range(4)] == [200] * 4
    assert sign_in(client, "wrong") == 429
    paused = client.post(
        reverse("login"), {"username": "inspector", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert paused.status_code == 429 and "_auth_user_id" not in client.session
    assert "密码错误次数过多" in paused.content.decode() and "15 分钟" in paused.content.decode()
    assert sign_in(Client(), PASSWORD, address="10.0.0.2") == 302  # from another address


def test_a_right_password_resets_the_count(client: Client, inspector: User) -> None:
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD) == 302
    client.logout()
    assert [sign_in(client, "wrong") for _ in range(4)] == [200] * 4


def test_a_password_needs_ten_characters_and_not_a_common_or_numeric_one() -> None:
    for weak in ("short-1", "1234567890123", "password123"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("ug-demo-2026")
