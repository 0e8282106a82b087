"""The case list: it opens on what waits for the post, switches to a queue, the overdue or
all; filters, sorts and pages at a query count that does not grow with the cases; and exports
what is filtered, recording every export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases import workflow as wf
from cases.models import Case, Channel, Status
from consoles import export as export_module
from consoles.models import CaseExport
from tests.cases.conftest import EAST, MONDAY_10, World
from tests.cases.making import dispatched, filed, handling, public_report, reported
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def numbers_on(page: str) -> list[str]:
    """The case numbers in the list's rows, in order."""
    table = page.split('data-testid="case-list"')[1].split("</table>")[0]
    return [part.split('"')[0] for part in table.split('href="/cases/')[1:]]


def listed(user: object, **params: str) -> list[str]:
    response = client_for(user).get(reverse("case_list"), params)
    assert response.status_code == 200
    return [number.rstrip("/") for number in numbers_on(response.content.decode())]


def test_the_list_opens_on_what_waits_for_the_post_and_can_show_all(world: World) -> None:
    to_sign = dispatched(world)
    in_hand = handling(world)
    done = handling(world)
    wf.feedback_case(
        done, actor=world.actors.handler_a, reason="已清理", now=MONDAY_10
    )  # handled: not waiting
    assert set(listed(world.handler_a)) == {to_sign.number, in_hand.number}
    assert set(listed(world.handler_a, view="all")) == {to_sign.number, in_hand.number, done.number}
    assert listed(world.handler_a, view="to_sign") == [to_sign.number]


def test_the_overdue_view_shows_open_cases_past_their_handling_deadline(world: World) -> None:
    late = dispatched(world)  # dispatched on 23 November: long past its deadline today
    on_time = dispatched(world, at=timezone.now())
    assert listed(world.dispatcher, view="overdue") == [late.number]
    assert on_time.number in listed(world.dispatcher, view="all")


def test_each_filter_narrows_the_list(world: World) -> None:
    west, east = filed(world), filed(world, where=EAST)
    sent = dispatched(world, unit=world.org.department_b)
    public = public_report(world)
    everyone = {west.number, east.number, sent.number, public.number}
    assert set(listed(world.dispatcher, view="all")) == everyone
    assert listed(world.dispatcher, view="all", number=east.number) == [east.number]
    assert listed(world.dispatcher, view="all", channel=Channel.APP) == [public.number]
    assert listed(world.dispatcher, view="all", status=Status.DISPATCHED) == [sent.number]
    assert listed(world.dispatcher, view="all", unit=str(world.org.department_b.pk)) == [
        sent.number
    ]
    assert listed(world.dispatcher, view="all", street=str(east.street_id)) == [east.number]
    typed = set(listed(world.dispatcher, view="all", case_type=str(world.garbage.pk)))
    assert typed == everyone - {public.number}  # the public report has no type yet
    assert listed(world.dispatcher, view="all", since="2026-11-24") == []
    assert len(listed(world.dispatcher, view="all", until="2026-11-23")) == 4


def test_the_filters_show_the_chosen_type_street_and_unit_with_every_choice(world: World) -> None:
    east = filed(world, where=EAST)
    chosen = {
        "case_type": world.garbage.pk,
        "street": east.street_id,
        "unit": world.org.department_b.pk,
    }
    params = {"view": "all", **{name: str(pk) for name, pk in chosen.items()}}
    form = client_for(world.dispatcher).get(reverse("case_list"), params).content.decode()
    for name, pk in chosen.items():
        select = form.split(f'<select name="{name}" id="id_{name}">')[1].split("</select>")[0]
        assert f'<option value="{pk}" selected>' in select
        assert select.count(" selected>") == 1
        assert '<option value="">' in select  # "all" can be chosen again
    assert f">{world.garbage}</option>" in form


def test_the_light_filter_agrees_with_the_lights_shown(world: World) -> None:
    now = timezone.now()
    green, yellow, red = (filed(world) for _ in range(3))
    hour = timedelta(hours=1)
    Case.objects.filter(pk=green.pk).update(due_at=now + hour, warn_at=now + hour / 2)
    Case.objects.filter(pk=yellow.pk).update(due_at=now + hour, warn_at=now - hour / 2)
    Case.objects.filter(pk=red.pk).update(due_at=now - hour, warn_at=now - 2 * hour)
    for case, light in ((green, "green"), (yellow, "yellow"), (red, "red")):
        page = client_for(world.dispatcher).get(
            reverse("case_list"), {"view": "all", "light": light}
        )
        text = page.content.decode()
        assert [n.rstrip("/") for n in numbers_on(text)] == [case.number]
        assert f'class="light {light}"' in text


def test_cases_to_dispatch_show_their_suggested_unit_until_dispatched(world: World) -> None:
    case = filed(world, where=EAST)  # suggested: the street office of street 002
    page = client_for(world.dispatcher).get(reverse("case_list"), {"view": "to_dispatch"})
    text = page.content.decode()
    assert case.number in text and case.suggested_unit is not None
    assert text.split('data-testid="suggested">')[1].startswith(f"建议: {case.suggested_unit.name}")


def test_the_list_sorts_by_the_chosen_order(world: World) -> None:
    made = sorted(filed(world).number for _ in range(3))
    assert listed(world.dispatcher, view="all", sort="number") == made
    assert listed(world.dispatcher, view="all", sort="-number") == made[::-1]


