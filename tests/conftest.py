"""Shared fixtures: a fast password hasher and the named personas of STYLE.md."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core import serializers
from django.db import connection, transaction
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.db.models import Model
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from simple_history.utils import bulk_create_with_history

from org.models import Membership, Person, Unit, UnitKind
from org.roles import Role, Scope

PASSWORD = "correct-horse-battery"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Few examples for a quick local loop; CI (.ci/run sets HYPOTHESIS_PROFILE=ci) tries more.
# Loaded here, before the test modules, whose @settings take unset values from the profile.
hypothesis_settings.register_profile("dev", max_examples=20)
hypothesis_settings.register_profile("ci", max_examples=100, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "dev")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heavy modules first (pytest-xdist hands out modules in this order: one left for last
    keeps one worker busy while the other idles). Every transactional test declares
    serialized_rollback=True (see restore_after_flush)."""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)
    missing = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db"))
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if missing:
        raise pytest.UsageError(
            "transactional tests need django_db(transaction=True, serialized_rollback=True): "
            + ", ".join(missing)
        )


def is_serialized_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        marker and marker.kwargs.get("transaction") and marker.kwargs.get("serialized_rollback")
    )


_db_blocker: Any = None
_flushed = False  # a transactional test has emptied the database since it was last reloaded


@pytest.fixture(autouse=True)
def _note_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[None]:
    global _db_blocker, _flushed
    _db_blocker = django_db_blocker
    transactional = is_serialized_transactional(request.node)
    if transactional:
        request.getfixturevalue("transactional_db")  # its teardown empties the database
    yield
    if transactional:
        _flushed = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Reloaded before the next test rather than after this one: after the last test of a
    # worker the test database is gone (on PostgreSQL the connection would reopen on the
    # database DATABASE_URL names). A transactional test reloads it itself.
    global _flushed
    if _flushed and not is_serialized_transactional(item):
        restore_after_flush()
        _flushed = False


