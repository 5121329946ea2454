"""The emulator's own JSON API under `/_emulator/`: play the customer, inspect, switch faults.

It is a local test double, so nothing here asks for credentials. README.md documents every endpoint.
"""

import base64
import binascii
import json
import re
import time
from collections.abc import Callable
from functools import partial

from channels_whatsapp.emulator.config import BusinessNumber
from channels_whatsapp.emulator.customer_messages import InvalidCustomerMessage, customer_message
from channels_whatsapp.emulator.media import MEDIA_MESSAGE_TYPES
from channels_whatsapp.emulator.network import CustomerCannotSend, WhatsAppNetwork, service_window_is_open
from channels_whatsapp.emulator.routing import Request, Response, Route, json_response, route
from channels_whatsapp.emulator.state import ChatMessage, Customer

PREFIX = "/_emulator"
_WA_ID = r"(?P<wa_id>[^/]+)"
_NON_DIGITS = re.compile(r"\D")


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def control_routes(network: WhatsAppNetwork) -> list[Route]:
    endpoints = [
        ("GET", "/health", _health),
        ("GET", "/businesses", _businesses),
        ("GET", "/customers", _customers),
        ("POST", "/customers", _save_customer),
        ("POST", f"/customers/{_WA_ID}/messages", _customer_sends),
        ("POST", f"/customers/{_WA_ID}/read", _customer_reads),
        ("GET", "/media/(?P<media_id>\\d+)", _media_file),
        ("POST", f"/customers/{_WA_ID}/marketing", _customer_marketing),
        ("GET", "/templates", _templates),
        ("POST", "/templates", _set_template_status),
        ("POST", "/templates/quality", _set_template_quality),
        ("POST", "/number-quality", _change_number_quality),
        ("GET", "/sent", _sent),
        ("GET", f"/conversations/{_WA_ID}", _conversation),
        ("GET", "/webhooks", _webhooks),
        ("GET", "/requests", _requests),
        ("POST", "/token", _set_token),
        ("GET", "/faults", _faults),
        ("POST", "/faults", _update_faults),
        ("POST", "/reset", _reset),
    ]
    return [
        route(method, re.escape(PREFIX) + path, partial(_answer_control_call, network, endpoint))
        for method, path, endpoint in endpoints
    ]


def _answer_control_call(
    network: WhatsAppNetwork, endpoint: Callable[[WhatsAppNetwork, Request], Response], request: Request
) -> Response:
    try:
        return endpoint(network, request)
    except ControlError as error:
        return json_response(error.status, {"error": str(error)})


def _health(network: WhatsAppNetwork, request: Request) -> Response:
    return json_response(200, {"ok": True})


def _businesses(network: WhatsAppNetwork, request: Request) -> Response:
    businesses = [
        {**_business_json(n), "token_revoked": network.token_is_revoked(n.access_token), **network.number_standing(n)}
        for n in network.config.business_numbers
    ]
    return json_response(200, {"businesses": businesses})


def _set_token(network: WhatsAppNetwork, request: Request) -> Response:
    """`{"revoked": true, "phone_number_id"?}`: revoke a number's access token, as an admin can in Meta's Business
    settings; `false` restores it."""
    body = _json_body(request)
    if not isinstance(body.get("revoked"), bool):
        raise ControlError(400, "revoked must be true or false")
    number = _business_number(network, body.get("phone_number_id"))
    revoked = network.set_token_revoked(number=number, revoked=body["revoked"])
    return json_response(200, {**_business_json(number), "token_revoked": revoked})


def _customers(network: WhatsAppNetwork, request: Request) -> Response:
    with network.state.lock:
        customers = [_customer_json(c) for c in network.state.customers.values()]
    return json_response(200, {"customers": customers})


def _save_customer(network: WhatsAppNetwork, request: Request) -> Response:
    body = _json_body(request)
    wa_id = _wa_id(body.get("wa_id"))
    changes = {}
    for name, kinds in (
        ("name", str),
        ("on_whatsapp", bool),
        ("online", bool),
        ("window_open", bool),
        ("last_inbound_at", int | float | None),
    ):
        if name in body:
            value = body[name]
            if not isinstance(value, kinds) or (name == "last_inbound_at" and isinstance(value, bool)):
                raise ControlError(400, f"{name} has the wrong type")
            changes[name] = value
    customer = network.save_customer(wa_id=wa_id, changes=changes)
    with network.state.lock:
        return json_response(200, _customer_json(customer))


