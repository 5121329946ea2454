"""Meta's rules for the rich messages agents send, checked before anything is queued.

The one place these limits live: the API and the workspace composer (which posts to the API) both reach it
through `WhatsAppAdapter.content_problems`. Each problem is a sentence an agent can act on. Source: Meta's
interactive list and reply-buttons message pages (see /work/shared/cloud-api.md, section 1).
"""

from interactions.models import MessageKind

TEXT_BODY_MAX = 4096  # M:messages/text-messages; the adapter's `text_limit`
LIST_MAX_SECTIONS = 10
LIST_MAX_ROWS = 10  # across all sections
LIST_BODY_MAX = 4096
BUTTONS_BODY_MAX = 1024
LOCATION_REQUEST_BODY_MAX = 1024
HEADER_TEXT_MAX = 60
FOOTER_MAX = 60
LIST_BUTTON_LABEL_MAX = 20
SECTION_TITLE_MAX = 24
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
MAX_BUTTONS = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
# A reaction is one emoji; a few code points allow for skin tones, flags and joined sequences.
REACTION_MAX_CODE_POINTS = 10


def content_problems(*, kind: str, content: dict) -> list[str]:
    check = _CHECKS.get(kind)
    return check(content) if check else []


def _too_long(what: str, value: str, limit: int) -> list[str]:
    if len(value) > limit:
        return [f"{what} is {len(value)} characters long; WhatsApp allows at most {limit}."]
    return []


def _required(what: str, value: str) -> list[str]:
    return [] if value else [f"{what} is required."]


def _common_problems(content: dict, *, body_max: int) -> list[str]:
    return [
        *_required("The body", content["body"]),
        *_too_long("The body", content["body"], body_max),
        *_too_long("The header", content["header"], HEADER_TEXT_MAX),
        *_too_long("The footer", content["footer"], FOOTER_MAX),
    ]


def _list_problems(content: dict) -> list[str]:
    problems = _common_problems(content, body_max=LIST_BODY_MAX)
    problems += _required("The button label (what opens the list)", content["button"])
    problems += _too_long("The button label", content["button"], LIST_BUTTON_LABEL_MAX)
    sections = content["sections"]
    if len(sections) > LIST_MAX_SECTIONS:
        problems.append(f"The list has {len(sections)} sections; WhatsApp allows at most {LIST_MAX_SECTIONS}.")
    rows = [row for section in sections for row in section["rows"]]
    if not rows:
        problems.append("The list needs at least one row.")
    if len(rows) > LIST_MAX_ROWS:
        problems.append(f"The list has {len(rows)} rows; WhatsApp allows at most {LIST_MAX_ROWS} in all sections.")
    seen_ids: set[str] = set()
    for section_number, section in enumerate(sections, start=1):
        where = f"Section {section_number}"
        if len(sections) > 1:
            problems += _required(f"{where}: the title (needed when there are several sections)", section["title"])
        problems += _too_long(f"{where}: the title", section["title"], SECTION_TITLE_MAX)
        for row_number, row in enumerate(section["rows"], start=1):
            where = f"Section {section_number}, row {row_number}"
            problems += _required(f"{where}: the title", row["title"])
            problems += _too_long(f"{where}: the title", row["title"], ROW_TITLE_MAX)
            problems += _too_long(f"{where}: the description", row["description"], ROW_DESCRIPTION_MAX)
            problems += _too_long(f"{where}: the id", row["id"], ROW_ID_MAX)
            if row["id"] in seen_ids:
                problems.append(f"{where}: the id {row['id']!r} is used twice; row ids must be unique.")
            seen_ids.add(row["id"])
    return problems


def _buttons_problems(content: dict) -> list[str]:
    problems = _common_problems(content, body_max=BUTTONS_BODY_MAX)
    buttons = content["buttons"]
    if not buttons:
        problems.append("Add at least one button.")
    if len(buttons) > MAX_BUTTONS:
        problems.append(f"There are {len(buttons)} buttons; WhatsApp allows at most {MAX_BUTTONS}.")
    titles: set[str] = set()
    ids: set[str] = set()
    for number, button in enumerate(buttons, start=1):
        where = f"Button {number}"
        problems += _required(f"{where}: the title", button["title"])
        problems += _too_long(f"{where}: the title", button["title"], BUTTON_TITLE_MAX)
        problems += _too_long(f"{where}: the id", button["id"], BUTTON_ID_MAX)
        if button["title"] and button["title"].casefold() in titles:
            problems.append(f"{where}: the title {button['title']!r} is used twice; button titles must be unique.")
        if button["id"] in ids:
            problems.append(f"{where}: the id {button['id']!r} is used twice; button ids must be unique.")
        titles.add(button["title"].casefold())
        ids.add(button["id"])
    return problems


def _location_request_problems(content: dict) -> list[str]:
    """Only a body: WhatsApp adds the "Send location" button itself."""
    return [
        *_required("The body", content["body"]),
        *_too_long("The body", content["body"], LOCATION_REQUEST_BODY_MAX),
    ]


_INTERACTIVE_CHECKS = {
    "list": _list_problems,
    "buttons": _buttons_problems,
    "location_request": _location_request_problems,
}


def _interactive_problems(content: dict) -> list[str]:
    return _INTERACTIVE_CHECKS[content["type"]](content)


def _reaction_problems(content: dict) -> list[str]:
    emoji = content["emoji"]
    if len(emoji) > REACTION_MAX_CODE_POINTS or any(character.isalpha() for character in emoji):
        return ["A reaction is a single emoji."]
    return []


_CHECKS = {
    MessageKind.INTERACTIVE: _interactive_problems,
    MessageKind.REACTION: _reaction_problems,
}
