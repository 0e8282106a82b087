"""Only the supervision center's acceptors and shift leaders answer the hotline; others get a
refusal page, the anonymous the login page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from cases.models import Case
from org.models import Membership, Person
from org.roles import Role, Scope
from tests.cases.conftest import World
from tests.conftest import make_person
from tests.intake.hotline.fixtures import call_form

pytestmark = pytest.mark.django_db
PAGES = ["/hotline/", "/hotline/suggest/?address=中山路", "/hotline/place/?lon=1&lat=1"]


@pytest.mark.parametrize("url", PAGES)
def test_the_anonymous_are_sent_to_sign_in(world: World, url: str) -> None:
    answer = Client().get(url)
    assert answer.status_code == 302 and answer["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("persona", ["dispatcher", "handler_a", "inspector", "leader"])
def test_other_posts_are_refused(world: World, persona: str) -> None:
    client = Client()
    client.force_login(getattr(world, persona))
    for url in PAGES:
        answer = client.get(url)
        assert answer.status_code == 403
        assert "热线受理仅供监督中心的受理员和值班长使用。" in answer.content.decode()
    assert client.post("/hotline/", call_form(world)).status_code == 403
    assert not Case.objects.exists()


def test_a_shift_leader_records_a_call(world: World) -> None:
    client = Client()
    client.force_login(world.shift_leader)
    assert client.get("/hotline/").status_code == 200
    assert client.post("/hotline/", call_form(world)).status_code == 302
    assert Case.objects.get().reporter == world.shift_leader


def test_a_person_with_a_center_post_among_others_answers_as_it(world: World) -> None:
    user = make_person("both", Role.INSPECTOR, world.org.center, Scope.DISTRICT)
    person = Person.objects.get(user=user)
    Membership.objects.create(
        person=person, role=Role.ACCEPTOR, unit=world.org.center, scope=Scope.DISTRICT
    )
    client = Client()
    client.force_login(user)
    answer = client.get("/hotline/")
    assert answer.status_code == 200 and "受理员" in answer.content.decode()


def test_the_acceptance_desk_links_the_hotline(world: World) -> None:
    client = Client()
    client.force_login(world.acceptor)
    page = client.get("/work/acceptor/").content.decode()
    assert 'href="/hotline/"' in page
    client.force_login(world.dispatcher)
    assert 'href="/hotline/"' not in client.get("/work/dispatcher/").content.decode()


def test_the_console_speaks_english_when_asked(world: World) -> None:
    client = Client()
    client.force_login(world.acceptor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/hotline/").content.decode()
    assert "Record the call" in page and "Callbacks due" in page
