"""Team routing end to end, in Chromium: two agents and a supervisor, each in their own browser, and a customer on
WhatsApp (the emulator). The conversation is offered to one agent, who rejects it; the other accepts, answers and
transfers it back with a note; the first accepts and closes it with a wrap-up. The supervisor's page follows every
step without reloading, and the routing history records each one.

Who is offered first is decided by presence, as on a real desk: both agents start away, so the customer waits in
the queue, and Alice comes back before Bob."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import wait_until
from interactions.models import Interaction
from routing.models import AgentProfile, Presence, RejectReason, ResolutionCode, WorkItem, WorkItemEvent
from routing.selectors import routing_history
from routing.tests.factories import QueueFactory, serving_agent
from tests.factories import manager
from tests.test_lifecycle_browser import close_with_reason
from tests.test_supervisor_browser import open_supervisor
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 - the fixture and the sign-in step
from tests.test_workspace_routing_browser import collect_script_errors, reject_offer
from tests.test_workspace_transfer_browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "4915112345678"
FIRST_MESSAGE = "Hallo, I was charged twice for order 1182"
REPLY = "I see both charges; our billing colleague will refund one."
TRANSFER_NOTE = "Double charge on order 1182 confirmed; please refund one of them."


@pytest.fixture(autouse=True)
def _patient_expectations():
    """Three browsers, the web server, a worker and the emulator share a loaded two-core machine: a step may take
    longer than Playwright's default five seconds to show."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=None)  # Playwright's default again


def become_available(workspace: Page) -> None:
    """The agent sets their presence in the workspace's top bar."""
    presence = workspace.get_by_test_id("presence-control")
    presence.click()
    workspace.get_by_test_id("presence-option-available").click()
    expect(presence.get_by_test_id("presence-label")).to_have_text("Available")


