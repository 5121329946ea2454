"""A batch of statuses (one task's webhook deliveries) ends where the same statuses one by one would, in any order."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.models import DeliveryStatusEvent, Interaction, Message, MessageStatus
from interactions.services.inbound import record_inbound_message
from interactions.services.outbound import send_agent_reply
from interactions.services.statuses import correlation_id_for, record_delivery_status, record_delivery_statuses
from interactions.tests.core_events import inbound_message, status_update
from tests.factories import agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def replies() -> list[Message]:
    """Three replies the channel accepted (wamid.R0, R1, R2), two to one customer and one to another."""
    author = agent()
    first = record_inbound_message(event=inbound_message()).interaction
    second = record_inbound_message(event=inbound_message(sender_id="16505550000")).interaction
    sent = [send_agent_reply(interaction=interaction, author=author, text="On its way.") for interaction in
            (first, first, second)]  # fmt: skip
    for index, reply in enumerate(sent):
        record_delivery_status(
            update=status_update(external_id=f"wamid.R{index}", status="sent", correlation_id=correlation_id_for(reply))
        )
    return [Message.objects.get(pk=reply.pk) for reply in sent]


def statuses(*pairs: tuple[int, str]):
    at = timezone.now()
    return [
        status_update(external_id=f"wamid.R{index}", status=status, occurred_at=at + timedelta(seconds=position))
        for position, (index, status) in enumerate(pairs)
    ]


ORDERS = list(itertools.permutations([(0, "read"), (0, "delivered"), (1, "failed"), (1, "delivered"), (2, "read")]))


@pytest.mark.parametrize("order", ORDERS[::17])
def test_statuses_in_any_order_leave_each_reply_at_the_furthest_one(replies, order):
    record_delivery_statuses(updates=statuses(*order))

    assert [reply.status for reply in Message.objects.filter(pk__in=[r.pk for r in replies]).order_by("pk")] == [
        MessageStatus.READ, MessageStatus.DELIVERED, MessageStatus.READ,
    ]  # fmt: skip
    assert DeliveryStatusEvent.objects.filter(external_id__startswith="wamid.R").count() == 3 + 5


def test_a_status_repeated_within_and_across_batches_is_recorded_once_and_changes_nothing_again(replies):
    record_delivery_statuses(updates=statuses((0, "delivered"), (0, "delivered")))
    revision = Interaction.objects.get(pk=replies[0].interaction_id).revision

    record_delivery_statuses(updates=statuses((0, "delivered")))

    assert DeliveryStatusEvent.objects.filter(external_id="wamid.R0", status="delivered").count() == 1
    assert Interaction.objects.get(pk=replies[0].interaction_id).revision == revision


def test_each_reply_changed_by_a_batch_gets_its_own_revision_of_its_interaction(replies):
    first, second = replies[0].interaction_id, replies[2].interaction_id
    before = {pk: Interaction.objects.get(pk=pk).revision for pk in (first, second)}

    record_delivery_statuses(updates=statuses((0, "delivered"), (1, "delivered"), (2, "delivered"), (0, "read")))

    assert Interaction.objects.get(pk=first).revision == before[first] + 2
    assert Interaction.objects.get(pk=second).revision == before[second] + 1
    revisions = sorted(Message.objects.filter(pk__in=[replies[0].pk, replies[1].pk]).values_list("revision", flat=True))
    assert revisions == [before[first] + 1, before[first] + 2]


def test_a_batch_links_a_reply_whose_answer_was_lost_by_our_correlation_id():
    customer_message = record_inbound_message(event=inbound_message())
    reply = send_agent_reply(interaction=customer_message.interaction, author=agent(), text="It ships today.")

    record_delivery_statuses(
        updates=[status_update(external_id="wamid.LOST", status="delivered", correlation_id=correlation_id_for(reply))]
    )

    reply.refresh_from_db()
    assert (reply.external_id, reply.status) == ("wamid.LOST", MessageStatus.DELIVERED)


def test_statuses_for_messages_we_do_not_know_are_kept_and_change_nothing(replies):
    record_delivery_statuses(updates=[status_update(external_id="wamid.ELSEWHERE", status="read")])

    assert DeliveryStatusEvent.objects.filter(external_id="wamid.ELSEWHERE").exists()
    assert Message.objects.get(pk=replies[0].pk).status == MessageStatus.SENT
