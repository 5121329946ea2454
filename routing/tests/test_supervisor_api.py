"""What a manager does from the supervisor's view, through the API: reassign a conversation, force an agent
offline, whisper to an agent. Only managers, admins and superusers may; bad input is refused with the reason and
changes nothing."""

import pytest
from rest_framework.test import APIClient

from interactions.models import InteractionState, Message
from interactions.roles import ADMIN
from routing.models import Presence, WorkItem, WorkItemEvent, WorkItemEventKind, WorkItemState
from routing.tests.factories import AgentProfileFactory, WorkItemFactory
from tests.factories import InteractionFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


SUPERVISOR_CALLS = [
    ("get", "/api/v1/routing/supervisor/"),
    ("post", "/api/v1/routing/supervisor/reassign/"),
    ("post", "/api/v1/routing/supervisor/agents/1/presence/"),
    ("post", "/api/v1/routing/supervisor/whisper/"),
]


@pytest.mark.parametrize(("method", "path"), SUPERVISOR_CALLS)
def test_agents_are_refused_the_supervisors_view_and_its_actions(method, path):
    answer = getattr(client_for(agent()), method)(path, {}, format="json")

    assert answer.status_code == 403
    assert "managers and admins" in answer.json()["detail"]


@pytest.mark.parametrize(("method", "path"), SUPERVISOR_CALLS)
def test_nobody_signed_in_is_asked_to_sign_in(method, path):
    assert getattr(APIClient(), method)(path, {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("role", ["manager", "admin", "superuser"])
def test_managers_admins_and_superusers_read_the_snapshot(role):
    user = {
        "manager": manager,
        "admin": lambda: UserFactory(role=ADMIN, is_staff=True),
        "superuser": lambda: UserFactory(is_superuser=True),
    }[role]()

    assert client_for(user).get("/api/v1/routing/supervisor/").status_code == 200


def test_the_page_is_for_managers_and_asks_others_to_sign_in(client):
    client.force_login(agent())
    assert client.get("/supervisor/").status_code == 403

    client.force_login(manager())
    page = client.get("/supervisor/")
    assert page.status_code == 200
    assert b"supervisor/supervisor.js" in page.content
    assert b'href="/supervisor/" aria-current="page"' in page.content  # the top bar's link, current

    client.logout()
    assert client.get("/supervisor/")["Location"].startswith("/login/?next=/supervisor/")


def test_the_workspace_shows_managers_the_way_to_the_supervisors_view_and_agents_not(client):
    client.force_login(manager())
    assert b'href="/supervisor/"' in client.get("/workspace/").content

    client.force_login(agent())
    assert b'href="/supervisor/"' not in client.get("/workspace/").content


def test_a_manager_reassigns_a_conversation_to_another_agent():
    boss, alice, bob = manager(), agent(first_name="Alice"), agent(first_name="Bob")
    AgentProfileFactory(user=bob, presence=Presence.AVAILABLE)
    interaction = InteractionFactory(assigned_to=alice, state=InteractionState.WORK_IN_PROGRESS)
    WorkItemFactory(interaction=interaction, state=WorkItemState.ACCEPTED, accepted_by=alice)  # routed to her

    answer = client_for(boss).post(
        "/api/v1/routing/supervisor/reassign/",
        {"interaction": interaction.pk, "to_agent": bob.pk, "note": "Alice is off sick"},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["assigned_to"] == "Bob"
    interaction.refresh_from_db()
    assert interaction.assigned_to == bob
    event = WorkItemEvent.objects.get(interaction=interaction, kind=WorkItemEventKind.REASSIGNED)
    assert (event.actor, event.agent, event.note) == (boss, bob, "Alice is off sick")


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"interaction": 999_999, "to_agent": "bob"}, "interaction", "No interaction has this id."),
        ({"interaction": "mine", "to_agent": "bob"}, "interaction", "A valid integer is required."),
        ({"interaction": "first", "to_agent": "boss"}, "to_agent", "No active agent has this id."),
        ({"interaction": "first", "to_agent": 2**63}, "to_agent", "less than or equal to"),
        ({"to_agent": "bob"}, "interaction", "This field is required."),
    ],
)
def test_a_reassignment_that_cannot_be_is_refused_with_the_reason_and_changes_nothing(body, field, reason):
    boss, alice, bob = manager(), agent(), agent()
    interaction = InteractionFactory(assigned_to=alice)
    names = {"first": interaction.pk, "bob": bob.pk, "boss": boss.pk}
    body = {key: names.get(value, value) if isinstance(value, str) else value for key, value in body.items()}

    answer = client_for(boss).post("/api/v1/routing/supervisor/reassign/", body, format="json")

    assert answer.status_code == 400
    assert reason in " ".join(answer.json()[field])
    interaction.refresh_from_db()
    assert interaction.assigned_to == alice
    assert not WorkItemEvent.objects.exists()


