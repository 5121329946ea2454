"""Covering indexes for the report's walk along each conversation's timeline (reports/selectors.py), on PostgreSQL:
the first customer message and the first reply are each one index-only probe, however long the conversation.

Partial, so each holds only the rows it serves: customers' messages, and replies (a person's messages and the
virtual agent's answers). They are the reports' own, kept here next to the queries that need them, because the
second names the virtual agent, which the core's models must not. SQLite (the demo) has no INCLUDE: it goes
without, and the report is still right, only slower on a large database.
"""

from django.db import migrations

# virtual_agent.front_door.VIRTUAL_AGENT, as its messages' content["automated"] records it; a migration keeps the
# value it was written with.
VIRTUAL_AGENT = "virtual_agent"

INDEXES = {
    "reports_first_inbound": "(interaction_id, sequence) INCLUDE (sent_at) WHERE direction = 'inbound'",
    "reports_replies": (
        "(interaction_id, sequence) INCLUDE (sent_at, author_id) WHERE direction = 'outbound' "
        f"AND (author_id IS NOT NULL OR (content -> 'automated') = '\"{VIRTUAL_AGENT}\"'::jsonb)"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("interactions", "Message")._meta.db_table)
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("interactions", "0019_interaction_opened_at_and_failed_message_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
