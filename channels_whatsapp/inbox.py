"""The webhook inbox: deliveries are stored raw in the request, then processed by a task, each effect once."""

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from redis import Redis, RedisError

from channels_whatsapp import translate
from channels_whatsapp.groups import record_group_message
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.number_health import apply_quality_update, apply_template_update
from channels_whatsapp.payloads import (
    AccountEvent,
    IncomingMessage,
    MalformedPayload,
    MarketingPreference,
    NumberQualityUpdate,
    StatusChanged,
    UnsupportedChange,
    ValueLevelError,
    WebhookEvent,
    parse_notification,
)
from interactions.channel_adapters import InboxProgress
from interactions.durable_effects import effects_held_until_durable
from interactions.events import (
    ChannelUserAddressChanged,
    DeliveryStatusUpdate,
    InboundMessage,
    InboundMessageChanged,
)
from interactions.services.customer_changes import change_channel_user_address, record_inbound_message_change
from interactions.services.inbound import record_inbound_message, recorded_external_ids
from interactions.services.recipient_signals import record_marketing_preference_change
from interactions.services.statuses import record_delivery_status, record_delivery_statuses
from interactions.task_queue import enqueue_task_on_commit

logger = logging.getLogger(__name__)

UNREADABLE_PREFIX = "unreadable:"  # starts the summary of a delivery kept but not applied; the admin filters on it
MAX_PROCESSING_ATTEMPTS = 10
CustomerEvent = InboundMessage | InboundMessageChanged | ChannelUserAddressChanged


SWEEP_TASK_SIZE = 100  # ids per task the sweep enqueues, so several worker processes share a backlog
SWEEP_LIMIT = 5_000  # deliveries a sweep enqueues again, unless the broker lost its data (then all of them)
BROKER_MARK_KEY = "inbox:broker-kept-its-data"  # left in the broker by the sweep; gone when the broker lost its data
WEBHOOKS_QUEUE = "webhooks"  # where their tasks wait (CELERY_TASK_ROUTES)


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
    """One delivery; raises WebhookEventsFailed when one of its events could not be applied."""
    if process_webhook_deliveries(delivery_ids=[delivery_id]):
        raise WebhookEventsFailed(WebhookDelivery.objects.get(pk=delivery_id).last_error)


def process_webhook_deliveries(*, delivery_ids: Sequence[int]) -> list[int]:
    """Applies every event of a batch of deliveries; returns those left for another try. Safe to repeat: each
    effect is guarded by a unique constraint.

    Claimed and marked processed in one query each; the customers' messages and changes are applied one by one, in
    the order they came, the statuses of the whole batch together (`record_delivery_statuses`). A delivery with an
    event that failed stays unprocessed, with why (what was applied is a no-op when it is tried again); the others
    are done. A database error stops the batch and is raised.
    """
    deliveries = _claim(delivery_ids)
    if not deliveries:
        return []
    with effects_held_until_durable() as held:
        try:
            with _commits_not_waiting_for_the_disk():
                reports = _apply_deliveries(deliveries)
        except Exception as problem:
            WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries]).update(
                last_error=repr(problem)[:2000]
            )
            held.made_durable()  # that update waited for the disk, and so for every commit before it
            raise
        failed = _record_reports(deliveries, reports)
        held.made_durable()
    return failed


