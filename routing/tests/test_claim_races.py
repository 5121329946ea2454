"""Replying in a conversation routing waits to offer races an accept of its offer, on PostgreSQL: both outcomes,
each arranged rather than hoped for (`interactions/tests/test_lock_order.py`): the channel user is held while one
path, then the other, has locked what comes before it and waits; then both go. Whichever locked the work item first
takes the conversation; the other learns it is gone (the accept) or writes as a colleague (the reply). The unarranged
mix of every path is `test_assignment_races.py`.
"""

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from interactions.models import Interaction
from interactions.services.conversations import start_conversation
from interactions.services.outbound import ActionRefused, NotTheirConversation, send_agent_reply
from interactions.tests.row_races import race_behind_the_channel_user, submit_until_it_queues
from routing.models import AgentProfile, WorkItem, WorkItemEventKind, WorkItemState
from routing.services.assignment import CapacityReached, OfferNoLongerOpen, accept_offer, offer_next_items
from routing.tests.factories import QueueFactory, WorkItemFactory, serving_agent
from tests.consent_factories import opted_in
from tests.factories import ChannelUserFactory

VALID_NUMBERS = (f"49151123456{n:02d}" for n in itertools.count())

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks, so no lock order can be shown there; CI runs these on PostgreSQL",
    ),
]


def refused_or_done(work):
    def run():
        try:
            return work()
        except ActionRefused as refusal:  # too late for the offer, or the conversation became a colleague's
            return refusal

    return run


@pytest.fixture
def offered():
    """An item offered to one agent, and a colleague who may write in it."""
    queue = QueueFactory()
    offered_to, writer = serving_agent(queue), serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(agent=offered_to)
    return item, offered_to, writer


def test_an_accept_that_locked_the_item_first_wins_and_the_reply_is_refused_as_a_colleagues(offered):
    item, offered_to, writer = offered

    accepted, refused = race_behind_the_channel_user(
        item.interaction.channel_user,
        lambda: accept_offer(work_item=item, agent=offered_to),
        refused_or_done(lambda: send_agent_reply(interaction=item.interaction, author=writer, text="Can I help?")),
    )

    assert accepted.assigned_to == offered_to
    assert Interaction.objects.get(pk=item.interaction.pk).assigned_to == offered_to
    assert isinstance(refused, NotTheirConversation)  # it became the colleague's: only they write to the customer
    assert not item.interaction.messages.filter(author=writer).exists()
    assert [kind for (kind,) in WorkItem.objects.get(pk=item.pk).events.values_list("kind")] == [
        WorkItemEventKind.OFFERED,
        WorkItemEventKind.ACCEPTED,
    ]


def test_a_reply_that_locked_the_item_first_takes_it_and_the_accept_is_told_it_is_gone(offered):
    item, offered_to, writer = offered

    reply, refused = race_behind_the_channel_user(
        item.interaction.channel_user,
        lambda: send_agent_reply(interaction=item.interaction, author=writer, text="I have this one."),
        refused_or_done(lambda: accept_offer(work_item=item, agent=offered_to)),
    )

    assert reply.author == writer
    assert isinstance(refused, OfferNoLongerOpen) and "Another agent has taken" in refused.reason
    item.refresh_from_db()
    assert (item.state, item.accepted_by) == (WorkItemState.ACCEPTED, writer)
    assert Interaction.objects.get(pk=item.interaction.pk).assigned_to == writer


def test_two_conversations_started_at_once_by_an_agent_with_room_for_one_open_only_one():
    writer = serving_agent(QueueFactory(), capacity=1)
    customers = [
        ChannelUserFactory(external_id=next(VALID_NUMBERS)),
        ChannelUserFactory(external_id=next(VALID_NUMBERS)),
    ]
    for customer in customers:
        opted_in(customer)

    def start(customer):
        return refused_or_done(lambda: start_conversation(agent=writer, channel_user=customer, text="Hello!"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        with transaction.atomic():  # both queue for the agent's profile, then go together
            AgentProfile.objects.select_for_update().get(user=writer)
            futures = [submit_until_it_queues(pool, start(customer)) for customer in customers]
        outcomes = [future.result(timeout=30) for future in futures]

    assert outcomes[0].author == writer
    assert isinstance(outcomes[1], CapacityReached)
    assert list(Interaction.objects.filter(assigned_to=writer).values_list("channel_user", flat=True)) == [
        customers[0].pk
    ]
