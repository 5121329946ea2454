"""Core events as a channel would report them, with defaults that read like one customer writing in."""

import itertools
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from interactions.events import DeliveryStatusUpdate, InboundMessage
from interactions.models import MessageKind

_ids = itertools.count(1)


def inbound_message(**fields) -> InboundMessage:
    defaults = {
        "channel": "whatsapp",
        "account_id": settings.WHATSAPP_PHONE_NUMBER_ID,
        "sender_id": "16505551234",
        "sender_name": "Sheena Nelson",
        "external_id": f"wamid.INBOUND{next(_ids):06d}",
        "sent_at": timezone.now(),
        "kind": MessageKind.TEXT,
        "text": "Does it come in another color?",
    }
    return InboundMessage(**{**defaults, **fields})


def status_update(
    *, external_id: str, status: str, occurred_at: datetime | None = None, **fields
) -> DeliveryStatusUpdate:
    defaults = {"channel": "whatsapp", "account_id": settings.WHATSAPP_PHONE_NUMBER_ID}
    return DeliveryStatusUpdate(
        **{**defaults, **fields}, external_id=external_id, status=status, occurred_at=occurred_at or timezone.now()
    )
