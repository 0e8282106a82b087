"""Who may open what: every page, export, map layer and read endpoint, for every post and for
someone signed out, against a table. A post outside a page's table is refused (403), a case
outside the post's scope is not there at all (404), and only the public portal opens signed
out. Every page the site routes is in the table, so a new one cannot slip past unclassified.
The verbs themselves are matrix-tested step by step in
tests/cases/test_authorization_matrix.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import Case
from org.roles import Role, Scope
from tests.cases.conftest import World
from tests.cases.making import dispatched, make_cover
from tests.conftest import make_person
from tests.consoles.test_case_pages import client_for
from tests.geo.territory import STEP, X0, Y0

pytestmark = pytest.mark.django_db

CENTER = {"acceptor", "shift_leader", "dispatcher"}
EVERY_POST = (
    CENTER
    | {"inspector", "handler_a", "unit_admin_a", "street_handler"}
    | {
        "leader",
        "analyst",
        "sysadmin",
    }
)
DISTRICT_WIDE = EVERY_POST - {"handler_a", "unit_admin_a", "street_handler"}
OVERSEERS = {"shift_leader", "dispatcher", "leader", "analyst"}  # the dashboard, the board
EVALUATORS = {"shift_leader", "leader", "analyst", "sysadmin"}

# page → the posts it opens for (200); the rest get 403, or 404 for a case out of scope.
ALLOWED: dict[str, set[str]] = {
    "inbox": EVERY_POST,
    "inbox_badge": EVERY_POST,
    "case_list": EVERY_POST,
    "case_export_csv": EVERY_POST,  # each export holds only the cases the post sees
    "case_export_xlsx": EVERY_POST,
    "case_detail_own": EVERY_POST - {"street_handler"},
    "case_detail_other_unit": DISTRICT_WIDE,
    "component_detail": EVERY_POST,
    "map": EVERY_POST,
    "map_cases": EVERY_POST,
    "map_find": EVERY_POST,
    "overdue_board": OVERSEERS,
    "dashboard": OVERSEERS,
    "dashboard_grids": OVERSEERS,
    "patrol": {"acceptor", "shift_leader", "leader", "analyst", "sysadmin"},
    "evaluation": EVALUATORS,
    "evaluation_drill": EVALUATORS,
    "evaluation_report": EVALUATORS,
    "evaluation_chain": EVALUATORS,
    "evaluation_runs": EVALUATORS,
    "health": {"sysadmin"},
    "component_layer": EVERY_POST,
    "map_outlines": EVERY_POST,
    "map_grids": EVERY_POST,
    "map_locate": EVERY_POST,
    "map_search": EVERY_POST,
    "hotline": {"acceptor", "shift_leader"},
    "mobile": {"inspector"},
    "partner_cameras": {"acceptor"},
    "api_cases": EVERY_POST,
    "api_case_own": EVERY_POST - {"street_handler"},
    "api_case_other_unit": DISTRICT_WIDE,
    "api_tasks": {"inspector"},
    "api_units": EVERY_POST,
    "portal": EVERY_POST,
    **{f"work_{role}": {role} for role in ("inspector", "acceptor", "shift_leader")},
    "work_dispatcher": {"dispatcher"},
    "work_handler": {"handler_a", "street_handler"},
    "work_unit_admin": {"unit_admin_a"},
    "work_leader": {"leader"},
    "work_analyst": {"analyst"},
    "work_sysadmin": {"sysadmin"},
}
NOT_FOUND_WHEN_REFUSED = {"case_detail_own", "case_detail_other_unit"} | {
    "api_case_own",
    "api_case_other_unit",
}
OPEN_SIGNED_OUT = {"portal"}
HTMX_FRAGMENTS = {"inbox_badge"}  # signed out: 204 with HX-Redirect to sign in

# Routes this table does not open with a GET, and why.
ELSEWHERE = {
    "home": "sends each post to its workspace",
    "workspace_live": "the workspace's htmx refresh (tests/consoles/test_live_desk.py)",
    "dashboard_live": "answers 204 with HX-Refresh to a post that lost the dashboard",
    "inbox_read_all": "POST",
    "inbox_read": "POST",
    "case_act": "POST: the verbs, tests/cases/test_authorization_matrix.py",
    "case_add_photo": "POST",
    "case_reveal_contact": "POST, audited: tests/cases/test_api.py",
    "case_photo": "a photo of a case: tests/cases/test_photos.py",
    "evaluation_run_file": "the one who asked only: tests/consoles/test_evaluation_runs.py",
}


@pytest.fixture
def posts(world: World) -> dict[str, User | None]:
    center, unit_a = world.org.center, world.org.department_a
    return {
        "anonymous": None,
        "inspector": world.inspector,
        "acceptor": world.acceptor,
        "shift_leader": world.shift_leader,
        "dispatcher": world.dispatcher,
        "handler_a": world.handler_a,
        "unit_admin_a": make_person("unit_admin_a", Role.UNIT_ADMIN, unit_a, Scope.UNIT),
        "street_handler": world.street_handler,
        "leader": world.leader,
        "analyst": make_person("analyst", Role.ANALYST, center, Scope.DISTRICT),
        "sysadmin": make_person("sysadmin", Role.SYSADMIN, center, Scope.DISTRICT),
    }


def addresses(own: Case, other: Case, component: str) -> dict[str, str]:
    bbox = f"bbox={X0},{Y0},{X0 + 4 * STEP},{Y0 + 2 * STEP}"
    figure = "kind=unit&key=1&count=dispatched"
    return {
        "inbox": reverse("inbox"),
        "inbox_badge": reverse("inbox_badge"),
        "case_list": reverse("case_list"),
        "case_export_csv": reverse("case_export", args=["csv"]),
        "case_export_xlsx": reverse("case_export", args=["xlsx"]),
        "case_detail_own": reverse("case_detail", args=[own.number]),
        "case_detail_other_unit": reverse("case_detail", args=[other.number]),
        "component_detail": reverse("component_detail", args=[component]),
        "map": reverse("map"),
        "map_cases": f"{reverse('map_cases')}?{bbox}",
        "map_find": f"{reverse('map_find')}?q=1",
        "overdue_board": reverse("overdue_board"),
        "dashboard": reverse("dashboard"),
        "dashboard_grids": reverse("dashboard_grids"),
        "patrol": reverse("patrol"),
        "evaluation": reverse("evaluation"),
        "evaluation_drill": f"{reverse('evaluation_drill')}?{figure}",
        "evaluation_report": reverse("evaluation_report"),
        "evaluation_chain": reverse("evaluation_chain"),
        "evaluation_runs": reverse("evaluation_runs"),
        "health": reverse("health"),
        "component_layer": f"{reverse('component_layer')}?{bbox}",
        "map_outlines": reverse("map_outlines"),
        "map_grids": f"{reverse('map_grids')}?{bbox}",
        "map_locate": f"{reverse('map_locate')}?lon={X0 + STEP / 2}&lat={Y0 + STEP / 2}",
        "map_search": f"{reverse('map_search')}?q=1",
        "hotline": reverse("hotline:console"),
        "mobile": reverse("mobile:app"),
        "partner_cameras": reverse("partner_cameras"),
        "api_cases": "/api/v1/cases",
        "api_case_own": f"/api/v1/cases/{own.number}",
        "api_case_other_unit": f"/api/v1/cases/{other.number}",
        "api_tasks": "/api/v1/tasks",
        "api_units": "/api/v1/units",
        "portal": reverse("portal:home"),
        **{f"work_{role}": reverse("workspace", kwargs={"role": role}) for role in Role.values},
    }


def expected(post: str, page: str) -> set[int]:
    if post == "anonymous":
        if page in HTMX_FRAGMENTS:
            return {204}
        return {200} if page in OPEN_SIGNED_OUT else {302, 401}
    if post in ALLOWED[page]:
        return {200}
    return {404} if page in NOT_FOUND_WHEN_REFUSED else {403}


def test_every_post_opens_exactly_the_pages_of_its_table(
    world: World, posts: dict[str, User | None]
) -> None:
    own = dispatched(world)
    other_unit = dispatched(world, unit=world.org.department_b)
    pages = addresses(own, other_unit, make_cover(world).identifier)
    wrong = []
    for post, user in posts.items():
        client = Client() if user is None else client_for(user)
        for page, address in pages.items():
            got = client.get(address).status_code
            if got not in expected(post, page):
                wrong.append(f"{post} {page}: {got}, expected {sorted(expected(post, page))}")
    assert wrong == []


def test_every_routed_page_is_in_the_table_or_said_where_it_is_tested() -> None:
    tabled = {page.removesuffix("_own").removesuffix("_other_unit") for page in ALLOWED}
    tabled |= {"case_export", "workspace"}  # case_export_csv/xlsx, work_<role>
    assert sorted(console_routes(get_resolver().url_patterns) - tabled - ELSEWHERE.keys()) == []


CONSOLE_APPS = {"consoles", "cases", "components", "geo"}


def console_routes(patterns: list[Any]) -> set[str]:
    """The names of the routes the staff's consoles and the map serve (the API, Open311, the
    portal and the inspector's app have their own refusal tests)."""
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver) and entry.namespace is None:
            names |= console_routes(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            app = entry.callback.__module__.split(".")[0]
            names |= {entry.name} if app in CONSOLE_APPS else set()
    return names
