"""Controls: what an automated responder (the virtual agent) asks or shows, in no channel's terms.

A responder builds a `Control`; the channel's adapter renders it (`ChannelAdapter.render_control`) as messages of
the core's kinds (interactions/rich_content.py), within the channel's limits: WhatsApp shows a few choices as reply
buttons, more as a list picker, and pages a long list. Every choice is also answered by typing its number or words,
so a control never depends on the channel showing it as tappable.

Paging: a page of a long choice ends with a choice whose id is `next_page_id(n)`; the responder recognises it
(`requested_page`) and renders page n.
"""

from dataclasses import dataclass, field
from enum import StrEnum

NEXT_PAGE_PREFIX = "page:"


class ControlKind(StrEnum):
    MESSAGE = "message"  # text, nothing asked
    CHOICE = "choice"
    YES_NO = "yes_no"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    FILE = "file"
    LOCATION = "location"
    LINK = "link"
    CARD = "card"


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Control:
    kind: ControlKind
    body: str
    choices: tuple[Choice, ...] = ()
    title: str = ""  # a card's title, a list's header
    url: str = ""  # a link's or card's address
    button: str = "Choose"  # what opens a list of choices
    more: str = "More options"  # the title of the choice that shows the next page
    footer: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedMessage:
    """One message of the core's kinds, ready for the outbox: `text` is what the timeline and transcript show."""

    kind: str
    text: str
    content: dict = field(default_factory=dict)


def next_page_id(page: int) -> str:
    return f"{NEXT_PAGE_PREFIX}{page}"


def requested_page(choice_id: str) -> int | None:
    """The page a tapped "more" choice asks for, or None for any other choice."""
    if not choice_id.startswith(NEXT_PAGE_PREFIX):
        return None
    number = choice_id.removeprefix(NEXT_PAGE_PREFIX)
    return int(number) if number.isdigit() and int(number) > 0 else None


def as_text(control: Control) -> str:
    """The control as plain text, numbered choices included: for the timeline, the transcript and any channel that
    shows nothing richer."""
    lines = [f"*{control.title}*"] if control.title else []
    lines.append(control.body)
    lines += [f"{number}. {choice.title}" for number, choice in enumerate(control.choices, start=1)]
    if control.url:
        lines.append(control.url)
    return "\n".join(line for line in lines if line)