@contextmanager
def _commits_not_waiting_for_the_disk() -> Iterator[None]:
    """PostgreSQL's asynchronous commit for the events' transactions: each commit stops waiting for its WAL flush.

    Safe here because the delivery itself was stored with a synchronous commit, and the WAL is written in order: a
    crash can lose only the last few milliseconds of applied events together with the marks that they were applied,
    so those deliveries are processed again (each effect once, by its unique constraint). Marking them processed
    waits for the disk as usual, and the pushes and tasks the events announced wait for that
    (`interactions.durable_effects`): nobody hears of an event a crash could still take back.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _claim(delivery_ids: Sequence[int]) -> list[WebhookDelivery]:
    """The deliveries not yet processed, each counted as one more attempt (locked in id order: no deadlock between
    two tasks naming the same deliveries)."""
    with transaction.atomic():
        deliveries = list(
            WebhookDelivery.objects.select_for_update()
            .filter(pk__in=list(delivery_ids), processed_at__isnull=True)
            .order_by("pk")
        )
        if deliveries:
            WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries]).update(
                attempts=F("attempts") + 1
            )
    return deliveries


def _record_reports(deliveries: list[WebhookDelivery], reports: dict[int, "DeliveryReport"]) -> list[int]:
    """Marks the deliveries applied whole as processed, with Meta's time of the newest event each held; keeps why
    the others are not; returns the others.

    One UPDATE per distinct outcome: a batch of plain deliveries has a few ("1 messages", "1 statuses", in the one
    or two seconds Meta stamped them in).
    """
    now = timezone.now()
    outcomes: dict[tuple, list[int]] = defaultdict(list)
    failed = []
    for delivery in deliveries:
        report = reports[delivery.pk]
        if report.failures:
            failed.append(delivery.pk)
        values = {
            "summary": report.summary()[:255],
            "refusals": "\n".join(report.refusals),
            "last_error": "\n".join(report.failures)[:2000],
        }
        if not report.failures:
            values["processed_at"] = now
            values["newest_event_at"] = report.newest_event_at
        outcomes[tuple(values.items())].append(delivery.pk)
    for values, delivery_ids in outcomes.items():
        WebhookDelivery.objects.filter(pk__in=delivery_ids).update(**dict(values))
    return failed


class WebhookEventsFailed(Exception):
    """Some events of a delivery could not be applied; the others were."""


class UnreadableDelivery(ValueError):
    """The body cannot be read as a notification; retrying cannot change that."""


@dataclass(slots=True)
class DeliveryReport:
    """What became of one delivery's events: for its summary, and whether it is done."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    unreadable: str = ""
    newest_event_at: datetime | None = None  # Meta's time of the newest event it held

    def held(self, event: WebhookEvent, *, received_at: datetime) -> None:
        """Meta's time for the event, never later than we received it: a time in the future, or the parse time
        that stands in for an unreadable one, would pass the stream beyond what has really been applied."""
        at = getattr(event, "timestamp", None)
        if at is None:
            return
        at = min(at, received_at)
        if self.newest_event_at is None or at > self.newest_event_at:
            self.newest_event_at = at

    def summary(self) -> str:
        if self.unreadable:
            return f"{UNREADABLE_PREFIX} {self.unreadable}"
        return ", ".join(f"{count} {name}" for name, count in sorted(self.counts.items())) or "empty"

    def failed(self, event: WebhookEvent, problem: Exception) -> None:
        self.failures.append(f"{type(event).__name__}: {problem!r}")
        self.counts["failed"] += 1


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


def _apply_deliveries(deliveries: list[WebhookDelivery]) -> dict[int, DeliveryReport]:
    """Each event on its own, so one that fails never costs the others; a database outage stops them all.

    The customers' messages already recorded (redeliveries) are found in one query for the batch. Statuses wait
    until the customers' events are applied, then go in together: their order never mattered (a message moves to
    the furthest status recorded for it, whatever came first).
    """
    reports: dict[int, DeliveryReport] = {}
    customers: list[tuple[DeliveryReport, datetime, WebhookEvent, WebhookEvent | CustomerEvent]] = []
    statuses: list[tuple[DeliveryReport, StatusChanged, DeliveryStatusUpdate]] = []
    accounts: list[tuple[DeliveryReport, AccountEvent, Collection[str]]] = []
    for delivery in deliveries:
        report = reports[delivery.pk] = DeliveryReport()
        try:
            events = _events_in(bytes(delivery.body))
        except UnreadableDelivery as problem:
            # Kept, raw, for an admin to see; never retried, as no retry makes it readable.
            report.unreadable = str(problem)
            continue
        for event in events:
            report.held(event, received_at=delivery.received_at)
            refusal = _refusal(event, signed_for=delivery.signed_for)
            if refusal:
                logger.warning("refused a webhook event of delivery %s: %s", delivery.pk, refusal)
                report.refusals.append(refusal)
                report.counts["refused"] += 1
            elif isinstance(event, StatusChanged):
                report.counts["statuses"] += 1
                update = translate.delivery_status(event)
                if update is not None:
                    statuses.append((report, event, replace(update, received_at=delivery.received_at)))
            elif isinstance(event, AccountEvent):
                accounts.append((report, event, delivery.signed_for))
            else:
                try:
                    customers.append((report, delivery.received_at, event, _translated(event)))
                except Exception as problem:
                    logger.exception("could not read a webhook event (%s)", type(event).__name__)
                    report.failed(event, problem)
    new_ids = {translated.external_id for *_, translated in customers if isinstance(translated, InboundMessage)}
    recorded = recorded_external_ids(new_ids) if new_ids else set()
    for report, received_at, event, translated in customers:
        try:
            report.counts[_apply_event(translated, received_at=received_at, recorded=recorded)] += 1
        except OperationalError:
            raise
        except Exception as problem:
            logger.exception("could not apply a webhook event (%s)", type(event).__name__)
            report.failed(event, problem)
    for report, event, signed_for in accounts:
        _apply_account_event(report, event, signed_for=signed_for)
    _apply_statuses(statuses)
    return reports


