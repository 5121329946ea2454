"""Meta's webhook JSON: the `whatsapp_business_account` envelope and what goes inside `value`."""

from channels_whatsapp.emulator.config import BusinessNumber
from channels_whatsapp.emulator.state import ChatMessage, Customer, ServiceConversation

# Free-form replies inside the customer service window, under per-message pricing (since July 2025).
SERVICE_PRICING = {
    "billable": False,
    "pricing_model": "PMP",
    "type": "free_customer_service",
    "category": "service",
}
# From Graph API v24.0, status webhooks leave out `conversation` outside free entry point windows.
LAST_VERSION_WITH_CONVERSATION = 23


def messages_envelope(*, number: BusinessNumber, value: dict, field: str = "messages") -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": number.waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": number.display_phone_number,
                                "phone_number_id": number.phone_number_id,
                            },
                            **value,
                        },
                        "field": field,
                    }
                ],
            }
        ],
    }


def inbound_message_value(*, customer: Customer, message: ChatMessage, number: BusinessNumber) -> dict:
    item: dict = {"from": customer.wa_id, "id": message.wamid, "timestamp": _unix(message.created_at)}
    if message.group_id is not None:
        item["group_id"] = message.group_id
    if message.reply_to is not None:
        item["context"] = {"from": _digits(number.display_phone_number), "id": message.reply_to}
    item["type"] = message.type
    if message.media is None:
        item[message.type] = message.body
    else:
        item[message.type] = media_object(message)
        if message.media.get("error"):
            item["errors"] = [message.media["error"]]
    return {
        "contacts": [{"profile": {"name": customer.name}, "wa_id": customer.wa_id}],
        "messages": [item],
    }


def status_value(
    *,
    message: ChatMessage,
    status: str,
    at: float,
    billing: bool,
    conversation: ServiceConversation | None,
    errors: list[dict] | None = None,
) -> dict:
    """One status; `billing` puts `conversation` and `pricing` on it, as Meta does on `sent` and once more."""
    item: dict = {
        "id": message.wamid,
        "status": status,
        "timestamp": _unix(at),
        "recipient_id": message.wa_id,
    }
    if message.request and "biz_opaque_callback_data" in message.request:
        item["biz_opaque_callback_data"] = message.request["biz_opaque_callback_data"]
    if billing and conversation is not None and _sends_conversation(message.api_version):
        item["conversation"] = {"id": conversation.id}
        if status == "sent":
            item["conversation"]["expiration_timestamp"] = _unix(conversation.expires_at)
        item["conversation"]["origin"] = {"type": "service"}
    if billing:
        item["pricing"] = dict(SERVICE_PRICING)
    if errors:
        item["errors"] = errors
    return {"statuses": [item]}


def _sends_conversation(api_version: str | None) -> bool:
    if api_version is None:  # no version in the path: the app's default, the newest
        return False
    major = int(api_version.removeprefix("v").split(".")[0])
    return major <= LAST_VERSION_WITH_CONVERSATION


def _unix(at: float) -> str:
    return str(int(at))


def _digits(phone_number: str) -> str:
    return "".join(c for c in phone_number if c.isdigit())


def media_object(message: ChatMessage) -> dict:
    """`image`, `video`, `audio`, `document` or `sticker` as Meta's webhooks carry them."""
    media = message.media or {}
    shown: dict = {}
    if message.text and message.type in ("image", "video", "document"):
        shown["caption"] = message.text
    if message.type == "document" and media.get("filename"):
        shown["filename"] = media["filename"]
    shown["mime_type"] = media["mime_type"]
    if media.get("id"):  # a file Meta could not take (131052) has none
        shown["sha256"] = media["sha256"]
        shown["id"] = media["id"]
    if message.type == "audio":
        shown["voice"] = bool(media.get("voice"))
    if message.type == "sticker":
        shown["animated"] = False
    return shown


def user_preferences_value(*, customer: Customer, stopped: bool, at: float) -> dict:
    """The `user_preferences` webhook: the customer stopped or resumed marketing messages inside WhatsApp."""
    return {
        "contacts": [{"profile": {"name": customer.name}, "wa_id": customer.wa_id}],
        "user_preferences": [
            {
                "wa_id": customer.wa_id,
                "detail": f"User requested to {'stop' if stopped else 'resume'} marketing messages",
                "category": "marketing_messages",
                "value": "stop" if stopped else "resume",
                "timestamp": int(at),
            }
        ],
    }


def account_envelope(*, waba_id: str, field: str, value: dict, at: float) -> dict:
    """An account-level change (quality, templates): no `metadata` and no phone number id; `entry.time` says when."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "time": int(at), "changes": [{"value": value, "field": field}]}],
    }


def quality_update_value(*, number: BusinessNumber, event: str, current_limit: str, old_limit: str) -> dict:
    """`phone_number_quality_update`: the number by its display number in digits, as Meta names it there."""
    value = {"display_phone_number": _digits(number.display_phone_number), "event": event}
    if old_limit and old_limit != current_limit:
        value["old_limit"] = old_limit
    value["current_limit"] = current_limit
    return value


def template_status_value(*, template: dict, event: str, reason: str) -> dict:
    value = {
        "event": event,
        "message_template_id": int(template["id"]),
        "message_template_name": template["name"],
        "message_template_language": template["language"],
        "reason": reason or "NONE",
    }
    if event == "PAUSED":
        value["other_info"] = {
            "title": "FIRST_PAUSE",
            "description": "Your message template has been paused for 3 hours until 2:00 AM UTC because of low "
            "quality.",
        }
    return value


def template_quality_value(*, template: dict, previous: str, new: str) -> dict:
    return {
        "previous_quality_score": previous,
        "new_quality_score": new,
        "message_template_id": int(template["id"]),
        "message_template_name": template["name"],
        "message_template_language": template["language"],
    }
