"""The working calendar as data: holidays and make-up working days (调休), and the years whose
schedule is complete. Seeded from chinese-calendar (migration 0002); administrators enter each
new year's schedule when the State Council publishes it. cases/deadlines.py reads it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (day off)")
    WORKDAY = "workday", _("Make-up working day (调休上班)")


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a holiday or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=CalendarDayKind.choices)
    note = models.CharField(_("note"), max_length=50, blank=True)

    class Meta:
        app_label = "cases"
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class CalendarYear(models.Model):
    """A year whose holiday schedule is complete in CalendarDay."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        app_label = "cases"
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
