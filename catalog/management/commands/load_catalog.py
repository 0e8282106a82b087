from django.core.management.base import BaseCommand

from catalog.loading import load_catalog


class Command(BaseCommand):
    help = (
        "Load the shipped catalogue (GB/T 47678.5-2026 and CJ/T 214-2007) with a filing standard "
        "for every type. Safe to run again: conditions changed locally are kept."
    )

    def handle(self, *args: object, **options: object) -> None:
        counts = load_catalog()
        for name, n in counts.items():
            self.stdout.write(f"  {name}: {n}")
        self.stdout.write(self.style.SUCCESS("The catalogue is loaded."))
