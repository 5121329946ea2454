"""Starting a WhatsApp conversation from the workspace in Chromium: refused for an opted-out customer with the
date, allowed for an opted-in one, whose phone then gets the message, and refused, saying why, to an agent who
holds as many conversations as their capacity allows."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import wait_until
from interactions.models import Interaction, InteractionState, Message
from routing.models import AgentProfile
from tests.consent_factories import opted_in
from tests.factories import InteractionFactory, agent
from tests.handing_over import hand_over
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 - the fixture and the sign-in step

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPTED_OUT = "4915112345678"
OPTED_IN = "16505551234"


def customer_wrote(system, wa_id: str, text: str, name: str) -> Message:
    wamid = system.emulator.customer_sends(wa_id, text, name=name)
    message = wait_until(lambda: Message.objects.filter(external_id=wamid).first(), message=f"inbound {text!r}")
    Interaction.objects.filter(pk=message.interaction_id).update(state="closed_complete")
    return message


def choose_customer(workspace, search: str, name: str) -> None:
    """In the open New conversation dialog: the customer found by `search`, and chosen."""
    workspace.get_by_test_id("new-conversation-search").fill(search)
    workspace.get_by_test_id("new-conversation-result").filter(has_text=name).click()


def test_an_agent_starts_a_conversation_only_with_a_customer_who_opted_in(live_system, new_page):  # noqa: F811
    agent(username="alice", first_name="Alice", last_name="Agent")
    customer_wrote(live_system, OPTED_OUT, "STOP", "Daniel Weber")
    opted_in(customer_wrote(live_system, OPTED_IN, "Thanks for the help", "Sheena Nelson").interaction.channel_user)
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    workspace.get_by_test_id("new-conversation").click()
    choose_customer(workspace, "Daniel", "Daniel Weber")
    expect(workspace.get_by_test_id("new-conversation-refusal")).to_have_text(
        f"Customer opted out on {timezone.now():%Y-%m-%d}; we may write first again only after they opt in."
    )
    expect(workspace.get_by_test_id("new-conversation-send")).to_have_count(0)

    choose_customer(workspace, "+1 650 555", "Sheena Nelson")
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
    alice = agent(username="alice")
    live_system.emulator.customer_sends(OPTED_IN, "Hello?", name="Sheena Nelson")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=OPTED_IN, to=alice)
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


def test_an_agent_at_capacity_is_told_why_no_conversation_starts(live_system, new_page):  # noqa: F811
    alice = agent(username="alice", first_name="Alice", last_name="Agent")
    AgentProfile.objects.create(user=alice, capacity=1)
    InteractionFactory(assigned_to=alice, state=InteractionState.WORK_IN_PROGRESS)  # all she may hold
    opted_in(customer_wrote(live_system, OPTED_IN, "Thanks for the help", "Sheena Nelson").interaction.channel_user)
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    workspace.get_by_test_id("new-conversation").click()
    choose_customer(workspace, "Sheena", "Sheena Nelson")
    workspace.get_by_test_id("new-conversation-text").fill("Your replacement part ships today.")
    workspace.get_by_test_id("new-conversation-send").click()

    expect(workspace.get_by_test_id("new-conversation-error")).to_have_text(
        "You already hold as many conversations as your capacity allows, so you cannot start another; "
        "close or hand on one of yours first."
    )
    assert not Interaction.objects.filter(channel_user__external_id=OPTED_IN, state="work_in_progress").exists()
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-new-conversation-at-capacity.png"))
