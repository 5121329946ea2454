"""`python manage.py rotate_encryption_keys`: re-encrypt every stored secret with the first of FIELD_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand

from interactions.encrypted_fields import reencrypt_stored_secrets


class Command(BaseCommand):
    help = (
        "Re-encrypts every secret stored at rest with the first key of FIELD_ENCRYPTION_KEYS. Run it after putting "
        "a new key first; the old keys can be dropped once it has finished."
    )

    def handle(self, *args, **options) -> None:
        rewritten = reencrypt_stored_secrets()
        self.stdout.write(f"re-encrypted {rewritten} rows with the first key; the other keys can now be dropped")
