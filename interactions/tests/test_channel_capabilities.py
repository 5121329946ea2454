"""A second channel with other rules changes none of the core: its limits, its label and its lack of a service
window reach the services, the API and the workspace payload from its adapter's capabilities."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from interactions.channel_adapters import ChannelCapabilities, register_channel_adapter
from interactions.media_policies import MediaRule
from interactions.models import MessageStatus
from interactions.roles import ADMIN
from interactions.services.event_times import believed_event_time
from interactions.services.media import MediaRefused, send_agent_media
from interactions.services.outbound import ActionRefused, send_agent_reply
from tests.factories import ChannelUserFactory, InteractionFactory, agent, agent_holding
from tests.media_samples import sample

pytestmark = pytest.mark.django_db

SMS = "test-sms"


class ShortMessageAdapter:
    capabilities = ChannelCapabilities(
        label="SMS",
        text_limit=160,
        caption_limit=40,
        service_window=None,
        redelivery_period=timedelta(days=1),
    )

    def media_rules(self):
        return (MediaRule(kind="image", mime_types=frozenset({"image/png"}), max_bytes=10**6, formats="PNG"),)


@pytest.fixture
def sms_interaction():
    register_channel_adapter(SMS, ShortMessageAdapter())
    last_wrote = timezone.now() - timedelta(days=400)  # long past WhatsApp's window; SMS has none
    return InteractionFactory(subtype=SMS, channel_user=ChannelUserFactory(channel=SMS, last_inbound_at=last_wrote))


def test_a_reply_is_held_to_the_channels_text_limit_and_no_window(sms_interaction):
    sent = send_agent_reply(interaction=sms_interaction, author=agent(), text="x" * 160)

    with pytest.raises(ActionRefused, match="161 characters long; at most 160 are allowed"):
        send_agent_reply(interaction=sms_interaction, author=agent(), text="x" * 161)
    assert sent.status == MessageStatus.QUEUED


def test_a_caption_is_held_to_the_channels_caption_limit_and_named_for_it(sms_interaction, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)

    def photo(caption: str):
        upload = SimpleUploadedFile("photo.png", sample("photo.png"), content_type="image/png")
        return send_agent_media(interaction=sms_interaction, author=agent(), upload=upload, caption=caption)

    assert photo("c" * 40).text == "c" * 40
    with pytest.raises(MediaRefused, match="41 characters long; at most 40 are allowed"):
        photo("c" * 41)
    with pytest.raises(MediaRefused, match="cannot be sent on SMS"):
        upload = SimpleUploadedFile("photo.jpg", sample("photo.jpg"), content_type="image/jpeg")
        send_agent_media(interaction=sms_interaction, author=agent(), upload=upload)


def test_the_api_and_the_workspace_payload_carry_the_channels_limits(sms_interaction, client):
    client.force_login(agent_holding(sms_interaction))

    detail = client.get(reverse("interaction-detail", args=[sms_interaction.pk])).json()
    too_long = client.post(
        reverse("interaction-messages", args=[sms_interaction.pk]), {"text": "x" * 161}, "application/json"
    )
    attachments = client.get(reverse("interaction-attachments", args=[sms_interaction.pk])).json()

    assert detail["channel"] == {"label": "SMS", "text_limit": 160, "caption_limit": 40}
    assert detail["service_window"] == {"open": True, "reason": "", "closes_at": None}
    assert (too_long.status_code, too_long.json()["detail"]) == (
        400,
        "The message is 161 characters long; at most 160 are allowed.",
    )
    assert attachments["max_caption_length"] == 40


def test_a_claimed_time_is_believed_only_within_the_channels_own_redelivery_period(sms_interaction):
    received_at = timezone.now()
    two_days_ago = received_at - timedelta(days=2)

    sms = believed_event_time(channel=SMS, claimed=two_days_ago, received_at=received_at)
    whatsapp = believed_event_time(channel="whatsapp", claimed=two_days_ago, received_at=received_at)

    assert (sms, whatsapp) == (received_at, two_days_ago)  # SMS redelivers for a day, WhatsApp for 7


def test_whatsapp_states_its_own_rules(client):
    interaction = InteractionFactory(channel_user=ChannelUserFactory(last_inbound_at=timezone.now()))
    client.force_login(agent_holding(interaction))

    detail = client.get(reverse("interaction-detail", args=[interaction.pk])).json()

    assert detail["channel"] == {"label": "WhatsApp", "text_limit": 4096, "caption_limit": 1024}
    closes_at = timezone.datetime.fromisoformat(detail["service_window"]["closes_at"])
    assert closes_at == interaction.channel_user.last_inbound_at + timedelta(hours=24)


def test_the_whatsapp_channel_gives_the_admin_role_its_own_admin_pages():
    granted = set(Group.objects.get(name=ADMIN).permissions.values_list("content_type__app_label", "codename"))

    assert {("channels_whatsapp", "change_businessnumber"), ("channels_whatsapp", "view_webhookdelivery")} <= granted