def test_an_offer_is_rejected_taken_transferred_back_and_wrapped_up_as_the_supervisor_watches(live_system, new_page):  # noqa: F811
    queue = QueueFactory(default=True, offer_timeout_seconds=120)  # no offer runs out while a loaded machine works
    alice = serving_agent(queue, presence=Presence.AWAY, username="alice", first_name="Alice", last_name="Agent")
    bob = serving_agent(queue, presence=Presence.AWAY, username="bob", first_name="Bob", last_name="Builder")
    AgentProfile.objects.filter(user__in=[alice, bob]).update(away_reason="Team meeting")
    manager(username="maya", first_name="Maya")
    RejectReason.objects.create(text="Wrong language")
    busy = RejectReason.objects.create(text="Busy with another customer")
    refunded = ResolutionCode.objects.create(text="Refund issued")
    ResolutionCode.objects.create(text="No fault found")

    supervisor = new_page()
    supervisor_errors = collect_script_errors(supervisor)
    open_supervisor(supervisor, live_system, "maya")
    alices, bobs = new_page(), new_page()
    alice_errors, bob_errors = collect_script_errors(alices), collect_script_errors(bobs)
    sign_in(alices, live_system, "alice")
    sign_in(bobs, live_system, "bob")

    tile = supervisor.get_by_test_id("queue-tile").filter(has_text="General")
    alice_row = supervisor.get_by_test_id("agent-row").filter(has_text="Alice Agent")
    bob_row = supervisor.get_by_test_id("agent-row").filter(has_text="Bob Builder")
    conversations = supervisor.get_by_test_id("conversation-row")
    expect(tile.get_by_test_id("queue-waiting")).to_have_text("0")
    expect(alice_row.get_by_test_id("presence-badge")).to_have_text("Away")
    expect(alice_row.get_by_test_id("presence-reason")).to_have_text("Team meeting")
    expect(bob_row.get_by_test_id("presence-badge")).to_have_text("Away")
    expect(conversations).to_have_count(0)

    # The customer writes while nobody is available: they wait, and the supervisor sees the wait grow.
    live_system.emulator.customer_sends(CUSTOMER, FIRST_MESSAGE, name="Ana Ortiz")
    expect(tile.get_by_test_id("queue-waiting")).to_have_text("1")
    expect(tile.get_by_test_id("queue-offered")).to_have_text("0")
    longest = tile.get_by_test_id("queue-longest-wait")
    expect(longest).to_have_text(re.compile(r"^\d+s$"))
    expect(longest).not_to_have_text(longest.text_content())  # it ticks
    interaction = Interaction.objects.get(channel_user__external_id=CUSTOMER)
    for workspace in (alices, bobs):
        expect(workspace.get_by_test_id("offers-empty")).to_contain_text("You are not available")
    screenshot(supervisor, live_system, "team-1-supervisor-waiting.png")

    # Alice comes back first: the offer is hers. Bob comes back while she has it: nothing for him.
    become_available(alices)
    alice_offer = alices.get_by_test_id("offer-card")
    expect(alice_offer).to_have_count(1)
    expect(alice_offer.get_by_test_id("offer-customer")).to_have_text("Ana Ortiz")
    expect(alice_offer.get_by_test_id("offer-queue")).to_have_text("General")
    expect(alice_offer.get_by_test_id("offer-summary")).to_have_text(FIRST_MESSAGE)
    expect(alice_row.get_by_test_id("presence-badge")).to_have_text("Available")
    expect(alice_row.get_by_test_id("presence-reason")).to_be_hidden()
    expect(tile.get_by_test_id("queue-offered")).to_have_text("1")
    become_available(bobs)
    expect(bob_row.get_by_test_id("presence-badge")).to_have_text("Available")
    expect(bobs.get_by_test_id("offers-empty")).to_contain_text("No offers waiting")
    assert WorkItem.objects.get(interaction=interaction).offered_to == alice
    screenshot(alices, live_system, "team-2-alice-offered.png")

    # She rejects it with a reason: it goes to Bob, never straight back to her; he accepts and sees the transcript.
    reject_offer(alice_offer, "Busy with another customer")
    expect(alice_offer).to_have_count(0)
    bob_offer = bobs.get_by_test_id("offer-card")
    expect(bob_offer).to_have_count(1)
    expect(bob_offer.get_by_test_id("offer-customer")).to_have_text("Ana Ortiz")
    bob_offer.get_by_test_id("offer-accept").click()
    expect(bob_offer).to_have_count(0)
    expect(bobs.get_by_test_id("conversation-customer")).to_have_text("Ana Ortiz")
    expect(bobs.get_by_test_id("timeline")).to_contain_text(FIRST_MESSAGE)
    expect(bobs.get_by_test_id("customer-queue")).to_have_text("General")  # the queue's name, not its key
    bobs.get_by_test_id("composer-input").fill(REPLY)
    bobs.get_by_test_id("composer-send").click()
    expect(bobs.get_by_test_id("message").filter(has_text=REPLY)).to_be_visible()

    in_progress = conversations.filter(has_text="Ana Ortiz")
    expect(in_progress.get_by_test_id("conversation-agent")).to_have_text("Bob Builder")
    expect(in_progress.get_by_test_id("conversation-queue")).to_have_text("General")
    expect(bob_row.get_by_test_id("agent-load")).to_have_text("1/3")
    expect(alice_row.get_by_test_id("agent-load")).to_have_text("0/3")
    expect(tile.get_by_test_id("queue-waiting")).to_have_text("0")
    expect(tile.get_by_test_id("queue-longest-wait")).to_have_text("—")
    screenshot(supervisor, live_system, "team-3-supervisor-bob-has-it.png")

    # Bob transfers it to Alice with a note: it leaves him at once, and her offer shows the note. The customer has
    # waited for a person since they first wrote (made five minutes here): the supervisor's wait goes on from then.
    first_wait = timezone.now() - timedelta(minutes=5)
    WorkItem.objects.filter(interaction=interaction).update(waiting_since=first_wait)
    bobs.get_by_test_id("transfer-button").click()
    dialog = bobs.get_by_role("dialog", name="Transfer")
    dialog.get_by_label("Alice Agent").check()
    dialog.get_by_test_id("transfer-note").fill(TRANSFER_NOTE)
    screenshot(bobs, live_system, "team-4-bob-transfers.png")
    dialog.get_by_test_id("transfer-send").click()
    expect(dialog).to_be_hidden()
    expect(bobs.get_by_test_id("transfer-notice")).to_contain_text("transferred to Alice Agent")
    expect(bobs.locator("#conversation-placeholder")).to_be_visible()
    expect(bobs.get_by_test_id("presence-load")).to_have_text("0 / 3")

    alice_offer = alices.get_by_test_id("offer-card")
    expect(alice_offer).to_have_count(1)
    note = alice_offer.get_by_test_id("offer-transfer-note")
    expect(note).to_contain_text("Transferred by Bob Builder")
    expect(note).to_contain_text(TRANSFER_NOTE)
    expect(conversations).to_have_count(0)  # nobody holds it while it is offered
    expect(tile.get_by_test_id("queue-waiting")).to_have_text("1")
    expect(tile.get_by_test_id("queue-offered")).to_have_text("1")
    expect(longest).to_have_text(re.compile(r"^5m \d\ds$"))  # not from 0 s again
    expect(bob_row.get_by_test_id("agent-load")).to_have_text("0/3")
    screenshot(alices, live_system, "team-5-alice-offered-the-transfer.png")
    screenshot(supervisor, live_system, "team-5-supervisor-transferred.png")

    alice_offer.get_by_test_id("offer-accept").click()
    expect(alices.get_by_test_id("conversation-customer")).to_have_text("Ana Ortiz")
    timeline = alices.get_by_test_id("timeline")
    expect(timeline).to_contain_text(FIRST_MESSAGE)
    expect(timeline).to_contain_text(REPLY)  # the whole transcript so far, Bob's answer included
    expect(in_progress.get_by_test_id("conversation-agent")).to_have_text("Alice Agent")
    expect(alice_row.get_by_test_id("agent-load")).to_have_text("1/3")
    expect(alices.get_by_test_id("presence-load")).to_have_text("1 / 3")
    expect(tile.get_by_test_id("queue-waiting")).to_have_text("0")

    # Alice closes it and wraps it up: it leaves the supervisor's conversations in progress.
    panel = alices.get_by_test_id("lifecycle-panel")
    close_with_reason(alices, "Refund of the second charge requested")
    expect(panel.get_by_test_id("lifecycle-status")).to_have_text("Closed: Refund of the second charge requested")
    panel.get_by_test_id("wrap-up-code").select_option(label="Refund issued")
    panel.get_by_test_id("wrap-up-notes").fill("Refunded EUR 49.90 to the card.")
    panel.get_by_test_id("wrap-up-button").click()
    expect(panel.get_by_test_id("wrapped-up")).to_have_text("Wrapped up: Refund issued")
    expect(conversations).to_have_count(0)
    expect(supervisor.get_by_test_id("conversations-count")).to_have_text("0")
    expect(supervisor.get_by_text("Nobody is in a conversation right now.")).to_be_visible()
    expect(alice_row.get_by_test_id("agent-load")).to_have_text("0/3")
    expect(alices.get_by_test_id("presence-load")).to_have_text("0 / 3")  # her own top bar too
    history = alices.get_by_test_id("routing-history-entry")
    expect(history.filter(has_text="Transferred")).to_contain_text(TRANSFER_NOTE)
    expect(history.filter(has_text="Rejected")).to_contain_text("Busy with another customer")
    expect(history.last).to_contain_text("Wrapped up")
    alices.get_by_test_id("routing-history").scroll_into_view_if_needed()
    screenshot(alices, live_system, "team-6-alice-wrapped-up.png")
    screenshot(supervisor, live_system, "team-6-supervisor-after.png")

    # The routing history: every step, with who did it and why.
    events = [
        (event.kind, event.agent, event.actor, event.reason, event.note)
        for event in WorkItemEvent.objects.filter(interaction=interaction).select_related("agent", "actor")
    ]
    assert events == [
        ("queued", None, None, "", ""),
        ("offered", alice, None, "", ""),
        ("rejected", alice, alice, busy.text, ""),
        ("offered", bob, None, "", ""),
        ("accepted", bob, bob, "", ""),
        ("transferred", alice, bob, "From Bob Builder", TRANSFER_NOTE),
        ("offered", alice, None, "", ""),
        ("accepted", alice, alice, "", ""),
    ]
    closed = Interaction.objects.select_related("closed_by", "assigned_to").get(pk=interaction.pk)
    ending = [(entry.kind, entry.actor, entry.reason, entry.note) for entry in routing_history(closed)[-2:]]
    assert ending == [
        ("closed", "Alice Agent", "Refund of the second charge requested", ""),
        ("wrapped_up", "Alice Agent", refunded.text, "Refunded EUR 49.90 to the card."),
    ]
    wait_until(
        lambda: REPLY in [sent.get("text", {}).get("body") for sent in live_system.emulator.sent_messages(CUSTOMER)],
        timeout=30,
        message="Bob's reply on the customer's phone",
    )
    assert (supervisor_errors, alice_errors, bob_errors) == ([], [], [])
