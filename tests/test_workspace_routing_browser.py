"""The workspace's routing controls in Chromium: the agent's presence in the top bar and the offers above the list.

Routing's REST API (BRIEF contract: /api/v1/routing/me/, offers/, reject-reasons/) is answered here by Playwright
with the contract's shapes, the interaction inside an offer being the real API's; what is under test is the
page: that it shows, counts down, accepts, rejects and sets presence by that contract, and that it keeps
working on a server without routing."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, Route, expect

from conftest import LiveSystem, wait_until
from interactions.models import Interaction
from routing.tests.factories import QueueFactory
from tests.factories import agent
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 - the fixture and the sign-in step

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def collect_script_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def reject_offer(card: Locator, reason: str) -> None:
    """Rejects the offer on its card, giving one of the reasons the card lists."""
    card.get_by_test_id("offer-reject").click()
    choice = card.get_by_test_id("offer-reject-reason")
    expect(choice).to_contain_text(reason)
    choice.select_option(label=reason)
    card.get_by_test_id("offer-reject-confirm").click()


class RoutingApi:
    """Routing's endpoints as the contract has them, recording what the page sent."""

    def __init__(self, offers: list[dict]):
        self.me = {"presence": "available", "away_reason": "", "presence_changed_at": None, "capacity": 3, "load": 1}
        self.offers = offers
        self.posts: list[tuple[str, dict]] = []

    def __call__(self, route: Route) -> None:
        request = route.request
        path = request.url.split("/api/v1/routing/", 1)[1].split("?")[0]
        body = json.loads(request.post_data) if request.post_data else {}
        if request.method == "POST":
            self.posts.append((path, body))
        if path == "me/":
            route.fulfill(json=self.me)
        elif path == "me/presence/":
            self.me = {**self.me, **body}
            route.fulfill(json=self.me)
        elif path == "offers/":
            route.fulfill(json=self.offers)
        elif path == "reject-reasons/":
            route.fulfill(json=[{"id": 4, "text": "Wrong language"}, {"id": 5, "text": "Busy with a call"}])
        elif path.endswith("/reject/"):
            self.offers = [offer for offer in self.offers if f"offers/{offer['id']}/" not in path]
            route.fulfill(status=204)
        elif path.endswith("/accept/"):
            accepted = next(offer for offer in self.offers if f"offers/{offer['id']}/" in path)
            self.offers = [offer for offer in self.offers if offer is not accepted]
            route.fulfill(json=accepted["interaction"])
        else:
            route.fulfill(status=404, json={"detail": "Not found."})


def offer_of(page: Page, system: LiveSystem, interaction_id: int, offer_id: int, **fields) -> dict:
    detail = page.request.get(f"{system.web_url}/api/v1/interactions/{interaction_id}/").json()
    detail.pop("messages", None)
    now = timezone.now()
    return {
        "id": offer_id,
        "interaction": detail,
        "queue": {"key": "billing", "name": "Billing"},
        "summary": "",
        "transfer_note": "",
        "transferred_by": None,
        "offered_at": now.isoformat(),
        "expires_at": (now + timedelta(seconds=90)).isoformat(),
        **fields,
    }


def waiting(system: LiveSystem, number: str, text: str, name: str) -> Interaction:
    """A customer wrote on WhatsApp: a new conversation, waiting for an agent."""
    system.emulator.customer_sends(number, text, name=name)
    return wait_until(lambda: Interaction.objects.filter(messages__text=text).first(), message=text)


def in_a_queue_shared_with(person, *interactions: Interaction) -> None:
    """The agent serves a queue whose agents see each other's conversations, and these wait in it: what lets an
    agent see a conversation nobody holds yet."""
    queue = QueueFactory(key="shared", agents_see_each_others_conversations=True)
    queue.agents.add(person)
    Interaction.objects.filter(pk__in=[interaction.pk for interaction in interactions]).update(queue=queue.key)


