"""Checks on the rich message types the business sends: location, contacts, reaction and interactive (list, button,
location_request_message).

As on Meta, a missing or mistyped parameter is error 100 ("Invalid parameter") and a value outside Meta's limits
is error 131009 ("Parameter value is not valid"), each naming the parameter in `error_data.details`. These are
the emulator's own checks, written from Meta's pages; they share nothing with the app's validation.
"""

from collections.abc import Callable
from typing import NoReturn

from channels_whatsapp.emulator.errors import RequestRejected, invalid_parameter, invalid_parameter_value

INTERACTIVE_LIMITS = {
    "header": 60,
    "footer": 60,
    "list_body": 4096,
    "button_body": 1024,
    "list_button": 20,
    "section_title": 24,
    "row_title": 24,
    "row_description": 72,
    "row_id": 200,
    "button_title": 20,
    "button_id": 256,
    "location_request_body": 1024,
}
MAX_SECTIONS = 10
MAX_ROWS = 10
MAX_BUTTONS = 3


def _missing(details: str) -> NoReturn:
    raise RequestRejected(invalid_parameter(details))


def _invalid(details: str) -> NoReturn:
    raise RequestRejected(invalid_parameter_value(details))


def _object(value: object, name: str) -> dict:
    if not isinstance(value, dict):
        _missing(f"The parameter {name} is required.")
    return value


def _string(value: object, name: str, *, limit: int, required: bool = True) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value):
        _missing(f"The parameter {name} is required.")
    if len(value) > limit:
        _invalid(f"Param {name} must be at most {limit} characters long.")


def _check_location(body: dict) -> None:
    location = _object(body.get("location"), "location")
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = location.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            _missing(f"The parameter location['{name}'] is required.")
        if not -bound <= value <= bound:
            _invalid(f"Param location['{name}'] must be between -{bound} and {bound}.")
    for name in ("name", "address"):
        if name in location and not isinstance(location[name], str):
            _missing(f"Param location['{name}'] must be a string.")


def _check_contacts(body: dict) -> None:
    contacts = body.get("contacts")
    if not isinstance(contacts, list) or not contacts:
        _missing("The parameter contacts is required.")
    for index, contact in enumerate(contacts):
        name = _object(_object(contact, f"contacts[{index}]").get("name"), f"contacts[{index}]['name']")
        _string(name.get("formatted_name"), f"contacts[{index}]['name']['formatted_name']", limit=1024)


def _check_reaction(body: dict) -> None:
    reaction = _object(body.get("reaction"), "reaction")
    if not isinstance(reaction.get("message_id"), str) or not reaction["message_id"]:
        _missing("The parameter reaction['message_id'] is required.")
    if not isinstance(reaction.get("emoji"), str):
        _missing("The parameter reaction['emoji'] is required.")


def _check_interactive(body: dict) -> None:
    interactive = _object(body.get("interactive"), "interactive")
    kind = interactive.get("type")
    if kind not in ("list", "button", "location_request_message"):
        _missing(
            f"Param interactive['type'] must be one of {{LIST, BUTTON, LOCATION_REQUEST_MESSAGE, …}} - got \"{kind}\"."
        )
    if kind == "location_request_message":
        _check_location_request(interactive)
        return
    header = interactive.get("header")
    if header is not None:
        header = _object(header, "interactive['header']")
        if kind == "list" and header.get("type") != "text":
            _invalid("Param interactive['header']['type'] must be TEXT for a list message.")
        if header.get("type") == "text":
            _string(header.get("text"), "interactive['header']['text']", limit=INTERACTIVE_LIMITS["header"])
    body_object = _object(interactive.get("body"), "interactive['body']")
    body_limit = INTERACTIVE_LIMITS["list_body" if kind == "list" else "button_body"]
    _string(body_object.get("text"), "interactive['body']['text']", limit=body_limit)
    if interactive.get("footer") is not None:
        footer = _object(interactive["footer"], "interactive['footer']")
        _string(footer.get("text"), "interactive['footer']['text']", limit=INTERACTIVE_LIMITS["footer"])
    action = _object(interactive.get("action"), "interactive['action']")
    (_check_list_action if kind == "list" else _check_button_action)(action)


def _check_location_request(interactive: dict) -> None:
    """A body and the one action Meta defines; WhatsApp draws the "Send location" button itself."""
    body_object = _object(interactive.get("body"), "interactive['body']")
    _string(body_object.get("text"), "interactive['body']['text']", limit=INTERACTIVE_LIMITS["location_request_body"])
    action = _object(interactive.get("action"), "interactive['action']")
    if action.get("name") != "send_location":
        _missing("Param interactive['action']['name'] must be one of {SEND_LOCATION}.")


def _check_list_action(action: dict) -> None:
    _string(action.get("button"), "interactive['action']['button']", limit=INTERACTIVE_LIMITS["list_button"])
    sections = action.get("sections")
    if not isinstance(sections, list) or not sections:
        _missing("The parameter interactive['action']['sections'] is required.")
    if len(sections) > MAX_SECTIONS:
        _invalid(f"Param interactive['action']['sections'] must have at most {MAX_SECTIONS} elements.")
    row_ids: set[str] = set()
    for s, section in enumerate(sections):
        where = f"interactive['action']['sections'][{s}]"
        section = _object(section, where)
        _string(
            section.get("title"),
            f"{where}['title']",
            limit=INTERACTIVE_LIMITS["section_title"],
            required=len(sections) > 1,
        )
        rows = section.get("rows")
        if not isinstance(rows, list) or not rows:
            _missing(f"The parameter {where}['rows'] is required.")
        for r, row in enumerate(rows):
            row = _object(row, f"{where}['rows'][{r}]")
            _string(row.get("id"), f"{where}['rows'][{r}]['id']", limit=INTERACTIVE_LIMITS["row_id"])
            _string(row.get("title"), f"{where}['rows'][{r}]['title']", limit=INTERACTIVE_LIMITS["row_title"])
            _string(
                row.get("description"),
                f"{where}['rows'][{r}]['description']",
                limit=INTERACTIVE_LIMITS["row_description"],
                required=False,
            )
            if row["id"] in row_ids:
                _invalid(f"Row IDs must be unique; {row['id']!r} is repeated.")
            row_ids.add(row["id"])
    if len(row_ids) > MAX_ROWS:
        _invalid(f"Total row count exceed max allowed count: {MAX_ROWS}")


def _check_button_action(action: dict) -> None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not buttons:
        _missing("The parameter interactive['action']['buttons'] is required.")
    if len(buttons) > MAX_BUTTONS:
        _invalid(f"Param interactive['action']['buttons'] must have at most {MAX_BUTTONS} elements.")
    titles: set[str] = set()
    for b, button in enumerate(buttons):
        where = f"interactive['action']['buttons'][{b}]"
        button = _object(button, where)
        if button.get("type") != "reply":
            _missing(f"Param {where}['type'] must be one of {{REPLY}}.")
        reply = _object(button.get("reply"), f"{where}['reply']")
        _string(reply.get("id"), f"{where}['reply']['id']", limit=INTERACTIVE_LIMITS["button_id"])
        _string(reply.get("title"), f"{where}['reply']['title']", limit=INTERACTIVE_LIMITS["button_title"])
        if reply["title"] in titles:
            _invalid("Button title must be unique.")
        titles.add(reply["title"])


RICH_CHECKS: dict[str, Callable[[dict], None]] = {
    "location": _check_location,
    "contacts": _check_contacts,
    "reaction": _check_reaction,
    "interactive": _check_interactive,
}
