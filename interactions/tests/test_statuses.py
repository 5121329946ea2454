"""Delivery statuses of agents' replies: each once, never backwards, linked even when the send's answer was lost."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from interactions.events import RecipientSignal
from interactions.models import DeliveryStatusEvent, Interaction, Message, MessageStatus
from interactions.selectors import messages_changed_after
from interactions.services.inbound import record_inbound_message
from interactions.services.outbound import send_agent_reply
from interactions.services.statuses import correlation_id_for, record_delivery_status
from interactions.tests.core_events import inbound_message, status_update
from tests.factories import agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply() -> Message:
    """An agent's reply, queued: written to the outbox, its channel id not known yet."""
    customer_message = record_inbound_message(event=inbound_message())
    return send_agent_reply(interaction=customer_message.interaction, author=agent(), text="It ships today.")


@pytest.fixture
def sent_reply(reply) -> Message:
    """An agent's reply the channel accepted as wamid.REPLY."""
    record(reply, "sent")
    reply.refresh_from_db()
    return reply


def record(message: Message, status: str, *, external_id: str = "wamid.REPLY", **fields) -> None:
    record_delivery_status(
        update=status_update(
            external_id=external_id, status=status, correlation_id=correlation_id_for(message), **fields
        )
    )


def revision_of(message: Message) -> int:
    return Interaction.objects.get(pk=message.interaction_id).revision


def test_a_status_names_the_reply_by_our_correlation_id_when_its_channel_id_is_not_known_yet(reply):
    assert reply.external_id is None
    occurred_at = timezone.now() - timedelta(seconds=5)

    record_delivery_status(
        update=status_update(
            external_id="wamid.REPLY", status="delivered", occurred_at=occurred_at, correlation_id=f"outbox-{reply.pk}"
        )
    )

    reply.refresh_from_db()
    assert reply.external_id == "wamid.REPLY"
    assert reply.accepted_at == occurred_at
    assert (reply.status, reply.status_at) == (MessageStatus.DELIVERED, occurred_at)


def test_the_correlation_id_is_outbox_and_the_message_pk(reply):
    assert correlation_id_for(reply) == f"outbox-{reply.pk}"


def test_read_then_delivered_stays_read(sent_reply):
    record(sent_reply, "read")
    record(sent_reply, "delivered")

    sent_reply.refresh_from_db()
    assert sent_reply.status == MessageStatus.READ
    assert sorted(DeliveryStatusEvent.objects.values_list("status", flat=True)) == ["delivered", "read", "sent"]


def test_delivered_after_failed_wins(sent_reply):
    record(sent_reply, "failed", error_code="131026", error_title="Message undeliverable")
    record(sent_reply, "delivered")

    sent_reply.refresh_from_db()
    assert sent_reply.status == MessageStatus.DELIVERED


def test_failed_after_delivered_changes_nothing(sent_reply):
    record(sent_reply, "delivered")
    cursor = revision_of(sent_reply)

    record(sent_reply, "failed", error_code="131026", error_title="Message undeliverable")

    sent_reply.refresh_from_db()
    assert sent_reply.status == MessageStatus.DELIVERED
    assert sent_reply.error_code == ""
    assert revision_of(sent_reply) == cursor


def test_a_failed_status_carries_its_code_title_and_detail(sent_reply):
    record(
        sent_reply,
        "failed",
        error_code="131026",
        error_title="Message undeliverable",
        error_detail="Message Undeliverable.",
    )

    sent_reply.refresh_from_db()
    assert sent_reply.status == MessageStatus.FAILED
    assert (sent_reply.error_code, sent_reply.error_title, sent_reply.error_detail) == (
        "131026",
        "Message undeliverable",
        "Message Undeliverable.",
    )


def test_the_same_status_twice_is_recorded_once_and_changes_nothing_the_second_time(sent_reply):
    record(sent_reply, "delivered")
    cursor = revision_of(sent_reply)
    status_at = Message.objects.get(pk=sent_reply.pk).status_at

    record(sent_reply, "delivered", occurred_at=timezone.now() + timedelta(minutes=1))

    assert DeliveryStatusEvent.objects.filter(status="delivered").count() == 1
    assert revision_of(sent_reply) == cursor
    assert Message.objects.get(pk=sent_reply.pk).status_at == status_at


