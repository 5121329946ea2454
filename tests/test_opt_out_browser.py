"""The composer knows before the agent types: after the customer's STOP it closes, saying why and until when,
and it opens again as soon as the customer writes, both live while the conversation is open."""

import pytest
from playwright.sync_api import expect

from conftest import wait_until
from consent.models import ConsentRecord
from interactions.models import Message
from tests.factories import agent
from tests.handing_over import hand_over
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "447700900456"


def test_the_open_composer_closes_live_after_stop_and_opens_when_the_customer_writes_again(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    live_system.emulator.customer_sends(CUSTOMER, "Where is my parcel?", name="Daniel Weber")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    item = workspace.get_by_test_id("interaction-item").filter(has_text="Daniel Weber")
    item.click()
    composer, send = workspace.get_by_test_id("composer-input"), workspace.get_by_test_id("composer-send")
    reason = workspace.get_by_test_id("composer-disabled-reason")
    composer.fill("Let me check for you.")
    expect(send).to_be_enabled()

    live_system.emulator.customer_sends(CUSTOMER, "STOP", name="Daniel Weber")

    expect(reason).to_be_visible()
    expect(reason).to_contain_text("The customer opted out on")
    expect(reason).to_contain_text("until they write again or opt in")
    expect(composer).to_be_disabled()
    expect(send).to_be_disabled()
    expect(item.get_by_test_id("window-indicator")).to_have_text("opted out")

    live_system.emulator.customer_sends(CUSTOMER, "Sorry, wrong button. Is my parcel on its way?", name="Daniel Weber")

    expect(reason).to_be_hidden()
    expect(composer).to_be_enabled()
    expect(composer).to_have_value("Let me check for you.")  # the draft survived
    expect(send).to_be_enabled()
    send.click()
    expect(workspace.get_by_test_id("message").filter(has_text="Let me check for you.")).to_be_visible()


def test_an_opt_in_the_agent_records_after_stop_opens_the_composer(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    live_system.emulator.customer_sends(CUSTOMER, "Where is my parcel?", name="Daniel Weber")
    wait_until(lambda: Message.objects.filter(text="Where is my parcel?").exists())  # the STOP comes after it
    live_system.emulator.customer_sends(CUSTOMER, "STOP", name="Daniel Weber")
    wait_until(lambda: ConsentRecord.objects.filter(status="opted_out").exists())
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Daniel Weber").click()
    composer = workspace.get_by_test_id("composer-input")
    expect(workspace.get_by_test_id("composer-disabled-reason")).to_contain_text("The customer opted out on")
    expect(composer).to_be_disabled()

    workspace.get_by_test_id("record-opt-in").click()
    workspace.get_by_test_id("consent-method").select_option("verbal")
    workspace.get_by_test_id("consent-note").fill("Called us on 6 Dec and asked to hear about the parcel again.")
    workspace.get_by_test_id("consent-save").click()

    expect(workspace.get_by_test_id("consent-state")).to_have_attribute("data-status", "opted_in")
    expect(workspace.get_by_test_id("composer-disabled-reason")).to_be_hidden()
    expect(composer).to_be_enabled()
