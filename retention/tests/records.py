"""Records as the desk keeps them, made old on demand: a test of retention states how old each one is."""

import json
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Model
from django.utils import timezone

from channels_whatsapp.models import WebhookDelivery
from integrations.models import Delivery, DeliveryState, Subscription
from interactions.links import url_hash
from interactions.models import AttachmentState, LinkPreview, LinkPreviewState, Message, MessageAttachment, MessageKind
from tests.factories import MessageFactory


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def aged(record: Model, days: float, field: str = "created_at") -> Model:
    """Moves a record's own time back (auto_now_add fields cannot be given on create)."""
    type(record).objects.filter(pk=record.pk).update(**{field: days_ago(days)})
    record.refresh_from_db()
    return record


def stored_file(folder: str, content: bytes = b"\x89PNG fake image") -> str:
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}.png", ContentFile(content))


def photo_message(*, days: float = 0, **fields) -> Message:
    message = MessageFactory(kind=MessageKind.IMAGE, text="My broken chair", **fields)
    MessageAttachment.objects.create(
        message=message,
        state=AttachmentState.STORED,
        file=stored_file("messageattachment"),
        mime_type="image/png",
        size=15,
        filename="chair.png",
    )
    aged(message.attachment, days)
    return aged(message, days)


def link_preview(url: str) -> LinkPreview:
    return LinkPreview.objects.create(
        url=url, url_hash=url_hash(url), state=LinkPreviewState.READY, title="A page", image=stored_file("linkpreview")
    )


def webhook_delivery(*, wa_id: str = "15550000000", text: str = "hello", days: float = 0, processed: bool = True):
    body = {
        "entry": [{"changes": [{"value": {"contacts": [{"wa_id": wa_id}], "messages": [{"text": {"body": text}}]}}]}]
    }
    delivery = WebhookDelivery.objects.create(
        body=json.dumps(body).encode(), processed_at=timezone.now() if processed else None, summary="1 message"
    )
    return aged(delivery, days, "received_at")


def subscription() -> Subscription:
    return Subscription.objects.create(url="https://crm.example.com/hooks", events=["test"])


def integration_delivery(data: dict, *, days: float = 0, state: str = DeliveryState.DELIVERED) -> Delivery:
    event_id = uuid.uuid4()
    delivery = Delivery.objects.create(
        subscription=Subscription.objects.first() or subscription(),
        event_id=event_id,
        event_type="message.received",
        payload={"id": str(event_id), "type": "message.received", "occurred_at": "2026-01-01T00:00:00", "data": data},
        state=state,
    )
    return aged(delivery, days)
