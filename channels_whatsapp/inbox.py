"""The webhook inbox: deliveries are stored raw in the request, then processed by a task, each effect once."""

import json
import logging
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db import OperationalError, transaction
from django.utils import timezone

from channels_whatsapp import translate
from channels_whatsapp.groups import record_group_message
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
from interactions.events import ChannelUserAddressChanged, InboundMessage, InboundMessageChanged
from interactions.services.customer_changes import change_channel_user_address, record_inbound_message_change
from interactions.services.inbound import record_inbound_message
from interactions.services.recipient_signals import record_marketing_preference_change
from interactions.services.statuses import record_delivery_status
from interactions.task_queue import enqueue_task_on_commit

logger = logging.getLogger(__name__)

UNREADABLE_PREFIX = "unreadable:"  # starts the summary of a delivery kept but not applied; the admin filters on it
MAX_PROCESSING_ATTEMPTS = 10


SWEEP_TASK_SIZE = 100  # ids per task the sweep enqueues, so several worker processes share a backlog


@dataclass(frozen=True, slots=True)
class ReceivedDelivery:
    """A signed POST as received: the raw body, and the business numbers whose app secret signed it (the only
    ones it may speak for)."""

    body: bytes
    signed_for: frozenset[str]


def store_webhook_deliveries(*, deliveries: Sequence[ReceivedDelivery]) -> list[int]:
    """One short transaction for them all (the webhook stores concurrent deliveries together); their ids, in order."""
    with transaction.atomic():
        rows = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(body=delivery.body, signed_for=sorted(delivery.signed_for)) for delivery in deliveries]
        )
    return [row.pk for row in rows]


def enqueue_processing(delivery_ids: Sequence[int]) -> None:
    """One task for them all, once their rows are committed; if the broker cannot take it, the sweep will."""
    from channels_whatsapp.tasks import process_webhook_deliveries

    enqueue_task_on_commit(process_webhook_deliveries, delivery_ids=list(delivery_ids))


def process_webhook_delivery(*, delivery_id: int) -> None:
    """Applies every event of one delivery. Safe to repeat: each effect is guarded by a unique constraint."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.processed_at is not None:
            return
        delivery.attempts += 1
        delivery.save(update_fields=["attempts"])
    try:
        outcome = _apply_events(delivery)
    except Exception as problem:
        WebhookDelivery.objects.filter(pk=delivery_id).update(last_error=repr(problem)[:2000])
        raise
    summary, refusals = outcome.summary[:255], "\n".join(outcome.refusals)
    if outcome.failures:
        # The rest is applied; the delivery stays unprocessed, so the task and the sweep try the failed events
        # again (those applied are no-ops), and the admin shows why.
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            summary=summary, refusals=refusals, last_error="\n".join(outcome.failures)[:2000]
        )
        raise WebhookEventsFailed(outcome.failures)
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        processed_at=timezone.now(), summary=summary, refusals=refusals, last_error=""
    )


class WebhookEventsFailed(Exception):
    """Some events of a delivery could not be applied; the others were."""


class UnreadableDelivery(ValueError):
    """The body cannot be read as a notification; retrying cannot change that."""


@dataclass(frozen=True, slots=True)
class ProcessingOutcome:
    summary: str
    failures: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


def _events_in(body: bytes) -> list[WebhookEvent]:
    """Meta sends UTF-8 JSON; a body that is not is unreadable (never guessed at as UTF-16 or Latin-1).

    Control characters left raw inside strings (JSON wants them escaped) are let through, to be made storable with
    the rest: what a customer wrote is kept whenever it can be read at all.
    """
    try:
        document = json.loads(body.decode("utf-8"), strict=False)
    except UnicodeDecodeError as problem:
        raise UnreadableDelivery(f"not UTF-8: {problem}") from None
    except RecursionError:
        raise UnreadableDelivery("JSON nested too deeply to read") from None
    except ValueError as problem:
        raise UnreadableDelivery(f"not JSON: {problem}") from None
    try:
        return parse_notification(document)
    except MalformedPayload as problem:
        raise UnreadableDelivery(str(problem)) from None


def _apply_events(delivery: WebhookDelivery) -> ProcessingOutcome:
    """Each event on its own, so one that fails never costs the others; a database outage stops them all."""
    try:
        events = _events_in(bytes(delivery.body))
    except UnreadableDelivery as problem:
        # Kept, raw, for an admin to see; never retried, as no retry makes it readable.
        return ProcessingOutcome(summary=f"{UNREADABLE_PREFIX} {problem}")
    counts: Counter[str] = Counter()
    failures: list[str] = []
    refusals: list[str] = []
    for event in events:
        refusal = _refusal(event, signed_for=delivery.signed_for)
        if refusal:
            logger.warning("refused a webhook event of delivery %s: %s", delivery.pk, refusal)
            refusals.append(refusal)
            counts["refused"] += 1
            continue
        try:
            counts[_apply_event(event, received_at=delivery.received_at)] += 1
        except OperationalError:
            raise
        except Exception as problem:
            logger.exception("could not apply a webhook event (%s)", type(event).__name__)
            failures.append(f"{type(event).__name__}: {problem!r}")
            counts["failed"] += 1
    summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "empty"
    return ProcessingOutcome(summary=summary, failures=failures, refusals=refusals)


def _refusal(event: WebhookEvent, *, signed_for: Collection[str]) -> str:
    """Why an event is not applied, or "": an item of a messages change that could not be read (a customer's
    message, perhaps, so an admin must see it), or one that speaks for a number that did not sign the delivery.

    Whoever holds one Meta app's secret can sign any body, so the phone_number_id inside proves nothing by itself.
    """
    if isinstance(event, UnsupportedChange) and event.field.startswith("messages."):
        return f"an item of {event.field} could not be read ({event.reason})"
    business = getattr(event, "business", None)
    if business is None or business.phone_number_id in signed_for:
        return ""
    signers = ", ".join(signed_for) or "none recorded"
    return (
        f"{type(event).__name__} for business number {business.phone_number_id!r} refused: "
        f"the delivery was signed only by the app secret of {signers}"
    )


def _apply_event(event: WebhookEvent, *, received_at: datetime) -> str:
    """Applies one event; returns what it was, for the delivery's summary."""
    match event:
        case IncomingMessage(group_id=group_id) if group_id:
            record_group_message(event)
            return "group messages (not supported)"
        case IncomingMessage():
            apply_customer_event(translate.customer_event(event), received_at=received_at)
            return "messages"
        case StatusChanged():
            update = translate.delivery_status(event)
            if update is not None:
                record_delivery_status(update=replace(update, received_at=received_at))
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


def apply_customer_event(
    event: InboundMessage | InboundMessageChanged | ChannelUserAddressChanged, *, received_at: datetime
) -> None:
    """A customer's message, a change to one, or their new number, each by the core service that owns it."""
    event = replace(event, received_at=received_at)
    match event:
        case InboundMessageChanged():
            record_inbound_message_change(event=event)
        case ChannelUserAddressChanged():
            change_channel_user_address(event=event)
        case _:
            record_inbound_message(event=event)


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
    for start in range(0, len(delivery_ids), SWEEP_TASK_SIZE):
        enqueue_processing(delivery_ids[start : start + SWEEP_TASK_SIZE])
    return len(delivery_ids)
