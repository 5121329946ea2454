"""An agent's file is kept only when its message is queued: a refusal leaves nothing behind in storage."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from interactions.models import MessageAttachment
from interactions.services.media import send_agent_media
from interactions.services.outbound import ActionRefused
from tests.factories import ChannelUserFactory, InteractionFactory, agent
from tests.media_samples import sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", sample("photo.png"), content_type="image/png")


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_queued_photo_is_kept_in_storage(media_root):
    interaction = InteractionFactory()

    message = send_agent_media(interaction=interaction, author=agent(), upload=photo(), caption="The damage")

    attachment = MessageAttachment.objects.get(message=message)
    assert stored_files(media_root) == [media_root / attachment.file.name]


def test_a_photo_refused_by_the_window_leaves_no_file_behind(media_root):
    closed = InteractionFactory(channel_user=ChannelUserFactory(last_inbound_at=timezone.now() - timedelta(hours=25)))

    with pytest.raises(ActionRefused, match="24-hour customer service window closed"):
        send_agent_media(interaction=closed, author=agent(), upload=photo())

    assert stored_files(media_root) == []
    assert not MessageAttachment.objects.exists()
