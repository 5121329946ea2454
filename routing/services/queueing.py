"""Putting interactions in queues: the routing rules pick the queue, a work item waits there for a person, and
the customer hears where they stand (the waiting message, at most once per the queue's interval, with their place)
or that the queue is closed (the out-of-hours message; the item waits for the next opening).

Lock order, assignment's (routing/services/assignment.py): agent profiles → work items → channel user →
interaction. A path here that changes an existing work item locks it before the interaction (`lock_interaction`);
a new item is made under the interaction's lock alone (the one-active-item constraint is the only row it can meet,
and only another holder of that interaction's lock inserts one).
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from interactions.live import broadcast_on_commit, interaction_changed
from interactions.models import Direction, Interaction, Message
from interactions.rich_content import summary as message_summary
from interactions.services.automated_replies import queue_automated_reply
from interactions.services.timeline import lock_interaction
from interactions.task_queue import enqueue_task_on_commit
from properties.accessor import current
from routing.business_hours import OpeningHours, is_open, opening_hours
from routing.models import (
    ACTIVE_WORK_ITEM_STATES,
    Queue,
    RoutingRule,
    WorkItem,
    WorkItemEventKind,
    WorkItemState,
)
from routing.policies.rules import RoutingFacts, Rule, chosen_queue
from routing.properties import QUEUE_WAITING_MESSAGE_INTERVAL_MINUTES
from routing.queue_tasks import offer_then_tell_the_wait_task
from routing.services.history import record_work_item_event

logger = logging.getLogger(__name__)

WAITING_PURPOSE = "routing.waiting"
OUT_OF_HOURS_PURPOSE = "routing.out_of_hours"
TRANSFER_PURPOSE = "routing.transfer"
POSITION_PLACEHOLDER = "{position}"


def active_routing_rules() -> list[Rule]:
    return [
        Rule(condition=rule.condition, value=rule.value, attribute=rule.attribute, queue_key=rule.queue.key,
             name=rule.name)
        for rule in RoutingRule.objects.filter(is_active=True).select_related("queue").order_by("order", "pk")
    ]  # fmt: skip


def first_customer_message(interaction: Interaction) -> Message | None:
    return interaction.messages.filter(direction=Direction.INBOUND).order_by("sequence").first()


def first_message_text(interaction: Interaction) -> str:
    """What the customer first wrote, as one line: the routing rules' keywords and an offer's summary read it."""
    message = first_customer_message(interaction)
    if message is None:
        return ""
    return message.text or message_summary(kind=message.kind, content=message.content)


def routing_facts(*, interaction: Interaction, handoff_topic: str = "") -> RoutingFacts:
    channel_user = interaction.channel_user
    attributes = channel_user.attributes if isinstance(channel_user.attributes, dict) else {}
    return RoutingFacts(
        account_id=channel_user.account_id,
        language=channel_user.language,
        first_message=first_message_text(interaction),
        handoff_topic=handoff_topic,
        attributes=attributes,
    )


def queue_for(facts: RoutingFacts) -> Queue | None:
    """The queue the rules pick, else the default one; None when no queue is set up (routing is off)."""
    default = Queue.objects.filter(is_default=True).first()
    key = chosen_queue(rules=active_routing_rules(), facts=facts, default_queue=default.key if default else None)
    if key is None:
        return None
    if default is not None and key == default.key:
        return default
    return Queue.objects.get(key=key)


def opening_hours_of(queue: Queue) -> OpeningHours:
    return opening_hours(
        time_zone=queue.time_zone,
        schedule=queue.business_hours,
        holidays=[holiday.date for holiday in queue.holidays.all()],
    )


def queue_is_open(queue: Queue, *, at: datetime | None = None) -> bool:
    """Whether the queue's agents are offered its items now; assignment asks this before offering."""
    return is_open(opening_hours_of(queue), at=at or timezone.now())


def open_queue_ids(queue_ids: Iterable[int] | None = None, *, at: datetime | None = None) -> set[int]:
    """Which of these queues (all, with None) are open: the only ones whose items may be offered. Assignment's
    offering rounds keep to them, so an item queued out of hours waits for the opening."""
    at = at or timezone.now()
    queues = Queue.objects.prefetch_related("holidays")
    if queue_ids is not None:
        queues = queues.filter(pk__in=list(queue_ids))
    return {queue.pk for queue in queues if queue_is_open(queue, at=at)}


def previous_agent_of(interaction: Interaction) -> AbstractBaseUser | None:
    """The agent of the customer's last closed conversation, if it had one."""
    previous = (
        Interaction.objects.filter(channel_user_id=interaction.channel_user_id, closed_at__isnull=False)
        .exclude(pk=interaction.pk)
        .exclude(assigned_to=None)
        .select_related("assigned_to")
        .order_by("-closed_at", "-pk")
        .first()
    )
    return previous.assigned_to if previous is not None else None


