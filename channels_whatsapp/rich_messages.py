"""Rich Cloud API message types to and from the core's shapes (interactions/rich_content.py).

Inbound: `location`, `contacts`, `reaction`, `interactive` (`list_reply`, `button_reply`, `nfm_reply`: a Flow's
answer), `button` (a template's quick reply) and `order`. Outbound: `location`, `reaction` and `interactive`
(`list`, `button`, `location_request_message`). Missing or odd values become empty ones: a customer's message is
never dropped for its shape.
"""

import json
import math
from dataclasses import dataclass

from channels_whatsapp.payloads import IncomingMessage
from interactions.models import Message, MessageKind

INBOUND_KIND_BY_TYPE = {
    "location": MessageKind.LOCATION,
    "contacts": MessageKind.CONTACTS,
    "reaction": MessageKind.REACTION,
    "interactive": MessageKind.INTERACTIVE,
    "button": MessageKind.BUTTON,
    "order": MessageKind.ORDER,
}
_ANSWER_TYPES = ("list_reply", "button_reply")
# A Flow's answer carries its fields as a JSON string; `flow_token` is ours (we never send Flows) and not shown.
_FLOW_INTERNAL_FIELDS = ("flow_token",)


@dataclass(frozen=True, slots=True, kw_only=True)
class RichInbound:
    kind: str
    content: dict
    reply_to_wamid: str | None


def rich_inbound(message: IncomingMessage) -> RichInbound | None:
    """The core kind and content of a rich message, or None for a type (or interactive reply) we do not show."""
    kind = INBOUND_KIND_BY_TYPE.get(message.type)
    if kind is None:
        return None
    body = message.body
    reply_to = message.context_message_id
    if kind == MessageKind.LOCATION:
        content = {"name": _string(body.get("name")), "address": _string(body.get("address"))}
        coordinates = _number(body.get("latitude")), _number(body.get("longitude"))
        if None not in coordinates:  # unreadable ones are left out: a wrong pin is worse than none
            content["latitude"], content["longitude"] = coordinates
        if body.get("url"):
            content["url"] = _string(body["url"])
    elif kind == MessageKind.CONTACTS:
        content = {"contacts": [_contact(raw) for raw in _objects(body.get("contacts"))]}
    elif kind == MessageKind.REACTION:
        content = {"emoji": _string(body.get("emoji"))}
        reply_to = _string(body.get("message_id")) or None
    elif kind == MessageKind.INTERACTIVE and body.get("type") == "nfm_reply":
        content = _flow_reply(body.get("nfm_reply"))
    elif kind == MessageKind.INTERACTIVE:
        answer_type = body.get("type")
        if answer_type not in _ANSWER_TYPES:
            return None  # an interactive answer of a type Meta has not documented: kept as unsupported
        answer = body.get(answer_type) if isinstance(body.get(answer_type), dict) else {}
        content = {
            "type": answer_type,
            "id": _string(answer.get("id")),
            "title": _string(answer.get("title")),
            "description": _string(answer.get("description")),
        }
    elif kind == MessageKind.ORDER:
        content = {
            "catalog_id": _string(body.get("catalog_id")),
            "text": _string(body.get("text")),
            "items": [
                {
                    "product_retailer_id": _string(item.get("product_retailer_id")),
                    "quantity": _number(item.get("quantity")) or 0.0,
                    "item_price": _number(item.get("item_price")) or 0.0,
                    "currency": _string(item.get("currency")),
                }
                for item in _objects(body.get("product_items"))
            ],
        }
    else:
        content = {"payload": _string(body.get("payload")), "text": _string(body.get("text"))}
    return RichInbound(kind=kind, content=content, reply_to_wamid=reply_to)


def _flow_reply(raw: object) -> dict:
    reply = raw if isinstance(raw, dict) else {}
    try:
        response = json.loads(_string(reply.get("response_json")) or "{}")
    except ValueError:
        response = {"response_json": _string(reply.get("response_json"))}  # unreadable: shown as it came
    if not isinstance(response, dict):
        response = {"response": response}
    return {
        "type": "flow_reply",
        "name": _string(reply.get("name")),
        "body": _string(reply.get("body")),
        "response": {
            _string(key): value if isinstance(value, str | int | float | bool) else json.dumps(value)
            for key, value in response.items()
            if key not in _FLOW_INTERNAL_FIELDS
        },
    }


def _contact(raw: dict) -> dict:
    name = raw.get("name") if isinstance(raw.get("name"), dict) else {}
    parts = [_string(name.get(key)) for key in ("first_name", "last_name")]
    org = raw.get("org") if isinstance(raw.get("org"), dict) else {}
    return {
        "name": _string(name.get("formatted_name")) or " ".join(filter(None, parts)),
        "phones": [
            {"phone": _string(p.get("phone")), "type": _string(p.get("type")), "wa_id": _string(p.get("wa_id"))}
            for p in _objects(raw.get("phones"))
        ],
        "emails": [
            {"email": _string(e.get("email")), "type": _string(e.get("type"))} for e in _objects(raw.get("emails"))
        ],
        "org": {key: _string(org.get(key)) for key in ("company", "department", "title") if org.get(key)},
        "urls": [{"url": _string(u.get("url")), "type": _string(u.get("type"))} for u in _objects(raw.get("urls"))],
    }


def outbound_type_and_object(message: Message) -> tuple[str, object]:
    """The Cloud API `type` and the object under it for a core rich message."""
    content = message.content
    if message.kind == MessageKind.LOCATION:
        location = {"latitude": content["latitude"], "longitude": content["longitude"]}
        location.update({key: content[key] for key in ("name", "address") if content.get(key)})
        return "location", location
    if message.kind == MessageKind.REACTION:
        return "reaction", {"message_id": message.reply_to.external_id, "emoji": content["emoji"]}
    if message.kind == MessageKind.INTERACTIVE:
        return "interactive", _interactive(content)
    raise LookupError(f"cannot send {message.kind} messages on WhatsApp")


def _interactive(content: dict) -> dict:
    if content["type"] == "location_request":
        return {
            "type": "location_request_message",
            "body": {"text": content["body"]},
            "action": {"name": "send_location"},
        }
    interactive: dict = {"type": "list" if content["type"] == "list" else "button"}
    if content.get("header"):
        interactive["header"] = {"type": "text", "text": content["header"]}
    interactive["body"] = {"text": content["body"]}
    if content.get("footer"):
        interactive["footer"] = {"text": content["footer"]}
    if content["type"] == "list":
        sections = []
        for section in content["sections"]:
            rows = [
                {
                    "id": row["id"],
                    "title": row["title"],
                    **({"description": row["description"]} if row["description"] else {}),
                }
                for row in section["rows"]
            ]
            sections.append({**({"title": section["title"]} if section["title"] else {}), "rows": rows})
        interactive["action"] = {"button": content["button"], "sections": sections}
    else:
        interactive["action"] = {
            "buttons": [{"type": "reply", "reply": {"id": b["id"], "title": b["title"]}} for b in content["buttons"]]
        }
    return interactive


def _string(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _number(value: object) -> float | None:
    """A finite number, or None: NaN, Infinity and 1e400 are no place on Earth."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _objects(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
