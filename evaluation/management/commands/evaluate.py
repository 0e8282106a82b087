"""`manage.py evaluate --period 2026-10 [--format xlsx|text] [--out FILE]`: a period's
evaluation (STANDARDS.md §5) for every region, unit and post, with the audit chain checked.

`--settle` settles the month first (evaluation/settlement.py); without `--period` it settles
every month that may be and is not, and stops: run it daily from cron."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from evaluation.periods import Period
from evaluation.report import Report, build_report
from evaluation.settlement import settle, unsettled
from evaluation.xlsx import workbook_bytes
from org.access import Refusal
from org.models import DataScope


class Command(BaseCommand):
    help = "Evaluate a period: every region, unit and post, as XLSX or text."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="2026-10, 2026, 2026-10-05 or a..b")
        parser.add_argument(
            "--settle",
            action="store_true",
            help="settle the month first (without --period: every month due, then stop)",
        )
        parser.add_argument("--format", choices=["xlsx", "text"], default="text")
        parser.add_argument("--out", type=Path, help="the file to write (XLSX needs one)")
        parser.add_argument("--no-verify", action="store_true", help="skip the audit chain")
        parser.add_argument("--language", default="zh-hans", help="labels' language")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["period"] is None:
            if not options["settle"]:
                raise CommandError("give --period (or --settle alone to settle the months due)")
            for month, scopes in unsettled():
                self.settle_month(month, scopes)
            return
        try:
            period = Period.parse(options["period"])
            if options["settle"]:
                self.settle_month(period)
        except Refusal as refusal:
            raise CommandError(refusal.message) from refusal
        if options["format"] == "xlsx" and options["out"] is None:
            raise CommandError("--format xlsx needs --out FILE")
        with translation.override(options["language"]):
            report = build_report(period, verify=not options["no_verify"])
            if options["format"] == "xlsx":
                options["out"].write_bytes(workbook_bytes(report))
                self.stdout.write(f"wrote {options['out']}")
            else:
                self.stdout.write(as_text(report))
        if report.chain is not None and not report.chain.verifies:
            raise CommandError(f"the audit chain is broken: {len(report.chain.findings)} findings")

    def settle_month(self, month: Period, scopes: list[DataScope | None] | None = None) -> None:
        started = time.monotonic()
        settled = settle(month, scopes=scopes)
        over = ", ".join(s.scope or "district" for s in settled)
        self.stdout.write(f"settled {month.label} over {over} ({time.monotonic() - started:.1f} s)")


def as_text(report: Report) -> str:
    h = report.headline
    lines = [f"period {report.period.label}"]
    lines.append(
        f"filed {h.filed}, closed {h.handled}, discovery {pct(h.discovery_rate)}, "
        f"handling rate {pct(h.handling_rate)}, on time {pct(h.on_time_rate)}, "
        f"public reports {h.public_calls}"
    )
    for kind, rows in report.tables.items():
        scored = [row for row in rows if row.score is not None]
        grades = {g: sum(1 for row in scored if row.grade == g) for g in "ABCDE"}
        lines.append(f"{kind}: {len(rows)} evaluated, grades {grades}")
        for row in scored[:3]:
            lines.append(f"  {row.name}: {row.score:.1f} {row.grade}")
    if report.chain is not None:
        verdict = "verifies" if report.chain.verifies else "BROKEN"
        lines.append(f"audit chain of {report.chain.cases} cases: {verdict}")
    return "\n".join(lines)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
