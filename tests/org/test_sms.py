"""Text messages go through the backend SMS_BACKEND names; a log line never holds a number."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cases.models import Notification
from org.sms import LoggingBackend, MemoryBackend, SmsBackend, backend, mask, send_sms, sms_task
from tests.cases.conftest import World, world  # noqa: F401  (fixture)
from tests.cases.making import dispatched


def test_a_number_is_masked_down_to_its_last_four_digits() -> None:
    assert mask("13812345678") == "*******5678"
    assert mask("0871-6543210") == "********3210"
    assert mask("12319") == "*****"  # too short to show any of it


def test_the_default_backend_logs_and_the_setting_chooses_another(settings: Any) -> None:
    assert isinstance(backend(), LoggingBackend)
    settings.SMS_BACKEND = "org.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    assert send_sms(" 13812345678 ", "测试") is True
    assert [(m.phone, m.text) for m in MemoryBackend.outbox] == [("13812345678", "测试")]


def test_no_number_sends_nothing(settings: Any) -> None:
    settings.SMS_BACKEND = "org.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    assert send_sms("  ", "测试") is False and MemoryBackend.outbox == []


def test_the_base_class_is_only_a_place_for_a_provider() -> None:
    with pytest.raises(NotImplementedError):
        SmsBackend().send("13812345678", "测试")


def test_a_failed_message_is_logged_without_the_number(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SMS_BACKEND = "org.sms.SmsBackend"  # raises: as a provider that refuses
    with caplog.at_level(logging.INFO, logger="org.sms"):
        assert send_sms("13812345678", "测试") is False
    assert caplog.messages == ["SMS to *******5678 failed: NotImplementedError"]


def test_the_task_sends_through_the_backend(settings: Any) -> None:
    settings.SMS_BACKEND = "org.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    result = sms_task.enqueue("13812345678", "测试")
    assert result.return_value is True and len(MemoryBackend.outbox) == 1


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # a worker sees commits
def test_with_the_database_queue_a_dispatchs_message_waits_for_a_worker(
    settings: Any,
    world: World,  # noqa: F811
) -> None:
    settings.SMS_BACKEND = "org.sms.MemoryBackend"
    settings.TASKS = DATABASE_QUEUE
    MemoryBackend.outbox.clear()
    world.org.department_a.phone = "13800001111"  # its duty phone
    world.org.department_a.save()
    dispatched(world)
    queued = DBTaskResult.objects.get()
    assert MemoryBackend.outbox == [] and queued.status == TaskResultStatus.READY
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert [m.phone for m in MemoryBackend.outbox] == ["13800001111"]
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL


class Abandoned(Exception):
    """Raised to roll an action back."""


@pytest.mark.django_db
def test_with_the_database_queue_a_notice_and_its_message_commit_with_the_change(
    settings: Any,
    world: World,  # noqa: F811
) -> None:
    settings.TASKS = DATABASE_QUEUE
    world.org.department_a.phone = "13800001111"
    world.org.department_a.save()
    with pytest.raises(Abandoned), transaction.atomic():
        dispatched(world)
        # Both are rows of the action's own transaction, before any commit: a process killed
        # just after the commit loses neither.
        assert Notification.objects.filter(verb="dispatch", unit=world.org.department_a).exists()
        assert DBTaskResult.objects.count() == 1
        raise Abandoned
    assert not Notification.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_message_sent_at_once_waits_for_the_commit(
    settings: Any,
    world: World,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SMS_BACKEND = "org.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    world.org.department_a.phone = "13800001111"
    world.org.department_a.save()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        dispatched(world)
    assert MemoryBackend.outbox == []  # not before the commit
    for callback in pending:
        callback()
    assert [m.phone for m in MemoryBackend.outbox] == ["13800001111"]
