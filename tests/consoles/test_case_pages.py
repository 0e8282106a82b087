"""The case list and case page: what each post sees."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Channel, Verb
from cases.reporting import report_case
from cases.transitions import TRANSITIONS
from org.roles import Role, Scope
from tests.cases.conftest import EAST, WEST, World
from tests.cases.making import dispatched, filed
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_center_sees_every_case_and_a_unit_only_its_own(world: World) -> None:
    mine = dispatched(world, where=WEST, unit=world.org.department_a).number
    theirs = dispatched(world, where=EAST, unit=world.org.department_b).number
    center = client_for(world.dispatcher).get(reverse("case_list")).content.decode()
    assert mine in center and theirs in center
    unit = client_for(world.handler_a).get(reverse("case_list")).content.decode()
    assert mine in unit and theirs not in unit
    hidden = client_for(world.handler_a).get(reverse("case_detail", args=[theirs]))
    assert hidden.status_code == 404


def test_a_street_leader_sees_the_territory_and_a_street_handler_its_own_cases(
    world: World,
) -> None:
    leader = make_person("street_leader", Role.LEADER, world.org.street, Scope.TERRITORY)
    in_territory = dispatched(
        world, where=WEST, unit=world.org.department_b
    ).number  # street 001 = org.street
    own = dispatched(world, where=EAST, unit=world.org.street).number
    page = client_for(leader).get(reverse("case_list")).content.decode()
    assert in_territory in page and own not in page
    page = client_for(world.street_handler).get(reverse("case_list")).content.decode()
    assert own in page and in_territory not in page


def test_the_case_page_shows_deadlines_light_and_timeline(world: World) -> None:
    number = dispatched(world, where=WEST, unit=world.org.department_a).number
    page = client_for(world.dispatcher).get(reverse("case_detail", args=[number]))
    text = page.content.decode()
    assert page.status_code == 200
    timeline = text.split('data-testid="timeline">')[1].split("</ol>")[0]
    verbs = [item.split("<strong>")[1].split("</strong>")[0] for item in timeline.split("<li>")[1:]]
    assert verbs == ["上报", "受理", "立案", "派遣"]  # in order, in Chinese, not "派遣 (派遣)"
    assert "<strong>派遣</strong> → 区市政所" in timeline  # where it was sent
    assert 'data-testid="light"' in text
    assert "520199001001003" in text


def test_every_workflow_verb_has_a_label() -> None:
    # report opens a case; a photo or a contact shown changes no status: not in the table.
    assert set(TRANSITIONS) | {"report", "add_photo", "reveal_contact"} == set(Verb.values)


def test_the_case_pages_need_a_login(client: Client) -> None:
    response = client.get(reverse("case_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_filed_case_shows_the_stored_suggestion_and_its_reason(world: World) -> None:
    number = filed(world, where=EAST).number
    page = client_for(world.dispatcher).get(reverse("case_detail", args=[number]))
    suggestion = page.content.decode().split('data-testid="suggestion">')[1].split("</dd>")[0]
    # The territory's street office (events: 属地), and why, in the viewer's language.
    assert suggestion == "文昌街道 · 属地：文昌街道，单元网格 520199002001004"


def test_a_public_reporters_contact_is_masked_on_the_page(world: World) -> None:
    case = report_case(
        actor=world.actors.acceptor, channel=Channel.HOTLINE, description="垃圾",
        lon=WEST[0], lat=WEST[1], contact_name="李四", contact_phone="13912345678",
    )  # fmt: skip
    page = client_for(world.acceptor).get(reverse("case_detail", args=[case.number]))
    text = page.content.decode()
    assert "李*" in text and "139****5678" in text and "13912345678" not in text


def test_a_person_with_several_posts_sees_the_cases_of_the_desk_they_opened(
    world: World,
) -> None:
    both = make_person("both", Role.HANDLER, world.org.department_a, Scope.UNIT)
    world.person(both).memberships.create(
        role=Role.LEADER, unit=world.org.street, scope=Scope.TERRITORY
    )
    in_territory = dispatched(world, where=WEST, unit=world.org.department_b).number
    own = dispatched(world, where=EAST, unit=world.org.department_a).number
    browser = client_for(both)
    assert browser.get(reverse("workspace", args=["leader"])).status_code == 200
    page = browser.get(reverse("case_list")).content.decode()
    assert in_territory in page and own not in page
    browser.get(reverse("workspace", args=["handler"]))
    page = browser.get(reverse("case_list")).content.decode()
    assert own in page and in_territory not in page
