from django.db import migrations, models


def old_default_to_property(apps, schema_editor):
    """Queues left at the old default (5 minutes, the property's default too) follow the property from now on."""
    apps.get_model("routing", "Queue").objects.filter(waiting_message_interval_minutes=5).update(
        waiting_message_interval_minutes=None
    )


class Migration(migrations.Migration):
    dependencies = [("routing", "0006_work_item_accepted_in_queue_index")]

    operations = [
        migrations.AlterField(
            model_name="queue",
            name="waiting_message_interval_minutes",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The waiting message is sent at most this often to one customer. Empty: the system "
                "property “Queue waiting message interval”.",
                null=True,
            ),
        ),
        migrations.RunPython(old_default_to_property, migrations.RunPython.noop),
    ]
