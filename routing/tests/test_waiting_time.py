"""The expected wait for a customer joining a queue, from the queue's recent history: the median time in queue of
the items accepted in the last hours, one turn per round of the agents serving it ahead of the customer; nothing
with too little history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from routing.models import Presence, WorkItemState
from routing.services.waiting_time import RECENT, place_in_line
from routing.tests.factories import QueueFactory, WorkItemFactory, serving_agent

pytestmark = pytest.mark.django_db


def accepted(queue, *, waited: timedelta, ago: timedelta = timedelta(minutes=30)):
    """An item people took `ago`, after it waited `waited` in `queue`."""
    accepted_at = timezone.now() - ago
    return WorkItemFactory(
        queue=queue,
        state=WorkItemState.ACCEPTED,
        queued_at=accepted_at - waited,
        waiting_since=accepted_at - waited - timedelta(hours=1),  # an earlier queue's wait is not this queue's
        accepted_at=accepted_at,
    )


def test_with_too_little_recent_history_there_is_a_place_but_no_estimate():
    queue = QueueFactory()
    WorkItemFactory(queue=queue)
    WorkItemFactory(queue=queue, offered=True)
    accepted(queue, waited=timedelta(minutes=4))
    accepted(queue, waited=timedelta(minutes=4))
    accepted(queue, waited=timedelta(minutes=4), ago=RECENT + timedelta(minutes=5))  # too long ago
    accepted(QueueFactory(), waited=timedelta(minutes=4))  # another queue's

    line = place_in_line(queue)

    assert (line.position, line.expected_wait) == (3, None)


def test_the_next_customer_expects_the_median_recent_wait():
    queue = QueueFactory()
    for minutes in (2, 4, 30):  # one long wait does not make the estimate
        accepted(queue, waited=timedelta(minutes=minutes))

    line = place_in_line(queue)

    assert (line.position, line.expected_wait) == (1, timedelta(minutes=4))


def test_further_back_the_wait_grows_by_rounds_of_the_agents_serving_the_queue():
    queue = QueueFactory()
    for minutes in (3, 5, 6, 9):
        accepted(queue, waited=timedelta(minutes=minutes))
    for _ in range(4):
        WorkItemFactory(queue=queue)
    serving_agent(queue)
    serving_agent(queue)
    serving_agent(queue, presence=Presence.OFFLINE)  # not serving now
    serving_agent(QueueFactory())  # another queue's

    line = place_in_line(queue)

    # Fifth in line, two agents: three rounds of the median 5.5 minutes.
    assert (line.position, line.expected_wait) == (5, timedelta(minutes=16.5))
