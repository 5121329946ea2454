"""WhatsApp events into the core's events: the only bridge between Meta's shapes and the channel-agnostic core."""

from channels_whatsapp.errors import recipient_signal_for, title_for
from channels_whatsapp.media import MEDIA_TYPES
from channels_whatsapp.payloads import IncomingMessage, MarketingPreference, StatusChanged, WhatsAppStatus
from channels_whatsapp.rich_messages import rich_inbound
from interactions.events import (
    ChannelUserAddressChanged,
    DeliveryStatusUpdate,
    InboundMedia,
    InboundMessage,
    InboundMessageChanged,
    MarketingPreferenceChanged,
)
from interactions.models import MessageKind

CHANNEL = "whatsapp"

# Kinds the core renders today; every other type is kept and shown as unsupported, never dropped.
# Notices WhatsApp sends about the customer, not messages from them: shown, but they open no window. For
# `system` (user_changed_number) `from` is even the old number.
NOTICE_TYPES = frozenset({"system", "revoke", "edit"})
# `system` notices that move the customer to a new id: a new phone number, or a new business-scoped user id. `from`
# (or `previous_user_id`) is the old one, and the new one is under this key.
_NEW_ID_KEY_BY_SYSTEM_TYPE = {"user_changed_number": "wa_id", "user_changed_user_id": "user_id"}
# `voice` is the type older payloads gave a voice note; newer ones send `audio` with `voice: true`.
LEGACY_VOICE_TYPE = "voice"
# The documented parts of a click-to-WhatsApp ad referral, under the core's names.
_REFERRAL_FIELDS = {
    "headline": "headline",
    "body": "body",
    "source_url": "source_url",
    "source_type": "source_type",
    "source_id": "source_id",
    "media_type": "media_type",
    "ctwa_clid": "click_id",
}

_KIND_BY_TYPE = {
    "text": MessageKind.TEXT,
    "image": MessageKind.IMAGE,
    "video": MessageKind.VIDEO,
    "audio": MessageKind.AUDIO,
    "document": MessageKind.DOCUMENT,
    "sticker": MessageKind.STICKER,
    LEGACY_VOICE_TYPE: MessageKind.AUDIO,
    "system": MessageKind.NOTICE,
}

# 'played' (a voice note was played) tells the agent no more than 'read' does.
_STATUS_BY_WHATSAPP_STATUS = {
    WhatsAppStatus.SENT: "sent",
    WhatsAppStatus.DELIVERED: "delivered",
    WhatsAppStatus.READ: "read",
    WhatsAppStatus.PLAYED: "read",
    WhatsAppStatus.FAILED: "failed",
}


def customer_event(message: IncomingMessage) -> InboundMessage | InboundMessageChanged | ChannelUserAddressChanged:
    """What a customer's webhook message means to the core: a message, a change to one, or a new number."""
    if message.type in ("revoke", "edit"):
        return message_change(message)
    new_id_key = _NEW_ID_KEY_BY_SYSTEM_TYPE.get(str(message.body.get("type"))) if message.type == "system" else None
    if new_id_key and message.body.get(new_id_key):
        return ChannelUserAddressChanged(
            channel=CHANNEL,
            account_id=message.business.phone_number_id,
            old_sender_id=message.sender,
            new_sender_id=str(message.body[new_id_key]),
            external_id=message.wamid,
            occurred_at=message.timestamp,
            notice=str(message.body.get("body") or ""),
        )
    return inbound_message(message)


def message_change(message: IncomingMessage) -> InboundMessageChanged:
    """`revoke` (deleted for everyone) or `edit` of an earlier message; an edit carries the whole new message."""
    edited = message.body.get("message") if isinstance(message.body.get("message"), dict) else {}
    edited_type = str(edited.get("type") or "")
    edited_object = edited.get(edited_type) if isinstance(edited.get(edited_type), dict) else {}
    return InboundMessageChanged(
        channel=CHANNEL,
        account_id=message.business.phone_number_id,
        sender_id=message.sender,
        sender_name=message.profile_name,
        external_id=message.wamid,
        target_external_id=str(message.body.get("original_message_id") or ""),
        occurred_at=message.timestamp,
        deleted=message.type == "revoke",
        new_text=str(edited_object.get("body") or edited_object.get("caption") or ""),
    )


