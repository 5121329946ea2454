"""The one way an entry is written. Other apps call `record_audit_entry`; the audit app imports none of them."""

import re
from collections.abc import Mapping, Set
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils import timezone

from audit.context import current_request, origin_of
from audit.models import AuditAction, AuditEntry

# A field named like these is recorded as "changed", never with its value (old or new).
_SECRET_NAME = re.compile(r"token|secret|password|passwd|credential|api_?key|(^|_)key($|_|s$)", re.IGNORECASE)
SECRET_CHANGED = "changed"
# A field named like these holds a URL; receiver URLs carry tokens in their query (and user name and password), so
# those are recorded as "…" (the scheme, host and path still say what changed).
_URL_NAME = re.compile(r"(^|_)url$", re.IGNORECASE)
REDACTED = "…"


def is_secret_field(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def _redacted_url(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return REDACTED
    netloc = (f"{REDACTED}@" if parts.username or parts.password else "") + (parts.hostname or "")
    netloc += f":{port}" if port else ""
    query = REDACTED if parts.query else ""
    return urlunsplit((parts.scheme, netloc if parts.netloc else "", parts.path, query, ""))


def _recorded_value(name: str, value: Any) -> Any:
    return _redacted_url(_plain(value)) if _URL_NAME.search(name) else _plain(value)


def _plain(value: Any) -> Any:
    """JSON for the log: model objects by their names, many of them sorted, everything else as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return sorted(str(item) for item in value)
    return str(value)


def field_changes(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    """{field: (old, new)} as stored: {field: {"old": …, "new": …}}, secrets reduced to "changed", URLs to their
    scheme, host and path."""
    return {
        name: SECRET_CHANGED
        if is_secret_field(name)
        else {"old": _recorded_value(name, old), "new": _recorded_value(name, new)}
        for name, (old, new) in changes.items()
    }


def customer_label(channel_user: models.Model) -> str:
    """A customer as the audit log names them: by number only, since the log outlives an erasure and must not keep
    their phone or name. Here so that consent and retention both use it without one importing the other."""
    return f"Customer #{channel_user.pk}"


def record_audit_entry(
    *,
    action: AuditAction | str,
    user: AbstractBaseUser | None = None,
    target: models.Model | None = None,
    target_label: str = "",
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    details: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """`user` defaults to whoever is signed in on the request being served (none in a task); `changes` are
    old → new pairs; `details` are facts that are not a change (how many records an erasure removed)."""
    action = AuditAction(action)
    request = request or current_request()
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    origin = origin_of(request)
    recorded = {**field_changes(changes or {}), **{name: _plain(value) for name, value in (details or {}).items()}}
    return AuditEntry.objects.create(
        recorded_at=timezone.now(),
        action=action,
        user=user,
        username=user.get_username() if user is not None else "",
        address=origin.address,
        user_agent=origin.user_agent,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False) if target else None,
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        object_label=(target_label or (str(target) if target is not None else ""))[:255],
        changes=recorded,
    )


def record_form_changes(
    *, action: AuditAction, form, target: models.Model, skip: Set[str] = frozenset(), request: HttpRequest | None = None
) -> AuditEntry | None:
    """An admin form's changed fields, old values read back into objects by the form's own fields; None when
    nothing it records changed. A field the form saw change but stored as it was (a secret left blank to keep it)
    is no change."""
    adding = action == AuditAction.CONFIG_ADDED
    changes = {}
    for name in form.changed_data:
        old, new = None if adding else _initial_value(form, name), _saved_value(form, target, name)
        if name not in skip and (adding or _plain(old) != _plain(new)):
            changes[name] = (old, new)
    if not changes:
        return None
    return record_audit_entry(action=action, target=target, changes=changes, request=request)


def _saved_value(form, target: models.Model, name: str) -> Any:
    """What was stored, as the model cleaned it (a keyword in capitals), for a field of the model's own row."""
    try:
        field = target._meta.get_field(name)
    except FieldDoesNotExist:
        return form.cleaned_data.get(name)
    return getattr(target, name) if field.concrete and not field.many_to_many else form.cleaned_data.get(name)


def _initial_value(form, name: str) -> Any:
    """A form's initial value of a foreign key is the related object's id: the field turns it back into the object."""
    value = form.initial.get(name)
    field = form.fields.get(name)
    if value is None or not isinstance(field, ModelChoiceField) or isinstance(field, ModelMultipleChoiceField):
        return value  # many-to-many initial values are the objects already
    try:
        return field.to_python(value)
    except ValidationError:  # a related object deleted since: its id is still the truth
        return value


def remove_audit_entries_before(*, cutoff, limit: int) -> int:
    """The one way entries are deleted: the oldest `limit` recorded before `cutoff`, inside the caller's
    transaction, which tells the append-only trigger (migration 0002) that this delete is retention's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL audit.allow_delete = 'on'")
    oldest = AuditEntry.objects.filter(recorded_at__lt=cutoff).order_by("recorded_at", "pk").values("pk")[:limit]
    deleted, _ = AuditEntry.objects.filter(pk__in=list(oldest.values_list("pk", flat=True))).delete()
    return deleted
