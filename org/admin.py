from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lib.history import AuditedAdmin
from org.models import ApiToken, Membership, Person, Unit


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
class MembershipAdmin(AuditedAdmin):
    list_display = ["person", "role", "unit", "scope", "is_active"]
    list_filter = ["role", "scope", "is_active"]
    search_fields = ["person__name", "unit__name"]
    autocomplete_fields = ["person", "unit"]
    list_select_related = ["person", "unit"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `manage.py create_api_token` (the key is shown only there, once);
    here an administrator sees who holds which token and revokes it."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username", "user__person__name"]
    list_select_related = ["user"]
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a revoked token stays on record

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )


admin.site.site_header = _("UrbanGrid administration")
admin.site.site_title = _("UrbanGrid")
admin.site.index_title = _("Reference data")
