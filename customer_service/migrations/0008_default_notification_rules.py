from django.db import migrations


def seed(apps, schema_editor):
    from customer_service.notification_defaults import seed_rules

    seed_rules(
        apps.get_model("customer_service", "NotificationRule"), apps.get_model("customer_service", "NotificationText")
    )


class Migration(migrations.Migration):
    dependencies = [("customer_service", "0007_notification_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
