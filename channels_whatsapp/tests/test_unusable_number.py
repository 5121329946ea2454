"""A customer of a business number this desk no longer sends from (deleted, never added, deactivated, or its
token encrypted with a key since dropped): whatever would go to them fails at once with a reason an agent can read,
instead of waiting in the queue."""

from datetime import timedelta
from functools import partial

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from channels_whatsapp.models import BusinessNumber
from interactions.events import InboundMedia, InboundMessage
from interactions.models import AttachmentState, Message, MessageStatus
from interactions.services.inbound import record_inbound_message
from interactions.services.media import store_inbound_media
from interactions.services.outbound import (
    deliver_queued_message,
    failed_message_may_be_retried,
    queued_messages_needing_delivery,
    send_agent_reply,
)
from interactions.services.receipts import send_read_receipts
from tests.factories import agent

pytestmark = pytest.mark.django_db

GONE = "100000000000404"


def customer_of(account_id: str, *, media: InboundMedia | None = None) -> Message:
    return record_inbound_message(
        event=InboundMessage(
            channel="whatsapp",
            account_id=account_id,
            sender_id="16505551234",
            sender_name="Kerry Fisher",
            external_id=f"wamid.unusable-{account_id}-{bool(media)}",
            sent_at=timezone.now(),
            kind="document" if media else "text",
            text="" if media else "Where is my order?",
            media=media,
        )
    )


@pytest.fixture
def deactivated_number() -> str:
    BusinessNumber.objects.create(
        phone_number_id="100000000000410", access_token="t", app_secret="s", verify_token="v", is_active=False
    )
    return "100000000000410"


@pytest.fixture
def unreadable_token_number(settings) -> str:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    BusinessNumber.objects.create(
        phone_number_id="100000000000420", access_token="t", app_secret="s", verify_token="v", is_active=True
    )
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key dropped before any rotation
    return "100000000000420"


@pytest.mark.parametrize(
    ("number", "title"),
    [
        (GONE, f"The business number {GONE} is not set up in this desk"),
        ("deactivated_number", "The business number 100000000000410 is deactivated"),
        ("unreadable_token_number", "The access token of business number 100000000000420 cannot be decrypted"),
    ],
)
def test_a_reply_from_an_unusable_number_fails_at_once_with_its_reason_pushed_live(
    number, title, request, django_capture_on_commit_callbacks
):
    account_id = GONE if number == GONE else request.getfixturevalue(number)
    inbound = customer_of(account_id)
    reply = send_agent_reply(interaction=inbound.interaction, author=agent(), text="It ships today.")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert deliver_queued_message(message_id=reply.pk) is None  # nothing left to try

    reply.refresh_from_db()
    assert (reply.status, reply.error_code, reply.error_title) == (MessageStatus.FAILED, "number_unavailable", title)
    assert "Admin → Business numbers" in reply.error_detail
    assert reply.attempts.count() == 1
    pushes = [c.args[0] for c in callbacks if isinstance(c, partial) and c.func.__name__ == "_send"]
    pushed = [event for events in pushes for _, event in events if event["type"] == "message.changed"]
    assert pushed[-1]["message"]["status"] == MessageStatus.FAILED
    assert pushed[-1]["message"]["error_title"] == title
    assert reply.pk not in queued_messages_needing_delivery(now=timezone.now() + timedelta(hours=1))
    assert failed_message_may_be_retried(reply)  # an admin can set the number up again


def test_read_receipts_for_an_unusable_number_are_given_up_without_retrying(deactivated_number):
    inbound = customer_of(deactivated_number)

    assert send_read_receipts(interaction_id=inbound.interaction_id) is False
    assert send_read_receipts(interaction_id=inbound.interaction_id, typing=True) is False
    inbound.refresh_from_db()
    assert inbound.read_receipt_sent_at is None


def test_a_file_sent_to_an_unusable_number_is_unavailable_with_the_reason_after_one_try():
    inbound = customer_of(GONE, media=InboundMedia(external_id="1013859600285441", mime_type="application/pdf"))

    assert store_inbound_media(attachment_id=inbound.attachment.pk) is None

    inbound.attachment.refresh_from_db()
    assert inbound.attachment.state == AttachmentState.UNAVAILABLE
    assert inbound.attachment.download_attempts == 1
    assert inbound.attachment.failure_reason.startswith(f"The business number {GONE} is not set up in this desk.")
