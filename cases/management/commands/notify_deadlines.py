from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.reminders import notify_deadlines_near


class Command(BaseCommand):
    help = (
        "Write a 'deadline near' notification for each running step whose light has turned "
        "yellow, once per step. Run it every few minutes (cron, or a task queue)."
    )

    def handle(self, *args: object, **options: object) -> None:
        written = notify_deadlines_near(timezone.now())
        self.stdout.write(f"{written} deadline-near notifications written.")
