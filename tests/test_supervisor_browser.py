"""The supervisor's live view in Chromium: a manager watches queues, agents and conversations change as customers
write on the emulator's phone, and acts on them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import LiveSystem
from interactions.models import InteractionState
from routing.models import Presence, WorkItemEventKind, WorkItemState
from routing.tests.factories import AgentProfileFactory, QueueFactory, WorkItemEventFactory, WorkItemFactory
from tests.factories import ChannelUserFactory, InteractionFactory, agent, manager
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "447700900456"


def open_supervisor(page: Page, system: LiveSystem, username: str) -> None:
    sign_in(page, system, username)
    page.goto(f"{system.web_url}/supervisor/")
    expect(page.locator("html[data-supervisor-ready=true]")).to_have_count(1)
    expect(page.get_by_test_id("live-indicator")).to_have_text("Live")


def test_the_supervisor_sees_a_customer_waiting_on_an_agent_without_reloading(live_system, new_page):  # noqa: F811
    now = timezone.now()
    alice = agent(username="alice", first_name="Alice")
    three_minutes_ago = now - timedelta(minutes=3)
    AgentProfileFactory(user=alice, presence=Presence.AVAILABLE, capacity=2, presence_changed_at=three_minutes_ago)
    AgentProfileFactory(user=agent(username="bob", first_name="Bob"), presence=Presence.AWAY, away_reason="Lunch break")
    manager(username="maya", first_name="Maya")
    billing = QueueFactory(key="billing", name="<b>Billing</b>")
    WorkItemFactory(queue=billing, queued_at=now - timedelta(minutes=2))
    priyas = InteractionFactory(
        channel_user=ChannelUserFactory(
            external_id=CUSTOMER, display_name="Priya Raman", last_inbound_at=now - timedelta(minutes=10)
        ),
        assigned_to=alice,
        state=InteractionState.WORK_IN_PROGRESS,
        queue=billing.key,
        last_message_preview={"direction": "outbound", "kind": "text", "text": "Let me check."},
    )
    routed = WorkItemFactory(interaction=priyas, queue=billing, state=WorkItemState.ACCEPTED, accepted_by=alice)
    WorkItemEventFactory(work_item=routed, kind=WorkItemEventKind.QUEUED, at=now - timedelta(minutes=12))
    WorkItemEventFactory(work_item=routed, kind=WorkItemEventKind.ACCEPTED, agent=alice, actor=alice)
    page = new_page()
    open_supervisor(page, live_system, "maya")

    tile = page.get_by_test_id("queue-tile")
    expect(tile.get_by_test_id("queue-name")).to_have_text("<b>Billing</b>")  # text, never markup
    expect(tile.get_by_test_id("queue-waiting")).to_have_text("1")
    expect(tile.get_by_test_id("queue-longest-wait")).to_have_text(re.compile(r"^2m \d\ds$"))
    alice_row = page.get_by_test_id("agent-row").filter(has_text="Alice")
    expect(alice_row.get_by_test_id("presence-badge")).to_have_text("Available")
    expect(alice_row.get_by_test_id("agent-load")).to_have_text("1/2")
    expect(alice_row.get_by_test_id("agent-in-state")).to_have_text(re.compile(r"^3m \d\ds$"))
    bob_row = page.get_by_test_id("agent-row").filter(has_text="Bob")
    expect(bob_row.get_by_test_id("presence-reason")).to_have_text("Lunch break")
    conversation = page.get_by_test_id("conversation-row").filter(has_text="Priya Raman")
    expect(conversation.get_by_test_id("conversation-agent")).to_have_text("Alice")
    expect(conversation.get_by_test_id("conversation-queue")).to_have_text("<b>Billing</b>")
    expect(conversation.get_by_test_id("awaiting-reply")).to_be_hidden()
    expect(conversation.get_by_test_id("conversation-customer-wrote")).to_have_text(re.compile(r"^10m \d\ds ago$"))

    live_system.emulator.customer_sends(CUSTOMER, "Are you still there?", name="Priya Raman")

    expect(conversation.get_by_test_id("awaiting-reply")).to_be_visible()  # pushed, no reload
    expect(conversation.get_by_test_id("conversation-customer-wrote")).to_have_text(re.compile(r"^\d{1,2}s ago$"))
    page.screenshot(path=str(live_system.logs["web"].parent / "supervisor-view.png"), full_page=True)

    with page.context.expect_page() as opened:
        conversation.get_by_test_id("read-along").click()
    workspace = opened.value  # the conversation in the workspace, read-only for a manager, with its routing history
    expect(workspace.get_by_test_id("timeline")).to_contain_text("Are you still there?")
    history = workspace.get_by_test_id("routing-history-entry")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("Accepted · Alice · <b>Billing</b>")
    workspace.screenshot(path=str(live_system.logs["web"].parent / "supervisor-read-along.png"))


def test_a_customer_message_fills_its_queue_tile_live(live_system, new_page):  # noqa: F811
    manager(username="maya")
    QueueFactory(key="support", name="Support", is_default=True)
    page = new_page()
    open_supervisor(page, live_system, "maya")
    tile = page.get_by_test_id("queue-tile").filter(has_text="Support")
    expect(tile.get_by_test_id("queue-waiting")).to_have_text("0")
    expect(tile.get_by_test_id("queue-longest-wait")).to_have_text("—")

    live_system.emulator.customer_sends(CUSTOMER, "Hi, my order never came", name="Tomás Herrera")

    expect(tile.get_by_test_id("queue-waiting")).to_have_text("1")  # nobody available: it waits, live
    longest = tile.get_by_test_id("queue-longest-wait")
    expect(longest).to_have_text(re.compile(r"^\d+s$"))
    first = longest.text_content()
    expect(longest).not_to_have_text(first)  # it ticks
    page.screenshot(path=str(live_system.logs["web"].parent / "supervisor-queue.png"), full_page=True)


def test_a_manager_forces_an_agent_offline_and_reassigns_their_conversation(live_system, new_page):  # noqa: F811
    alice, bob = agent(username="alice", first_name="Alice"), agent(username="bob", first_name="Bob")
    AgentProfileFactory(user=alice, presence=Presence.AVAILABLE)
    AgentProfileFactory(user=bob, presence=Presence.AVAILABLE)
    manager(username="maya")
    routed = InteractionFactory(
        channel_user=ChannelUserFactory(external_id=CUSTOMER, display_name="Priya Raman"),
        assigned_to=alice,
        state=InteractionState.WORK_IN_PROGRESS,
    )
    WorkItemFactory(interaction=routed, state=WorkItemState.ACCEPTED, accepted_by=alice)  # routing gave it to her
    page = new_page()
    open_supervisor(page, live_system, "maya")

    alice_row = page.get_by_test_id("agent-row").filter(has_text="Alice")
    alice_row.get_by_role("button", name="Force Alice offline").click()
    expect(alice_row.get_by_test_id("presence-badge")).to_have_text("Offline")
    expect(alice_row.get_by_test_id("force-offline")).to_be_disabled()

    conversation = page.get_by_test_id("conversation-row").filter(has_text="Priya Raman")
    conversation.get_by_test_id("reassign").click()
    dialog = page.get_by_test_id("reassign-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("To agent").select_option(str(bob.pk))
    dialog.get_by_label("Note for the agent").fill("Alice went home ill")
    dialog.get_by_test_id("reassign-confirm").click()

    expect(dialog).to_be_hidden()
    expect(conversation.get_by_test_id("conversation-agent")).to_have_text("Bob")
    expect(conversation.get_by_test_id("reassign")).to_be_focused()  # focus returns where it was
