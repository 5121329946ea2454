"""The virtual agent on the customer phone page, in Chromium: the customer picks from its list picker and taps its
buttons, opens a case, asks for an agent; the agent who accepts the offer sees the offer's summary and the bot's
part of the conversation in the same timeline, marked as the virtual agent's."""

import pytest
from playwright.sync_api import expect

from customer_service.models import Case
from customer_service.tests.factories import ContactFactory
from routing.tests.factories import QueueFactory, serving_agent
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 (new_page is a fixture)
from virtual_agent.defaults import seed_defaults
from virtual_agent.models import BusinessNumberSetting, CommandLanguage, CommandWord, FrontDoorMode, Step, Topic

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "4915112345678"


def screenshot(page, live_system, name: str) -> None:
    page.screenshot(path=str(live_system.logs["web"].parent / name))


def test_a_customer_opens_a_case_with_the_virtual_agent_and_reaches_an_agent_who_sees_it_all(live_system, new_page):  # noqa: F811
    seed_defaults(Topic, Step, CommandLanguage, CommandWord)
    BusinessNumberSetting.objects.create(account_id="", mode=FrontDoorMode.ALWAYS)
    ContactFactory(first_name="Daniel", phone=CUSTOMER)
    alice = serving_agent(QueueFactory(default=True, offer_timeout_seconds=120), username="alice", first_name="Alice")
    phone = new_page()
    phone.set_viewport_size({"width": 420, "height": 860})
    phone.goto(f"{live_system.emulator.base_url}/?wa_id={CUSTOMER}&name=Daniel%20Weber")
    expect(phone.get_by_test_id("chat-screen")).to_be_visible()
    messages = phone.get_by_test_id("message-list")

    phone.get_by_test_id("composer-input").fill("Hello")
    phone.get_by_test_id("send-button").click()
    expect(messages).to_contain_text("Hi Daniel! I'm the virtual agent.")
    phone.get_by_test_id("list-open-button").last.click()
    screenshot(phone, live_system, "virtual-agent-1-menu.png")
    phone.get_by_test_id("list-row").filter(has_text="Report a problem").click()
    phone.get_by_test_id("list-send").click()
    expect(messages).to_contain_text("Please describe the problem in one sentence.")

    phone.get_by_test_id("composer-input").fill("The armrest of my new chair is loose")
    phone.get_by_test_id("send-button").click()
    expect(messages).to_contain_text("If you have a photo or a document of it")
    phone.get_by_test_id("composer-input").fill("skip")
    phone.get_by_test_id("send-button").click()
    expect(messages).to_contain_text("I've opened case CS")
    case = Case.objects.get()

    phone.get_by_test_id("composer-input").fill("agent")
    phone.get_by_test_id("send-button").click()
    expect(messages).to_contain_text("I'm connecting you with a live agent.")
    screenshot(phone, live_system, "virtual-agent-2-handoff.png")

    workspace = new_page()
    sign_in(workspace, live_system, alice.username)
    offer = workspace.get_by_test_id("offer-card")
    expect(offer.get_by_test_id("offer-summary")).to_contain_text("Virtual agent: Talk to an agent. Earlier: Report")
    expect(offer.get_by_test_id("offer-summary")).to_contain_text(case.number)
    offer.get_by_test_id("offer-accept").click()
    timeline = workspace.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Hi Daniel! I'm the virtual agent.")
    expect(timeline).to_contain_text("The armrest of my new chair is loose")
    expect(timeline).to_contain_text(f"I've opened case {case.number}")
    expect(workspace.get_by_test_id("message").filter(has_text="I'm connecting you")).to_contain_text("Virtual agent")
    screenshot(workspace, live_system, "virtual-agent-3-agent.png")

    # The agent hands the conversation back to the virtual agent for one topic, then takes it again.
    panel = workspace.get_by_test_id("virtual-agent-panel")
    expect(panel.get_by_test_id("virtual-agent-status")).to_have_text("Not in this conversation.")
    panel.get_by_test_id("virtual-agent-topic").select_option(label="Check my cases")
    panel.get_by_test_id("virtual-agent-hand").click()
    expect(panel.get_by_test_id("virtual-agent-status")).to_have_text("Talking with the customer now.")
    expect(messages).to_contain_text(f"{case.number}: The armrest of my new chair is loose")
    screenshot(workspace, live_system, "virtual-agent-4-handed-back.png")
    panel.get_by_test_id("virtual-agent-take").click()
    expect(panel.get_by_test_id("virtual-agent-status")).to_have_text("Not in this conversation.")
