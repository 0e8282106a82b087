from django.db import migrations, models


def fill_warn_at(apps, schema_editor):
    """Cases with a running step get the moment their light turns yellow."""
    from cases.deadlines import warning_time  # today's calendar: the one their deadlines used

    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(due_at__isnull=False).only(
        "step_started_at", "due_at", "step_clock"
    ).iterator():
        case.warn_at = warning_time(case.step_started_at, case.due_at, case.step_clock)
        case.save(update_fields=["warn_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="warn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="light turns yellow"),
        ),
        migrations.RunPython(fill_warn_at, migrations.RunPython.noop),
    ]