def test_bad_filters_are_refused_in_the_users_language_and_nothing_is_hidden(world: World) -> None:
    case = filed(world)
    params = {"view": "all", "status": "nonsense", "since": "2026-12-01", "until": "2026-11-01"}
    response = client_for(world.dispatcher).get(reverse("case_list"), params)
    text = response.content.decode()
    assert "选择一个有效的选项" in text  # Django's own message, in Chinese
    assert "时段的结束早于开始" in text
    assert case.number in text  # the list is not filtered by what could not be read


def test_the_pages_keep_the_filters(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("consoles.search.PAGE_SIZE", 2)
    made = [filed(world).number for _ in range(5)]
    first = client_for(world.dispatcher).get(
        reverse("case_list"), {"view": "all", "sort": "number", "status": "filed"}
    )
    text = first.content.decode()
    assert "1 / 3" in text and "page=2" in text and "status=filed" in text
    assert listed(world.dispatcher, view="all", sort="number", status="filed", page="3") == [
        made[-1]
    ]


def test_a_long_list_pages_through_its_first_cases_in_order_and_says_there_are_more(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("consoles.search.PAGE_SIZE", 2)
    monkeypatch.setattr("consoles.search.COUNT_CAP", 4)
    made = sorted(filed(world).number for _ in range(6))
    text = client_for(world.dispatcher).get(reverse("case_list"), {"view": "all", "sort": "number"})
    assert "超过 4 件案卷" in text.content.decode() and "1 / 2+" in text.content.decode()
    pages = [listed(world.dispatcher, view="all", sort="number", page=n) for n in "123"]
    assert pages == [made[:2], made[2:4], made[2:4]]  # past the last page: the last page
    short = listed(world.dispatcher, view="all", sort="-number", status="filed", number=made[0])
    assert short == [made[0]]


@pytest.mark.parametrize("view", ["waiting", "all", "overdue", "to_dispatch"])
def test_a_list_asks_the_database_as_often_for_3_cases_as_for_40(world: World, view: str) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("case_list"), {"view": view, "light": "red", "sort": "due"})
        return len(captured)

    client = client_for(world.dispatcher)
    for _ in range(3):
        dispatched(world), filed(world)
    few = queries()
    for _ in range(20):
        dispatched(world), filed(world)
    assert queries() == few


def read_csv(response: object) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_an_export_holds_what_is_filtered_and_is_recorded(world: World) -> None:
    public = public_report(world)
    filed(world)
    client = client_for(world.acceptor)
    response = client.get(
        reverse("case_export", kwargs={"file_format": "csv"}), {"view": "all", "channel": "app"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    heading, *rows = read_csv(response)
    assert heading[0] == "案卷编号" and len(rows) == 1 and rows[0][0] == public.number
    assert "13812345678" not in str(rows) and "张三丰" not in str(rows)  # contacts never leave
    record = CaseExport.objects.get()
    assert (record.user, record.role, record.format, record.rows) == (
        world.acceptor,
        "acceptor",
        "csv",
        1,
    )
    assert record.filters["channel"] == "app"


def test_an_xlsx_export_is_a_workbook_of_the_filtered_rows(world: World) -> None:
    made = {filed(world).number for _ in range(2)}
    response = client_for(world.dispatcher).get(
        reverse("case_export", kwargs={"file_format": "xlsx"}), {"view": "all"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "案卷编号" and {row[0] for row in rows[1:]} == made
    assert CaseExport.objects.get().rows == 2


def test_a_unit_exports_only_its_own_cases(world: World) -> None:
    own = dispatched(world)
    dispatched(world, unit=world.org.department_b)
    response = client_for(world.handler_a).get(
        reverse("case_export", kwargs={"file_format": "csv"}), {"view": "all"}
    )
    assert [row[0] for row in read_csv(response)[1:]] == [own.number]


def test_a_refused_export_says_why_and_records_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(2):
        reported(world)
    client = client_for(world.acceptor)
    url = reverse("case_export", kwargs={"file_format": "csv"})
    monkeypatch.setattr(export_module, "EXPORT_MAX", 1)
    too_many = client.get(url, {"view": "all"}, follow=True)
    assert "请缩小筛选范围后再导出" in too_many.content.decode()
    bad = client.get(url, {"view": "all", "since": "yesterday"}, follow=True)
    assert "请先更正筛选条件再导出" in bad.content.decode()
    assert client.get(reverse("case_export", kwargs={"file_format": "pdf"})).status_code == 404
    assert not CaseExport.objects.exists()


def test_a_unit_filtering_its_own_unit_sees_what_it_leads_and_another_only_co_handled(
    world: World,
) -> None:
    ours = dispatched(world, unit=world.org.department_a).number
    theirs = dispatched(world, where=EAST, unit=world.org.department_b).number
    shared = filed(world, where=EAST)
    wf.dispatch_case(
        shared, actor=world.actors.dispatcher, unit=world.org.department_b,
        co_units=[world.org.department_a], reason="协同",
    )  # fmt: skip
    a, b = str(world.org.department_a.pk), str(world.org.department_b.pk)
    for view in ("all", ""):  # everything it may see, and what waits for it
        assert ours in listed(world.handler_a, view=view, unit=a)
        assert theirs not in listed(world.handler_a, view=view, unit=a)
    assert listed(world.handler_a, view="all", unit=b) == [shared.number]
    assert sorted(listed(world.handler_b, view="all", unit=b)) == sorted([theirs, shared.number])
    assert listed(world.handler_b, view="all", unit=a) == []
