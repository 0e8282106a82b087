"""Step limits per urgency: the new acceptance step (受理) and the urgent defaults, which run on
natural time. Rows an administrator has already edited are kept."""

from django.db import migrations

ADDED = {
    ("accept", "normal"): (30, "working"),
    ("accept", "urgent"): (10, "natural"),
    ("verify", "urgent"): (30, "natural"),
    ("file", "urgent"): (15, "natural"),
    ("dispatch", "urgent"): (10, "natural"),
    ("sign", "urgent"): (15, "natural"),
    ("send_check", "urgent"): (10, "natural"),
    ("check", "urgent"): (30, "natural"),
    ("close", "urgent"): (30, "natural"),
    ("urge_reply", "normal"): (420, "working"),
    ("urge_reply", "urgent"): (60, "natural"),
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    stage_limit = apps.get_model("cases", "StageLimit")
    stage_limit.objects.bulk_create(
        [
            stage_limit(stage=stage, urgency=urgency, minutes=minutes, clock=clock)
            for (stage, urgency), (minutes, clock) in ADDED.items()
        ],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    stage_limit = apps.get_model("cases", "StageLimit")
    for stage, urgency in ADDED:
        stage_limit.objects.filter(stage=stage, urgency=urgency).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_core_made_whole")]

    operations = [migrations.RunPython(seed, unseed)]
