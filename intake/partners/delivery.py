"""Sending the outbox: each due Delivery is posted to its partner's callback URL as JSON,
signed with HMAC-SHA256 over "<timestamp>.<body>" with the partner's callback secret:

    X-UrbanGrid-Timestamp: 1764750000
    X-UrbanGrid-Signature: sha256=<hex of HMAC-SHA256(secret, "1764750000." + body)>
    X-UrbanGrid-Delivery: <id, the same on every retry: the partner may drop repeats>

The body carries the same id (`delivery`), so it is signed too. A partner checks the signature
with a constant-time comparison (hmac.compare_digest), refuses a timestamp more than a few
minutes old (a replay), drops a delivery id it has seen, and orders a case's updates by their
`sequence`. A 2xx answer delivers it. Anything else (an error status, a redirect, a timeout, a
refused connection) schedules a retry with exponential backoff; after PARTNER_CALLBACK_MAX_ATTEMPTS
failures the delivery is a dead letter, which an administrator can re-queue in the admin.
A case's pushes reach a partner in order (and carry the event's `sequence`). Several senders
may run at once: each claims its rows (PostgreSQL skips locked rows) and holds them for a
lease while it sends, outside any transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from intake.partners.models import Delivery, DeliveryStatus

USER_AGENT = "UrbanGrid-Callbacks/1"
logger = logging.getLogger(__name__)


def setting(name: str) -> int:
    """One of the PARTNER_CALLBACK_* settings (config/settings.py)."""
    return int(getattr(settings, name))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value; a partner checks it with the same secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_of(delivery: Delivery) -> bytes:
    said = {"delivery": delivery.pk, **delivery.payload}
    return json.dumps(said, ensure_ascii=False, separators=(",", ":")).encode()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure."""
    seconds = setting("PARTNER_CALLBACK_BACKOFF") * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, setting("PARTNER_CALLBACK_BACKOFF_MAX")))


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> Counter[str]:
    """Send the deliveries that are due; how many were delivered, retried and given up."""
    outcomes: Counter[str] = Counter()
    for delivery in claim_due(now or timezone.now(), limit):
        error = send(delivery)
        outcome = record(delivery, error, now or timezone.now())
        if error:
            log = logger.error if outcome == "dead" else logger.warning
            log(
                "Callback %s to partner %s failed (attempt %d, %s): %s",
                delivery.pk,
                delivery.partner.code,
                delivery.attempts,
                outcome,
                error,
            )
        outcomes[outcome] += 1
    return outcomes


def claim_due(now: datetime, limit: int) -> list[Delivery]:
    """Due rows, held for the time of one attempt each so that no other sender takes them.
    A case's pushes go in order: one waits while an earlier one to the same partner is still
    pending (a dead letter no longer holds the later ones back)."""
    lease = timedelta(seconds=(setting("PARTNER_CALLBACK_TIMEOUT") + 5) * limit)
    earlier = Delivery.objects.filter(
        partner=OuterRef("partner"),
        case=OuterRef("case"),
        status=DeliveryStatus.PENDING,
        pk__lt=OuterRef("pk"),
    )
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("partner")
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .exclude(Exists(earlier))
            .order_by("next_attempt_at", "id")[:limit]
        )
        Delivery.objects.filter(pk__in=[d.pk for d in due]).update(next_attempt_at=now + lease)
    for delivery in due:
        delivery.next_attempt_at = now + lease  # the lease: record() checks it is still held
    return due


def send(delivery: Delivery) -> str:
    """Post one delivery: "" when the partner took it, else what went wrong (no secrets)."""
    partner = delivery.partner
    if not partner.is_active or not partner.callback_url:
        return "The partner was revoked or has no callback URL."
    if not partner.callback_secret:
        return "The partner has no signing secret: set one with manage.py create_partner."
    body = body_of(delivery)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        partner.callback_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-UrbanGrid-Delivery": str(delivery.pk),
            "X-UrbanGrid-Event": delivery.verb,
            "X-UrbanGrid-Timestamp": timestamp,
            "X-UrbanGrid-Signature": sign(partner.callback_secret, timestamp, body),
        },
    )
    try:
        with _opener().open(request, timeout=setting("PARTNER_CALLBACK_TIMEOUT")) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"{type(error).__name__}: {getattr(error, 'reason', error)}"[:500]
    return "" if 200 <= status < 300 else f"HTTP {status}"


def record(delivery: Delivery, error: str, now: datetime) -> str:
    """Store the attempt's outcome: delivered, retry (with its time) or dead; "lost" when the
    lease ran out and another sender took the row meanwhile (its outcome stands)."""
    lease = delivery.next_attempt_at
    delivery.attempts += 1
    delivery.last_error = error[:500]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.DELIVERED,
            now,
            None,
        )
        outcome = "delivered"
    elif delivery.attempts >= setting("PARTNER_CALLBACK_MAX_ATTEMPTS"):
        delivery.status, delivery.dead_at, delivery.next_attempt_at = DeliveryStatus.DEAD, now, None
        outcome = "dead"
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        outcome = "retry"
    held = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at=lease
    )
    updated = held.update(
        attempts=delivery.attempts,
        last_error=delivery.last_error,
        status=delivery.status,
        delivered_at=delivery.delivered_at,
        dead_at=delivery.dead_at,
        next_attempt_at=delivery.next_attempt_at,
    )
    return outcome if updated else "lost"


def requeue(deliveries: Iterable[Delivery], *, now: datetime | None = None) -> int:
    """Dead letters back in the queue, to be tried again from the first attempt."""
    pks = [d.pk for d in deliveries if d.status == DeliveryStatus.DEAD]
    return Delivery.objects.filter(pk__in=pks).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        dead_at=None,
        next_attempt_at=now or timezone.now(),
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: following it would turn the POST into a GET elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirect)
