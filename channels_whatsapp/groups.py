"""Messages from WhatsApp groups: the desk does not serve groups, so they are kept for admins and never answered."""

from django.db import IntegrityError, transaction

from channels_whatsapp.models import GroupMessage
from channels_whatsapp.payloads import IncomingMessage


def record_group_message(message: IncomingMessage) -> GroupMessage | None:
    """Kept once however often it is delivered; returns None for a redelivery."""
    try:
        with transaction.atomic():
            return GroupMessage.objects.create(
                phone_number_id=message.business.phone_number_id,
                group_id=message.group_id[:255],
                wamid=message.wamid[:255],
                sender=message.sender[:64],
                sender_name=message.profile_name[:255],
                type=message.type[:32],
                text=message.text or str(message.body.get("caption") or ""),
                content=message.body,
                sent_at=message.timestamp,
            )
    except IntegrityError:
        return None
