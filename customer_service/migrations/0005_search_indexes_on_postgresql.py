"""PostgreSQL only: pg_trgm, and the indexes search uses (customer_service/ranking/postgresql.py states the
same expressions; keep them equal or the planner cannot use these). SQLite has no use for them. Unapplying drops
the indexes but leaves the extension, which something else may use (Django's TrigramExtension would drop it, and
fails on SQLite)."""

from django.db import migrations

INDEXES = {
    "knowledge_article_search": (
        "customer_service_knowledgearticle",
        "USING gin ((setweight(to_tsvector('english'::regconfig, title), 'A') || "
        "setweight(to_tsvector('english'::regconfig, keywords), 'A') || "
        "setweight(to_tsvector('english'::regconfig, body), 'C')))",
    ),
    "community_question_search": (
        "customer_service_communityquestion",
        "USING gin ((setweight(to_tsvector('english'::regconfig, title), 'A') || "
        "setweight(to_tsvector('english'::regconfig, body), 'B')))",
    ),
    "community_answer_search": (
        "customer_service_communityanswer",
        "USING gin ((setweight(to_tsvector('english'::regconfig, body), 'C'))) WHERE is_accepted",
    ),
    "knowledge_article_title_trigrams": ("customer_service_knowledgearticle", "USING gin (title gin_trgm_ops)"),
    "community_question_title_trigrams": ("customer_service_communityquestion", "USING gin (title gin_trgm_ops)"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, definition) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customer_service", "0004_case_numbers_continue")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
