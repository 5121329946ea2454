"""Asking the customer for their location: the request is checked by the channel's rules, sent in the channel's
shape, and the location they share in answer is linked to it."""

import pytest

from interactions.models import Direction, Message, MessageKind
from interactions.rich_content import ContentRefused, summary
from interactions.selectors import message_for_timeline
from interactions.serializers import MessageSerializer
from interactions.services.inbound import record_inbound_message
from interactions.services.rich_outbound import send_agent_rich_message
from interactions.tests.core_events import inbound_message
from tests.factories import agent

pytestmark = pytest.mark.django_db


def ask(body: str) -> Message:
    question = record_inbound_message(event=inbound_message(text="Can you pick it up?"))
    return send_agent_rich_message(
        interaction=question.interaction,
        author=agent(),
        kind=MessageKind.INTERACTIVE,
        content={"type": "location_request", "body": body},
    )


def test_a_location_request_is_queued_with_its_body():
    request = ask("x" * 1024)

    assert request.content == {"type": "location_request", "body": "x" * 1024}
    assert summary(kind=request.kind, content=request.content) == "x" * 1024


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("", "The body is required."),
        ("x" * 1025, "The body is 1025 characters long; WhatsApp allows at most 1024."),
    ],
)
def test_a_location_request_outside_the_channels_rules_is_refused_and_nothing_is_queued(body, problem):
    with pytest.raises(ContentRefused) as refused:
        ask(body)

    assert refused.value.problems == [problem]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_the_location_the_customer_shares_in_answer_is_linked_to_the_request():
    request = ask("Where should we pick it up?")
    Message.objects.filter(pk=request.pk).update(external_id="wamid.REQUEST")

    answer = record_inbound_message(
        event=inbound_message(
            kind=MessageKind.LOCATION,
            text="",
            content={"latitude": 48.8584, "longitude": 2.2945, "name": "Eiffel Tower", "address": ""},
            reply_to_external_id="wamid.REQUEST",
        )
    )

    assert answer.reply_to_id == request.pk
    quoted = MessageSerializer(message_for_timeline(message_id=answer.pk)).data["quoted"]
    assert (quoted["id"], quoted["text"]) == (request.pk, "Where should we pick it up?")
