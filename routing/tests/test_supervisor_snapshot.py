"""The supervisor's snapshot: what waits in each queue, since when and the expected wait, each agent's presence
and load, the conversations in progress; in the same few queries for 10 waiting items as for 100."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from interactions.models import InteractionState
from routing.models import Presence, WorkItemState
from routing.selectors import supervisor_snapshot
from routing.services.waiting_time import place_in_line
from routing.tests.factories import AgentProfileFactory, QueueFactory, WorkItemFactory, serving_agent
from tests.factories import ChannelUserFactory, InteractionFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db

# Queues, their active items counted, agents with their load, the queues the available ones serve, recent waits,
# conversations in progress.
SNAPSHOT_QUERIES = 6


def test_each_queue_counts_what_waits_the_offers_out_and_since_when_the_longest_wait():
    now = timezone.now()
    billing, sales, empty = QueueFactory(name="Billing"), QueueFactory(name="Sales"), QueueFactory(name="Returns")
    WorkItemFactory(queue=billing, queued_at=now - timedelta(minutes=5))
    WorkItemFactory(queue=billing, queued_at=now - timedelta(minutes=1))
    WorkItemFactory(offered=True, offered_to=agent(), queue=billing, queued_at=now - timedelta(minutes=9))
    WorkItemFactory(queue=billing, state=WorkItemState.ACCEPTED, queued_at=now - timedelta(hours=3))
    WorkItemFactory(queue=billing, state=WorkItemState.CANCELLED, queued_at=now - timedelta(hours=4))
    WorkItemFactory(queue=sales, queued_at=now - timedelta(seconds=20))

    queues = {queue.name: queue for queue in supervisor_snapshot().queues}

    assert (queues["Billing"].waiting, queues["Billing"].offered) == (3, 1)
    assert queues["Billing"].waiting_since == now - timedelta(minutes=9)  # accepted and cancelled ones are done
    assert (queues["Sales"].waiting, queues["Sales"].offered) == (1, 0)
    assert (queues["Returns"].waiting, queues["Returns"].offered, queues["Returns"].waiting_since) == (0, 0, None)
    assert empty.key == queues["Returns"].key


def test_each_queue_shows_the_wait_a_customer_joining_now_can_expect_where_its_history_tells():
    now = timezone.now()
    billing, sales = QueueFactory(name="Billing"), QueueFactory(name="Sales")
    for minutes in (2, 3, 8):
        WorkItemFactory(queue=billing, state=WorkItemState.ACCEPTED, queued_at=now - timedelta(minutes=20 + minutes),
                        accepted_at=now - timedelta(minutes=20))  # fmt: skip
    WorkItemFactory(queue=billing)
    WorkItemFactory(queue=billing)
    serving_agent(billing)
    serving_agent(billing, presence=Presence.AWAY)
    WorkItemFactory(queue=sales, state=WorkItemState.ACCEPTED, accepted_at=now)  # one is too few to tell

    queues = {queue.name: queue for queue in supervisor_snapshot().queues}

    assert queues["Billing"].expected_wait == timedelta(minutes=9)  # third in line, one agent: three times 3 minutes
    assert queues["Sales"].expected_wait is None
    assert queues["Billing"].expected_wait == place_in_line(billing).expected_wait  # the handoff's estimate


def test_agents_show_presence_reason_load_against_capacity_and_since_when():
    since = timezone.now() - timedelta(minutes=12)
    alice, bob, carol = agent(first_name="Alice"), agent(first_name="Bob"), agent(first_name="Carol")
    AgentProfileFactory(user=alice, presence=Presence.AVAILABLE, capacity=2, presence_changed_at=since)
    AgentProfileFactory(user=bob, presence=Presence.AWAY, away_reason="Lunch", presence_changed_at=since)
    InteractionFactory.create_batch(2, assigned_to=alice, state=InteractionState.WORK_IN_PROGRESS)
    InteractionFactory(assigned_to=alice, state=InteractionState.CLOSED_COMPLETE)  # done: no load
    InteractionFactory(assigned_to=bob, state=InteractionState.NEW)
    manager(first_name="Maya")  # not an agent
    agent(first_name="Gone", is_active=False)

    rows = supervisor_snapshot().agents

    assert [(row.name, row.presence, row.away_reason, row.load, row.capacity) for row in rows] == [
        ("Alice", "available", "", 2, 2),
        ("Bob", "away", "Lunch", 1, 3),  # the default capacity
        ("Carol", "offline", "", 0, 3),  # never routed: no profile, offline
    ]
    assert rows[0].presence_changed_at == since
    assert rows[2].presence_changed_at is None
    assert rows[1].presence_label == "Away" and carol.pk == rows[2].id


def test_conversations_in_progress_are_the_assigned_open_ones_longest_silent_first():
    now = timezone.now()
    alice = agent(first_name="Alice")
    billing = QueueFactory(key="billing", name="Billing")
    waiting = InteractionFactory(
        assigned_to=alice,
        state=InteractionState.WORK_IN_PROGRESS,
        queue=billing.key,
        channel_user=ChannelUserFactory(display_name="Ana Lima", last_inbound_at=now - timedelta(minutes=30)),
        last_message_preview={"direction": "inbound", "kind": "text", "text": "Hello?"},
    )
    answered = InteractionFactory(
        assigned_to=alice,
        channel_user=ChannelUserFactory(display_name="Ben", last_inbound_at=now - timedelta(minutes=2)),
        last_message_preview={"direction": "outbound", "kind": "text", "text": "On it"},
    )
    InteractionFactory()  # unassigned: in a queue, not in progress
    InteractionFactory(assigned_to=alice, state=InteractionState.CLOSED_ABANDONED)

    rows = supervisor_snapshot().conversations

    assert [row.id for row in rows] == [waiting.pk, answered.pk]
    first, second = rows
    assert (first.customer, first.agent, first.agent_id, first.queue, first.queue_key) == (
        "Ana Lima",
        "Alice",
        alice.pk,
        "Billing",
        "billing",
    )
    assert (first.state, first.state_label, first.awaiting_reply) == ("work_in_progress", "Work in progress", True)
    assert (second.queue, second.awaiting_reply) == ("", False)
    assert first.last_customer_message_at == now - timedelta(minutes=30)


def _busy_desk(size: int) -> None:
    queues = QueueFactory.create_batch(3)
    agents = [agent() for _ in range(max(2, size // 10))]
    for number in range(size):
        AgentProfileFactory(user=agents[number % len(agents)], presence=Presence.AVAILABLE)
        WorkItemFactory(queue=queues[number % 3])
        WorkItemFactory(offered=True, offered_to=agents[number % len(agents)], queue=queues[number % 3])
        InteractionFactory(assigned_to=agents[number % len(agents)], queue=queues[number % 3].key)


@pytest.mark.parametrize("size", [10, 100])
def test_the_snapshot_costs_the_same_queries_for_10_and_100_items(size, django_assert_num_queries):
    _busy_desk(size)

    with django_assert_num_queries(SNAPSHOT_QUERIES):
        snapshot = supervisor_snapshot()

    assert sum(queue.waiting for queue in snapshot.queues) == 2 * size
    assert len(snapshot.conversations) == size


@pytest.mark.parametrize("size", [10, 100])
def test_the_snapshot_api_costs_the_same_queries_for_10_and_100_items(size, django_assert_num_queries):
    _busy_desk(size)
    client = APIClient()
    client.force_authenticate(manager())

    # The snapshot's, and the role check's.
    with django_assert_num_queries(SNAPSHOT_QUERIES + 1):
        response = client.get("/api/v1/routing/supervisor/")

    assert response.status_code == 200
    body = response.json()
    assert len(body["conversations"]) == size and len(body["queues"]) == 3
    assert {"generated_at", "queues", "agents", "conversations"} == set(body)


def test_a_superuser_without_a_role_may_supervise_too():
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True))

    assert client.get("/api/v1/routing/supervisor/").status_code == 200
