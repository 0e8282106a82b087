"""上报: a new case from any channel, placed once, numbered, and idempotent on the client's
request id. Report intake is the platform's busiest write (DESIGN.md §8: ≥ 500 reports/s), so
this path reads nothing it can keep per process, and writes a case and its first event in one
statement (PostgreSQL) or one short transaction (SQLite).
"""

from __future__ import annotations

import hashlib
import json
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from shapely import Point

from cases import component_status, deadlines
from cases.models import DESCRIPTION_MAX, Case, CaseEvent, CaseNumber, Channel, Status
from cases.steps import clean_text, new_event
from catalog.models import CaseType
from components.models import Component
from geo.lookup import Placement, place
from lib.coords import distance_m
from org.access import Actor, ActorKind, Refusal
from org.roles import CENTER_DESKS, Role

CENTER = CENTER_DESKS  # the center records any channel
OBSERVED_CLOCK_DRIFT = timedelta(minutes=5)
REPORTERS: dict[str, frozenset[str]] = {
    Channel.INSPECTOR: frozenset({Role.INSPECTOR}),
    Channel.HOTLINE: CENTER,
    Channel.WEB: CENTER | {ActorKind.PUBLIC},
    Channel.APP: CENTER | {ActorKind.PUBLIC},
    Channel.POLICE: CENTER | {ActorKind.PARTNER},
    Channel.CAMERA: CENTER | {ActorKind.PARTNER},
    Channel.OPEN311: CENTER | {ActorKind.PARTNER, ActorKind.PUBLIC},
    Channel.CITY: CENTER | {ActorKind.PARTNER},
    Channel.LEADER: frozenset({Role.LEADER, Role.ACCEPTOR}),
}


def report_case(
    *,
    actor: Actor,
    channel: str,
    description: str,
    lon: float,
    lat: float,
    crs: str = "wgs84",
    case_type: CaseType | None = None,
    component: Component | None = None,
    address: str = "",
    request_id: str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    is_urgent: bool = False,
    observed_at: datetime | None = None,
    now: datetime | None = None,
) -> Case:
    """A new case in `reported`. A retry with the same `request_id` and the same content returns
    the first case; the same id with other content is refused with the first case's number.
    `observed_at` is when the reporter saw the problem, if a device kept it while offline."""
    if channel not in REPORTERS:
        raise Refusal("unknown_channel", _("Unknown channel %(c)s.") % {"c": channel})
    if actor.role not in REPORTERS[channel]:
        raise Refusal("wrong_role", _("Your post cannot report through this channel."), 403)
    now = now or timezone.now()
    observed_at = check_observed(observed_at, now)
    description = clean_text(description, limit=DESCRIPTION_MAX)
    if not description:
        raise Refusal("description_required", _("Describe the problem."))
    case_type = _type_of(case_type, component)
    texts = [
        clean_text(text, limit=n)
        for text, n in ((address, 200), (contact_name, 50), (contact_phone, 30))
    ]
    digest = _digest(
        channel, description, lon, lat, crs, case_type, component, texts, is_urgent, observed_at
    )
    request_id = clean_text(request_id, limit=64) if request_id else None
    if request_id and connection.vendor != "postgresql":  # a retry: answered before numbering
        earlier = _earlier(request_id, actor, channel, digest)
        if earlier is not None:
            return earlier
    placement = place(lon, lat, crs)
    _check_near(component, placement)
    case = Case(
        request_id=request_id or None,
        request_digest=digest,
        channel=channel,
        status=Status.REPORTED,
        case_type=case_type,
        component=component,
        description=description,
        address=texts[0],
        reporter=actor.user,
        contact_name=texts[1],
        contact_phone=texts[2],
        is_urgent=is_urgent,
        created_at=now,
        observed_at=observed_at,
    )
    _place(case, placement)
    deadlines.start_step(case, now)
    try:
        said = {"crs": crs} | ({"observed_at": observed_at.isoformat()} if observed_at else {})
        return _store_holding(case, actor, digest, said, now)
    except IntegrityError:
        # Another request with the same id won the race: that one is the report.
        earlier = _earlier(request_id, actor, channel, digest) if request_id else None
        if earlier is None:
            raise
        return earlier


