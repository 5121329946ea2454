"""Where a customer who joins a queue now would stand, and how long they can expect to wait, from the queue's
recent history: the median time in the queue of the items people accepted in the last hours is one customer's
turn, and the customer waits one turn for each round of the agents serving the queue ahead of them. With too
little recent history there is no estimate, and nobody is told a guess."""

import math
import statistics
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from routing.models import ACTIVE_WORK_ITEM_STATES, Queue, WorkItem
from routing.policies.capacity import agent_standings, queues_served

RECENT = timedelta(hours=3)
ENOUGH_HISTORY = 3  # accepted items in RECENT: fewer say more about luck than about the queue


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceInLine:
    position: int  # 1: the next to be taken
    expected_wait: timedelta | None  # None: too little recent history to say


def place_in_line(queue: Queue, *, now: datetime | None = None, serving: int | None = None) -> PlaceInLine:
    """For a customer joining `queue` now, behind everyone waiting there (queued or offered). `serving`: how many
    agents serve it, when the caller has just asked."""
    now = now or timezone.now()
    position = WorkItem.objects.filter(queue=queue, state__in=ACTIVE_WORK_ITEM_STATES).count() + 1
    if serving is None:
        serving = len(agent_standings(served=queues_served(queue_ids=[queue.pk])))
    waits = recent_waits(queue_ids=[queue.pk], now=now).get(queue.pk, [])
    return PlaceInLine(position=position, expected_wait=expected_wait(waits, position=position, serving=serving))


def recent_waits(*, queue_ids: Collection[int], now: datetime) -> dict[int, list[timedelta]]:
    """Each queue's times in queue (queued until accepted; a re-queue after a declined offer keeps the start) of
    the items accepted in the last RECENT, in one query."""
    rows = WorkItem.objects.filter(
        queue_id__in=list(queue_ids), accepted_at__gte=now - RECENT, accepted_at__lte=now
    ).values_list("queue_id", "queued_at", "accepted_at")
    waits: dict[int, list[timedelta]] = defaultdict(list)
    for queue_id, queued_at, accepted_at in rows:
        waits[queue_id].append(max(accepted_at - queued_at, timedelta(0)))
    return dict(waits)


def expected_wait(waits: list[timedelta], *, position: int, serving: int) -> timedelta | None:
    """The median recent wait for each round of the serving agents (at least one) ahead of `position`."""
    if len(waits) < ENOUGH_HISTORY:
        return None
    rounds = math.ceil(position / max(serving, 1))
    return statistics.median(waits) * rounds
