"""Cases grow into customer service: `title` becomes the short description and the states are the issue's
(in progress → open, awaiting customer → awaiting info)."""

from django.db import migrations, models

RENAMED_STATES = {"in_progress": "open", "awaiting_customer": "awaiting_info"}


def rename_states(apps, schema_editor):
    Case = apps.get_model("customer_service", "Case")
    for old, new in RENAMED_STATES.items():
        Case.objects.filter(state=old).update(state=new)


def restore_states(apps, schema_editor):
    Case = apps.get_model("customer_service", "Case")
    for old, new in RENAMED_STATES.items():
        Case.objects.filter(state=new).update(state=old)


class Migration(migrations.Migration):
    dependencies = [("customer_service", "0001_cases")]

    operations = [
        migrations.RenameField("case", "title", "short_description"),
        migrations.AlterField("case", "short_description", models.CharField(max_length=160)),
        migrations.RunPython(rename_states, restore_states),
    ]
