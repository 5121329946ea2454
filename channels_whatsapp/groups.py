"""Messages from WhatsApp groups: the desk does not serve groups, so they are kept for admins and never answered."""

from django.db import IntegrityError, transaction

from channels_whatsapp.models import GroupMessage
from channels_whatsapp.payloads import IncomingMessage
from interactions.storable_text import column_length, fitted_identifier, fitted_text


def record_group_message(message: IncomingMessage) -> GroupMessage | None:
    """Kept once however often it is delivered; returns None for a redelivery."""
    try:
        with transaction.atomic():
            return GroupMessage.objects.create(
                phone_number_id=message.business.phone_number_id,
                group_id=fitted_identifier(message.group_id, max_length=column_length(GroupMessage, "group_id")),
                wamid=fitted_identifier(message.wamid, max_length=column_length(GroupMessage, "wamid")),
                sender=fitted_identifier(message.sender, max_length=column_length(GroupMessage, "sender")),
                sender_name=fitted_text(message.profile_name, max_length=column_length(GroupMessage, "sender_name")),
                type=fitted_text(message.type, max_length=column_length(GroupMessage, "type")),
                text=message.text or str(message.body.get("caption") or ""),
                content=message.body,
                sent_at=message.timestamp,
            )
    except IntegrityError:
        return None
