"""The channel-agnostic shapes of rich messages (what `Message.content` holds per kind) and a one-line summary of each.

Shapes, by kind:

- `location`: `{"latitude": float, "longitude": float, "name": str, "address": str}`; a customer's location whose
  coordinates could not be read (not finite numbers) has no `latitude` and `longitude`
- `contacts`: `{"contacts": [{"name": str, "phones": [{"phone", "type", "wa_id"}], "emails": [{"email", "type"}],
  "org": {"company", "department", "title"}, "urls": [{"url", "type"}]}]}`
- `reaction`: `{"emoji": str}` (empty: the reaction was removed); `reply_to` is the message reacted to
- `interactive`, a question we send: `{"type": "list", "header", "body", "footer", "button",
  "sections": [{"title", "rows": [{"id", "title", "description"}]}]}` or
  `{"type": "buttons", "header", "body", "footer", "buttons": [{"id", "title"}]}` or
  `{"type": "location_request", "body"}` (the customer answers with a `location` whose `reply_to` is the request)
- `interactive`, the customer's answer: `{"type": "list_reply" | "button_reply", "id", "title", "description"}`,
  or a form's (a WhatsApp Flow's) answer `{"type": "flow_reply", "name", "body", "response": {field: value}}`;
  `reply_to` is the question
- `button` (a template's quick-reply button): `{"payload": str, "text": str}`
- `order`: `{"catalog_id": str, "text": str, "items": [{"product_retailer_id": str, "quantity": float,
  "item_price": float, "currency": str}]}`
- `notice`, what the channel says about the customer: `{"type": "address_changed", "old_address", "new_address",
  "notice"}`, `{"type": "edited_unknown", "text", "target_external_id"}` or
  `{"type": "deleted_unknown", "target_external_id"}`
- any inbound kind may carry `"referral"`: the ad the customer came from, `{"headline", "body", "source_url",
  "source_type", "source_id", "media_type", "click_id"}`

`agent_content` turns what an agent's request carries into these shapes, refusing what has the wrong form;
how long or how many is each channel's rule (`ChannelAdapter.content_problems`).
"""

from interactions.models import MessageKind

AGENT_KINDS = (MessageKind.LOCATION, MessageKind.REACTION, MessageKind.INTERACTIVE)
INTERACTIVE_QUESTION_TYPES = ("list", "buttons", "location_request")
INTERACTIVE_ANSWER_TYPES = ("list_reply", "button_reply", "flow_reply")


class ContentRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def agent_content(*, kind: str, raw: object) -> dict:
    """The content of an agent's rich message in its canonical shape; raises ContentRefused naming what is wrong."""
    if kind not in AGENT_KINDS:
        allowed = ", ".join(AGENT_KINDS)
        raise ContentRefused([f"Agents cannot send {kind!r} messages; they can send text, {allowed}."])
    if not isinstance(raw, dict):
        raise ContentRefused([f"The content of a {kind} message must be an object."])
    return _AGENT_SHAPES[kind](raw)


def _location(raw: dict) -> dict:
    problems = []
    coordinates = {}
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = raw.get(name)
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(f"The {name} must be a number (got {value!r}).")
            continue
        if not -limit <= number <= limit:
            problems.append(f"The {name} must be between -{limit} and {limit} (got {number:g}).")
        coordinates[name] = number
    if problems:
        raise ContentRefused(problems)
    return {**coordinates, "name": _text(raw.get("name")), "address": _text(raw.get("address"))}


def _reaction(raw: dict) -> dict:
    emoji = raw.get("emoji", "")
    if not isinstance(emoji, str):
        raise ContentRefused(["The emoji must be a string (empty to remove the reaction)."])
    return {"emoji": emoji.strip()}


def _interactive(raw: dict) -> dict:
    question_type = raw.get("type")
    if question_type not in INTERACTIVE_QUESTION_TYPES:
        raise ContentRefused(["An interactive message is a 'list', 'buttons' or a 'location_request'."])
    if question_type == "location_request":
        return {"type": question_type, "body": _text(raw.get("body"))}
    content = {
        "type": question_type,
        "header": _text(raw.get("header")),
        "body": _text(raw.get("body")),
        "footer": _text(raw.get("footer")),
    }
    if question_type == "list":
        sections = _objects(raw.get("sections"), "sections")
        content["button"] = _text(raw.get("button"))
        content["sections"] = [
            {
                "title": _text(section.get("title")),
                "rows": [
                    {
                        # The customer never sees an id; one left blank is named after its place.
                        "id": _text(row.get("id")) or f"{number}.{row_number}",
                        "title": _text(row.get("title")),
                        "description": _text(row.get("description")),
                    }
                    for row_number, row in enumerate(_objects(section.get("rows"), f"rows of section {number}"), 1)
                ],
            }
            for number, section in enumerate(sections, start=1)
        ]
    else:
        content["buttons"] = [
            {"id": _text(button.get("id")) or f"button-{number}", "title": _text(button.get("title"))}
            for number, button in enumerate(_objects(raw.get("buttons"), "buttons"), start=1)
        ]
    return content


_AGENT_SHAPES = {
    MessageKind.LOCATION: _location,
    MessageKind.REACTION: _reaction,
    MessageKind.INTERACTIVE: _interactive,
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ContentRefused([f"Expected text, got {type(value).__name__}."])
    return str(value).strip()


def _objects(value: object, what: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ContentRefused([f"The {what} must be a list of objects."])
    return value


def summary(*, kind: str, content: dict) -> str:
    """One line for previews, search and the transcript: what a person would say the message is."""
    if kind == MessageKind.LOCATION:
        place = content.get("name") or content.get("address")
        if "latitude" not in content or "longitude" not in content:
            return f"Location: {place} (coordinates unreadable)" if place else "Location (coordinates unreadable)"
        coordinates = f"{content['latitude']:.5f}, {content['longitude']:.5f}"
        return f"Location: {place} ({coordinates})" if place else f"Location: {coordinates}"
    if kind == MessageKind.CONTACTS:
        names = [contact.get("name") or "Unnamed" for contact in content.get("contacts", [])]
        return f"Contact: {', '.join(names)}" if names else "Contact"
    if kind == MessageKind.REACTION:
        return f"Reacted {content['emoji']}" if content.get("emoji") else "Removed a reaction"
    if kind == MessageKind.INTERACTIVE:
        if content.get("type") == "flow_reply":
            return f"Form answered: {content.get('body') or content.get('name') or 'sent'}"
        if content.get("type") in INTERACTIVE_ANSWER_TYPES:
            return content.get("title", "")
        return content.get("body", "")
    if kind == MessageKind.BUTTON:
        return content.get("text", "")
    if kind == MessageKind.ORDER:
        return _order_summary(content)
    return ""


def order_totals(content: dict) -> dict[str, float]:
    """What the order comes to, per currency (a cart may mix them)."""
    totals: dict[str, float] = {}
    for item in content.get("items", []):
        currency = item.get("currency", "")
        totals[currency] = totals.get(currency, 0.0) + item.get("quantity", 0) * item.get("item_price", 0)
    return totals


def _order_summary(content: dict) -> str:
    units = sum(item.get("quantity", 0) for item in content.get("items", []))
    totals = ", ".join(f"{currency} {total:.2f}".strip() for currency, total in order_totals(content).items())
    return f"Order: {units:g} item{'s' if units != 1 else ''}" + (f", {totals}" if totals else "")