def _apply_account_event(report: "DeliveryReport", event: AccountEvent, *, signed_for: Collection[str]) -> None:
    """A number's standing or a template's status, for the health panel; refused when it names an account none of
    the delivery's signers belongs to."""
    apply = apply_quality_update if isinstance(event, NumberQualityUpdate) else apply_template_update
    try:
        refusal = apply(event, signed_for=signed_for)
    except OperationalError:
        raise
    except Exception as problem:
        logger.exception("could not apply a webhook event (%s)", type(event).__name__)
        report.failed(event, problem)
        return
    if refusal:
        logger.warning("refused a webhook event: %s", refusal)
        report.refusals.append(refusal)
        report.counts["refused"] += 1
    else:
        report.counts["account updates"] += 1


def _translated(event: WebhookEvent) -> WebhookEvent | CustomerEvent:
    """A customer's message (not in a group) as the core's event; any other event as it came."""
    if isinstance(event, IncomingMessage) and not event.group_id:
        return translate.customer_event(event)
    return event


def _apply_statuses(statuses: list[tuple[DeliveryReport, StatusChanged, DeliveryStatusUpdate]]) -> None:
    """All at once; should that fail, one by one, so that the status at fault is the only one that fails."""
    if not statuses:
        return
    try:
        record_delivery_statuses(updates=[update for _, _, update in statuses])
        return
    except OperationalError:
        raise
    except Exception:
        logger.warning("a batch of %s statuses failed; applying them one by one", len(statuses), exc_info=True)
    for report, event, update in statuses:
        try:
            record_delivery_status(update=update)
        except OperationalError:
            raise
        except Exception as problem:
            logger.exception("could not apply a webhook event (%s)", type(event).__name__)
            report.counts["statuses"] -= 1
            report.failed(event, problem)


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


def _apply_event(event: WebhookEvent | CustomerEvent, *, received_at: datetime, recorded: set[str]) -> str:
    """Applies one event; returns what it was, for the delivery's summary. `recorded`: the customers' message ids
    known to be recorded (the message is then a redelivery), to which this one's is added once recorded."""
    match event:
        case InboundMessage(external_id=external_id) if external_id in recorded:
            return "messages"
        case InboundMessage():
            apply_customer_event(event, received_at=received_at, known_new=True)
            recorded.add(event.external_id)
            return "messages"
        case InboundMessageChanged() | ChannelUserAddressChanged():
            apply_customer_event(event, received_at=received_at)
            return "messages"
        case IncomingMessage():  # in a group: translated no further
            record_group_message(event)
            return "group messages (not supported)"
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
    event: CustomerEvent,
    *,
    received_at: datetime,
    known_new: bool = False,
) -> None:
    """A customer's message, a change to one, or their new number, each by the core service that owns it.
    `known_new`: the message's id was just looked up among those recorded, and is not."""
    event = replace(event, received_at=received_at)
    match event:
        case InboundMessageChanged():
            record_inbound_message_change(event=event)
        case ChannelUserAddressChanged():
            change_channel_user_address(event=event)
        case _:
            record_inbound_message(event=event, known_new=known_new)


