"""Rich messaging in Chromium: a list picker answered on the phone, "typing…" on the phone, and blue ticks."""

import pytest
from playwright.sync_api import expect

from conftest import wait_until
from interactions.models import Message
from tests.factories import agent
from tests.handing_over import hand_over
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 (new_page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "447700900777"


def open_phone(new_page, live_system):  # noqa: F811
    phone = new_page()
    phone.set_viewport_size({"width": 420, "height": 820})
    phone.goto(f"{live_system.emulator.base_url}/?wa_id={CUSTOMER}&name=Lena%20Fischer")
    expect(phone.get_by_test_id("chat-screen")).to_be_visible()
    return phone


def test_the_agent_sends_a_list_the_customer_picks_a_row_and_the_agent_sees_the_choice(live_system, new_page):  # noqa: F811
    alice = agent(username="alice", first_name="Alice")
    phone = open_phone(new_page, live_system)
    phone.get_by_test_id("composer-input").fill("When can you deliver?")
    phone.get_by_test_id("send-button").click()
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Lena Fischer").click()
    expect(workspace.get_by_test_id("timeline")).to_contain_text("When can you deliver?")

    workspace.get_by_test_id("compose-list").click()
    builder = workspace.get_by_test_id("builder")
    builder.locator("[name=body]").fill("Pick a delivery day")
    builder.locator("[name=button]").fill("Choose a day")
    builder.get_by_test_id("builder-row-title").fill("Monday")
    builder.get_by_test_id("builder-add-row").click()
    builder.get_by_test_id("builder-row-title").nth(1).fill("Tuesday")
    builder.get_by_test_id("builder-row-description").nth(1).fill("Between 9 and 12")
    builder.get_by_test_id("builder-send").click()
    expect(builder).to_be_hidden()

    phone.get_by_test_id("list-open-button").click()
    phone.get_by_test_id("list-row").filter(has_text="Tuesday").click()
    phone.get_by_test_id("list-send").click()

    answer = workspace.get_by_test_id("message").filter(has=workspace.get_by_test_id("interactive-answer"))
    expect(answer.get_by_test_id("chosen-option")).to_have_text("Tuesday")
    expect(answer.get_by_test_id("quote")).to_contain_text("Pick a delivery day")  # linked to the question
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-list-answer.png"))


def test_the_customer_sees_typing_while_the_agent_types(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    phone = open_phone(new_page, live_system)
    phone.get_by_test_id("composer-input").fill("Hello?")
    phone.get_by_test_id("send-button").click()
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").first.click()
    expect(workspace.get_by_test_id("timeline")).to_contain_text("Hello?")

    workspace.get_by_test_id("composer-input").press_sequentially("Let me check that for you", delay=20)

    expect(phone.get_by_test_id("typing-indicator")).to_be_visible()
    expect(phone.get_by_test_id("chat-subtitle")).to_have_text("typing…")
    workspace.get_by_test_id("composer-send").click()
    expect(phone.get_by_test_id("message-list")).to_contain_text("Let me check that for you")
    expect(phone.get_by_test_id("typing-indicator")).to_be_hidden()  # a reply ends it


def test_an_agent_viewing_an_unread_message_turns_the_customers_tick_blue(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    phone = open_phone(new_page, live_system)
    phone.get_by_test_id("composer-input").fill("Are you there?")
    phone.get_by_test_id("send-button").click()
    bubble = phone.get_by_test_id("message-bubble").filter(has_text="Are you there?")
    expect(bubble).to_have_attribute("data-status", "delivered")  # two grey ticks: the desk has it, unread
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").first.click()

    expect(bubble).to_have_attribute("data-status", "read")
    receipt = workspace.get_by_test_id("message").filter(has_text="Are you there?").get_by_test_id("read-receipt")
    expect(receipt).to_have_attribute("data-sent", "true")
    assert wait_until(lambda: Message.objects.get(direction="inbound").read_receipt_sent_at)
