"""The authorization matrix (issue 14): every post, in every relation to a case (its own unit,
another unit, its own street, another street; the inspector a task went to or another), at
every step of the loop, is offered exactly the verbs written below on its case page; each
offered verb runs from a well-formed form, and each other verb, sent anyway, is refused with
nothing changed.

The table is written out by hand from STANDARDS.md §4 and DESIGN.md §4, not derived from
cases/transitions.py, so a change to who may do what shows up here as a change to review."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.http import QueryDict

from cases import workflow as wf
from cases.audit import case_state
from cases.models import Case
from cases.transitions import allowed_verbs, get_case_for
from cases.verbs import VERBS
from consoles.actions import run_verb
from org.access import Actor, Refusal
from org.roles import Role, Scope
from tests.cases.conftest import World
from tests.cases.making import dispatched, filed, handling, public_report, reported
from tests.conftest import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]


def cast(world: World) -> dict[str, Actor]:
    """Every persona of the matrix, named by its relation to a case at WEST (street S01) led
    by department A (or, at "to_street", by the street office S01)."""
    org = world.org
    extra = {
        "analyst": make_person("analyst", Role.ANALYST, org.center, Scope.DISTRICT),
        "sysadmin": make_person("sysadmin", Role.SYSADMIN, org.center, Scope.DISTRICT),
        "own_street_leader": make_person("sl", Role.LEADER, org.street, Scope.TERRITORY),
        "other_street_leader": make_person("osl", Role.LEADER, org.other_street, Scope.TERRITORY),
        "other_street_handler": make_person("osh", Role.HANDLER, org.other_street, Scope.UNIT),
    }
    users: dict[str, User] = {
        "reporter_inspector": world.inspector,  # reported it; tasks go to them
        "other_inspector": world.inspector_2,
        "acceptor": world.acceptor,
        "shift_leader": world.shift_leader,
        "dispatcher": world.dispatcher,
        "district_leader": world.leader,
        "own_unit_handler": world.handler_a,
        "own_unit_admin": world.admin_a,
        "other_unit_handler": world.handler_b,
        "own_street_handler": world.street_handler,
        **extra,
    }
    return {name: Actor.of(user) for name, user in users.items()}


def offered(case: Case, actor: Actor) -> set[str]:
    try:
        return set(get_case_for(actor, case.number).verbs)
    except Refusal:
        return set()


def verifying(world: World) -> Case:
    """A public report sent to the reporting inspector to verify."""
    inspector = world.person(world.inspector)
    return wf.send_verify(public_report(world), actor=world.actors.acceptor, inspector=inspector)


def accepted(world: World) -> Case:
    return wf.accept_case(reported(world), actor=world.actors.acceptor)


def self_handled(world: World) -> Case:
    return wf.self_handle(reported(world), actor=world.actors.inspector, reason="已当场清理")


def to_street(world: World) -> Case:
    """Dispatched to the street office of the case's own street."""
    return dispatched(world, unit=world.org.street)


def co_handled(world: World) -> Case:
    """Led by department A, co-handled by department B, signed."""
    case = wf.dispatch_case(
        filed(world), actor=world.actors.dispatcher, unit=world.org.department_a,
        co_units=[world.org.department_b], reason="测试",
    )  # fmt: skip
    return wf.sign_case(case, actor=world.actors.handler_a)


def return_asked(world: World) -> Case:
    return wf.return_case(handling(world), actor=world.actors.handler_a, reason="非本单位职责")


def suspended(world: World) -> Case:
    case = wf.request_suspension(handling(world), actor=world.actors.handler_a, reason="需施工")
    return wf.decide_suspension(case, actor=world.actors.dispatcher, approve=True)


def urged(world: World) -> Case:
    return wf.urge_case(handling(world), actor=world.actors.dispatcher, reason="尽快处置")


def void_asked(world: World) -> Case:
    return wf.request_void(filed(world), actor=world.actors.acceptor, reason="重复上报")


