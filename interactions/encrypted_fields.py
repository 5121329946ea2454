"""Secrets encrypted at rest: a model field stored as a Fernet token, with the keys from the environment.

`settings.FIELD_ENCRYPTION_KEYS` lists Fernet keys, newest first: the first encrypts, every one decrypts
(cryptography's MultiFernet). Rotation is: put a new key first, run `manage.py rotate_encryption_keys` (which
re-encrypts every stored secret with it), then drop the old keys.

A secret is decrypted when its attribute is first read, not when its row is loaded: a row whose secret no key opens
still loads, saves and rotates, and only the code that needs that secret meets `UnreadableSecret`. `dumpdata` writes
the stored token, never the plain secret, and `loaddata` takes it back under the same keys.
"""

from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models, transaction
from django.db.models.query_utils import DeferredAttribute


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


def opens(token: str) -> bool:
    """Whether one of the configured keys decrypts `token`."""
    try:
        _fernet().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """A secret as stored: loaded from the database or a fixture, and not decrypted yet. Its repr hides the token."""

    token: str = ""

    def __repr__(self) -> str:
        return "Ciphertext(…)"


class DecryptOnRead(DeferredAttribute):
    """Turns the loaded `Ciphertext` into the plain secret on the attribute's first read, and keeps it. A data
    descriptor (it has `__set__`), so reads come here even once the value is in the instance's `__dict__`."""

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            value = decrypt(value.token)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """A string kept in the database only as a Fernet token and read back as the plain string.

    Each encryption differs, so the column cannot be searched or compared: only `isnull` lookups exist.
    """

    descriptor_class = DecryptOnRead

    def from_db_value(self, value: str | None, expression, connection) -> Ciphertext | None:
        return None if value is None else Ciphertext(value)

    def to_python(self, value: object) -> object:
        """A fixture's value is the stored token (see `value_to_string`); anything else is a plain secret."""
        if isinstance(value, str) and value.startswith("gAAAAA") and opens(value):
            return Ciphertext(value)
        return value if isinstance(value, Ciphertext) else super().to_python(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> object:
        """The value as held, so saving a row neither needs its secret readable nor encrypts an unread one anew."""
        return model_instance.__dict__.get(self.attname)

    def get_prep_value(self, value: object) -> str | None:
        if isinstance(value, Ciphertext):
            return value.token
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)

    def value_to_string(self, obj: models.Model) -> str | None:
        """What `dumpdata` writes: the token, so a dump holds no plain secret."""
        if self.attname not in obj.__dict__:
            obj.refresh_from_db(fields=[self.attname])
        return self.get_prep_value(obj.__dict__[self.attname])

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


@dataclass(frozen=True, slots=True)
class Rotation:
    """What `reencrypt_stored_secrets` did: rows rewritten, and the secrets no key opens (model, pk, field)."""

    rewritten: int
    unreadable: tuple[tuple[str, object, str], ...]


def reencrypt_stored_secrets() -> Rotation:
    """Encrypts every stored secret again with the first key, without ever holding it in plain text. A secret no
    key opens is left as it is and reported: the others are still rotated."""
    rewritten, unreadable = 0, []
    for model, names in encrypted_fields():
        with transaction.atomic():
            rows = model._base_manager.select_for_update().order_by("pk").values_list("pk", *names)
            for pk, *values in rows:
                rotated = {}
                for name, value in zip(names, values, strict=True):
                    if value is None:
                        continue
                    try:
                        rotated[name] = Ciphertext(_fernet().rotate(value.token.encode()).decode())
                    except InvalidToken:
                        unreadable.append((model._meta.label, pk, name))
                if rotated:
                    model._base_manager.filter(pk=pk).update(**rotated)
                    rewritten += 1
    return Rotation(rewritten=rewritten, unreadable=tuple(unreadable))


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
