"""Who is told what: the notifications written with each action (cases/notify.py),
the text message to a recipient with a phone (org/sms.py), and "deadline near" once per step
(cases/reminders.py, `manage.py notify_deadlines`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from cases import notify, reminders
from cases import workflow as wf
from cases.models import Case, Notification
from cases.notify import DEADLINE_NEAR
from cases.reminders import notify_deadlines_near
from org.sms import MemoryBackend, SmsBackend
from tests.cases.conftest import World
from tests.cases.making import dispatched, handling, public_report, reported

pytestmark = pytest.mark.django_db
MINUTE = timedelta(minutes=1)


@pytest.fixture
def committed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text message sent at once waits for the commit; each test runs in a transaction that
    never commits, so here it goes as soon as the action asks."""

    def at_once(callback: Callable[[], None], using: str | None = None) -> None:
        callback()

    monkeypatch.setattr(notify.transaction, "on_commit", at_once)


@pytest.fixture
def outbox(settings: Any) -> list[Any]:
    settings.SMS_BACKEND = "org.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


def told(case: Case, verb: str) -> list[str]:
    """Who was told of the verb on the case: units by code, people by name."""
    found = Notification.objects.filter(case=case, verb=verb).select_related("unit", "person")
    return [n.unit.code if n.unit else n.person.name for n in found]  # type: ignore[union-attr]


