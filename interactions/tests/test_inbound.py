"""Recording what customers send: channel user, interaction and message, each once however often it arrives."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.models import ChannelUser, Direction, Interaction, InteractionState, Message, MessageKind
from interactions.selectors import messages_changed_after
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import close_interaction
from interactions.tests.core_events import inbound_message
from tests.factories import agent

pytestmark = pytest.mark.django_db


def test_a_first_message_opens_a_new_numbered_interaction_for_a_new_channel_user():
    sent_at = timezone.now() - timedelta(seconds=3)

    message = record_inbound_message(event=inbound_message(sent_at=sent_at, external_id="wamid.FIRST"))

    channel_user = ChannelUser.objects.get()
    assert (channel_user.channel, channel_user.external_id, channel_user.display_name) == (
        "whatsapp",
        "16505551234",
        "Sheena Nelson",
    )
    assert channel_user.last_inbound_at == sent_at
    interaction = Interaction.objects.get()
    assert re.fullmatch(r"IMS\d{7}", interaction.number)
    assert interaction.number == f"IMS{interaction.pk + 1000:07d}"
    assert (interaction.state, interaction.subtype, interaction.channel_user) == (
        InteractionState.NEW,
        "whatsapp",
        channel_user,
    )
    assert (interaction.unread_count, interaction.last_sequence, interaction.revision) == (1, 1, 1)
    assert interaction.last_message_at == sent_at
    assert message.interaction == interaction
    assert (message.direction, message.kind, message.status, message.external_id) == (
        Direction.INBOUND,
        MessageKind.TEXT,
        "received",
        "wamid.FIRST",
    )
    assert (message.text, message.sequence, message.revision, message.sent_at) == (
        "Does it come in another color?",
        1,
        1,
        sent_at,
    )


def test_later_messages_join_the_open_interaction():
    first = record_inbound_message(event=inbound_message(text="Hello"))

    second = record_inbound_message(event=inbound_message(text="Anyone there?"))
    third = record_inbound_message(event=inbound_message(text="Hello??"))

    interaction = Interaction.objects.get()
    assert first.interaction == second.interaction == third.interaction == interaction
    assert [m.sequence for m in interaction.messages.all()] == [1, 2, 3]
    assert (interaction.unread_count, interaction.revision) == (3, 3)


def test_a_message_after_the_interaction_was_closed_opens_a_new_one():
    first = record_inbound_message(event=inbound_message(text="Where is my order?"))
    close_interaction(interaction=first.interaction, by=agent(), state=InteractionState.CLOSED_COMPLETE)

    later = record_inbound_message(event=inbound_message(text="It still has not arrived"))

    assert later.interaction != first.interaction
    assert later.interaction.channel_user == first.interaction.channel_user
    assert later.interaction.state == InteractionState.NEW
    assert later.interaction.number != first.interaction.number
    assert (later.sequence, later.interaction.unread_count) == (1, 1)
    first.interaction.refresh_from_db()
    assert first.interaction.state == InteractionState.CLOSED_COMPLETE
    assert ChannelUser.objects.count() == 1


def test_a_message_after_an_abandoned_interaction_also_opens_a_new_one():
    first = record_inbound_message(event=inbound_message())
    close_interaction(interaction=first.interaction, by=agent(), state=InteractionState.CLOSED_ABANDONED)

    later = record_inbound_message(event=inbound_message())

    assert Interaction.objects.count() == 2
    assert later.interaction.is_open


def test_the_same_message_delivered_twice_is_recorded_once_and_counted_unread_once():
    event = inbound_message(external_id="wamid.TWICE")
    record_inbound_message(event=event)

    again = record_inbound_message(event=event)

    assert again is None
    interaction = Interaction.objects.get()
    assert Message.objects.count() == 1
    assert (interaction.unread_count, interaction.revision, interaction.last_sequence) == (1, 1, 1)


def test_customers_on_different_numbers_get_their_own_interactions():
    record_inbound_message(event=inbound_message(sender_id="16505551234"))
    record_inbound_message(event=inbound_message(sender_id="16505559876"))

    assert ChannelUser.objects.count() == 2
    assert Interaction.objects.count() == 2


def test_the_same_customer_writing_to_another_business_number_is_another_channel_user():
    record_inbound_message(event=inbound_message(account_id="100200300400500"))
    record_inbound_message(event=inbound_message(account_id="301122334455667"))

    assert sorted(ChannelUser.objects.values_list("account_id", flat=True)) == ["100200300400500", "301122334455667"]


def test_a_late_older_message_does_not_move_the_service_window_back():
    now = timezone.now()
    record_inbound_message(event=inbound_message(sent_at=now))

    record_inbound_message(event=inbound_message(sent_at=now - timedelta(hours=2)))

    assert ChannelUser.objects.get().last_inbound_at == now
    assert Interaction.objects.get().last_message_at == now


def test_a_newer_message_extends_the_service_window():
    now = timezone.now()
    record_inbound_message(event=inbound_message(sent_at=now - timedelta(hours=23)))

    record_inbound_message(event=inbound_message(sent_at=now))

    assert ChannelUser.objects.get().last_inbound_at == now


def test_the_customers_new_profile_name_replaces_the_old_but_an_empty_one_does_not():
    record_inbound_message(event=inbound_message(sender_name="Sheena"))
    record_inbound_message(event=inbound_message(sender_name="Sheena Nelson"))
    record_inbound_message(event=inbound_message(sender_name=""))

    assert ChannelUser.objects.get().display_name == "Sheena Nelson"


def test_a_message_type_the_core_cannot_show_is_kept_with_a_readable_placeholder():
    message = record_inbound_message(
        event=inbound_message(kind=MessageKind.UNSUPPORTED, text="", content={"type": "image"})
    )

    assert message.kind == MessageKind.UNSUPPORTED
    assert message.text == "unsupported message type: image"
    assert message.content == {"type": "image"}


def test_a_reply_is_linked_to_the_message_it_quotes_when_we_know_it():
    quoted = record_inbound_message(event=inbound_message(external_id="wamid.QUOTED"))

    reply = record_inbound_message(event=inbound_message(reply_to_external_id="wamid.QUOTED"))
    orphan = record_inbound_message(event=inbound_message(reply_to_external_id="wamid.NEVER-SEEN"))

    assert reply.reply_to == quoted
    assert orphan.reply_to is None


def test_each_new_message_is_exactly_what_changed_since_the_previous_revision():
    first = record_inbound_message(event=inbound_message())
    cursor = Interaction.objects.get().revision

    second = record_inbound_message(event=inbound_message())

    interaction = Interaction.objects.get()
    assert interaction.revision == cursor + 1
    assert second.revision == interaction.revision
    assert list(messages_changed_after(interaction=interaction, revision=cursor)) == [second]
    assert list(messages_changed_after(interaction=interaction, revision=0)) == [first, second]


def test_a_notice_about_the_customer_is_shown_but_opens_no_service_window():
    notice = record_inbound_message(
        event=inbound_message(kind="unsupported", text="", content={"type": "system"}, opens_service_window=False)
    )

    notice.interaction.channel_user.refresh_from_db()
    assert notice.text == "unsupported message type: system"
    assert notice.interaction.channel_user.last_inbound_at is None
