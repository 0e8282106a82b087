"""The admin of partner systems, cameras, incidents and the callback outbox. Keys are never
shown: only the start of each (its prefix); a partner is added with `manage.py create_partner`,
which prints the key once."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from intake.partners.delivery import requeue
from intake.partners.models import Camera, Delivery, DeliveryStatus, Incident, Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "prefix", "callback_url", "created_at", "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name"]
    fields = ["code", "name", "kind", "prefix", "callback_url", "created_at", "revoked_at"]
    # The callback URL goes with a signing secret shown once: both by manage.py create_partner.
    readonly_fields = ["code", "kind", "prefix", "callback_url", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the key is made and shown once by manage.py create_partner

    def has_delete_permission(self, request: HttpRequest, obj: Partner | None = None) -> bool:
        return False  # revoke instead: incidents and deliveries keep their partner

    @admin.action(description=_("Revoke the selected partners' keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        message = ngettext("%(n)d partner revoked.", "%(n)d partners revoked.", count)
        self.message_user(request, message % {"n": count}, messages.SUCCESS)


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "partner", "lon", "lat", "is_active"]
    list_filter = ["is_active", "partner"]
    search_fields = ["code", "name"]
    list_select_related = ["partner"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["incident_id", "partner", "case", "camera", "received_at"]
    list_filter = ["partner"]
    search_fields = ["incident_id", "case__number"]
    list_select_related = ["partner", "case", "camera"]
    readonly_fields = [f.name for f in Incident._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox; filter by status "Given up" for the dead letters and re-queue them."""

    list_display = [
        *("id", "partner", "case", "verb", "status", "attempts"),
        *("next_attempt_at", "delivered_at", "dead_at", "last_error"),
    ]
    list_filter = ["status", "partner"]
    search_fields = ["case__number"]
    list_select_related = ["partner", "case"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["requeue_dead"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Re-queue the selected dead letters"))
    def requeue_dead(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = requeue(queryset.filter(status=DeliveryStatus.DEAD))
        message = ngettext("%(n)d delivery re-queued.", "%(n)d deliveries re-queued.", count)
        self.message_user(request, message % {"n": count}, messages.SUCCESS)
