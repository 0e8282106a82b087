import sys
import time
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from simulate.simulation import engine
from simulate.simulation.figures import measure, simulated_cases
from simulate.simulation.knobs import PRESETS


class Command(BaseCommand):
    help = (
        "Simulate the district's last N days through the real workflow: problems occur, "
        "inspectors patrol, the public calls, the centres and units handle. Ends now; prints "
        "the seed's headline figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, required=True, help="how many days, ending now")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--preset", choices=sorted(PRESETS), default="after", help="knobs (default after)"
        )
        parser.add_argument("--inspectors", type=int, help="inspectors on patrol (after: 45)")
        parser.add_argument("--problems-per-day", type=float, help="problems a day")
        parser.add_argument(
            "--slow-unit", default="", help="what-if: a unit code that works slower"
        )
        parser.add_argument(
            "--slow-factor", type=float, default=4.0, help="how much slower (default 4)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when a simulated history is already there (for make run)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: object, **options: object) -> None:
        days = int(options["days"])  # type: ignore[call-overload]
        if days < 1:
            raise CommandError("--days must be at least 1")
        if options["if_empty"] and simulated_cases().exists():
            self.stdout.write("A simulated history is already there: nothing to do.")
            return
        knobs = PRESETS[str(options["preset"])]
        changes: dict[str, object] = {"slow_unit": options["slow_unit"]}
        changes["slow_factor"] = options["slow_factor"]
        if options["inspectors"] is not None:
            changes["inspectors"] = options["inspectors"]
        if options["problems_per_day"] is not None:
            changes["problems_per_day"] = options["problems_per_day"]
        knobs = knobs.but(**changes)
        seed = int(options["seed"])  # type: ignore[call-overload]
        end = timezone.now()
        start = end - timedelta(days=days)
        began = time.monotonic()
        sim = engine.build(knobs, seed=seed, start=start, end=end)
        progress = None if options["quiet"] else Bar(start, end).show
        engine.run(sim, progress=progress)
        if progress is not None:
            sys.stderr.write("\n")
        seconds = time.monotonic() - began
        figures = measure(sim.problems, seed=seed, start=start, end=end)
        self.stdout.write(
            f"Simulated {days} days ({options['preset']}, seed {seed}, "
            f"{len(sim.inspectors)} inspectors) in {seconds:.0f} s:"
        )
        for name, value in figures.rows():
            self.stdout.write(f"  {name:<44} {value}")


class Bar:
    """A simple progress bar on stderr, redrawn once a simulated day."""

    WIDTH = 40

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start, self.end = start, end

    def show(self, now: datetime) -> None:
        done = (now - self.start) / (self.end - self.start)
        filled = int(done * self.WIDTH)
        day = (now - self.start).days
        total = (self.end - self.start).days
        bar = "#" * filled + "." * (self.WIDTH - filled)
        sys.stderr.write(f"\r[{bar}] {100 * done:5.1f} % day {day}/{total}")
        sys.stderr.flush()
