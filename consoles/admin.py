"""The record of case exports, read only: it is an audit trail."""

from __future__ import annotations

from django.contrib import admin

from cases.admin import ReadOnly
from consoles.models import CaseExport


@admin.register(CaseExport)
class CaseExportAdmin(ReadOnly):
    list_display = ["created_at", "user", "role", "format", "rows"]
    list_filter = ["format", "role"]
    date_hierarchy = "created_at"
