from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from org.models import Membership, Person, Unit


class ChildUnitInline(admin.TabularInline):
    model = Unit
    fk_name = "parent"
    fields = ["code", "name", "kind", "is_active"]
    extra = 0
    verbose_name_plural = _("subordinate units")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [ChildUnitInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["role", "unit", "scope", "is_active"]
    autocomplete_fields = ["unit"]
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "user", "phone", "staff_number"]
    list_filter = ["unit__kind", "memberships__role"]
    search_fields = ["name", "user__username", "phone", "staff_number"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit", "user"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "unit", "scope", "is_active"]
    list_filter = ["role", "scope", "is_active"]
    search_fields = ["person__name", "unit__name"]
    autocomplete_fields = ["person", "unit"]
    list_select_related = ["person", "unit"]


admin.site.site_header = _("UrbanGrid administration")
admin.site.site_title = _("UrbanGrid")
admin.site.index_title = _("Reference data")
