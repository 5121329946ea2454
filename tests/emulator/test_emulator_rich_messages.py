"""Rich message types on the emulator: the business's sends checked as Meta checks them, the customer's as webhooks."""

import pytest

from tests.emulator.conftest import CUSTOMER


def send(emulator, message_type: str, body: object, **extra):
    payload = {"messaging_product": "whatsapp", "to": CUSTOMER, "type": message_type, message_type: body, **extra}
    return emulator.post_messages(payload)


def a_list(rows: int = 2, **overrides) -> dict:
    return {
        "type": "list",
        "header": {"type": "text", "text": "Delivery"},
        "body": {"text": "When should we come?"},
        "action": {
            "button": "Pick a slot",
            "sections": [{"title": "Tomorrow", "rows": [{"id": f"s{n}", "title": f"{8 + n}:00"} for n in range(rows)]}],
        },
        **overrides,
    }


def buttons(*titles: str) -> dict:
    return {
        "type": "button",
        "body": {"text": "Did that solve it?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{n}", "title": t}} for n, t in enumerate(titles)]},
    }


@pytest.mark.parametrize(
    ("message_type", "body"),
    [
        ("location", {"latitude": 52.52, "longitude": 13.405, "name": "Shop", "address": "Unter den Linden 1"}),
        ("interactive", a_list()),
        ("interactive", buttons("Yes", "No")),
        ("contacts", [{"name": {"formatted_name": "Support line"}, "phones": [{"phone": "+1 555 0100"}]}]),
    ],
)
def test_rich_sends_are_accepted_and_reach_the_phone_with_their_content(emulator, message_type, body):
    emulator.customer_writes()

    response = send(emulator, message_type, body)

    assert response.status_code == 200, response.json()
    wamid = response.json()["messages"][0]["id"]
    feed = emulator.control.conversation(wa_id=CUSTOMER)
    shown = {item["id"]: item for item in feed["items"]}
    assert emulator.control.sent_messages(to=CUSTOMER)[-1][message_type] == body
    assert wamid not in shown or shown[wamid]["content"] == body


def test_a_reaction_names_the_message_it_reacts_to(emulator):
    inbound = emulator.customer_writes()

    response = send(emulator, "reaction", {"message_id": inbound, "emoji": "👍"})

    assert response.status_code == 200
    assert emulator.control.sent_messages(to=CUSTOMER)[-1]["reaction"] == {"message_id": inbound, "emoji": "👍"}


@pytest.mark.parametrize(
    ("message_type", "body", "details"),
    [
        ("interactive", a_list(rows=11), "Total row count exceed max allowed count: 10"),
        ("interactive", buttons("One", "Two", "Three", "Four"), "must have at most 3 elements"),
        ("interactive", buttons("Yes", "Yes"), "Button title must be unique"),
        ("interactive", buttons("A title well over twenty"), "['reply']['title'] must be at most 20 characters"),
        ("interactive", a_list(body={"text": "x" * 4097}), "['body']['text'] must be at most 4096 characters"),
        ("interactive", buttons("Yes") | {"body": {"text": "x" * 1025}}, "must be at most 1024 characters"),
        ("interactive", a_list(footer={"text": "f" * 61}), "['footer']['text'] must be at most 60 characters"),
        ("location", {"latitude": 91, "longitude": 0}, "location['latitude'] must be between -90 and 90"),
    ],
)
def test_values_over_metas_limits_are_refused_with_131009_and_the_parameter(emulator, message_type, body, details):
    emulator.customer_writes()

    response = send(emulator, message_type, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (131009, "(#131009) Parameter value is not valid")
    assert details in error["error_data"]["details"]
    assert emulator.control.sent_messages() == []


def test_a_list_row_title_over_24_characters_is_refused(emulator):
    emulator.customer_writes()
    body = a_list()
    body["action"]["sections"][0]["rows"][1]["title"] = "A row title that is too long"

    error = send(emulator, "interactive", body).json()["error"]

    assert error["code"] == 131009
    assert error["error_data"]["details"] == (
        "Param interactive['action']['sections'][0]['rows'][1]['title'] must be at most 24 characters long."
    )


def test_a_missing_part_is_refused_with_100(emulator):
    emulator.customer_writes()

    error = send(emulator, "interactive", {"type": "list", "body": {"text": "Hi"}}).json()["error"]

    assert error["code"] == 100
    assert "interactive['action']" in error["error_data"]["details"]


def test_the_customers_location_arrives_as_metas_location_message(emulator, webhook_receiver):
    location = {"latitude": 37.4847, "longitude": -122.1477, "name": "Main Office", "address": "1 Hacker Way"}

    wamid = emulator.control.customer_sends_message(CUSTOMER, "location", location, name="Ana")

    (delivery,) = webhook_receiver.wait_for(lambda deliveries: len(deliveries) >= 1)
    message = delivery.value()["messages"][0]
    assert (message["id"], message["type"], message["location"]) == (wamid, "location", location)


def test_the_customers_choice_in_a_list_answers_the_question_with_context(emulator, webhook_receiver):
    emulator.customer_writes()
    question = send(emulator, "interactive", a_list()).json()["messages"][0]["id"]
    choice = {"type": "list_reply", "list_reply": {"id": "s1", "title": "9:00", "description": ""}}

    emulator.control.customer_sends_message(CUSTOMER, "interactive", choice, reply_to=question)

    deliveries = webhook_receiver.wait_for(
        lambda ds: any(m.get("type") == "interactive" for d in ds for m in d.value().get("messages", []))
    )
    message = next(m for d in deliveries for m in d.value().get("messages", []) if m["type"] == "interactive")
    assert message["interactive"] == choice
    assert message["context"]["id"] == question


def test_a_customers_interactive_reply_without_the_question_is_refused(emulator):
    choice = {"type": "button_reply", "button_reply": {"id": "b0", "title": "Yes"}}

    with pytest.raises(Exception, match="400"):
        emulator.control.customer_sends_message(CUSTOMER, "interactive", choice)


def test_the_customers_contact_and_reaction_arrive_in_metas_shapes(emulator, webhook_receiver):
    emulator.customer_writes()
    ours = emulator.send_text(body="Here you go").json()["messages"][0]["id"]
    contact = [{"name": {"formatted_name": "Ravi Kumar"}, "phones": [{"phone": "+44 7700 900123"}]}]

    emulator.control.customer_sends_message(CUSTOMER, "contacts", contact)
    emulator.control.customer_sends_message(CUSTOMER, "reaction", {"message_id": ours, "emoji": "❤️"})

    deliveries = webhook_receiver.wait_for(lambda ds: len([m for d in ds for m in d.value().get("messages", [])]) >= 3)
    messages = {m["type"]: m for d in deliveries for m in d.value().get("messages", [])}
    assert messages["contacts"]["contacts"] == contact
    assert messages["reaction"]["reaction"] == {"message_id": ours, "emoji": "❤️"}