def extension_asked(world: World) -> Case:
    return wf.request_extension(
        handling(world), actor=world.actors.handler_a, minutes=60, reason="需采购配件"
    )


def appealed(world: World) -> Case:
    """Handling since 23 November: long overdue; the unit appeals."""
    return wf.appeal_overdue(handling(world), actor=world.actors.handler_a, reason="道路封闭")


def appeal_reviewed(world: World) -> Case:
    """The dispatcher approved the appeal: the leader reviews it a second time."""
    return wf.decide_appeal(appealed(world), actor=world.actors.dispatcher, approve=True)


def handled(world: World) -> Case:
    return wf.feedback_case(handling(world), actor=world.actors.handler_a, reason="已清理")


def checking(world: World) -> Case:
    inspector = world.person(world.inspector)
    return wf.send_check(handled(world), actor=world.actors.acceptor, inspector=inspector)


def checked(world: World) -> Case:
    return wf.check_case(checking(world), actor=world.actors.inspector, passed=True, reason="好")


def closed_public(world: World) -> Case:
    case = verifying(world)
    wf.verify_report(case, actor=world.actors.inspector, found=True)
    wf.accept_case(case.number, actor=world.actors.acceptor)
    case = wf.file_case(case.number, actor=world.actors.shift_leader, condition=world.normal)
    return wf.close_special(case, actor=world.actors.shift_leader, reason="重复上报")


STEPS: dict[str, Callable[[World], Case]] = {
    "reported": reported,
    "verifying": verifying,
    "accepted": accepted,
    "self_handled": self_handled,
    "filed": filed,
    "dispatched": dispatched,
    "to_street": to_street,
    "handling": handling,
    "co_handled": co_handled,
    "return_asked": return_asked,
    "suspended": suspended,
    "urged": urged,
    "void_asked": void_asked,
    "extension_asked": extension_asked,
    "appealed": appealed,
    "appeal_reviewed": appeal_reviewed,
    "handled": handled,
    "checking": checking,
    "checked": checked,
    "closed_public": closed_public,
}

# Who is offered what at each step; a persona not named is offered nothing. The centers act
# district-wide; a unit only on what it leads (主办) or co-handles (协办); an inspector only on
# its own report and the tasks sent to it; a street's leader urges in its street only; the
# analyst, the system administrator and other units and streets never act on a case.
CENTER_WATCH = {"dispatcher": {"request_void", "urge"}, "district_leader": {"urge"}}
LEADERS_URGE = {"district_leader": {"urge"}, "own_street_leader": {"urge"}}
OPEN = {"acceptor": {"request_void"}, **CENTER_WATCH, "own_street_leader": {"urge"}}
HANDLING = {"assign_team", "feedback", "request_extension", "request_suspension", "return_case"}
OVERDUE_APPEAL = {"own_unit_handler": {"appeal_overdue"}, "own_unit_admin": {"appeal_overdue"}}
LATE = {**OPEN, "shift_leader": {"close_special"}, **OVERDUE_APPEAL}  # handled since 23 Nov

