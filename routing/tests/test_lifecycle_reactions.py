"""Routing hears of closings and handovers through the core's lifecycle listeners: a closed conversation's waiting
work is cancelled, an agent who puts one down is offered the next, and whoever's load moved hears it."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from conftest import wait_until
from interactions.models import Interaction, InteractionState
from interactions.services.lifecycle import close_interaction
from interactions.tests.test_workspace_socket import in_own_event_loop
from routing.models import WorkItem, WorkItemEventKind, WorkItemState
from routing.tests.factories import QueueFactory, WorkItemFactory, serving_agent
from tests.factories import manager
from tests.test_live_fanout import signed_in_socket

pytestmark = pytest.mark.django_db(transaction=True)  # the listeners run once the change commits


def test_closing_a_waiting_conversation_cancels_its_work_item_and_records_why():
    queue = QueueFactory()
    item = WorkItemFactory(queue=queue)
    supervisor = serving_agent(queue, capacity=0)  # serves it, but can take nothing: the item stays queued

    close_interaction(interaction=item.interaction, by=supervisor, state=InteractionState.CLOSED_COMPLETE)

    item.refresh_from_db()
    assert item.state == WorkItemState.CANCELLED
    assert list(item.events.values_list("kind", "reason")) == [
        (WorkItemEventKind.CANCELLED, "The conversation closed.")
    ]


@pytest.mark.e2e
def test_an_agent_at_capacity_who_closes_a_conversation_is_offered_the_next_waiting_one_by_the_worker(live_system):
    queue = QueueFactory()
    person = serving_agent(queue, capacity=1)
    held = WorkItemFactory(queue=queue).interaction
    Interaction.objects.filter(pk=held.pk).update(assigned_to=person, state=InteractionState.WORK_IN_PROGRESS)
    waiting = WorkItemFactory(queue=queue)
    held.refresh_from_db()

    with transaction.atomic():
        close_interaction(interaction=held, by=person, state=InteractionState.CLOSED_COMPLETE)
        assert WorkItem.objects.get(pk=waiting.pk).state == WorkItemState.QUEUED  # nothing before the commit

    offered = wait_until(
        lambda: WorkItem.objects.filter(pk=waiting.pk, state=WorkItemState.OFFERED, offered_to=person).exists(),
        message="the worker to offer the waiting item to the agent who freed up",
    )
    assert offered


async def next_presence_push(socket) -> dict:
    """The next `presence.changed` among the events pushed to an in-process socket."""
    while True:
        for event in await socket.receive_json_from(timeout=10):
            if event["type"] == "presence.changed":
                return event["agent"]


@pytest.mark.e2e
def test_an_agent_who_closes_a_conversation_and_the_supervisors_see_their_load_fall_pushed_by_the_worker(live_system):
    queue = QueueFactory()
    person = serving_agent(queue, first_name="Alice")
    boss = manager()
    held = WorkItemFactory(queue=queue).interaction
    Interaction.objects.filter(pk=held.pk).update(assigned_to=person, state=InteractionState.WORK_IN_PROGRESS)
    held.refresh_from_db()

    async def exchange() -> list[dict]:
        sockets = [await signed_in_socket(person), await signed_in_socket(boss)]
        await database_sync_to_async(close_interaction)(
            interaction=held, by=person, state=InteractionState.CLOSED_COMPLETE
        )
        heard = [await next_presence_push(socket) for socket in sockets]
        for socket in sockets:
            await socket.disconnect()
        return heard

    heard = in_own_event_loop(exchange)

    # Her top bar and the supervisor's view follow, whichever way the conversation closed (a task pushes it).
    assert [(agent["id"], agent["presence"], agent["load"], agent["capacity"]) for agent in heard] == [
        (person.pk, "available", 0, 3),
        (person.pk, "available", 0, 3),
    ]
