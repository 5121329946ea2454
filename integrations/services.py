"""Recording events into the outbox and delivering them to subscribers.

Recording runs inside the transaction of the change (a hook of the core, see `wiring`), so an event is delivered
if and only if its change committed. With nothing subscribed to an event type, recording costs no query and at most
one cache read every couple of seconds: each process keeps the subscribed event types (see `subscribed_event_types`).
Delivering is a task per delivery, enqueued on commit; a periodic sweep enqueues deliveries whose task was lost, and
those whose next try is further off than a task should wait in the broker.
"""

import json
import logging
import math
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations import policies
from integrations.events import envelope, test_event
from integrations.models import Delivery, DeliveryState, EventType, Subscription
from integrations.signing import signature
from interactions.hints import only_a_hint
from interactions.safe_fetch import FetchRefused, NoAnswer, checked_target, post_to_public_address
from interactions.task_queue import enqueue_task, enqueue_task_on_commit

logger = logging.getLogger(__name__)

# The subscriptions' version, changed whenever one is saved or deleted; each process keeps the event types it read
# for a version (see `subscribed_event_types`).
SUBSCRIPTIONS_VERSION_KEY = "integrations:subscriptions-version"
USER_AGENT = "WhatsDesk-Webhooks/1.0"
# A task waiting in the broker longer than this could be handed out twice (its visibility timeout); the sweep
# enqueues such a delivery when it is due instead.
LONGEST_TASK_WAIT = timedelta(hours=1)
# Held while one worker posts a delivery, so a second one (a sweep's) leaves it alone.
ATTEMPT_LEASE = timedelta(seconds=policies.CONNECT_TIMEOUT_SECONDS + policies.READ_TIMEOUT_SECONDS + 30)


# How long a process takes its subscribed event types as they are without reading the version: a new or changed
# subscription is heard within this time (the cache read stays off the per-message path).
VERSION_CHECK_SECONDS = 2.0


@dataclass(slots=True)
class _Subscribed:
    version: str = ""
    event_types: frozenset[str] = frozenset()
    read_at: float = -math.inf  # time.monotonic() of the last query
    checked_at: float = -math.inf  # of the last version read


_subscribed = _Subscribed()


