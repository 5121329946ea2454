"""Transfer and the customer's earlier conversations in the workspace, in Chromium.

The transfer goes through the real API (routing/api/transfer.py) to a queue made with routing's factories; the
agents list is another helper's endpoint, answered here by Playwright where a test needs it and left to the real
server's 404 where it tests its absence."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import LiveSystem
from interactions.models import Interaction, InteractionState
from routing.models import WorkItem, WorkItemEventKind
from routing.tests.factories import QueueFactory
from tests.factories import agent
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 - the fixture and the sign-in step
from tests.test_workspace_routing_browser import collect_script_errors, waiting

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def held_by(person, interaction: Interaction) -> Interaction:
    """The agent has the conversation (as accepting an offer would leave it)."""
    Interaction.objects.filter(pk=interaction.pk).update(assigned_to=person, state=InteractionState.WORK_IN_PROGRESS)
    return Interaction.objects.get(pk=interaction.pk)


def open_conversation(page: Page, name: str) -> None:
    page.get_by_test_id("interaction-item").filter(has_text=name).click()
    expect(page.get_by_test_id("conversation-customer")).to_have_text(name)


def screenshot(page: Page, system: LiveSystem, name: str) -> None:
    page.screenshot(path=str(system.logs["web"].parent / name))


def test_an_agent_transfers_a_conversation_to_a_queue_with_a_note(live_system, new_page):  # noqa: F811
    alice = agent(username="alice", first_name="Alice", last_name="Agent")
    interaction = held_by(alice, waiting(live_system, "34600111222", "My invoice is wrong", "Ana Ortiz"))
    QueueFactory(key="billing", name="Billing")
    QueueFactory(key="sales", name="Sales")
    workspace = new_page()
    errors = collect_script_errors(workspace)
    sign_in(workspace, live_system, "alice")
    open_conversation(workspace, "Ana Ortiz")

    workspace.get_by_test_id("transfer-button").click()
    dialog = workspace.get_by_role("dialog", name="Transfer")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("transfer-queues")).to_contain_text("Billing")
    expect(dialog.get_by_test_id("transfer-queues")).to_contain_text("Open · 0 waiting")
    expect(dialog.get_by_test_id("transfer-agents")).to_contain_text("No other agents.")  # she is the only one
    expect(dialog.get_by_test_id("transfer-send")).to_be_disabled()
    dialog.get_by_label("Billing").check()
    dialog.get_by_test_id("transfer-note").fill("Invoice 1182 charged twice; customer wants a refund")
    screenshot(workspace, live_system, "workspace-transfer-dialog.png")
    dialog.get_by_test_id("transfer-send").click()

    expect(dialog).to_be_hidden()
    expect(workspace.get_by_test_id("transfer-notice")).to_contain_text("transferred to Billing")
    expect(workspace.locator("#conversation-placeholder")).to_be_visible()  # no longer theirs to work on
    interaction.refresh_from_db()
    assert interaction.assigned_to is None
    assert interaction.queue == "billing"
    item = WorkItem.objects.get(interaction=interaction, queue__key="billing")
    assert item.transfer_note == "Invoice 1182 charged twice; customer wants a refund"
    assert item.events.filter(kind=WorkItemEventKind.TRANSFERRED, actor=alice).exists()
    assert errors == []


def test_the_transfer_dialog_shows_the_servers_refusal_and_lists_agents(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    bob = agent(username="bob", first_name="Bob", last_name="Builder")
    interaction = held_by(alice, waiting(live_system, "34600111222", "Still waiting on my order", "Ana Ortiz"))
    QueueFactory(key="billing", name="Billing")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    agents = [
        {"id": alice.pk, "name": "Alice", "presence": "available", "load": 0, "capacity": 3},
        {"id": bob.pk, "name": "Bob Builder", "presence": "away", "away_reason": "Lunch", "load": 1, "capacity": 3},
        {"id": 999, "name": "Carla Cruz", "presence": "available", "load": 1, "capacity": 3},
    ]
    workspace.route("**/api/v1/routing/agents/", lambda route: route.fulfill(json=agents))
    open_conversation(workspace, "Ana Ortiz")

    workspace.get_by_test_id("transfer-button").click()
    dialog = workspace.get_by_role("dialog", name="Transfer")
    options = dialog.get_by_test_id("transfer-agents").get_by_test_id("transfer-option")
    expect(options).to_have_count(2)  # not herself
    expect(options.first).to_contain_text("Carla Cruz")  # the available first
    expect(options.nth(1)).to_contain_text("Away (Lunch) · 1 / 3 conversations")
    dialog.get_by_label("Billing").check()
    # Meanwhile the conversation was closed (by a colleague's tab, say).
    Interaction.objects.filter(pk=interaction.pk).update(state=InteractionState.CLOSED_COMPLETE)
    dialog.get_by_test_id("transfer-send").click()

    # The server's reason, in the dialog, which stays open.
    expect(dialog.get_by_test_id("transfer-error")).to_have_text(f"Interaction {interaction.number} is closed.")
    expect(dialog).to_be_visible()
    screenshot(workspace, live_system, "workspace-transfer-refused.png")
    workspace.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_the_customers_earlier_conversations_are_one_click_away_and_read_only(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    earlier = waiting(live_system, "34600111222", "The chair arrived broken", "Ana Ortiz")
    Interaction.objects.filter(pk=earlier.pk).update(state=InteractionState.CLOSED_COMPLETE, closed_at=timezone.now())
    current = held_by(alice, waiting(live_system, "34600111222", "Now the table is broken too", "Ana Ortiz"))
    assert current.pk != earlier.pk
    workspace = new_page()
    errors = collect_script_errors(workspace)
    sign_in(workspace, live_system, "alice")
    open_conversation(workspace, "Ana Ortiz")

    section = workspace.get_by_test_id("past-conversations")
    expect(section).to_contain_text("Earlier conversations (1)")
    past = section.get_by_test_id("past-conversation")
    expect(past).to_have_count(1)
    expect(past).to_contain_text(earlier.number)
    expect(past).to_contain_text("Closed complete")
    expect(past.get_by_test_id("past-conversation-last")).to_have_text("The chair arrived broken")
    section.scroll_into_view_if_needed()
    screenshot(workspace, live_system, "workspace-past-conversations.png")

    past.click()
    expect(workspace.get_by_test_id("conversation-number")).to_have_text(earlier.number)
    expect(workspace.get_by_test_id("timeline")).to_contain_text("The chair arrived broken")
    expect(workspace.get_by_test_id("timeline")).not_to_contain_text("Now the table is broken too")
    expect(workspace.get_by_test_id("composer-input")).to_be_disabled()  # read-only: it is closed
    expect(workspace.get_by_test_id("transfer-button")).to_be_hidden()
    back = section.get_by_test_id("past-conversation")
    expect(back).to_contain_text(current.number)  # and back again in one click
    back.click()
    expect(workspace.get_by_test_id("timeline")).to_contain_text("Now the table is broken too")
    assert errors == []
