"""上报: a new case from any channel, placed once, numbered, and idempotent on the client's
request id. Report intake is the platform's busiest write (DESIGN.md §8: ≥ 500 reports/s), so
this path reads nothing it can keep per process and writes a case and its first event in one
short transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from typing import Any

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
from django.utils.translation import gettext as _
from shapely import Point

from cases import deadlines
from cases.models import DESCRIPTION_MAX, Case, CaseNumber, Channel, Status
from cases.steps import clean_text, new_event
from catalog.models import CaseType
from components.models import Component
from geo.lookup import Placement, place
from org.access import Actor, ActorKind, Refusal
from org.roles import Role

CENTER = frozenset({Role.ACCEPTOR, Role.SHIFT_LEADER})  # the center records any channel
REPORTERS: dict[str, frozenset[str]] = {
    Channel.INSPECTOR: frozenset({Role.INSPECTOR}),
    Channel.HOTLINE: CENTER,
    Channel.WEB: CENTER | {ActorKind.PUBLIC},
    Channel.APP: CENTER | {ActorKind.PUBLIC},
    Channel.POLICE: CENTER | {ActorKind.PARTNER},
    Channel.CAMERA: CENTER | {ActorKind.PARTNER},
    Channel.OPEN311: CENTER | {ActorKind.PARTNER, ActorKind.PUBLIC},
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
    now: datetime | None = None,
) -> Case:
    """A new case in `reported`. A retry with the same `request_id` and the same content returns
    the first case; the same id with other content is refused with the first case's number."""
    if channel not in REPORTERS:
        raise Refusal("unknown_channel", _("Unknown channel %(c)s.") % {"c": channel})
    if actor.role not in REPORTERS[channel]:
        raise Refusal("wrong_role", _("Your post cannot report through this channel."), 403)
    description = clean_text(description, limit=DESCRIPTION_MAX)
    if not description:
        raise Refusal("description_required", _("Describe the problem."))
    case_type = _type_of(case_type, component)
    texts = [
        clean_text(text, limit=n)
        for text, n in ((address, 200), (contact_name, 50), (contact_phone, 30))
    ]
    digest = _digest(channel, description, lon, lat, crs, case_type, component, texts, is_urgent)
    request_id = clean_text(request_id, limit=64) if request_id else None
    if request_id:  # a retry: answered before it takes a case number
        earlier = _earlier(request_id, actor, digest)
        if earlier is not None:
            return earlier
    placement = place(lon, lat, crs)
    now = now or timezone.now()
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
    )
    _place(case, placement)
    deadlines.start_step(case, now)
    try:
        with transaction.atomic():
            case.number = _next_number(now)  # late: the counter's row is locked till commit
            event = new_event(case, "report", actor, "", now, "", {"crs": crs})
            insert_row(case)
            event.case = case
            insert_row(event)
    except IntegrityError:
        # Another request with the same id won the race: that one is the report.
        earlier = _earlier(request_id, actor, digest) if request_id else None
        if earlier is None:
            raise
        return earlier
    return case


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
    ]
    return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()


def _earlier(request_id: str, actor: Actor, digest: str) -> Case | None:
    """The case an earlier request with this id made, if it made the same report. One narrow
    query: it runs for every report, and almost always finds nothing."""
    table = connection.ops.quote_name(Case._meta.db_table)
    sql = f"SELECT id, reporter_id, request_digest, number FROM {table} WHERE request_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [request_id])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, reporter_id, request_digest, number = row
    if reporter_id != (actor.user.pk if actor.user else None):
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


def insert_row(row: models.Model) -> None:
    """INSERT a new row as Model.save does, but from SQL made once per model and set of
    columns: building the query costs more than running it, and intake writes two rows per
    report. Empty nullable columns are left to the database (NULL), which keeps a new case's
    statement short enough for psycopg to cache its parsing."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-thread proxy
    fields, params = [], []
    for field in _insertable(type(row)):
        value = field.get_db_prep_save(field.pre_save(row, True), db)
        if value is not None or not field.null:
            fields.append(field)
            params.append(value)
    with db.cursor() as cursor:
        cursor.execute(_insert_sql(type(row), tuple(fields)), params)
        row.pk = cursor.fetchone()[0]
    row._state.adding, row._state.db = False, db.alias


@cache
def _insertable(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@cache
def _insert_sql(model: type[models.Model], fields: tuple[models.Field[Any, Any], ...]) -> str:
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    assert meta.pk is not None and meta.pk.column is not None
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    return f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {pk}"


def _place(case: Case, placement: Placement) -> None:
    case.point = Point(placement.lon, placement.lat)
    case.grid_id = placement.grid_id
    case.community_id = placement.community_id
    case.street = placement.street
    case.territory_unit_id = placement.territory_unit_id
    case.near_boundary = placement.near_boundary


def _next_number(now: datetime) -> str:
    """Year + a six-digit number counting the year's reports, unique under concurrency."""
    year = timezone.localtime(now).year
    serial = _from_sequence(year) if connection.vendor == "postgresql" else _from_counter(year)
    return f"{year}{serial:06d}"


def _from_counter(year: int) -> int:
    """One UPDATE … RETURNING on the year's counter row, which stays locked until the report
    commits: gapless. SQLite writes one transaction at a time anyway."""
    table = connection.ops.quote_name(CaseNumber._meta.db_table)
    sql = f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last"
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
        if row is None:  # the year's first report
            CaseNumber.objects.bulk_create([CaseNumber(year=year)], ignore_conflicts=True)
            cursor.execute(sql, [year])
            row = cursor.fetchone()
    return int(row[0])


def _from_sequence(year: int) -> int:
    """nextval of the year's sequence on PostgreSQL. A counter row locked until commit would
    hold every other report back for the length of a WAL flush (a few hundred reports a
    second at most); a sequence holds nobody. The price: a number taken by a report that then
    fails is not given again (a retry never takes one: its request id is checked first)."""
    name = f"cases_number_{year}"
    sql = "SELECT nextval(to_regclass(%s))"  # NULL while the sequence does not exist
    with connection.cursor() as cursor:
        cursor.execute(sql, [name])
        serial = cursor.fetchone()[0]
        if serial is None:  # the year's first report: go on from any number given already
            _create_sequence(cursor, name, year)
            cursor.execute(sql, [name])
            serial = cursor.fetchone()[0]
    return int(serial)


def _create_sequence(cursor: CursorWrapper, name: str, year: int) -> None:
    counter = CaseNumber.objects.filter(year=year).values_list("last", flat=True).first() or 0
    numbers = Case.objects.filter(number__startswith=str(year)).values_list("number", flat=True)
    newest = max((int(number[4:]) for number in numbers.order_by("-number")[:1]), default=0)
    try:
        with transaction.atomic():  # another process may create it at the same moment
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START {max(counter, newest) + 1}")
    except IntegrityError:
        pass
