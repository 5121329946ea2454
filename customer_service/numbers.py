"""The one rule for a number a customer writes, used by the catalog's checks and the virtual agent's questions:
ASCII digits with an optional sign and decimal part (2,5 as much of Europe writes it), no exponent, and at most
`MAX_DIGITS` digits, so nothing a customer types can overflow a decimal or store a million characters."""

import re
from decimal import Decimal, InvalidOperation

MAX_DIGITS = 30
_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")


def _written(text: str) -> str:
    written = text.strip().replace(" ", "")
    if "," in written and "." not in written:
        written = written.replace(",", ".")
    return written


def has_too_many_digits(text: str) -> bool:
    """A number, but longer than anyone means: worth its own reason rather than "not a number"."""
    written = _written(text)
    return bool(_NUMBER.fullmatch(written)) and sum(character.isdigit() for character in written) > MAX_DIGITS


def parsed_number(text: str) -> Decimal | None:
    """The number written, or None if it is not one by the rule above."""
    written = _written(text)
    if not _NUMBER.fullmatch(written) or has_too_many_digits(written):
        return None
    try:
        return Decimal(written)
    except InvalidOperation:
        return None
