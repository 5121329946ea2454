"""An agent who writes in a conversation routing is waiting to offer (queued, or offered to someone) takes it as an
accept would, within their capacity: the item accepted by them, an offer to a colleague withdrawn and recorded. Over
capacity the message is refused and nothing changes. A conversation with an agent, or one routing waits for nothing
on, is written in as before. An agent starting a conversation with a customer takes it within their capacity too."""

import itertools
import json

import pytest
from django.test import Client

from interactions.models import Interaction, InteractionState, Message
from interactions.services.assignment import prepare_claim
from interactions.services.conversations import start_conversation
from interactions.services.outbound import ActionRefused, NotTheirConversation, send_agent_reply
from interactions.services.timeline import lock_interaction
from interactions.tests.timelines import client_for
from routing.models import WorkItem, WorkItemEventKind, WorkItemState
from routing.services.assignment import CapacityReached, accept_offer, offer_next_items
from routing.tests.factories import QueueFactory, WorkItemFactory, serving_agent
from tests.consent_factories import opted_in
from tests.factories import ChannelUserFactory, InteractionFactory

VALID_NUMBERS = (f"49151123456{n:02d}" for n in itertools.count())

pytestmark = pytest.mark.django_db


def history(item: WorkItem) -> list[tuple[str, int | None]]:
    return [(event.kind, event.agent_id) for event in item.events.order_by("at", "pk")]


def holding(user, count: int = 1) -> None:
    for _ in range(count):
        InteractionFactory(assigned_to=user, state=InteractionState.WORK_IN_PROGRESS)


def test_replying_in_a_queued_conversation_takes_it_as_an_accept_would():
    queue = QueueFactory()
    writer = serving_agent(queue)
    item = WorkItemFactory(queue=queue)

    send_agent_reply(interaction=item.interaction, author=writer, text="I can help with that.")

    item.refresh_from_db()
    assert (item.state, item.accepted_by) == (WorkItemState.ACCEPTED, writer)
    assert (item.interaction.assigned_to, item.interaction.state) == (writer, InteractionState.WORK_IN_PROGRESS)
    assert history(item) == [(WorkItemEventKind.ACCEPTED, writer.pk)]
    assert item.events.get().note == "By writing in it"


def test_replying_in_a_conversation_offered_to_a_colleague_withdraws_their_offer_and_offers_them_other_work(
    committing,
):
    queue = QueueFactory()
    colleague = serving_agent(queue, capacity=1)
    writer = serving_agent(queue, capacity=1)
    item = WorkItemFactory(queue=queue)
    offer_next_items(agent=colleague)
    assert WorkItem.objects.get(pk=item.pk).offered_to == colleague
    next_one = WorkItemFactory(queue=queue)

    with committing():
        send_agent_reply(interaction=item.interaction, author=writer, text="Taking this one.")

    item.refresh_from_db()
    assert (item.state, item.accepted_by, item.offered_to) == (WorkItemState.ACCEPTED, writer, None)
    assert history(item) == [
        (WorkItemEventKind.OFFERED, colleague.pk),
        (WorkItemEventKind.OFFER_WITHDRAWN, colleague.pk),
        (WorkItemEventKind.ACCEPTED, writer.pk),
    ]
    withdrawn = item.events.get(kind=WorkItemEventKind.OFFER_WITHDRAWN)
    assert withdrawn.actor == writer and "took it by writing in it" in withdrawn.reason
    assert WorkItem.objects.get(pk=next_one.pk).offered_to == colleague  # their room is free again


def test_replying_in_ones_own_offer_accepts_it_even_at_full_capacity():
    queue = QueueFactory()
    writer = serving_agent(queue, capacity=1)
    item = WorkItemFactory(queue=queue)
    offer_next_items(agent=writer)

    send_agent_reply(interaction=item.interaction, author=writer, text="Hello!")

    item.refresh_from_db()
    assert (item.state, item.accepted_by) == (WorkItemState.ACCEPTED, writer)
    assert history(item) == [(WorkItemEventKind.OFFERED, writer.pk), (WorkItemEventKind.ACCEPTED, writer.pk)]


