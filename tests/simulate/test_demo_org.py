import pytest
from django.contrib.auth import authenticate

from simulate.demo_org import ACCOUNTS, DEMO_PASSWORD, load_organisation


@pytest.mark.django_db
def test_every_demo_account_can_sign_in_with_the_printed_password() -> None:
    load_organisation()
    for username, *_ in ACCOUNTS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
