from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.territory_file import TerritoryFileError, read_territory_file
from geo.territory_import import import_territory


class Command(BaseCommand):
    help = (
        "Import district, streets, communities and unit grids from GeoJSON or a zipped Shapefile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args: object, path: Path, dry_run: bool, **options: object) -> None:
        try:
            features = read_territory_file(path.name, path.read_bytes())
        except (OSError, TerritoryFileError) as error:
            raise CommandError(str(error)) from None
        report = import_territory(features, dry_run=dry_run)
        for problem in report.problems:
            self.stdout.write(f"{problem.severity}: {problem.message}")
        counts = ", ".join(f"{n} {level}" for level, n in sorted(report.counts.items()))
        if not report.ok:
            raise CommandError(f"{len(report.errors)} errors; nothing was imported ({counts}).")
        verb = "Checked" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {counts}; {len(report.warnings)} warnings."))
