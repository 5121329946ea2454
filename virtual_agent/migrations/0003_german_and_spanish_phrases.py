from django.db import migrations


def fill(apps, schema_editor):
    from virtual_agent.defaults import fill_phrases

    fill_phrases(apps.get_model("virtual_agent", "CommandLanguage"))


class Migration(migrations.Migration):
    dependencies = [("virtual_agent", "0002_default_topics_and_commands")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
