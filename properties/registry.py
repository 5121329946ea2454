"""What each app declares: its system properties (key, type, default, description, limits), registered once in its
AppConfig.ready() with `register_properties`. The registry is the one list the accessor, the validation and the
admin page work from; a stored value whose key no app declares any more is ignored."""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

T = TypeVar("T")


class Kind(enum.StrEnum):
    INTEGER = "integer"
    BOOLEAN = "boolean"
    TEXT = "text"
    CHOICE = "choice"
    DATE_FORMAT = "date_format"  # an strftime pattern, checked by formatting a sample moment


# What a date or time format is tried on before it is stored; the admin page shows the result as an example.
SAMPLE_MOMENT = datetime(2026, 12, 24, 16, 30, tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class Property(Generic[T]):
    """One tunable. `maximum_reason` says, in words for the admin, why the maximum is what it is (Meta's limit)."""

    key: str  # "app.name", stable: it is the stored row's key
    label: str
    group: str
    kind: Kind
    default: T
    description: str
    unit: str = ""  # "seconds", "KB": shown next to the value and in the error messages
    minimum: int | None = None
    maximum: int | None = None
    maximum_reason: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for Kind.CHOICE
    max_length: int = 1000  # Kind.TEXT and Kind.DATE_FORMAT
    blank: bool = False  # Kind.TEXT: whether "" is a value


class PropertyAlreadyRegistered(Exception):
    pass


class UnknownProperty(KeyError):
    pass


_registry: dict[str, Property] = {}


def register_properties(*properties: Property) -> None:
    """Each app calls this from its ready() with the properties it owns. A key declared twice is a mistake."""
    for declared in properties:
        existing = _registry.get(declared.key)
        if existing is not None and existing != declared:
            raise PropertyAlreadyRegistered(f"the system property {declared.key!r} is declared twice")
        _registry[declared.key] = declared


def registered_property(key: str) -> Property:
    try:
        return _registry[key]
    except KeyError:
        raise UnknownProperty(key) from None


def registered_properties() -> Iterable[Property]:
    """In the order of declaration (apps in INSTALLED_APPS order, each app's in its own order)."""
    return _registry.values()
