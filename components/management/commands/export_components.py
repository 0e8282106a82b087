from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from components.exporting import export_components
from components.files import file_format
from components.models import Component, ComponentStatus
from lib.coords import CRS_NAMES


class Command(BaseCommand):
    help = "Export components (部件) to CSV, XLSX or GeoJSON (by the file's extension)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--crs", default="wgs84", choices=CRS_NAMES, help="positions' coordinate system"
        )
        parser.add_argument("--type", dest="type_code", help="only this type code")
        parser.add_argument("--status", choices=ComponentStatus.values, help="only this status")

    def handle(
        self,
        *args: object,
        path: Path,
        crs: str,
        type_code: str | None,
        status: str | None,
        **options: object,
    ) -> None:
        try:
            fmt = file_format(path.name)
        except ValueError as error:
            raise CommandError(str(error)) from None
        components = Component.objects.all()
        if type_code:
            components = components.filter(case_type__code=type_code)
        if status:
            components = components.filter(status=status)
        path.write_bytes(export_components(components, fmt, crs))
        self.stdout.write(self.style.SUCCESS(f"Exported {components.count()} components."))
