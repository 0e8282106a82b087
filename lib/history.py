"""The first page of an audited model's history (django-simple-history): rows that existed
before their history began get a record of what was in force, so the first edit shows what
it changed from. Used by the migrations that add a history."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


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
