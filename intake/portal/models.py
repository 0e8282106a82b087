"""What the portal keeps of its own: the receipt of a public report, holding only the hash of
the tracking code (查询码) that was shown to the reporter once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case


class Receipt(models.Model):
    """The tracking code of a case reported on the portal. The code itself is never stored:
    whoever shows the number and a code whose hash matches acts on that case as the public."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="portal_receipt"
    )
    code_hash = models.CharField(_("tracking code hash"), max_length=64)
    created_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("portal receipt")
        verbose_name_plural = _("portal receipts")

    def __str__(self) -> str:
        return str(self.case_id)
