"""Open311 requests in the admin, read-only: what a partner sent beside the case (attribute
values, the media link, device and account), looked up by case number; the case page shows
the link and the condition chosen."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.admin import ReadOnly
from intake.open311.models import ServiceRequest

SHOWN = (
    *("case", "partner", "service_code", "attributes", "media_link", "email"),
    *("device_id", "account_id", "created_at"),
)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnly):
    list_display = ["case", "service_code", "partner", "created_at", "media_link"]
    list_filter = ["partner"]
    search_fields = ["case__number", "device_id", "account_id"]
    list_select_related = ["case", "partner"]
    fields = readonly_fields = SHOWN

    @admin.display(description=_("media URL"))
    def media_link(self, obj: ServiceRequest) -> str:
        # A link only: the file stays where the reporter put it, never fetched or embedded.
        if not obj.media_url:
            return ""
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>',
            obj.media_url,
            obj.media_url,
        )
