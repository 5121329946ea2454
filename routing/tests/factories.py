"""factory-boy factories for routing, with the states that matter."""

import itertools
from datetime import timedelta

import factory
from django.utils import timezone

from interactions.models import ChannelUser, Direction, Interaction, Message
from interactions.services.inbound import record_inbound_message
from interactions.tests.core_events import inbound_message
from routing.models import (
    AgentProfile,
    Presence,
    Queue,
    RejectReason,
    RoutingRule,
    RuleCondition,
    Skill,
    WorkItem,
    WorkItemEvent,
    WorkItemEventKind,
    WorkItemState,
)
from tests.factories import InteractionFactory, agent


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    key = factory.Sequence(lambda n: f"queue-{n}")
    name = factory.Sequence(lambda n: f"Queue {n}")
    waiting_message = "You are number {position} in line."

    class Params:
        default = factory.Trait(is_default=True, key="general", name="General")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"skill-{n}")


class RejectReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RejectReason

    text = factory.Sequence(lambda n: f"Reason {n}")


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"rule {n}")
    condition = RuleCondition.KEYWORD
    value = "invoice"
    queue = factory.SubFactory(QueueFactory)


class WorkItemFactory(factory.django.DjangoModelFactory):
    """A queued item of a new interaction, at its queue's priority."""

    class Meta:
        model = WorkItem

    interaction = factory.SubFactory(InteractionFactory)
    queue = factory.SubFactory(QueueFactory)
    priority = factory.LazyAttribute(lambda item: item.queue.priority)
    state = WorkItemState.QUEUED
    queued_at = factory.LazyFunction(timezone.now)
    waiting_since = factory.LazyAttribute(lambda item: item.queued_at)
    summary = "Where is my order?"

    class Params:
        # Give `offered_to` too: the agent the offer waits on.
        offered = factory.Trait(
            state=WorkItemState.OFFERED,
            offered_at=factory.LazyFunction(timezone.now),
            offer_expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(seconds=30)),
        )


class WorkItemEventFactory(factory.django.DjangoModelFactory):
    """A line of the routing history, of its work item's interaction and queue."""

    class Meta:
        model = WorkItemEvent

    work_item = factory.SubFactory(WorkItemFactory)
    interaction = factory.LazyAttribute(lambda event: event.work_item.interaction)
    queue = factory.LazyAttribute(lambda event: event.work_item.queue)
    kind = WorkItemEventKind.QUEUED


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile
        django_get_or_create = ["user"]

    presence = Presence.AVAILABLE

    class Params:
        away = factory.Trait(presence=Presence.AWAY, away_reason="Lunch")
        offline = factory.Trait(presence=Presence.OFFLINE)


def serving_agent(*queues: Queue, presence: str = Presence.AVAILABLE, capacity: int | None = None, **fields):
    """An agent named in each queue's agents, with a profile in that presence."""
    user = agent(**fields)
    AgentProfile.objects.create(user=user, presence=presence, capacity=capacity)
    for queue in queues:
        queue.agents.add(user)
    return user


_customers = itertools.count(1)


def customer_writes(
    text: str = "Hello", *, sender_id: str = "", language: str = "", attributes: dict | None = None, **event
) -> Message:
    """A customer's message recorded as the channel would report it; a new customer unless `sender_id` is given.
    `language` and `attributes` are set on their profile (as the business would know them) before routing reads it."""
    message = record_inbound_message(
        event=inbound_message(text=text, sender_id=sender_id or f"49151{next(_customers):08d}", **event)
    )
    if language or attributes:
        ChannelUser.objects.filter(pk=message.interaction.channel_user_id).update(
            language=language, attributes=attributes or {}
        )
    return message


def automated_replies(interaction: Interaction, purpose: str) -> list[str]:
    """The texts the desk sent by itself in the interaction for this purpose, oldest first."""
    messages = Message.objects.filter(interaction=interaction, direction=Direction.OUTBOUND, content__automated=purpose)
    return list(messages.order_by("sequence").values_list("text", flat=True))