def check_observed(observed_at: datetime | None, now: datetime) -> datetime | None:
    """A device's time of observation, within bounds: not ahead of the server's clock by more
    than a phone's drift, and not older than OBSERVED_MAX_AGE_HOURS (a queue kept offline)."""
    if observed_at is None:
        return None
    if timezone.is_naive(observed_at):
        observed_at = timezone.make_aware(observed_at)
    if observed_at > now + OBSERVED_CLOCK_DRIFT:
        raise Refusal("observed_in_future", _("The time of observation lies in the future."))
    if observed_at < now - timedelta(hours=settings.OBSERVED_MAX_AGE_HOURS):
        raise Refusal(
            "observed_too_old",
            _("The time of observation is more than %(hours)d hours ago.")
            % {"hours": settings.OBSERVED_MAX_AGE_HOURS},
        )
    return observed_at


def _check_near(component: Component | None, placement: Placement) -> None:
    """A component named far from the reported place is another one, or a mistyped
    identifier: refused before anything is stored."""
    if component is None:
        return
    limit = settings.COMPONENT_MAX_DISTANCE_METRES
    metres = distance_m(component.point.x, component.point.y, placement.lon, placement.lat)
    if metres > limit:
        raise Refusal(
            "component_too_far",
            _(
                "Component %(component)s stands %(metres)s m from the reported position: "
                "at most %(limit)s m is accepted. Check the identifier or the position."
            )
            % {"component": component.identifier, "metres": f"{metres:,.0f}", "limit": limit},
        )


def _store_holding(
    case: Case, actor: Actor, digest: str, data: dict[str, Any], now: datetime
) -> Case:
    """Store the case; a new case on a component marks the component damaged in the same
    transaction (cases/component_status.py). A report without one takes no extra step."""
    if case.component_id is None:
        return _store(case, actor, digest, data, now)
    with transaction.atomic():
        stored = _store(case, actor, digest, data, now)
        if stored is case:  # not a retry answered with the earlier case
            component_status.follow(case, False, actor, "report", now)
    return stored


def _store(case: Case, actor: Actor, digest: str, data: dict[str, Any], now: datetime) -> Case:
    """Number the case and write it with its first event: the earlier case instead when its
    request id was seen before. PostgreSQL does it in two statements and no transaction of
    their own (a number from a sequence, then one statement writing both rows); SQLite takes
    the year's counter and writes the rows in one transaction."""
    year = _year(case.created_at)
    if connection.vendor != "postgresql":
        with transaction.atomic():
            case.number = _numbered(year, _from_counter(year))
            _insert_case_and_event(case, new_event(case, "report", actor, "", now, "", data))
        return case
    with _savepoint_if_nested():
        earlier, serial = _claim(case.request_id, year)
        if earlier is not None:
            return _judge(earlier, actor, case.channel, digest)
        case.number = _numbered(year, serial)
        _insert_case_and_event(case, new_event(case, "report", actor, "", now, "", data))
    return case


def _savepoint_if_nested() -> AbstractContextManager[object]:
    """A savepoint inside a caller's transaction, so that a lost race can still be read;
    nothing otherwise, since each statement of `_store` stands alone."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def _type_of(case_type: CaseType | None, component: Component | None) -> CaseType | None:
    """The type reported: the component's when a component is named (they must agree)."""
    if component is None:
        return case_type
    if case_type is not None and case_type.pk != component.case_type_id:
        raise Refusal(
            "type_component_mismatch",
            _("Component %(component)s is a %(its)s, not a %(type)s.")
            % {
                "component": component.identifier,
                "its": component.case_type.name,
                "type": case_type.name,
            },
        )
    return component.case_type


