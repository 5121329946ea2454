"""The conversation's rules at their edges: the service window (WhatsApp's 24 hours, or none), status order, retry
timing, unknown outcomes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from interactions.channel_adapters import InboxProgress
from interactions.policies import (
    CLOCK_SKEW,
    MAX_DELIVERY_ATTEMPTS,
    UNKNOWN_OUTCOME_GRACE,
    UNKNOWN_OUTCOME_RECHECK,
    free_form_send_decision,
    plausible_event_time,
    retry_delay,
    service_window_is_open,
    status_can_advance,
    unknown_outcome_wait,
)

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
DAY = timedelta(hours=24)  # WhatsApp's window, as its adapter states it


@pytest.mark.parametrize(
    ("since_last_inbound", "is_open"),
    [
        (timedelta(0), True),
        (timedelta(hours=1), True),
        (timedelta(hours=23, minutes=59, seconds=59), True),
        (timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999), True),
        (timedelta(hours=24), False),
        (timedelta(hours=24, seconds=1), False),
        (timedelta(days=30), False),
        (timedelta(minutes=-5), True),  # the customer's clock, or ours, a little ahead
    ],
    ids=["just now", "1 h", "23:59:59", "a microsecond before 24 h", "exactly 24 h", "24 h 1 s", "30 days", "skew"],
)
def test_the_service_window_is_open_for_24_hours_after_the_customers_last_message(since_last_inbound, is_open):
    assert service_window_is_open(last_inbound_at=NOW - since_last_inbound, now=NOW, window=DAY) is is_open


def test_the_service_window_is_closed_if_the_customer_never_wrote():
    assert service_window_is_open(last_inbound_at=None, now=NOW, window=DAY) is False


def test_a_free_form_message_may_be_sent_inside_the_window_and_says_when_it_closes():
    decision = free_form_send_decision(
        last_inbound_at=NOW - timedelta(hours=23, minutes=59, seconds=59), now=NOW, window=DAY
    )

    assert decision.allowed is True
    assert decision.reason == ""
    assert decision.window_closes_at == NOW + timedelta(seconds=1)


def test_a_free_form_message_is_refused_at_exactly_24_hours_with_the_closing_time_in_the_reason():
    last_inbound_at = datetime(2026, 3, 13, 15, 9, 26, tzinfo=UTC)

    decision = free_form_send_decision(last_inbound_at=last_inbound_at, now=NOW, window=DAY)

    assert decision.allowed is False
    assert decision.window_closes_at == NOW
    assert decision.reason == (
        "The 24-hour customer service window closed at 2026-03-14 15:09 UTC; "
        "only a template may be sent until the customer writes again."
    )


def test_a_free_form_message_is_refused_to_a_customer_who_never_wrote():
    decision = free_form_send_decision(last_inbound_at=None, now=NOW, window=DAY)

    assert decision.allowed is False
    assert decision.window_closes_at is None
    assert decision.reason == "The customer has not written to us yet, so only a template may be sent."


def test_the_closing_time_in_the_reason_is_in_utc_whatever_zone_the_time_came_in():
    berlin = ZoneInfo("Europe/Berlin")
    last_inbound_at = datetime(2026, 3, 13, 16, 9, 26, tzinfo=berlin)  # 15:09:26 UTC

    decision = free_form_send_decision(last_inbound_at=last_inbound_at, now=NOW.astimezone(berlin), window=DAY)

    assert "closed at 2026-03-14 15:09 UTC" in decision.reason


@pytest.mark.parametrize("last_inbound_at", [None, NOW - timedelta(days=400)])
def test_a_channel_without_a_service_window_always_allows_free_form_messages(last_inbound_at):
    assert service_window_is_open(last_inbound_at=last_inbound_at, now=NOW, window=None) is True
    assert free_form_send_decision(last_inbound_at=last_inbound_at, now=NOW, window=None).allowed is True


def test_another_windows_length_is_named_in_the_reason():
    decision = free_form_send_decision(last_inbound_at=NOW - timedelta(hours=2), now=NOW, window=timedelta(hours=1))

    assert decision.reason.startswith("The 1-hour customer service window closed at 2026-03-14 14:09 UTC")


@pytest.mark.parametrize(
    ("current", "new", "advances"),
    [
        ("queued", "sent", True),
        ("queued", "delivered", True),
        ("queued", "read", True),
        ("queued", "failed", True),
        ("sent", "delivered", True),
        ("sent", "read", True),
        ("sent", "failed", True),
        ("delivered", "read", True),
        ("failed", "delivered", True),  # a later proof of delivery outranks a failure
        ("failed", "read", True),
        ("read", "delivered", False),  # delivered and read can arrive in either order
        ("read", "sent", False),
        ("read", "failed", False),
        ("delivered", "sent", False),
        ("delivered", "failed", False),
        ("failed", "sent", False),
        ("sent", "queued", False),
        ("sent", "sent", False),
        ("delivered", "delivered", False),
        ("read", "read", False),
        ("failed", "failed", False),
        ("sent", "unknown", False),
        ("sent", "deleted", False),
    ],
)
def test_a_message_status_only_ever_moves_forward(current, new, advances):
    assert status_can_advance(current=current, new=new) is advances


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [(0, 1, 2), (1, 2, 4), (2, 4, 8), (5, 32, 64), (MAX_DELIVERY_ATTEMPTS - 1, 128, 256)],
)
def test_the_retry_delay_backs_off_exponentially_with_jitter(attempt, low, high):
    delays = {retry_delay(attempt=attempt) for _ in range(200)}

    assert all(timedelta(seconds=low) <= delay <= timedelta(seconds=high) for delay in delays)
    assert len(delays) > 1


def test_the_retry_delay_never_exceeds_ten_minutes():
    assert all(retry_delay(attempt=attempt) <= timedelta(minutes=10) for attempt in range(MAX_DELIVERY_ATTEMPTS))


@pytest.mark.parametrize("retry_after", [timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1)])
def test_the_channels_retry_after_is_honoured_when_it_asks_for_longer(retry_after):
    assert retry_delay(attempt=0, retry_after=retry_after) == retry_after


def test_a_short_retry_after_does_not_shorten_the_backoff():
    delay = retry_delay(attempt=3, retry_after=timedelta(seconds=1))

    assert timedelta(seconds=8) <= delay <= timedelta(seconds=16)


@pytest.mark.parametrize("attempt", [MAX_DELIVERY_ATTEMPTS, MAX_DELIVERY_ATTEMPTS + 1, 100])
def test_there_is_no_retry_after_the_last_attempt(attempt):
    assert retry_delay(attempt=attempt) is None
    assert retry_delay(attempt=attempt, retry_after=timedelta(seconds=5)) is None


SILENT = InboxProgress(applied_through=None, last_received_at=None, backlog=False)


@pytest.mark.parametrize(
    ("since_start", "settled"),
    [
        (timedelta(0), False),
        (timedelta(minutes=1, seconds=59), False),
        (timedelta(minutes=2) - timedelta(microseconds=1), False),
        (timedelta(minutes=2), True),
        (timedelta(minutes=2, microseconds=1), True),
        (timedelta(hours=1), True),
        (timedelta(seconds=-30), False),
    ],
    ids=["at once", "1:59", "a microsecond before 2 min", "exactly 2 min", "just after", "an hour", "clock skew"],
)
def test_an_unknown_outcome_on_a_silent_channel_is_settled_after_the_grace_period(since_start, settled):
    wait = unknown_outcome_wait(started_at=NOW - since_start, now=NOW, inbox=SILENT)
    assert (wait is None) is settled


@pytest.mark.parametrize(
    ("stamped_since_start", "settled"),
    [
        (timedelta(0), False),  # the channel is still delivering what it stamped right after the send
        (timedelta(minutes=1, seconds=59), False),
        (timedelta(minutes=2), True),  # it has passed the grace period, and what came before it is applied
        (timedelta(minutes=30), True),
    ],
)
def test_an_unknown_outcome_waits_for_the_channels_stream_to_pass_the_grace_period(stamped_since_start, settled):
    started_at = NOW - timedelta(hours=1)  # long past the grace period by our clock
    busy = InboxProgress(applied_through=started_at + stamped_since_start, last_received_at=NOW, backlog=True)

    wait = unknown_outcome_wait(started_at=started_at, now=NOW, inbox=busy)

    assert (wait is None) is settled
    if not settled:
        assert wait == UNKNOWN_OUTCOME_RECHECK  # asked again soon: the backlog may drain any moment


def test_statuses_arriving_late_from_a_channel_that_fell_behind_hold_an_unknown_outcome():
    """The fault run's duplicates: our inbox was empty, but Meta was still delivering what it stamped minutes ago."""
    started_at = NOW - timedelta(minutes=5)
    behind = InboxProgress(applied_through=started_at + timedelta(seconds=30), last_received_at=NOW, backlog=False)

    assert unknown_outcome_wait(started_at=started_at, now=NOW, inbox=behind) == UNKNOWN_OUTCOME_RECHECK


