"""A responder's controls (interactions/controls.py) as WhatsApp messages, within Meta's limits
(channels_whatsapp/message_limits.py): up to 3 choices as reply buttons, 4 to 10 as a list picker, more as a list
paged 9 rows at a time with a "more" row; a location as a location request; links and cards as text, whose link
WhatsApp previews. List rows carry their number, so a customer can type it instead of tapping.
"""

from dataclasses import replace

from channels_whatsapp import message_limits as limits
from interactions.controls import Choice, Control, ControlKind, RenderedMessage, as_text, next_page_id
from interactions.models import MessageKind

CHOICE_KINDS = (ControlKind.CHOICE, ControlKind.YES_NO)


def fitted(text: str, limit: int) -> str:
    """Cut to Meta's limit with an ellipsis, so a long title still reads as cut rather than failing the send."""
    text = " ".join(text.split()) if limit < 100 else text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_control(control: Control, *, page: int = 1) -> list[RenderedMessage]:
    if control.choices and (control.kind in CHOICE_KINDS or control.kind == ControlKind.CARD):
        if len(control.choices) <= limits.MAX_BUTTONS:
            return [_buttons(control)]
        return [_list_page(control, page=page)]
    if control.kind == ControlKind.LOCATION:
        body = fitted(control.body, limits.LOCATION_REQUEST_BODY_MAX)
        return [RenderedMessage(kind=MessageKind.INTERACTIVE, text=body, content={"type": "location_request",
                                                                                    "body": body})]  # fmt: skip
    text = fitted(as_text(control), limits.TEXT_BODY_MAX)
    return [RenderedMessage(kind=MessageKind.TEXT, text=text)]


def _body(control: Control, limit: int) -> str:
    """A card's title and link ride in the body of its question (one message, so they arrive in order)."""
    body = control.body
    if control.kind == ControlKind.CARD:
        body = as_text(replace(control, choices=()))  # its choices are the buttons
    return fitted(body, limit)


def _unique_titles(choices: tuple[Choice, ...], limit: int) -> list[str]:
    """Meta refuses two buttons with the same title: a cut that makes twins gets its number."""
    titles: list[str] = []
    seen: set[str] = set()
    for number, choice in enumerate(choices, start=1):
        title = fitted(choice.title, limit)
        if title.casefold() in seen:
            title = fitted(f"{number}. {choice.title}", limit)
        seen.add(title.casefold())
        titles.append(title)
    return titles


def _buttons(control: Control) -> RenderedMessage:
    titles = _unique_titles(control.choices, limits.BUTTON_TITLE_MAX)
    if any(title != choice.title for title, choice in zip(titles, control.choices, strict=True)):
        # A button shows 20 characters: the whole titles go in the body, numbered, so nothing is lost.
        listed = "\n".join(f"{number}. {choice.title}" for number, choice in enumerate(control.choices, start=1))
        control = replace(control, body=f"{control.body}\n\n{listed}")
    body = _body(control, limits.BUTTONS_BODY_MAX)
    content = {
        "type": "buttons",
        "header": fitted(control.title, limits.HEADER_TEXT_MAX) if control.kind != ControlKind.CARD else "",
        "body": body,
        "footer": fitted(control.footer, limits.FOOTER_MAX),
        "buttons": [{"id": choice.id, "title": title} for choice, title in zip(control.choices, titles, strict=True)],
    }
    text = "\n".join([body, *(f"{number}. {title}" for number, title in enumerate(titles, start=1))])
    return RenderedMessage(kind=MessageKind.INTERACTIVE, text=text, content=content)


def pages_of(count: int) -> list[range]:
    """The 0-based positions on each page: one page of up to 10 rows, else 9 a page and a "more" row."""
    if count <= limits.LIST_MAX_ROWS:
        return [range(count)]
    size = limits.LIST_MAX_ROWS - 1
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def _list_page(control: Control, *, page: int) -> RenderedMessage:
    pages = pages_of(len(control.choices))
    page = min(max(page, 1), len(pages))
    rows = []
    for position in pages[page - 1]:
        choice = control.choices[position]
        title = f"{position + 1}. {choice.title}"
        description = choice.description or (choice.title if len(title) > limits.ROW_TITLE_MAX else "")
        rows.append({
            "id": choice.id,  # whole, or the tap would match nothing; one too long is refused, and text sent
            "title": fitted(title, limits.ROW_TITLE_MAX),
            "description": fitted(description, limits.ROW_DESCRIPTION_MAX),
        })  # fmt: skip
    if page < len(pages):
        remaining = len(control.choices) - pages[page - 1].stop
        rows.append({
            "id": next_page_id(page + 1),
            "title": fitted(control.more, limits.ROW_TITLE_MAX),
            "description": fitted(f"{remaining} more: page {page + 1} of {len(pages)}", limits.ROW_DESCRIPTION_MAX),
        })  # fmt: skip
    body = _body(control, limits.LIST_BODY_MAX)
    content = {
        "type": "list",
        "header": fitted(control.title, limits.HEADER_TEXT_MAX) if control.kind != ControlKind.CARD else "",
        "body": body,
        "footer": fitted(control.footer or (f"Page {page} of {len(pages)}" if len(pages) > 1 else ""),
                         limits.FOOTER_MAX),
        "button": fitted(control.button, limits.LIST_BUTTON_LABEL_MAX),
        "sections": [{"title": "", "rows": rows}],
    }  # fmt: skip
    text = "\n".join([body, *(row["title"] for row in rows)])
    return RenderedMessage(kind=MessageKind.INTERACTIVE, text=text, content=content)