def _customer_sends(network: WhatsAppNetwork, request: Request) -> Response:
    body = _json_body(request)
    message_type = body.get("type", "text")
    if message_type in MEDIA_MESSAGE_TYPES:
        return _customer_sends_media(network, request, body, message_type)
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise ControlError(400, "name must be a string")
    try:
        message = customer_message(body)
    except InvalidCustomerMessage as error:
        raise ControlError(400, str(error)) from error
    try:
        wamid = network.customer_sends(
            wa_id=_wa_id(request.path_params["wa_id"]),
            name=name or None,
            number=_business_number(network, body.get("phone_number_id")),
            message_type=message.type,
            text=message.text,
            body=message.body,
            reply_to=message.reply_to,
            group_id=message.group_id,
        )
    except CustomerCannotSend as error:
        raise ControlError(409, str(error)) from error
    return json_response(200, {"id": wamid})


def _customer_sends_media(network: WhatsAppNetwork, request: Request, body: dict, message_type: str) -> Response:
    """`{"type": "image", "media": {"data": <base64>, "mime_type", "filename"?}, "caption"?, "voice"?}`."""
    media, caption, name = body.get("media"), body.get("caption"), body.get("name")
    if not isinstance(media, dict) or not isinstance(media.get("data"), str):
        raise ControlError(400, "media must be {data: <base64>, mime_type, filename?}")
    try:
        content = base64.b64decode(media["data"], validate=True)
    except (ValueError, binascii.Error) as error:
        raise ControlError(400, "media.data is not base64") from error
    for label, value in (("caption", caption), ("name", name), ("media.filename", media.get("filename"))):
        if value is not None and not isinstance(value, str):
            raise ControlError(400, f"{label} must be a string")
    try:
        wamid = network.customer_sends_media(
            wa_id=_wa_id(request.path_params["wa_id"]),
            name=name or None,
            number=_business_number(network, body.get("phone_number_id")),
            message_type=message_type,
            content=content,
            mime_type=str(media.get("mime_type") or ""),
            filename=media.get("filename") or None,
            caption=caption or None,
            voice=body.get("voice") is True,
            reply_to=body.get("reply_to") if isinstance(body.get("reply_to"), str) else None,
        )
    except CustomerCannotSend as error:
        raise ControlError(409, str(error)) from error
    return json_response(200, {"id": wamid})


def _media_file(network: WhatsAppNetwork, request: Request) -> Response:
    """The bytes of any file the emulator holds, for the phone page (the customer's own phone needs no token)."""
    stored = network.media(request.path_params["media_id"])
    if stored is None:
        raise ControlError(404, "no such media")
    return Response(status=200, body=stored.content, content_type=stored.mime_type)


def _customer_reads(network: WhatsAppNetwork, request: Request) -> Response:
    body = _json_body(request, required=False)
    wamids = network.customer_reads(
        wa_id=_wa_id(request.path_params["wa_id"]),
        number=_business_number(network, body.get("phone_number_id") or request.query.get("phone_number_id")),
    )
    return json_response(200, {"read": wamids})


def _customer_marketing(network: WhatsAppNetwork, request: Request) -> Response:
    body = _json_body(request)
    if body.get("value") not in ("stop", "resume"):
        raise ControlError(400, 'value must be "stop" or "resume"')
    customer = network.set_marketing_preference(
        wa_id=_wa_id(request.path_params["wa_id"]),
        stopped=body["value"] == "stop",
        number=_business_number(network, body.get("phone_number_id")),
    )
    with network.state.lock:
        return json_response(200, _customer_json(customer))


TEMPLATE_STATUSES = ("APPROVED", "PAUSED", "DISABLED", "REJECTED", "PENDING", "DELETED")
# Events of `message_template_status_update` that leave the status as it is.
TEMPLATE_EVENTS_KEEPING_STATUS = ("FLAGGED", "IN_APPEAL", "REINSTATED", "LOCKED", "UNLOCKED")
QUALITY_SCORES = ("GREEN", "YELLOW", "RED", "UNKNOWN")
# `phone_number_quality_update` events, and the limits Meta names in them.
NUMBER_QUALITY_EVENTS = ("FLAGGED", "UNFLAGGED", "DOWNGRADE", "UPGRADE", "THROUGHPUT_UPGRADE", "ONBOARDING")
MESSAGING_LIMITS = ("TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")


