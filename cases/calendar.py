"""Time as data: the working calendar (holidays and make-up working days 调休, the years whose
schedule is complete) and the step limits per urgency. Seeded by migrations 0002 and 0007;
administrators enter each new year's schedule when the State Council publishes it, and change
limits. cases/deadlines.py reads them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Urgency


class Clock(models.TextChoices):
    NATURAL = "natural", _("natural time")
    WORKING = "working", _("working time")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (day off)")
    WORKDAY = "workday", _("Make-up working day (调休上班)")


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a holiday or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=CalendarDayKind.choices)
    note = models.CharField(_("note"), max_length=50, blank=True)

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

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

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

    class Meta:
        app_label = "cases"
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class StageLimit(models.Model):
    """Time allowed for a workflow step other than handling (handling follows the filing
    condition), per urgency: an urgent case's steps run on natural time, day and night.
    Defaults are created by data migrations; administrators change them."""

    stage = models.CharField(_("step"), max_length=12)
    urgency = models.CharField(
        _("urgency"), max_length=6, choices=Urgency.choices, default=Urgency.NORMAL
    )
    minutes = models.PositiveIntegerField(_("minutes"))
    clock = models.CharField(_("clock"), max_length=8, choices=Clock.choices)

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

    class Meta:
        app_label = "cases"
        verbose_name = _("step time limit")
        verbose_name_plural = _("step time limits")
        ordering = ["stage", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "urgency"], name="cases_stage_limit_unique"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="cases_stage_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.stage} ({self.urgency}): {self.minutes} min"
