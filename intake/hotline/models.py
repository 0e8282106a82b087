"""A hotline call (热线来电): who called, when, who took it, and whether the caller wants to
be called back (回访) once the case is closed. The case itself is made by cases/reporting.py;
this row keeps what only the hotline knows. The caller's phone is private: only the
supervision center's desks (the hotline console) show it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CALLER_MAX = 50  # as Case.contact_name
PHONE_MAX = 30  # as Case.contact_phone
NOTE_MAX = 200


class Call(models.Model):
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="hotline_call",
    )
    caller = models.CharField(_("caller"), max_length=CALLER_MAX, blank=True)
    phone = models.CharField(_("caller's phone"), max_length=PHONE_MAX, blank=True)
    received_at = models.DateTimeField(_("received at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    callback_wanted = models.BooleanField(_("callback wanted (回访)"), default=True)
    callback_note = models.CharField(_("callback note"), max_length=NOTE_MAX, blank=True)

    class Meta:
        verbose_name = _("hotline call")
        verbose_name_plural = _("hotline calls")
        ordering = ["-received_at", "-id"]
        indexes = [
            # "My calls today": one acceptor's calls of one day.
            models.Index(fields=["taken_by", "received_at"], name="hotline_taken_received"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_at:%Y-%m-%d %H:%M}"