def _templates(network: WhatsAppNetwork, request: Request) -> Response:
    number = _business_number(network, request.query.get("phone_number_id"))
    with network.state.lock:
        return json_response(200, {"templates": [dict(t) for t in network.templates(number.waba_id)]})


def _set_template_status(network: WhatsAppNetwork, request: Request) -> Response:
    body = _json_body(request)
    status = str(body.get("status", "")).upper()
    if status not in TEMPLATE_STATUSES:
        raise ControlError(400, f"status must be one of {', '.join(TEMPLATE_STATUSES)}")
    event = body.get("event")
    if event is not None and str(event).upper() not in (*TEMPLATE_STATUSES, *TEMPLATE_EVENTS_KEEPING_STATUS):
        raise ControlError(400, f"event must be a status or one of {', '.join(TEMPLATE_EVENTS_KEEPING_STATUS)}")
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        raise ControlError(400, "reason must be a string")
    number = _business_number(network, body.get("phone_number_id"))
    name, language = body.get("name"), body.get("language", "en_US")
    template = network.set_template_status(
        waba_id=number.waba_id,
        name=name,
        language=language,
        status=status,
        reason=reason,
        event=str(event).upper() if event is not None else None,
    )
    if template is None:
        raise ControlError(404, f"no template {name} in {language}")
    return json_response(200, template)


def _set_template_quality(network: WhatsAppNetwork, request: Request) -> Response:
    """`{"name", "language"?, "quality": GREEN|YELLOW|RED|UNKNOWN}`: Meta rates the template; a webhook says so."""
    body = _json_body(request)
    quality = str(body.get("quality", "")).upper()
    if quality not in QUALITY_SCORES:
        raise ControlError(400, f"quality must be one of {', '.join(QUALITY_SCORES)}")
    number = _business_number(network, body.get("phone_number_id"))
    name, language = body.get("name"), body.get("language", "en_US")
    template = network.set_template_quality(waba_id=number.waba_id, name=name, language=language, quality=quality)
    if template is None:
        raise ControlError(404, f"no template {name} in {language}")
    return json_response(200, template)


def _change_number_quality(network: WhatsAppNetwork, request: Request) -> Response:
    """`{"event", "quality_rating"?, "messaging_limit"?, "phone_number_id"?}`: Meta flags the number or changes its
    messaging limit; `GET /{phone-number-id}` tells the new values and a `phone_number_quality_update` is sent."""
    body = _json_body(request)
    event = str(body.get("event", "")).upper()
    if event not in NUMBER_QUALITY_EVENTS:
        raise ControlError(400, f"event must be one of {', '.join(NUMBER_QUALITY_EVENTS)}")
    quality = body.get("quality_rating")
    if quality is not None and str(quality).upper() not in QUALITY_SCORES:
        raise ControlError(400, f"quality_rating must be one of {', '.join(QUALITY_SCORES)}")
    limit = body.get("messaging_limit")
    if limit is not None and str(limit).upper() not in MESSAGING_LIMITS:
        raise ControlError(400, f"messaging_limit must be one of {', '.join(MESSAGING_LIMITS)}")
    number = _business_number(network, body.get("phone_number_id"))
    standing = network.change_number_standing(
        number=number,
        event=event,
        quality_rating=str(quality).upper() if quality is not None else None,
        messaging_limit=str(limit).upper() if limit is not None else None,
    )
    return json_response(200, {**_business_json(number), **standing})


def _sent(network: WhatsAppNetwork, request: Request) -> Response:
    to = request.query.get("to")
    messages = network.sent_messages(
        wa_id=_wa_id(to) if to else None,
        min_count=int(_number(request, "min_count", 0)),
        timeout=_number(request, "timeout", 0),
    )
    with network.state.lock:
        return json_response(200, {"messages": [_sent_json(m) for m in messages]})


