"""Rich message types on Meta's example payloads: parsed, translated to the core's shapes, and sent back in Meta's."""

from datetime import UTC, datetime

import pytest

from channels_whatsapp import translate
from channels_whatsapp.errors import retry_can_help
from channels_whatsapp.message_limits import content_problems
from channels_whatsapp.outbound import message_body
from channels_whatsapp.payloads import IncomingMessage, parse_notification
from channels_whatsapp.rich_messages import outbound_type_and_object
from channels_whatsapp.tests.meta_fixtures import meta_payload
from interactions.models import Message, MessageKind
from interactions.rich_content import agent_content

OUR_MESSAGE = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA"


def only_message(name: str) -> IncomingMessage:
    (event,) = parse_notification(meta_payload(name))
    assert isinstance(event, IncomingMessage)
    return event


def test_a_location_becomes_a_location_with_coordinates_name_and_address():
    inbound = translate.inbound_message(only_message("location_message"))

    assert inbound.kind == MessageKind.LOCATION
    assert inbound.content == {
        "latitude": 37.4847,
        "longitude": -122.1477,
        "name": "Main Office",
        "address": "1 Hacker Way, Menlo Park, CA 94025",
        "url": "https://www.facebook.com/",
    }
    assert inbound.sent_at == datetime.fromtimestamp(1750264100, tz=UTC)


def test_a_contacts_message_keeps_the_list_and_becomes_contact_cards():
    message = only_message("contacts_message")
    inbound = translate.inbound_message(message)

    assert isinstance(message.body["contacts"], list)
    assert inbound.kind == MessageKind.CONTACTS
    (contact,) = inbound.content["contacts"]
    assert contact == {
        "name": "Barbara J. Johnson",
        "phones": [
            {"phone": "+1 (650) 555-1234", "type": "WORK", "wa_id": "16505551234"},
            {"phone": "+1 (650) 555-5678", "type": "HOME", "wa_id": ""},
        ],
        "emails": [{"email": "bjohnson@example.com", "type": "WORK"}],
        "org": {"company": "Example, Inc.", "department": "Sales", "title": "Director"},
        "urls": [{"url": "https://www.example.com", "type": "WORK"}],
    }


def test_a_reaction_targets_the_message_it_reacts_to():
    inbound = translate.inbound_message(only_message("reaction_message"))

    assert (inbound.kind, inbound.content, inbound.reply_to_external_id) == (
        MessageKind.REACTION,
        {"emoji": "👍"},
        OUR_MESSAGE,
    )


def test_a_removed_reaction_has_an_empty_emoji():
    inbound = translate.inbound_message(only_message("reaction_removed"))

    assert (inbound.kind, inbound.content, inbound.reply_to_external_id) == (
        MessageKind.REACTION,
        {"emoji": ""},
        OUR_MESSAGE,
    )


def test_a_list_reply_is_the_chosen_row_linked_to_the_question():
    inbound = translate.inbound_message(only_message("interactive_list_reply"))

    assert inbound.kind == MessageKind.INTERACTIVE
    assert inbound.content == {
        "type": "list_reply",
        "id": "priority_express",
        "title": "Priority Mail Express",
        "description": "Next Day to 2 Days",
    }
    assert inbound.reply_to_external_id == OUR_MESSAGE


def test_a_button_reply_is_the_tapped_button_linked_to_the_question():
    inbound = translate.inbound_message(only_message("interactive_button_reply"))

    assert inbound.content == {"type": "button_reply", "id": "change-button", "title": "Change", "description": ""}
    assert inbound.reply_to_external_id == OUR_MESSAGE


def test_a_template_quick_reply_keeps_payload_and_text():
    inbound = translate.inbound_message(only_message("template_quick_reply"))

    assert inbound.kind == MessageKind.BUTTON
    assert inbound.content == {"payload": "Unsubscribe from Promos", "text": "Unsubscribe from Promos"}
    assert inbound.reply_to_external_id == OUR_MESSAGE


def test_an_interactive_reply_of_an_undocumented_type_is_kept_as_unsupported():
    document = meta_payload("interactive_list_reply")
    document["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"] = {"type": "poll_reply", "poll_reply": {}}
    (event,) = parse_notification(document)

    inbound = translate.inbound_message(event)

    assert (inbound.kind, inbound.content) == (MessageKind.UNSUPPORTED, {"type": "interactive"})


def a_list(**changes) -> dict:
    raw = {
        "type": "list",
        "header": "Shipping",
        "body": "How fast do you need it?",
        "footer": "Prices include tax",
        "button": "Options",
        "sections": [
            {"title": "Fast", "rows": [{"id": "express", "title": "Express", "description": "Next day"}]},
            {"title": "Cheap", "rows": [{"title": "Standard"}]},
        ],
    }
    return agent_content(kind=MessageKind.INTERACTIVE, raw={**raw, **changes})


