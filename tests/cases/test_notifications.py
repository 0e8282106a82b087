"""Who is told what: the notifications written after each action commits (cases/notify.py),
the text message to a recipient with a phone (org/sms.py), and "deadline near" once per step
(cases/reminders.py, `manage.py notify_deadlines`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import notify
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
    """Notifications are written after the commit; each test runs in a transaction that
    never commits, so here they are written as soon as the action's own block ends."""

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


def test_a_verify_or_check_task_tells_the_inspector_it_was_sent_to(
    world: World, committed: None
) -> None:
    case = public_report(world)
    wf.send_verify(case, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    assert told(case, "send_verify") == ["inspector"]
    case = handling(world)
    wf.feedback_case(case, actor=world.actors.handler_a, reason="已清理")
    wf.send_check(case, actor=world.actors.acceptor, inspector=world.person(world.inspector_2))
    assert told(case, "send_check") == ["inspector_2"]


def test_urging_and_a_failed_check_tell_the_unit(world: World, committed: None) -> None:
    case = handling(world)
    wf.urge_case(case, actor=world.actors.dispatcher, reason="尽快处理")
    assert told(case, "urge") == ["DA"]
    wf.feedback_case(case, actor=world.actors.handler_a, reason="已清理")
    wf.send_check(case, actor=world.actors.acceptor, inspector=world.person(world.inspector))
    wf.check_case(case, actor=world.actors.inspector, passed=False, reason="仍有垃圾")
    assert told(case, "check") == ["DA"]


def test_a_return_tells_the_command_center_and_its_decision_tells_the_unit(
    world: World, committed: None
) -> None:
    case = dispatched(world)
    wf.return_case(case, actor=world.actors.handler_a, reason="非本单位职责")
    assert told(case, "return_case") == ["C00"]
    wf.decide_return(case, actor=world.actors.dispatcher, approve=True)
    assert told(case, "decide_return") == ["DA"]


def test_nobody_is_told_of_an_action_that_was_rolled_back(world: World) -> None:
    case = dispatched(world)  # without running the commit callbacks: as if rolled back
    assert not Notification.objects.filter(case=case).exists()


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


def test_a_step_turning_yellow_tells_its_holder_once(world: World, committed: None) -> None:
    case = reported(world, at=timezone.now())  # waits for the supervision center
    assert case.due_at is not None
    assert notify_deadlines_near(case.step_started_at + MINUTE) == 0  # still green
    assert notify_deadlines_near(case.due_at - MINUTE) == 1
    assert told(case, DEADLINE_NEAR) == ["C00"]
    assert notify_deadlines_near(case.due_at - MINUTE) == 0  # never twice for a step
    assert notify_deadlines_near(case.due_at + MINUTE) == 0  # red: past "near"


def test_the_next_step_is_told_again_when_it_turns_yellow(world: World, committed: None) -> None:
    case = reported(world, at=timezone.now())
    assert case.due_at is not None
    notify_deadlines_near(case.due_at - MINUTE)
    case = wf.accept_case(case, actor=world.actors.acceptor, now=timezone.now())
    assert case.due_at is not None
    assert notify_deadlines_near(case.due_at - MINUTE) == 1
    assert told(case, DEADLINE_NEAR) == ["C00", "C00"]


def test_a_near_deadline_goes_to_the_unit_or_the_inspector_holding_the_step(
    world: World, committed: None
) -> None:
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
    world: World, committed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = reported(world, at=timezone.now())
    assert case.due_at is not None
    moment = case.due_at - MINUTE
    monkeypatch.setattr(timezone, "now", lambda: moment)
    out = StringIO()
    call_command("notify_deadlines", stdout=out)
    assert out.getvalue().strip() == "1 deadline-near notifications written."
    assert told(case, DEADLINE_NEAR) == ["C00"]