def _conversation(network: WhatsAppNetwork, request: Request) -> Response:
    wa_id = _wa_id(request.path_params["wa_id"])
    feed = network.feed(
        wa_id=wa_id,
        number=_business_number(network, request.query.get("phone_number_id")),
        after=int(_number(request, "after", 0)),
        epoch=request.query.get("epoch"),
        timeout=_number(request, "timeout", 0),
    )
    with network.state.lock:
        return json_response(
            200,
            {
                "epoch": feed.epoch,
                "cursor": feed.cursor,
                "business": _business_json(feed.number),
                "customer": _customer_json(feed.customer) if feed.customer else None,
                "items": [_feed_item_json(m) for m in feed.messages],
                "business_typing_seconds": round(feed.business_typing_seconds, 1),
            },
        )


def _webhooks(network: WhatsAppNetwork, request: Request) -> Response:
    attempts = network.wait_for_webhook_attempts(
        wamid=request.query.get("wamid"),
        min_count=int(_number(request, "min_count", 0)),
        timeout=_number(request, "timeout", 0),
    )
    return json_response(200, {"attempts": attempts})


def _requests(network: WhatsAppNetwork, request: Request) -> Response:
    return json_response(200, {"requests": network.requests()})


def _faults(network: WhatsAppNetwork, request: Request) -> Response:
    return json_response(200, network.faults())


def _update_faults(network: WhatsAppNetwork, request: Request) -> Response:
    try:
        return json_response(200, network.update_faults(_json_body(request)))
    except ValueError as error:
        raise ControlError(400, str(error)) from error


def _reset(network: WhatsAppNetwork, request: Request) -> Response:
    network.reset()
    return json_response(200, {"ok": True})


def _json_body(request: Request, *, required: bool = True) -> dict:
    if not request.body.strip() and not required:
        return {}
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ControlError(400, "the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def _wa_id(value: object) -> str:
    """Like Meta's wa_id: the digits of the number, whatever "+", spaces or dashes came with it."""
    wa_id = _NON_DIGITS.sub("", value) if isinstance(value, str) else ""
    if not wa_id:
        raise ControlError(400, "a customer is named by their phone number in E.164 digits, e.g. 16505551234")
    return wa_id


def _business_number(network: WhatsAppNetwork, phone_number_id: object) -> BusinessNumber:
    if phone_number_id is None:
        return network.default_number()
    number = network.config.business_number(str(phone_number_id))
    if number is None:
        raise ControlError(404, f"no business number with phone_number_id {phone_number_id}")
    return number


def _number(request: Request, name: str, default: float) -> float:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return max(float(raw), 0.0)
    except ValueError as error:
        raise ControlError(400, f"{name} must be a number") from error


def _business_json(number: BusinessNumber) -> dict:
    return {
        "phone_number_id": number.phone_number_id,
        "display_phone_number": number.display_phone_number,
        "waba_id": number.waba_id,
    }


def _customer_json(customer: Customer) -> dict:
    return {
        "wa_id": customer.wa_id,
        "name": customer.name,
        "on_whatsapp": customer.on_whatsapp,
        "online": customer.online,
        "last_inbound_at": customer.last_inbound_at,
        "marketing_opted_out": customer.marketing_opted_out,
        "window_open": service_window_is_open(last_inbound_at=customer.last_inbound_at, now=time.time()),
    }


def _sent_json(message: ChatMessage) -> dict:
    """The request body as the app sent it, plus what the emulator knows about that message."""
    return {
        **(message.request or {}),
        "id": message.wamid,
        "wa_id": message.wa_id,
        "phone_number_id": message.phone_number_id,
        "status": message.status,
        "created_at": message.created_at,
        "timestamps": dict(message.status_times),
        "errors": list(message.errors),
    }


def _feed_item_json(message: ChatMessage) -> dict:
    return {
        "seq": message.seq,
        "id": message.wamid,
        "direction": message.direction,
        "type": message.type,
        "text": message.text,
        "status": message.status,
        "timestamp": message.created_at,
        "reply_to": message.reply_to,
        "content": message.body,
        "media": _feed_media_json(message.media),
        "edited": message.edited,
        "deleted": message.deleted,
    }


def _feed_media_json(media: dict | None) -> dict | None:
    if media is None:
        return None
    return {
        "url": f"{PREFIX}/media/{media['id']}" if media.get("id") else None,
        "mime_type": media.get("mime_type"),
        "filename": media.get("filename"),
        "voice": bool(media.get("voice")),
        "error": (media.get("error") or {}).get("title"),
    }
