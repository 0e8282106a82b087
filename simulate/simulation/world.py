"""The district the simulation runs in, read once from the database: unit grids and where
they are, the beats inspectors patrol (责任网格), the types of problem and their filing
conditions, the components, and the people who act (each through org.access.Actor)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.contrib.auth.models import User
from django.db.models import QuerySet

from catalog.models import CaseType, FilingCondition, TypeKind
from components.models import Component, ComponentStatus
from geo.models import InspectorArea, UnitGrid
from org.access import Actor
from org.models import HANDLING_KINDS, Membership, Person, Unit
from org.roles import Role

# How many types of problem the district sees: a few common ones make most of the work.
TYPE_COUNT = 30


@dataclass
class Grid:
    pk: int
    code: str
    polygon: shapely.Polygon
    street: int  # the index of its street, for beats when there are no inspector areas
    point: tuple[float, float]  # where an inspector walking through it is seen


@dataclass
class ProblemType:
    case_type: CaseType
    condition: FilingCondition
    is_component: bool
    weight: float  # how common
    hours: float  # median handling hours at handling_hours = 1 (type-specific)


@dataclass
class Cast:
    """The posts that act on cases; inspectors in the order the beats are dealt out."""

    acceptor: Actor
    shift_leader: Actor
    dispatcher: Actor
    leader: Actor
    inspectors: list[Actor]
    terminals: dict[int, Actor]  # a handling unit's duty terminal (处置终端), by unit id


@dataclass
class World:
    grids: list[Grid]
    beats: list[list[int]]  # grid indexes of each inspector area
    types: list[ProblemType]
    # Intact components (pk, lon, lat) by (grid index, type index).
    components: dict[tuple[int, int], list[tuple[int, float, float]]] = field(default_factory=dict)
    cast: Cast | None = None

    @property
    def people(self) -> Cast:
        assert self.cast is not None
        return self.cast


def load_world(rng: np.random.Generator) -> World:
    grids = _grids()
    if not grids:
        raise RuntimeError("no unit grids: load a territory first (manage.py load_demo)")
    types = _types(rng)
    if not types:
        raise RuntimeError("no filing conditions in the current edition: load the catalogue")
    return World(grids, _beats(grids), types, _components(grids, types), _cast())


def _grids() -> list[Grid]:
    rows = UnitGrid.objects.select_related("community").order_by("code")
    streets: dict[int, int] = {}
    return [
        Grid(
            g.pk,
            g.code,
            g.boundary,
            streets.setdefault(g.community.street_id, len(streets)),
            g.boundary.representative_point().coords[0],
        )
        for g in rows
    ]


def _beats(grids: list[Grid]) -> list[list[int]]:
    """Each inspector area's grids in code order (the route walked); one beat per street
    when the territory has no inspector areas."""
    index = {grid.pk: n for n, grid in enumerate(grids)}
    beats = [
        sorted(index[pk] for pk in area.grids.values_list("pk", flat=True) if pk in index)
        for area in InspectorArea.objects.order_by("code")
    ]
    beats = [beat for beat in beats if beat]
    if beats:
        return beats
    by_street: dict[int, list[int]] = defaultdict(list)
    for n, grid in enumerate(grids):
        by_street[grid.street].append(n)
    return [by_street[street] for street in sorted(by_street)]


def _types(rng: np.random.Generator) -> list[ProblemType]:
    """TYPE_COUNT types of the current edition with a filing condition, common ones first
    (weights fall as 1/rank), each with a handling time of its own."""
    conditions = (
        FilingCondition.objects.filter(
            case_type__major__edition__is_current=True, case_type__is_active=True
        )
        .select_related("case_type__major")
        .order_by("case_type__code", "pk")
    )
    first: dict[int, FilingCondition] = {}
    for condition in conditions:
        first.setdefault(condition.case_type_id, condition)
    chosen = list(first.values())
    if len(chosen) > TYPE_COUNT:
        picked = rng.choice(len(chosen), size=TYPE_COUNT, replace=False)
        chosen = [chosen[k] for k in sorted(picked)]
    order = rng.permutation(len(chosen))
    return [
        ProblemType(
            case_type=condition.case_type,
            condition=condition,
            is_component=condition.case_type.major.kind == TypeKind.COMPONENT,
            weight=1.0 / (1 + int(order[n])),
            hours=float(rng.lognormal(0.0, 0.5)),
        )
        for n, condition in enumerate(chosen)
    ]


def _components(
    grids: list[Grid], types: list[ProblemType]
) -> dict[tuple[int, int], list[tuple[int, float, float]]]:
    """Intact components of the chosen component types, by (grid index, type index)."""
    index = {grid.pk: n for n, grid in enumerate(grids)}
    by_type = {t.case_type.pk: n for n, t in enumerate(types) if t.is_component}
    found: dict[tuple[int, int], list[tuple[int, float, float]]] = defaultdict(list)
    rows = Component.objects.filter(
        case_type_id__in=list(by_type), status=ComponentStatus.INTACT, grid__isnull=False
    ).order_by("pk")
    for component in rows.only("pk", "case_type_id", "grid_id", "point"):
        if component.grid_id in index:
            key = (index[component.grid_id], by_type[component.case_type_id])
            found[key].append((component.pk, component.point.x, component.point.y))
    return dict(found)


def _cast() -> Cast:
    def one(role: str) -> Actor:
        post = _posts(role).first()
        if post is None:
            raise RuntimeError(f"nobody holds the post {role}: load the demo organisation")
        return Actor.of(post.person.user, role)

    inspectors = [
        Actor.of(post.person.user, Role.INSPECTOR)
        for post in _posts(Role.INSPECTOR).order_by("person__user__username")
    ]
    terminals: dict[int, Actor] = {}
    for post in _posts(Role.HANDLER).filter(unit__kind__in=HANDLING_KINDS).order_by("pk"):
        terminals.setdefault(post.unit_id, Actor.of(post.person.user, Role.HANDLER))
    return Cast(
        one(Role.ACCEPTOR),
        one(Role.SHIFT_LEADER),
        one(Role.DISPATCHER),
        one(Role.LEADER),
        inspectors,
        terminals,
    )


def _posts(role: str) -> QuerySet[Membership]:
    return Membership.objects.active().filter(role=role).select_related("person__user")


def person_of(actor: Actor) -> Person:
    assert actor.post is not None
    return actor.post.person


def user_of(actor: Actor) -> User:
    assert actor.user is not None
    return actor.user


def unit_of(actor: Actor) -> Unit:
    assert actor.post is not None
    return actor.post.unit
