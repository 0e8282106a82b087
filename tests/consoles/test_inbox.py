"""The inbox: a post's notifications, newest first, each with its case; marked read one by one
or all at once; an unread count in the top bar that htmx refreshes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases import workflow as wf
from cases.models import Notification
from cases.notify import DEADLINE_NEAR
from tests.cases.conftest import EAST, World
from tests.cases.making import dispatched, handling, public_report
from tests.cases.test_notifications import committed  # noqa: F401  (fixture)
from tests.consoles.test_case_pages import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("committed")]
HTMX = {"HX-Request": "true"}


def inbox(client: Client, page: int = 1) -> str:
    response = client.get(reverse("inbox"), {"page": page})
    assert response.status_code == 200
    return response.content.decode()


def rows(page: str) -> list[str]:
    return page.split('data-testid="inbox"')[1].split("<tbody>")[1].split("<tr ")[1:]


def test_a_handler_reads_its_units_notifications_newest_first(world: World) -> None:
    first = dispatched(world, unit=world.org.department_a)
    urged = handling(world)
    wf.urge_case(urged, actor=world.actors.dispatcher, reason="尽快")
    other = dispatched(world, where=EAST, unit=world.org.department_b)
    found = rows(inbox(client_for(world.handler_a)))
    assert len(found) == 3 and other.number not in "".join(found)
    assert "督办" in found[0] and urged.number in found[0]
    assert f'href="/cases/{first.number}/"' in found[2] and "派遣" in found[2]
    assert all('class="unread"' in row for row in found)


def test_an_inspector_reads_only_what_was_sent_to_them(world: World) -> None:
    mine = public_report(world)
    wf.send_verify(mine, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    theirs = public_report(world)
    wf.send_verify(theirs, actor=world.actors.acceptor, inspector=world.person(world.inspector_2))
    wf.verify_report(mine, actor=world.actors.inspector, found=True)  # tells the center
    page = inbox(client_for(world.inspector))
    assert [mine.number in row for row in rows(page)] == [True]
    assert theirs.number not in page


def test_a_case_no_longer_the_units_is_listed_without_a_link(world: World) -> None:
    case = dispatched(world)
    wf.return_case(case, actor=world.actors.handler_a, reason="非本单位职责")
    wf.decide_return(case, actor=world.actors.dispatcher, approve=True)
    newest = rows(inbox(client_for(world.handler_a)))[0]
    assert case.number in newest and f'href="/cases/{case.number}/"' not in newest


def test_marking_one_read_and_then_all(world: World) -> None:
    for _ in range(3):
        dispatched(world)
    client = client_for(world.handler_a)
    notice = Notification.objects.filter(unit=world.org.department_a).first()
    assert notice is not None
    response = client.post(reverse("inbox_read", args=[notice.pk]), {"page": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("inbox") + "?page=1"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "2 条未读通知" in inbox(client)
    client.post(reverse("inbox_read_all"))
    assert not Notification.objects.filter(read_at=None, unit=world.org.department_a).exists()
    assert "0 条未读通知" in inbox(client)


def test_another_units_notification_cannot_be_marked_read(world: World) -> None:
    dispatched(world, where=EAST, unit=world.org.department_b)
    theirs = Notification.objects.get(unit=world.org.department_b)
    response = client_for(world.handler_a).post(reverse("inbox_read", args=[theirs.pk]))
    assert response.status_code == 404
    client_for(world.handler_a).post(reverse("inbox_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post_with_a_csrf_token(world: World) -> None:
    dispatched(world)
    notice = Notification.objects.get(unit=world.org.department_a)
    client = client_for(world.handler_a)
    assert client.get(reverse("inbox_read", args=[notice.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.handler_a)
    assert strict.post(reverse("inbox_read", args=[notice.pk])).status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_inbox_pages_thirty_at_a_time(world: World) -> None:
    case = dispatched(world)
    Notification.objects.bulk_create(
        Notification(case=case, verb=DEADLINE_NEAR, unit=world.org.department_a) for _ in range(30)
    )
    client = client_for(world.handler_a)
    assert len(rows(inbox(client))) == 30
    second = inbox(client, 2)
    assert len(rows(second)) == 1 and "2 / 2" in second


def test_the_badge_shows_the_unread_count_and_answers_204_while_it_stays(world: World) -> None:
    client = client_for(world.handler_a)
    empty = client.get(reverse("inbox_badge"), headers=HTMX).content.decode()
    assert 'data-testid="unread"' not in empty and "?seen=0" in empty
    assert client.get(reverse("inbox_badge"), {"seen": "0"}, headers=HTMX).status_code == 204
    dispatched(world)
    badge = client.get(reverse("inbox_badge"), {"seen": "0"}, headers=HTMX).content.decode()
    assert 'data-testid="unread" aria-hidden="true">1<' in badge and "1 条未读通知" in badge
    assert 'hx-trigger="every 15s"' in badge and "?seen=1" in badge


def test_every_page_loads_the_badge_inside_a_polite_live_region(world: World) -> None:
    page = client_for(world.handler_a).get(reverse("case_list")).content.decode()
    assert '<span aria-live="polite"><span id="inbox-badge" hx-get="/inbox/badge/"' in page


def test_the_badge_after_signing_out_sends_the_page_to_sign_in() -> None:
    answer = Client().get(reverse("inbox_badge"), headers=HTMX)
    assert answer.status_code == 204 and answer["HX-Redirect"].startswith(reverse("login"))
