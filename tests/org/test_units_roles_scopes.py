import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from org.models import DataScope, Membership, Person, Unit, UnitKind, data_scope_for
from org.roles import ALLOWED_SCOPES, Role, Scope
from tests.conftest import Org, make_person


def test_a_team_works_for_its_parent_unit(org: Org) -> None:
    assert org.team_a.handling_unit == org.department_a
    assert org.department_a.handling_unit == org.department_a
    assert list(Unit.objects.handling().order_by("code")) == [
        org.department_a,
        org.department_b,
        org.street,
        org.other_street,
    ]


def test_the_database_refuses_a_team_without_a_parent(org: Org) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="T9", name="孤立处置队", kind=UnitKind.TEAM)


def test_validation_refuses_a_team_inside_a_team_and_cycles(org: Org) -> None:
    nested = Unit(code="T2", name="二级队", kind=UnitKind.TEAM, parent=org.team_a)
    with pytest.raises(ValidationError, match="不能隶属于另一个处置队"):
        nested.full_clean()
    org.department_a.parent = org.team_a
    with pytest.raises(ValidationError, match="不能成为自己的上级"):
        org.department_a.full_clean()


def test_every_role_has_at_least_one_allowed_scope() -> None:
    assert set(ALLOWED_SCOPES) == set(Role.values)
    assert all(ALLOWED_SCOPES[role] for role in Role.values)


def test_a_handler_cannot_be_given_the_whole_district(org: Org) -> None:
    user = make_person("h", None, org.department_a)
    with pytest.raises(ValidationError, match="不能拥有数据范围"):
        Membership.objects.create(
            person=user.person, role=Role.HANDLER, unit=org.department_a, scope=Scope.DISTRICT
        )
    assert not Membership.objects.exists()


def test_a_territory_scope_needs_a_street_office(org: Org) -> None:
    person = make_person("l", None, org.department_a).person
    with pytest.raises(ValidationError, match="只能属于街道办事处或乡"):
        Membership.objects.create(
            person=person, role=Role.LEADER, unit=org.department_a, scope=Scope.TERRITORY
        )
    Membership.objects.create(
        person=person, role=Role.LEADER, unit=org.street, scope=Scope.TERRITORY
    )
    assert data_scope_for(person.user) == DataScope(territory_unit_ids=frozenset({org.street.pk}))


def test_a_handler_sees_only_its_own_units_cases(org: Org, handler_a: User) -> None:
    scope = data_scope_for(handler_a)
    assert scope.covers(responsible_unit_id=org.department_a.pk, territory_unit_id=org.street.pk)
    assert not scope.covers(
        responsible_unit_id=org.department_b.pk, territory_unit_id=org.street.pk
    )


def test_a_team_member_acts_for_the_teams_parent(org: Org) -> None:
    user = make_person("team", Role.HANDLER, org.team_a, Scope.UNIT)
    assert data_scope_for(user).unit_ids == {org.department_a.pk}


def test_a_street_leader_sees_the_territory_and_not_other_streets(org: Org) -> None:
    user = make_person("sl", Role.LEADER, org.street, Scope.TERRITORY)
    scope = data_scope_for(user)
    assert scope.covers(responsible_unit_id=org.department_b.pk, territory_unit_id=org.street.pk)
    assert not scope.covers(
        responsible_unit_id=org.department_b.pk, territory_unit_id=org.other_street.pk
    )


def test_a_dispatcher_sees_the_whole_district(org: Org, dispatcher: User) -> None:
    assert data_scope_for(dispatcher).covers(responsible_unit_id=None, territory_unit_id=None)


def test_scopes_of_several_posts_add_up_and_can_be_asked_per_role(org: Org) -> None:
    user = make_person("two", Role.HANDLER, org.department_a, Scope.UNIT)
    Membership.objects.create(
        person=user.person, role=Role.LEADER, unit=org.street, scope=Scope.TERRITORY
    )
    assert data_scope_for(user) == DataScope(
        territory_unit_ids=frozenset({org.street.pk}), unit_ids=frozenset({org.department_a.pk})
    )
    assert data_scope_for(user, Role.HANDLER).territory_unit_ids == frozenset()


def test_inactive_posts_and_inactive_accounts_see_nothing(org: Org, handler_a: User) -> None:
    Membership.objects.update(is_active=False)
    assert data_scope_for(handler_a).is_empty
    Membership.objects.update(is_active=True)
    handler_a.is_active = False
    handler_a.save()
    assert data_scope_for(handler_a).is_empty


def test_a_person_without_posts_sees_nothing(outsider: User) -> None:
    assert data_scope_for(outsider).is_empty
    assert Person.objects.get(user=outsider).memberships.count() == 0
