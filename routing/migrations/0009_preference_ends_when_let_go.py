"""Items queued before a preference ended when its agent let an offer go: a preferred agent who was the last to have
the item (they rejected it or let it time out) is preferred no more, as `_back_to_queue` now records."""

from django.db import migrations
from django.db.models import F


def end_preferences_let_go(apps, schema_editor):
    WorkItem = apps.get_model("routing", "WorkItem")
    WorkItem.objects.filter(state="queued", preferred_agent=F("last_offered_to")).update(preferred_agent=None)


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0008_work_item_queued_at_index"),
    ]

    operations = [
        migrations.RunPython(end_preferences_let_go, migrations.RunPython.noop),
    ]
