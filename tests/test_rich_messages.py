"""Every rich kind through the real system, both ways: emulator → webhook → worker → timeline, and
API → outbox → worker → Graph API (emulator); read receipts, the typing indicator and retrying a failed send."""

import json

import pytest

from conftest import LiveSystem, wait_until
from interactions.models import Message, MessageKind, MessageStatus
from tests.factories import agent_holding, manager
from tests.test_conversation import api, customer_writes, next_pushed, workspace_socket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "16505551234"


def post(system: LiveSystem, user, interaction_id: int, body: dict):
    return api(system, user).post(
        f"{system.web_url}/api/v1/interactions/{interaction_id}/messages/", json=body, timeout=10
    )


def recorded(wamid: str) -> Message:
    return wait_until(lambda: Message.objects.filter(external_id=wamid).first(), message=f"message {wamid}")


def sent_by_us(system: LiveSystem, user, interaction_id: int, body: dict, count: int) -> tuple[Message, dict]:
    response = post(system, user, interaction_id, body)
    assert response.status_code == 201, response.json()
    message = Message.objects.get(pk=response.json()["id"])
    sent = system.emulator.wait_for_sent_message(to=CUSTOMER, count=count)
    wait_until(lambda: Message.objects.get(pk=message.pk).external_id, message="the send's wamid")
    return Message.objects.get(pk=message.pk), sent


A_LIST = {
    "type": "list",
    "header": "Delivery",
    "body": "When should we deliver?",
    "footer": "Free delivery",
    "button": "Pick a day",
    "sections": [{"title": "This week", "rows": [{"id": "mon", "title": "Monday"}, {"id": "tue", "title": "Tuesday"}]}],
}


def test_every_rich_kind_an_agent_sends_reaches_the_phone_in_metas_shape(live_system):
    question = customer_writes(live_system, "Can you deliver?")
    interaction = question.interaction
    person = agent_holding(interaction)

    _, location = sent_by_us(
        live_system,
        person,
        interaction.pk,
        {
            "kind": "location",
            "content": {"latitude": 52.52, "longitude": 13.405, "name": "Depot", "address": "Main St 1"},
        },
        1,
    )
    _, listed = sent_by_us(live_system, person, interaction.pk, {"kind": "interactive", "content": A_LIST}, 2)
    _, buttons = sent_by_us(
        live_system,
        person,
        interaction.pk,
        {
            "kind": "interactive",
            "content": {"type": "buttons", "body": "OK?", "buttons": [{"title": "Yes"}, {"title": "No"}]},
        },
        3,
    )
    _, reaction = sent_by_us(
        live_system,
        person,
        interaction.pk,
        {"kind": "reaction", "reply_to": question.pk, "content": {"emoji": "👍"}},
        4,
    )
    _, quoted = sent_by_us(live_system, person, interaction.pk, {"text": "Yes, we do.", "reply_to": question.pk}, 5)

    assert location["location"] == {"latitude": 52.52, "longitude": 13.405, "name": "Depot", "address": "Main St 1"}
    assert listed["interactive"]["type"] == "list"
    assert listed["interactive"]["action"]["sections"][0]["rows"][1] == {"id": "tue", "title": "Tuesday"}
    assert [b["reply"]["title"] for b in buttons["interactive"]["action"]["buttons"]] == ["Yes", "No"]
    assert reaction["reaction"] == {"message_id": question.external_id, "emoji": "👍"}
    assert "context" not in reaction
    assert quoted["context"] == {"message_id": question.external_id}


def test_every_rich_kind_a_customer_sends_lands_in_the_timeline(live_system):
    first = customer_writes(live_system, "Hi")
    person = agent_holding(first.interaction)
    ours, _ = sent_by_us(live_system, person, first.interaction_id, {"kind": "interactive", "content": A_LIST}, 1)
    emulator = live_system.emulator

    location = recorded(
        emulator.customer_sends_message(
            CUSTOMER, "location", {"latitude": 48.8584, "longitude": 2.2945, "name": "Eiffel Tower"}
        )
    )
    contact = recorded(
        emulator.customer_sends_message(
            CUSTOMER, "contacts", [{"name": {"formatted_name": "Ravi Kumar"}, "phones": [{"phone": "+44 7700 900123"}]}]
        )
    )
    reaction = recorded(
        emulator.customer_sends_message(CUSTOMER, "reaction", {"message_id": ours.external_id, "emoji": "🙏"})
    )
    choice = recorded(
        emulator.customer_sends_message(
            CUSTOMER,
            "interactive",
            {"type": "list_reply", "list_reply": {"id": "tue", "title": "Tuesday"}},
            reply_to=ours.external_id,
        )
    )
    quick = recorded(
        emulator.customer_sends_message(
            CUSTOMER, "button", {"payload": "STOP", "text": "Stop promotions"}, reply_to=ours.external_id
        )
    )

    assert (location.kind, location.content["name"], location.content["latitude"]) == (
        MessageKind.LOCATION,
        "Eiffel Tower",
        48.8584,
    )
    assert (contact.kind, contact.content["contacts"][0]["name"]) == (MessageKind.CONTACTS, "Ravi Kumar")
    assert (reaction.kind, reaction.reply_to_id) == (MessageKind.REACTION, ours.pk)
    assert (choice.kind, choice.content["id"], choice.reply_to_id, choice.text) == (
        MessageKind.INTERACTIVE,
        "tue",
        ours.pk,
        "Tuesday",
    )
    assert (quick.kind, quick.content, quick.reply_to_id) == (
        MessageKind.BUTTON,
        {"payload": "STOP", "text": "Stop promotions"},
        ours.pk,
    )
    timeline = (
        api(live_system, person)
        .get(f"{live_system.web_url}/api/v1/interactions/{first.interaction_id}/", timeout=10)
        .json()
    )
    question = next(m for m in timeline["messages"] if m["id"] == ours.pk)
    assert [r["emoji"] for r in question["reactions"]] == ["🙏"]


