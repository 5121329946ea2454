"""The agent workspace and the customer's phone in Chromium, as a support team and a customer use them."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import LiveSystem, wait_until
from interactions.models import ChannelUser, Message
from tests.factories import agent
from tests.handing_over import hand_over

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "447700900123"


@pytest.fixture
def new_page(chromium):
    contexts = []

    def open_page() -> Page:
        context = chromium.new_context(viewport={"width": 1440, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    _until_the_server_has_recorded_the_sockets_closing()


def _until_the_server_has_recorded_the_sockets_closing() -> None:
    """A closed page's socket is recorded closed by the web server a moment later (routing keeps presence from it);
    the test database is emptied only after that write, which would otherwise deadlock with the emptying."""
    from django.db import connection

    from routing.models import WorkspaceConnection

    deadline = time.monotonic() + 5
    while WorkspaceConnection.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    connection.close()  # nothing of this read holds a lock while the tables are emptied


def sign_in(page: Page, system: LiveSystem, username: str) -> None:
    page.goto(f"{system.web_url}/workspace/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    expect(page.locator("html[data-workspace-ready=true]")).to_have_count(1)  # scripts wired, not just drawn


def test_a_customer_and_an_agent_chat_live_with_ticks(live_system, new_page):
    alice = agent(username="alice")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    phone = new_page()
    phone.goto(live_system.emulator.base_url + "/")
    phone.get_by_test_id("customer-number").fill(CUSTOMER)
    phone.get_by_test_id("customer-name").fill("Priya Raman")
    phone.get_by_test_id("start-chat").click()

    phone.get_by_test_id("composer-input").fill("My chair arrived broken")
    phone.get_by_test_id("send-button").click()

    hand_over(customer=CUSTOMER, to=alice)
    item = workspace.get_by_test_id("interaction-item").filter(has_text="Priya Raman")
    expect(item).to_be_visible()  # arrived live, no reload
    expect(item.get_by_test_id("unread-badge")).to_have_text("1")
    item.click()
    expect(workspace.get_by_test_id("timeline")).to_contain_text("My chair arrived broken")
    workspace.get_by_test_id("composer-input").fill("Sorry to hear that! A replacement is on its way.")
    workspace.get_by_test_id("composer-send").click()

    expect(phone.get_by_test_id("message-list")).to_contain_text("A replacement is on its way.")
    reply = workspace.get_by_test_id("message").filter(has_text="A replacement is on its way.")
    # The customer has the chat open, so the reply is read: two blue ticks on the agent's side.
    expect(reply).to_have_attribute("data-status", "read")
    expect(reply.get_by_test_id("message-status")).to_have_attribute("data-status", "read")
    outbound = Message.objects.get(direction="outbound")
    assert (outbound.status, outbound.author) == ("read", alice)
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-chat.png"))


def test_customer_text_is_shown_as_text_never_run(live_system, new_page):
    alice = agent(username="alice")
    live_system.emulator.customer_sends(CUSTOMER, "<script>alert('owned')</script><b>bold?</b>", name="<i>Eve</i>")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").first.click()

    text = workspace.get_by_test_id("message-text").first
    expect(text).to_have_text("<script>alert('owned')</script><b>bold?</b>")
    assert workspace.locator("[data-testid=timeline] b").count() == 0
    expect(workspace.get_by_test_id("interaction-item").first).to_contain_text("<i>Eve</i>")


def test_the_composer_says_why_it_is_closed_outside_the_24_hour_window(live_system, new_page):
    alice = agent(username="alice")
    live_system.emulator.customer_sends(CUSTOMER, "Hello from yesterday", name="Tomás Herrera")
    wait_until(lambda: ChannelUser.objects.filter(external_id=CUSTOMER).exists())
    ChannelUser.objects.update(last_inbound_at=timezone.now() - timezone.timedelta(hours=25))
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").first.click()

    expect(workspace.get_by_test_id("composer-disabled-reason")).to_contain_text("24-hour customer service window")
    expect(workspace.get_by_test_id("composer-input")).to_be_disabled()
