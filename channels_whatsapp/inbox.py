"""The webhook inbox: deliveries are stored raw in the request, then processed by a task, each effect once."""

import json
import logging
from collections import Counter
from datetime import timedelta
from functools import partial

from django.db import OperationalError, transaction
from django.utils import timezone

from channels_whatsapp import translate
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.payloads import (
    IncomingMessage,
    MalformedPayload,
    MarketingPreference,
    StatusChanged,
    UnsupportedChange,
    ValueLevelError,
    WebhookEvent,
    parse_notification,
)
from interactions.services.inbound import record_inbound_message
from interactions.services.recipient_signals import record_marketing_preference_change
from interactions.services.statuses import record_delivery_status

logger = logging.getLogger(__name__)

MAX_PROCESSING_ATTEMPTS = 10


def _enqueue_processing(delivery_id: int) -> None:
    from channels_whatsapp.tasks import process_webhook_delivery

    try:
        process_webhook_delivery.apply_async(kwargs={"delivery_id": delivery_id}, retry=False)
    except Exception:
        # Stored and committed: the periodic sweep processes it when the broker is back.
        logger.warning("could not enqueue webhook delivery %s", delivery_id, exc_info=True)


@transaction.atomic
def store_webhook_delivery(*, body: bytes) -> WebhookDelivery:
    """One short transaction; processing is enqueued only once the row is committed."""
    delivery = WebhookDelivery.objects.create(body=body)
    transaction.on_commit(partial(_enqueue_processing, delivery.pk))
    return delivery


def process_webhook_delivery(*, delivery_id: int) -> None:
    """Applies every event of one delivery. Safe to repeat: each effect is guarded by a unique constraint."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.processed_at is not None:
            return
        delivery.attempts += 1
        delivery.save(update_fields=["attempts"])
    try:
        summary, failures = _apply_events(bytes(delivery.body))
    except Exception as problem:
        WebhookDelivery.objects.filter(pk=delivery_id).update(last_error=repr(problem)[:2000])
        raise
    if failures:
        # The rest is applied; the delivery stays unprocessed, so the task and the sweep try the failed events
        # again (those applied are no-ops), and the admin shows why.
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            summary=summary[:255], last_error="\n".join(failures)[:2000]
        )
        raise WebhookEventsFailed(failures)
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        processed_at=timezone.now(), summary=summary[:255], last_error=""
    )


class WebhookEventsFailed(Exception):
    """Some events of a delivery could not be applied; the others were."""


def _apply_events(body: bytes) -> tuple[str, list[str]]:
    """Each event on its own, so one that fails never costs the others; a database outage stops them all."""
    try:
        events = parse_notification(json.loads(body))
    except (ValueError, MalformedPayload) as problem:
        # Stored and ignored: retrying cannot make a malformed body readable.
        return f"ignored: {problem}", []
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for event in events:
        try:
            counts[_apply_event(event)] += 1
        except OperationalError:
            raise
        except Exception as problem:
            logger.exception("could not apply a webhook event (%s)", type(event).__name__)
            failures.append(f"{type(event).__name__}: {problem!r}")
            counts["failed"] += 1
    return ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "empty", failures


def _apply_event(event: WebhookEvent) -> str:
    """Applies one event; returns what it was, for the delivery's summary."""
    match event:
        case IncomingMessage():
            record_inbound_message(event=translate.inbound_message(event))
            return "messages"
        case StatusChanged():
            update = translate.delivery_status(event)
            if update is not None:
                record_delivery_status(update=update)
            return "statuses"
        case MarketingPreference():
            change = translate.marketing_preference(event)
            if change is not None:
                record_marketing_preference_change(event=change)
            return "preferences"
        case ValueLevelError(error=error):
            logger.warning("WhatsApp reported error %s: %s %s", error.code, error.title, error.details)
            return "errors"
        case UnsupportedChange(field=field, reason=reason):
            logger.info("ignored webhook change %s: %s", field, reason)
            return "ignored"


def unprocessed_delivery_ids(*, older_than: timedelta) -> list[int]:
    """Deliveries whose task never ran or failed; `older_than` leaves the freshly enqueued alone."""
    return list(
        WebhookDelivery.objects.filter(
            processed_at__isnull=True,
            received_at__lte=timezone.now() - older_than,
            attempts__lt=MAX_PROCESSING_ATTEMPTS,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )


def enqueue_unprocessed_deliveries(*, older_than: timedelta = timedelta(seconds=20)) -> int:
    delivery_ids = unprocessed_delivery_ids(older_than=older_than)
    for delivery_id in delivery_ids:
        _enqueue_processing(delivery_id)
    return len(delivery_ids)
