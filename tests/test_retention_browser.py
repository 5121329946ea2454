"""A conversation after retention and after an erasure, in Chromium: each removed message keeps its place and
time and says plainly why it is empty; a removed file says it was removed, never an empty bubble."""

import pytest
from playwright.sync_api import expect

from interactions.models import Direction, MessageStatus
from properties.services import change_property
from retention.services import apply_retention
from retention.tests.records import aged, photo_message
from tests.factories import InteractionFactory, MessageFactory, manager
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 - the fixture and the sign-in step

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_removed_content_shows_its_marker_in_the_timeline(live_system, new_page):  # noqa: F811
    change_property(key="retention.message_bodies_days", value=60)  # the periods are system properties
    change_property(key="retention.media_days", value=30)
    manager(username="maya")
    interaction = InteractionFactory(channel_user__display_name="Rita Retained")
    old = aged(MessageFactory(interaction=interaction, text="An old complaint"), 61)
    photo = photo_message(interaction=interaction, days=31)
    reply = MessageFactory(
        interaction=interaction, direction=Direction.OUTBOUND, status=MessageStatus.READ, text="Fixed it"
    )
    apply_retention()

    workspace = new_page()
    sign_in(workspace, live_system, "maya")
    workspace.get_by_test_id("interaction-item").filter(has_text="Rita Retained").click()

    removed = workspace.locator(f'[data-message-id="{old.pk}"]')
    expect(removed.get_by_test_id("content-removed")).to_have_text("Content removed under the retention policy")
    expect(removed.locator("time").first).to_be_visible()  # its time stays
    file_note = workspace.locator(f'[data-message-id="{photo.pk}"]').get_by_test_id("media-removed")
    expect(file_note).to_have_text("Photo removed under the retention policy")
    expect(workspace.locator(f'[data-message-id="{photo.pk}"]')).to_contain_text("My broken chair")  # caption kept
    expect(workspace.locator(f'[data-message-id="{reply.pk}"]')).to_contain_text("Fixed it")
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-retention.png"))
