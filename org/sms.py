"""Text messages (短信) to units' duty phones and people's mobiles.

Like Django's EMAIL_BACKEND, the SMS_BACKEND setting names the class that sends them (a dotted
path). The default only logs that a message would go out, with the number masked: a log line
never holds a full phone number. A real provider plugs in as a subclass of `SmsBackend`
whose `send` calls the provider's API; `org.sms.MemoryBackend` keeps the messages for tests.

`send_sms` never raises: a message that cannot be sent is logged (masked) and the action that
caused it stands. Callers enqueue it as a task (`sms_task`, Django's task framework): with
TASK_QUEUE=immediate (the default) it runs at once; with TASK_QUEUE=database (production) it
waits in the database for a `manage.py db_worker` process, out of the request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.tasks import task
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sms:
    phone: str
    text: str


class SmsBackend:
    """Where a text message goes. Subclass it and set SMS_BACKEND to the subclass's dotted
    path; `send` gets the number as stored (a mobile or a fixed duty line) and the text in the
    platform's language. Raise on failure: the caller logs it and carries on."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingBackend(SmsBackend):
    """The default: no message leaves the platform; the log says one would have."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask(phone), text)


class MemoryBackend(SmsBackend):
    """Keeps every message in `MemoryBackend.outbox` (for tests, like Django's locmem mail)."""

    outbox: ClassVar[list[Sms]] = []

    def send(self, phone: str, text: str) -> None:
        MemoryBackend.outbox.append(Sms(phone, text))


def mask(phone: str) -> str:
    """13812345678 → *******5678: enough to tell two numbers apart in a log, no more."""
    digits = phone.strip()
    keep = 4 if len(digits) >= 8 else 0
    return "*" * (len(digits) - keep) + digits[len(digits) - keep :]


def backend() -> SmsBackend:
    backend_class: type[SmsBackend] = import_string(settings.SMS_BACKEND)
    return backend_class()


def send_sms(phone: str, text: str) -> bool:
    """Send one message; False (and a masked log line) when there is no number or it failed."""
    if not phone.strip():
        return False
    try:
        backend().send(phone.strip(), text)
    except Exception as error:
        # The provider's message may quote the number: log only the error's type.
        log.warning("SMS to %s failed: %s", mask(phone), type(error).__name__)
        return False
    return True


@task
def sms_task(phone: str, text: str) -> bool:
    return send_sms(phone, text)
