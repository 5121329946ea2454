"""Checks on the body of `POST /{phone-number-id}/messages`, in Meta's words, one function per type.

To emulate another type, write `_check_<type>(body)` and add it to `_CHECK_BY_TYPE`; everything else
(recipient, window, limits, statuses) is shared by all types.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import NoReturn

from channels_whatsapp.emulator.errors import RequestRejected, invalid_parameter
from channels_whatsapp.emulator.media import MEDIA_MESSAGE_TYPES
from channels_whatsapp.emulator.rich_message_types import RICH_CHECKS

TEXT_BODY_MAX_LENGTH = 4096
# Every type Meta accepts; those without a check below are refused as not emulated yet.
META_MESSAGE_TYPES = (
    "audio",
    "contacts",
    "document",
    "image",
    "interactive",
    "location",
    "reaction",
    "sticker",
    "template",
    "text",
    "video",
)
_NON_DIGITS = re.compile(r"\D")


@dataclass(frozen=True, slots=True, kw_only=True)
class SendRequest:
    to: str
    wa_id: str
    type: str
    body: dict


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkReadRequest:
    """The same endpoint marks an inbound message read and, optionally, shows "typing…" to the customer."""

    message_id: str
    typing: bool


def parse_messages_request(raw: bytes) -> SendRequest | MarkReadRequest:
    body = _json_object(raw)
    if "messaging_product" not in body:
        _reject("The parameter messaging_product is required.")
    if body["messaging_product"] != "whatsapp":
        _reject(f'Param messaging_product must be one of {{WHATSAPP}} - got "{body["messaging_product"]}".')
    if "status" in body:
        return _mark_read_request(body)
    return _send_request(body)


def _json_object(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        _reject("The request body is not valid JSON.")
    if not isinstance(body, dict):
        _reject("The request body must be a JSON object.")
    return body


def _mark_read_request(body: dict) -> MarkReadRequest:
    if body["status"] != "read":
        _reject(f'Param status must be one of {{READ}} - got "{body["status"]}".')
    message_id = body.get("message_id")
    if not isinstance(message_id, str) or not message_id:
        _reject("The parameter message_id is required.")
    typing_indicator = body.get("typing_indicator")
    if typing_indicator is not None and typing_indicator != {"type": "text"}:
        _reject("Param typing_indicator['type'] must be one of {TEXT}.")
    return MarkReadRequest(message_id=message_id, typing=typing_indicator is not None)


def _send_request(body: dict) -> SendRequest:
    to = body.get("to")
    if to is None:
        _reject("The parameter to is required.")
    wa_id = _NON_DIGITS.sub("", to) if isinstance(to, str) else ""
    if not wa_id:
        _reject(f'Param to must be a phone number or WhatsApp ID - got "{to}".')
    recipient_type = body.get("recipient_type", "individual")
    if recipient_type != "individual":
        _reject(f'Param recipient_type must be one of {{INDIVIDUAL}} - got "{recipient_type}".')
    context = body.get("context")
    if context is not None and not (isinstance(context, dict) and isinstance(context.get("message_id"), str)):
        _reject("Param context['message_id'] is required.")
    message_type = body.get("type", "text")  # Meta sends text when type is left out
    if message_type not in META_MESSAGE_TYPES:
        allowed = ", ".join(t.upper() for t in META_MESSAGE_TYPES)
        _reject(f'Param type must be one of {{{allowed}}} - got "{message_type}".')
    check = _CHECK_BY_TYPE.get(message_type)
    if check is None:
        _reject(f"Messages of type {message_type} are not supported by the emulator yet.")
    check(body)
    return SendRequest(to=to, wa_id=wa_id, type=message_type, body=body)


def _check_text(body: dict) -> None:
    text = body.get("text")
    if not isinstance(text, dict):
        _reject("The parameter text['body'] is required.")
    for key in text.keys() - {"body", "preview_url"}:
        _reject(f'Unexpected key "{key}" on param "text".')
    if not isinstance(text.get("body"), str) or not text["body"]:
        _reject("The parameter text['body'] is required.")
    if len(text["body"]) > TEXT_BODY_MAX_LENGTH:
        _reject(f"Param text['body'] must be at most {TEXT_BODY_MAX_LENGTH} characters long.")
    if not isinstance(text.get("preview_url", False), bool):
        _reject("Param text['preview_url'] must be a boolean.")


def _check_media(message_type: str, body: dict) -> None:
    """By uploaded `id` or by `link`; caption and filename where Meta takes them. Whether the id exists and fits
    the type is the network's to say; a link is fetched after the send is accepted, as Meta does."""
    media = body.get(message_type)
    if not isinstance(media, dict):
        _reject(f"The parameter {message_type} is required.")
    allowed = {"id", "link"} | ({"caption"} if message_type in ("image", "video", "document") else set())
    allowed |= {"filename"} if message_type == "document" else set()
    for key in media.keys() - allowed:
        _reject(f'Unexpected key "{key}" on param "{message_type}".')
    if ("id" in media) == ("link" in media):
        _reject(f"Param {message_type} must have exactly one of id or link.")
    if "link" in media:
        link = media["link"]
        if not isinstance(link, str) or not link.lower().startswith(("http://", "https://")):
            _reject(f"Param {message_type}['link'] must be a valid URL.")
    elif not isinstance(media["id"], str) or not media["id"]:
        _reject(f"Param {message_type}['id'] must be a media id.")
    if len(str(media.get("caption", ""))) > 1024:
        _reject(f"Param {message_type}['caption'] must be at most 1024 characters long.")


def _check_template(body: dict) -> None:
    """The shape only; whether the template exists, is approved and gets its values is the WABA's to say."""
    template = body.get("template")
    if not isinstance(template, dict):
        _reject("The parameter template is required.")
    if not isinstance(template.get("name"), str) or not template["name"]:
        _reject("The parameter template['name'] is required.")
    language = template.get("language")
    if not isinstance(language, dict) or not isinstance(language.get("code"), str) or not language["code"]:
        _reject("The parameter template['language']['code'] is required.")
    components = template.get("components", [])
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        _reject("Param template['components'] must be a list of objects.")
    for component in components:
        if str(component.get("type", "")).lower() not in ("header", "body", "button"):
            _reject(
                f"Param template['components'][]['type'] must be one of {{HEADER, BODY, BUTTON}} - got "
                f'"{component.get("type")}".'
            )
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list) or not all(isinstance(p, dict) and "type" in p for p in parameters):
            _reject("Param template['components'][]['parameters'] must be a list of objects with a type.")


_CHECK_BY_TYPE: dict[str, Callable[[dict], None]] = {
    "text": _check_text,
    "template": _check_template,
    **RICH_CHECKS,
    **{media_type: partial(_check_media, media_type) for media_type in MEDIA_MESSAGE_TYPES},
}


def _reject(details: str) -> NoReturn:
    raise RequestRejected(invalid_parameter(details))
