"""What an Open311 request says beyond the case it became: the partner that posted it, the
client's token, the service code and attribute values it chose, a media link and the
reporter's e-mail. The case itself holds the description, position and the contact's name and
phone (private); this row is written in the same transaction as the case."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceRequest(models.Model):
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="open311_request",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner system"),
        on_delete=models.PROTECT,
        related_name="open311_requests",
    )
    # GeoReport v2 tokens/{token}: a client that lost the answer asks for its request by it.
    token = models.CharField(_("token"), max_length=32, unique=True)
    service_code = models.CharField(_("service code"), max_length=20)
    attributes = models.JSONField(_("attribute values"), default=dict, blank=True)
    # Kept as the client sent it and shown as a link: never fetched by the server.
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    email = models.EmailField(_("reporter's e-mail"), blank=True)  # private, like the phone
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("Open311 service request")
        verbose_name_plural = _("Open311 service requests")

    def __str__(self) -> str:
        return f"{self.service_code} → {self.case_id}"
