"""`python manage.py rotate_encryption_keys`: re-encrypt every stored secret with the first of FIELD_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand, CommandError

from interactions.encrypted_fields import reencrypt_stored_secrets


class Command(BaseCommand):
    help = (
        "Re-encrypts every secret stored at rest with the first key of FIELD_ENCRYPTION_KEYS. Run it after putting "
        "a new key first; the old keys can be dropped once it has finished."
    )

    def handle(self, *args, **options) -> None:
        rotation = reencrypt_stored_secrets()
        if not rotation.unreadable:
            self.stdout.write(
                f"re-encrypted {rotation.rewritten} rows with the first key; the other keys can now be dropped"
            )
            return
        self.stdout.write(f"re-encrypted {rotation.rewritten} rows with the first key")
        for label, pk, name in rotation.unreadable:
            self.stderr.write(f"{label} {pk}: {name} cannot be decrypted with any of FIELD_ENCRYPTION_KEYS")
        raise CommandError(
            f"{len(rotation.unreadable)} secrets were left as they are: put back the key they were encrypted with "
            "and run this again, or enter those secrets again in the admin"
        )
