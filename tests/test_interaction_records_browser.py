"""A manager reviews a conversation in Chromium: finds it in the admin by the customer's number, reads the transcript
with its photo and voice note, hides and shows the internal notes, and downloads the transcript."""

import os

import pytest
from playwright.sync_api import expect

from tests.records import CUSTOMER_NUMBER, META_ERROR, reviewed_conversation
from tests.test_workspace_browser import new_page  # noqa: F401 -- a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_finds_reads_and_downloads_a_conversation(live_system, new_page, tmp_path):  # noqa: F811
    interaction, _alice, _maya = reviewed_conversation()
    screenshots = os.environ.get("RECORDS_SCREENSHOTS") or str(tmp_path)
    page = new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_system.web_url}/admin/login/?next=/admin/interactions/interaction/")
    page.fill("input[name=username]", "maya")
    page.fill("input[name=password]", "password")
    page.click("input[type=submit]")

    page.fill("#searchbar", "+44 7700 900123")
    page.keyboard.press("Enter")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Priya Raman")
    expect(row).to_contain_text("Work in progress")
    page.screenshot(path=f"{screenshots}/records-list.png", full_page=True)
    row.get_by_text("Priya Raman").click()

    record = page.get_by_test_id("interaction-record")
    expect(record.get_by_role("heading", name="Priya Raman")).to_be_visible()
    expect(page.get_by_test_id("record-state")).to_have_text("Work in progress")
    photo = page.locator("img.tx-image")
    expect(photo).to_be_visible()
    assert page.evaluate("document.querySelector('img.tx-image').naturalWidth") > 0  # served by the media view
    expect(page.locator("audio.tx-audio")).to_have_count(1)
    expect(page.get_by_test_id("document-link")).to_contain_text("invoice-2041.pdf")
    expect(page.get_by_test_id("failure")).to_contain_text(META_ERROR)
    expect(page.get_by_test_id("note-tag")).to_have_count(2)
    expect(page.get_by_test_id("routing-history")).to_contain_text("Accepted")
    expect(page.get_by_test_id("consent-events")).to_contain_text("Opted out")
    expect(page.get_by_test_id("linked-cases")).to_contain_text("CS0001042")
    expect(page.get_by_role("button", name="Close")).to_have_count(0)
    expect(page.get_by_role("link", name="Close")).to_have_count(0)
    page.screenshot(path=f"{screenshots}/record.png", full_page=True)

    page.get_by_test_id("hide-notes").click()
    expect(page.get_by_test_id("note-tag")).to_have_count(0)
    expect(page.get_by_test_id("transcript")).to_contain_text("Hello, my parcel never arrived")
    page.get_by_test_id("show-notes").click()
    expect(page.get_by_test_id("note-tag")).to_have_count(2)

    with page.expect_download() as download:
        page.get_by_test_id("download-transcript").click()
    saved = tmp_path / "transcript.html"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"transcript-{interaction.number}.html"
    document = saved.read_text()
    assert "Courier lost two parcels this week" in document and "data:image/jpeg;base64," in document

    # The downloaded file opens on its own, offline: nothing it asks the network for.
    offline = new_page()
    requested = []
    offline.on("request", lambda request: requested.append(request.url))
    offline.goto(saved.as_uri())
    expect(offline.locator(".tx")).to_have_count(interaction.messages.count())
    assert offline.evaluate("document.querySelector('img.tx-image').naturalWidth") > 0
    assert requested == [saved.as_uri()]
    offline.screenshot(path=f"{screenshots}/transcript-download.png", full_page=True)
    assert problems == []
    assert CUSTOMER_NUMBER in document
