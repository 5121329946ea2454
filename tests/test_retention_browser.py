"""A conversation after retention and after an erasure, in Chromium: each removed message keeps its place and
time and says plainly why it is empty; a removed file says it was removed, never an empty bubble."""

import pytest
from playwright.sync_api import expect

from interactions.models import Direction, MessageStatus
from interactions.roles import ADMIN
from properties.services import change_property
from retention.services import apply_retention
from retention.tests.records import aged, photo_message
from tests.factories import InteractionFactory, MessageFactory, UserFactory, manager
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


def test_the_erasure_confirmation_names_each_customer(live_system, new_page, tmp_path):  # noqa: F811
    UserFactory(username="ada", role=ADMIN, is_staff=True)
    ana = InteractionFactory(channel_user__display_name="Ana Lima", channel_user__external_id="15550001111")
    bo = InteractionFactory(channel_user__display_name="Bo Berg", channel_user__external_id="15550002222")
    page = new_page()
    page.goto(f"{live_system.web_url}/admin/login/?next=/admin/interactions/channeluser/")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", "password")
    page.click("input[type=submit]")

    for interaction in (ana, bo):
        page.locator(f'input[name="_selected_action"][value="{interaction.channel_user.pk}"]').check()
    page.select_option("select[name=action]", "erase_customers")
    page.click("button[name=index]")

    listed = page.get_by_test_id("erasure-customers")
    expect(listed.locator("tbody tr")).to_have_count(2)
    expect(listed.locator("tbody tr").first).to_contain_text("Ana Lima")
    expect(listed.locator("tbody tr").first).to_contain_text("15550001111")
    expect(listed.locator("tbody tr").last).to_contain_text("Bo Berg")
    page.screenshot(path=str(tmp_path / "erasure-confirmation.png"), full_page=True)
