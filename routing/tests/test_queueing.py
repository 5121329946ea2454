"""Queueing: the rules put each new interaction in its queue once, however often the listener runs; a customer
nobody can take hears their place (at most once per interval); a closed queue says so and keeps the item for its
opening; a returning customer goes to their previous agent first when the queue says so.

Offering (routing/services/assignment.py) is not exercised here: with no agent available nobody is offered, which
is the case these tests are about.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from interactions.models import (
    ChannelUser,
    Direction,
    Interaction,
    InteractionState,
    ListenerRun,
    ListenerRunState,
    Message,
)
from interactions.services.listeners import run_inbound_listener
from routing.models import Holiday, RuleCondition, WorkItem, WorkItemEvent, WorkItemEventKind, WorkItemState
from routing.services.queueing import (
    OUT_OF_HOURS_PURPOSE,
    WAITING_PURPOSE,
    route_interaction,
    route_new_interaction,
    sweep_queues,
)
from routing.tests.factories import QueueFactory, RoutingRuleFactory, automated_replies, customer_writes
from tests.factories import agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def route(committing):
    """Routes as the listener does, and runs what routing leaves for after the commit (offers, the first wait)."""

    def route(message: Message, **kwargs) -> WorkItem | None:
        with committing():
            return route_interaction(interaction=message.interaction, **kwargs)

    return route


@pytest.fixture
def sweep(committing):
    def sweep(*, at) -> int:
        with committing():
            return sweep_queues(now=at)

    return sweep


def test_with_no_queue_set_up_nothing_is_routed_and_nothing_is_written(route):
    message = customer_writes("Hello")

    assert route(message) is None
    assert not WorkItem.objects.exists()
    assert Interaction.objects.get(pk=message.interaction_id).queue == ""


def test_an_interaction_no_rule_claims_waits_in_the_default_queue_with_its_first_message(route):
    general = QueueFactory(default=True, priority=3)
    RoutingRuleFactory(condition=RuleCondition.KEYWORD, value="invoice")
    message = customer_writes("My chair arrived broken")

    work_item = route(message)

    assert work_item.queue == general
    assert (work_item.state, work_item.priority) == (WorkItemState.QUEUED, 3)
    assert work_item.summary == "My chair arrived broken"
    assert Interaction.objects.get(pk=message.interaction_id).queue == "general"
    event = WorkItemEvent.objects.get(work_item=work_item)
    assert (event.kind, event.queue, event.interaction_id, event.actor) == (
        WorkItemEventKind.QUEUED, general, message.interaction_id, None
    )  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "value", "attribute", "customer", "routing"),
    [
        (RuleCondition.KEYWORD, "invoice, refund", "", {"text": "Wo ist meine INVOICE?"}, {}),
        (RuleCondition.LANGUAGE, "de", "", {"language": "de-AT"}, {}),
        (RuleCondition.BUSINESS_ACCOUNT, settings.WHATSAPP_PHONE_NUMBER_ID, "", {}, {}),
        (RuleCondition.HANDOFF_TOPIC, "returns", "", {}, {"handoff_topic": "Returns"}),
        (RuleCondition.CUSTOMER_ATTRIBUTE, "true", "vip", {"attributes": {"vip": True}}, {}),
    ],
)
def test_each_kind_of_rule_sends_the_interaction_to_its_queue(route, condition, value, attribute, customer, routing):
    QueueFactory(default=True)
    target = QueueFactory(key="target")
    RoutingRuleFactory(condition=condition, value=value, attribute=attribute, queue=target)
    message = customer_writes(**{"text": "Hello", **customer})

    work_item = route(message, **routing)

    assert work_item.queue == target
    assert Interaction.objects.get(pk=message.interaction_id).queue == "target"


def test_the_first_active_rule_in_order_wins(route):
    QueueFactory(default=True)
    vip, billing, german = QueueFactory(key="vip"), QueueFactory(key="billing"), QueueFactory(key="german")
    RoutingRuleFactory(order=30, condition=RuleCondition.LANGUAGE, value="de", queue=german)
    RoutingRuleFactory(order=20, condition=RuleCondition.KEYWORD, value="rechnung", queue=billing)
    RoutingRuleFactory(order=10, condition=RuleCondition.CUSTOMER_ATTRIBUTE, attribute="vip", value="true", queue=vip,
                       is_active=False)  # fmt: skip

    vip_german_invoice = route(customer_writes("Meine Rechnung", language="de", attributes={"vip": True}))
    german = route(customer_writes("Hallo", language="de"))

    assert vip_german_invoice.queue == billing  # the VIP rule is switched off
    assert german.queue.key == "german"


def test_routing_again_returns_the_items_it_made_and_writes_nothing_more(route):
    QueueFactory(default=True)
    message = customer_writes("Hello")

    first = route(message)
    again = route(message)

    assert again == first
    assert WorkItem.objects.count() == 1 and WorkItemEvent.objects.count() == 1
    assert len(automated_replies(message.interaction, WAITING_PURPOSE)) == 1


def test_the_listener_routes_a_new_interaction_once_however_often_it_runs(committing):
    QueueFactory(default=True)
    message = customer_writes("Hello")
    run = ListenerRun.objects.get(message=message, listener="routing.queueing")

    with committing():
        assert run_inbound_listener(run_id=run.pk) is None
        route_new_interaction(message)  # a retry that came late, a worker killed mid-run
        route_new_interaction(customer_writes("Are you there?", sender_id=message.interaction.channel_user.external_id))

    run.refresh_from_db()
    assert (run.state, run.last_error) == (ListenerRunState.DONE, "")
    assert WorkItem.objects.filter(interaction=message.interaction).count() == 1


def test_the_listener_leaves_an_interaction_an_agent_has_alone(committing):
    QueueFactory(default=True)
    message = customer_writes("Hello")
    Interaction.objects.filter(pk=message.interaction_id).update(assigned_to=agent())
    message.interaction.refresh_from_db()

    with committing():
        route_new_interaction(message)

    assert not WorkItem.objects.exists()


def test_a_message_in_a_conversation_an_agent_holds_records_no_routing_run():
    QueueFactory(default=True)
    first = customer_writes("Hello")
    Interaction.objects.filter(pk=first.interaction_id).update(assigned_to=agent())

    later = customer_writes("Thanks, that worked", sender_id=first.interaction.channel_user.external_id)

    assert later.interaction_id == first.interaction_id
    assert ListenerRun.objects.filter(message=first, listener="routing.queueing").exists()
    assert not ListenerRun.objects.filter(message=later, listener="routing.queueing").exists()  # nor a task


def test_customers_nobody_can_take_hear_their_place_in_the_queue(route):
    QueueFactory(default=True, waiting_message="Thanks! You are number {position} in line.")
    first, second = customer_writes("Hello"), customer_writes("Hi there")

    route(first)
    route(second)

    assert automated_replies(first.interaction, WAITING_PURPOSE) == ["Thanks! You are number 1 in line."]
    assert automated_replies(second.interaction, WAITING_PURPOSE) == ["Thanks! You are number 2 in line."]


def test_the_place_counts_the_items_on_offer_ahead(route):
    QueueFactory(default=True)
    first, second = customer_writes("Hello"), customer_writes("Hi there")
    route(first)
    WorkItem.objects.filter(interaction=first.interaction).update(state=WorkItemState.OFFERED)

    route(second)

    assert automated_replies(second.interaction, WAITING_PURPOSE) == ["You are number 2 in line."]


def test_the_waiting_message_comes_at_most_once_per_interval_with_the_place_at_that_time(route, sweep):
    QueueFactory(default=True, waiting_message_interval_minutes=5)
    first, second = customer_writes("Hello"), customer_writes("Hi there")
    route(first)
    route(second)
    now = timezone.now()

    sweep(at=now + timedelta(minutes=4, seconds=59))
    WorkItem.objects.filter(interaction=first.interaction).update(state=WorkItemState.ACCEPTED)
    sent = sweep(at=now + timedelta(minutes=5, seconds=1))
    sweep(at=now + timedelta(minutes=6))

    assert sent == 1
    assert automated_replies(second.interaction, WAITING_PURPOSE) == [
        "You are number 2 in line.",
        "You are number 1 in line.",
    ]
    assert automated_replies(first.interaction, WAITING_PURPOSE) == ["You are number 1 in line."]  # no longer waiting


def test_a_queue_without_a_waiting_message_sends_none(route, sweep):
    QueueFactory(default=True, waiting_message="")
    message = customer_writes("Hello")

    route(message)
    sweep(at=timezone.now() + timedelta(hours=1))

    assert not Message.objects.filter(interaction=message.interaction, direction=Direction.OUTBOUND).exists()


def test_a_closed_queue_says_so_and_the_item_waits_for_the_opening(route, sweep):
    today = timezone.now().date()
    queue = QueueFactory(default=True, out_of_hours_message="We are closed today; we answer tomorrow.")
    Holiday.objects.create(queue=queue, date=today, name="Founders' Day")
    message = customer_writes("Hello")

    work_item = route(message)
    sweep(at=timezone.now() + timedelta(minutes=30))  # still closed: nothing more

    assert work_item.state == WorkItemState.QUEUED
    assert automated_replies(message.interaction, OUT_OF_HOURS_PURPOSE) == ["We are closed today; we answer tomorrow."]
    assert automated_replies(message.interaction, WAITING_PURPOSE) == []

    sweep(at=timezone.now() + timedelta(days=1))  # open again, and still nobody has taken it

    assert automated_replies(message.interaction, WAITING_PURPOSE) == ["You are number 1 in line."]
    assert WorkItem.objects.get(pk=work_item.pk).state == WorkItemState.QUEUED


def test_a_customer_whose_window_has_closed_is_not_written_to(route, sweep):
    QueueFactory(default=True)
    message = customer_writes("Hello")
    route(message)
    ChannelUser.objects.filter(pk=message.interaction.channel_user_id).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )

    sent = sweep(at=timezone.now() + timedelta(minutes=10))

    assert sent == 0
    assert automated_replies(message.interaction, WAITING_PURPOSE) == ["You are number 1 in line."]  # only the first
    assert WorkItem.objects.get(interaction=message.interaction).last_waiting_message_at is not None


@pytest.mark.parametrize("prefer_previous_agent", [True, False])
def test_a_returning_customer_is_offered_to_their_previous_agent_first_when_the_queue_says_so(
    route, prefer_previous_agent
):
    QueueFactory(default=True, prefer_previous_agent=prefer_previous_agent)
    alice, bob = agent(), agent()
    earlier = customer_writes("My chair is broken", sender_id="4915100000001")
    Interaction.objects.filter(pk=earlier.interaction_id).update(
        state=InteractionState.CLOSED_COMPLETE, closed_at=timezone.now() - timedelta(days=2), assigned_to=bob
    )
    latest = customer_writes("Still broken", sender_id="4915100000001")
    Interaction.objects.filter(pk=latest.interaction_id).update(
        state=InteractionState.CLOSED_COMPLETE, closed_at=timezone.now() - timedelta(days=1), assigned_to=alice
    )

    returning = customer_writes("It broke again!", sender_id="4915100000001")
    work_item = route(returning)

    assert returning.interaction_id not in (earlier.interaction_id, latest.interaction_id)  # a new interaction
    assert work_item.preferred_agent == (alice if prefer_previous_agent else None)


def test_a_handoff_passes_its_summary_and_topic_to_the_work_item(route):
    QueueFactory(default=True)
    message = customer_writes("hi")

    work_item = route(message, handoff_topic="returns", summary="Wants to return a chair bought in March.")

    assert (work_item.summary, work_item.handoff_topic) == ("Wants to return a chair bought in March.", "returns")
