import time
from collections.abc import Callable, Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.loading import CURRENT_EDITION, load_catalog
from catalog.models import Edition
from org.roles import Role
from simulate.demo_cases import load_demo_cases
from simulate.demo_catalog import assign_demo_departments
from simulate.demo_components import load_demo_components
from simulate.demo_district import build_demo_geography
from simulate.demo_org import ACCOUNTS, DEMO_PASSWORD, INSPECTOR_COUNT, load_organisation
from simulate.demo_partners import load_demo_partners
from simulate.load_geography import load_geography


class Command(BaseCommand):
    help = (
        "Load the demo district: organisation and accounts, geography, catalogue and filing "
        "standards, components, a few dozen cases, partner systems and 500 cameras. Safe to run "
        "again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed for generated data")
        parser.add_argument("--quiet", action="store_true", help="do not list the demo accounts")
        parser.add_argument(
            "--edition",
            default=CURRENT_EDITION.code,
            help="the catalogue edition the district uses, for its components and cases "
            f"(default {CURRENT_EDITION.code}; the legacy one is cjt214-2007)",
        )

    def handle(
        self, *args: object, seed: int, quiet: bool, edition: str, **options: object
    ) -> None:
        self.step(
            "Demo organisation: {units} units, {people} people, {memberships} role memberships",
            load_organisation,
        )
        self.step(
            "Demo district (seed {seed}): {streets} streets and townships, {communities} "
            "communities, {grids} unit grids, {roads} roads, {door_plates} door plates, "
            "{pois} points of interest, {inspector_areas} inspector areas",
            lambda: {"seed": seed, **load_geography(build_demo_geography(seed), seed)},
        )
        self.step("Catalogue and filing standards: {summary}", lambda: summary(load_catalog()))
        self.step("District edition: {edition}", lambda: {"edition": choose_edition(edition)})
        self.step(
            "Competent departments set on {changed} types",
            lambda: {"changed": assign_demo_departments()},
        )
        self.step("Components: {summary}", lambda: summary(load_demo_components(seed, edition)))
        self.step(
            "Demo cases by status: {summary}", lambda: summary(load_demo_cases(seed, edition))
        )
        keys: dict[str, str] = {}
        self.step(
            "Partner systems: {partners} ({new_keys} new), {cameras} cameras",
            lambda: _partners(keys),
        )
        for code, key in keys.items():
            self.stdout.write(f"  partner {code} key (shown only now): {key}")
        if not quiet:
            self.list_accounts()

    def step(self, message: str, load: Callable[[], Mapping[str, Any]]) -> None:
        started = time.monotonic()
        counts = load()
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{message.format(**counts)} ({seconds:.1f} s)."))

    def list_accounts(self) -> None:
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for username, name, role, unit_code, _scope in ACCOUNTS:
            self.stdout.write(f"  {username:<15} {role.label}  [{name}, {unit_code}]")
        self.stdout.write(f"  inspector01 … inspector{INSPECTOR_COUNT:02d}  {Role.INSPECTOR.label}")
        self.stdout.write(
            f"  unit_d01 … unit_d20, unit_s01 … unit_s15, unit_t01, unit_t02  {Role.HANDLER.label}"
        )


def _partners(keys: dict[str, str]) -> Mapping[str, int]:
    counts, new_keys = load_demo_partners()
    keys.update(new_keys)
    return counts


def choose_edition(code: str) -> str:
    """Make `code` the district's edition (Edition.is_current)."""
    edition = Edition.objects.filter(code=code).first()
    if edition is None:
        known = ", ".join(Edition.objects.values_list("code", flat=True))
        raise CommandError(f"no catalogue edition {code}; known editions: {known}")
    edition.make_current()
    return code


def summary(counts: Mapping[str, int]) -> dict[str, str]:
    return {"summary": ", ".join(f"{name} {count}" for name, count in counts.items())}