def test_a_verify_or_check_task_tells_the_inspector_it_was_sent_to(world: World) -> None:
    case = public_report(world)
    wf.send_verify(case, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    assert told(case, "send_verify") == ["inspector"]
    case = handling(world)
    wf.feedback_case(case, actor=world.actors.handler_a, reason="已清理")
    wf.send_check(case, actor=world.actors.acceptor, inspector=world.person(world.inspector_2))
    assert told(case, "send_check") == ["inspector_2"]


def test_urging_and_a_failed_check_tell_the_unit(world: World) -> None:
    case = handling(world)
    wf.urge_case(case, actor=world.actors.dispatcher, reason="尽快处理")
    assert told(case, "urge") == ["DA"]
    wf.feedback_case(case, actor=world.actors.handler_a, reason="已清理")
    wf.send_check(case, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    wf.check_case(case, actor=world.actors.inspector, passed=False, reason="仍有垃圾")
    assert told(case, "check") == ["DA"]


def test_a_return_tells_the_command_center_and_its_decision_tells_the_unit(world: World) -> None:
    case = dispatched(world)
    wf.return_case(case, actor=world.actors.handler_a, reason="非本单位职责")
    assert told(case, "return_case") == ["C00"]
    wf.decide_return(case, actor=world.actors.dispatcher, approve=True)
    assert told(case, "decide_return") == ["DA"]


class Abandoned(Exception):
    """Raised to roll an action back."""


def test_nobody_is_told_of_an_action_that_was_rolled_back(world: World) -> None:
    with pytest.raises(Abandoned), transaction.atomic():
        dispatched(world)
        assert Notification.objects.filter(verb="dispatch").exists()  # written with the change
        raise Abandoned
    assert not Notification.objects.exists()


# -- text messages ----------------------------------------------------------------------------


def test_a_unit_with_a_duty_phone_gets_a_text_message(
    world: World, committed: None, outbox: list[Any]
) -> None:
    world.org.department_a.phone = "13800001111"
    world.org.department_a.save()
    case = dispatched(world)
    assert [(sms.phone, sms.text) for sms in outbox] == [
        ("13800001111", f"【UrbanGrid 数字城管】案卷 {case.number}：派遣。")
    ]


def test_a_recipient_without_a_phone_gets_no_message(
    world: World, committed: None, outbox: list[Any]
) -> None:
    dispatched(world)
    assert outbox == [] and Notification.objects.exists()


def sms_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What org/sms.py logged (the task framework logs each task's run as well)."""
    return [record.getMessage() for record in caplog.records if record.name == "org.sms"]


def test_the_default_backend_logs_the_message_with_the_number_masked(
    world: World, committed: None, caplog: pytest.LogCaptureFixture
) -> None:
    world.org.department_a.phone = "13800001111"
    world.org.department_a.save()
    with caplog.at_level(logging.INFO, logger="org.sms"):
        case = dispatched(world)
    text = f"【UrbanGrid 数字城管】案卷 {case.number}：派遣。"
    assert sms_lines(caplog) == [f"SMS to *******1111: {text}"]
    assert "13800001111" not in caplog.text


class Failing(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise RuntimeError(f"provider refused {phone}")


def test_a_message_that_fails_leaves_the_action_and_its_notification_standing(
    world: World, committed: None, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SMS_BACKEND = f"{__name__}.Failing"
    world.org.department_a.phone = "13800001111"
    world.org.department_a.save()
    with caplog.at_level(logging.INFO, logger="org.sms"):
        case = dispatched(world)
    assert case.status == "dispatched" and told(case, "dispatch") == ["DA"]
    assert sms_lines(caplog) == ["SMS to *******1111 failed: RuntimeError"]
    assert "13800001111" not in caplog.text


# -- deadline near ----------------------------------------------------------------------------


def test_a_step_turning_yellow_tells_its_holder_once(world: World) -> None:
    case = reported(world, at=timezone.now())  # waits for the supervision center
    assert case.due_at is not None
    assert notify_deadlines_near(case.step_started_at + MINUTE) == 0  # still green
    assert notify_deadlines_near(case.due_at - MINUTE) == 1
    assert told(case, DEADLINE_NEAR) == ["C00"]
    assert notify_deadlines_near(case.due_at - MINUTE) == 0  # never twice for a step
    assert notify_deadlines_near(case.due_at + MINUTE) == 0  # red: past "near"


def test_the_next_step_is_told_again_when_it_turns_yellow(world: World) -> None:
    case = reported(world, at=timezone.now())
    assert case.due_at is not None
    notify_deadlines_near(case.due_at - MINUTE)
    case = wf.accept_case(case, actor=world.actors.acceptor, now=timezone.now())
    assert case.due_at is not None
    assert notify_deadlines_near(case.due_at - MINUTE) == 1
    assert told(case, DEADLINE_NEAR) == ["C00", "C00"]


def test_a_near_deadline_goes_to_the_unit_or_the_inspector_holding_the_step(world: World) -> None:
    at_unit = dispatched(world, timezone.now())
    checking = handling(world, timezone.now())
    wf.feedback_case(checking, actor=world.actors.handler_a, reason="已清理")
    checking = wf.send_check(
        checking, actor=world.actors.acceptor, inspector=world.person(world.inspector_2)
    )
    for case in (at_unit, checking):
        assert case.due_at is not None
        notify_deadlines_near(case.due_at - MINUTE)
    assert told(at_unit, DEADLINE_NEAR) == ["DA"]
    assert told(checking, DEADLINE_NEAR) == ["inspector_2"]


def test_the_command_writes_the_notices_of_now(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = reported(world, at=timezone.now())
    assert case.due_at is not None
    moment = case.due_at - MINUTE
    monkeypatch.setattr(timezone, "now", lambda: moment)
    out = StringIO()
    call_command("notify_deadlines", stdout=out)
    assert out.getvalue().strip() == "1 deadline-near notifications written."
    assert told(case, DEADLINE_NEAR) == ["C00"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # two connections
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the run lock is PostgreSQL's")
def test_two_runs_at_once_tell_a_step_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    case = reported(world, at=timezone.now())
    assert case.due_at is not None
    moment = case.due_at - MINUTE
    first_found, go_on = threading.Event(), threading.Event()
    holders = reminders._holders

    def first_pauses(cases: list[Case]) -> Any:
        if threading.current_thread().name == "first":  # it has found the step, not yet told
            first_found.set()
            go_on.wait(10)
        return holders(cases)

    monkeypatch.setattr(reminders, "_holders", first_pauses)
    written: dict[str, int] = {}

    def run() -> None:
        written[threading.current_thread().name] = notify_deadlines_near(moment)
        connection.close()

    first = threading.Thread(target=run, name="first")
    first.start()
    assert first_found.wait(10)
    second = threading.Thread(target=run, name="second")
    second.start()
    second.join(1)  # without the lock it would find the same step and tell it meanwhile
    go_on.set()
    first.join()
    second.join()
    assert written == {"first": 1, "second": 0}
    assert told(case, DEADLINE_NEAR) == ["C00"]
