"""The agent who closes a conversation wraps it up (a resolution code from the admins' list, notes) within the
configured time; the ones owed are listed, overdue ones marked; bad input is a 400 that says why."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.models import Interaction, InteractionState
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import close_interaction
from interactions.services.outbound import ActionRefused, MessageRefused, send_agent_reply
from interactions.tests.core_events import inbound_message
from interactions.tests.timelines import client_for
from properties.services import change_property
from routing.models import ResolutionCode, WrapUp
from routing.services.wrap_up import WRAP_UP_NOTES_LIMIT, wrap_up_interaction, wrap_ups_due
from tests.factories import UserFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wrap_up_time():
    change_property(key="routing.wrap_up_minutes", value=5)


@pytest.fixture
def resolved() -> ResolutionCode:
    return ResolutionCode.objects.create(text="Resolved", order=1)


@pytest.fixture
def owner():
    return agent(first_name="Ana")


def closed_by(person, *, sender_id: str = "16505551234", minutes_ago: float = 0) -> Interaction:
    first = record_inbound_message(event=inbound_message(sender_id=sender_id, text="Where is my order?"))
    send_agent_reply(interaction=first.interaction, author=person, text="It arrives tomorrow.")
    interaction = close_interaction(interaction=first.interaction, by=person, state=InteractionState.CLOSED_COMPLETE)
    Interaction.objects.filter(pk=interaction.pk).update(closed_at=timezone.now() - timedelta(minutes=minutes_ago))
    interaction.refresh_from_db()
    return interaction


def test_the_agent_who_closed_wraps_up_in_time(owner, resolved):
    interaction = closed_by(owner, minutes_ago=4)

    wrap_up = wrap_up_interaction(interaction=interaction, agent=owner, resolution_code=resolved, notes=" Tracked. ")

    assert (wrap_up.resolution_code, wrap_up.notes, wrap_up.agent, wrap_up.late) == (resolved, "Tracked.", owner, False)


def test_a_wrap_up_after_the_configured_time_is_taken_and_marked_late(owner, resolved):
    interaction = closed_by(owner, minutes_ago=6)

    assert wrap_up_interaction(interaction=interaction, agent=owner, resolution_code=resolved).late


def test_a_conversation_is_wrapped_up_once(owner, resolved):
    interaction = closed_by(owner)
    wrap_up_interaction(interaction=interaction, agent=owner, resolution_code=resolved)

    with pytest.raises(ActionRefused, match="already wrapped up"):
        wrap_up_interaction(interaction=interaction, agent=owner, resolution_code=resolved)


def test_only_the_agent_who_closed_wraps_up_and_only_once_it_is_closed(owner, resolved):
    interaction = closed_by(owner)
    still_open = record_inbound_message(event=inbound_message(sender_id="4915112345678")).interaction

    with pytest.raises(ActionRefused, match="closed by Ana"):
        wrap_up_interaction(interaction=interaction, agent=agent(), resolution_code=resolved)
    with pytest.raises(ActionRefused, match="still open"):
        wrap_up_interaction(interaction=still_open, agent=owner, resolution_code=resolved)
    with pytest.raises(ActionRefused, match="Only agents"):
        wrap_up_interaction(interaction=interaction, agent=manager(), resolution_code=resolved)


def test_a_conversation_the_system_closed_needs_no_wrap_up(owner, resolved):
    first = record_inbound_message(event=inbound_message(text="Hello"))
    close_interaction(
        interaction=first.interaction, by=None, state=InteractionState.CLOSED_ABANDONED, state_reason="customer left"
    )

    with pytest.raises(ActionRefused, match="needs no wrap-up"):
        wrap_up_interaction(interaction=first.interaction, agent=owner, resolution_code=resolved)
    assert wrap_ups_due() == []


def test_an_inactive_code_or_overlong_notes_are_refused(owner, resolved):
    interaction = closed_by(owner)
    retired = ResolutionCode.objects.create(text="Old code", is_active=False)

    with pytest.raises(MessageRefused, match="no longer in use"):
        wrap_up_interaction(interaction=interaction, agent=owner, resolution_code=retired)
    with pytest.raises(MessageRefused, match="at most"):
        wrap_up_interaction(
            interaction=interaction, agent=owner, resolution_code=resolved, notes="x" * (WRAP_UP_NOTES_LIMIT + 1)
        )
    assert not WrapUp.objects.exists()


def test_the_wrap_ups_owed_are_listed_oldest_first_with_the_overdue_marked(owner, resolved):
    colleague = agent()
    overdue = closed_by(owner, sender_id="1", minutes_ago=6)
    due = closed_by(owner, sender_id="2", minutes_ago=1)
    wrapped = closed_by(owner, sender_id="3", minutes_ago=2)
    wrap_up_interaction(interaction=wrapped, agent=owner, resolution_code=resolved)
    theirs = closed_by(colleague, sender_id="4", minutes_ago=3)
    closed_by(owner, sender_id="5", minutes_ago=8 * 24 * 60)  # no longer chased

    mine = wrap_ups_due(agent=owner)
    everyone = wrap_ups_due()

    assert [(row.interaction, row.overdue) for row in mine] == [(overdue, True), (due, False)]
    assert mine[0].due_at == overdue.closed_at + timedelta(minutes=5)
    assert [row.interaction for row in everyone] == [overdue, theirs, due]


def test_the_api_lists_the_codes_in_use_in_the_admins_order(owner, resolved):
    ResolutionCode.objects.create(text="Escalated", order=0)
    ResolutionCode.objects.create(text="Retired", is_active=False)

    response = client_for(owner).get("/api/v1/routing/resolution-codes/")

    assert response.status_code == 200
    assert [code["text"] for code in response.json()] == ["Escalated", "Resolved"]


def test_a_user_without_a_role_reads_no_codes():
    assert client_for(UserFactory()).get("/api/v1/routing/resolution-codes/").status_code == 403


def test_the_api_takes_a_wrap_up_and_shows_it(owner, resolved):
    interaction = closed_by(owner)
    client = client_for(owner)

    before = client.get(f"/api/v1/interactions/{interaction.pk}/wrap-up/")
    created = client.post(
        f"/api/v1/interactions/{interaction.pk}/wrap-up/",
        {"resolution_code": resolved.pk, "notes": "Tracked the parcel."},
        format="json",
    )
    after = client.get(f"/api/v1/interactions/{interaction.pk}/wrap-up/")

    assert before.status_code == 404
    assert created.status_code == 201, created.json()
    assert created.json()["resolution_code"] == {"id": resolved.pk, "text": "Resolved"}
    assert (created.json()["agent"], created.json()["late"]) == ("Ana", False)
    assert after.json() == created.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "resolution_code"),
        ({"resolution_code": "Resolved"}, "resolution_code"),
        ({"resolution_code": 0}, "resolution_code"),
        ({"resolution_code": 2**70}, "resolution_code"),
        ({"resolution_code": 987654}, "resolution_code"),
        ({"resolution_code": "RESOLVED_ID", "notes": "x" * (WRAP_UP_NOTES_LIMIT + 1)}, "detail"),
        ({"resolution_code": "RESOLVED_ID", "notes": "\x00"}, "notes"),
    ],
)
def test_a_wrap_up_the_api_cannot_take_is_400_saying_why_and_writes_nothing(owner, resolved, body, field):
    interaction = closed_by(owner)
    body = {key: resolved.pk if value == "RESOLVED_ID" else value for key, value in body.items()}

    response = client_for(owner).post(f"/api/v1/interactions/{interaction.pk}/wrap-up/", body, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    assert not WrapUp.objects.exists()


def test_a_wrap_up_of_an_open_conversation_is_409_and_of_a_colleagues_not_found(owner, resolved):
    interaction = closed_by(owner)
    still_open = record_inbound_message(event=inbound_message(sender_id="4915112345678")).interaction
    Interaction.objects.filter(pk=still_open.pk).update(assigned_to=owner)

    colleagues = client_for(agent()).post(
        f"/api/v1/interactions/{interaction.pk}/wrap-up/", {"resolution_code": resolved.pk}, format="json"
    )
    not_closed = client_for(owner).post(
        f"/api/v1/interactions/{still_open.pk}/wrap-up/", {"resolution_code": resolved.pk}, format="json"
    )

    assert (colleagues.status_code, not_closed.status_code) == (404, 409)


def test_the_api_lists_an_agents_own_wrap_ups_owed_and_a_manager_everyones(owner):
    overdue = closed_by(owner, sender_id="1", minutes_ago=6)
    theirs = closed_by(agent(), sender_id="2", minutes_ago=1)

    mine = client_for(owner).get("/api/v1/routing/wrap-ups/due/")
    everyone = client_for(manager()).get("/api/v1/routing/wrap-ups/due/")
    nobody = client_for(UserFactory()).get("/api/v1/routing/wrap-ups/due/")

    assert [(row["interaction"]["id"], row["overdue"]) for row in mine.json()] == [(overdue.pk, True)]
    assert mine.json()[0]["closed_by"] == "Ana"
    assert [row["interaction"]["id"] for row in everyone.json()] == [overdue.pk, theirs.pk]
    assert nobody.status_code == 403


def test_a_wrap_up_reaches_whoever_has_the_conversation_open_as_its_next_revision(
    owner, resolved, live_events, django_capture_on_commit_callbacks
):
    interaction = closed_by(owner)
    live_events()  # what the closing pushed

    with django_capture_on_commit_callbacks(execute=True):
        wrap_up_interaction(interaction=interaction, agent=owner, resolution_code=resolved)

    [(groups, event)] = live_events()
    assert "supervisors" in groups and f"user.{owner.pk}" in groups  # a supervisor reading along, and the agent
    assert (event["type"], event["interaction"]["revision"]) == ("interaction.changed", interaction.revision + 1)
    assert Interaction.objects.get(pk=interaction.pk).revision == interaction.revision + 1


def test_the_interaction_says_who_closed_it_so_the_workspace_asks_only_them_for_a_wrap_up(owner):
    by_the_agent = closed_by(owner)
    first = record_inbound_message(event=inbound_message(sender_id="16505550000", text="Hello?"))
    send_agent_reply(interaction=first.interaction, author=owner, text="How can I help?")  # hers, then idle
    by_the_desk = close_interaction(
        interaction=first.interaction, by=None, state=InteractionState.CLOSED_ABANDONED, state_reason="idle"
    )

    read = [client_for(owner).get(f"/api/v1/interactions/{each.pk}/").json() for each in (by_the_agent, by_the_desk)]

    assert [answer["closed_by_id"] for answer in read] == [owner.pk, None]
