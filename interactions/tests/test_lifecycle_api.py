"""The lifecycle over the API: hold and resume, closing with a reason, and internal notes; bad input is a 400 that
says why and writes nothing, a refusal of the moment a 409."""

import pytest

from interactions.models import Direction, Interaction, InteractionState
from interactions.services.inbound import record_inbound_message
from interactions.services.outbound import send_agent_reply
from interactions.tests.core_events import inbound_message
from interactions.tests.timelines import client_for
from tests.factories import UserFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return agent(first_name="Ana")


@pytest.fixture
def conversation(owner) -> Interaction:
    first = record_inbound_message(event=inbound_message(text="My parcel is damaged."))
    send_agent_reply(interaction=first.interaction, author=owner, text="Could you send a photo?")
    return Interaction.objects.get(pk=first.interaction_id)


def test_hold_then_resume(conversation, owner):
    client = client_for(owner)

    held = client.post(f"/api/v1/interactions/{conversation.pk}/hold/", {"reason": "A photo"}, format="json")
    resumed = client.post(f"/api/v1/interactions/{conversation.pk}/resume/")

    assert held.status_code == 200, held.json()
    assert (held.json()["state"], held.json()["hold_reason"]) == ("on_hold", "A photo")
    assert resumed.status_code == 200
    assert (resumed.json()["state"], resumed.json()["hold_reason"]) == ("work_in_progress", "")


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "reason"), ({"reason": "  "}, "reason"), ({"reason": "\x00"}, "reason"), ({"reason": "x" * 256}, "detail")],
)
def test_a_hold_without_a_usable_reason_is_400_saying_why(conversation, owner, body, field):
    response = client_for(owner).post(f"/api/v1/interactions/{conversation.pk}/hold/", body, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    conversation.refresh_from_db()
    assert conversation.state == InteractionState.WORK_IN_PROGRESS


def test_holding_a_held_or_resuming_a_running_interaction_is_409(conversation, owner):
    client = client_for(owner)

    resumed = client.post(f"/api/v1/interactions/{conversation.pk}/resume/")
    client.post(f"/api/v1/interactions/{conversation.pk}/hold/", {"reason": "A photo"}, format="json")
    held_again = client.post(f"/api/v1/interactions/{conversation.pk}/hold/", {"reason": "A photo"}, format="json")

    assert (resumed.status_code, held_again.status_code) == (409, 409)
    assert "not on hold" in resumed.json()["detail"] and "already on hold" in held_again.json()["detail"]


def test_a_manager_may_not_hold_or_resume(conversation):
    client = client_for(manager())

    held = client.post(f"/api/v1/interactions/{conversation.pk}/hold/", {"reason": "A photo"}, format="json")
    resumed = client.post(f"/api/v1/interactions/{conversation.pk}/resume/")

    assert (held.status_code, resumed.status_code) == (403, 403)


def test_closing_records_the_reason_given_or_the_default(conversation, owner):
    response = client_for(owner).post(
        f"/api/v1/interactions/{conversation.pk}/close/",
        {"state": "closed_complete", "state_reason": "Replacement shipped"},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["state_reason"]) == ("closed_complete", "Replacement shipped")


def test_closing_into_an_open_state_or_with_an_overlong_reason_is_400(conversation, owner):
    client = client_for(owner)

    on_hold = client.post(f"/api/v1/interactions/{conversation.pk}/close/", {"state": "on_hold"}, format="json")
    overlong = client.post(f"/api/v1/interactions/{conversation.pk}/close/", {"state_reason": "x" * 256}, format="json")

    assert (on_hold.status_code, overlong.status_code) == (400, 400)
    assert on_hold.json()["state"] and "at most 255" in overlong.json()["detail"]
    conversation.refresh_from_db()
    assert conversation.is_open


def test_the_open_filter_lists_interactions_on_hold(conversation, owner):
    client = client_for(owner)
    client.post(f"/api/v1/interactions/{conversation.pk}/hold/", {"reason": "A photo"}, format="json")

    listed = client.get("/api/v1/interactions/?state=open").json()["results"]

    assert [row["id"] for row in listed] == [conversation.pk]


def test_an_agent_and_a_manager_write_notes_and_the_manager_whispers(conversation, owner):
    noted = client_for(owner).post(
        f"/api/v1/interactions/{conversation.pk}/notes/", {"text": "Refund approved."}, format="json"
    )
    whispered = client_for(manager()).post(
        f"/api/v1/interactions/{conversation.pk}/notes/",
        {"text": "Offer the voucher.", "whisper_to": owner.pk},
        format="json",
    )

    assert (noted.status_code, whispered.status_code) == (201, 201)
    assert (noted.json()["direction"], noted.json()["internal"], noted.json()["whisper_to"]) == (
        "internal",
        True,
        None,
    )
    assert whispered.json()["whisper_to"] == {"id": owner.pk, "name": "Ana"}
    detail = client_for(owner).get(f"/api/v1/interactions/{conversation.pk}/").json()
    assert [m["text"] for m in detail["messages"] if m["internal"]] == ["Refund approved.", "Offer the voucher."]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 4001}, "detail"),
        ({"text": "Hi", "whisper_to": 0}, "whisper_to"),
        ({"text": "Hi", "whisper_to": 99999999}, "whisper_to"),
        ({"text": "Hi", "whisper_to": 2**70}, "whisper_to"),
        ({"text": "Hi", "whisper_to": "Ana"}, "whisper_to"),
    ],
)
def test_a_note_that_cannot_be_written_is_400_saying_why_and_writes_nothing(conversation, owner, body, field):
    response = client_for(owner).post(f"/api/v1/interactions/{conversation.pk}/notes/", body, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    assert not conversation.messages.filter(direction=Direction.INTERNAL).exists()


def test_a_whisper_to_someone_else_than_the_conversations_agent_is_409(conversation):
    response = client_for(manager()).post(
        f"/api/v1/interactions/{conversation.pk}/notes/", {"text": "Hi", "whisper_to": agent().pk}, format="json"
    )

    assert response.status_code == 409
    assert "assigned to Ana" in response.json()["detail"]


def test_a_user_without_a_role_writes_no_note(conversation):
    response = client_for(UserFactory()).post(
        f"/api/v1/interactions/{conversation.pk}/notes/", {"text": "Hi"}, format="json"
    )

    assert response.status_code in (403, 404)
    assert not conversation.messages.filter(direction=Direction.INTERNAL).exists()
