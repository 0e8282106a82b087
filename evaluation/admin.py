"""The evaluation's weights, score bands and grades, editable here; each change is kept with
who made it (the history button)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluation.models import Band, Grade, Weight


@admin.register(Weight)
class WeightAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "indicator", "percent"]
    list_editable = ["percent"]
    list_filter = ["kind"]


@admin.register(Band)
class BandAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "indicator", "region_class", "limit", "inclusive", "score"]
    list_editable = ["limit", "inclusive", "score"]
    list_filter = ["kind", "indicator", "region_class"]


@admin.register(Grade)
class GradeAdmin(SimpleHistoryAdmin):
    list_display = ["letter", "minimum"]
    list_editable = ["minimum"]