def test_a_list_over_metas_limits_is_refused_by_the_api_with_every_problem(live_system):
    interaction = customer_writes(live_system, "Hi").interaction
    person = agent_holding(interaction)
    too_long = {**A_LIST, "button": "A button label that is too long", "sections": [{"rows": [{"title": "x" * 25}]}]}

    response = post(live_system, person, interaction.pk, {"kind": "interactive", "content": too_long})

    assert response.status_code == 400
    assert response.json()["problems"] == [
        "The button label is 31 characters long; WhatsApp allows at most 20.",
        "Section 1, row 1: the title is 25 characters long; WhatsApp allows at most 24.",
    ]
    assert live_system.emulator.sent_messages(to=CUSTOMER) == []


def test_viewing_the_interaction_sends_one_read_receipt_and_the_customers_ticks_turn_blue(live_system):
    first = customer_writes(live_system, "One")
    second = customer_writes(live_system, "Two")
    person = agent_holding(first.interaction)

    response = api(live_system, person).post(
        f"{live_system.web_url}/api/v1/interactions/{first.interaction_id}/seen/", timeout=10
    )

    assert response.status_code == 200

    def all_read() -> dict | None:
        feed = live_system.emulator.conversation(CUSTOMER)
        return feed if all(item["status"] == "read" for item in feed["items"]) else None

    feed = wait_until(all_read, message="the customer's ticks to turn blue")
    assert {item["id"] for item in feed["items"]} == {first.external_id, second.external_id}
    wait_until(lambda: all(m.read_receipt_sent_at for m in Message.objects.filter(direction="inbound")))
    reads = [r for r in live_system.emulator.requests_log() if r["path"].endswith("/messages") and r["status"] == 200]
    assert len(reads) == 1  # one call read both: Meta marks the earlier messages read with the newest

    api(live_system, person).post(f"{live_system.web_url}/api/v1/interactions/{first.interaction_id}/seen/", timeout=10)
    assert len([r for r in live_system.emulator.requests_log() if r["path"].endswith("/messages")]) == 1


def test_an_agent_typing_shows_typing_on_the_phone_once_per_burst_and_to_those_watching(live_system):
    interaction = customer_writes(live_system, "Hello?").interaction
    typist, supervisor = agent_holding(interaction, first_name="Tara"), manager()
    with workspace_socket(live_system, supervisor) as watching, workspace_socket(live_system, typist) as typing:
        for socket in (watching, typing):
            assert json.loads(socket.recv(timeout=10))["type"] == "hello"

        for _ in range(3):
            typing.send(json.dumps({"type": "typing", "interaction_id": interaction.pk}))

        event = next_pushed(watching, "agent.typing", timeout=10)
    assert (event["interaction_id"], event["agent"]) == (interaction.pk, "Tara")
    wait_until(lambda: live_system.emulator.conversation(CUSTOMER)["business_typing_seconds"] > 0)
    wait_until(lambda: Message.objects.get(pk=Message.objects.get().pk).read_receipt_sent_at)
    calls = [r for r in live_system.emulator.requests_log() if r["path"].endswith("/messages")]
    assert len(calls) == 1  # three signals in one burst, one typing indicator


def test_a_send_that_failed_on_throttling_is_retried_from_the_same_outbox_row_once(live_system):
    interaction = customer_writes(live_system, "Hi").interaction
    person = agent_holding(interaction)
    message = Message.objects.create(
        interaction=interaction,
        sequence=99,
        revision=99,
        direction="outbound",
        text="Your parcel ships today.",
        author=person,
        status=MessageStatus.FAILED,
        error_code="130429",
        error_title="Message throughput limit reached",
        sent_at=interaction.opened_at,
    )
    url = f"{live_system.web_url}/api/v1/interactions/{interaction.pk}/messages/{message.pk}/retry/"

    first = api(live_system, person).post(url, timeout=10)
    second = api(live_system, person).post(url, timeout=10)

    assert first.status_code == 200 and first.json()["status"] == "queued"
    assert second.status_code == 409
    sent = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert sent["text"]["body"] == "Your parcel ships today."
    wait_until(lambda: Message.objects.get(pk=message.pk).status in ("sent", "delivered", "read"))
    assert len(live_system.emulator.sent_messages(to=CUSTOMER)) == 1