def _digest(
    channel: str,
    description: str,
    lon: float,
    lat: float,
    crs: str,
    case_type: CaseType | None,
    component: Component | None,
    texts: list[str],
    is_urgent: bool,
    observed_at: datetime | None,
) -> str:
    """What the report says, so that a retry can be told from a new report reusing an id."""
    said = [
        channel,
        description,
        round(float(lon), 7),
        round(float(lat), 7),
        crs,
        case_type.pk if case_type else None,
        component.pk if component else None,
        texts,
        is_urgent,
        observed_at.isoformat() if observed_at else None,
    ]
    return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()


def server_request_id(namespace: str, said: str) -> str:
    """A request id a channel derives from what a client said (a partner's incident id), keyed
    with the server's secret: nobody else can compute it, so no other client can take it
    first. The namespace keeps channels apart."""
    return f"{namespace}-{salted_hmac(namespace, said, algorithm='sha256').hexdigest()[:48]}"


type Earlier = tuple[int, int | None, str, str, str]  # id, reporter, channel, digest, number


def _earlier(request_id: str, actor: Actor, channel: str, digest: str) -> Case | None:
    """The case an earlier request with this id made, if it made the same report. One narrow
    query: it runs for every report, and almost always finds nothing."""
    sql = (
        f"SELECT id, reporter_id, channel, request_digest, number FROM {_table(Case)}"
        " WHERE request_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [request_id])
        row = cursor.fetchone()
    return None if row is None else _judge(row, actor, channel, digest)


def _judge(earlier: Earlier, actor: Actor, channel: str, digest: str) -> Case:
    """The earlier case when the same reporter sent the same report through the same channel
    (the public and partners have no account: the channel tells them apart); refused
    otherwise."""
    pk, reporter_id, earlier_channel, request_digest, number = earlier
    if reporter_id != (actor.user.pk if actor.user else None) or earlier_channel != channel:
        raise Refusal(
            "request_id_taken", _("This request id was already used by someone else."), 409
        )
    if request_digest and request_digest != digest:
        raise Refusal(
            "request_id_reused",
            _(
                "This request id was already used for case %(number)s, which says something "
                "else: send a new request id for a new report."
            )
            % {"number": number},
            409,
            case=number,
        )
    return Case.objects.select_related("case_type", "street", "responsible_unit").get(pk=pk)


def _claim(request_id: str | None, year: int) -> tuple[Earlier | None, int]:
    """PostgreSQL: the earlier case with this request id, or else the next number of the
    year's sequence, in one query. A retry takes no number. A sequence holds no report back,
    where a counter row locked until commit would make each wait for the last one's WAL
    flush; the price is that a number taken by a report that then fails is not given again."""
    name = f"cases_number_{year}"
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [name, request_id])
        *earlier, serial = cursor.fetchone()
        if earlier[0] is None and serial is None:  # the year's first report
            _create_sequence(cursor, name, year)
            cursor.execute(_claim_sql(), [name, request_id])
            *earlier, serial = cursor.fetchone()
    return (None, int(serial)) if earlier[0] is None else (tuple(earlier), 0)


@cache
def _claim_sql() -> str:
    # nextval(NULL) is NULL while the year's sequence does not exist.
    return (
        "SELECT e.id, e.reporter_id, e.channel, e.request_digest, e.number,"
        " CASE WHEN e.id IS NULL THEN nextval(to_regclass(%s)) END"
        f" FROM (SELECT 1) AS one LEFT JOIN {_table(Case)} AS e ON e.request_id = %s"
    )


def _create_sequence(cursor: CursorWrapper, name: str, year: int) -> None:
    """Go on from any number given already (by the counter before, or restored cases)."""
    counter = CaseNumber.objects.filter(year=year).values_list("last", flat=True).first() or 0
    numbers = Case.objects.filter(number__startswith=str(year)).values_list("number", flat=True)
    newest = max((int(number[4:]) for number in numbers.order_by("-number")[:1]), default=0)
    try:
        with transaction.atomic():  # another process may create it at the same moment
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START {max(counter, newest) + 1}")
    except IntegrityError:
        pass


