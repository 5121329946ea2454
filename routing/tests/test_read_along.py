"""A queue that lets its agents see each other's conversations lets them read along, not answer: a conversation
assigned to one agent is theirs to write to the customer in, react, retry, hold, resume, close, mark seen and type
in. A colleague gets a 403 that names the holder and nothing changes; internal notes stay open to all who see it, a
supervisor's whisper too; an unassigned one is still claimed by whoever writes first."""

import pytest
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile

from interactions.consumers import WorkspaceConsumer
from interactions.models import Direction, Interaction, InteractionState, Message, MessageStatus
from interactions.services.lifecycle import close_interaction
from interactions.services.outbound import NotTheirConversation, send_agent_reply
from interactions.services.receipts import start_agent_typing
from interactions.tests.test_workspace_socket import in_own_event_loop
from interactions.tests.timelines import client_for
from routing.models import Queue
from tests.factories import InteractionFactory, MessageFactory, agent, manager
from tests.media_samples import sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    """Ana and Ben serve a queue that shares; Ana has one of its conversations, with the customer's question."""
    ana, ben = agent(first_name="Ana"), agent(first_name="Ben")
    shared = Queue.objects.create(key="billing", name="Billing", agents_see_each_others_conversations=True)
    shared.agents.add(ana, ben)
    interaction = InteractionFactory(assigned_to=ana, queue="billing", state=InteractionState.WORK_IN_PROGRESS)
    question = MessageFactory(interaction=interaction, text="Why was I charged twice?")
    failed = MessageFactory(interaction=interaction, failed=True, author=ana, text="Let me check.")
    MessageFactory(interaction=interaction, text="Hello?")  # unread: only Ana's look clears it
    return {"ana": ana, "ben": ben, "interaction": interaction, "question": question, "failed": failed}


def _acts(team) -> dict[str, tuple[str, dict]]:
    base = f"/api/v1/interactions/{team['interaction'].pk}"
    return {
        "reply": (f"{base}/messages/", {"text": "It was a duplicate, refunded."}),
        "reaction": (
            f"{base}/messages/",
            {"kind": "reaction", "content": {"emoji": "👍"}, "reply_to": team["question"].pk},
        ),
        "location": (
            f"{base}/messages/",
            {"kind": "location", "content": {"latitude": 52.52, "longitude": 13.405, "name": "Our shop"}},
        ),
        "template": (f"{base}/template-messages/", {"template_id": 1, "values": {}}),
        "opt-in question": (f"{base}/ask-consent/", {}),
        "retry": (f"{base}/messages/{team['failed'].pk}/retry/", {}),
        "hold": (f"{base}/hold/", {"reason": "A copy of the statement"}),
        "resume": (f"{base}/resume/", {}),
        "close": (f"{base}/close/", {"state": "closed_complete"}),
        "mark seen": (f"{base}/seen/", {}),
    }


@pytest.mark.parametrize(
    "act",
    ["reply", "reaction", "location", "template", "opt-in question", "retry", "hold", "resume", "close", "mark seen"],
)
def test_a_colleague_reading_along_may_not_act_in_the_conversation_and_is_told_whose_it_is(team, act):
    interaction = team["interaction"]
    if act == "resume":
        Interaction.objects.filter(pk=interaction.pk).update(state=InteractionState.ON_HOLD, hold_reason="A photo")
    path, body = _acts(team)[act]
    before = Interaction.objects.get(pk=interaction.pk)

    response = client_for(team["ben"]).post(path, body, format="json")

    assert response.status_code == 403, response.json()
    assert "Ana" in response.json()["detail"] and "internal notes" in response.json()["detail"]
    after = Interaction.objects.get(pk=interaction.pk)
    assert (after.state, after.assigned_to_id, after.revision) == (before.state, before.assigned_to_id, before.revision)
    assert after.unread_count == before.unread_count > 0  # not marked seen either
    assert after.messages.count() == 3
    assert Message.objects.get(pk=team["failed"].pk).status == MessageStatus.FAILED


