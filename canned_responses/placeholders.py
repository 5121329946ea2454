"""The placeholders a canned response may hold, and how a text is filled: pure, so the admin's validation, the
API's preview and the quick actions read one list and one rule.

A placeholder with no value (a customer with no case, an agent with no first name) is left as written, `{name}`,
and reported as missing: the composer shows it highlighted and will not send until the agent has replaced it, so a
customer never receives a half-filled sentence."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

PLACEHOLDERS: dict[str, str] = {
    "customer_name": "The customer's first name as a recognised contact, else their WhatsApp profile name",
    "agent_name": "Your first name (customers never see a login name)",
    "case_number": "The case linked to this conversation, else the customer's latest open case: its number",
    "case_title": "That case's short description",
    "case_state": "That case's state, e.g. awaiting info",
}


@dataclass(frozen=True, slots=True)
class FilledText:
    text: str
    missing: tuple[str, ...]  # placeholders left as `{name}` because nothing fills them here


def placeholders_in(text: str) -> list[str]:
    return [match.group(1) for match in PLACEHOLDER.finditer(text)]


def validate_placeholders(text: str) -> None:
    """A model field validator: a misspelt placeholder would otherwise reach a customer as `{custmer_name}`."""
    unknown = sorted({name for name in placeholders_in(text) if name not in PLACEHOLDERS})
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        named = ", ".join(f"{{{name}}}" for name in unknown)
        raise ValidationError(f"Unknown placeholder {named}; the placeholders are {known}.", code="unknown_placeholder")


def fill_placeholders(text: str, values: Mapping[str, str]) -> FilledText:
    missing: list[str] = []

    def value_of(match: re.Match) -> str:
        name = match.group(1)
        value = (values.get(name) or "").strip()
        if value:
            return value
        if name not in missing:
            missing.append(name)
        return match.group(0)

    return FilledText(PLACEHOLDER.sub(value_of, text), tuple(missing))