def restore_after_flush() -> None:
    """A transactional test ends by emptying the database, the migrations' data (calendar,
    stage limits, content types) included; Django reloads it only when the next such test
    starts. pytest-xdist may run other tests in between on the same worker, so it is
    reloaded for them."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    reloaded = False
    with _db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
                reloaded = True
            if connection.vendor == "postgresql":  # a flush leaves them: numbering restarts
                drop_case_number_sequences(connection)
    # Silently leaving the database empty would only show as odd failures in later tests.
    assert reloaded, "no connection holds the test database's serialized data"
    ContentType.objects.clear_cache()


def deserialize_in_bulk(creation: BaseDatabaseCreation, data: str) -> None:
    """The migrations' data back after a flush, one INSERT per table. Django saves each of its
    1,700 rows with an UPDATE and an INSERT (a second on PostgreSQL), before every transactional
    test. Rows still there (no flush since) are left as they are."""
    alias = creation.connection.alias
    rows: defaultdict[type[Model], list[Model]] = defaultdict(list)
    with transaction.atomic(using=alias), creation.connection.constraint_checks_disabled():
        for found in serializers.deserialize("json", data, using=alias):
            if found.m2m_data:
                found.save()  # none today; kept for a migration that adds one
            else:
                rows[type(found.object)].append(found.object)
        for model, objects in rows.items():
            model._base_manager.using(alias).bulk_create(objects, ignore_conflicts=True)
    creation.connection.check_constraints(table_names=[m._meta.db_table for m in rows])


BaseDatabaseCreation.deserialize_db_from_string = deserialize_in_bulk  # type: ignore[method-assign,assignment]


_truncate = PostgresOperations.sql_flush


def flush_filled_tables(
    ops: PostgresOperations,
    style: Any,
    tables: list[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    """PostgreSQL's TRUNCATE costs a few milliseconds a table, filled or empty: a transactional
    test's flush (0.2 s for all 74) empties only the tables with rows, and by CASCADE those
    that refer to them."""
    if not tables:
        return []
    probes = [
        f"SELECT {n} WHERE EXISTS (SELECT 1 FROM {ops.quote_name(t)})" for n, t in enumerate(tables)
    ]
    with ops.connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(probes))
        filled = [tables[n] for (n,) in cursor.fetchall()]
    return _truncate(ops, style, filled, reset_sequences=reset_sequences, allow_cascade=True)


PostgresOperations.sql_flush = flush_filled_tables  # type: ignore[method-assign,assignment]


def drop_case_number_sequences(connection: Any) -> None:
    """The yearly case-number sequences (cases/reporting.py) of a flushed database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname ~ %s",
            [r"^cases_number_\d{4}$"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP SEQUENCE {name}")


@contextmanager
def rolled_back_at_the_end(django_db_blocker: Any) -> Iterator[None]:
    """For module-scoped data: what is stored inside stays for the module's tests (each runs
    in a savepoint of this transaction) and is rolled back when the module is done. Only for
    modules without transactional tests, whose flush would empty the database under it."""
    # Module fixtures come before the tests' autouse ones, whose setup is repeated here (the
    # demo caches its password hash, made with whichever hasher is set at the time).
    forget_cached_territory()
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        try:
            yield
        finally:
            transaction.set_rollback(True)


def settled[T](loaded: T) -> T:
    """A module's data checked against its deferred constraints once, now: PostgreSQL would
    otherwise check every row of the module's transaction again at each test's teardown (5 s
    a test after the demo district)."""
    connection.check_constraints()
    return loaded


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@dataclass
class Org:
    center: Unit
    department_a: Unit
    department_b: Unit
    team_a: Unit
    street: Unit
    other_street: Unit


@pytest.fixture
def org(db: None) -> Org:
    center = Unit.objects.create(code="C00", name="监督指挥中心", kind=UnitKind.CENTER)
    department_a = Unit.objects.create(code="DA", name="区市政所", kind=UnitKind.DEPARTMENT)
    department_b = Unit.objects.create(code="DB", name="区环卫站", kind=UnitKind.DEPARTMENT)
    team_a = Unit.objects.create(
        code="DAT", name="区市政所处置队", kind=UnitKind.TEAM, parent=department_a
    )
    street = Unit.objects.create(code="S01", name="翠湖街道", kind=UnitKind.STREET)
    other_street = Unit.objects.create(code="S02", name="文昌街道", kind=UnitKind.STREET)
    return Org(center, department_a, department_b, team_a, street, other_street)


def make_person(username: str, role: str | None, unit: Unit, scope: str | None = None) -> User:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    person = Person.objects.create(user=user, name=username, unit=unit)
    if role is not None:
        Membership.objects.create(person=person, role=role, unit=unit, scope=scope or Scope.UNIT)
    return user


def make_people(posts: Sequence[tuple[str, str, Unit, str]]) -> list[User]:
    """make_person for each (username, role, unit, scope) in four statements (users, people,
    memberships, the memberships' history) instead of four a person: most tests start with
    ten people."""
    password = make_password(PASSWORD)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=name, password=password) for name, *_ in posts]
    )
    people = Person.objects.bulk_create(
        [
            Person(user=user, name=user.username, unit=unit)
            for user, (_, _, unit, _) in zip(users, posts, strict=True)
        ]
    )
    memberships = [
        Membership(person=person, role=role, unit=unit, scope=scope)
        for person, (_, role, unit, scope) in zip(people, posts, strict=True)
    ]
    for membership in memberships:
        membership.clean()  # what Membership.save checks
    bulk_create_with_history(memberships, Membership)
    return users


@pytest.fixture
def inspector(org: Org) -> User:
    return make_person("inspector", Role.INSPECTOR, org.center, Scope.DISTRICT)


@pytest.fixture
def dispatcher(org: Org) -> User:
    return make_person("dispatcher", Role.DISPATCHER, org.center, Scope.DISTRICT)


@pytest.fixture
def handler_a(org: Org) -> User:
    return make_person("handler_a", Role.HANDLER, org.department_a, Scope.UNIT)


@pytest.fixture
def handler_b(org: Org) -> User:
    return make_person("handler_b", Role.HANDLER, org.department_b, Scope.UNIT)


@pytest.fixture
def outsider(org: Org) -> User:
    return make_person("outsider", None, org.department_b)


def forget_cached_territory() -> None:
    # Each test database starts again at revision 1, so a cached index could look current.
    from cases.deadlines import forget_calendar
    from catalog.lookup import forget_types
    from geo.gazetteer import forget_gazetteer
    from geo.lookup import forget_index
    from geo.map_layers import forget_map_layers

    forget_index()
    forget_map_layers()
    forget_gazetteer()
    forget_calendar()  # likewise for the working calendar, cached per process
    forget_types()


@pytest.fixture(autouse=True)
def _fresh_territory_index() -> None:
    forget_cached_territory()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request in English leaves English active in the thread (LocaleMiddleware activates a
    # language per request and never resets it), which later tests in the worker would see.
    yield
    translation.activate(settings.LANGUAGE_CODE)