def test_a_manager_forces_an_agent_offline_and_their_offer_goes_back_to_the_queue():
    boss, alice = manager(), agent(first_name="Alice")
    AgentProfileFactory(user=alice, presence=Presence.AVAILABLE)
    offer = WorkItemFactory(offered=True, offered_to=alice)

    answer = client_for(boss).post(
        f"/api/v1/routing/supervisor/agents/{alice.pk}/presence/", {"presence": "offline"}, format="json"
    )

    assert answer.status_code == 200, answer.content
    assert (answer.json()["presence"], answer.json()["name"]) == ("offline", "Alice")
    alice.routing_profile.refresh_from_db()
    assert alice.routing_profile.presence == Presence.OFFLINE
    offer.refresh_from_db()
    assert offer.offered_to != alice and offer.state != WorkItemState.ACCEPTED
    assert not WorkItem.objects.filter(offered_to=alice, state=WorkItemState.OFFERED).exists()


@pytest.mark.parametrize(
    ("target", "body", "status", "reason"),
    [
        ("manager", {"presence": "offline"}, 404, "No"),  # not an agent
        ("agent", {"presence": "asleep"}, 400, "is not a valid choice"),
        ("agent", {}, 400, "This field is required."),
        ("agent", {"presence": "away", "away_reason": "x" * 129}, 400, "no more than 128"),
    ],
)
def test_a_presence_that_cannot_be_set_is_refused_with_the_reason(target, body, status, reason):
    boss, alice = manager(), agent()
    AgentProfileFactory(user=alice, presence=Presence.AVAILABLE)
    person = {"manager": boss, "agent": alice}[target]

    answer = client_for(boss).post(f"/api/v1/routing/supervisor/agents/{person.pk}/presence/", body, format="json")

    assert answer.status_code == status
    assert reason in str(answer.json())
    alice.routing_profile.refresh_from_db()
    assert alice.routing_profile.presence == Presence.AVAILABLE


def test_a_manager_whispers_to_the_agent_and_the_customer_never_gets_it():
    boss, alice = manager(first_name="Maya"), agent(first_name="Alice")
    interaction = InteractionFactory(assigned_to=alice, state=InteractionState.WORK_IN_PROGRESS)

    answer = client_for(boss).post(
        "/api/v1/routing/supervisor/whisper/",
        {"interaction": interaction.pk, "text": "Offer the refund, it is approved."},
        format="json",
    )

    assert answer.status_code == 201, answer.content
    note = Message.objects.get(interaction=interaction)
    assert (note.kind, note.author, note.text) == ("note", boss, "Offer the refund, it is approved.")
    assert not note.attempts.exists() and note.external_id is None  # nothing went to the channel


def test_a_whisper_needs_an_agent_to_whisper_to():
    interaction = InteractionFactory(assigned_to=None)

    answer = client_for(manager()).post(
        "/api/v1/routing/supervisor/whisper/", {"interaction": interaction.pk, "text": "Hello?"}, format="json"
    )

    assert answer.status_code == 400
    assert "no agent to whisper to" in answer.json()["interaction"][0]
    assert not Message.objects.exists()
