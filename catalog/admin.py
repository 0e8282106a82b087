"""Django admin for the catalogue and its filing standards, with the XLSX export and import.

Administrators add local extension types (扩展事件) here without code changes. Any change to a
type's filing conditions makes them the city's own (catalog.loading.claim_conditions), so
reloading the shipped catalogue leaves them alone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.limits import limit_text
from catalog.loading import claim_conditions
from catalog.models import CaseType, Crosswalk, Edition, FilingCondition, MajorClass, RoutingRule
from catalog.routing import scope_text
from catalog.xlsx import ImportResult, export_standard, import_standard
from lib.history import AuditedAdmin

MAX_STANDARD_FILE_BYTES = 10 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_PERMISSIONS = (
    "catalog.add_filingcondition",
    "catalog.change_filingcondition",
    "catalog.delete_filingcondition",
    "catalog.add_casetype",
)


@admin.display(description=gettext_lazy("handling limit"))
def limit_display(condition: FilingCondition) -> str:
    return limit_text(condition.limit_value, condition.limit_unit, condition.urgency)


class StandardImportForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=gettext_lazy("Edition"), queryset=Edition.objects.all(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("Filing standard (.xlsx)"),
        help_text=gettext_lazy(
            "Columns 大类代码, 大类名称, 小类代码, 小类名称, 立案标准, 完成时限, 结案标准, "
            "责任单位, optionally 类别, 立案区域, 紧急程度."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only, write nothing"), required=False, initial=True
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STANDARD_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_STANDARD_FILE_BYTES >> 20}
            )
        return upload


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "type_code_length", "is_current", "type_count", "export_link"]
    change_list_template = "admin/catalog/edition/change_list.html"
    # Only one edition is current: the action switches it, a checkbox could not.
    readonly_fields = ["is_current"]
    actions = ["make_current"]

    @admin.action(description=gettext_lazy("Make it the district's edition"))
    def make_current(self, request: HttpRequest, queryset: QuerySet[Edition]) -> None:
        if queryset.count() != 1:
            messages.error(request, _("Choose exactly one edition."))
            return
        edition = queryset.get()
        edition.make_current()
        messages.success(
            request, _("%(edition)s is now the district's edition.") % {"edition": edition}
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Edition]:
        return super().get_queryset(request).annotate(type_count=Count("majors__types"))

    @admin.display(description=gettext_lazy("types"), ordering="type_count")
    def type_count(self, obj: Any) -> int:
        return int(obj.type_count)

    @admin.display(description=gettext_lazy("filing standard"))
    def export_link(self, obj: Edition) -> str:
        url = reverse("admin:catalog_edition_export", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Export XLSX"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/export/",
                self.admin_site.admin_view(self.export_view),
                name="catalog_edition_export",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalog_edition_import",
            ),
        ]
        return own + super().get_urls()

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("catalog.view_filingcondition"):
            raise PermissionDenied
        edition = get_object_or_404(Edition, pk=pk)
        response = HttpResponse(export_standard(edition), content_type=XLSX_TYPE)
        name = f"filing-standard-{edition.code}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not all(request.user.has_perm(p) for p in IMPORT_PERMISSIONS):
            raise PermissionDenied
        result: ImportResult | None = None
        form = StandardImportForm(
            request.POST or None,
            request.FILES or None,
            initial={"edition": Edition.objects.filter(is_current=True).first()},
        )
        if request.method == "POST" and form.is_valid():
            result = self._run_import(request, form)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a filing standard"),
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "counts": sorted(result.counts.items()) if result else [],
        }
        return TemplateResponse(request, "admin/catalog/edition/import.html", context)

    def _run_import(self, request: HttpRequest, form: StandardImportForm) -> ImportResult:
        data = form.cleaned_data
        result = import_standard(data["edition"], data["file"].read(), dry_run=data["dry_run"])
        if result.written:
            messages.success(request, _("The filing standard was imported."))
        elif result.ok:
            messages.info(request, _("The file passed every check; nothing was written."))
        else:
            messages.error(request, _("The file has errors; nothing was written."))
        return result


@admin.register(MajorClass)
class MajorClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "edition"]
    list_filter = ["edition", "kind"]
    search_fields = ["code", "name"]
    list_select_related = ["edition"]


class FilingConditionInline(admin.StackedInline):
    model = FilingCondition
    extra = 0
    fields = [
        ("position", "area_class", "urgency", "limit_value", "limit_unit"),
        "condition",
        "closing_condition",
        ("responsible_text", "is_default"),
        "source",
    ]
    # Conditions are a sentence or two: keep the inline compact.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class CaseTypeForm(forms.ModelForm):
    class Meta:
        model = CaseType
        fields = ["major", "code", "name", "is_extension", "is_active", "default_department"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        major, code = data.get("major"), data.get("code")
        if major is not None and code:
            digits = major.edition.type_code_length
            if not (code.isdigit() and len(code) == digits and code.startswith(major.code)):
                self.add_error(
                    "code",
                    _("Write %(digits)d digits beginning with the major class code %(major)s.")
                    % {"digits": digits, "major": major.code},
                )
        return data


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    form = CaseTypeForm
    list_display = [
        "code", "name", "major", "edition", "kind", "is_extension", "is_active",
        "default_department", "condition_count",
    ]  # fmt: skip
    list_filter = ["major__edition", "major__kind", "is_extension", "is_active", "major"]
    search_fields = ["code", "name"]
    list_select_related = ["major__edition", "default_department"]
    autocomplete_fields = ["major", "default_department"]
    inlines = [FilingConditionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseType]:
        return super().get_queryset(request).annotate(condition_count=Count("conditions"))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # Types the standard lacks are the ones an administrator adds.
        return {"is_extension": True, **super().get_changeform_initial_data(request)}

    @admin.display(description=gettext_lazy("edition"), ordering="major__edition")
    def edition(self, obj: CaseType) -> Edition:
        return obj.major.edition

    @admin.display(description=gettext_lazy("kind"), ordering="major__kind")
    def kind(self, obj: CaseType) -> str:
        return obj.major.get_kind_display()

    @admin.display(description=gettext_lazy("filing conditions"), ordering="condition_count")
    def condition_count(self, obj: Any) -> int:
        return int(obj.condition_count)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            claim_conditions(form.instance)


class CrosswalkForm(forms.ModelForm):
    class Meta:
        model = Crosswalk
        fields = ["legacy_type", "current_type", "basis", "is_judgement", "note"]


@admin.register(Crosswalk)
class CrosswalkAdmin(admin.ModelAdmin):
    """Legacy code → current type, as shipped and reviewed; a change makes the row local."""

    form = CrosswalkForm
    list_display = [
        "legacy_code", "legacy_name", "kind", "current_type", "basis", "is_judgement",
        "is_shipped", "note",
    ]  # fmt: skip
    list_filter = ["legacy_type__major__kind", "basis", "is_judgement", "is_shipped"]
    search_fields = ["legacy_type__code", "legacy_type__name", "current_type__code",
                     "current_type__name"]  # fmt: skip
    list_select_related = ["legacy_type__major", "current_type"]
    autocomplete_fields = ["legacy_type", "current_type"]

    @admin.display(description=gettext_lazy("legacy code"), ordering="legacy_type__code")
    def legacy_code(self, obj: Crosswalk) -> str:
        return obj.legacy_type.code

    @admin.display(description=gettext_lazy("legacy name"), ordering="legacy_type__name")
    def legacy_name(self, obj: Crosswalk) -> str:
        return obj.legacy_type.name

    @admin.display(description=gettext_lazy("kind"), ordering="legacy_type__major__kind")
    def kind(self, obj: Crosswalk) -> str:
        return obj.legacy_type.major.get_kind_display()

    def save_model(self, request: HttpRequest, obj: Crosswalk, form: Any, change: bool) -> None:
        obj.is_shipped = False  # the city's row now: reloads leave it alone
        super().save_model(request, obj, form, change)


@admin.register(FilingCondition)
class FilingConditionAdmin(AuditedAdmin):
    list_display = [
        "case_type", "short_condition", limit_display, "urgency", "is_default", "source",
    ]  # fmt: skip
    list_filter = [
        "case_type__major__edition", "case_type__major__kind", "urgency", "limit_unit",
        "is_default",
    ]  # fmt: skip
    search_fields = ["case_type__code", "case_type__name", "condition"]
    list_select_related = ["case_type"]
    autocomplete_fields = ["case_type"]

    @admin.display(description=gettext_lazy("filing condition (立案条件)"))
    def short_condition(self, obj: FilingCondition) -> str:
        return obj.condition if len(obj.condition) <= 40 else obj.condition[:40] + "…"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if form.has_changed():
            claim_conditions(obj.case_type)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        case_type = obj.case_type
        super().delete_model(request, obj)
        claim_conditions(case_type)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        types = list(CaseType.objects.filter(conditions__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for case_type in types:
            claim_conditions(case_type)


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "case_type",
            "street",
            "community",
            "grids",
            "priority",
            "unit",
            "is_active",
            "note",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scopes = [bool(data.get("street")), bool(data.get("community")), bool(data.get("grids"))]
        if sum(scopes) > 1:
            raise forms.ValidationError(
                _("Give one area: a street, a community or a set of unit grids, or none for the "
                  "whole district.")
            )  # fmt: skip
        unit = data.get("unit")
        if unit is not None and not unit.is_active:
            self.add_error("unit", _("This unit is no longer active."))
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    """派遣规则: which unit a type goes to, optionally only in one area (先属主、后属地)."""

    form = RoutingRuleForm
    list_display = ["case_type", "area", "unit", "priority", "is_active", "note"]
    list_filter = ["is_active", "case_type__major__edition", "case_type__major__kind"]
    search_fields = ["case_type__code", "case_type__name", "unit__name", "note"]
    list_select_related = ["case_type", "unit", "street", "community"]
    autocomplete_fields = ["case_type", "street", "community", "grids", "unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoutingRule]:
        return super().get_queryset(request).prefetch_related("grids")

    @admin.display(description=gettext_lazy("area"))
    def area(self, obj: RoutingRule) -> str:
        return scope_text(obj)
