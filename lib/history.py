"""The first page of an audited model's history (django-simple-history): rows that existed
before their history began get a record of what was in force, so the first edit shows what
it changed from. Used by the migrations that add a history; `AuditedAdmin` is the admin of
every audited model."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin


def snapshot_existing(app_label: str, *names: str) -> Any:
    """A RunPython function recording every existing row of the models `names`."""

    def snapshot(apps: Any, schema_editor: Any) -> None:
        now = timezone.now()
        for name in names:
            model = apps.get_model(app_label, name)
            history = apps.get_model(app_label, f"Historical{name}")
            fields = [field.attname for field in model._meta.concrete_fields]
            history.objects.bulk_create(
                history(
                    **{field: getattr(row, field) for field in fields},
                    history_date=now,
                    history_type="+",
                    history_change_reason="in force when the history began",
                )
                for row in model.objects.iterator()
            )

    return snapshot


class AuditedAdmin(SimpleHistoryAdmin):
    """The admin of an audited model: its History pages refuse a malformed address like the
    change page does (simple-history answered 500), and a save that changed nothing adds no
    empty record to the history."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if not is_key(self.model._meta.pk, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if not (is_key(self.model._meta.pk, object_id) and version_id.isdigit()):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and not form.has_changed():
            obj.skip_history_when_saving = True
        try:
            super().save_model(request, obj, form, change)
        finally:
            obj.__dict__.pop("skip_history_when_saving", None)


def is_key(field: Any, text: str) -> bool:
    try:
        field.to_python(unquote(text))
    except ValidationError:
        return False
    return True