def test_statuses_recorded_before_the_reply_is_linked_are_applied_when_it_is(reply):
    # 'read' arrives first, without our correlation id; nothing names the reply yet.
    record_delivery_status(update=status_update(external_id="wamid.REPLY", status="read"))
    assert Message.objects.get(pk=reply.pk).status == MessageStatus.QUEUED

    record(reply, "sent")

    reply.refresh_from_db()
    assert (reply.external_id, reply.status) == ("wamid.REPLY", MessageStatus.READ)


def test_a_status_for_a_message_we_do_not_know_is_kept_and_changes_nothing(reply):
    cursor = revision_of(reply)

    record_delivery_status(update=status_update(external_id="wamid.SOMEONE-ELSES", status="delivered"))

    assert DeliveryStatusEvent.objects.filter(external_id="wamid.SOMEONE-ELSES").exists()
    assert revision_of(reply) == cursor
    assert Message.objects.get(pk=reply.pk).status == MessageStatus.QUEUED


@pytest.mark.parametrize(
    "correlation_id", ["outbox-", "outbox-abc", "outbox-99999999", "outbox-" + "9" * 30, "someone-elses-42", ""]
)
def test_a_correlation_id_that_names_no_reply_links_nothing(reply, correlation_id):
    record_delivery_status(
        update=status_update(external_id="wamid.REPLY", status="delivered", correlation_id=correlation_id)
    )

    reply.refresh_from_db()
    assert (reply.external_id, reply.status) == (None, MessageStatus.QUEUED)


def test_a_correlation_id_naming_a_customers_message_links_nothing(reply):
    customer_message = Message.objects.get(interaction=reply.interaction, direction="inbound")

    record_delivery_status(
        update=status_update(
            external_id="wamid.REPLY", status="delivered", correlation_id=f"outbox-{customer_message.pk}"
        )
    )

    customer_message.refresh_from_db()
    assert customer_message.status == "received"
    assert not Message.objects.filter(external_id="wamid.REPLY").exists()


def test_a_status_naming_another_channel_id_does_not_relink_an_accepted_reply(sent_reply):
    record(sent_reply, "delivered", external_id="wamid.OTHER")

    sent_reply.refresh_from_db()
    assert (sent_reply.external_id, sent_reply.status) == ("wamid.REPLY", MessageStatus.SENT)


@pytest.mark.parametrize("status", ["sent", "delivered", "read", "failed"])
def test_each_status_change_bumps_the_revision_by_one_and_stamps_the_reply(sent_reply, status):
    cursor = revision_of(sent_reply)

    record(sent_reply, status)

    sent_reply.refresh_from_db()
    expected = cursor if status == "sent" else cursor + 1  # 'sent' was already applied
    assert revision_of(sent_reply) == expected
    assert sent_reply.revision == expected


def test_only_the_changed_reply_is_returned_to_a_client_catching_up(sent_reply):
    interaction = sent_reply.interaction
    other_reply = send_agent_reply(interaction=interaction, author=sent_reply.author, text="Anything else?")
    record(other_reply, "sent", external_id="wamid.OTHER-REPLY")
    cursor = revision_of(sent_reply)

    record(sent_reply, "read")

    interaction.refresh_from_db()
    assert list(messages_changed_after(interaction=interaction, revision=cursor)) == [
        Message.objects.get(pk=sent_reply.pk)
    ]


def test_linking_a_reply_by_correlation_id_stamps_it_with_the_latest_revision(reply):
    cursor = revision_of(reply)

    record(reply, "delivered")

    reply.refresh_from_db()
    interaction = Interaction.objects.get(pk=reply.interaction_id)
    assert interaction.revision > cursor
    assert reply.revision == interaction.revision
    assert list(messages_changed_after(interaction=interaction, revision=cursor)) == [reply]


