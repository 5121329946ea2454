"""An outbox message never stays queued forever: whatever breaks, the last attempt ends it as failed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.channel_adapters import ChannelCapabilities, register_channel_adapter
from interactions.models import Message, MessageStatus
from interactions.policies import MAX_DELIVERY_ATTEMPTS
from interactions.services.outbound import deliver_queued_message, send_agent_reply
from tests.factories import ChannelUserFactory, InteractionFactory, agent

pytestmark = pytest.mark.django_db

CHANNEL = "test-broken-storage"


class AdapterWhoseStorageIsGone:
    """A channel whose send breaks on our side before anything leaves, as a file missing from storage does."""

    capabilities = ChannelCapabilities(
        label="Broken",
        text_limit=100,
        caption_limit=10,
        service_window=None,
        redelivery_period=timedelta(days=1),
    )

    def send(self, message):
        raise FileNotFoundError("attachments/2026/11/gone.jpg")

    def rate_limits(self, message):
        return []

    def retry_can_help(self, *, error_code):
        return False


def test_an_unexpected_failure_is_retried_then_shown_as_failed_after_the_last_attempt():
    register_channel_adapter(CHANNEL, AdapterWhoseStorageIsGone())
    interaction = InteractionFactory(subtype=CHANNEL, channel_user=ChannelUserFactory(channel=CHANNEL))
    message = send_agent_reply(interaction=interaction, author=agent(), text="Here is your invoice")

    for _ in range(MAX_DELIVERY_ATTEMPTS + 1):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())  # its backoff has passed
        deliver_queued_message(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert (message.error_code, message.error_title) == ("internal", "Could not hand the message over")
    assert message.attempts.count() == MAX_DELIVERY_ATTEMPTS
