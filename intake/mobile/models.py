"""An inspector's duty (上岗/下岗) and the positions the phone reports while on duty (巡查轨迹).

A shift keeps the last position it heard, so "who is on duty near here" reads one row per
inspector; the pings themselves are the track, read in bulk for patrol coverage.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Shift(models.Model):
    """One stretch of duty of one inspector; open while `ended_at` is empty."""

    person = models.ForeignKey(
        "org.Person", verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="shifts"
    )
    started_at = models.DateTimeField(_("on duty since"))
    ended_at = models.DateTimeField(_("off duty at"), null=True, blank=True)
    # The latest ping of the shift, kept here so the nearest inspectors are one query away.
    last_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    last_lon = models.FloatField(null=True, blank=True)
    last_lat = models.FloatField(null=True, blank=True)
    last_accuracy = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        indexes = [models.Index(fields=["ended_at", "last_at"], name="mobile_shift_open")]
        constraints = [
            # One open shift per inspector: going on duty twice is the same shift.
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_at__isnull=True), name="mobile_one_open_shift"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.started_at:%Y-%m-%d %H:%M}"


class Ping(models.Model):
    """A position of an inspector on duty (WGS84), as the phone measured it."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="pings")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="pings")
    at = models.DateTimeField(_("measured at"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy = models.FloatField(_("accuracy (m)"), null=True, blank=True)

    class Meta:
        verbose_name = _("position ping")
        verbose_name_plural = _("position pings")
        indexes = [
            models.Index(fields=["at"], name="mobile_ping_at"),
            models.Index(fields=["person", "at"], name="mobile_ping_person_at"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.at:%H:%M:%S} {self.lon:.6f},{self.lat:.6f}"
