"""Secrets encrypted at rest: a model field stored as a Fernet token, with the keys from the environment.

`settings.FIELD_ENCRYPTION_KEYS` lists Fernet keys, newest first: the first encrypts, every one decrypts
(cryptography's MultiFernet). Rotation is: put a new key first, run `manage.py rotate_encryption_keys` (which
re-encrypts every stored secret with it), then drop the old keys.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models, transaction


class UnreadableSecret(Exception):
    """A stored secret that none of the configured keys decrypts: a key was dropped before the rotation ran."""


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret(
            "a stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: restore the key it was encrypted with"
        ) from None


class EncryptedTextField(models.TextField):
    """A string kept in the database only as a Fernet token and read back as the plain string.

    Each encryption differs, so the column cannot be searched or compared: only `isnull` lookups exist.
    """

    def from_db_value(self, value: str | None, expression, connection) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: object) -> str | None:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)

    def get_lookup(self, lookup_name: str):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every installed model with encrypted fields, and their names."""
    found = []
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def reencrypt_stored_secrets() -> int:
    """Encrypts every stored secret again with the first key; returns how many rows were rewritten."""
    rewritten = 0
    for model, names in encrypted_fields():
        with transaction.atomic():
            rows = model._base_manager.select_for_update().order_by("pk").values_list("pk", *names)
            for pk, *values in rows:
                model._base_manager.filter(pk=pk).update(**dict(zip(names, values, strict=True)))
                rewritten += 1
    return rewritten


def check_encryption_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Every key must be a Fernet key: a typo would otherwise surface at the first secret saved or read."""
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        return [checks.Error("FIELD_ENCRYPTION_KEYS is empty", id="interactions.E101")]
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(
                checks.Error(
                    f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key",
                    hint='Make one with: python -c "from cryptography.fernet import Fernet; '
                    'print(Fernet.generate_key().decode())"',
                    id="interactions.E102",
                )
            )
    return problems


def check_production_encryption_key(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy`: a key derived from SECRET_KEY is for development only."""
    if settings.FIELD_ENCRYPTION_DEVELOPMENT_KEY not in settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        checks.Error(
            "FIELD_ENCRYPTION_KEYS holds the development key derived from SECRET_KEY",
            hint="Set FIELD_ENCRYPTION_KEYS to a key of its own (README, 'Secrets at rest').",
            id="interactions.E103",
        )
    ]