def active_work_item(interaction: Interaction) -> WorkItem | None:
    """The interaction's queued or offered item, if it has one (unlocked)."""
    return (
        WorkItem.objects.select_related("queue")
        .filter(interaction_id=interaction.pk, state__in=ACTIVE_WORK_ITEM_STATES)
        .first()
    )


def offer_waiting_items(queue: Queue) -> None:
    """Asks assignment to offer the queue's items now (routing/services/assignment.py)."""
    from routing.services.assignment import offer_next_items

    offer_next_items(queue=queue)


def set_interaction_queue(interaction: Interaction, queue: Queue) -> None:
    """The interaction (locked) records its queue's key, and the workspace hears of it."""
    if interaction.queue != queue.key:
        interaction.queue = queue.key
        interaction.save(update_fields=["queue"])
        broadcast_on_commit(interaction_changed(interaction))


def offer_then_tell_the_wait_on_commit(work_item: WorkItem) -> None:
    """Once committed, a Celery task (never the request that queued it, a transfer say) offers the queue's items,
    then tells this item's customer their place if nobody took it. With the broker down, the sweeps do both."""
    enqueue_task_on_commit(offer_then_tell_the_wait_task, work_item_id=work_item.pk)


def offer_then_tell_the_wait(*, work_item_id: int) -> None:
    """The task's work. Either step failing is logged, and the other still runs: the item stays queued for the
    sweep."""
    work_item = WorkItem.objects.select_related("queue").filter(pk=work_item_id).first()
    if work_item is None:
        return
    try:
        offer_waiting_items(work_item.queue)
    except Exception:
        logger.exception("offering the items of queue %s failed; the sweep will", work_item.queue.key)
    try:
        send_waiting_message_if_due(work_item_id=work_item_id)
    except Exception:
        logger.exception("the waiting message of work item %s failed; the sweep will send it", work_item_id)


def route_interaction(*, interaction: Interaction, handoff_topic: str = "", summary: str = "") -> WorkItem | None:
    """Queues the interaction where the routing rules say, or returns its work item if it already has one.

    None when there is nothing to route: the interaction is closed or has an agent, or no queue is set up.
    Outside the queue's business hours the customer gets its out-of-hours message and the item waits for the
    opening; otherwise its items are offered at once, and if nobody takes this one the customer gets the waiting
    message with their place in the queue.
    """
    with transaction.atomic():
        interaction = lock_interaction(interaction.pk)
        active = active_work_item(interaction)
        if active is not None:
            return active
        if not interaction.is_open or interaction.assigned_to_id is not None:
            return None
        facts = routing_facts(interaction=interaction, handoff_topic=handoff_topic)
        queue = queue_for(facts)
        if queue is None:
            logger.info("%s not routed: no default queue is set up", interaction)
            return None
        now = timezone.now()
        work_item = place_in_queue(
            interaction=interaction,
            queue=queue,
            now=now,
            summary=summary.strip() or facts.first_message,
            handoff_topic=handoff_topic.strip(),
            preferred_agent=previous_agent_of(interaction) if queue.prefer_previous_agent else None,
        )
        record_work_item_event(work_item=work_item, kind=WorkItemEventKind.QUEUED, queue=queue)
        set_interaction_queue(interaction, queue)
        announce_the_wait(interaction=interaction, work_item=work_item, now=now)
    return work_item


def place_in_queue(*, interaction: Interaction, queue: Queue, now: datetime, **details) -> WorkItem:
    """A new item for the (locked) interaction, queued from now with its queue's priority; the customer waits from
    now too unless `waiting_since` says they waited before (a transfer)."""
    details.setdefault("waiting_since", now)
    return WorkItem.objects.create(interaction=interaction, queue=queue, priority=queue.priority, queued_at=now,
                                   **details)  # fmt: skip


def announce_the_wait(*, interaction: Interaction, work_item: WorkItem, now: datetime, greeting: str = "") -> None:
    """An open queue: the `greeting` (a transfer's message), then, once committed, offers and, if nobody takes the
    item, the waiting message. A closed one: the out-of-hours message; the item waits for the opening."""
    if queue_is_open(work_item.queue, at=now):
        if greeting.strip():
            queue_automated_reply(interaction=interaction, text=greeting, purpose=TRANSFER_PURPOSE)
        offer_then_tell_the_wait_on_commit(work_item)
    else:
        tell_out_of_hours(interaction=interaction, work_item=work_item, now=now)


def tell_out_of_hours(*, interaction: Interaction, work_item: WorkItem, now: datetime) -> None:
    """The queue's out-of-hours message; it counts as the item's first waiting message for the interval."""
    if work_item.queue.out_of_hours_message.strip():
        queue_automated_reply(
            interaction=interaction, text=work_item.queue.out_of_hours_message, purpose=OUT_OF_HOURS_PURPOSE
        )
    work_item.last_waiting_message_at = now
    work_item.save(update_fields=["last_waiting_message_at"])


