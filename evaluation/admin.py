"""The evaluation's weights, score bands and grades, editable here; each change is kept with
who made it (the history button)."""

from django.contrib import admin
from django.http import HttpRequest

from evaluation.models import Band, EvaluationRun, Grade, SettledMonth, Weight
from lib.history import AuditedAdmin


@admin.register(Weight)
class WeightAdmin(AuditedAdmin):
    list_display = ["kind", "indicator", "percent"]
    list_editable = ["percent"]
    list_filter = ["kind"]


@admin.register(Band)
class BandAdmin(AuditedAdmin):
    list_display = ["kind", "indicator", "region_class", "limit", "inclusive", "score"]
    list_editable = ["limit", "inclusive", "score"]
    list_filter = ["kind", "indicator", "region_class"]


@admin.register(Grade)
class GradeAdmin(AuditedAdmin):
    list_display = ["letter", "minimum"]
    list_editable = ["minimum"]


@admin.register(EvaluationRun)
class EvaluationRunAdmin(admin.ModelAdmin):
    """Who had which evaluation report made, and whether its chain verified: read only."""

    list_display = ["period", "requested_by", "role", "requested_at", "status", "chain_findings"]
    list_filter = ["status", "role"]
    readonly_fields = [field.name for field in EvaluationRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SettledMonth)
class SettledMonthAdmin(admin.ModelAdmin):
    """The settled months: read only; deleting one makes its figures live again until it is
    settled anew (`manage.py evaluate --settle`)."""

    list_display = ["month", "scope", "settled_at"]
    fields = ["month", "scope", "settled_at"]
    readonly_fields = ["month", "scope", "settled_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
