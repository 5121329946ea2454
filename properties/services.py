"""Changing a property: checked against its declaration, stored, audited, and announced to every process."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record_audit_entry
from properties.accessor import properties_changed
from properties.models import StoredProperty
from properties.registry import registered_property
from properties.validation import clean_value


@transaction.atomic
def change_property(*, key: str, value: Any, user: AbstractBaseUser | None = None) -> Any:
    """Stores `value` (a form's text or a typed value) for the property; returns the typed value. Raises
    InvalidPropertyValue with words for the admin, UnknownProperty for a key no app declares. Setting the value it
    already has changes nothing and records nothing."""
    declared = registered_property(key)
    cleaned = clean_value(declared, value)
    row = StoredProperty.objects.select_for_update().filter(key=key).first()
    before = row.value if row is not None else declared.default
    if row is not None and row.value == cleaned:
        return cleaned
    row = row or StoredProperty(key=key)
    row.value, row.changed_at, row.changed_by = cleaned, timezone.now(), user
    row.save()
    record_audit_entry(
        action=AuditAction.CONFIG_CHANGED,
        user=user,
        target=row,
        target_label=f"System property: {declared.label}",
        changes={key: (before, cleaned)},
    )
    properties_changed()
    return cleaned


@transaction.atomic
def reset_property(*, key: str, user: AbstractBaseUser | None = None) -> None:
    """Back to the declared default (the stored row goes)."""
    declared = registered_property(key)
    row = StoredProperty.objects.select_for_update().filter(key=key).first()
    if row is None:
        return
    before = row.value
    record_audit_entry(
        action=AuditAction.CONFIG_CHANGED,
        user=user,
        target=row,
        target_label=f"System property: {declared.label} (back to its default)",
        changes={key: (before, declared.default)},
    )
    row.delete()
    properties_changed()
