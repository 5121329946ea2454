"""Queueing on the live system: a customer writes through the emulator, the worker records the message and runs
routing's listener, the conversation waits in its queue, and the customer's phone shows their place in it (or
that the queue is closed)."""

import pytest
from django.utils import timezone

from conftest import wait_until
from interactions.models import Interaction
from routing.models import Holiday, WorkItem, WorkItemState
from routing.tests.factories import QueueFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "4915112345678"


def test_a_customer_nobody_can_take_waits_in_the_queue_and_is_told_their_place_on_the_phone(live_system):
    QueueFactory(default=True, waiting_message="All our agents are busy; you are number {position} in line.")

    wamid = live_system.emulator.customer_sends(CUSTOMER, "My chair arrived broken", name="Daniel Weber")

    work_item = wait_until(
        lambda: WorkItem.objects.filter(interaction__messages__external_id=wamid).select_related("queue").first(),
        message="the conversation queued by the worker",
    )
    sent = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert sent["text"]["body"] == "All our agents are busy; you are number 1 in line."
    assert (work_item.queue.key, work_item.state, work_item.summary) == (
        "general", WorkItemState.QUEUED, "My chair arrived broken"
    )  # fmt: skip
    assert Interaction.objects.get(pk=work_item.interaction_id).queue == "general"


def test_a_customer_who_writes_while_the_queue_is_closed_is_told_so(live_system):
    queue = QueueFactory(default=True, out_of_hours_message="We are closed today and answer tomorrow from 9:00.")
    Holiday.objects.create(queue=queue, date=timezone.now().date())

    live_system.emulator.customer_sends(CUSTOMER, "Hello?", name="Daniel Weber")

    sent = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert sent["text"]["body"] == "We are closed today and answer tomorrow from 9:00."
    assert WorkItem.objects.get().state == WorkItemState.QUEUED
