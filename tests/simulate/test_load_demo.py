from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from org.models import Membership, Person, Unit, UnitKind
from org.roles import Role
from simulate.demo_org import ACCOUNTS, DEMO_PASSWORD, INSPECTOR_COUNT


@pytest.mark.django_db
def test_load_demo_builds_the_seed_organisation_and_is_idempotent() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = (Unit.objects.count(), Person.objects.count(), Membership.objects.count())
    call_command("load_demo", "--quiet", stdout=StringIO())
    assert (Unit.objects.count(), Person.objects.count(), Membership.objects.count()) == first

    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 20
    assert Unit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWNSHIP]).count() == 17
    assert Membership.objects.filter(role=Role.INSPECTOR).count() == INSPECTOR_COUNT == 45
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert DEMO_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_every_demo_account_can_sign_in_with_the_printed_password() -> None:
    call_command("load_demo", "--quiet", stdout=StringIO())
    for username, *_ in ACCOUNTS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
