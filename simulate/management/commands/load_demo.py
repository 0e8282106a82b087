import time

from django.core.management.base import BaseCommand, CommandParser

from org.roles import Role
from simulate.demo_district import build_demo_geography
from simulate.demo_org import ACCOUNTS, DEMO_PASSWORD, INSPECTOR_COUNT, load_organisation
from simulate.load_geography import load_geography


class Command(BaseCommand):
    help = "Load the demo district (organisation, accounts and geography). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed for generated data")
        parser.add_argument("--quiet", action="store_true", help="do not list the demo accounts")

    def handle(self, *args: object, seed: int, quiet: bool, **options: object) -> None:
        counts = load_organisation()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo organisation: {units} units, {people} people, "
                "{memberships} role memberships.".format(**counts)
            )
        )
        started = time.monotonic()
        geography = load_geography(build_demo_geography(seed), seed)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo district (seed {seed}): {streets} streets and townships, {communities} "
                "communities, {grids} unit grids, {roads} roads, {door_plates} door plates, "
                "{pois} points of interest, {inspector_areas} inspector areas "
                "({seconds:.1f} s).".format(
                    seed=seed, seconds=time.monotonic() - started, **geography
                )
            )
        )
        if quiet:
            return
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for username, name, role, unit_code, _scope in ACCOUNTS:
            self.stdout.write(f"  {username:<15} {role.label}  [{name}, {unit_code}]")
        self.stdout.write(f"  inspector01 … inspector{INSPECTOR_COUNT:02d}  {Role.INSPECTOR.label}")
        self.stdout.write(
            f"  unit_d01 … unit_d20, unit_s01 … unit_s15, unit_t01, unit_t02  {Role.HANDLER.label}"
        )
