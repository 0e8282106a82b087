"""Duty shifts and position pings in the back office: facts recorded by the phones, to read
and never to edit (an administrator may close a shift left open, by its end time only)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Ping, Shift


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ("person", "started_at", "ended_at", "last_at")
    list_filter = ("ended_at",)
    search_fields = ("person__name", "person__user__username")
    date_hierarchy = "started_at"
    list_select_related = ("person",)
    readonly_fields = ("person", "started_at", "last_at", "last_lon", "last_lat", "last_accuracy")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Ping)
class PingAdmin(admin.ModelAdmin):
    list_display = ("person", "at", "lon", "lat", "accuracy")
    search_fields = ("person__name", "person__user__username")
    date_hierarchy = "at"
    list_select_related = ("person",)
    show_full_result_count = False  # millions of rows: counting them all is slow

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
