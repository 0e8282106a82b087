"""The map page's cases layer (/map/cases.json) and its search by case number or component
identifier (/map/find.json), on the small world of the workflow tests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from shapely.geometry import Point

import consoles.map_layer
from cases import workflow as wf
from cases.models import Status
from catalog.models import CaseType, MajorClass, TypeKind
from components.models import Component
from geo.map_layers import forget_map_layers
from geo.models import PointOfInterest, Street
from tests.cases.conftest import EAST, MONDAY_10, WEST, World
from tests.cases.making import dispatched, filed, reported
from tests.geo.territory import DISTRICT, STEP, X0, Y0, grid_code

pytestmark = pytest.mark.django_db
WHOLE = f"{X0},{Y0},{X0 + 4 * STEP},{Y0 + 4 * STEP}"
WEST_HALF = f"{X0},{Y0},{X0 + 2 * STEP},{Y0 + 4 * STEP}"


@pytest.fixture(autouse=True)
def _fresh_map_layers() -> None:
    forget_map_layers()  # each test database starts again at geography revision 1


def browser(user: User | None, language: str = "zh-hans") -> Client:
    client = Client(headers={"Accept-Language": language})
    if user is not None:
        client.force_login(user)
    return client


def layer(user: User, **params: str) -> dict[str, Any]:
    response = browser(user).get(reverse("map_cases"), {"bbox": WHOLE, **params})
    assert response.status_code == 200, response.content
    return dict(json.loads(response.content))


def numbers(answer: dict[str, Any]) -> list[str]:
    return [row[0] for row in answer["rows"]]


# -- the layer ---------------------------------------------------------------------------------


def test_a_row_holds_the_number_place_status_type_light_and_address(world: World) -> None:
    case = dispatched(world, where=WEST)
    answer = layer(world.dispatcher)
    assert answer["types"] == [["0110", "暴露垃圾"]]
    [row] = answer["rows"]
    status_at = list(Status.values).index(Status.DISPATCHED)
    assert row[:2] == [case.number, pytest.approx(WEST[0])]
    assert row[2:6] == [pytest.approx(WEST[1]), status_at, 0, 2]  # light 2: red (long overdue)
    assert row[6] == case.address


def test_a_handler_sees_only_the_cases_of_its_unit(world: World) -> None:
    mine = dispatched(world, where=WEST, unit=world.org.department_a).number
    theirs = dispatched(world, where=EAST, unit=world.org.department_b).number
    assert numbers(layer(world.handler_a)) == [mine]
    assert numbers(layer(world.handler_b)) == [theirs]
    assert numbers(layer(world.dispatcher)) == sorted([mine, theirs])


def test_only_the_cases_inside_the_box_are_sent(world: World) -> None:
    west = dispatched(world, where=WEST).number
    dispatched(world, where=EAST)
    assert numbers(layer(world.dispatcher, bbox=WEST_HALF)) == [west]


def test_closed_cases_are_left_out_unless_asked_for(world: World) -> None:
    open_case = reported(world).number
    declined = reported(world, where=EAST)
    wf.decline_case(declined, actor=world.actors.acceptor, reason="不属于城管", now=MONDAY_10)
    assert numbers(layer(world.dispatcher)) == [open_case]
    assert numbers(layer(world.dispatcher, status="all")) == sorted([open_case, declined.number])
    assert numbers(layer(world.dispatcher, status=Status.DECLINED)) == [declined.number]


def test_the_street_type_and_light_filters_narrow_the_rows(world: World) -> None:
    west = dispatched(world, where=WEST).number
    east = dispatched(world, where=EAST).number
    street = Street.objects.get(full_code=DISTRICT + "002")
    assert numbers(layer(world.dispatcher, street=str(street.pk))) == [east]
    assert numbers(layer(world.dispatcher, type=str(world.garbage.pk))) == sorted([west, east])
    assert numbers(layer(world.dispatcher, type=str(world.garbage.pk + 1))) == []
    assert numbers(layer(world.dispatcher, light="red")) == sorted([west, east])
    assert numbers(layer(world.dispatcher, light="green")) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "lost"}, "Unknown status: lost."),
        ({"light": "blue"}, "Unknown light: blue."),
        ({"street": "first"}, "Unknown street or township: first."),
        ({"type": "0110"}, ""),  # a type is chosen by its id: 110 is no type here, no error
        ({"bbox": "1,2,3"}, "bbox must be four numbers: west,south,east,north."),
    ],
)
def test_a_bad_filter_or_box_is_refused_in_the_users_language(
    world: World, params: dict[str, str], message: str
) -> None:
    query = {"bbox": WHOLE, **params}
    response = browser(world.dispatcher, "en").get(reverse("map_cases"), query)
    if not message:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    chinese = browser(world.dispatcher).get(reverse("map_cases"), query).json()
    assert chinese["error"]["message"] != message  # Chinese by default


def test_the_layer_sends_nothing_but_a_count_when_there_are_too_many(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consoles.map_layer, "MAX_CASE_POINTS", 1)
    dispatched(world, where=WEST)
    dispatched(world, where=EAST)
    answer = layer(world.dispatcher)
    assert (answer["too_many"], answer["count"], answer["rows"]) == (True, 2, [])
    assert "2" in answer["message"]


def test_the_layer_costs_the_same_queries_for_one_case_or_many(world: World) -> None:
    def queries() -> int:
        client = browser(world.handler_a)
        client.get(reverse("map_cases"), {"bbox": WHOLE})  # the map layers, built once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("map_cases"), {"bbox": WHOLE}).status_code == 200
        return len(captured)

    dispatched(world, where=WEST)
    one = queries()
    for where in (WEST, EAST, WEST, EAST):
        dispatched(world, where=where)
    assert queries() == one


def test_the_layer_needs_a_signed_in_user(world: World) -> None:
    response = browser(None).get(reverse("map_cases"), {"bbox": WHOLE})
    assert response.status_code == 401


def test_the_map_page_offers_the_case_filters_and_the_layer_config(world: World) -> None:
    filed(world)
    page = browser(world.dispatcher).get(reverse("map")).content.decode()
    assert 'id="case-status"' in page and 'id="case-light"' in page
    assert f'<option value="{world.garbage.pk}">0110 暴露垃圾</option>' in page
    assert '"search": "/map/find.json"' in page and '"url": "/map/cases.json"' in page


# -- search ------------------------------------------------------------------------------------


def find(user: User, q: str) -> dict[str, Any]:
    response = browser(user).get(reverse("map_find"), {"q": q})
    assert response.status_code == 200, response.content
    return dict(json.loads(response.content))


def test_a_case_number_finds_the_case_with_its_facts_and_page(world: World) -> None:
    case = dispatched(world, where=EAST)
    answer = find(world.dispatcher, f" {case.number} ")
    assert answer["matched"] == "case"
    [feature] = answer["features"]
    assert feature["geometry"]["coordinates"] == [pytest.approx(EAST[0]), pytest.approx(EAST[1])]
    properties = feature["properties"]
    assert properties["url"] == f"/cases/{case.number}/"
    assert [case.number, "0110 暴露垃圾", "已派遣"] == [
        value for _, value in properties["facts"][:3]
    ]


def test_a_case_the_viewer_may_not_see_is_not_found(world: World) -> None:
    case = dispatched(world, where=EAST, unit=world.org.department_b)
    answer = find(world.handler_a, case.number)
    assert answer["features"] == [] and answer["matched"] == "grid_code"


def test_a_component_identifier_finds_the_component(world: World) -> None:
    edition = world.garbage.major.edition
    major = MajorClass.objects.create(
        edition=edition, kind=TypeKind.COMPONENT, code="02", name="公用设施类"
    )
    cover = CaseType.objects.create(
        major=major, code="0201", name="上水井盖", default_department=world.org.department_a
    )
    component = Component(case_type=cover, point=Point(*WEST))
    component.save()
    answer = find(world.handler_a, component.identifier)
    assert answer["matched"] == "component"
    assert answer["features"][0]["properties"]["url"] == f"/components/{component.identifier}/"


def test_grid_codes_and_addresses_are_still_found(world: World) -> None:
    assert find(world.dispatcher, grid_code("001", "001", 3))["matched"] == "grid_code"
    PointOfInterest.objects.create(name="翠湖公园", category="park", point=Point(*WEST))
    answer = find(world.dispatcher, "翠湖公园")
    assert answer["matched"] == "address"
    assert answer["features"][0]["properties"]["note"]  # how it matched, for the results list


def test_an_empty_search_is_refused(world: World) -> None:
    response = browser(world.dispatcher, "en").get(reverse("map_find"), {"q": "  "})
    assert response.status_code == 400
    assert "case number" in response.json()["error"]["message"]
