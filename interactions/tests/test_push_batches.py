"""The live push of a batch of changes: the same events as one by one, read in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consent.models import ConsentMethod, ConsentStatus
from consent.services import record_consent
from interactions.live import interactions_changed, message_added, messages_changed
from interactions.models import Interaction, Message
from interactions.serializers import InteractionSerializer, timeline_message_data
from interactions.services.inbound import record_inbound_message
from interactions.services.outbound import send_agent_reply
from interactions.services.statuses import correlation_id_for, record_delivery_status, record_delivery_statuses
from interactions.tests.core_events import inbound_message, status_update
from tests.factories import agent

pytestmark = pytest.mark.django_db


def _replies(customers: int, *, first: int = 0) -> list[Message]:
    """Two replies the channel accepted to each of `customers` customers (wamid.R<first>, …), new customers."""
    author = agent()
    replies = []
    for index in range(customers):
        interaction = record_inbound_message(event=inbound_message(sender_id=f"1650555{first + index:04d}")).interaction
        replies += [send_agent_reply(interaction=interaction, author=author, text="On its way.") for _ in range(2)]
    for index, reply in enumerate(replies, start=first):
        record_delivery_status(
            update=status_update(external_id=f"wamid.R{index}", status="sent", correlation_id=correlation_id_for(reply))
        )
    return replies


def _delivered(first: int, count: int):
    return [status_update(external_id=f"wamid.R{index}", status="delivered") for index in range(first, first + count)]


def test_a_batch_of_statuses_costs_the_same_queries_for_two_messages_as_for_eight():
    _replies(1), _replies(4, first=10)

    with CaptureQueriesContext(connection) as for_few:
        record_delivery_statuses(updates=_delivered(0, 2))
    with CaptureQueriesContext(connection) as for_many:
        record_delivery_statuses(updates=_delivered(10, 8))

    interaction_saves = 4 - 1  # each interaction's new revision, one UPDATE each
    # PostgreSQL saves the batch's messages in one UPDATE … FROM (VALUES …); SQLite one UPDATE per message.
    message_saves = 8 - 2 if connection.vendor == "sqlite" else 0
    assert len(for_many) == len(for_few) + interaction_saves + message_saves, "\n".join(
        q["sql"][:150] for q in for_many
    )


def test_a_batch_pushes_what_each_change_alone_would():
    replies = _replies(2)
    opted_out = Interaction.objects.select_related("channel_user").get(pk=replies[0].interaction_id)
    record_consent(channel_user=opted_out.channel_user, status=ConsentStatus.OPTED_OUT, method=ConsentMethod.KEYWORD)
    interactions = list(Interaction.objects.select_related("channel_user", "assigned_to").order_by("pk"))
    messages = list(Message.objects.filter(pk__in=[reply.pk for reply in replies]).order_by("pk"))

    events = messages_changed(messages)
    summaries = interactions_changed(interactions)

    assert [event["message"] for event in events] == [timeline_message_data(message) for message in messages]
    assert [event["revision"] for event in events] == [message.revision for message in messages]
    assert [summary["interaction"] for summary in summaries] == [
        InteractionSerializer(interaction).data for interaction in interactions
    ]
    assert summaries[0]["interaction"]["reply"]["allowed"] is False  # judged from the opt-out read for the batch
    assert not hasattr(interactions[0], "reply_consent_status")  # the caller's rows are left as they were


def test_the_push_of_a_new_message_shows_it_as_reading_it_again_would():
    def shown_alike(message: Message) -> Message:
        assert message_added(message)["message"] == timeline_message_data(message)
        return message

    first = shown_alike(record_inbound_message(event=inbound_message(text="Is it at https://example.com/a ?")))
    shown_alike(record_inbound_message(event=inbound_message(reply_to_external_id="wamid.R9")))  # quotes nothing
    reply = shown_alike(send_agent_reply(interaction=first.interaction, author=agent(), text="See example.com/a"))
    record_delivery_status(
        update=status_update(external_id="wamid.R9", status="sent", correlation_id=correlation_id_for(reply))
    )
    answer = shown_alike(record_inbound_message(event=inbound_message(reply_to_external_id="wamid.R9")))

    assert message_added(answer)["message"]["quoted"]["author"]  # the quoted reply's agent, read for the push
