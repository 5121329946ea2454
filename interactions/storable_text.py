"""Text from outside made fit to store. PostgreSQL refuses NUL in text and JSON, UTF-8 cannot encode a lone
surrogate, JSON has no NaN or Infinity, and a value longer than its column fails its whole row: each is fixed
visibly here rather than the row, and with it what a customer wrote, being lost.
"""

import copy
import dataclasses
import hashlib
import math
import re
from typing import Any, TypeVar

from django.db.models import Model

REPLACEMENT_CHARACTER = "\ufffd"
TRUNCATION_MARK = "…"
_DIGEST_LENGTH = 12

# After JSON decoding a surrogate pair is one character, so any surrogate left in a string stands alone.
_UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def storable_text(value: str) -> str:
    """NUL and lone surrogates replaced with U+FFFD, which every reader shows as "something was here"."""
    return _UNSTORABLE_CHARACTERS.sub(REPLACEMENT_CHARACTER, value)


def storable_document(document: object) -> object:
    """A decoded JSON document with every string (keys included) storable and every non-finite number None.

    Iterative, so a deeply nested document costs no recursion; containers are changed in place.
    """
    if not isinstance(document, dict | list):
        return _storable_scalar(document)
    pending: list[dict | list] = [document]
    while pending:
        container = pending.pop()
        items = list(container.items()) if isinstance(container, dict) else list(enumerate(container))
        if isinstance(container, dict):
            container.clear()
        for key, value in items:
            if isinstance(value, dict | list):
                pending.append(value)
            else:
                value = _storable_scalar(value)
            container[storable_text(key) if isinstance(key, str) else key] = value
    return document


Event = TypeVar("Event")


def storable_event(event: Event) -> Event:
    """A core event (a frozen dataclass) with every text storable and every dict a storable document, nested
    events included. The core's services start with it: whichever channel made the event, one character the
    database refuses must not cost the customer the whole message."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        if isinstance(value, str):
            changes[field.name] = storable_text(value)
        elif isinstance(value, dict):
            changes[field.name] = storable_document(copy.deepcopy(value))  # the caller's dict stays as it was
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes[field.name] = storable_event(value)
    return dataclasses.replace(event, **changes)


def _storable_scalar(value: object) -> object:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def fitted_text(value: str, *, max_length: int) -> str:
    """Cut to fit its column, ending in "…" so a reader sees it was cut."""
    if len(value) <= max_length:
        return value
    return value[: max_length - len(TRUNCATION_MARK)] + TRUNCATION_MARK


def fitted_identifier(value: str, *, max_length: int) -> str:
    """An id cut to fit its column that still names one thing: it ends in "…" and a digest of the whole id,
    so two long ids that share a beginning never become one (a message taken for another's redelivery)."""
    if len(value) <= max_length:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_LENGTH]
    return value[: max_length - len(TRUNCATION_MARK) - _DIGEST_LENGTH] + TRUNCATION_MARK + digest


def column_length(model: type[Model], field_name: str) -> int:
    """The most characters a column of ours holds: what `fitted_*` cut a value from outside to."""
    return model._meta.get_field(field_name).max_length
