"""Django admin for the component inventory.

Positions are entered as longitude/latitude in a chosen coordinate system (geo.admin's
PositionForm). The status is set when a component is added; afterwards it changes only
through change_status, from the "change status to" field, which records who, when and why.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from components.models import Component, ComponentStatus, ComponentStatusChange, change_status
from geo.admin import PositionForm

COMMON_FIELDS = [
    "case_type",
    "name",
    "lon",
    "lat",
    "crs",
    "department",
    "owner",
    "maintainer",
    "initial_date",
    "changed_date",
    "data_source",
    "location_text",
    "notes",
    "attributes",
]


class ComponentForm(PositionForm):
    new_status = forms.ChoiceField(
        label=gettext_lazy("change status to"),
        choices=[("", "—"), *ComponentStatus.choices],
        required=False,
    )
    status_reason = forms.CharField(
        label=gettext_lazy("reason for the change"), max_length=200, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        new_status = data.get("new_status")
        if new_status and self.instance.pk and new_status == self.instance.status:
            self.add_error("new_status", _("The component already has this status."))
        return data


class StatusChangeInline(admin.TabularInline):
    model = ComponentStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = ["changed_at", "from_status", "to_status", "changed_by", "reason"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history is written by change_status only


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    form = ComponentForm
    list_display = ["identifier", "name", "case_type", "status", "street", "grid", "department"]
    list_filter = ["case_type__major", "status", "street"]
    search_fields = ["identifier", "name"]
    list_select_related = ["case_type", "street", "grid", "department"]
    inlines = [StatusChangeInline]
    list_per_page = 50

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is None:
            return ["identifier", *COMMON_FIELDS, "status"]
        return ["identifier", "status", "new_status", "status_reason", "grid", *COMMON_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if obj is None else ("identifier", "status", "grid")

    def save_model(self, request: HttpRequest, obj: Component, form: Any, change: bool) -> None:
        obj.save()
        new_status = form.cleaned_data.get("new_status")
        if change and new_status:
            user = request.user if request.user.is_authenticated else None
            change_status(obj, new_status, user, form.cleaned_data.get("status_reason", ""))
