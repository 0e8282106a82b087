import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from geo.territory_export import export_territory


class Command(BaseCommand):
    help = "Export the territory (district, streets, communities, unit grids) as GeoJSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        document = export_territory()
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        self.stdout.write(f"Wrote {len(document['features'])} features to {path}.")
