"""The rules of the conversation: pure functions, values and `now` in, an answer out. Every path calls these."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from interactions.channel_adapters import InboxProgress


@dataclass(frozen=True, slots=True)
class SendDecision:
    allowed: bool
    reason: str = ""
    window_closes_at: datetime | None = None


def service_window_is_open(*, last_inbound_at: datetime | None, now: datetime, window: timedelta | None) -> bool:
    """Only the customer's messages open or extend the window; ours never do. No window (None): always open."""
    if window is None:
        return True
    return last_inbound_at is not None and now - last_inbound_at < window


def free_form_send_decision(
    *, last_inbound_at: datetime | None, now: datetime, window: timedelta | None
) -> SendDecision:
    """May we send a free-form (non-template) message to this customer now, and if not, why?

    `window` is the channel's (its adapter's capabilities): WhatsApp's 24 hours, or None for a channel without one.
    """
    if window is None:
        return SendDecision(True)
    if last_inbound_at is None:
        return SendDecision(False, "The customer has not written to us yet, so only a template may be sent.")
    closes_at = last_inbound_at + window
    if not service_window_is_open(last_inbound_at=last_inbound_at, now=now, window=window):
        return SendDecision(
            False,
            f"The {_duration(window)} customer service window closed at "
            f"{closes_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC; "
            "only a template may be sent until the customer writes again.",
            closes_at,
        )
    return SendDecision(True, "", closes_at)


def _duration(window: timedelta) -> str:
    hours = window / timedelta(hours=1)
    return f"{hours:g}-hour" if hours >= 1 else f"{window / timedelta(minutes=1):g}-minute"


# A later proof of delivery outranks a failure: with several devices, 'failed' and 'delivered' can
# arrive in either order, and a message that was delivered or read did reach the customer.
_STATUS_RANK = {"queued": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}


def status_can_advance(*, current: str, new: str) -> bool:
    """Statuses arrive out of order and more than once; a message's status only ever moves forward."""
    return _STATUS_RANK.get(new, -1) > _STATUS_RANK.get(current, -1)


MAX_DELIVERY_ATTEMPTS = 8
_BASE_RETRY_DELAY = timedelta(seconds=2)
_MAX_RETRY_DELAY = timedelta(minutes=10)


def retry_delay(*, attempt: int, retry_after: timedelta | None = None) -> timedelta | None:
    """Exponential backoff with full jitter, honouring the channel's Retry-After; None when to give up."""
    if attempt >= MAX_DELIVERY_ATTEMPTS:
        return None
    ceiling = min(_BASE_RETRY_DELAY * (2**attempt), _MAX_RETRY_DELAY)
    delay = timedelta(seconds=random.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds()))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


UNKNOWN_OUTCOME_GRACE = timedelta(minutes=2)
UNKNOWN_OUTCOME_RECHECK = timedelta(seconds=15)  # how often a send waiting on a backlogged inbox asks again


def unknown_outcome_wait(*, started_at: datetime, now: datetime, inbox: InboxProgress) -> timedelta | None:
    """How long a send whose answer was lost (the worker died, or recording it failed) must wait before it is
    tried again; None once it may be.

    It may have been accepted: the status that names it comes within the grace period, by the channel's clock. So
    the send is settled once the channel's stream has passed the grace period: an event stamped after it has been
    applied, with everything received before it. The inbox's own receipt times are not enough: a channel that falls
    behind delivers statuses minutes after it stamped them (a 100,000-event fault run sent six replies twice so).
    A channel that has told us nothing for a whole grace period has nothing on its way either.
    """
    settled_at = started_at + UNKNOWN_OUTCOME_GRACE
    if now < settled_at:
        return settled_at - now
    if inbox.applied_through is not None and inbox.applied_through >= settled_at:
        return None
    silent = inbox.last_received_at is None or now - inbox.last_received_at >= UNKNOWN_OUTCOME_GRACE
    if silent and not inbox.backlog:
        return None
    return UNKNOWN_OUTCOME_RECHECK


def failed_send_may_be_retried(*, status: str, accepted_by_channel: bool, retry_can_help: bool) -> bool:
    """A failed message is offered again only if the channel never accepted it (so it cannot arrive twice)
    and its error is one that time can cure (throttling, an outage), as the channel classifies it."""
    return status == "failed" and not accepted_by_channel and retry_can_help


CLOCK_SKEW = timedelta(minutes=5)


def plausible_event_time(*, claimed: datetime, received_at: datetime, redelivery_period: timedelta) -> datetime:
    """When a channel event happened, as far as we may believe the time the channel claims for it.

    A claimed time decides the service window and the order of the workspace list, so one that cannot be true
    must not: a time in the future beyond clock skew, or older than the channel keeps redelivering for (its
    adapter says; WhatsApp: 7 days), becomes the time we received it. Anything in between is kept, so a late
    redelivery of an old message opens no fresh window. The caller keeps the claimed time for the record.
    """
    if claimed > received_at + CLOCK_SKEW or claimed < received_at - redelivery_period:
        return received_at
    return claimed


LISTENER_RUN_LEASE = timedelta(minutes=10)


def listener_run_is_stale(*, started_at: datetime | None, now: datetime) -> bool:
    """A listener run marked running for this long lost its worker mid-run (killed, redeployed): run it again.

    Until then a second copy of its task (a sweep, a redelivery) leaves it alone, so a listener runs once at a time.
    """
    return started_at is None or now - started_at >= LISTENER_RUN_LEASE
