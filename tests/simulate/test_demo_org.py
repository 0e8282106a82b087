import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from simulate.demo_org import ACCOUNTS, DEMO_PASSWORD, load_organisation


@pytest.mark.django_db
def test_every_demo_account_can_sign_in_with_the_printed_password() -> None:
    load_organisation()
    for username, *_ in ACCOUNTS:
        request = RequestFactory().post("/login/")  # the sign-in throttle counts by address
        assert authenticate(request, username=username, password=DEMO_PASSWORD), username