def test_a_reply_that_would_take_an_agent_past_capacity_is_refused_and_changes_nothing():
    queue = QueueFactory(agents_see_each_others_conversations=True)
    colleague = serving_agent(queue)
    writer = serving_agent(queue, capacity=2)
    holding(writer, 2)
    item = WorkItemFactory(queue=queue, interaction=InteractionFactory(queue=queue.key))  # the writer sees it
    offer_next_items(agent=colleague)
    client = Client()
    client.force_login(writer)

    with pytest.raises(CapacityReached, match="capacity"):
        send_agent_reply(interaction=item.interaction, author=writer, text="Me!")
    response = client.post(
        f"/api/v1/interactions/{item.interaction.pk}/messages/",
        json.dumps({"text": "Me!"}),
        content_type="application/json",
    )

    assert response.status_code == 409
    assert "capacity" in response.json()["detail"]
    item.refresh_from_db()
    assert (item.state, item.offered_to) == (WorkItemState.OFFERED, colleague)
    assert Interaction.objects.get(pk=item.interaction.pk).assigned_to is None
    assert not Message.objects.filter(interaction=item.interaction, author=writer).exists()


def test_a_colleague_writing_in_an_assigned_conversation_is_refused_and_takes_nothing():
    queue = QueueFactory()
    owner, helper = serving_agent(queue), serving_agent(queue, capacity=1)
    holding(helper)
    item = WorkItemFactory(queue=queue)
    offer_next_items(agent=owner)
    accept_offer(work_item=item, agent=owner)

    with pytest.raises(NotTheirConversation):  # routing's rule: only the holder writes (test_read_along.py)
        send_agent_reply(interaction=item.interaction, author=helper, text="Adding a detail.")

    assert Interaction.objects.get(pk=item.interaction.pk).assigned_to == owner
    assert history(WorkItem.objects.get(pk=item.pk))[-1] == (WorkItemEventKind.ACCEPTED, owner.pk)


def test_without_a_waiting_work_item_the_writer_takes_the_conversation_as_before():
    writer = serving_agent(QueueFactory(), capacity=1)
    holding(writer)
    interaction = InteractionFactory()  # routing waits for nothing here (no queue had it)

    send_agent_reply(interaction=interaction, author=writer, text="Hello")

    assert Interaction.objects.get(pk=interaction.pk).assigned_to == writer
    assert not WorkItem.objects.filter(interaction=interaction).exists()


def test_a_conversation_queued_after_the_writer_looked_is_not_taken_without_its_locks():
    queue = QueueFactory()
    writer = serving_agent(queue)
    interaction = InteractionFactory()
    check = prepare_claim(interaction_id=interaction.pk, agent=writer)  # nothing waited: nothing locked
    WorkItemFactory(queue=queue, interaction=interaction)  # a transfer, or the inbound listener, meanwhile

    with pytest.raises(ActionRefused, match="send your message again"):
        check(lock_interaction(interaction.pk))


def test_an_agent_at_capacity_cannot_start_a_conversation_and_the_api_says_why():
    writer = serving_agent(QueueFactory(), capacity=1)
    holding(writer)
    customer = ChannelUserFactory(external_id=next(VALID_NUMBERS))
    opted_in(customer)

    with pytest.raises(CapacityReached, match="cannot start another"):
        start_conversation(agent=writer, channel_user=customer, text="Your parcel is ready.")
    response = client_for(writer).post(
        "/api/v1/conversations/", {"channel_user_id": customer.pk, "text": "Your parcel is ready."}, format="json"
    )

    assert response.status_code == 409
    assert "capacity" in response.json()["detail"]
    assert not Interaction.objects.filter(channel_user=customer).exists()
    assert not Message.objects.filter(author=writer).exists()


def test_an_agent_with_room_starts_a_conversation_which_then_counts_toward_their_capacity():
    writer = serving_agent(QueueFactory(), capacity=1)
    first, second = (
        ChannelUserFactory(external_id=next(VALID_NUMBERS)),
        ChannelUserFactory(external_id=next(VALID_NUMBERS)),
    )
    opted_in(first)
    opted_in(second)

    started = start_conversation(agent=writer, channel_user=first, text="Your parcel is ready.")

    assert started.interaction.assigned_to == writer
    with pytest.raises(CapacityReached):
        start_conversation(agent=writer, channel_user=second, text="Your parcel is ready too.")
