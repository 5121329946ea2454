"""A customer's reaction or quote finds its message only among that customer's own conversations: a wamid
from someone else's timeline (guessed, or replayed) neither links to it nor changes it."""

import pytest

from interactions.models import InteractionState, MessageKind
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import close_interaction
from interactions.tests.core_events import inbound_message
from tests.factories import agent

pytestmark = pytest.mark.django_db

KERRY, MALLORY = "16505551234", "16505550000"


def writes(sender_id: str, **fields):
    return record_inbound_message(event=inbound_message(sender_id=sender_id, **fields))


@pytest.mark.parametrize(
    ("kind", "fields"),
    [(MessageKind.REACTION, {"text": "", "content": {"emoji": "👍"}}), (MessageKind.TEXT, {"text": "About this…"})],
)
def test_a_reaction_or_quote_naming_another_customers_message_links_to_nothing(kind, fields):
    theirs = writes(KERRY, text="My address is 12 Elm Street")
    revision = theirs.interaction.revision

    mine = writes(MALLORY, kind=kind, reply_to_external_id=theirs.external_id, **fields)

    assert mine.reply_to is None
    theirs.interaction.refresh_from_db()
    assert theirs.interaction.revision == revision  # their timeline did not move


def test_a_customer_reacts_to_their_own_message_of_an_earlier_conversation():
    earlier = writes(KERRY, text="Is it in stock?")
    close_interaction(interaction=earlier.interaction, by=agent(), state=InteractionState.CLOSED_COMPLETE)

    reaction = writes(
        KERRY, kind=MessageKind.REACTION, text="", content={"emoji": "❤"}, reply_to_external_id=earlier.external_id
    )

    assert reaction.reply_to == earlier
