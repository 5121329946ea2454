"""The send path's cost: a reply handed to the Graph API in a fixed, small number of SQL queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interactions.models import MessageStatus
from interactions.services.outbound import deliver_queued_message, send_agent_reply
from tests.factories import ChannelUserFactory, InteractionFactory, agent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
    pytest.mark.usefixtures("live_worker_paused"),
]

# Plan: BEGIN, the message locked, its attempts, consent, the number, the attempt row, COMMIT (7); the number for
# the send (1); record: BEGIN, the interaction lock (3), the message locked, attempt, revision, message, recorded
# statuses, the live push's reading of message and interaction (4) and of who may see it (1, routing's audience
# rules: assignee, offer, shared queue), COMMIT (15). Main had 26.
QUERIES_PER_SEND = 23


def test_a_send_costs_a_fixed_number_of_queries(graph_api, settings):
    author = agent()
    replies = []
    for _ in range(4):
        interaction = InteractionFactory(channel_user=ChannelUserFactory())
        graph_api.network.save_customer(wa_id=interaction.channel_user.external_id, changes={"window_open": True})
        replies.append(send_agent_reply(interaction=interaction, author=author, text="It ships today."))

    deliver_queued_message(message_id=replies.pop().pk)  # the first send of a process syncs the settings' number
    counts = []
    for reply in replies:
        with CaptureQueriesContext(connection) as queries:
            assert deliver_queued_message(message_id=reply.pk) is None
        counts.append(len(queries))
        reply.refresh_from_db()
        assert reply.status == MessageStatus.SENT and reply.external_id, (reply.error_code, reply.error_title)

    assert max(counts) <= QUERIES_PER_SEND, counts
    assert len(graph_api.network.sent_messages(wa_id=None, min_count=4, timeout=1)) == 4
