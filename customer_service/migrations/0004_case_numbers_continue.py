"""Numbers now come from a counter; it starts after the highest number cases already have. Existing cases get
their opening in the history, as every new one does."""

from django.db import migrations


def continue_numbering(apps, schema_editor):
    Case = apps.get_model("customer_service", "Case")
    NumberSequence = apps.get_model("customer_service", "NumberSequence")
    CaseStateChange = apps.get_model("customer_service", "CaseStateChange")
    numbers = [int(number[2:]) for number in Case.objects.values_list("number", flat=True) if number[2:].isdigit()]
    if numbers:
        NumberSequence.objects.update_or_create(prefix="CS", defaults={"last_value": max(numbers)})
    for case in Case.objects.filter(history__isnull=True):
        CaseStateChange.objects.create(case=case, from_state="", to_state=case.state)


class Migration(migrations.Migration):
    dependencies = [("customer_service", "0003_contacts_knowledge_catalog_and_case_history")]

    operations = [migrations.RunPython(continue_numbering, migrations.RunPython.noop)]
