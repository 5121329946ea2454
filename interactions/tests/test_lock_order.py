"""Paths that lock more than one row race each other without deadlocking: real transactions on PostgreSQL.

Each race is arranged, not hoped for: the test holds the channel user's row, lets a customer's message queue up
for it first and the other path second, then lets go. A path that took the interaction before the channel user
(the order the inbound path takes them in reverse) deadlocks here every time.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from interactions.models import (
    AttachmentState,
    ChannelUser,
    Direction,
    Interaction,
    InteractionState,
    Message,
    MessageAttachment,
    MessageKind,
    MessageStatus,
)
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import close_interaction
from interactions.services.media import store_inbound_media
from interactions.services.outbound import send_agent_reply
from interactions.services.statuses import record_delivery_status, record_delivery_statuses
from interactions.tests.core_events import inbound_message, status_update
from interactions.tests.row_races import Racer, race_behind_the_channel_user, submit_until_it_queues
from tests.factories import ChannelUserFactory, InteractionFactory, agent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks, so no lock order can be shown there; CI runs these on PostgreSQL",
    ),
]

CUSTOMER = "16505551234"


@pytest.fixture
def conversation() -> Interaction:
    channel_user = ChannelUserFactory(external_id=CUSTOMER, last_inbound_at=timezone.now())
    return InteractionFactory(channel_user=channel_user, state=InteractionState.WORK_IN_PROGRESS)


def _sent_message(interaction: Interaction, external_id: str) -> Message:
    interaction.last_sequence += 1
    interaction.revision += 1
    interaction.save(update_fields=["last_sequence", "revision"])
    return Message.objects.create(
        interaction=interaction,
        sequence=interaction.last_sequence,
        revision=interaction.revision,
        direction=Direction.OUTBOUND,
        status=MessageStatus.SENT,
        text="Your order ships today.",
        sent_at=timezone.now(),
        external_id=external_id,
    )


def test_a_customer_writing_while_an_agent_replies_deadlocks_neither(conversation):
    author = agent()

    inbound, reply = race_behind_the_channel_user(
        conversation.channel_user,
        lambda: record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Hello?")),
        lambda: send_agent_reply(interaction=conversation, author=author, text="Right here."),
    )

    assert [m.text for m in Message.objects.filter(interaction=conversation).order_by("sequence")] == [
        "Hello?",
        "Right here.",
    ]
    assert (inbound.sequence, reply.sequence) == (1, 2)


def test_a_delivery_status_that_marks_the_number_unreachable_races_a_customer_message(conversation):
    sent = _sent_message(conversation, "wamid.OUT1")

    race_behind_the_channel_user(
        conversation.channel_user,
        lambda: record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Did you write?")),
        lambda: record_delivery_status(
            update=status_update(
                external_id="wamid.OUT1",
                status=MessageStatus.FAILED,
                error_code="131026",
                recipient_signal="unreachable",
            )
        ),
    )

    sent.refresh_from_db()
    conversation.channel_user.refresh_from_db()
    assert sent.status == MessageStatus.FAILED
    assert conversation.channel_user.unreachable_since is not None
    assert Message.objects.filter(interaction=conversation, direction=Direction.INBOUND).count() == 1


def test_a_batch_of_statuses_for_several_customers_races_a_customer_message(conversation):
    other = InteractionFactory(
        channel_user=ChannelUserFactory(external_id="16505550000"), state=InteractionState.WORK_IN_PROGRESS
    )
    sent, other_sent = _sent_message(conversation, "wamid.OUT1"), _sent_message(other, "wamid.OUT2")

    race_behind_the_channel_user(
        conversation.channel_user,
        lambda: record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Did you write?")),
        lambda: record_delivery_statuses(
            updates=[
                status_update(external_id="wamid.OUT2", status=MessageStatus.DELIVERED),
                status_update(
                    external_id="wamid.OUT1",
                    status=MessageStatus.FAILED,
                    error_code="131026",
                    recipient_signal="unreachable",
                ),
            ]
        ),
    )

    sent.refresh_from_db()
    other_sent.refresh_from_db()
    conversation.channel_user.refresh_from_db()
    assert (sent.status, other_sent.status) == (MessageStatus.FAILED, MessageStatus.DELIVERED)
    assert conversation.channel_user.unreachable_since is not None
    assert Message.objects.filter(interaction=conversation, direction=Direction.INBOUND).count() == 1


def test_an_agent_closing_the_interaction_while_the_customer_writes_files_the_message_in_a_new_one(conversation):
    author = agent()

    race_behind_the_channel_user(
        conversation.channel_user,
        lambda: close_interaction(interaction=conversation, by=author, state=InteractionState.CLOSED_COMPLETE),
        lambda: record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="One more thing")),
    )

    conversation.refresh_from_db()
    assert conversation.state == InteractionState.CLOSED_COMPLETE
    reopened = Interaction.objects.exclude(pk=conversation.pk).get()
    assert reopened.messages.get().text == "One more thing"


def test_a_media_download_takes_its_attachment_alone_so_it_never_waits_behind_a_customer_writing(conversation):
    photo = _sent_message(conversation, "wamid.PHOTO1")
    Message.objects.filter(pk=photo.pk).update(direction=Direction.INBOUND, kind=MessageKind.IMAGE)
    attachment = MessageAttachment.objects.create(
        message=photo, state=AttachmentState.PENDING, mime_type="image/jpeg", external_id="no-such-media"
    )

    with ThreadPoolExecutor(max_workers=2) as pool:
        with transaction.atomic():
            ChannelUser.objects.select_for_update().get(pk=conversation.channel_user_id)
            writing = submit_until_it_queues(
                pool, lambda: record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Got the photo?"))
            )
            download = pool.submit(Racer(lambda: store_inbound_media(attachment_id=attachment.pk)))
            # Its attempt is counted and committed while the customer's conversation is still held.
            attempt_started = MessageAttachment.objects.filter(pk=attachment.pk, download_attempts=1)
            deadline = time.monotonic() + 10
            while not attempt_started.exists():
                assert time.monotonic() < deadline, "the download waited for the channel user's lock"
                time.sleep(0.02)
        writing.result(timeout=10)
        download.result(timeout=30)  # settled or to be retried, whether or not an emulator answers

    attachment.refresh_from_db()
    assert attachment.download_attempts == 1


def test_a_burst_of_customer_messages_replies_and_statuses_on_one_conversation_all_land(conversation):
    """Unarranged, as under load: whatever the interleaving, every change lands and none deadlocks."""
    author = agent()
    sent = [_sent_message(conversation, f"wamid.BURST{number}").external_id for number in range(6)]
    work = [
        *(lambda n=n: record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text=f"Line {n}"))
          for n in range(12)),
        *(lambda n=n: send_agent_reply(interaction=conversation, author=author, text=f"Answer {n}") for n in range(6)),
        *(lambda wamid=wamid: record_delivery_status(update=status_update(external_id=wamid, status="delivered"))
          for wamid in sent),
    ]  # fmt: skip

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [pool.submit(Racer(job)) for job in work[::2] + work[1::2]]
        for result in results:
            result.result(timeout=60)

    messages = Message.objects.filter(interaction=conversation)
    assert messages.filter(direction=Direction.INBOUND).count() == 12
    assert messages.filter(author=author).count() == 6
    assert messages.filter(status=MessageStatus.DELIVERED).count() == 6
    assert sorted(messages.values_list("sequence", flat=True)) == list(range(1, 25))