def test_without_routing_the_workspace_hides_presence_and_offers_and_works(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    in_a_queue_shared_with(alice, waiting(live_system, "34600111222", "Hola, my order is late", "Ana Ortiz"))
    workspace = new_page()
    errors = collect_script_errors(workspace)
    workspace.route("**/api/v1/routing/**", lambda route: route.fulfill(status=404, json={"detail": "Not found."}))
    sign_in(workspace, live_system, "alice")

    workspace.get_by_test_id("interaction-item").filter(has_text="Ana Ortiz").click()
    expect(workspace.get_by_test_id("timeline")).to_contain_text("Hola, my order is late")
    expect(workspace.get_by_test_id("offers")).to_be_hidden()
    expect(workspace.get_by_test_id("presence-control")).to_be_hidden()
    expect(workspace.get_by_test_id("compose-location")).to_be_visible()  # the features still plug in
    expect(workspace.get_by_test_id("consent-panel")).to_contain_text("WhatsApp consent")
    assert errors == []


def test_an_agent_sets_presence_and_answers_offers_with_a_countdown(live_system, new_page):  # noqa: F811
    alice = agent(username="alice", first_name="Alice", last_name="Agent")
    late = waiting(live_system, "34600111222", "Hola, my order is late", "Ana Ortiz")
    refund = waiting(live_system, "2348012345678", "I want a refund", "Ben Okafor")
    in_a_queue_shared_with(alice, late, refund)
    workspace = new_page()
    errors = collect_script_errors(workspace)
    sign_in(workspace, live_system, "alice")
    routing = RoutingApi(
        [
            offer_of(workspace, live_system, late.pk, 11, summary="Order 1182 is a week late"),
            offer_of(
                workspace,
                live_system,
                refund.pk,
                12,
                summary="I want a refund",
                transfer_note="Asked twice already, please call back",
                transferred_by="Bob Builder",
            ),
        ]
    )
    workspace.route("**/api/v1/routing/**", routing)
    workspace.reload()

    presence = workspace.get_by_test_id("presence-control")
    expect(presence.get_by_test_id("presence-label")).to_have_text("Available")
    expect(presence.get_by_test_id("presence-load")).to_have_text("1 / 3")

    cards = workspace.get_by_test_id("offer-card")
    expect(cards).to_have_count(2)
    ana = cards.filter(has_text="Ana Ortiz")
    expect(ana.get_by_test_id("offer-queue")).to_have_text("Billing")
    expect(ana.get_by_test_id("offer-summary")).to_have_text("Order 1182 is a week late")
    ben = cards.filter(has_text="Ben Okafor")
    expect(ben.get_by_test_id("offer-summary")).to_have_text("I want a refund")
    expect(ben.get_by_test_id("offer-transfer-note")).to_contain_text("Transferred by Bob Builder")
    expect(ben.get_by_test_id("offer-transfer-note")).to_contain_text("Asked twice already, please call back")
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-offers.png"))
    countdown = ana.get_by_test_id("offer-countdown")
    expect(countdown).to_have_text(re.compile(r"^1:[23]\d$"))
    first = countdown.inner_text()
    workspace.wait_for_timeout(2100)
    assert countdown.inner_text() != first  # it runs

    reject_offer(ben, "Busy with a call")
    expect(cards).to_have_count(1)
    assert ("offers/12/reject/", {"reason": 5}) in routing.posts

    ana.get_by_test_id("offer-accept").click()
    expect(cards).to_have_count(0)
    expect(workspace.get_by_test_id("conversation-customer")).to_have_text("Ana Ortiz")
    expect(workspace.get_by_test_id("timeline")).to_contain_text("Hola, my order is late")
    expect(workspace.get_by_test_id("offers-empty")).to_be_visible()

    presence.click()
    workspace.get_by_test_id("presence-away-reason").filter(has_text="Lunch").click()
    expect(presence.get_by_test_id("presence-label")).to_have_text("Away · Lunch")
    assert ("me/presence/", {"presence": "away", "away_reason": "Lunch"}) in routing.posts
    expect(workspace.get_by_test_id("offers-empty")).to_contain_text("You are not available")
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-routing.png"))
    assert errors == []
