"""The dashboard (大屏): today's figures, the period's headline figures month by month and day
by day, the types most filed, streets and units ranked, the hotspot grids and the components
that keep failing, over the cases the viewer's post may see; for leaders, analysts and the
posts that run the loop."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import workflow as wf
from cases.models import Case, Channel
from cases.reporting import report_case
from components.models import Component
from org.access import Actor
from org.roles import Role, Scope
from tests.cases.conftest import EAST, WEST, World
from tests.cases.making import Where, filed
from tests.cases.test_workflow import make_cover
from tests.conftest import make_person
from tests.consoles.test_board import in_hand
from tests.consoles.test_case_pages import client_for
from tests.geo.territory import DISTRICT

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db


# -- cases made now, through the workflow --------------------------------------------------------


def reported(world: World, where: Where = WEST, component: Component | None = None) -> Case:
    return report_case(
        actor=world.actors.inspector,
        channel=Channel.INSPECTOR,
        description="路边有成堆垃圾",
        lon=where[0],
        lat=where[1],
        case_type=None if component else world.garbage,
        component=component,
        now=timezone.now(),
    )


def filed_now(world: World, where: Where = WEST, component: Component | None = None) -> Case:
    case = reported(world, where, component)
    condition = component.case_type.conditions.get() if component else world.normal
    wf.accept_case(case, actor=world.actors.acceptor)
    return wf.file_case(case, actor=world.actors.shift_leader, condition=condition)


def closed_now(world: World, where: Where = WEST) -> Case:
    """Filed, dispatched to department A, handled, checked and closed on time, now."""
    a = world.actors
    case = filed_now(world, where)
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="派")
    wf.sign_case(case, actor=a.handler_a)
    wf.feedback_case(case, actor=a.handler_a, reason="已清理")
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2))
    wf.check_case(case, actor=a.inspector_2, passed=True)
    return wf.close_case(case, actor=a.shift_leader)


def public_report(world: World) -> Case:
    return report_case(
        actor=Actor.public(), channel=Channel.APP, description="小区门口垃圾没人管",
        lon=WEST[0], lat=WEST[1], contact_name="张三丰", contact_phone="13812345678",
        now=timezone.now(),
    )  # fmt: skip


def street_leader(world: World) -> User:
    """The leader of street 001 (the territory of WEST)."""
    return make_person("street_leader", Role.LEADER, world.org.street, Scope.TERRITORY)


def analyst(world: World) -> User:
    return make_person("analyst", Role.ANALYST, world.org.center, Scope.DISTRICT)


# -- reading the page ----------------------------------------------------------------------------


def dashboard(user: User, **query: str) -> str:
    response = client_for(user).get(reverse("dashboard"), query)
    assert response.status_code == 200
    return response.content.decode()


def today(page: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(r'data-testid="today-(\w+)">(\d+)<', page)}


def figure(page: str, key: str) -> str:
    found = re.search(rf'data-testid="figure-{key}">([^<]*)<', page)
    assert found is not None
    return found[1]


def config(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="dashboard-config" type="application/json">(.*?)</script>', page)
    assert found is not None
    loaded: dict[str, Any] = json.loads(found[1])
    return loaded


def section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def ranking(page: str, testid: str) -> dict[str, dict[str, str]]:
    """Each row of a ranking by name: its figures as shown."""
    rows = {}
    for chunk in section(page, testid).split('<tr data-name="')[1:]:
        name, rest = chunk.split('"', 1)
        cells = re.findall(r'data-figure="(\w+)">(.*?)</td>', rest.split("</tr>")[0])
        rows[name] = {key: re.sub(r"<[^>]*>", "", value).strip() for key, value in cells}
    return rows


def hotspots(page: str) -> dict[str, int]:
    found = re.findall(
        r'<tr data-grid="(\d+)">.*?data-testid="hotspot-cases">(\d+)<', section(page, "hotspots")
    )
    return {code: int(n) for code, n in found}


def grids(user: User, **query: str) -> Response:
    return client_for(user).get(reverse("dashboard_grids"), query)


# -- who may open it -----------------------------------------------------------------------------


def test_leaders_analysts_and_the_loops_posts_may_open_it_and_others_are_told_why_not(
    world: World,
) -> None:
    for user in (world.leader, analyst(world), world.dispatcher, world.shift_leader):
        assert client_for(user).get(reverse("dashboard")).status_code == 200
    for user in (world.handler_a, world.acceptor, world.inspector):
        response = client_for(user).get(reverse("dashboard"))
        assert response.status_code == 403
        assert "大屏仅供领导、分析员、派遣员和值班长使用" in response.content.decode()
        assert grids(user).status_code == 403


def test_someone_signed_out_is_sent_to_sign_in(client: Any) -> None:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("dashboard_grids")).status_code == 401


def test_the_leaders_and_analysts_desks_and_the_top_bar_lead_to_it(world: World) -> None:
    link = f'href="{reverse("dashboard")}"'
    for user, role in ((world.leader, Role.LEADER), (analyst(world), Role.ANALYST)):
        desk = client_for(user).get(reverse("workspace", args=[role])).content.decode()
        assert 'data-testid="dashboard-link"' in desk and link in desk.split("</header>")[0]
    other = client_for(world.handler_a).get(reverse("workspace", args=[Role.HANDLER]))
    assert link not in other.content.decode()


# -- what it shows -------------------------------------------------------------------------------


def test_todays_figures_count_the_days_events_and_what_is_overdue_now(world: World) -> None:
    reported(world)
    filed_now(world)
    closed_now(world, EAST)
    late = in_hand(world, world.org.department_a, timedelta(hours=3))  # 2 hours to handle
    counted = today(dashboard(world.leader))
    # The late case's own events count when its three hours ago were today.
    earlier = int(timezone.localdate(late.created_at) == timezone.localdate())
    assert counted == {
        "reported": 3 + earlier,
        "accepted": 2 + earlier,
        "filed": 2 + earlier,
        "dispatched": 1 + earlier,
        "handled": 1,
        "closed": 1,
        "overdue": 1,
    }


def test_the_headline_figures_of_this_month_are_those_of_its_cases(world: World) -> None:
    closed_now(world)
    closed_now(world, EAST)
    filed_now(world)  # filed, not closed
    public_report(world)  # reported by the public, not filed yet
    page = dashboard(world.leader)
    assert figure(page, "handled") == "2"
    assert figure(page, "discovery_rate") == "100.0"  # every filed case found by inspectors
    assert figure(page, "handling_rate") == "66.7"  # 2 of the 3 filed are closed
    assert figure(page, "on_time_rate") == "100.0"
    assert figure(page, "public_calls") == "1"
    months = config(page)["months"]
    assert months["labels"][-1] == timezone.localdate().strftime("%Y-%m")
    assert len(months["labels"]) == 12
    assert (months["filed"][-1], months["handled"][-1], months["publicCalls"][-1]) == (3, 2, 1)
    assert months["onTimeRate"][-1] == 100.0 and months["handlingRate"][-1] == 66.7
    assert months["filed"][:-1] == [0] * 11


def test_the_last_30_days_count_each_day_in_local_time(world: World) -> None:
    closed_now(world)
    reported(world)
    days = config(dashboard(world.leader))["days"]
    assert len(days["labels"]) == 30
    assert days["labels"][-1] == timezone.localdate().strftime("%m-%d")
    assert (days["reported"][-1], days["filed"][-1], days["closed"][-1]) == (2, 1, 1)
    assert sum(days["reported"]) == 2


def test_the_types_most_filed_count_the_cases_filed_in_the_period(world: World) -> None:
    cover = make_cover(world)
    for _n in range(2):
        filed_now(world, component=cover)
    filed_now(world)
    reported(world)  # reported, never filed: not counted
    types = config(dashboard(world.leader))["types"]
    assert types == {"names": ["上水井盖", "暴露垃圾"], "counts": [2, 1]}


def test_streets_and_units_are_ranked_by_their_score_with_their_figures(world: World) -> None:
    closed_now(world, WEST)
    filed_now(world, EAST)
    page = dashboard(world.leader)
    streets = ranking(page, "streets")
    assert set(streets) == {"街道001", "街道002"}
    assert (streets["街道001"]["filed"], streets["街道001"]["closed"]) == ("1", "1")
    assert streets["街道001"]["on_time_closing_rate"] == "100.0%"
    assert (streets["街道002"]["filed"], streets["街道002"]["closed"]) == ("1", "0")
    assert streets["街道001"]["grade"] != "—"
    order = list(streets)
    assert float(streets[order[0]]["score"]) >= float(streets[order[1]]["score"])
    units = ranking(page, "units")
    assert list(units) == [world.org.department_a.name]  # the only unit with a case
    department_a = units[world.org.department_a.name]
    assert (department_a["dispatched"], department_a["handled"]) == ("1", "1")


def test_the_hotspot_grids_and_the_heat_maps_grids_count_the_cases_filed(world: World) -> None:
    west = filed_now(world, WEST).grid
    filed_now(world, WEST)
    east = filed_now(world, EAST).grid
    reported(world, EAST)  # not filed
    assert hotspots(dashboard(world.leader)) == {west.code: 2, east.code: 1}
    layer = grids(world.leader).json()
    counted = {f["properties"]["code"]: f["properties"]["cases"] for f in layer["features"]}
    assert counted == {west.code: 2, east.code: 1}
    assert layer["most"] == 2 and layer["features"][0]["id"] == west.pk  # the densest first
    assert all(f["geometry"]["type"] == "Polygon" for f in layer["features"])


def test_components_with_two_cases_or_more_in_the_period_keep_failing(world: World) -> None:
    cover = make_cover(world)
    filed_now(world, component=cover)
    page = dashboard(world.leader)
    assert f'data-component="{cover.identifier}"' not in page  # once is not yet "keeps"
    filed_now(world, component=cover)
    rows = section(dashboard(world.leader), "components")
    assert f'data-component="{cover.identifier}"' in rows
    assert 'data-testid="failures">2<' in rows
    assert world.org.department_b.name in rows  # the owner


# -- whose cases ---------------------------------------------------------------------------------


def test_a_street_leader_sees_only_the_figures_of_its_street(world: World) -> None:
    closed_now(world, WEST)
    filed_now(world, WEST)
    for _n in range(3):
        closed_now(world, EAST)
    reported(world, EAST)
    leader = street_leader(world)
    mine = dashboard(leader)
    assert today(mine)["reported"] == 2 and today(mine)["closed"] == 1
    assert figure(mine, "handled") == "1"
    assert config(mine)["months"]["filed"][-1] == 2
    assert config(mine)["days"]["reported"][-1] == 2
    assert set(ranking(mine, "streets")) == {"街道001"}
    assert config(mine)["heat"]["streets"] == [DISTRICT + "001"]  # the map frames the street
    assert set(hotspots(mine).values()) == {2}
    assert [f["properties"]["cases"] for f in grids(leader).json()["features"]] == [2]
    everything = dashboard(world.leader)
    assert today(everything)["reported"] == 6 and figure(everything, "handled") == "4"
    assert set(ranking(everything, "streets")) == {"街道001", "街道002"}
    assert config(everything)["heat"]["streets"] == []


# -- the period ----------------------------------------------------------------------------------


def test_a_past_month_shows_its_own_cases(world: World) -> None:
    filed(world)  # on Monday 23 November 2026
    closed_now(world)
    november = dashboard(world.leader, period="2026-11")
    assert 'value="2026-11" selected' in november
    assert config(november)["months"]["labels"][-1] == "2026-11"
    assert config(november)["months"]["filed"][-1] == 1
    assert config(november)["days"]["labels"][-1] == "11-30"
    assert figure(november, "handled") == "0"
    assert grids(world.leader, period="2026-11").json()["period"] == "2026-11"


def test_a_period_not_understood_or_not_begun_shows_this_month_and_says_why(
    world: World,
) -> None:
    this_month = timezone.localdate().strftime("%Y-%m")
    for asked in ("next week", "2999-01"):
        page = dashboard(world.leader, period=asked)
        assert 'data-testid="period-problem"' in page
        assert f'value="{this_month}" selected' in page
    assert grids(world.leader, period="2999-01").status_code == 400


# -- live and lean -------------------------------------------------------------------------------


def test_todays_figures_refresh_only_when_they_changed(world: World) -> None:
    reported(world)
    client = client_for(world.leader)
    page = client.get(reverse("dashboard")).content.decode()
    poll = re.search(r'id="dashboard-poll"[^>]*hx-get="([^"]+)"', page)
    assert poll is not None
    url = poll[1].replace("&amp;", "&")
    assert client.get(url).status_code == 204  # nothing new
    reported(world)
    answer = client.get(url)
    assert answer.status_code == 200
    assert 'data-testid="today-reported">2<' in answer.content.decode()
    assert 'hx-swap-oob="innerHTML"' in answer.content.decode()


def test_the_live_figures_send_a_signed_out_browser_to_sign_in(client: Any) -> None:
    response = client.get(reverse("dashboard_live"))
    assert response.status_code == 204 and reverse("login") in response["HX-Redirect"]


def test_the_page_costs_the_same_queries_for_a_few_cases_or_many(world: World) -> None:
    def queries(user: User) -> int:
        with CaptureQueriesContext(connection) as captured:
            dashboard(user)
        return len(captured.captured_queries)

    leader = street_leader(world)
    closed_now(world)
    few = queries(world.leader), queries(leader)
    cover = make_cover(world)
    for where in (WEST, EAST) * 3:
        closed_now(world, where)
        filed_now(world, where, component=cover)
    assert (queries(world.leader), queries(leader)) == few
