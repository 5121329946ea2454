"""Queueing with assignment (routing/services/assignment.py): a queued conversation is offered at once to an
available agent of its queue, and its customer is not told to wait; a returning customer's previous agent is offered
it first; a transfer to an agent reaches that agent as an offer with the note; a closed queue offers nothing until
it opens and the sweep serves it."""

import pytest

pytest.importorskip("routing.services.assignment", reason="offering is assignment's (routing/services/assignment.py)")
from django.utils import timezone

from interactions.models import Interaction, InteractionState
from routing.models import Holiday, WorkItemState
from routing.services.assignment import offer_next_items
from routing.services.queueing import WAITING_PURPOSE, route_interaction, sweep_queues
from routing.services.transfer import transfer_interaction
from routing.tests.factories import QueueFactory, automated_replies, customer_writes, serving_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_commit(committing):
    def run(work, **kwargs):
        with committing():
            return work(**kwargs)

    return run


def test_an_available_agent_is_offered_the_conversation_at_once_and_the_customer_is_not_told_to_wait(after_commit):
    general = QueueFactory(default=True)
    alice = serving_agent(general)
    message = customer_writes("My chair arrived broken")

    work_item = after_commit(route_interaction, interaction=message.interaction)

    work_item.refresh_from_db()
    assert (work_item.state, work_item.offered_to) == (WorkItemState.OFFERED, alice)
    assert automated_replies(message.interaction, WAITING_PURPOSE) == []


def test_a_returning_customer_is_offered_to_their_previous_agent_first(after_commit):
    general = QueueFactory(default=True, prefer_previous_agent=True)
    serving_agent(general, first_name="Alice")
    bob = serving_agent(general, first_name="Bob")
    earlier = customer_writes("My chair is broken", sender_id="4915100000007")
    Interaction.objects.filter(pk=earlier.interaction_id).update(
        state=InteractionState.CLOSED_COMPLETE, closed_at=timezone.now(), assigned_to=bob
    )

    returning = customer_writes("It broke again", sender_id="4915100000007")
    work_item = after_commit(route_interaction, interaction=returning.interaction)

    work_item.refresh_from_db()
    assert work_item.offered_to == bob


def test_a_transfer_to_an_agent_reaches_them_as_an_offer_with_the_note(after_commit):
    general = QueueFactory(default=True)
    billing = QueueFactory(key="billing")
    alice = serving_agent(general)
    serving_agent(billing, first_name="Carol")  # as free as Bob, but the transfer names Bob
    bob = serving_agent(billing, first_name="Bob")
    message = customer_writes("I was charged twice")
    Interaction.objects.filter(pk=message.interaction_id).update(
        assigned_to=alice, state=InteractionState.WORK_IN_PROGRESS, queue="general"
    )

    work_item = after_commit(
        transfer_interaction, interaction=message.interaction, by=alice, to_agent=bob, note="Refund the second charge"
    )

    work_item.refresh_from_db()
    assert (work_item.state, work_item.offered_to, work_item.transfer_note) == (
        WorkItemState.OFFERED, bob, "Refund the second charge"
    )  # fmt: skip


def test_a_closed_queue_offers_nothing_until_the_sweep_finds_it_open(after_commit):
    general = QueueFactory(default=True)
    Holiday.objects.create(queue=general, date=timezone.now().date())
    alice = serving_agent(general)
    message = customer_writes("Hello")

    work_item = after_commit(route_interaction, interaction=message.interaction)
    offer_next_items()  # assignment's own rounds (an agent freed, its sweep) skip a closed queue too
    work_item.refresh_from_db()
    closed_state = work_item.state
    Holiday.objects.all().delete()  # the queue opens
    after_commit(sweep_queues)

    work_item.refresh_from_db()
    assert closed_state == WorkItemState.QUEUED
    assert (work_item.state, work_item.offered_to) == (WorkItemState.OFFERED, alice)
