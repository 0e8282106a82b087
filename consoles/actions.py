"""The verbs of the loop as forms on the case page: what each verb offered to the post needs to
ask (an inspector, a filing condition, a unit…), and the POST that runs it through
cases/verbs.py, the table the JSON API calls too. A refusal comes back on the same page, next
to the form that caused it, in the user's language; nothing has been stored then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from pydantic import ValidationError

from cases.models import OPEN_STATUSES, Case, PhotoStage, Satisfaction
from cases.photos import check_photo_allowed
from cases.verbs import VERBS, Action
from catalog.models import FilingCondition
from intake.mobile.tracks import nearest_on_duty
from lib.coords import distance_m
from lib.field_errors import field_message
from org.access import Actor, Refusal
from org.models import Membership, Person, Unit, UnitKind
from org.roles import Role

DUPLICATE_METRES = 300  # open cases of the same type this close are offered for merging
DUPLICATE_DAYS = 30
NEAR_INSPECTORS = 5  # inspectors on duty offered first for a verify or check task
# Verbs off the loop's main path: listed after the others, and never the form opened first.
ASIDE = frozenset({
    "decline", "reject", "merge", "self_handle", "request_void", "close_special", "urge",
    "return_case", "request_extension", "request_suspension", "appeal_overdue",
})  # fmt: skip
REASONED = frozenset(name for name, verb in VERBS.items() if "reason" in verb.body.model_fields)


@dataclass
class Choices:
    """What the forms of the offered verbs let the post choose from."""

    inspectors: list[tuple[Person, str]] = field(default_factory=list)  # (person, why)
    conditions: QuerySet[FilingCondition] | None = None
    units: QuerySet[Unit] | None = None
    teams: QuerySet[Unit] | None = None
    duplicates: list[tuple[Case, int]] = field(default_factory=list)  # (case, metres away)
    satisfactions: list[tuple[str, str]] = field(default_factory=list)
    photo_stages: list[tuple[str, str]] = field(default_factory=list)


def choices_for(case: Case, verbs: tuple[str, ...], actor: Actor) -> Choices:
    """Only what the offered verbs need: a page offering none asks the database nothing more."""
    offered = set(verbs)
    found = Choices()
    if offered & {"send_verify", "send_check"}:
        found.inspectors = _inspectors(case)
    if "file" in offered and case.case_type_id:
        found.conditions = FilingCondition.objects.filter(case_type_id=case.case_type_id)
    if "dispatch" in offered:
        found.units = Unit.objects.active().handling().order_by("kind", "code")
    if "assign_team" in offered and case.responsible_unit_id:
        teams = Unit.objects.active().filter(kind=UnitKind.TEAM)
        found.teams = teams.filter(parent_id=case.responsible_unit_id).order_by("code")
    if "merge" in offered:
        found.duplicates = _duplicates(case)
    if "callback" in offered:
        found.satisfactions = [(value, str(label)) for value, label in Satisfaction.choices]
    found.photo_stages = _photo_stages(case, actor)
    return found


def _inspectors(case: Case) -> list[tuple[Person, str]]:
    """Inspectors on post, each with why it is suggested: those on duty near the case first,
    nearest first (their phones' last positions, intake/mobile), then those whose area holds
    the case's grid, then the rest."""
    now = timezone.now()
    near = nearest_on_duty(case.point.x, case.point.y, now=now, limit=NEAR_INSPECTORS)
    posts = Membership.objects.active().filter(role=Role.INSPECTOR).select_related("person__user")
    people = {post.person_id: post.person for post in posts.order_by("person__user__username")}
    here = set(
        Person.objects.filter(inspector_areas__grids=case.grid_id).values_list("pk", flat=True)
    )
    notes = {person_id: str(_("patrols this grid")) for person_id in here}
    for found in near:
        notes[found.person.pk] = _("on duty, %(metres)s m away, seen %(ago)s ago") % {
            "metres": f"{found.distance_m:,.0f}",
            "ago": timesince(found.last_seen, now),
        }
    rank = {found.person.pk: n for n, found in enumerate(near)}
    ranked = sorted(people.values(), key=lambda p: (rank.get(p.pk, len(rank)), p.pk not in here))
    return [(person, notes.get(person.pk, "")) for person in ranked]


def _duplicates(case: Case) -> list[tuple[Case, int]]:
    """Open cases of the same type reported nearby lately, nearest first, with their distance."""
    if case.case_type_id is None:
        return []
    since = timezone.now() - timedelta(days=DUPLICATE_DAYS)
    candidates = (
        Case.objects.filter(case_type_id=case.case_type_id, status__in=OPEN_STATUSES)
        .filter(created_at__gte=since, street_id=case.street_id)
        .exclude(pk=case.pk)
        .only("number", "point", "description", "status", "created_at")
    )
    near = [(other, _metres(case, other)) for other in candidates.order_by("-created_at")[:500]]
    return sorted((pair for pair in near if pair[1] <= DUPLICATE_METRES), key=lambda p: p[1])[:10]


def _metres(one: Case, other: Case) -> int:
    return round(distance_m(one.point.x, one.point.y, other.point.x, other.point.y))


def _photo_stages(case: Case, actor: Actor) -> list[tuple[str, str]]:
    stages = []
    for stage, label in PhotoStage.choices:
        try:
            check_photo_allowed(case, actor, stage)
        except Refusal:
            continue
        stages.append((stage, str(label)))
    return stages


def in_order(verbs: tuple[str, ...]) -> list[Action]:
    """The verbs of the loop's next step first: the page opens the first of them."""
    return sorted((VERBS[name] for name in verbs), key=lambda verb: verb.name in ASIDE)


def run_verb(case: Case, actor: Actor, verb: Action, data: QueryDict) -> Case:
    """Run the verb with a form's fields; a bad field is refused like any other refusal."""
    try:
        body = verb.body.model_validate(form_body(verb, data))
    except ValidationError as error:
        problem = error.errors()[0]
        message = field_message(str(problem["type"]), dict(problem.get("ctx") or {}))
        raise Refusal("invalid_form", message, 400) from None
    return verb.run(case, actor, body)


def form_body(verb: Action, data: QueryDict) -> dict[str, Any]:
    """A form's strings as the verb's body: yes and no as booleans, whole numbers as numbers,
    a multiple choice as a list. What cannot be read is passed on for the body to refuse."""
    body: dict[str, Any] = {}
    for name, info in verb.body.model_fields.items():
        if name not in data:
            continue
        value = str(data[name]).strip()
        if info.annotation is bool:
            body[name] = {"true": True, "false": False}.get(value, value)
        elif info.annotation is int:
            body[name] = int(value) if value.isdigit() and len(value) < 12 else value
        elif name == "co_units":
            body[name] = [code for code in data.getlist(name) if code]
        else:
            body[name] = value
    return body


def done_message(verb: Action, case: Case) -> str:
    return _("%(verb)s: done. Case %(number)s is %(status)s now.") % {
        "verb": verb.title,
        "number": case.number,
        "status": case.get_status_display(),
    }