def _subscriptions_version() -> str:
    """A missing version (a new cache, an eviction) becomes a new one, so no process takes an old set for it."""
    version = cache.get(SUBSCRIPTIONS_VERSION_KEY)
    if version is None:
        cache.add(SUBSCRIPTIONS_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(SUBSCRIPTIONS_VERSION_KEY)
    return version


def subscribed_event_types() -> frozenset[str]:
    """The event types some active subscription wants. Mostly no I/O at all: the version is read at most every
    VERSION_CHECK_SECONDS, and the subscriptions only when it changed or WEBHOOK_SUBSCRIPTIONS_REREAD_SECONDS
    passed (or the cache is down). The query runs in a savepoint: if it fails, it is logged, and every type is
    taken as subscribed, so `record_event` looks for itself; the change goes on either way.

    The version is read before the subscriptions, so a change committing in between leaves a newer version, which
    a later check sees.
    """
    now = time.monotonic()
    if now - _subscribed.checked_at < VERSION_CHECK_SECONDS:
        return _subscribed.event_types
    version = ""
    with only_a_hint("reading the subscriptions' version"):
        version = _subscriptions_version()
    fresh = now - _subscribed.read_at < settings.WEBHOOK_SUBSCRIPTIONS_REREAD_SECONDS
    if version and version == _subscribed.version and fresh:
        _subscribed.checked_at = now
        return _subscribed.event_types
    try:
        with transaction.atomic():
            event_types = frozenset(
                event
                for events in Subscription.objects.filter(active=True).values_list("events", flat=True)
                for event in events
            )
    except Exception:
        logger.exception("could not read the webhook subscriptions")
        return frozenset(EventType.values)
    _subscribed.version, _subscribed.event_types, _subscribed.read_at, _subscribed.checked_at = (
        version,
        event_types,
        now,
        now,
    )
    return event_types


def subscriptions_changed() -> None:
    """Once a subscription change commits, every process reads the subscriptions again (once), within
    VERSION_CHECK_SECONDS."""

    def new_version() -> None:
        with only_a_hint("changing the subscriptions' version"):
            cache.set(SUBSCRIPTIONS_VERSION_KEY, uuid.uuid4().hex, None)

    transaction.on_commit(new_version)


def record_event(event_type: str, build: Callable[[], dict]) -> None:
    """Inside the change's transaction: one delivery per active subscription to `event_type`, each sent once the
    change commits. `build` makes the event's `data` and is called only when someone subscribes. A failure here is
    logged and never undoes the change (the rows are written in a savepoint)."""
    record_events([(event_type, build)])


def record_events(events: Sequence[tuple[str, Callable[[], dict]]]) -> None:
    """`record_event` for the events of one change (a batch of statuses): one look at the subscribed types, and
    when some are wanted one query and one insert for all."""
    if not events:
        return
    subscribed = subscribed_event_types()
    wanted = [(event_type, build) for event_type, build in events if event_type in subscribed]
    if not wanted:
        return
    try:
        with transaction.atomic():
            active = list(Subscription.objects.filter(active=True).only("pk", "events"))  # not the secret
            _record(
                (subscribers, event_type, build())
                for event_type, build in wanted
                if (subscribers := [s for s in active if event_type in s.events])
            )
    except Exception:
        logger.exception("could not record %s for their webhook subscribers", ", ".join(t for t, _ in wanted))


def _record(events: Iterable[tuple[Iterable[Subscription], str, dict]]) -> list[Delivery]:
    """One delivery per subscription of each (subscriptions, event type, data), in one insert."""
    now = timezone.now()
    rows = []
    for subscriptions, event_type, data in events:
        event_id = uuid.uuid4()
        payload = envelope(event_type, data, event_id=event_id, occurred_at=now)
        rows += [
            Delivery(subscription=s, event_id=event_id, event_type=event_type, payload=payload, next_attempt_at=now)
            for s in subscriptions
        ]
    deliveries = Delivery.objects.bulk_create(rows) if rows else []
    from integrations.tasks import deliver_webhook

    for delivery in deliveries:
        enqueue_task_on_commit(deliver_webhook, delivery_id=delivery.pk)
    return deliveries


@transaction.atomic
def send_test_event(subscription: Subscription) -> Delivery:
    """The admin's "send test event": a delivery like any other, whatever events the subscription chose."""
    return _record([([subscription], EventType.TEST, test_event(subscription))])[0]


def refusal_of_url(url: str) -> str:
    """Why a subscriber URL breaks the SSRF rules (those of link previews), or "" when it may be used."""
    try:
        checked_target(url)
    except FetchRefused as refused:
        return refused.reason
    return ""


def _claim(delivery_id: int) -> Delivery | None:
    """Counts an attempt and holds the delivery for its length; None when it is not to be posted now."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state in (DeliveryState.DELIVERED, DeliveryState.GIVEN_UP):
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # not due, or another worker holds it; the sweep comes back to it
        if not delivery.subscription.active:
            delivery.state = DeliveryState.GIVEN_UP
            delivery.last_error = "The subscription is switched off."
            delivery.next_attempt_at = None
            delivery.save(update_fields=["state", "last_error", "next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + ATTEMPT_LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def request_for(delivery: Delivery, *, timestamp: int) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery's POST, signed at `timestamp`."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    return body, {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-WhatsDesk-Event": delivery.event_type,
        "X-WhatsDesk-Delivery": str(delivery.pk),
        "X-WhatsDesk-Signature": signature(secret=delivery.subscription.secret, timestamp=timestamp, body=body),
    }


def deliver(*, delivery_id: int) -> timedelta | None:
    """Posts one delivery once. Returns when to try again, or None when delivered, given up or not ours to post."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    body, headers = request_for(delivery, timestamp=int(time.time()))
    status, error, retry_after_header, refused = None, "", None, False
    try:
        answer = post_to_public_address(
            delivery.subscription.url,
            body=body,
            headers=headers,
            connect=policies.CONNECT_TIMEOUT_SECONDS,
            read=policies.READ_TIMEOUT_SECONDS,
        )
    except NoAnswer as silence:
        error = silence.reason
    except FetchRefused as refusal:
        error, refused = refusal.reason, True
    else:
        status = answer.status
        retry_after_header = answer.headers.get("Retry-After")
        if not 200 <= status < 300:
            error = answer.body.decode("utf-8", "replace")
    verdict = policies.verdict_for(
        attempt=delivery.attempts,
        status=status,
        retry_after_header=retry_after_header,
        address_refused=refused,
        now=timezone.now(),
    )
    return _settle(delivery, status=status, error=error, verdict=verdict)


def _settle(delivery: Delivery, *, status: int | None, error: str, verdict: policies.Verdict) -> timedelta | None:
    now = timezone.now()
    if verdict.delivered:
        state, next_at = DeliveryState.DELIVERED, None
    elif verdict.retry_in is not None:
        state, next_at = DeliveryState.FAILED, now + verdict.retry_in
    else:
        state, next_at = DeliveryState.GIVEN_UP, None
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=state,
            next_attempt_at=next_at,
            last_status_code=status,
            last_error=error[: Delivery._meta.get_field("last_error").max_length],
            delivered_at=now if verdict.delivered else None,
        )
        if verdict.disable_subscription:
            Subscription.objects.filter(pk=delivery.subscription_id).update(
                active=False, disabled_reason=f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC."
            )
            subscriptions_changed()
    if state == DeliveryState.GIVEN_UP:
        logger.warning("webhook delivery %s gave up after %s attempts: %s", delivery.pk, delivery.attempts, error)
    return verdict.retry_in