@pytest.mark.parametrize(
    ("silent_for", "backlog", "settled"),
    [
        (timedelta(minutes=2), False, True),
        (timedelta(minutes=1), False, False),
        (timedelta(minutes=10), True, False),  # what waits in our inbox may name it
    ],
)
def test_a_channel_silent_for_a_grace_period_has_nothing_on_its_way(silent_for, backlog, settled):
    started_at = NOW - timedelta(hours=1)
    inbox = InboxProgress(applied_through=started_at, last_received_at=NOW - silent_for, backlog=backlog)

    assert (unknown_outcome_wait(started_at=started_at, now=NOW, inbox=inbox) is None) is settled


def test_an_unknown_outcome_within_the_grace_period_waits_for_its_end():
    wait = unknown_outcome_wait(started_at=NOW - timedelta(seconds=30), now=NOW, inbox=SILENT)

    assert wait == timedelta(seconds=90)


def test_the_grace_period_is_two_minutes():
    assert timedelta(minutes=2) == UNKNOWN_OUTCOME_GRACE


SECOND = timedelta(seconds=1)
WEEK = timedelta(days=7)  # the redelivery period WhatsApp's adapter states


@pytest.mark.parametrize(
    ("claimed_after_receipt", "believed"),
    [
        (timedelta(0), True),
        (CLOCK_SKEW, True),
        (CLOCK_SKEW + SECOND, False),
        (timedelta(days=365 * 74), False),  # 2100: a 24-hour window of 73 years
        (-SECOND, True),
        (-timedelta(hours=25), True),  # a late redelivery: kept, so it opens no fresh window
        (-WEEK, True),
        (-WEEK - SECOND, False),
        (datetime(1970, 1, 1, tzinfo=UTC) - NOW, False),
    ],
    ids=[
        "at receipt",
        "ahead by the clock skew",
        "a second beyond the skew",
        "in 2100",
        "a second before receipt",
        "25 h before receipt",
        "exactly 7 days before",
        "a second more than 7 days before",
        "in 1970",
    ],
)
def test_a_claimed_event_time_is_believed_only_between_the_clock_skew_and_the_redelivery_period(
    claimed_after_receipt, believed
):
    claimed = NOW + claimed_after_receipt

    believed_time = plausible_event_time(claimed=claimed, received_at=NOW, redelivery_period=WEEK)

    assert believed_time == (claimed if believed else NOW)
