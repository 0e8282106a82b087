import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import Org


@pytest.fixture
def admin_client_zh(client: Client, db: None) -> Client:
    user = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["unit", "person", "membership"])
def test_the_admin_lists_organisation_in_chinese(
    admin_client_zh: Client, org: Org, model: str
) -> None:
    response = admin_client_zh.get(f"/admin/org/{model}/")
    assert response.status_code == 200
    assert "组织机构" in response.content.decode()


def test_the_admin_refuses_an_illegal_scope_with_a_message(
    admin_client_zh: Client, org: Org, handler_a: User
) -> None:
    person = handler_a.person
    membership = person.memberships.get()
    response = admin_client_zh.post(
        f"/admin/org/membership/{membership.pk}/change/",
        {"person": person.pk, "role": "handler", "unit": org.department_a.pk, "scope": "district"},
    )
    assert response.status_code == 200
    assert "不能拥有数据范围" in response.content.decode()
    membership.refresh_from_db()
    assert membership.scope == "unit"
