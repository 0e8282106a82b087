"""Permissions of the console actions: at each step of the loop, every post can run exactly
the verbs its case page offers it. Any other verb, sent with a well-formed form anyway, is
refused and changes nothing; a case outside the post's scope cannot even be opened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import pytest
from django.http import QueryDict
from django.urls import reverse

from cases import workflow as wf
from cases.audit import case_state
from cases.models import Case
from cases.transitions import get_case_for
from cases.verbs import VERBS
from consoles.actions import run_verb
from org.access import Actor, Refusal
from tests.cases.conftest import MONDAY_10, Actors, World
from tests.cases.making import dispatched, filed, handling, public_report, reported
from tests.consoles.test_case_pages import client_for

pytestmark = pytest.mark.django_db


def handled(world: World) -> Case:
    return wf.feedback_case(handling(world), actor=world.actors.handler_a, reason="已清理")


def checked(world: World) -> Case:
    case = wf.send_check(
        handled(world), actor=world.actors.acceptor, inspector=world.person(world.inspector)
    )
    return wf.check_case(case, actor=world.actors.inspector, passed=True, reason="已核查")


def closed_public(world: World) -> Case:
    """A public report closed specially: the center may call the reporter back."""
    number, inspector = public_report(world).number, world.person(world.inspector)
    wf.send_verify(number, actor=world.actors.acceptor, inspector=inspector, now=MONDAY_10)
    wf.verify_report(number, actor=world.actors.inspector, found=True, now=MONDAY_10)
    wf.accept_case(number, actor=world.actors.acceptor, now=MONDAY_10)
    case = wf.file_case(number, actor=world.actors.shift_leader, condition=world.normal)
    return wf.close_special(case, actor=world.actors.shift_leader, reason="重复上报")


STEPS: dict[str, Callable[[World], Case]] = {
    "reported": reported,
    "filed": filed,
    "dispatched": dispatched,
    "handling": handling,
    "handled": handled,
    "checked": checked,
    "closed_public": closed_public,
}


def well_formed(world: World, other: str) -> dict[str, str]:
    """A form every verb could read: only the post and the step may refuse it."""
    return {
        "reason": "测试", "found": "true", "passed": "true", "approve": "true",
        "into": other, "condition": str(world.normal.pk), "satisfaction": "satisfied",
        "unit": "DA", "team": "DAT", "reply": "已处理", "minutes": "60",
        "inspector": world.inspector.username,
    }  # fmt: skip


def state(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (case_state(case), case.events.count(), case.tasks.count())


@pytest.mark.parametrize("step", STEPS)
def test_a_post_runs_no_verb_its_page_does_not_offer(world: World, step: str) -> None:
    case = STEPS[step](world)
    other = reported(world).number
    form = QueryDict(mutable=True)
    form.update(well_formed(world, other))
    before = state(case)
    for persona in fields(Actors):
        actor: Actor = getattr(world.actors, persona.name)
        try:
            offered = set(get_case_for(actor, case.number).verbs)
        except Refusal:
            offered = set()  # not in the post's scope: nothing is offered
        for name in VERBS.keys() - offered:
            with pytest.raises(Refusal):
                run_verb(Case.objects.get(pk=case.pk), actor, VERBS[name], form)
        assert state(case) == before, persona.name


def test_a_case_outside_the_scope_is_not_found_on_any_console_page(world: World) -> None:
    number = dispatched(world).number  # department A's
    outsider = client_for(world.handler_b)
    for url in (
        reverse("case_detail", args=[number]),
        reverse("case_act", args=[number, "sign"]),
        reverse("case_add_photo", args=[number]),
        reverse("case_reveal_contact", args=[number]),
    ):
        response = outsider.get(url) if url.endswith(f"{number}/") else outsider.post(url)
        assert response.status_code == 404, url
    listed = outsider.get(reverse("case_list"), {"view": "all"}).content.decode()
    assert number not in listed
    export = outsider.get(reverse("case_export", kwargs={"file_format": "csv"}), {"view": "all"})
    assert number not in b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
