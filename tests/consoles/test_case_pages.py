"""The case list and case page: what each post sees."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from cases import workflow as wf
from cases.calendar import CalendarYear
from cases.models import Channel, Photo, Verb
from cases.reporting import report_case
from cases.transitions import TRANSITIONS
from geo.map_layers import forget_map_layers
from org.roles import Role, Scope
from tests.cases.conftest import EAST, MONDAY_10, SHANGHAI, WEST, World
from tests.cases.making import dispatched, filed, public_report, reported
from tests.conftest import make_person
from tests.geo.territory import grid_code

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


# -- tasks, photos, the calendar warning and the mini-map --------------------------------------


@pytest.fixture(autouse=True)
def _fresh_map_layers() -> None:
    forget_map_layers()  # each test database starts again at geography revision 1


def section(text: str, testid: str, end: str) -> str:
    return text.split(f'data-testid="{testid}"')[1].split(end)[0]


def test_the_case_page_lists_its_tasks_with_inspector_times_result_and_light(
    world: World,
) -> None:
    inspector = world.person(world.inspector)
    done = public_report(world)
    wf.send_verify(done, actor=world.actors.acceptor, inspector=inspector, now=MONDAY_10)
    later = MONDAY_10 + timedelta(minutes=20)
    wf.verify_report(done.number, actor=world.actors.inspector, found=True, now=later)
    page = client_for(world.acceptor).get(reverse("case_detail", args=[done.number]))
    [row] = section(page.content.decode(), "tasks", "</table>").split('data-testid="task"')[1:]
    cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
    assert cells[:4] == ["核实", "inspector", "11-23 10:00", "11-23 10:30"]  # due: 30 minutes
    assert cells[4] == "属实 · 11-23 10:20"  # the result, when it came
    assert 'data-testid="task-light"' not in row  # a finished task has no clock


def test_an_open_task_shows_its_light_with_the_meaning_in_the_users_language(
    world: World,
) -> None:
    case = public_report(world)
    wf.send_verify(case, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    page = client_for(world.acceptor).get(reverse("case_detail", args=[case.number]))
    row = section(page.content.decode(), "tasks", "</table>")
    assert (
        'class="light green" data-testid="task-light" title="绿灯：本环节用时不足五分之四"' in row
    )


def test_the_photos_come_in_workflow_order_whatever_order_they_were_added_in(
    world: World,
) -> None:
    case = dispatched(world)
    for stage in ("check", "handling", "report", "handling"):  # by name: check < handling < report
        Photo.objects.create(
            case=case, stage=stage, image=f"{stage}.jpg", thumbnail=f"{stage}-t.jpg",
            width=1, height=1, uploaded_at=MONDAY_10,
        )  # fmt: skip
    text = client_for(world.dispatcher).get(reverse("case_detail", args=[case.number]))
    stages = re.findall(r'<li data-stage="(\w+)">', text.content.decode())
    assert stages == ["report", "handling", "handling", "check"]


def test_the_case_page_carries_the_mini_map_of_its_grid_and_the_grids_around(
    world: World,
) -> None:
    case = dispatched(world, where=WEST)
    page = client_for(world.dispatcher).get(reverse("case_detail", args=[case.number]))
    found = re.search(r'id="case-map-config" type="application/json">(.*?)</script>', page.text)
    assert found is not None
    config = json.loads(found[1])
    assert config["grid"] == case.grid.code == grid_code("001", "001", 3)
    assert config["point"] == [pytest.approx(WEST[0]), pytest.approx(WEST[1])]
    codes = {feature["properties"]["code"] for feature in config["grids"]["features"]}
    # The district's south-west corner grid: itself and the three around it.
    assert codes == {grid_code("001", "001", n) for n in (1, 2, 3, 4)}


# The year whose holidays the tests take away: nothing about 2027 may come from the seed.
MISSING = 2027


@pytest.fixture
def year_missing(db: None) -> int:
    CalendarYear.objects.filter(year=MISSING).delete()
    return MISSING


def new_years_eve_case(world: World) -> str:
    """A report at 20:00 on 31 December 2026: its acceptance is due on the next working day."""
    at = datetime(MISSING - 1, 12, 31, 20, 0, tzinfo=SHANGHAI)
    case = reported(world, at=at)
    assert case.due_at is not None and case.due_at.astimezone(SHANGHAI).year == MISSING
    return case.number


def calendar_keeper(world: World) -> User:
    keeper = make_person("keeper", Role.DISPATCHER, world.org.center, Scope.DISTRICT)
    keeper.user_permissions.add(Permission.objects.get(codename="change_calendaryear"))
    return keeper


def warnings_on(user: User, number: str) -> list[str]:
    page = client_for(user).get(reverse("case_detail", args=[number])).content.decode()
    return re.findall(r'data-testid="calendar-warning">(.*?)</p>', page)


def test_who_keeps_the_calendar_is_warned_on_a_case_due_in_a_year_without_holidays(
    world: World, year_missing: int
) -> None:
    number = new_years_eve_case(world)
    sysadmin = make_person("sys", Role.SYSADMIN, world.org.center, Scope.DISTRICT)
    for keeper in (calendar_keeper(world), sysadmin):
        [warning] = warnings_on(keeper, number)
        assert str(year_missing) in warning


def test_who_cannot_enter_holidays_is_not_warned(world: World, year_missing: int) -> None:
    number = new_years_eve_case(world)
    assert warnings_on(world.dispatcher, number) == []


def test_a_case_whose_deadlines_lie_in_entered_years_gives_no_warning(
    world: World, year_missing: int
) -> None:
    number = dispatched(world).number  # due on 23 November 2026
    assert warnings_on(calendar_keeper(world), number) == []


def test_a_closed_case_gives_no_warning(world: World, year_missing: int) -> None:
    number = new_years_eve_case(world)
    at = datetime(MISSING, 1, 4, 9, 0, tzinfo=SHANGHAI)
    wf.decline_case(number, actor=world.actors.acceptor, reason="重复", now=at)
    assert warnings_on(calendar_keeper(world), number) == []
