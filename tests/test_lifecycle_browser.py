"""The conversation's lifecycle in the workspace, in Chromium: an internal note that looks nothing like a message and
never reaches the phone, hold with a reason and resume, close with a reason, then the wrap-up owed, which a
supervisor reading along sees arrive in the routing history."""

import pytest
from playwright.sync_api import expect

from conftest import wait_until
from interactions.models import Interaction, Message
from interactions.services.outbound import send_agent_reply
from routing.models import ResolutionCode, WrapUp
from tests.factories import agent, manager
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 - the fixture and the sign-in step

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "16505551234"


def close_with_reason(workspace, reason: str) -> None:
    """The header's Close menu, the one way to close: the reason, then complete."""
    workspace.get_by_test_id("close-interaction").click()
    workspace.get_by_test_id("close-reason").fill(reason)
    workspace.get_by_test_id("close-complete").click()


def test_an_agent_notes_holds_resumes_closes_and_wraps_up_a_conversation(live_system, new_page):  # noqa: F811
    alice = agent(username="alice", first_name="Alice", last_name="Agent")
    ResolutionCode.objects.create(text="Replacement sent")
    wamid = live_system.emulator.customer_sends(CUSTOMER, "My parcel arrived broken.", name="Sheena Nelson")
    inbound = wait_until(lambda: Message.objects.filter(external_id=wamid).first(), message="the customer's message")
    send_agent_reply(interaction=inbound.interaction, author=alice, text="Sorry! Could you send a photo?")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    workspace.get_by_test_id("interaction-item").filter(has_text="Sheena Nelson").click()
    panel = workspace.get_by_test_id("lifecycle-panel")
    manager(username="maya")
    reader = new_page()
    sign_in(reader, live_system, "maya")
    reader.get_by_test_id("interaction-item").filter(has_text="Sheena Nelson").click()
    read_history = reader.get_by_test_id("routing-history-entry")

    panel.get_by_test_id("note-text").fill("Second broken parcel this month: offer a voucher.")
    panel.get_by_test_id("note-button").click()

    note = workspace.locator(".message-internal")
    expect(note).to_contain_text("Second broken parcel this month")
    expect(note.get_by_test_id("note-label")).to_have_text("Internal note by Alice Agent · not sent to the customer")

    panel.get_by_test_id("hold-reason").fill("A photo of the parcel")
    panel.get_by_test_id("hold-button").click()
    expect(panel.get_by_test_id("lifecycle-status")).to_have_text("On hold: A photo of the parcel")
    expect(workspace.get_by_test_id("conversation-state")).to_have_text("On hold")
    expect(workspace.get_by_test_id("interaction-item").filter(has_text="Sheena Nelson")).to_have_count(1)  # still open

    panel.get_by_test_id("resume-button").click()
    expect(workspace.get_by_test_id("conversation-state")).to_have_text("Work in progress")
    expect(panel.get_by_test_id("hold-form")).to_be_visible()

    close_with_reason(workspace, "Replacement shipped")
    expect(panel.get_by_test_id("lifecycle-status")).to_have_text("Closed: Replacement shipped")
    expect(read_history.last).to_contain_text("Replacement shipped")  # the reader's history ends with the closing

    panel.get_by_test_id("wrap-up-notes").fill("Courier damage; voucher offered.")
    panel.get_by_test_id("wrap-up-button").click()
    expect(panel.get_by_test_id("wrapped-up")).to_have_text("Wrapped up: Replacement sent")
    expect(read_history.last).to_contain_text("Wrapped up")  # live, without reopening it
    expect(read_history.last).to_contain_text("Replacement sent")

    interaction = Interaction.objects.get(pk=inbound.interaction_id)
    assert (interaction.state, interaction.state_reason, interaction.closed_by) == (
        "closed_complete",
        "Replacement shipped",
        alice,
    )
    assert WrapUp.objects.get(interaction=interaction).notes == "Courier damage; voucher offered."
    on_the_phone = [sent["text"]["body"] for sent in live_system.emulator.sent_messages(CUSTOMER, timeout=1)]
    assert on_the_phone == ["Sorry! Could you send a photo?"]
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-lifecycle.png"))