def _from_counter(year: int) -> int:
    """SQLite: one UPDATE … RETURNING on the year's counter row, which stays locked until the
    report commits: gapless. SQLite writes one transaction at a time anyway."""
    sql = f"UPDATE {_table(CaseNumber)} SET last = last + 1 WHERE year = %s RETURNING last"
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
        if row is None:  # the year's first report
            CaseNumber.objects.bulk_create([CaseNumber(year=year)], ignore_conflicts=True)
            cursor.execute(sql, [year])
            row = cursor.fetchone()
    return int(row[0])


def _year(now: datetime) -> int:
    return timezone.localtime(now).year


def _numbered(year: int, serial: int) -> str:
    """Year + a six-digit number counting the year's reports."""
    return f"{year}{serial:06d}"


def _insert_case_and_event(case: Case, event: CaseEvent) -> None:
    """INSERT both rows as Model.save would, from SQL made once per set of columns: building
    a query costs more than running it, and intake writes these two rows for every report.
    PostgreSQL writes both in one statement (a data-modifying WITH). Empty nullable columns
    are left to the database (NULL), which keeps the statements few enough to stay prepared."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-thread proxy
    case_fields, case_params = _values(case, db)
    event_fields, event_params = _values(event, db)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(_pair_sql(case_fields, event_fields), case_params + event_params)
            case.pk, event.pk = cursor.fetchone()
        else:  # SQLite has no INSERT within WITH
            cursor.execute(_insert_sql(Case, case_fields), case_params)
            case.pk = cursor.fetchone()[0]
            cursor.execute(_insert_sql(CaseEvent, event_fields), [case.pk, *event_params])
            event.pk = cursor.fetchone()[0]
    event.case = case
    for row in (case, event):
        row._state.adding, row._state.db = False, db.alias


type Fields = tuple[models.Field[Any, Any], ...]


def _values(row: models.Model, db: Any) -> tuple[Fields, list[Any]]:
    fields, params = [], []
    for field in _insertable(type(row)):
        value = field.get_db_prep_save(field.pre_save(row, True), db)
        if value is not None or not field.null:
            fields.append(field)
            params.append(value)
    return tuple(fields), params


@cache
def _insertable(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Every column but the id, and an event's case (known only once the case is written)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "case"]


@cache
def _insert_sql(model: type[models.Model], fields: Fields) -> str:
    """One row's INSERT; an event's starts with its case."""
    columns, values = _columns(fields), ", ".join(["%s"] * len(fields))
    if model is CaseEvent:
        columns, values = f"{_case_column()}, {columns}", f"%s, {values}"
    return f"INSERT INTO {_table(model)} ({columns}) VALUES ({values}) RETURNING id"


@cache
def _pair_sql(case_fields: Fields, event_fields: Fields) -> str:
    """A case and its first event in one statement (PostgreSQL)."""
    case_values = ", ".join(["%s"] * len(case_fields))
    event_values = ", ".join(["%s"] * len(event_fields))
    return (
        f"WITH new_case AS (INSERT INTO {_table(Case)} ({_columns(case_fields)})"
        f" VALUES ({case_values}) RETURNING id)"
        f" INSERT INTO {_table(CaseEvent)} ({_case_column()}, {_columns(event_fields)})"
        f" VALUES ((SELECT id FROM new_case), {event_values}) RETURNING {_case_column()}, id"
    )


def _columns(fields: Fields) -> str:
    return ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)


def _case_column() -> str:
    return connection.ops.quote_name(str(CaseEvent._meta.get_field("case").column))


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _place(case: Case, placement: Placement) -> None:
    case.point = Point(placement.lon, placement.lat)
    case.grid_id = placement.grid_id
    case.community_id = placement.community_id
    case.street = placement.street
    case.territory_unit_id = placement.territory_unit_id
    case.near_boundary = placement.near_boundary
