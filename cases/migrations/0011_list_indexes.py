"""Indexes for the consoles' queues at a million cases (benchmarks/console_lists.py): the cases
waiting for a decision, the closed public reports not called back yet, the urged cases. All
are partial: a new report's insert does not touch them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_event_at_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("pending_request", ""), _negated=True),
                fields=["pending_request"],
                name="cases_pending",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("channel__in", ["app", "hotline", "open311", "police", "web"]),
                    ("satisfaction", ""),
                    ("status", "closed"),
                ),
                fields=["due_at", "created_at", "id"],
                name="cases_to_call_back",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("urge_due_at__isnull", False)),
                fields=["responsible_unit"],
                name="cases_urged",
            ),
        ),
    ]
