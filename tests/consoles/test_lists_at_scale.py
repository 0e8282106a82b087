"""Every list asks the database as often with 10,000 cases as with a handful (a list longer than
the count cap, one query more for its page's ids): the cases are bulk-copied from ones made
through the workflow, then each post's lists are read again."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from consoles.queues import QUEUES
from tests.cases.conftest import World
from tests.cases.making import dispatched, filed, handling, reported
from tests.consoles.test_case_pages import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]

COPIES = 10_000


def copy_cases(count: int) -> None:
    """`count` more cases (a multiple of those there are), copies of them (same place, unit and
    deadlines), made by the database in one INSERT … SELECT: bulk_create fits 16 cases in
    SQLite's 999 parameters and spent 5 s building 600 statements."""
    originals = Case.objects.count()
    assert count % originals == 0
    columns = [
        str(f.column)
        for f in Case._meta.concrete_fields
        if f.column not in ("id", "number", "request_id")
    ]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(Case._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE copy(n) AS (
                SELECT 0 UNION ALL SELECT n + 1 FROM copy WHERE n + 1 < %s
            )
            INSERT INTO {table} (number, {names})
            SELECT 'C' || CAST(copy.n * %s + original.rank AS TEXT), {names}
            FROM copy CROSS JOIN (
                SELECT *, ROW_NUMBER() OVER (ORDER BY id) AS rank FROM {table}
            ) AS original""",
            [count // originals, originals],
        )


def pages_of(world: World) -> list[tuple[User, str, dict[str, str]]]:
    """(user, page, parameters): every post's desk, its live part, inbox and each view of
    its case list; the overdue board."""
    posts = {
        "acceptor": world.acceptor,
        "shift_leader": world.shift_leader,
        "dispatcher": world.dispatcher,
        "handler": world.handler_a,
        "leader": world.leader,
    }
    pages: list[tuple[User, str, dict[str, str]]] = []
    for role, user in posts.items():
        pages.append((user, reverse("workspace", kwargs={"role": role}), {}))
        pages.append((user, reverse("workspace_live", kwargs={"role": role}), {}))
        pages.append((user, reverse("inbox"), {}))
        views = ["", "all", "overdue", *(queue.key for queue in QUEUES[role])]
        for view in views:
            pages.append((user, reverse("case_list"), {"view": view}))
        filtered = {"view": "all", "light": "red", "status": "dispatched", "sort": "number"}
        pages.append((user, reverse("case_list"), filtered))
    pages += [
        (world.dispatcher, reverse("overdue_board"), {}),
        (world.leader, reverse("overdue_board"), {}),
    ]
    return pages


def test_no_list_asks_more_often_for_10000_cases_than_for_4(world: World) -> None:
    reported(world), filed(world), dispatched(world), handling(world)
    pages = pages_of(world)
    clients: dict[User, Client] = {}

    def queries_of(user: User, url: str, params: dict[str, str]) -> int:
        client = clients.setdefault(user, client_for(user))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    def count() -> list[int]:
        return [queries_of(*page) for page in pages]

    count()  # the first visit of each post also starts its session
    few = count()
    copy_cases(COPIES)
    assert Case.objects.count() == COPIES + 4
    many = count()
    for (user, url, params), before, after in zip(pages, few, many, strict=True):
        # A list longer than the count cap reads its page's ids along an index: one query more.
        allowed = (0, 1) if url == reverse("case_list") else (0,)
        assert after - before in allowed, (user, url, params, before, after)
    assert many != few  # some lists are longer than the cap
