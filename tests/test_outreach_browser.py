"""Starting a WhatsApp conversation from the workspace in Chromium: refused for an opted-out customer with the
date, allowed for an opted-in one, whose phone then gets the message."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import wait_until
from interactions.models import Interaction, Message
from tests.consent_factories import opted_in
from tests.factories import agent
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 - the fixture and the sign-in step

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPTED_OUT = "4915112345678"
OPTED_IN = "16505551234"


def customer_wrote(system, wa_id: str, text: str, name: str) -> Message:
    wamid = system.emulator.customer_sends(wa_id, text, name=name)
    message = wait_until(lambda: Message.objects.filter(external_id=wamid).first(), message=f"inbound {text!r}")
    Interaction.objects.filter(pk=message.interaction_id).update(state="closed_complete")
    return message


def test_an_agent_starts_a_conversation_only_with_a_customer_who_opted_in(live_system, new_page):  # noqa: F811
    agent(username="alice", first_name="Alice", last_name="Agent")
    customer_wrote(live_system, OPTED_OUT, "STOP", "Daniel Weber")
    opted_in(customer_wrote(live_system, OPTED_IN, "Thanks for the help", "Sheena Nelson").interaction.channel_user)
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    workspace.get_by_test_id("new-conversation").click()
    workspace.get_by_test_id("new-conversation-search").fill("Daniel")
    workspace.get_by_test_id("new-conversation-result").filter(has_text="Daniel Weber").click()
    expect(workspace.get_by_test_id("new-conversation-refusal")).to_have_text(
        f"Customer opted out on {timezone.now():%Y-%m-%d}; we may write first again only after they opt in."
    )
    expect(workspace.get_by_test_id("new-conversation-send")).to_have_count(0)

    workspace.get_by_test_id("new-conversation-search").fill("+1 650 555")
    workspace.get_by_test_id("new-conversation-result").filter(has_text="Sheena Nelson").click()
    workspace.get_by_test_id("new-conversation-text").fill("Your replacement part ships today.")
    workspace.get_by_test_id("new-conversation-send").click()

    expect(workspace.get_by_test_id("new-conversation-dialog")).to_be_hidden()
    expect(workspace.get_by_test_id("conversation-customer")).to_have_text("Sheena Nelson")
    expect(workspace.get_by_test_id("conversation-assignee")).to_contain_text("Alice Agent")
    expect(workspace.get_by_test_id("timeline")).to_contain_text("Your replacement part ships today.")
    sent = live_system.emulator.wait_for_sent_message(to=OPTED_IN)
    assert sent["text"]["body"] == "Your replacement part ships today."
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-new-conversation.png"))


def test_evidence_typed_into_the_opt_in_form_survives_a_new_message(
    live_system,
    new_page,  # noqa: F811
):
    agent(username="alice")
    live_system.emulator.customer_sends(OPTED_IN, "Hello?", name="Sheena Nelson")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    workspace.get_by_test_id("interaction-item").filter(has_text="Sheena Nelson").click()
    expect(workspace.get_by_test_id("consent-state")).to_have_attribute("data-status", "none")
    workspace.get_by_test_id("record-opt-in").click()
    workspace.get_by_test_id("consent-note").fill("Signed the paper form at the counter")

    live_system.emulator.customer_sends(OPTED_IN, "Are you still there?", name="Sheena Nelson")
    expect(workspace.get_by_test_id("timeline")).to_contain_text("Are you still there?")
    workspace.wait_for_timeout(1000)  # the panel asks for the consent again after a new revision

    expect(workspace.get_by_test_id("consent-note")).to_have_value("Signed the paper form at the counter")
    expect(workspace.get_by_test_id("consent-note")).to_be_focused()
    workspace.get_by_test_id("consent-save").click()
    expect(workspace.get_by_test_id("consent-state")).to_have_attribute("data-status", "opted_in")
