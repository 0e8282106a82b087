"""Administration of the working calendar and step limits; cases and events read-only here
(cases change only through the workflow)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cases.calendar import CalendarDay, CalendarYear, StageLimit
from cases.models import Case, CaseEvent
from lib.history import AuditedAdmin


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("sequence", "at", "verb", "actor", "role", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ["number", "status", "case_type", "street", "responsible_unit", "due_at"]
    list_filter = ["status", "channel", "street", "closing_type", "exempt"]
    search_fields = ["number", "description", "address"]
    list_select_related = ["case_type", "street", "responsible_unit"]
    date_hierarchy = "created_at"
    inlines = [EventInline]


@admin.register(StageLimit)
class StageLimitAdmin(AuditedAdmin):
    list_display = ["stage", "urgency", "minutes", "clock"]
    list_editable = ["minutes", "clock"]
    list_filter = ["urgency"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["note"]


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    list_display = ["year", "source"]
