"""An admin tunes the desk in the browser (Chromium): finds System properties on the admin's front page, reads each
property's description, default and current value by group, is told in words why a cap above Meta's is refused,
and saves a lower one; the workspace follows the inline audio switch."""

import pytest
from playwright.sync_api import expect

from interactions.roles import ADMIN
from properties.accessor import current_by_key
from properties.services import change_property
from tests.factories import UserFactory, agent
from tests.handing_over import hand_over
from tests.media_samples import sample
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "447700900457"


def test_an_admin_lowers_the_image_cap_and_is_refused_one_above_metas(live_system, chromium):
    person = UserFactory(role=ADMIN, is_staff=True, username="admin-ada")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    shots = live_system.logs["web"].parent
    try:
        page.goto(f"{live_system.web_url}/admin/login/?next=/admin/")
        page.fill("input[name=username]", person.username)
        page.fill("input[name=password]", "password")
        page.click("input[type=submit]")
        page.locator('a[href="/admin/properties/storedproperty/"]').first.click()

        expect(page.get_by_test_id("property-group")).to_have_count(6)
        image = page.locator('[data-testid=property][data-key="whatsapp.max_image_kb"]')
        expect(image).to_contain_text("The largest image an agent may send")
        expect(image).to_contain_text("Allowed: from 1 to 5120 KB (WhatsApp accepts images of up to 5 MB).")
        expect(image.get_by_test_id("property-current")).to_contain_text("5120 KB")
        page.screenshot(path=str(shots / "system-properties.png"), full_page=True)

        image.get_by_test_id("property-edit").click()
        page.fill("input[name=value]", "6000")
        page.get_by_test_id("property-save").click()
        expect(page.locator(".errorlist")).to_have_text(
            "Largest image can be at most 5120 KB: WhatsApp accepts images of up to 5 MB."
        )
        page.screenshot(path=str(shots / "system-property-refused.png"), full_page=True)

        page.fill("input[name=value]", "2048")
        page.get_by_test_id("property-save").click()
        expect(page.locator(".messagelist")).to_contain_text("Largest image is now 2048.")
        expect(image.get_by_test_id("property-current")).to_contain_text("2048 KB")
        expect(image.get_by_test_id("property-current")).to_contain_text("by admin-ada")
        assert current_by_key("whatsapp.max_image_kb") == 2048
    finally:
        page.close()


def test_with_the_inline_audio_player_off_a_voice_note_is_offered_as_a_download(live_system, new_page):  # noqa: F811
    change_property(key="interactions.inline_audio", value="off")
    alice = agent(username="alice")
    live_system.emulator.customer_sends_media(
        CUSTOMER, "audio", sample("voice.m4a"), "audio/mp4", filename="voice.m4a", name="Priya Raman", voice=True
    )
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Priya Raman").click()

    expect(workspace.get_by_test_id("media-document")).to_contain_text("Audio")
    expect(workspace.get_by_test_id("media-audio")).to_have_count(0)