def test_a_list_within_metas_limits_has_no_problems():
    assert content_problems(kind=MessageKind.INTERACTIVE, content=a_list()) == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            a_list(sections=[{"rows": [{"title": "x" * 25}]}]),
            "Section 1, row 1: the title is 25 characters long; WhatsApp allows at most 24.",
        ),
        (
            a_list(sections=[{"rows": [{"title": "Row", "description": "d" * 73}]}]),
            "Section 1, row 1: the description is 73 characters long; WhatsApp allows at most 72.",
        ),
        (
            a_list(sections=[{"rows": [{"title": f"Row {n}"} for n in range(11)]}]),
            "The list has 11 rows; WhatsApp allows at most 10 in all sections.",
        ),
        (
            a_list(sections=[{"title": f"S{n}", "rows": [{"title": "Row"}]} for n in range(11)]),
            "The list has 11 sections; WhatsApp allows at most 10.",
        ),
        (a_list(sections=[]), "The list needs at least one row."),
        (a_list(button="b" * 21), "The button label is 21 characters long; WhatsApp allows at most 20."),
        (a_list(button=""), "The button label (what opens the list) is required."),
        (a_list(body="b" * 4097), "The body is 4097 characters long; WhatsApp allows at most 4096."),
        (a_list(body=""), "The body is required."),
        (a_list(footer="f" * 61), "The footer is 61 characters long; WhatsApp allows at most 60."),
        (a_list(header="h" * 61), "The header is 61 characters long; WhatsApp allows at most 60."),
        (
            a_list(sections=[{"rows": [{"id": "i" * 201, "title": "Row"}]}]),
            "Section 1, row 1: the id is 201 characters long; WhatsApp allows at most 200.",
        ),
        (
            a_list(sections=[{"rows": [{"title": "A"}]}, {"rows": [{"title": "B"}]}]),
            "Section 1: the title (needed when there are several sections) is required.",
        ),
    ],
)
def test_a_list_over_metas_limits_is_refused_with_a_clear_message(content, problem):
    assert problem in content_problems(kind=MessageKind.INTERACTIVE, content=content)


def buttons(*titles: str, body: str = "Did that help?") -> dict:
    raw = {"type": "buttons", "body": body, "buttons": [{"title": title} for title in titles]}
    return agent_content(kind=MessageKind.INTERACTIVE, raw=raw)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (buttons("A", "B", "C", "D"), "There are 4 buttons; WhatsApp allows at most 3."),
        (buttons("Yes", "yes"), "Button 2: the title 'yes' is used twice; button titles must be unique."),
        (buttons("t" * 21), "Button 1: the title is 21 characters long; WhatsApp allows at most 20."),
        (buttons("Yes", body="b" * 1025), "The body is 1025 characters long; WhatsApp allows at most 1024."),
        (buttons(), "Add at least one button."),
    ],
)
def test_reply_buttons_over_metas_limits_are_refused_with_a_clear_message(content, problem):
    assert problem in content_problems(kind=MessageKind.INTERACTIVE, content=content)


def test_every_problem_is_reported_at_once():
    problems = content_problems(kind=MessageKind.INTERACTIVE, content=buttons("t" * 21, "t" * 21, body=""))

    assert len(problems) == 4


@pytest.mark.parametrize(("code", "helps"), [("130429", True), ("131000", True), ("190", True), ("unreachable", True)])
def test_a_retry_is_offered_for_throttling_outages_and_fixable_setup(code, helps):
    assert retry_can_help(code) is helps


@pytest.mark.parametrize("code", ["131026", "131047", "100", "131009", "unsupported"])
def test_no_retry_is_offered_for_failures_a_retry_cannot_cure(code):
    assert retry_can_help(code) is False


@pytest.mark.django_db
def test_a_list_is_sent_in_metas_interactive_list_shape():
    from tests.factories import InteractionFactory

    interaction = InteractionFactory()
    message = Message(
        interaction=interaction, pk=7, kind=MessageKind.INTERACTIVE, content=a_list(), direction="outbound"
    )

    body = message_body(message)

    assert body["type"] == "interactive"
    assert body["interactive"] == {
        "type": "list",
        "header": {"type": "text", "text": "Shipping"},
        "body": {"text": "How fast do you need it?"},
        "footer": {"text": "Prices include tax"},
        "action": {
            "button": "Options",
            "sections": [
                {"title": "Fast", "rows": [{"id": "express", "title": "Express", "description": "Next day"}]},
                {"title": "Cheap", "rows": [{"id": "2.1", "title": "Standard"}]},
            ],
        },
    }


@pytest.mark.django_db
def test_reply_buttons_and_a_location_are_sent_in_metas_shapes():
    from tests.factories import InteractionFactory

    interaction = InteractionFactory()
    question = Message(interaction=interaction, pk=8, kind=MessageKind.INTERACTIVE, content=buttons("Yes", "No"))
    location = agent_content(kind=MessageKind.LOCATION, raw={"latitude": "52.5", "longitude": 13.4, "name": "Shop"})
    place = Message(interaction=interaction, pk=9, kind=MessageKind.LOCATION, content=location)

    assert message_body(question)["interactive"]["action"] == {
        "buttons": [
            {"type": "reply", "reply": {"id": "button-1", "title": "Yes"}},
            {"type": "reply", "reply": {"id": "button-2", "title": "No"}},
        ]
    }
    assert message_body(place)["location"] == {"latitude": 52.5, "longitude": 13.4, "name": "Shop"}


def test_a_location_request_is_sent_in_metas_location_request_shape():
    content = agent_content(kind=MessageKind.INTERACTIVE, raw={"type": "location_request", "body": "Where are you?"})
    message = Message(kind=MessageKind.INTERACTIVE, content=content)

    assert content_problems(kind=MessageKind.INTERACTIVE, content=content) == []
    assert outbound_type_and_object(message) == (
        "interactive",
        {"type": "location_request_message", "body": {"text": "Where are you?"}, "action": {"name": "send_location"}},
    )
