from django.db import migrations


def seed(apps, schema_editor):
    from evaluation.defaults import seed_defaults

    seed_defaults(
        apps.get_model("evaluation", "Weight"),
        apps.get_model("evaluation", "Band"),
        apps.get_model("evaluation", "Grade"),
    )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_weights_bands_grades")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