def inbound_message(message: IncomingMessage) -> InboundMessage:
    kind = _KIND_BY_TYPE.get(message.type, MessageKind.UNSUPPORTED)
    content: dict = {}
    reply_to = message.context_message_id
    rich = rich_inbound(message)
    if rich is not None:
        kind, content, reply_to = rich.kind, rich.content, rich.reply_to_wamid
    elif kind == MessageKind.NOTICE:
        content = {"type": str(message.body.get("type") or "system"), "notice": str(message.body.get("body") or "")}
    elif kind == MessageKind.UNSUPPORTED:
        shown_type = message.body.get("type") if message.type == "unsupported" else None
        content = {"type": shown_type or message.type}
    media = None
    if message.type in MEDIA_TYPES or message.type == LEGACY_VOICE_TYPE:
        media = _inbound_media(message)
        content = {flag: True for flag in ("voice", "animated") if message.body.get(flag) is True}
        if message.type == LEGACY_VOICE_TYPE:
            content["voice"] = True
    if message.referral:
        content["referral"] = {
            ours: str(message.referral.get(theirs) or "")[:2000] for theirs, ours in _REFERRAL_FIELDS.items()
        }
    return InboundMessage(
        channel=CHANNEL,
        account_id=message.business.phone_number_id,
        sender_id=message.sender,
        sender_name=message.profile_name,
        external_id=message.wamid,
        sent_at=message.timestamp,
        kind=kind,
        text=message.text or str(message.body.get("caption") or "") or content.get("notice", ""),
        content=content,
        reply_to_external_id=reply_to,
        media=media,
        opens_service_window=message.type not in NOTICE_TYPES,
    )


def _inbound_media(message: IncomingMessage) -> InboundMedia:
    """The file as Meta names it; a message Meta could not attach its file to (131052, too big) keeps the error."""
    error = next((e for e in message.errors), None)
    media_id = str(message.body.get("id") or "")
    reason = ""
    if error is not None:
        reason = title_for(error.code, error.title) + (f": {error.details}" if error.details else "")
    elif not media_id:
        reason = "WhatsApp delivered the message without its file."
    return InboundMedia(
        external_id=media_id,
        mime_type=str(message.body.get("mime_type") or ""),
        sha256=str(message.body.get("sha256") or ""),
        filename=str(message.body.get("filename") or "")[:255],
        error=reason,
    )


def delivery_status(status: StatusChanged) -> DeliveryStatusUpdate | None:
    core_status = _STATUS_BY_WHATSAPP_STATUS.get(status.status)
    if core_status is None:
        return None
    error = status.errors[0] if status.errors else None
    return DeliveryStatusUpdate(
        channel=CHANNEL,
        account_id=status.business.phone_number_id,
        external_id=status.wamid,
        status=core_status,
        occurred_at=status.timestamp,
        correlation_id=status.callback_data,  # the core fits it and the other values to its columns
        error_code=str(error.code) if error and error.code is not None else "",
        error_title=title_for(error.code, error.title) if error else "",
        error_detail=(error.details or error.message) if error else "",
        details={"pricing": status.pricing, "conversation": status.conversation},
        recipient_signal=recipient_signal_for(error.code) if error else None,
    )


_STOPPED_BY_PREFERENCE = {"stop": True, "resume": False}


def marketing_preference(preference: MarketingPreference) -> MarketingPreferenceChanged | None:
    """Only marketing stop and resume are a consent change; other categories and values are ignored."""
    stopped = _STOPPED_BY_PREFERENCE.get(preference.value)
    if preference.category != "marketing_messages" or stopped is None:
        return None
    return MarketingPreferenceChanged(
        channel=CHANNEL,
        account_id=preference.business.phone_number_id,
        sender_id=preference.wa_id,
        stopped=stopped,
        occurred_at=preference.timestamp,
        detail=preference.detail,
    )
