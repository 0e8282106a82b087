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


class Camera(models.Model):
    """A registered video camera (视频监控点). An alarm naming it is located at the camera."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # CGCS2000 longitude / latitude (≈ WGS84), like every stored position.
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    snapshot_url = models.URLField(_("snapshot URL"), blank=True)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner system"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cameras",
        help_text=_("The camera or AI platform that sends its alarms, if any."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Incident(models.Model):
    """A partner's incident (警情/告警/转办件) and the case it became: the partner's own id is
    unique per partner, which makes a resent incident answer with the same case."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner system"), on_delete=models.PROTECT)
    incident_id = models.CharField(_("partner's incident id"), max_length=64)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="partner_incidents",
    )
    # SHA-256 of what the incident said: a resend with other content is refused.
    digest = models.CharField(_("content digest"), max_length=64)
    camera = models.ForeignKey(
        Camera, verbose_name=_("camera"), on_delete=models.SET_NULL, null=True, blank=True
    )
    snapshot_url = models.URLField(_("snapshot URL"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("partner incident")
        verbose_name_plural = _("partner incidents")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "incident_id"], name="partners_incident_once_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner.code}:{self.incident_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Given up (dead letter)")


class Delivery(models.Model):
    """One status push to a partner's callback URL (the outbox). Written when a case changes,
    sent later by `manage.py deliver_partner_callbacks`, never inside the request."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner system"), on_delete=models.CASCADE)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    verb = models.CharField(_("action"), max_length=24)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    dead_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("callback delivery")
        verbose_name_plural = _("callback deliveries")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="partners_delivery_due",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner.code} {self.verb} #{self.pk}"