EXPECTED: dict[str, dict[str, set[str]]] = {
    "reported": {
        **OPEN,
        "reporter_inspector": {"self_handle"},
        "acceptor": {"send_verify", "accept", "decline", "merge", "request_void"},
        "shift_leader": {"merge"},
    },
    "verifying": {
        **OPEN,
        "reporter_inspector": {"verify"},
        "acceptor": {"merge", "request_void"},
        "shift_leader": {"merge"},
    },
    "accepted": {
        **OPEN,
        "acceptor": {"merge", "request_void"},
        "shift_leader": {"file", "merge", "reject"},
    },
    "self_handled": {**OPEN, "shift_leader": {"close", "reject"}},
    "filed": {
        **OPEN,
        "shift_leader": {"close_special"},
        "dispatcher": {"dispatch", "request_void", "urge"},
    },
    "dispatched": {  # on 23 November: already overdue
        **LATE,
        "own_unit_handler": {"sign", "return_case", "appeal_overdue"},
        "own_unit_admin": {"sign", "return_case", "appeal_overdue"},
    },
    "to_street": {
        **OPEN,
        "shift_leader": {"close_special"},
        "own_street_handler": {"sign", "return_case", "appeal_overdue"},
    },
    "handling": {
        **LATE,
        "own_unit_handler": HANDLING | {"appeal_overdue"},
        "own_unit_admin": HANDLING | {"appeal_overdue"},
    },
    "co_handled": {  # dispatched today: not overdue
        **OPEN,
        "shift_leader": {"close_special"},
        "own_unit_handler": HANDLING,
        "own_unit_admin": HANDLING,
        "other_unit_handler": {"co_feedback"},
    },
    "return_asked": {**LEADERS_URGE, "dispatcher": {"decide_return", "urge"}},
    "suspended": {
        **LEADERS_URGE,
        **OVERDUE_APPEAL,
        "shift_leader": {"close_special"},
        "dispatcher": {"resume", "urge"},
    },
    "void_asked": {**LEADERS_URGE, "dispatcher": {"urge"}, "shift_leader": {"decide_void"}},
    "extension_asked": {**LEADERS_URGE, "dispatcher": {"decide_extension", "urge"}},
    "urged": {
        **LATE,
        "own_unit_handler": HANDLING | {"appeal_overdue", "answer_urge"},
        "own_unit_admin": HANDLING | {"appeal_overdue", "answer_urge"},
    },
    "appealed": {**LEADERS_URGE, "dispatcher": {"decide_appeal", "urge"}},
    # The second review is the district's: a street's leader does not exempt its units.
    "appeal_reviewed": {
        **LEADERS_URGE,
        "dispatcher": {"urge"},
        "district_leader": {"decide_appeal", "urge"},
    },
    "handled": {**LATE, "acceptor": {"request_void", "send_check"}},
    "checking": {**LATE, "reporter_inspector": {"check"}},
    "checked": {**LATE, "shift_leader": {"close", "close_special"}},
    "closed_public": {"acceptor": {"callback"}},
}


def other_report(world: World) -> str:
    """Another open report, for a merge to name."""
    return reported(world).number


def well_formed(world: World, into: str) -> dict[str, str]:
    """A form every verb could read: only the post and the step may refuse it."""
    return {
        "reason": "测试", "found": "true", "passed": "true", "approve": "true",
        "into": into, "condition": str(world.normal.pk), "satisfaction": "satisfied",
        "unit": "DA", "team": "DAT", "reply": "已处理", "minutes": "60",
        "inspector": world.inspector.username,
    }  # fmt: skip


def state(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (case_state(case), case.events.count(), case.tasks.count())


@pytest.mark.parametrize("step", STEPS)
def test_each_post_runs_exactly_its_verbs_at_each_step(world: World, step: str) -> None:
    case, actors = STEPS[step](world), cast(world)
    form = QueryDict(mutable=True)
    form.update(well_formed(world, into=reported(world).number))
    before = state(case)
    for name, actor in actors.items():
        expected = EXPECTED[step].get(name, set())
        assert offered(case, actor) == expected, name
        for verb in sorted(expected):
            with transaction.atomic():  # run it, then undo it for the next one
                run_verb(Case.objects.get(pk=case.pk), actor, VERBS[verb], form)
                transaction.set_rollback(True)
        for verb in sorted(VERBS.keys() - expected):
            with pytest.raises(Refusal):  # refused before the case is changed
                run_verb(case, actor, VERBS[verb], form)
    assert state(case) == before
    # Neither sees a case list; the portal and the partner API ask the state machine.
    holder = ("callback",) if step == "closed_public" else ()
    assert allowed_verbs(case, Actor.public(case.number)) == holder
    assert allowed_verbs(case, Actor.public(reported(world).number)) == ()
    assert allowed_verbs(case, Actor.partner(case.number)) == ()
