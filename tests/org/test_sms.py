"""Text messages go through the backend SMS_BACKEND names; a log line never holds a number."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from org.sms import LoggingBackend, MemoryBackend, SmsBackend, backend, mask, send_sms, sms_task


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
