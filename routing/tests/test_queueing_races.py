"""Routing races on PostgreSQL: the listener run twice at once (a retry overtaking a slow first run) queues the
conversation once, and a manager's transfer racing the customer's next message deadlocks neither."""

import pytest
from django.db import connection

from interactions.models import Interaction, Message
from interactions.services.inbound import record_inbound_message
from interactions.tests.core_events import inbound_message
from interactions.tests.row_races import race_behind_the_channel_user
from routing.models import WorkItem, WorkItemEvent, WorkItemState
from routing.services.queueing import route_interaction
from routing.services.transfer import transfer_interaction
from routing.tests.factories import QueueFactory, customer_writes
from tests.factories import manager

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks, so no race can be shown there; CI runs these on PostgreSQL",
    ),
]

CUSTOMER = "4915100000042"


def test_two_runs_of_the_listener_at_once_queue_the_conversation_once():
    QueueFactory(default=True, waiting_message="")
    interaction = customer_writes("Hello", sender_id=CUSTOMER).interaction

    first, second = race_behind_the_channel_user(
        interaction.channel_user,
        lambda: route_interaction(interaction=interaction),
        lambda: route_interaction(interaction=interaction),
    )

    assert first == second == WorkItem.objects.get()
    assert WorkItemEvent.objects.count() == 1


def test_a_transfer_of_a_waiting_conversation_and_the_customers_next_message_deadlock_neither():
    QueueFactory(default=True, waiting_message="")
    billing = QueueFactory(key="billing", waiting_message="")
    interaction = customer_writes("Hello", sender_id=CUSTOMER).interaction
    route_interaction(interaction=interaction)
    mia = manager()

    moved, message = race_behind_the_channel_user(
        interaction.channel_user,
        lambda: transfer_interaction(interaction=interaction, by=mia, to_queue=billing, note="Billing"),
        lambda: record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Anyone?")),
    )

    assert WorkItem.objects.get(state=WorkItemState.QUEUED) == moved
    assert Interaction.objects.get(pk=interaction.pk).queue == "billing"
    assert Message.objects.get(pk=message.pk).interaction_id == interaction.pk
