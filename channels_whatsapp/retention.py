"""What the WhatsApp channel removes under retention and on a customer's erasure: raw webhook bodies (which hold
everything Meta sent, names and message texts included) and group messages. Registered with `retention` at
start-up. A delivery's row stays (when it came, when it was processed, what it held in summary), marked
`body_removed_at`."""

from datetime import datetime

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from channels_whatsapp.models import GroupMessage, WebhookDelivery
from retention.registry import ErasureRequest, ErasureStep, RetentionSweep


def _remove_bodies(deliveries: models.QuerySet, *, now: datetime) -> int:
    return WebhookDelivery.objects.filter(pk__in=list(deliveries.values_list("pk", flat=True))).update(
        body=b"", body_removed_at=now, refusals="", last_error=""
    )


def remove_webhook_bodies(*, cutoff: datetime, limit: int) -> int:
    """Bodies received before `cutoff` and processed (an unprocessed one is still work to do, never dropped)."""
    old = WebhookDelivery.objects.filter(
        received_at__lt=cutoff, processed_at__isnull=False, body_removed_at__isnull=True
    ).order_by("received_at", "pk")[:limit]
    return _remove_bodies(old, now=timezone.now())


def remove_group_message_bodies(*, cutoff: datetime, limit: int) -> int:
    old = GroupMessage.objects.filter(received_at__lt=cutoff).exclude(text="", content={}, sender_name="")
    ids = list(old.order_by("received_at", "pk").values_list("pk", flat=True)[:limit])
    return GroupMessage.objects.filter(pk__in=ids).update(text="", content={}, sender_name="")


def _mentioning(address: str) -> RawSQL:
    """Where a body holds the address as a JSON string ("wa_id": "…", "from": "…", "recipient_id": "…")."""
    needle = f'"{address}"'.encode()
    find = "position(%s in body)" if connection.vendor == "postgresql" else "instr(body, %s)"
    return RawSQL(find, (needle,), output_field=models.IntegerField())


def erase_customer_webhook_data(request: ErasureRequest) -> dict[str, int]:
    """Every processed body that names them: a body holds a batch of events, so others' events in it go too (it
    is a raw copy; what was applied from it stays in the conversations). One still waiting to be processed is
    left, so their latest message is not lost half-way: an erasure run again after it takes it."""
    mentioning = WebhookDelivery.objects.alias(found=_mentioning(request.address)).filter(
        found__gt=0, processed_at__isnull=False, body_removed_at__isnull=True
    )
    groups = GroupMessage.objects.filter(sender=request.address).exclude(text="", content={}, sender_name="")
    return {
        "webhook_bodies": _remove_bodies(mentioning, now=request.erased_at),
        "group_messages": groups.update(text="", content={}, sender_name=""),
    }


ERASURE_STEP = ErasureStep(
    name="whatsapp",
    removes=(
        "every raw WhatsApp webhook body that names their number (each holds a batch of events: the whole body goes)",
        "the text and content of WhatsApp group messages they wrote, and the name they wrote under",
    ),
    keeps=(
        "each webhook delivery's row: when it came and was processed, and its summary of counts",
        "a webhook body not yet processed (erase again once it has been)",
    ),
    erase=erase_customer_webhook_data,
)

RETENTION_SWEEPS = (
    RetentionSweep(name="webhook_bodies", period="webhook_bodies", remove_batch=remove_webhook_bodies),
    RetentionSweep(name="group_message_bodies", period="message_bodies", remove_batch=remove_group_message_bodies),
)
