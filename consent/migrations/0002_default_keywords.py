"""Seeds the default keywords per language (consent/defaults.py); admins edit them under Consent."""

from django.db import migrations

from consent.defaults import seed_default_keywords


def seed(apps, schema_editor):
    seed_default_keywords(apps.get_model("consent", "KeywordLanguage"), apps.get_model("consent", "ConsentKeyword"))


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_consent_records_and_keywords")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
