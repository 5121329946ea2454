"""Who sees and who answers, in Chromium: a conversation a supervisor takes from one agent leaves that agent's
workspace live (closed with a notice if it was open, never an error) and arrives in the other's; a colleague who
reads along through a shared queue gets a bar saying whose it is instead of the reply box, and may still note."""

import pytest
import requests
from playwright.sync_api import Page, expect
from rest_framework.authtoken.models import Token

from conftest import LiveSystem
from interactions.models import Interaction, InteractionState
from routing.models import Presence, Queue, WorkItemState
from routing.tests.factories import AgentProfileFactory, QueueFactory, WorkItemFactory
from tests.factories import ChannelUserFactory, InteractionFactory, agent, manager
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def collect_script_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def held_by(person, *, customer: str, number: str, queue: Queue) -> Interaction:
    """A conversation routing gave to `person`, in progress."""
    interaction = InteractionFactory(
        channel_user=ChannelUserFactory(external_id=number, display_name=customer),
        assigned_to=person,
        state=InteractionState.WORK_IN_PROGRESS,
        queue=queue.key,
    )
    WorkItemFactory(interaction=interaction, queue=queue, state=WorkItemState.ACCEPTED, accepted_by=person)
    return interaction


def team():
    """Alice and Bob, available agents, and Maya, their supervisor."""
    alice, bob = agent(username="alice", first_name="Alice"), agent(username="bob", first_name="Bob")
    for person in (alice, bob):
        AgentProfileFactory(user=person, presence=Presence.AVAILABLE, capacity=3)
    return alice, bob, manager(username="maya")


def reassign(system: LiveSystem, supervisor, interaction: Interaction, to_agent) -> None:
    """What the supervisor's Reassign does, over the API."""
    token = Token.objects.get_or_create(user=supervisor)[0].key
    response = requests.post(
        f"{system.web_url}/api/v1/routing/supervisor/reassign/",
        json={"interaction": interaction.pk, "to_agent": to_agent.pk},
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def listed(page: Page, customer: str):
    return page.get_by_test_id("interaction-item").filter(has_text=customer)


def test_a_reassigned_conversation_leaves_one_agents_workspace_and_arrives_in_the_others_live(
    live_system,
    new_page,  # noqa: F811
):
    alice, bob, maya = team()
    general = QueueFactory(default=True)
    priyas = held_by(alice, customer="Priya Raman", number="447700900456", queue=general)
    held_by(alice, customer="Sam Okoro", number="447700900457", queue=general)
    alices, bobs = new_page(), new_page()
    errors = collect_script_errors(alices)
    sign_in(alices, live_system, "alice")
    sign_in(bobs, live_system, "bob")
    listed(alices, "Priya Raman").click()
    expect(alices.get_by_test_id("composer-input")).to_be_enabled()
    expect(listed(bobs, "Priya Raman")).to_have_count(0)

    reassign(live_system, maya, priyas, bob)

    expect(listed(bobs, "Priya Raman")).to_have_count(1)  # pushed, no reload
    expect(listed(alices, "Priya Raman")).to_have_count(0)
    expect(listed(alices, "Sam Okoro")).to_have_count(1)
    notice = alices.get_by_test_id("conversation-notice")
    expect(notice).to_have_text(
        f"The conversation with Priya Raman ({priyas.number}) was reassigned or transferred: "
        "it is no longer visible to you."
    )
    expect(notice).to_have_attribute("data-tone", "info")
    expect(alices.get_by_test_id("composer-input")).to_be_hidden()  # nothing left to type into
    listed(alices, "Sam Okoro").click()
    expect(notice).to_be_hidden()
    assert errors == []


def test_a_colleague_reads_along_in_a_shared_queue_and_the_reply_box_follows_a_reassignment(
    live_system,
    new_page,  # noqa: F811
):
    alice, bob, maya = team()
    shared = QueueFactory(key="billing", name="Billing", agents_see_each_others_conversations=True)
    shared.agents.add(alice, bob)
    priyas = held_by(alice, customer="Priya Raman", number="447700900456", queue=shared)
    alices, bobs = new_page(), new_page()
    errors = collect_script_errors(bobs)
    for page, username in ((alices, "alice"), (bobs, "bob")):
        sign_in(page, live_system, username)
        listed(page, "Priya Raman").click()

    bar = bobs.get_by_test_id("composer-disabled-reason")
    expect(bar).to_have_text(
        "Alice has this conversation: you can read along and add internal notes, but not write to the customer."
    )
    expect(bobs.get_by_test_id("composer-input")).to_be_hidden()
    expect(bobs.get_by_test_id("composer-send")).to_be_hidden()
    for control in ("close-interaction", "transfer-button", "hold-form", "ask-opt-in"):
        expect(bobs.get_by_test_id(control)).to_be_hidden()
    bobs.get_by_test_id("note-text").fill("She wrote about this last week too")
    bobs.get_by_test_id("note-button").click()
    expect(bobs.get_by_test_id("timeline")).to_contain_text("She wrote about this last week too")
    expect(alices.get_by_test_id("timeline")).to_contain_text("She wrote about this last week too")
    expect(alices.get_by_test_id("composer-disabled-reason")).to_be_hidden()
    bobs.screenshot(path=str(live_system.logs["web"].parent / "read-along.png"))

    reassign(live_system, maya, priyas, bob)

    expect(bobs.get_by_test_id("composer-input")).to_be_enabled()  # his now: the reply box is back, live
    expect(bar).to_be_hidden()
    expect(bobs.get_by_test_id("ask-opt-in")).to_be_visible()
    expect(alices.get_by_test_id("composer-disabled-reason")).to_contain_text("Bob has this conversation")
    expect(alices.get_by_test_id("composer-input")).to_be_hidden()
    expect(listed(alices, "Priya Raman")).to_have_count(1)  # still hers to read along in the shared queue
    assert errors == []
