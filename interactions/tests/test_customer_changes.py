"""What customers change after the fact: edits and deletions of their messages, and a new number."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from consent.models import ConsentMethod, ConsentRecord, ConsentStatus
from consent.services import record_consent
from interactions.events import ChannelUserAddressChanged, InboundMessageChanged
from interactions.models import ChannelUser, Interaction, InteractionState, Message, MessageKind
from interactions.rich_content import summary
from interactions.selectors import messages_changed_after
from interactions.services.customer_changes import change_channel_user_address, record_inbound_message_change
from interactions.services.inbound import record_inbound_message
from interactions.tests.core_events import inbound_message

pytestmark = pytest.mark.django_db

OLD, NEW = "16505551234", "16505559876"


def change(**fields) -> InboundMessageChanged:
    defaults = {
        "channel": "whatsapp",
        "account_id": settings.WHATSAPP_PHONE_NUMBER_ID,
        "sender_id": OLD,
        "sender_name": "Sheena Nelson",
        "external_id": "wamid.CHANGE1",
        "target_external_id": "wamid.ORIGINAL",
        "occurred_at": timezone.now(),
    }
    return InboundMessageChanged(**{**defaults, **fields})


def number_change(**fields) -> ChannelUserAddressChanged:
    defaults = {
        "channel": "whatsapp",
        "account_id": settings.WHATSAPP_PHONE_NUMBER_ID,
        "old_sender_id": OLD,
        "new_sender_id": NEW,
        "external_id": "wamid.SYSTEM1",
        "occurred_at": timezone.now(),
        "notice": f"User A changed from {OLD} to {NEW}",
    }
    return ChannelUserAddressChanged(**{**defaults, **fields})


def original(**fields) -> Message:
    return record_inbound_message(event=inbound_message(external_id="wamid.ORIGINAL", **fields))


# ------------------------------------------------------------------------------------------- edits and deletions


def test_an_edit_shows_the_new_text_keeps_the_original_and_reaches_clients_catching_up():
    message = original(text="Does it come in another color?")
    revision = message.interaction.revision

    record_inbound_message_change(event=change(new_text="Does it come in dark blue?"))

    message.refresh_from_db()
    assert (message.text, message.original_text) == ("Does it come in dark blue?", "Does it come in another color?")
    assert message.edited_at is not None
    assert [m.pk for m in messages_changed_after(interaction=message.interaction, revision=revision)] == [message.pk]


def test_an_edit_of_the_last_message_shows_in_the_conversation_list():
    message = original(text="Does it come in another color?")

    record_inbound_message_change(event=change(new_text="In dark blue?"))

    message.interaction.refresh_from_db()
    assert message.interaction.last_message_preview["text"] == "In dark blue?"


def test_a_second_edit_keeps_the_first_original_and_a_late_older_edit_changes_nothing():
    message = original(text="v1")
    now = timezone.now()
    record_inbound_message_change(event=change(new_text="v2", occurred_at=now))
    record_inbound_message_change(
        event=change(external_id="wamid.CHANGE2", new_text="v3", occurred_at=now + timedelta(1))
    )
    record_inbound_message_change(event=change(external_id="wamid.CHANGE3", new_text="v2½", occurred_at=now))

    message.refresh_from_db()
    assert (message.text, message.original_text) == ("v3", "v1")


def test_an_edit_claimed_in_the_future_counts_from_when_it_was_received():
    message = original(text="v1")
    received_at = timezone.now()

    record_inbound_message_change(
        event=change(new_text="v2", occurred_at=datetime(2100, 1, 1, tzinfo=UTC), received_at=received_at)
    )

    message.refresh_from_db()
    assert message.edited_at == received_at


def test_a_new_number_over_the_column_length_still_moves_the_customer():
    record_inbound_message(event=inbound_message(sender_id=OLD))

    moved = change_channel_user_address(event=number_change(new_sender_id="9" * 80))

    assert moved.external_id.startswith("9" * 40) and len(moved.external_id) == 64


def test_a_deletion_marks_the_message_for_agents_and_keeps_what_it_said():
    message = original(text="My card number is 4111…")

    record_inbound_message_change(event=change(deleted=True))
    record_inbound_message_change(event=change(deleted=True))

    message.refresh_from_db()
    assert message.deleted_by_customer_at is not None
    assert message.text == "My card number is 4111…"


def test_a_customer_cannot_edit_another_customers_message():
    message = original(text="Mine", sender_id="4915112345678")

    notice = record_inbound_message_change(event=change(new_text="Hijacked"))

    message.refresh_from_db()
    assert message.text == "Mine"
    assert notice.kind == MessageKind.NOTICE and notice.interaction.channel_user.external_id == OLD


def test_a_change_to_a_message_we_do_not_have_is_kept_as_a_notice_once():
    notice = record_inbound_message_change(event=change(new_text="Actually, size M"))
    again = record_inbound_message_change(event=change(new_text="Actually, size M"))

    assert again is None
    assert notice.kind == MessageKind.NOTICE
    assert notice.content == {
        "type": "edited_unknown",
        "text": "Actually, size M",
        "target_external_id": "wamid.ORIGINAL",
    }
    assert "Actually, size M" in notice.text
    notice.interaction.channel_user.refresh_from_db()
    assert notice.interaction.channel_user.last_inbound_at is None  # a notice opens no service window


# ------------------------------------------------------------------------------------------- a new number


def test_a_new_number_moves_the_customer_with_their_history_and_consent_and_notes_it():
    first = record_inbound_message(event=inbound_message(sender_id=OLD))
    customer = first.interaction.channel_user
    record_consent(channel_user=customer, status=ConsentStatus.OPTED_OUT, method=ConsentMethod.KEYWORD)

    moved = change_channel_user_address(event=number_change())

    assert moved.pk == customer.pk and moved.external_id == NEW
    note = first.interaction.messages.get(kind=MessageKind.NOTICE)
    assert note.text == f"The customer changed from {OLD} to {NEW}; replies now go to the new address."
    assert note.content["notice"] == f"User A changed from {OLD} to {NEW}"
    assert ConsentRecord.objects.get().channel_user_id == customer.pk
    assert not ChannelUser.objects.filter(external_id=OLD).exists()  # a recycled old number is a stranger


def test_a_number_change_delivered_twice_is_applied_once():
    record_inbound_message(event=inbound_message(sender_id=OLD))

    change_channel_user_address(event=number_change())
    change_channel_user_address(event=number_change())

    assert Message.objects.filter(kind=MessageKind.NOTICE).count() == 1


def test_someone_writing_from_the_old_number_afterwards_is_a_new_customer():
    record_inbound_message(event=inbound_message(sender_id=OLD))
    change_channel_user_address(event=number_change())

    stranger = record_inbound_message(event=inbound_message(sender_id=OLD, sender_name="Someone Else"))

    assert stranger.interaction.channel_user.external_id == OLD
    assert ChannelUser.objects.count() == 2
    assert stranger.interaction.messages.count() == 1


def test_when_the_new_number_already_wrote_the_two_customers_are_merged_into_the_new_one():
    old_message = record_inbound_message(event=inbound_message(sender_id=OLD, text="From my old phone"))
    old_customer = old_message.interaction.channel_user
    record_consent(channel_user=old_customer, status=ConsentStatus.OPTED_OUT, method=ConsentMethod.KEYWORD)
    new_message = record_inbound_message(event=inbound_message(sender_id=NEW, sender_name="", text="New phone"))

    survivor = change_channel_user_address(event=number_change())

    assert survivor.pk == new_message.interaction.channel_user_id
    assert survivor.display_name == "Sheena Nelson"
    assert not ChannelUser.objects.filter(pk=old_customer.pk).exists()
    assert ConsentRecord.objects.get().channel_user_id == survivor.pk
    earlier = Interaction.objects.get(pk=old_message.interaction_id)
    assert earlier.channel_user_id == survivor.pk
    assert earlier.state == InteractionState.CLOSED_COMPLETE
    assert new_message.interaction.number in earlier.messages.get(kind=MessageKind.NOTICE).text
    current = Interaction.objects.get(pk=new_message.interaction_id)
    assert current.is_open
    assert current.messages.filter(kind=MessageKind.NOTICE, external_id="wamid.SYSTEM1").exists()


def test_a_number_change_for_a_customer_we_never_met_changes_nothing():
    assert change_channel_user_address(event=number_change()) is None
    assert not ChannelUser.objects.exists()


# ------------------------------------------------------------------------------------------- summaries


def test_an_order_and_a_flow_reply_read_as_a_person_would_say_them():
    order = {
        "items": [
            {"product_retailer_id": "HAMBURGER", "quantity": 3, "item_price": 30, "currency": "ILS"},
            {"product_retailer_id": "SODA", "quantity": 2, "item_price": 10, "currency": "ILS"},
        ]
    }

    assert summary(kind=MessageKind.ORDER, content=order) == "Order: 5 items, ILS 110.00"
    assert (
        summary(kind=MessageKind.INTERACTIVE, content={"type": "flow_reply", "body": "Sent"}) == "Form answered: Sent"
    )


@pytest.mark.django_db(transaction=True)
def test_a_merge_while_the_customer_writes_from_both_numbers_neither_deadlocks_nor_loses_a_message():
    if connection.vendor != "postgresql":
        pytest.skip("row locks exist on PostgreSQL only; SQLite cannot show a deadlock (CI runs PostgreSQL)")
    record_inbound_message(event=inbound_message(sender_id=OLD))
    record_inbound_message(event=inbound_message(sender_id=NEW))
    start = threading.Barrier(7)
    problems = []

    def run(action):
        try:
            start.wait(timeout=10)
            action()
        except Exception as problem:
            problems.append(problem)
        finally:
            connection.close()

    actions = [lambda: change_channel_user_address(event=number_change())]
    actions += [
        lambda sender=sender: record_inbound_message(event=inbound_message(sender_id=sender))
        for sender in [OLD, NEW] * 3
    ]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert problems == []
    assert Message.objects.exclude(kind=MessageKind.NOTICE).count() == 8
    assert (
        ChannelUser.objects.get(external_id=NEW).interactions.filter(state__in=["new", "work_in_progress"]).count() == 1
    )
