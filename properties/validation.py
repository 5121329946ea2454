"""Turning what an admin typed (or what is stored) into a property's typed value, or saying in words why not."""

from typing import Any

from properties.registry import SAMPLE_MOMENT, Kind, Property

_TRUE = {"true", "on", "yes", "1"}
_FALSE = {"false", "off", "no", "0", ""}


class InvalidPropertyValue(ValueError):
    """The message is for the admin: what is wrong and what to enter instead."""


def clean_value(declared: Property, raw: Any) -> Any:
    """`raw` is the form's text or a stored JSON value; returns the typed value or raises InvalidPropertyValue."""
    if declared.kind is Kind.BOOLEAN:
        return _clean_boolean(raw)
    if declared.kind is Kind.INTEGER:
        return _clean_integer(declared, raw)
    if not isinstance(raw, str):
        raise InvalidPropertyValue(f"{declared.label} must be text.")
    text = raw.strip()
    if declared.kind is Kind.CHOICE:
        allowed = [value for value, _ in declared.choices]
        if text not in allowed:
            raise InvalidPropertyValue(f"Choose one of: {', '.join(label for _, label in declared.choices)}.")
        return text
    if len(text) > declared.max_length:
        raise InvalidPropertyValue(f"{declared.label} can be at most {declared.max_length} characters long.")
    if declared.kind is Kind.DATE_FORMAT:
        return _clean_date_format(declared, text)
    if not text and not declared.blank:
        raise InvalidPropertyValue(f"{declared.label} cannot be empty.")
    return text


def _clean_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise InvalidPropertyValue("Choose on or off.")


def _clean_integer(declared: Property, raw: Any) -> int:
    unit = f" {declared.unit}" if declared.unit else ""
    of_unit = f" of {declared.unit}" if declared.unit else ""
    if isinstance(raw, bool):
        raise InvalidPropertyValue(f"{declared.label} must be a whole number{of_unit}.")
    if isinstance(raw, str):
        try:
            raw = int(raw.strip().replace("_", ""))
        except ValueError:
            raise InvalidPropertyValue(
                f"{declared.label} must be a whole number{of_unit}, without a unit or decimals, "
                f"e.g. {declared.default}."
            ) from None
    if not isinstance(raw, int):
        raise InvalidPropertyValue(f"{declared.label} must be a whole number{of_unit}.")
    if declared.minimum is not None and raw < declared.minimum:
        raise InvalidPropertyValue(f"{declared.label} must be at least {declared.minimum}{unit}.")
    if declared.maximum is not None and raw > declared.maximum:
        why = f": {declared.maximum_reason}" if declared.maximum_reason else ""
        raise InvalidPropertyValue(f"{declared.label} can be at most {declared.maximum}{unit}{why}.")
    return raw


def _clean_date_format(declared: Property, text: str) -> str:
    if "%" not in text:
        raise InvalidPropertyValue(
            f"{declared.label} needs at least one placeholder such as %d (day), %B (month name), %Y (year), "
            "%H:%M (hours and minutes); see Python's strftime codes."
        )
    try:
        SAMPLE_MOMENT.strftime(text)
    except ValueError as problem:
        raise InvalidPropertyValue(f"{declared.label} is not a format Python can use ({problem}).") from None
    return text


def as_text(declared: Property, value: Any) -> str:
    """A value as the admin reads and edits it."""
    if declared.kind is Kind.BOOLEAN:
        return "on" if value else "off"
    if declared.kind is Kind.CHOICE:
        return dict(declared.choices).get(value, str(value))
    return str(value)
