"""Media in Chromium: photos from the customer's phone show inline in the workspace, and an agent's attachment
reaches the phone and shows there."""

import pytest
from playwright.sync_api import Page, expect

from interactions.models import Message
from tests.factories import agent
from tests.handing_over import hand_over
from tests.media_samples import MEDIA_DIR, sample
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "447700900456"


def image_is_drawn(page: Page, locator) -> None:
    expect(locator).to_be_visible()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=locator.element_handle())


def open_phone(page: Page, system) -> None:
    page.goto(f"{system.emulator.base_url}/?wa_id={CUSTOMER}&name=Priya%20Raman")
    expect(page.get_by_test_id("chat-screen")).to_be_visible()


def test_a_photo_from_the_customers_phone_shows_inline_and_opens_large(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    phone = new_page()
    open_phone(phone, live_system)
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    phone.get_by_test_id("file-input").set_input_files(str(MEDIA_DIR / "photo.jpg"))
    expect(phone.get_by_test_id("attachment-preview")).to_contain_text("photo.jpg")
    phone.get_by_test_id("composer-input").fill("The leg came off")
    phone.get_by_test_id("send-button").click()

    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Priya Raman").click()
    image = workspace.get_by_test_id("media-image").locator("img")
    image_is_drawn(workspace, image)
    expect(workspace.get_by_test_id("message-media")).to_contain_text("The leg came off")
    workspace.get_by_test_id("media-image").click()
    image_is_drawn(workspace, workspace.get_by_test_id("media-lightbox").locator("img"))
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-photo-lightbox.png"))


def test_an_image_the_agent_attaches_reaches_the_customers_phone(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    live_system.emulator.customer_sends(CUSTOMER, "Can I see the colour?", name="Priya Raman")
    phone = new_page()
    open_phone(phone, live_system)
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Priya Raman").click()

    workspace.get_by_test_id("composer-file").set_input_files(str(MEDIA_DIR / "photo.png"))
    expect(workspace.get_by_test_id("attachment-preview")).to_contain_text("photo.png")
    workspace.get_by_test_id("composer-input").fill("This is the teal one")
    workspace.get_by_test_id("composer-send").click()

    sent = workspace.get_by_test_id("message").filter(has=workspace.get_by_test_id("media-image"))
    image_is_drawn(workspace, sent.locator("img"))
    expect(workspace.get_by_test_id("attachment-preview")).to_have_count(0)
    on_phone = phone.locator('[data-direction="to_customer"]').get_by_test_id("media-image")
    image_is_drawn(phone, on_phone)
    expect(phone.locator('[data-direction="to_customer"]').last).to_contain_text("This is the teal one")
    outbound = Message.objects.get(direction="outbound")
    assert outbound.attachment.file.read() == sample("photo.png")
    phone.screenshot(path=str(live_system.logs["web"].parent / "phone-photo.png"))


def test_a_file_whatsapp_would_refuse_is_refused_in_the_composer_with_the_reason(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    live_system.emulator.customer_sends(CUSTOMER, "Send me the program", name="Priya Raman")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Priya Raman").click()

    workspace.get_by_test_id("composer-file").set_input_files(
        files=[{"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90\x00" + b"\x00" * 64}]
    )
    workspace.get_by_test_id("composer-send").click()

    expect(workspace.get_by_test_id("composer-error")).to_contain_text("cannot be sent on WhatsApp")
    assert not Message.objects.filter(direction="outbound").exists()
