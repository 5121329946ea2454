from django.db import migrations


def seed(apps, schema_editor):
    from virtual_agent.defaults import seed_topics_and_commands

    seed_topics_and_commands(
        apps.get_model("virtual_agent", "Topic"),
        apps.get_model("virtual_agent", "Step"),
        apps.get_model("virtual_agent", "CommandLanguage"),
        apps.get_model("virtual_agent", "CommandWord"),
    )


class Migration(migrations.Migration):
    dependencies = [("virtual_agent", "0001_virtual_agent")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