def may_need_routing(message: Message) -> bool:
    """Asked as the message is recorded, with no query: only a customer's message in an open interaction that no
    agent holds, nor the virtual agent (until it hands over, interactions/responders.py), can route it. Most
    messages (in conversations an agent holds) get no listener run at all."""
    interaction = message.interaction
    return (
        message.direction == Direction.INBOUND
        and interaction.is_open
        and interaction.assigned_to_id is None
        and not interaction.automated_responder
    )


def route_new_interaction(message: Message) -> None:
    """The inbound listener: a customer's message in an open interaction that has no agent and has never been
    queued routes it (the first message, or a later one if the first found no queue set up). Safe to repeat:
    `route_interaction` returns the item it made the first time."""
    if not may_need_routing(message) or message.interaction.work_items.exists():
        return
    interaction = message.interaction
    if not Queue.objects.exists():
        return  # routing is not set up: everyone sees every conversation, as before
    route_interaction(interaction=interaction)


def queue_position(work_item: WorkItem) -> int:
    """1 for the next to be taken: the items of its queue ahead of it in offering order (queued or offered)."""
    ahead = Q(priority__lt=work_item.priority) | Q(priority=work_item.priority, queued_at__lt=work_item.queued_at)
    ahead |= Q(priority=work_item.priority, queued_at=work_item.queued_at, pk__lt=work_item.pk)
    waiting = WorkItem.objects.filter(queue_id=work_item.queue_id, state__in=ACTIVE_WORK_ITEM_STATES)
    return waiting.filter(ahead).count() + 1


def waiting_message_interval(queue: Queue) -> timedelta:
    """The queue's own interval, or the system property's."""
    return timedelta(minutes=queue.waiting_message_interval_minutes or current(QUEUE_WAITING_MESSAGE_INTERVAL_MINUTES))


def waiting_message_is_due(work_item: WorkItem, *, now: datetime) -> bool:
    interval = waiting_message_interval(work_item.queue)
    last = work_item.last_waiting_message_at
    return work_item.state == WorkItemState.QUEUED and (last is None or now - last >= interval)


def send_waiting_message_if_due(*, work_item_id: int, now: datetime | None = None) -> bool:
    """The queue's waiting message with the customer's place, if their item still waits in an open queue and the
    last one (or the out-of-hours message) is at least the queue's interval old. The interval counts from the
    last attempt, so a customer whose window has closed is not asked about on every sweep."""
    now = now or timezone.now()
    seen = WorkItem.objects.select_related("queue").filter(pk=work_item_id).first()
    if seen is None or not seen.queue.waiting_message.strip() or not waiting_message_is_due(seen, now=now):
        return False
    with transaction.atomic():
        # An item locked by someone else is being offered or answered right now: no message about waiting.
        work_item = (
            WorkItem.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("queue")
            .filter(pk=work_item_id)
            .first()
        )
        if work_item is None or not waiting_message_is_due(work_item, now=now):
            return False
        if not queue_is_open(work_item.queue, at=now):
            return False
        interaction = lock_interaction(work_item.interaction_id)
        text = work_item.queue.waiting_message.replace(POSITION_PLACEHOLDER, str(queue_position(work_item)))
        sent = queue_automated_reply(interaction=interaction, text=text, purpose=WAITING_PURPOSE)
        work_item.last_waiting_message_at = now
        work_item.save(update_fields=["last_waiting_message_at"])
    return sent is not None


def sweep_queues(*, now: datetime | None = None) -> int:
    """The periodic pass: each open queue with waiting items is offered again (so a queue that has just opened is
    served from its opening) and its customers whose waiting message is due get it. Returns the messages sent."""
    now = now or timezone.now()
    waiting = WorkItem.objects.filter(state=WorkItemState.QUEUED)
    queues = Queue.objects.filter(pk__in=waiting.values("queue_id")).prefetch_related("holidays")
    sent = 0
    for queue in queues:
        if not queue_is_open(queue, at=now):
            continue
        try:
            offer_waiting_items(queue)
        except Exception:
            logger.exception("offering the items of queue %s failed", queue.key)
        if not queue.waiting_message.strip():
            continue
        last_due = now - waiting_message_interval(queue)
        due = waiting.filter(queue=queue).filter(
            Q(last_waiting_message_at__isnull=True) | Q(last_waiting_message_at__lte=last_due)
        )
        for work_item_id in due.order_by("priority", "queued_at", "pk").values_list("pk", flat=True)[:500]:
            sent += send_waiting_message_if_due(work_item_id=work_item_id, now=now)
    return sent
