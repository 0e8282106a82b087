from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import Edition
from components.importing import MODES, import_component_file
from lib.coords import CRS_NAMES

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import components (部件) from CSV, XLSX or GeoJSON. Every row is checked first; "
        "with any error nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--crs", default="wgs84", choices=CRS_NAMES, help="positions' coordinate system"
        )
        parser.add_argument(
            "--mode",
            default="create",
            choices=MODES,
            help="create: existing identifiers are errors; update: they are changed",
        )
        parser.add_argument("--edition", help="catalog edition code, if type codes clash")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(
        self,
        *args: object,
        path: Path,
        crs: str,
        mode: str,
        edition: str | None,
        dry_run: bool,
        **options: object,
    ) -> None:
        try:
            data = path.read_bytes()
            chosen = Edition.objects.get(code=edition) if edition else None
        except (OSError, Edition.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        report = import_component_file(
            path.name, data, crs=crs, mode=mode, edition=chosen, dry_run=dry_run
        )
        for problem in report.errors[:MAX_ERRORS_SHOWN]:
            self.stdout.write(problem.message)
        if not report.ok:
            raise CommandError(f"{len(report.errors)} errors; nothing was imported.")
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Every row passed the checks; nothing written."))
            return
        self.stdout.write(
            self.style.SUCCESS(f"Imported: {report.created} created, {report.updated} updated.")
        )
