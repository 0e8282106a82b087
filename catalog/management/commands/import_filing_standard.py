from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.management.commands._editions import edition_named
from catalog.xlsx import import_standard

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import a filing standard from XLSX into an edition. Every row is checked first; with any "
        "error nothing is written. Each type in the sheet gets the sheet's conditions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--edition", help="edition code (default: the current edition)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(
        self, *args: object, path: Path, edition: str | None, dry_run: bool, **options: object
    ) -> None:
        chosen = edition_named(edition)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from None
        result = import_standard(chosen, data, dry_run=dry_run)
        for problem in result.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(problem))
        if not result.ok:
            raise CommandError(f"{len(result.errors)} errors; nothing was imported.")
        counts = ", ".join(f"{name} {n}" for name, n in sorted(result.counts.items()))
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"Every row passed the checks ({counts}); nothing written.")
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Imported: {counts}."))
