"""The agents' routing API: their presence and load, their offers (accepted, rejected, too late), the reasons to
reject, the agents to transfer to; and the `offer.changed` push that reaches only the agent it is for."""

import json

import pytest
from django.test import Client

from interactions.models import InteractionState
from routing.models import AgentProfile, Presence, WorkItem, WorkItemState
from routing.services.assignment import offer_next_items
from routing.services.presence import set_presence
from routing.tests.factories import QueueFactory, RejectReasonFactory, WorkItemFactory, serving_agent
from tests.factories import InteractionFactory, agent, manager

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def queue():
    return QueueFactory(key="billing", name="Billing")


@pytest.fixture
def offered(queue):
    """An item offered to an available agent of the queue: (agent, item)."""
    person = serving_agent(queue, first_name="Ana", last_name="Silva")
    item = WorkItemFactory(queue=queue, summary="My invoice is wrong")
    offer_next_items(queue=queue)
    return person, item


def test_an_agent_reads_their_presence_capacity_and_load(queue):
    person = serving_agent(queue, presence=Presence.AWAY, capacity=5)
    InteractionFactory(assigned_to=person, state=InteractionState.WORK_IN_PROGRESS)

    me = client_for(person).get("/api/v1/routing/me/").json()

    assert {key: me[key] for key in ("presence", "capacity", "load")} == {"presence": "away", "capacity": 5, "load": 1}


def test_an_agent_without_a_profile_yet_is_offline_with_the_default_capacity():
    me = client_for(agent()).get("/api/v1/routing/me/").json()

    assert (me["presence"], me["capacity"], me["load"]) == ("offline", 3, 0)


def test_an_agent_sets_their_presence_and_hears_it_back(queue):
    person = serving_agent(queue, presence=Presence.OFFLINE)

    response = post(client_for(person), "/api/v1/routing/me/presence/", {"presence": "away", "away_reason": "Break"})

    assert response.status_code == 200
    assert (response.json()["presence"], response.json()["away_reason"]) == ("away", "Break")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"presence": "busy"}, "presence"),
        ({}, "presence"),
        ({"presence": "available", "away_reason": "Lunch"}, "away_reason"),
        ({"presence": "away", "away_reason": "x" * 129}, "away_reason"),
    ],
)
def test_a_presence_that_cannot_be_is_400_naming_the_field(queue, body, field):
    person = serving_agent(queue, presence=Presence.OFFLINE)

    response = post(client_for(person), "/api/v1/routing/me/presence/", body)

    assert response.status_code == 400 and field in response.json()
    assert AgentProfile.objects.get(user=person).presence == Presence.OFFLINE


def test_only_agents_have_a_presence():
    response = post(client_for(manager()), "/api/v1/routing/me/presence/", {"presence": "available"})

    assert response.status_code == 403


def test_an_agent_lists_their_pending_offers_with_what_they_need_to_decide(offered, queue):
    person, item = offered
    serving_agent(queue)  # another's offers are not listed

    offers = client_for(person).get("/api/v1/routing/offers/").json()

    assert [offer["id"] for offer in offers] == [item.pk]
    offer = offers[0]
    assert offer["queue"] == {"key": "billing", "name": "Billing"}
    assert offer["summary"] == "My invoice is wrong"
    assert offer["interaction"]["id"] == item.interaction_id
    assert offer["interaction"]["channel_user"]["display_name"] == item.interaction.channel_user.display_name
    assert offer["transferred_by"] is None and offer["expires_at"] > offer["offered_at"]


