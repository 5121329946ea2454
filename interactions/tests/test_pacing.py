"""Send pacing: slots reserved in Redis, evenly spaced, in every bucket a send counts against or in none."""

import time
import uuid

import pytest

from interactions.channel_adapters import RateLimit
from interactions.pacing import reserve_send_slot


@pytest.fixture
def bucket():
    return lambda: f"test:{uuid.uuid4().hex}"


def test_sends_of_one_number_are_spaced_evenly_in_the_order_they_asked(bucket):
    number = RateLimit(bucket(), rate=10, burst=1)

    slots = [reserve_send_slot([number]) for _ in range(5)]

    assert all(slot.reserved for slot in slots)
    assert [round(slot.wait, 1) for slot in slots] == [0.0, 0.1, 0.2, 0.3, 0.4]


def test_a_burst_goes_at_once_then_the_next_waits_for_the_rate(bucket):
    pair = RateLimit(bucket(), rate=1 / 6, burst=3)

    burst = [reserve_send_slot([pair]) for _ in range(3)]
    later = reserve_send_slot([pair])

    assert [(slot.reserved, round(slot.wait)) for slot in burst] == [(True, 0)] * 3
    assert not later.reserved
    assert 5.9 < later.wait <= 6.0


def test_a_slot_too_far_off_is_taken_from_no_bucket(bucket):
    number, pair = RateLimit(bucket(), rate=10, burst=1), RateLimit(bucket(), rate=1 / 6, burst=1)
    assert reserve_send_slot([number, pair]).reserved

    refused = reserve_send_slot([number, pair], max_hold=2)

    assert not refused.reserved and 5.9 < refused.wait <= 6.0
    assert reserve_send_slot([number]).wait < 0.11  # the number's next slot was not spent on the refused send


def test_a_send_waits_for_the_latest_of_its_buckets_and_holds_its_slot_in_each(bucket):
    number, pair = RateLimit(bucket(), rate=2, burst=1), RateLimit(bucket(), rate=1, burst=1)
    reserve_send_slot([pair])

    both = reserve_send_slot([number, pair])

    assert both.reserved and 0.95 < both.wait <= 1.0
    assert 1.4 < reserve_send_slot([number]).wait <= 1.5  # after the shared send's slot, not before it


def test_no_limits_means_no_wait():
    assert reserve_send_slot([]).reserved


def test_the_wait_for_a_slot_counts_from_the_reservation(bucket):
    number = RateLimit(bucket(), rate=5, burst=1)
    reserve_send_slot([number])
    slot = reserve_send_slot([number])
    time.sleep(0.1)  # a commit, say, between the reservation and the send

    started = time.time()
    slot.wait_for_it()

    assert 0.08 < time.time() - started < 0.15
