"""What the customer's phone may send, checked the way WhatsApp's own app would never let a malformed one out.

`POST /_emulator/customers/{wa_id}/messages` takes `{"type": …, "<type>": <object as in Meta's webhook>,
"reply_to"?: wamid}`; `text` keeps its short form `{"text": "…"}`. Interactive replies and template quick-reply
buttons answer a business message, so they need `reply_to`.
"""

from dataclasses import dataclass

CUSTOMER_TYPES = ("text", "location", "contacts", "reaction", "interactive", "button")


class InvalidCustomerMessage(ValueError):
    """The control API answers 400 with this message."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerMessage:
    type: str
    text: str | None  # what the phone shows as the bubble's text, when the type has one
    body: dict | list | None
    reply_to: str | None


def customer_message(request: dict) -> CustomerMessage:
    message_type = request.get("type", "text")
    if message_type not in CUSTOMER_TYPES:
        raise InvalidCustomerMessage(f"type must be one of {', '.join(CUSTOMER_TYPES)}")
    reply_to = request.get("reply_to")
    if reply_to is not None and not isinstance(reply_to, str):
        raise InvalidCustomerMessage("reply_to must be a wamid")
    if message_type == "text":
        text = request.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidCustomerMessage("text must be a non-empty string")
        return CustomerMessage(type="text", text=text, body=None, reply_to=reply_to)
    body = request.get(message_type)
    text = None
    if message_type == "location":
        _require_object(body, "location")
        for name, bound in (("latitude", 90), ("longitude", 180)):
            value = body.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
                raise InvalidCustomerMessage(f"location.{name} must be a number between -{bound} and {bound}")
    elif message_type == "contacts":
        if not isinstance(body, list) or not body or not all(isinstance(c, dict) for c in body):
            raise InvalidCustomerMessage("contacts must be a non-empty list of contact objects")
        for contact in body:
            name = contact.get("name")
            if (
                not isinstance(name, dict)
                or not isinstance(name.get("formatted_name"), str)
                or not name["formatted_name"]
            ):
                raise InvalidCustomerMessage("every contact needs name.formatted_name")
    elif message_type == "reaction":
        _require_object(body, "reaction")
        if not isinstance(body.get("message_id"), str) or not isinstance(body.get("emoji", ""), str):
            raise InvalidCustomerMessage("reaction needs message_id (a wamid) and emoji (empty to remove it)")
    elif message_type == "interactive":
        _require_object(body, "interactive")
        answer_type = body.get("type")
        answer = body.get(answer_type) if answer_type in ("list_reply", "button_reply") else None
        if (
            not isinstance(answer, dict)
            or not isinstance(answer.get("id"), str)
            or not isinstance(answer.get("title"), str)
        ):
            raise InvalidCustomerMessage("interactive needs type list_reply or button_reply with its id and title")
        text = answer["title"]
    else:
        _require_object(body, "button")
        if not isinstance(body.get("text"), str) or not isinstance(body.get("payload"), str):
            raise InvalidCustomerMessage("button needs text and payload")
        text = body["text"]
    if message_type in ("interactive", "button") and not reply_to:
        raise InvalidCustomerMessage(f"a {message_type} reply answers a business message: reply_to is required")
    return CustomerMessage(type=message_type, text=text, body=body, reply_to=reply_to)


def _require_object(body: object, name: str) -> None:
    if not isinstance(body, dict):
        raise InvalidCustomerMessage(f"{name} must be an object")