def due_delivery_ids(*, now=None) -> list[int]:
    """Deliveries whose task was lost (pending well past their time) or that waited too long for a task."""
    now = now or timezone.now()
    waiting = Q(state__in=[DeliveryState.PENDING, DeliveryState.FAILED])
    return list(
        Delivery.objects.filter(waiting, next_attempt_at__lte=now - policies.LOST_AFTER)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def enqueue_due_deliveries() -> int:
    from integrations.tasks import deliver_webhook

    ids = due_delivery_ids()
    for delivery_id in ids:
        enqueue_task(deliver_webhook, delivery_id=delivery_id)
    return len(ids)


PAYLOAD_REMOVED = "data_removed"  # the key a payload keeps, with why, once its data is removed
_FINISHED = [DeliveryState.DELIVERED, DeliveryState.GIVEN_UP]


def _without_data(payload: dict, reason: str) -> dict:
    """The envelope stays (event id, type, time): the log still says what was sent when; its data goes."""
    return {**{key: value for key, value in payload.items() if key != "data"}, PAYLOAD_REMOVED: reason}


def _remove_payloads(deliveries: Iterable[Delivery], reason: str) -> int:
    changed = [delivery for delivery in deliveries if PAYLOAD_REMOVED not in delivery.payload]
    for delivery in changed:
        delivery.payload = _without_data(delivery.payload, reason)
    Delivery.objects.bulk_update(changed, ["payload"])
    return len(changed)


def remove_delivery_payloads(*, cutoff, limit: int) -> int:
    """Retention: finished deliveries created before `cutoff` lose their payload's data (which holds what customers
    wrote); the row stays in the log. One still to be retried keeps it."""
    old = (
        Delivery.objects.select_for_update()
        .filter(state__in=_FINISHED, created_at__lt=cutoff)
        .exclude(payload__has_key=PAYLOAD_REMOVED)
        .order_by("created_at", "pk")[:limit]
    )
    return _remove_payloads(list(old), "retention")


def erase_customer_deliveries(request) -> int:
    """Erasure: every delivery whose event is about the customer, whatever its state (one not yet sent then sends
    the envelope without the data)."""
    customer = request.channel_user_id
    about = (
        Q(payload__data__customer__id=customer)
        | Q(payload__data__interaction__customer__id=customer)
        | Q(payload__data__consent__customer_id=customer)
        | Q(payload__data__case__customer_id=customer)
    )
    return _remove_payloads(list(Delivery.objects.select_for_update().filter(about)), "erasure")


@transaction.atomic
def retry_now(*, delivery_ids: Iterable[int]) -> int:
    """The admin's "retry now": due at once; one that gave up gets a fresh set of attempts."""
    from integrations.tasks import deliver_webhook

    deliveries = list(
        Delivery.objects.select_for_update()
        .filter(pk__in=list(delivery_ids))
        .exclude(state=DeliveryState.DELIVERED)
        .exclude(payload__has_key=PAYLOAD_REMOVED)  # its data is gone: a retry would send an empty event
    )
    for delivery in deliveries:
        if delivery.state == DeliveryState.GIVEN_UP:
            delivery.attempts = 0
        delivery.state = DeliveryState.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "state", "next_attempt_at"])
        enqueue_task_on_commit(deliver_webhook, delivery_id=delivery.pk)
    return len(deliveries)


@transaction.atomic
def rotate_secret(subscription: Subscription) -> str:
    from integrations.models import new_secret

    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription.secret
