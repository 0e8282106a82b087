from django.contrib import admin

from evaluation.models import Band, Grade, Weight


@admin.register(Weight)
class WeightAdmin(admin.ModelAdmin):
    list_display = ["kind", "indicator", "percent"]
    list_editable = ["percent"]
    list_filter = ["kind"]


@admin.register(Band)
class BandAdmin(admin.ModelAdmin):
    list_display = ["kind", "indicator", "region_class", "limit", "inclusive", "score"]
    list_editable = ["limit", "inclusive", "score"]
    list_filter = ["kind", "indicator", "region_class"]


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["letter", "minimum"]
    list_editable = ["minimum"]
