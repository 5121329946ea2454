"""Internal notes: in the timeline for colleagues, with its sequence and revision, and never anywhere a customer
could see it: not in the outbox, the service window, the unread count, the list's preview or read receipts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.models import Direction, Interaction, InteractionState, Message, MessageKind, MessageStatus
from interactions.rich_content import ContentRefused
from interactions.selectors import timeline_changes
from interactions.serializers import timeline_message_data
from interactions.services.inbound import record_inbound_message
from interactions.services.notes import NOTE_LIMIT, add_internal_note
from interactions.services.outbound import (
    ActionRefused,
    MessageRefused,
    deliver_queued_message,
    queued_messages_needing_delivery,
    send_agent_reply,
)
from interactions.services.outreach import reply_decision_for
from interactions.services.receipts import request_read_receipts
from interactions.services.rich_outbound import send_agent_rich_message
from interactions.tests.core_events import inbound_message
from tests.factories import UserFactory, agent, manager

pytestmark = pytest.mark.django_db

CUSTOMER = "16505551234"


@pytest.fixture
def owner():
    return agent(first_name="Ana")


@pytest.fixture
def conversation(owner) -> Interaction:
    """The customer wrote, their agent answered, the customer wrote again (unread)."""
    first = record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Where is my order?"))
    send_agent_reply(interaction=first.interaction, author=owner, text="Let me check.")
    record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Thanks!"))
    return Interaction.objects.get(pk=first.interaction_id)


def test_a_note_is_the_next_message_of_the_timeline_and_catch_up_carries_it(conversation, owner):
    note = add_internal_note(interaction=conversation, author=owner, text="  Customer is a VIP; refund approved. ")

    conversation.refresh_from_db()
    assert (note.direction, note.kind, note.status, note.author) == (
        Direction.INTERNAL,
        MessageKind.NOTE,
        MessageStatus.RECORDED,
        owner,
    )
    assert note.text == "Customer is a VIP; refund approved."
    assert (note.sequence, note.revision) == (conversation.last_sequence, conversation.revision)
    changes = timeline_changes(interaction=conversation, after=note.revision - 1)
    assert [message.pk for message in changes.messages] == [note.pk]


def test_the_timeline_marks_a_note_unmistakably(conversation, owner):
    note = add_internal_note(interaction=conversation, author=owner, text="Refund approved.")
    reply = conversation.messages.get(direction=Direction.OUTBOUND)

    shown, reply_shown = timeline_message_data(note), timeline_message_data(reply)

    assert (shown["direction"], shown["kind"], shown["internal"], shown["whisper_to"]) == (
        "internal",
        "note",
        True,
        None,
    )
    assert shown["author"] == "Ana"
    assert (reply_shown["internal"], reply_shown["whisper_to"]) == (False, None)


def test_a_note_is_never_in_the_outbox(conversation, owner):
    note = add_internal_note(interaction=conversation, author=owner, text="Refund approved.")
    Message.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(hours=1))

    assert note.pk not in queued_messages_needing_delivery(now=timezone.now() + timedelta(hours=1))
    assert deliver_queued_message(message_id=note.pk) is None  # the delivery task, were it ever asked
    note.refresh_from_db()
    assert (note.status, note.external_id, note.attempts.count()) == (MessageStatus.RECORDED, None, 0)


def test_a_note_neither_opens_nor_extends_the_service_window(owner):
    first = record_inbound_message(
        event=inbound_message(sender_id=CUSTOMER, text="Hello", sent_at=timezone.now() - timedelta(hours=25))
    )
    customer = first.interaction.channel_user
    last_inbound_at = customer.last_inbound_at

    add_internal_note(interaction=first.interaction, author=owner, text="They wrote yesterday; send a template.")

    customer.refresh_from_db()
    assert customer.last_inbound_at == last_inbound_at
    assert not reply_decision_for(channel_user=customer).allowed  # a note may still be written: it is not sent


def test_a_note_leaves_the_unread_count_the_lists_order_and_its_preview_to_the_customer(conversation):
    before = (conversation.unread_count, conversation.last_message_at, conversation.last_message_preview)
    assert before[0] == 1

    add_internal_note(interaction=conversation, author=manager(), text="Please answer this one first.")

    conversation.refresh_from_db()
    assert (conversation.unread_count, conversation.last_message_at, conversation.last_message_preview) == before
    assert conversation.last_message_preview["text"] == "Thanks!"


def test_a_note_asks_for_no_read_receipt(owner, django_capture_on_commit_callbacks):
    first = record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Hello"))
    Message.objects.filter(pk=first.pk).update(read_receipt_sent_at=timezone.now())  # the customer's, read
    add_internal_note(interaction=first.interaction, author=owner, text="Known customer.")

    with django_capture_on_commit_callbacks() as callbacks:
        request_read_receipts(interaction=first.interaction)

    assert callbacks == []


def test_a_message_to_the_customer_can_neither_quote_nor_react_to_a_note(conversation, owner):
    note = add_internal_note(interaction=conversation, author=owner, text="Refund approved.")

    with pytest.raises(ActionRefused, match="is not a message of interaction"):
        send_agent_reply(interaction=conversation, author=owner, text="Good news!", reply_to_id=note.pk)
    with pytest.raises(ContentRefused, match="has not reached the customer"):
        send_agent_rich_message(
            interaction=conversation, author=owner, kind="reaction", content={"emoji": "👍"}, reply_to_id=note.pk
        )


def test_a_supervisor_whispers_to_the_agent_of_the_conversation(conversation, owner):
    supervisor = manager()

    whisper = add_internal_note(
        interaction=conversation, author=supervisor, text="Offer the voucher.", whisper_to=owner
    )

    assert whisper.direction == Direction.INTERNAL
    assert timeline_message_data(whisper)["whisper_to"] == {"id": owner.pk, "name": owner.get_full_name()}


def test_a_whisper_goes_only_to_the_agent_the_conversation_is_assigned_to(conversation):
    with pytest.raises(ActionRefused, match="assigned to"):
        add_internal_note(interaction=conversation, author=manager(), text="Offer the voucher.", whisper_to=agent())

    assert not conversation.messages.filter(direction=Direction.INTERNAL).exists()


def test_a_note_may_annotate_a_closed_conversation(conversation, owner):
    Interaction.objects.filter(pk=conversation.pk).update(state=InteractionState.CLOSED_COMPLETE)

    note = add_internal_note(interaction=conversation, author=manager(), text="Handled well.")

    assert note.interaction_id == conversation.pk


@pytest.mark.parametrize("text", ["", "   ", "x" * (NOTE_LIMIT + 1)])
def test_an_empty_or_overlong_note_is_refused(conversation, owner, text):
    with pytest.raises(MessageRefused):
        add_internal_note(interaction=conversation, author=owner, text=text)


def test_only_agents_and_managers_write_notes(conversation):
    with pytest.raises(ActionRefused, match="Only agents and managers"):
        add_internal_note(interaction=conversation, author=UserFactory(), text="Hello")
