"""What the customer's phone may send, checked the way WhatsApp's own app would never let a malformed one out.

`POST /_emulator/customers/{wa_id}/messages` takes `{"type": …, "<type>": <object as in Meta's webhook>,
"reply_to"?: wamid, "group_id"?: str}`; `text` keeps its short form `{"text": "…"}`. Interactive replies and
template quick-reply buttons answer a business message, so they need `reply_to`. `edit` and `revoke` change one of the
customer's own earlier messages (`original_message_id`); an edit carries the whole new text message. With `group_id`
the message is sent in a WhatsApp group the business is in.
"""

from dataclasses import dataclass

CUSTOMER_TYPES = ("text", "location", "contacts", "reaction", "interactive", "button", "order", "edit", "revoke")


class InvalidCustomerMessage(ValueError):
    """The control API answers 400 with this message."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerMessage:
    type: str
    text: str | None  # what the phone shows as the bubble's text, when the type has one
    body: dict | list | None
    reply_to: str | None
    group_id: str | None = None


def customer_message(request: dict) -> CustomerMessage:
    message_type = request.get("type", "text")
    if message_type not in CUSTOMER_TYPES:
        raise InvalidCustomerMessage(f"type must be one of {', '.join(CUSTOMER_TYPES)}")
    reply_to = request.get("reply_to")
    if reply_to is not None and not isinstance(reply_to, str):
        raise InvalidCustomerMessage("reply_to must be a wamid")
    group_id = request.get("group_id")
    if group_id is not None and (not isinstance(group_id, str) or not group_id):
        raise InvalidCustomerMessage("group_id must be a group's id")
    if message_type == "text":
        text = request.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidCustomerMessage("text must be a non-empty string")
        return CustomerMessage(type="text", text=text, body=None, reply_to=reply_to, group_id=group_id)
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
    elif message_type == "order":
        text = _order_text(body)
    elif message_type in ("edit", "revoke"):
        _require_object(body, message_type)
        if not isinstance(body.get("original_message_id"), str) or not body["original_message_id"]:
            raise InvalidCustomerMessage(f"{message_type} needs original_message_id (the wamid of your message)")
        if message_type == "edit":
            text = _edited_text(body.get("message"))
    else:
        _require_object(body, "button")
        if not isinstance(body.get("text"), str) or not isinstance(body.get("payload"), str):
            raise InvalidCustomerMessage("button needs text and payload")
        text = body["text"]
    if message_type in ("interactive", "button") and not reply_to:
        raise InvalidCustomerMessage(f"a {message_type} reply answers a business message: reply_to is required")
    return CustomerMessage(type=message_type, text=text, body=body, reply_to=reply_to, group_id=group_id)


def _order_text(body: object) -> str | None:
    _require_object(body, "order")
    items = body.get("product_items")
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
        raise InvalidCustomerMessage("order needs product_items, a non-empty list")
    for item in items:
        quantity, price = item.get("quantity"), item.get("item_price")
        if (
            not isinstance(item.get("product_retailer_id"), str)
            or isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or quantity < 1
            or isinstance(price, bool)
            or not isinstance(price, int | float)
            or not isinstance(item.get("currency"), str)
        ):
            raise InvalidCustomerMessage("each product item needs product_retailer_id, quantity, item_price, currency")
    if not isinstance(body.get("catalog_id"), str) or not isinstance(body.get("text", ""), str):
        raise InvalidCustomerMessage("order needs catalog_id (and text, if any, as a string)")
    return body.get("text") or None


def _edited_text(message: object) -> str:
    text = message.get("text") if isinstance(message, dict) and message.get("type") == "text" else None
    if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"].strip():
        raise InvalidCustomerMessage('edit needs message: {"type": "text", "text": {"body": "…"}}')
    return text["body"]


def _require_object(body: object, name: str) -> None:
    if not isinstance(body, dict):
        raise InvalidCustomerMessage(f"{name} must be an object")
