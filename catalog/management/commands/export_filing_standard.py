from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.management.commands._editions import edition_named
from catalog.xlsx import export_standard


class Command(BaseCommand):
    help = "Export an edition's filing standard (立案、处置和结案标准) as XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the .xlsx file to write")
        parser.add_argument("--edition", help="edition code (default: the current edition)")

    def handle(self, *args: object, path: Path, edition: str | None, **options: object) -> None:
        chosen = edition_named(edition)
        try:
            path.write_bytes(export_standard(chosen))
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Wrote the filing standard of {chosen.code} to {path}.")
        )
