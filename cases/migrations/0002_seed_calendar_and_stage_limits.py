"""Seed the working calendar from chinese-calendar and the default step limits.

Every year chinese-calendar knows gets its holidays and make-up working days and is marked
complete; later years are entered by administrators as the State Council publishes them.
"""


from django.db import migrations

STAGE_LIMITS = {
    "file": (60, "working"),
    "verify": (30, "natural"),
    "dispatch": (30, "working"),
    "sign": (60, "working"),
    "send_check": (30, "working"),
    "check": (30, "natural"),
    "close": (60, "working"),
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from chinese_calendar import constants as china

    calendar_day = apps.get_model("cases", "CalendarDay")
    calendar_year = apps.get_model("cases", "CalendarYear")
    stage_limit = apps.get_model("cases", "StageLimit")
    days = [
        calendar_day(date=day, kind="holiday", note=holiday)
        for day, holiday in china.holidays.items()
        if day.weekday() < 5
    ] + [
        calendar_day(date=day, kind="workday", note=holiday)
        for day, holiday in china.workdays.items()
    ]
    calendar_day.objects.bulk_create(days, ignore_conflicts=True)
    years = sorted({day.year for day in china.holidays})
    calendar_year.objects.bulk_create(
        [calendar_year(year=year, source="chinese-calendar") for year in years],
        ignore_conflicts=True,
    )
    stage_limit.objects.bulk_create(
        [stage_limit(stage=s, minutes=m, clock=c) for s, (m, c) in STAGE_LIMITS.items()],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
