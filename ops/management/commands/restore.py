from argparse import ArgumentParser
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the configured database and media storage, replacing what "
        "is there, then check the counts and verify the audit trail and every photo."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="replace the current data without asking"
        )

    def handle(self, *args: object, folder: Path, yes: bool, **options: object) -> None:
        if not yes and input("This replaces the database and the photos. Type yes: ") != "yes":
            raise CommandError("Nothing was restored.")
        try:
            held, now = restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if held != now:
            raise CommandError(f"The backup held {held}; the database now holds {now}.")
        self.stdout.write(
            f"Restored {now.cases} cases, {now.events} events and {now.photos} photos."
        )
        call_command("verify_audit", stdout=self.stdout)