def test_accepting_answers_the_conversation_with_its_transcript(offered):
    person, item = offered

    response = post(client_for(person), f"/api/v1/routing/offers/{item.pk}/accept/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["state"], body["assigned_to"]) == (item.interaction_id, "work_in_progress", "Ana Silva")
    assert "messages" in body


def test_accepting_an_offer_another_agent_took_is_409_saying_so(offered, queue):
    person, item = offered
    WorkItem.objects.filter(pk=item.pk).update(state=WorkItemState.ACCEPTED, accepted_by=agent())

    response = post(client_for(person), f"/api/v1/routing/offers/{item.pk}/accept/")

    assert response.status_code == 409
    assert "Another agent has taken" in response.json()["detail"]


def test_an_offer_never_made_to_the_agent_is_404(offered, queue):
    _, item = offered

    response = post(client_for(serving_agent(queue)), f"/api/v1/routing/offers/{item.pk}/accept/")

    assert response.status_code == 404


def test_rejecting_takes_a_reason_from_the_list(offered, queue, committing):
    person, item = offered
    colleague = serving_agent(queue)
    reason = RejectReasonFactory(text="Not my language")
    retired = RejectReasonFactory(is_active=False)
    client = client_for(person)

    assert client.get("/api/v1/routing/reject-reasons/").json() == [{"id": reason.pk, "text": "Not my language"}]
    missing = post(client, f"/api/v1/routing/offers/{item.pk}/reject/")
    inactive = post(client, f"/api/v1/routing/offers/{item.pk}/reject/", {"reason": retired.pk})
    with committing():
        rejected = post(client, f"/api/v1/routing/offers/{item.pk}/reject/", {"reason": reason.pk})
    again = post(client, f"/api/v1/routing/offers/{item.pk}/reject/", {"reason": reason.pk})

    assert (missing.status_code, inactive.status_code) == (400, 400)
    assert "reason" in missing.json() and "reject-reasons" in inactive.json()["reason"][0]
    assert rejected.status_code == 204
    assert again.status_code == 409 and "no longer yours" in again.json()["detail"]
    item.refresh_from_db()
    assert item.offered_to == colleague


def test_the_agents_list_shows_presence_load_and_capacity(queue):
    ana = serving_agent(queue, first_name="Ana", last_name="Silva", capacity=4)
    InteractionFactory(assigned_to=ana, state=InteractionState.WORK_IN_PROGRESS)
    agent(first_name="Ben", last_name="Okafor")  # never set a presence

    agents = client_for(manager()).get("/api/v1/routing/agents/").json()

    assert [(a["name"], a["presence"], a["load"], a["capacity"]) for a in agents] == [
        ("Ana Silva", "available", 1, 4),
        ("Ben Okafor", "offline", 0, 3),
    ]


def test_an_offer_is_pushed_to_its_agent_alone(queue, django_capture_on_commit_callbacks, live_events):
    person = serving_agent(queue)
    agent()  # a bystander
    item = WorkItemFactory(queue=queue)

    with django_capture_on_commit_callbacks(execute=True):
        offer_next_items(queue=queue)

    received = [(groups, event) for groups, event in live_events() if event["type"] == "offer.changed"]
    [(groups, event)] = received
    assert groups == {f"user.{person.pk}"}  # not the bystander's, nor the supervisors'
    assert (event["type"], event["state"], event["offer"]["id"]) == ("offer.changed", "offered", item.pk)


@pytest.mark.django_db(transaction=True)  # the presence change's own commit, as in a request
def test_going_away_sends_the_presence_its_withdrawn_offers_and_the_audience_change_as_one_message(
    queue, live_messages
):
    person = serving_agent(queue, capacity=2)
    items = [WorkItemFactory(queue=queue) for _ in range(2)]
    offer_next_items(agent=person)
    live_messages()  # the offers' own push

    set_presence(agent=person, presence=Presence.AWAY, away_reason="Lunch")

    [message] = live_messages()  # one message, so one frame on each of their sockets
    assert [(event["type"], event.get("state")) for _, event in message] == [
        ("offer.changed", "withdrawn"),
        ("offer.changed", "withdrawn"),
        ("audience.changed", None),
        ("routing.changed", None),  # to the supervisors: their queue has two more waiting
        ("presence.changed", None),
    ]
    assert [event["offer"]["id"] for _, event in message[:2]] == [item.pk for item in items]


def test_a_rounds_offers_to_an_agent_travel_as_one_message_in_offer_order(
    queue, django_capture_on_commit_callbacks, live_messages
):
    person = serving_agent(queue, capacity=3)
    items = [WorkItemFactory(queue=queue) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        offer_next_items(agent=person)

    offers = [message for message in live_messages() if any(event["type"] == "offer.changed" for _, event in message)]
    [message] = offers  # one message, so one frame on the agent's sockets
    assert [(groups, event["offer"]["id"]) for groups, event in message] == [
        (frozenset({f"user.{person.pk}"}), item.pk) for item in items
    ]