def inbox_progress() -> InboxProgress:
    """How far Meta's stream has been applied: the newest event time among the deliveries received before the
    oldest still waiting (a few rows read from the top of `delivery_newest_event`), and the newest receipt."""
    oldest_waiting = _oldest_unapplied_delivery_at()
    applied = WebhookDelivery.objects.filter(newest_event_at__isnull=False)
    if oldest_waiting is not None:
        applied = applied.filter(received_at__lt=oldest_waiting)
    return InboxProgress(
        applied_through=applied.order_by("-newest_event_at").values_list("newest_event_at", flat=True).first(),
        last_received_at=WebhookDelivery.objects.order_by("-pk").values_list("received_at", flat=True).first(),
        backlog=oldest_waiting is not None,
    )


def _oldest_unapplied_delivery_at() -> datetime | None:
    """When the oldest delivery still to be applied was received: the inbox's backlog starts there. A delivery
    given up on (its attempts used up) is left to an admin and holds nothing back."""
    return (
        WebhookDelivery.objects.filter(processed_at__isnull=True, attempts__lt=MAX_PROCESSING_ATTEMPTS)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )


def unprocessed_delivery_ids(*, older_than: timedelta, limit: int | None = SWEEP_LIMIT) -> list[int]:
    """Deliveries whose task never ran or failed, oldest first; `older_than` leaves the freshly enqueued alone."""
    ids = (
        WebhookDelivery.objects.filter(
            processed_at__isnull=True,
            received_at__lte=timezone.now() - older_than,
            attempts__lt=MAX_PROCESSING_ATTEMPTS,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)
    )
    return list(ids if limit is None else ids[:limit])


def enqueue_unprocessed_deliveries(
    *, older_than: timedelta = timedelta(seconds=20), while_queued_older_than: timedelta = timedelta(minutes=10)
) -> int:
    """Enqueues again the deliveries whose task was lost (a broker restart, an enqueue that failed).

    When the broker has lost its data since the last sweep, every task waiting then went with it: every
    delivery older than `older_than` is enqueued again, all of them at once, however long the backlog (a 100,000-
    event fault run lost 20,000 tasks to a Redis restart; at a few hundred per sweep they took 20 minutes to come
    back). Otherwise, while tasks wait in the webhooks queue, a delivery still unprocessed is most likely among
    them, behind a backlog: enqueuing it again would only add a no-op task to drain. So only those older than
    `while_queued_older_than` are (a task lost while a backlog lasts is still found), at most `SWEEP_LIMIT` a
    sweep. When the queue cannot be read, every delivery older than `older_than` is, as when it is empty.
    """
    limit: int | None = SWEEP_LIMIT
    if broker_lost_its_data():
        limit = None
    elif _tasks_waiting_in(WEBHOOKS_QUEUE):
        older_than = max(older_than, while_queued_older_than)
    delivery_ids = unprocessed_delivery_ids(older_than=older_than, limit=limit)
    for start in range(0, len(delivery_ids), SWEEP_TASK_SIZE):
        enqueue_processing(delivery_ids[start : start + SWEEP_TASK_SIZE])
    return len(delivery_ids)


def broker_lost_its_data() -> bool:
    """Whether the broker came back empty since the last sweep (a Redis restarted without persistence, a failover
    to an empty replica): the mark each sweep leaves there is gone. True the first time too, which costs one sweep
    of no-op tasks. False when the broker cannot be asked: nothing could be enqueued then anyway."""
    try:
        broker = Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=5, socket_connect_timeout=5)
        return bool(broker.set(f"{settings.REDIS_KEY_PREFIX}{BROKER_MARK_KEY}", "1", nx=True))
    except RedisError:
        logger.warning("could not ask the broker whether it kept its data", exc_info=True)
        return False


def _tasks_waiting_in(queue: str) -> int:
    """How many tasks the broker holds in `queue`, not yet handed to a worker; 0 when it cannot tell."""
    from celery import current_app

    try:
        with current_app.connection_for_read() as broker:
            # Declared, not checked passively: kombu's passive check on Redis misses a global key prefix.
            return broker.default_channel.queue_declare(queue=queue).message_count
    except Exception:
        logger.warning("could not read the length of the %s queue", queue, exc_info=True)
        return 0