def test_a_colleague_may_not_send_a_file_either(team):
    upload = SimpleUploadedFile("photo.jpg", sample("photo.jpg"), content_type="image/jpeg")

    response = client_for(team["ben"]).post(
        f"/api/v1/interactions/{team['interaction'].pk}/attachments/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 403
    assert team["interaction"].messages.count() == 3


def test_the_services_refuse_it_too_whoever_calls_them(team):
    with pytest.raises(NotTheirConversation):
        send_agent_reply(interaction=team["interaction"], author=team["ben"], text="Sorry about that!")
    with pytest.raises(NotTheirConversation):
        close_interaction(interaction=team["interaction"], by=team["ben"], state=InteractionState.CLOSED_COMPLETE)


def test_the_colleague_still_reads_it_and_adds_internal_notes_and_a_supervisor_whispers(team):
    interaction, ana, ben = team["interaction"], team["ana"], team["ben"]

    read = client_for(ben).get(f"/api/v1/interactions/{interaction.pk}/")
    note = client_for(ben).post(
        f"/api/v1/interactions/{interaction.pk}/notes/", {"text": "Same double charge as last week"}, format="json"
    )
    whisper = client_for(manager()).post(
        f"/api/v1/interactions/{interaction.pk}/notes/", {"text": "Refund it", "whisper_to": ana.pk}, format="json"
    )

    assert read.status_code == 200
    assert (read.json()["assigned_to"], read.json()["assigned_to_id"]) == ("Ana", ana.pk)
    assert (note.status_code, whisper.status_code) == (201, 201)
    assert list(interaction.messages.filter(direction=Direction.INTERNAL).values_list("text", flat=True)) == [
        "Same double charge as last week",
        "Refund it",
    ]


def test_the_agent_who_has_it_acts_in_it_as_before(team):
    client = client_for(team["ana"])
    base = f"/api/v1/interactions/{team['interaction'].pk}"

    seen = client.post(f"{base}/seen/")
    reply = client.post(f"{base}/messages/", {"text": "It was a duplicate, refunded."}, format="json")
    held = client.post(f"{base}/hold/", {"reason": "A copy of the statement"}, format="json")
    closed = client.post(f"{base}/close/", {"state": "closed_complete"}, format="json")

    assert (seen.status_code, seen.json()["unread_count"]) == (200, 0)
    assert (reply.status_code, held.status_code, closed.status_code) == (201, 200, 200)


@pytest.mark.django_db(transaction=True)
def test_a_colleague_reading_along_cannot_type_in_it_over_the_live_connection(team):
    """Typing would show the customer "typing…" and colleagues "Ben is typing…": an act, behind the same gate."""

    async def typing_as(user) -> dict:
        socket = WebsocketCommunicator(WorkspaceConsumer.as_asgi(), "/ws/workspace/")
        socket.scope["user"] = user
        await socket.connect()
        await socket.receive_json_from()  # the greeting
        await socket.send_json_to({"type": "typing", "interaction_id": team["interaction"].pk})
        await socket.send_json_to({"type": "ping"})
        frames = [await socket.receive_json_from(timeout=5)]
        while frames[-1] != {"type": "pong"} and len(frames) < 5:
            frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return frames

    bens = in_own_event_loop(lambda: typing_as(team["ben"]))
    anas = in_own_event_loop(lambda: typing_as(team["ana"]))

    assert {"type": "error", "detail": "you cannot type in that interaction"} in bens
    assert not start_agent_typing(agent=team["ben"], interaction_id=team["interaction"].pk)
    assert not any(frame.get("type") == "error" for frame in anas)


def test_an_unassigned_conversation_of_the_queue_is_claimed_by_the_colleague_who_writes_in_it(team):
    waiting = InteractionFactory(queue="billing")

    response = client_for(team["ben"]).post(
        f"/api/v1/interactions/{waiting.pk}/messages/", {"text": "I can help with that."}, format="json"
    )

    assert response.status_code == 201
    waiting.refresh_from_db()
    assert (waiting.assigned_to, waiting.state) == (team["ben"], InteractionState.WORK_IN_PROGRESS)
