"""Partner systems (联动系统) and their keys: 110's non-police diversion, camera / AI / IoT
alarm sources, Open311 clients and the city-level platform. Each partner has its own key; only
its SHA-256 hash is stored (intake/partners/keys.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Channel


class PartnerKind(models.TextChoices):
    POLICE = "police", _("110 non-police diversion (110非警务警情分流)")
    CAMERA = "camera", _("Camera or AI alarms (视频/智能识别)")
    IOT = "iot", _("IoT sensors (物联网感知)")
    CITY = "city", _("City-level platform (市级平台)")
    OPEN311 = "open311", _("Open311 client")


# The channel a partner's reports arrive through.
CHANNEL_OF_KIND = {
    PartnerKind.POLICE: Channel.POLICE,
    PartnerKind.CAMERA: Channel.CAMERA,
    PartnerKind.IOT: Channel.CAMERA,
    PartnerKind.CITY: Channel.CITY,
    PartnerKind.OPEN311: Channel.OPEN311,
}


class Partner(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=PartnerKind.choices)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    prefix = models.CharField(
        _("key prefix"), max_length=16, help_text=_("The start of the key, to recognise it.")
    )
    callback_url = models.URLField(
        _("callback URL"),
        blank=True,
        help_text=_("Status changes of the partner's cases are posted here, signed (HMAC)."),
    )
    # Kept readable: it signs every callback. Shown once, like the key.
    callback_secret = models.CharField(_("callback signing secret"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner system")
        verbose_name_plural = _("partner systems")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def channel(self) -> str:
        return CHANNEL_OF_KIND[PartnerKind(self.kind)]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
