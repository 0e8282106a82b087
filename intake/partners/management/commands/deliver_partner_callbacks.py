"""Post the partner systems' due status pushes (the outbox of intake/partners/outbox.py)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from intake.partners.delivery import deliver_due


class Command(BaseCommand):
    help = (
        "Send due status callbacks to partner systems, signed with HMAC-SHA256; retries with "
        "backoff and dead-letters after PARTNER_CALLBACK_MAX_ATTEMPTS failures. Runs until "
        "stopped, or once with --once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="send what is due, then stop")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="seconds to wait when nothing is due"
        )
        parser.add_argument("--limit", type=int, default=100, help="deliveries per round")

    def handle(
        self, *args: object, once: bool, interval: float, limit: int, **options: object
    ) -> None:
        while True:
            outcomes = deliver_due(limit=limit)
            if outcomes or once:
                self.stdout.write(
                    "delivered {delivered}, to retry {retry}, given up {dead}".format(
                        delivered=outcomes["delivered"],
                        retry=outcomes["retry"],
                        dead=outcomes["dead"],
                    )
                )
            if once:
                return
            if sum(outcomes.values()) < limit:  # caught up: wait for more
                try:
                    time.sleep(interval)
                except KeyboardInterrupt:
                    return
            close_old_connections()  # a sender runs for days: never on a stale connection