def test_a_status_change_is_pushed_to_the_workspace_after_commit(sent_reply, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        record(sent_reply, "delivered")

    [push] = callbacks
    [(_, event)] = push.args[0]  # one event: the message's change, carrying the interaction's
    assert event["type"] == "message.changed"
    assert event["interaction"]["revision"] == event["revision"]


def test_a_repeated_status_pushes_nothing(sent_reply, django_capture_on_commit_callbacks):
    record(sent_reply, "delivered")

    with django_capture_on_commit_callbacks() as callbacks:
        record(sent_reply, "delivered")

    assert callbacks == []


def test_a_status_naming_a_customers_message_leaves_it_received(reply):
    customer_message = Message.objects.get(interaction=reply.interaction, direction="inbound")
    cursor = revision_of(reply)

    record_delivery_status(update=status_update(external_id=customer_message.external_id, status="read"))

    customer_message.refresh_from_db()
    assert customer_message.status == "received"
    assert revision_of(reply) == cursor


OTHER_NUMBER = "209876543210987"  # a second business number, which may belong to another Meta app


@pytest.fixture
def other_numbers_reply() -> Message:
    """A reply queued on the second business number, to a customer who wrote to it."""
    customer_message = record_inbound_message(event=inbound_message(account_id=OTHER_NUMBER))
    return send_agent_reply(interaction=customer_message.interaction, author=agent(), text="Yours ships too.")


def record_for(account_id: str, message: Message | None, status: str, *, external_id: str, **fields) -> None:
    """A status as it came for one business number; `message` gives the correlation id it carries."""
    correlation_id = correlation_id_for(message) if message else ""
    record_delivery_status(
        update=status_update(
            account_id=account_id, external_id=external_id, status=status, correlation_id=correlation_id, **fields
        )
    )


def unreachable_since(message: Message):
    return Message.objects.get(pk=message.pk).interaction.channel_user.unreachable_since


@pytest.mark.parametrize("status", ["delivered", "read", "failed"])
def test_a_status_for_one_number_naming_anothers_message_by_its_id_changes_nothing_of_it(other_numbers_reply, status):
    record_for(OTHER_NUMBER, other_numbers_reply, "sent", external_id="wamid.THEIRS")
    cursor = revision_of(other_numbers_reply)

    record_for(
        settings.WHATSAPP_PHONE_NUMBER_ID,
        None,
        status,
        external_id="wamid.THEIRS",
        error_code="131026",
        recipient_signal=RecipientSignal.UNREACHABLE,
    )

    other_numbers_reply.refresh_from_db()
    assert (other_numbers_reply.status, other_numbers_reply.error_code) == (MessageStatus.SENT, "")
    assert revision_of(other_numbers_reply) == cursor
    assert unreachable_since(other_numbers_reply) is None


def test_a_status_for_one_number_naming_anothers_message_by_correlation_id_links_nothing(other_numbers_reply):
    record_for(
        settings.WHATSAPP_PHONE_NUMBER_ID,
        other_numbers_reply,
        "failed",
        external_id="wamid.FORGED",
        error_code="131026",
        recipient_signal=RecipientSignal.UNREACHABLE,
    )

    other_numbers_reply.refresh_from_db()
    assert (other_numbers_reply.external_id, other_numbers_reply.status) == (None, MessageStatus.QUEUED)
    assert unreachable_since(other_numbers_reply) is None


@pytest.mark.parametrize("named_by", ["channel id", "correlation id"])
def test_a_status_recorded_first_for_another_number_does_not_make_the_real_one_a_duplicate(
    other_numbers_reply, named_by
):
    forged_correlation = other_numbers_reply if named_by == "correlation id" else None
    record_for(settings.WHATSAPP_PHONE_NUMBER_ID, forged_correlation, "sent", external_id="wamid.THEIRS")
    record_for(settings.WHATSAPP_PHONE_NUMBER_ID, forged_correlation, "read", external_id="wamid.THEIRS")

    record_for(OTHER_NUMBER, other_numbers_reply, "sent", external_id="wamid.THEIRS")

    other_numbers_reply.refresh_from_db()
    # Linked and applied by its own number's status only: the forged 'read' recorded before it is not its.
    assert (other_numbers_reply.external_id, other_numbers_reply.status) == ("wamid.THEIRS", MessageStatus.SENT)
    assert DeliveryStatusEvent.objects.filter(account_id=OTHER_NUMBER, external_id="wamid.THEIRS").count() == 1


def test_a_status_for_a_number_still_applies_to_its_own_message_beside_anothers(reply, other_numbers_reply):
    record_for(OTHER_NUMBER, other_numbers_reply, "sent", external_id="wamid.THEIRS")
    record(reply, "sent")

    record_for(settings.WHATSAPP_PHONE_NUMBER_ID, None, "read", external_id="wamid.REPLY")

    assert Message.objects.get(pk=reply.pk).status == MessageStatus.READ
    assert Message.objects.get(pk=other_numbers_reply.pk).status == MessageStatus.SENT


def test_a_status_naming_a_channel_id_another_message_holds_links_nothing(reply, other_numbers_reply):
    record_for(OTHER_NUMBER, other_numbers_reply, "sent", external_id="wamid.THEIRS")

    record(reply, "delivered", external_id="wamid.THEIRS")

    reply.refresh_from_db()
    assert (reply.external_id, reply.status) == (None, MessageStatus.QUEUED)
    assert Message.objects.get(pk=other_numbers_reply.pk).status == MessageStatus.SENT
