"""A person plays the customer on the phone page; the app sees their messages and their reads."""

import pytest

from tests.emulator.conftest import CUSTOMER

pytestmark = [pytest.mark.browser, pytest.mark.timeout(60)]


@pytest.fixture
def page(chromium):
    """A fresh page in the run's one Chromium (the root conftest's `chromium` fixture)."""
    context = chromium.new_context()
    yield context.new_page()
    context.close()


def test_a_customer_writes_from_the_phone_and_reads_the_reply(emulator, webhook_receiver, page):
    page.goto(f"{emulator.url}/")
    page.get_by_test_id("customer-number").fill(f"+{CUSTOMER}")
    page.get_by_test_id("customer-name").fill("Ana <b>Silva</b>")
    page.get_by_test_id("start-chat").click()
    page.get_by_test_id("composer-input").fill("Where is <i>my</i> order?")
    page.get_by_test_id("composer-input").press("Enter")

    own = page.locator('[data-testid="message-bubble"][data-direction="to_business"]')
    own.and_(page.locator('[data-status="delivered"]')).wait_for()
    assert own.get_by_test_id("message-text").text_content() == "Where is <i>my</i> order?"
    inbound = webhook_receiver.wait_for(lambda d: len(d) >= 1)[0].value()
    assert inbound["contacts"][0]["profile"]["name"] == "Ana <b>Silva</b>"

    wamid = emulator.send_text(body="It ships today.").json()["messages"][0]["id"]

    reply = page.locator('[data-testid="message-bubble"][data-direction="to_customer"]')
    reply.wait_for()
    assert reply.get_by_test_id("message-text").text_content() == "It ships today."
    assert webhook_receiver.wait_for_statuses(wamid, 3)[-1] == "read"
    assert page.get_by_test_id("chat-title").text_content() == "+1 555 0100"


def test_a_known_customer_is_one_click_away(emulator, page):
    emulator.control.set_customer(wa_id=CUSTOMER, name="Ana")

    page.goto(f"{emulator.url}/phone")
    page.get_by_test_id("known-customer").filter(has_text="Ana").click()
    page.get_by_test_id("composer-input").fill("Hello")
    page.get_by_test_id("send-button").click()

    page.locator('[data-testid="message-bubble"][data-direction="to_business"]').wait_for()
    assert emulator.control.conversation(wa_id=CUSTOMER)["items"][0]["text"] == "Hello"
