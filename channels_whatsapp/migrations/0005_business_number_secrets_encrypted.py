"""Business numbers' secrets encrypted at rest; the reverse writes them back in plain text."""

from django.db import migrations

import interactions.encrypted_fields
from interactions.encrypted_fields import decrypt, encrypt

SECRETS = ("access_token", "app_secret", "verify_token")


def _rewrite(apps, schema_editor, transform) -> None:
    """Raw SQL: the ORM would decrypt on read, which plain values cannot survive."""
    table = schema_editor.quote_name(apps.get_model("channels_whatsapp", "BusinessNumber")._meta.db_table)
    columns = ", ".join(schema_editor.quote_name(name) for name in SECRETS)
    assignments = ", ".join(f"{schema_editor.quote_name(name)} = %s" for name in SECRETS)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {columns} FROM {table}")
        for pk, *values in cursor.fetchall():
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*map(transform, values), pk])


def encrypt_secrets(apps, schema_editor) -> None:
    _rewrite(apps, schema_editor, encrypt)


def decrypt_secrets(apps, schema_editor) -> None:
    _rewrite(apps, schema_editor, decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("channels_whatsapp", "0004_delivery_newest_event_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="businessnumber",
            name="access_token",
            field=interactions.encrypted_fields.EncryptedTextField(
                help_text="System-user access token. Never shown after it is saved."
            ),
        ),
        migrations.AlterField(
            model_name="businessnumber",
            name="app_secret",
            field=interactions.encrypted_fields.EncryptedTextField(
                help_text="The Meta app's secret, which signs webhooks."
            ),
        ),
        migrations.AlterField(
            model_name="businessnumber",
            name="verify_token",
            field=interactions.encrypted_fields.EncryptedTextField(help_text="Echoed by Meta in the webhook handshake."),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
